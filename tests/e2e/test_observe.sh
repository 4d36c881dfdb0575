#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Observability for the fleet, end to end with real peers in the server's namespace: nginx
# serves an API; a real Prometheus scrapes xdpi's /metrics every second and PromQL over its
# HTTP API returns the per-endpoint series (route templates from a file and from
# identifiers, the cardinality budget's overflow); an error-ratio condition raises an EVE
# alert and a webhook that a real HTTP receiver refuses once (retried) and then accepts,
# firing and later resolved; every event also goes to a redis-server that starts after xdpi
# (the output reconnects and loses nothing: the list ends as long as the EVE file); flows
# are exported as IPFIX to nfcapd and nfdump reads back as many records and packets as the
# flow events carry; an alerted flow's packets land in a pcap that tshark reads.
. "$(dirname "$0")/lib.sh"
e2e_require_root

NGINX_EXTRA='location ~ ^/api/users/[0-9]+$ { return 200 "{}\n"; }
    location /api/orders/ { return 200 "ok\n"; }
    location = /api/fail { return 503; }'
lab_up || { echo "FAIL lab setup"; exit 1; }
start_nginx || { echo "FAIL nginx"; exit 1; }
mkdir -p "$TMP/nf" "$TMP/pcap" "$TMP/prom"

# ---- the peers ----
run_bg "$NS_SRV" "$TMP/nfcapd.log" nfcapd -w "$TMP/nf" -p 4739 -b 127.0.0.1
NFCAPD_PID=$BG_PID
run_bg "$NS_SRV" "$TMP/webhook.log" python3 "$(dirname "$0")/webhook_receiver.py" 127.0.0.1 9470 \
	"$TMP/hooks.jsonl" 1
start_prometheus
printf '# the API as documented\n/api/users/{id}\n' >"$TMP/routes.txt"
echo 'alert http any any -> any any (msg:"xdpi e2e secret path"; flow:to_server; http.uri; content:"/api/secret"; sid:1000001; rev:1;)' \
	>"$TMP/e2e.rules"

# ---- xdpi, with Redis not there yet ----
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 --no-anomaly \
	--metrics 127.0.0.1:9469 --api-routes "$TMP/routes.txt" --api-route-budget 8 \
	--api-alert 'error_ratio > 20% for 5s min 5' --api-webhook http://127.0.0.1:9470/hook \
	--redis redis://127.0.0.1:6390/xdpi-eve --ipfix 127.0.0.1:4739 \
	--pcap-alerts "$TMP/pcap" --rules "$TMP/e2e.rules" ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }

get() { cli curl -s -o /dev/null --max-time 2 "http://$IP_SRV$1"; }
for i in $(seq 1 30); do get "/api/users/$i"; done
for i in $(seq 1 10); do get "/api/orders/$((7000 + i))"; done
for i in $(seq 1 20); do get /api/fail; done
for i in 1 2 3; do get /api/secret; done
# endpoints so far: users, orders, fail, secret; four words more fill the budget of 8
for w in alpha bravo charlie delta echo foxtrot golf hotel india juliett; do get "/api/$w"; done
cli curl -s -o /dev/null --max-time 2 "http://[$IP6_SRV]/api/users/1" # IPv6 flows for IPFIX

Q_USERS='xdpi_api_requests_total{service="198.18.0.2:80",method="GET",route="/api/users/{id}",status_class="2xx"}'
Q_ORDERS='sum(xdpi_api_requests_total{route="/api/orders/{int}"})'
Q_FAIL='xdpi_api_errors_total{route="/api/fail"}'
Q_COUNT='xdpi_api_request_duration_seconds_count{route="/api/users/{id}"}'
Q_P99='histogram_quantile(0.99, sum by (le) (xdpi_api_request_duration_seconds_bucket{route="/api/users/{id}"}))'
Q_OVER='xdpi_api_route_overflow_total{service="198.18.0.2:80"}'
check "Prometheus scrapes xdpi (up == 1)" wait_until 40 prom_is 'up{job="xdpi"}' 1
check "PromQL: $Q_USERS = 30 (a template from --api-routes)" wait_until 20 prom_is "$Q_USERS" 30
check "PromQL: $Q_ORDERS = 10 (automatic {int})" wait_until 10 prom_is "$Q_ORDERS" 10
check "PromQL: $Q_FAIL = 20" wait_until 10 prom_is "$Q_FAIL" 20
check "PromQL: $Q_COUNT = 30" wait_until 10 prom_is "$Q_COUNT" 30
p99=$(promq "$Q_P99")
check "PromQL: $Q_P99 = $p99 s, a latency under 1 s" awk -v v="$p99" 'BEGIN { exit !(v > 0 && v < 1) }'
check "PromQL: $Q_OVER = 6 (six words past the budget of 8 endpoints)" wait_until 10 prom_is "$Q_OVER" 6
check "PromQL: route=\"other\" holds the overflow" \
	prom_is 'sum(xdpi_api_requests_total{route="other"})' 6

dash_exprs_run() { # every query of the shipped Grafana dashboard is valid PromQL and returns
	local e bad=0
	while IFS= read -r e; do
		e=${e//\$service/.*}
		in_net "$NS_SRV" curl -sf --max-time 2 http://127.0.0.1:9090/api/v1/query \
			--data-urlencode "query=$e" | jq -e '.status == "success"' >/dev/null || { echo "  bad: $e"; bad=1; }
	done < <(jq -r '.panels[].targets[].expr' "$(dirname "$0")/../../contrib/grafana/xdpi-dashboard.json")
	return $bad
}
check "the Grafana dashboard's $(jq '[.panels[].targets[]] | length' "$(dirname "$0")/../../contrib/grafana/xdpi-dashboard.json") queries run in Prometheus" dash_exprs_run
# the panel's rate() needs an increase between two scrapes: requests now, then wait for it
p99_panel() { local v; v=$(promq 'histogram_quantile(0.99, sum by (service, route, le) (rate(xdpi_api_request_duration_seconds_bucket[5m])))')
	[ -n "$v" ] && [ "$v" != NaN ]; }
for i in 1 2 3; do get "/api/orders/$((8000 + i))"; done
check "  ... and its API p99 panel has data" wait_until 20 p99_panel

api_alert() { jq_any '.event_type == "alert" and .alert.gid == 9200 and .xdpi.api.route == "/api/fail"' "$TMP/eve.json"; }
check "an EVE alert for the 5xx ratio of GET /api/fail" wait_until 10 api_alert
hook_has() { [ -s "$TMP/hooks.jsonl" ] && jq_any ".status == \"$1\" and .route == \"/api/fail\"" "$TMP/hooks.jsonl"; }
check "the webhook receiver got it after refusing the first POST (retried)" wait_until 15 hook_has firing
check "  ... in $(wc -l <"$TMP/hooks.jsonl.attempts" 2>/dev/null) attempts, as application/json" \
	grep -q '^2 application/json' "$TMP/hooks.jsonl.attempts"
check "the alert resolves once the window is clean, and the webhook says so" wait_until 20 hook_has resolved
jq -c '{status, summary, value, responses, errors}' "$TMP/hooks.jsonl" | sed 's/^/  /'

check "the Redis output counts itself disconnected" wait_until 10 prom_is 'xdpi_output_connected{sink="redis"}' 0
run_bg "$NS_SRV" "$TMP/redis.log" redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no
llen() { ip netns exec "$NS_SRV" redis-cli -p 6390 LLEN xdpi-eve 2>/dev/null; }
redis_has() { [ "$(llen)" -gt 0 ] 2>/dev/null; }
check "Redis starts late: the output reconnects and delivers" wait_until 15 redis_has
check "PromQL: the Redis output is connected again" wait_until 10 prom_is 'xdpi_output_connected{sink="redis"}' 1

pcap_has_secret() {
	tshark -r "$TMP/pcap/alerts.1.pcap" -Y 'http.request.uri contains "/api/secret"' 2>/dev/null | grep -q .
}
check "the alerted flow's packets are in a pcap tshark reads" wait_until 10 pcap_has_secret
grep -E '^(xdpi_api_requests_total\{[^}]*users|xdpi_api_request_duration_seconds_bucket\{[^}]*users[^}]*le="0.005"|xdpi_api_alerts_total|xdpi_output_messages_total\{sink="redis")' \
	<(in_net "$NS_SRV" curl -sf http://127.0.0.1:9469/metrics) | sed 's/^/  /' | head -8

stop_bg "$XDPI_PID" TERM
check "every event (API alerts included) validates against the EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
check "Redis holds every event of the EVE file ($(llen) = $(wc -l <"$TMP/eve.json"))" \
	[ "$(llen)" = "$(wc -l <"$TMP/eve.json")" ]
stop_bg "$NFCAPD_PID" TERM
# a record per direction that carried packets
want=$(jq -rs '[.[] | select(.event_type == "flow") | .flow] |
	"\(map((if .pkts_toserver > 0 then 1 else 0 end) + (if .pkts_toclient > 0 then 1 else 0 end)) | add) records, \(map(.pkts_toserver + .pkts_toclient) | add) packets, \(map(.bytes_toserver + .bytes_toclient) | add) bytes"' "$TMP/eve.json")
# nfdump's csv: ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,...
got=$(nfdump -R "$TMP/nf" -q -o csv 2>/dev/null |
	awk -F, 'NF > 12 && $1 ~ /^[0-9]/ { n++; p += $12; b += $13 } END { printf "%d records, %d packets, %d bytes", n, p, b }')
check "nfdump reads back $got (flow events: $want)" [ "$got" = "$want" ]
check "  ... and more than a handful" [ "${got%% *}" -gt 10 ]
check "  ... IPv6 records among them (template 257)" \
	[ "$(nfdump -R "$TMP/nf" -q -o csv 2>/dev/null | awk -F, '$4 ~ /^fd00:/' | wc -l)" -ge 2 ]
e2e_done
