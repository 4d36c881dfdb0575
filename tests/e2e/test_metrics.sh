#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Prometheus endpoint of a live xdpi: scraped with curl while nginx and dnsmasq serve real
# clients, its series follow the traffic (kernel packets, flows, events by type, rule
# counters, process CPU and memory), the exposition parses line by line, other paths are 404,
# a bad --metrics value is refused with the reason, and the endpoint goes with xdpi. The EVE
# output on a full disk: every lost event said, counted and scraped while xdpi goes on; a
# reader that goes away (run | head -1) stops xdpi.
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
start_nginx || { echo "FAIL nginx"; exit 1; }
start_dnsmasq || { echo "FAIL dnsmasq"; exit 1; }
out=$(in_net "$NS_SRV" "$XDPI" run -i "$IF_SRV" --metrics 127.0.0.1:99999 -o /dev/null 2>&1)
check "a bad --metrics value is refused with the reason" grep -q "99999': expected ADDR:PORT" <<<"$out"
printf '198.18.0.3/32\n' >"$TMP/block.txt"
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 --metrics 127.0.0.1:9469 \
	--block "$TMP/block.txt" || { echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }
scrape() { in_net "$NS_SRV" curl -sf --max-time 2 "http://127.0.0.1:9469${1:-/metrics}"; }
value() { scrape | awk -v k="$1" '$1 == k { print $2 }'; }
answers() { scrape >/dev/null; }
check "the endpoint answers" wait_until 10 answers
add_client_b
for i in $(seq 1 20); do
	fetch $IP_CLI >/dev/null || true
	cli dig +short +time=1 +tries=1 @$IP_SRV lab.test A >/dev/null || true
done
fetch $IP_B 1 || true
grown() { [ "$(value xdpi_kernel_pkts_total)" -ge 100 ] && [ "$(value 'xdpi_events_total{type="flow"}')" -ge 20 ]; }
check "the series follow the traffic (kernel pkts $(value xdpi_kernel_pkts_total), flow events)" \
	wait_until 40 grown
scrape >"$TMP/metrics.txt"
grep -E '^(xdpi_kernel_pkts_total|xdpi_flows_active|xdpi_events_total|xdpi_rule_packets_total|process_)' \
	"$TMP/metrics.txt" | sed 's/^/  /' | head -12
check "the blocked client's drops are under its rule" \
	[ "$(awk '$1 == "xdpi_rule_packets_total{rule=\"1\"}" { print $2 }' "$TMP/metrics.txt")" -ge 1 ]
check "process CPU and memory are there" grep -qE '^process_resident_memory_bytes [1-9]' "$TMP/metrics.txt"
check "every line is a comment or NAME{labels} VALUE" \
	fails grep -vE '^(# (HELP|TYPE) [a-z_][a-z0-9_]* .+|[a-z_][a-z0-9_]*(\{[a-z_]+="([^"\\]|\\.)*"(,[a-z_]+="([^"\\]|\\.)*")*\})? [0-9.]+)$' "$TMP/metrics.txt"
check "the API series are there (nginx's index by route)" \
	grep -q '^xdpi_api_requests_total{service="198.18.0.2:80",method="GET",route="/",status_class="2xx"} [1-9]' "$TMP/metrics.txt"
check "every series has its TYPE" python3 - "$TMP/metrics.txt" <<'PY'
import re, sys
typed = set(); bad = []
for line in open(sys.argv[1]):
    if line.startswith('# TYPE '):
        typed.add(line.split()[2])
    elif not line.startswith('#'):
        name = re.match(r'[a-z_][a-z0-9_]*', line).group(0)
        base = re.sub(r'_(bucket|sum|count)$', '', name)  # a histogram's series
        if name not in typed and base not in typed:
            bad.append(name)
sys.exit(1 if bad else 0)
PY
check "another path is a 404" fails scrape /other

# xdpi top, in a real terminal: tmux runs it, capture-pane reads the screen, send-keys quits
TMUX_SOCK=xdpi-e2e-$SUF
E2E_CLEANUP='tmux -L "$TMUX_SOCK" kill-server 2>/dev/null'
tmux -L "$TMUX_SOCK" new-session -d -s top -x 110 -y 70 \
	"nsenter --net=/run/netns/$NS_SRV $XDPI top --metrics :9469; sleep 30"
pane() { tmux -L "$TMUX_SOCK" capture-pane -p -t top; }
shows() { pane | grep -qE "$1"; }
check "xdpi top shows the traffic" wait_until 10 shows '^traffic +[0-9.]+k? pkt/s'
check "  ... the API endpoints with req/s, err% and p99" \
	wait_until 5 shows '^  198\.18\.0\.2:80 GET / +[0-9.]+ +[0-9.]+% +[0-9.]+ms'
check "  ... the top flows" shows '198\.18\.0\.1:[0-9]+ -> 198\.18\.0\.2:(80|53) (TCP|UDP)'
check "  ... the top talkers" shows '^  198\.18\.0\.1 +[0-9.]+k? +[0-9.]+k? +[0-9]+$'
check "  ... the blocked client's drops under policy, by rule" shows '^  policy drop +\{rule="1"\} +[1-9]'
check "  ... the application protocols" shows '^app flows .*http [1-9]'
pane | sed -n '1,/^top flows/p' | sed 's/^/  | /' | head -30
top_running() { pgrep -f "^$XDPI top --metrics :9469" >/dev/null; }
check "xdpi top was running" top_running
tmux -L "$TMUX_SOCK" send-keys -t top q
check "q quits xdpi top" wait_until 5 fails top_running
stop_bg "$XDPI_PID" TERM
check "the endpoint goes with xdpi" fails scrape

# -- the EVE output on a full disk: xdpi goes on, and says, counts and exports every loss
start_xdpi "$TMP/full.log" -o /dev/full --stats-interval 0 --metrics 127.0.0.1:9470 ||
	{ echo "FAIL attach (full disk)"; cat "$TMP/full.log"; exit 1; }
for i in $(seq 1 10); do fetch $IP_CLI >/dev/null || true; done
lost_scraped() { [ "$(in_net "$NS_SRV" curl -sf --max-time 2 http://127.0.0.1:9470/metrics |
	awk '$1 == "xdpi_output_errors_total" { print $2 }')" -ge 10 ] 2>/dev/null; }
check "writing to a full disk is said, with the file and the reason" \
	wait_until 10 grep -q "writing events to /dev/full failed: No space left on device" "$TMP/full.log"
check "  every lost event counted in xdpi_output_errors_total (>= the 10 requests' events)" \
	wait_until 10 lost_scraped
goes_on() { xdp_on_link && in_net "$NS_SRV" curl -sf --max-time 2 -o /dev/null http://127.0.0.1:9470/metrics; }
check "  and xdpi goes on: still attached, the endpoint answers" goes_on
stop_bg "$XDPI_PID" TERM

# -- a reader that goes away: `xdpi run -o - | head -1` ends with it, and detaches
in_net "$NS_SRV" timeout 30 bash -c "'$XDPI' run -i '$IF_SRV' -o - --stats-interval 1 2>'$TMP/pipe.log' | head -1" \
	>"$TMP/pipe.out"
rc=$?
check "run | head -1: xdpi stops when head does (exit $rc, not the 30 s timeout)" [ $rc -ne 124 ]
check "  head got one event ($(head -c 60 "$TMP/pipe.out"))" jq_ok '.event_type' "$TMP/pipe.out"
check "  and nothing is left attached" no_xdp_on_link
e2e_done
