#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xdpi ctl on a running instance: a block stops a live keep-alive flow at once, unblock lets
# it back, a --ttl entry expires on time, a 100k-entry list reloads under traffic without
# losing a request, a flow bypassed in the kernel stops reaching the HTTP parser while its
# flow record keeps counting, bad input changes nothing, and a killed instance's pins are
# named stale. The test starts with no bpffs (lib.sh: a private mount namespace): xdpi mounts
# it. Pins are per network namespace: a second xdpi on a same-named interface in another
# namespace neither takes over nor removes the first one's, and ctl tells "not running" (3)
# from "not reachable from here" (4: another namespace, no bpffs, not permitted).
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
add_client_b
start_nginx || { echo "FAIL nginx"; exit 1; }
rule_pkts_at_least() { [ "$(rule_pkts "$1")" -ge "$2" ] 2>/dev/null; }
lines() { grep -c "$1" "$2" 2>/dev/null; }
lines_at_least() { [ "$(lines "$1" "$2")" -ge "$3" ]; }
ctl_says() { local want=$1; shift; xctl "$@" 2>&1 | grep -q "$want"; } # ctl_says TEXT ARGS...
only_startup_rules() { [ "$(xctl list 2>/dev/null | grep -vc '^port drop udp/9999 ')" -eq 0 ]; }
usage_error() { xctl "$@" >/dev/null 2>&1; [ $? -eq 2 ]; }

start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 --steer snip --bypass-bytes 100000 \
	--port-rule 'drop udp/9999' ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }
check "xdpi mounted the missing bpffs itself and said so" grep -q "set up: bpffs: mounted bpffs at /sys/fs/bpf (it was missing)" "$TMP/xdpi.log"
check "maps pinned under $PIN_SRV, with the instance record" pinned
check "no address entries to begin with, only the start-up port rule" only_startup_rules
in_net "$NS_SRV" timeout 20 "$XDPI" run -i "$IF_SRV" -o /dev/null >"$TMP/second.log" 2>&1
check "a second xdpi on the interface is refused, naming the first ($(head -1 "$TMP/second.log"))" \
	grep -q "another xdpi (pid $XDPI_PID) runs on $IF_SRV" "$TMP/second.log"
check "  and the first one's pins are untouched" pinned

# -- block stops a live flow, unblock lets new ones in
run_bg "$NS_CLI" "$TMP/live.log" python3 "$(dirname "$0")/keepalive_client.py" $IP_CLI $IP_SRV 80 0.1 300
LIVE_PID=$BG_PID
check "the live keep-alive flow gets answers" wait_until 10 lines_at_least "^ok" "$TMP/live.log" 5
xctl block $IP_CLI >"$TMP/block.out"
check "ctl block confirms ($(cat "$TMP/block.out"))" grep -q "^block $IP_CLI/32 rule 20 expires never" "$TMP/block.out"
before=$(lines "^ok" "$TMP/live.log")
check "the live flow stops: its next request times out" wait_until 10 lines_at_least "^timeout" "$TMP/live.log" 1
after=$(lines "^ok" "$TMP/live.log")
check "  at most one answer after the block ($before then $after)" [ $((after - before)) -le 1 ]
check "the kernel counted the drops for rule 20" rule_pkts_at_least 20 1
stop_bg "$LIVE_PID"
check "list shows the entry" ctl_says "^$IP_CLI/32 *block rule 20 *expires never" list
check "another source still fetches" fetch $IP_B
xctl unblock $IP_CLI >/dev/null
check "after unblock the source fetches again" fetch $IP_CLI
check "unblocking what is not there says so" ctl_says "no such entry" unblock 198.18.0.77
check "  and fails" fails xctl unblock 198.18.0.77 2>/dev/null

# -- port and protocol rules
check "a port rule given at start is rule 1001" grep -q "rule 1001: drop udp/9999" "$TMP/xdpi.log"
udp9999() { cli bash -c "echo x >/dev/udp/$IP_SRV/9999"; }
udp9999; udp9999
check "  and drops what it says (rule.1001.pkts=$(rule_pkts 1001))" rule_pkts_at_least 1001 2
xctl port-add 'drop tcp/80' >/dev/null
check "ctl port-add 'drop tcp/80' stops fetches" fails fetch $IP_CLI 1
xctl port-add --rule 50 "allow tcp/80 from $IP_B/32" >/dev/null
check "  an allow from one address inside it lets that address fetch" fetch $IP_B
check "  but not the others" fails fetch $IP_CLI 1
check "list shows the port rules" ctl_says "^port drop tcp/80 .*rule 20 .*(IPv4)" list
xctl port-add 'drop tcp/81' 'drop tcp/x' 2>"$TMP/port.err"
check "a bad port rule is refused with its place ($(head -1 "$TMP/port.err"))" grep -q "port-add:1:6: 'tcp/x'\|port-add:1:10: 'x' is not a port" "$TMP/port.err"
check "  and the good one before it was not added" fails ctl_says "tcp/81" list
xctl port-del 'drop tcp/80' "allow tcp/80 from $IP_B/32" >/dev/null
check "port-del removes them: fetches work again" fetch $IP_CLI
check "port-del of what is not there says so" ctl_says "no such rule" port-del 'drop tcp/80'

# -- rate limits changed live
check "limits shows them, the ICMP limit off" ctl_says "^icmp-limit *off" limits
icmp_drops() { xctl stats | awk '$1 == "icmp_flood_drop" { print $2 }'; }
xctl limits --icmp-limit 5 >"$TMP/limits.out"
check "ctl limits --icmp-limit 5 says so ($(grep icmp "$TMP/limits.out"))" grep -q "^icmp-limit *5 packets/s" "$TMP/limits.out"
before=$(icmp_drops)
cli ping -q -c 40 -i 0.01 -W 1 $IP_SRV >"$TMP/ping.out" 2>&1
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$TMP/ping.out")
answered=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping.out")
dropped=$(( $(icmp_drops) - before ))
check "40 pings in 0.4 s meet the limit: some unanswered ($answered of $sent answered)" \
	[ "${sent:-0}" -eq 40 -a "${answered:-40}" -lt 40 ]
check "  sent = answered + dropped by the limit ($sent = $answered + $dropped)" \
	[ "${sent:-0}" -eq $(( ${answered:-0} + dropped )) ]
xctl limits --icmp-limit 0 >/dev/null
pings_answered() { cli ping -q -c 20 -i 0.01 -W 1 $IP_SRV >/dev/null 2>&1; }
check "--icmp-limit 0 turns it off: every ping answered" pings_answered
check "a bad value is refused" usage_error limits --icmp-limit lots

# -- a TTL entry expires on time
xctl block $IP_B --ttl 2 >/dev/null
t0=$SECONDS
check "a --ttl 2 block applies at once" fails fetch $IP_B 1
check "  and the source fetches again once it expired" wait_until 8 fetch $IP_B 1
took=$((SECONDS - t0))
check "  after 2 s, not much later (took ${took}s)" [ $took -ge 2 -a $took -le 5 ]

# -- bad input changes nothing
xctl block 198.18.0.0/33 2>"$TMP/bad.err"
rc=$?
check "a bad CIDR is refused with its place ($(head -1 "$TMP/bad.err"))" \
	grep -q "block:1:12: prefix length over 32" "$TMP/bad.err"
check "  exit status non-zero ($rc)" [ $rc -ne 0 ]
xctl block $IP_B 198.18.0.0/33 2>/dev/null
check "  a bad CIDR after a good one blocks neither" fetch $IP_B
check "an unknown command is a usage error" usage_error frobnicate
check "list with a stray argument is a usage error" usage_error list extra
check "reload of /dev/zero is refused at once, the old entries kept" \
	exits 1 "/dev/zero: larger than 128 MiB" xctl reload --rule 3 /dev/zero

# -- reaching the instance, and a same-named interface in another namespace
check "from the root namespace: reachable elsewhere, exit 4" \
	exits 4 "runs on a same-named interface in network namespace" "$XDPI" ctl -i "$IF_SRV" list
check "  --netns NAME reaches it" exits 0 "" "$XDPI" ctl --netns "$NS_SRV" -i "$IF_SRV" stats
check "unprivileged: not permitted, exit 4" exits 4 "not permitted" \
	in_net "$NS_SRV" setpriv --reuid 65534 --regid 65534 --clear-groups "$XDPI" ctl -i "$IF_SRV" list
check "under ip netns exec (no bpffs there): cannot tell, exit 4, with the way out" \
	exits 4 "nsenter --net" ip netns exec "$NS_SRV" "$XDPI" ctl -i "$IF_SRV" list
NS_TWIN=xdpi-twin-$SUF
ip netns add "$NS_TWIN"
PIN_TWIN=$(pin_dir "$NS_TWIN" "$IF_SRV")
E2E_CLEANUP="rm -rf $PIN_TWIN; ip netns del $NS_TWIN 2>/dev/null"
ip link add "tw$SUF" type veth peer name "tx$SUF"
ip link set "tw$SUF" netns "$NS_TWIN"
ip -n "$NS_TWIN" link set "tw$SUF" name "$IF_SRV"
ip -n "$NS_TWIN" link set "$IF_SRV" up
ip link set "tx$SUF" up
xctl block 198.18.0.250 >/dev/null
run_bg_net "$NS_TWIN" "$TMP/twin.log" "$XDPI" run -i "$IF_SRV" -o /dev/null --stats-interval 0
TWIN_PID=$BG_PID
check "a second xdpi attaches to a same-named interface in another namespace" \
	wait_until 30 grep -q "attached to" "$TMP/twin.log"
check "  with pins of its own ($PIN_TWIN)" [ -e "$PIN_TWIN/instance" -a "$PIN_TWIN" != "$PIN_SRV" ]
check "  the first one's ctl still reaches the first (its entry is there)" ctl_says "^198.18.0.250/32 *block" list
twin_reached() { local out; out=$(in_net "$NS_TWIN" "$XDPI" ctl -i "$IF_SRV" list 2>/dev/null) &&
	! grep -q 198.18.0.250 <<<"$out"; }
check "  the second one's ctl reaches the second (exit 0, without the first's entry)" twin_reached
stop_bg "$TWIN_PID" TERM
check "  the second one removed only its own pins on exit" [ ! -e "$PIN_TWIN" ]
check "  the first one's are intact and reachable" ctl_says "^198.18.0.250/32 *block" list
xctl unblock 198.18.0.250 >/dev/null
ip netns del "$NS_TWIN"

# -- reload a 100k-entry list under traffic
python3 - "$TMP" <<'PY'
import sys
tmp = sys.argv[1]
with open(tmp + "/big1.txt", "w") as f:
    f.write("; 100k entries: 198.19.0.0/16 host by host, IPv6 /128s, and the second client\n")
    for i in range(65536):
        f.write("198.19.%d.%d\n" % (i >> 8, i & 255))
    for i in range(100000 - 65536 - 1):
        f.write("fd00:ff::%x:%x\n" % (i >> 16, i & 0xffff))
    f.write("198.18.0.3\n")
with open(tmp + "/big2.txt", "w") as f:
    for i in range(65536):
        f.write("198.19.%d.%d\n" % (i >> 8, i & 255))
PY
xctl block 198.18.0.200 >/dev/null # rule 20 must survive reloads of rule 5
run_bg "$NS_CLI" "$TMP/loop.log" bash -c "for i in \$(seq 1 400); do curl -s -o /dev/null -w '%{http_code}\n' --max-time 3 --interface $IP_CLI http://$IP_SRV/; done"
LOOP_PID=$BG_PID
wait_until 10 lines_at_least "^200" "$TMP/loop.log" 5
xctl reload --rule 5 "$TMP/big1.txt" >"$TMP/reload1.out" 2>&1
check "reload of 100,000 entries ($(cat "$TMP/reload1.out"))" grep -q "100000 entries (65537 IPv4, 34463 IPv6) block" "$TMP/reload1.out"
check "  the listed client is blocked" fails fetch $IP_B 1
xctl reload --rule 5 "$TMP/big2.txt" >"$TMP/reload2.out" 2>&1
check "the traffic was still running after both reloads" alive "$LOOP_PID"
check "a second reload replaces it: the client is back" fetch $IP_B
wait_gone "$LOOP_PID" 120
total=$(wc -l <"$TMP/loop.log")
ok=$(lines "^200" "$TMP/loop.log")
check "no request lost during both reloads ($ok/$total answered 200)" [ "$ok" -eq 400 ]
n20=$(xctl list --rule 20 2>/dev/null | wc -l)
check "the rule 20 entry survived the reloads ($n20)" [ "$n20" -eq 1 ]
n5=$(xctl list --rule 5 2>/dev/null | wc -l)
check "rule 5 holds exactly the new list ($n5)" [ "$n5" -eq 65536 ]
cache_hits() { xctl stats | awk '$1 == "policy_cache_hit" { print $2 }'; }
check "a list that large turned the verdict cache on (policy_cache_hit=$(cache_hits))" [ "$(cache_hits)" -gt 0 ]
fetch $IP_B; fetch $IP_B # its "no entry" answer is cached now
xctl block $IP_B >/dev/null
check "  a block still applies at once through the cache" fails fetch $IP_B 1
xctl unblock $IP_B >/dev/null
check "  and so does an unblock" fetch $IP_B

# -- bypass a live flow
run_bg "$NS_CLI" "$TMP/bypass.log" python3 "$(dirname "$0")/keepalive_client.py" $IP_B $IP_SRV 80 0.05 60
BYP_PID=$BG_PID
wait_until 10 lines_at_least "^ok" "$TMP/bypass.log" 5
port=$(awk '/^port/ { print $2 }' "$TMP/bypass.log")
xctl bypass tcp $IP_B:$port $IP_SRV:80 >"$TMP/bypass.out" 2>&1
check "ctl bypass names the flow ($(cat "$TMP/bypass.out"))" grep -q "^bypass tcp" "$TMP/bypass.out"
wait_gone "$BYP_PID" 30
check "the bypassed flow kept working (60 answers)" [ "$(lines '^ok' "$TMP/bypass.log")" -eq 60 ]
check "bypassing an unknown flow says so" ctl_says "no such flow" bypass tcp $IP_B:1 $IP_SRV:80
# -- the bypass policy: TLS after its handshake, bulk past 100 kB
cli curl -sfk --http1.1 -o /dev/null --max-time 10 --interface $IP_B "https://$IP_SRV/slow/big.txt"
check "a slow HTTPS download (nginx limit_rate 100k)" [ $? -eq 0 ]
cli curl -sf -o /dev/null --max-time 20 --interface $IP_B "http://$IP_SRV/slow/big.txt"
check "a slow bulk download" [ $? -eq 0 ]
stop_bg "$XDPI_PID" TERM
tlsflow=$(grep '"event_type":"flow"' "$TMP/eve.json" | jq -c 'select(.dest_port == 443 and .app_proto == "tls")' | tail -1)
check "the TLS flow was bypassed after its handshake: $(jq -c '{b: .flow.bypass, s: .xdpi.steer, bypassed: .flow.bypassed.bytes_toclient, all: .flow.bytes_toclient}' <<<"$tlsflow")" \
	jq_ok '.flow.bypass == "capture" and .xdpi.steer == "bypass" and .flow.bypassed.bytes_toclient >= 150000
		and .flow.bytes_toclient >= .flow.bypassed.bytes_toclient' <<<"$tlsflow"
check "  and its tls event was written first" jq_ok -s 'any(.[]; .event_type == "tls")' "$TMP/eve.json"
bulk=$(grep '"event_type":"flow"' "$TMP/eve.json" | jq -c 'select(.dest_port == 80 and .flow.bytes_toclient > 200000)' | tail -1)
check "the slow bulk flow was bypassed past 100 kB: $(jq -c '{b: .flow.bypass, bypassed: .flow.bypassed.bytes_toclient, all: .flow.bytes_toclient}' <<<"$bulk")" \
	jq_ok '.flow.bypass == "capture" and .flow.bypassed.bytes_toclient > 0
		and .flow.bypassed.bytes_toclient < .flow.bytes_toclient' <<<"$bulk"
check "the events validate against Suricata's EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
http=$(grep '"event_type":"http"' "$TMP/eve.json" | jq -c "select(.src_port == $port)" | wc -l)
check "the HTTP parser saw only the requests before the bypass ($http of 60)" [ "$http" -ge 5 -a "$http" -lt 60 ]
flow=$(grep '"event_type":"flow"' "$TMP/eve.json" | jq -c "select(.src_port == $port) | .flow")
check "its flow record counts every packet, bypassed or not ($(jq -c '{pkts_toserver,pkts_toclient}' <<<"$flow"))" \
	jq_ok '.pkts_toserver >= 60 and .pkts_toclient >= 60' <<<"$flow"
check "clean stop removes the pins" not_pinned
check "ctl then says no xdpi runs, exit 3" exits 3 "no xdpi runs on" xctl list

# -- a killed instance's pins are named stale
start_xdpi "$TMP/xdpi2.log" -o /dev/null || { echo "FAIL attach 2"; exit 1; }
stop_bg "$XDPI_PID" KILL
check "after kill -9 ctl names the pins stale, exit 3" exits 3 "is gone (killed?)" xctl list
e2e_done
