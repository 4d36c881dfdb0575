#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --xdp-mode tc: the ingress pipeline attached at TC ingress (tcx) instead of XDP. Real nginx
# and curl: xdpi reports the requests nginx logged, counts the flows, a block from `xdpi ctl`
# drops the client at TC ingress (counted under its rule, a drop sample names the hook), and
# a clean stop leaves no program and no pin. A second xdpi on the link is refused, --persist
# leaves the TC ingress link in place until its pins go, and the modes that need XDP are
# refused.
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
start_nginx || { echo "FAIL nginx"; cat "$TMP/nginx/error.log"; exit 1; }

"$XDPI" run -i "$IF_CLI" --xdp-mode tc --tap >"$TMP/usage.log" 2>&1
rc=$?
check "--xdp-mode tc with --tap is a usage error ($(head -1 "$TMP/usage.log"))" \
	grep -q -- "--xdp-mode tc cannot go with --tap" "$TMP/usage.log"
check "  exit status 2 ($rc)" [ $rc -eq 2 ]

http_log_start=$(wc -l <"$TMP/nginx/access.log")
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --xdp-mode tc --flow-timeout 2 --stats-interval 1 ||
	{ echo "FAIL xdpi did not attach"; cat "$TMP/xdpi.log"; exit 1; }
check "it says where it attached ($(grep -o 'attached to.*' "$TMP/xdpi.log"))" \
	grep -q "attached to $IF_SRV (xdp off: tc ingress (tcx), tc egress tcx)" "$TMP/xdpi.log"
check "no XDP program on the link" no_xdp_on_link
check "tc_ingress attached (tcx)" tc_on_link tc_ingress
check "tc_egress attached (tcx)" tc_on_link tc_egress
ctl_reaches() { xctl stats >/dev/null; }
check "xdpi ctl reaches it (its pins belong to a running program)" ctl_reaches
# an XDP attach would not fail beside it, nor would a second tcx program: the pins decide
in_net "$NS_SRV" "$XDPI" run -i "$IF_SRV" -o /dev/null --duration 1 >"$TMP/second.log" 2>&1
check "a second xdpi (XDP) is refused naming the first ($(grep -m1 -o 'another xdpi.*' "$TMP/second.log"))" \
	grep -q "another xdpi (pid [0-9]*) runs on $IF_SRV" "$TMP/second.log"
check "  and attached nothing" no_xdp_on_link

for i in 1 2 3; do cli curl -sf -o /dev/null --max-time 5 "http://$IP_SRV/?tc=$i"; done
cli curl -sf -o /dev/null --max-time 5 "http://$IP_SRV/index.html" -o /dev/null "http://$IP_SRV/big.txt"
wait_until 10 bash -c "[ \$(grep -c '\"event_type\":\"http\"' '$TMP/eve.json') -ge 5 ]"
http_x=$(jq -r 'select(.event_type=="http") | "\(.http.http_method) \(.http.url) \(.http.status)"' "$TMP/eve.json" | sort)
http_n=$(tail -n +$((http_log_start + 1)) "$TMP/nginx/access.log" | awk '{ print $6, $7, $9 }' | tr -d '"' | sort)
echo "  HTTP seen at TC ingress: $(echo "$http_x" | tr '\n' ';')"
same_http() { [ -n "$http_x" ] && [ "$http_x" = "$http_n" ]; }
check "xdpi's HTTP transactions are the ones nginx logged" same_http

xctl block $IP_CLI >"$TMP/block.out"
check "ctl block confirms ($(cat "$TMP/block.out"))" grep -q "^block $IP_CLI/32 rule" "$TMP/block.out"
check "the blocked client cannot fetch" fails cli curl -sf -o /dev/null --max-time 2 "http://$IP_SRV/"
rule=$(awk '{ print $4 }' "$TMP/block.out")
dropped() { [ "$(rule_pkts "$rule")" -gt 0 ] 2>/dev/null; }
check "its drops are counted under rule $rule ($(rule_pkts "$rule"))" wait_until 5 dropped
xctl unblock $IP_CLI >/dev/null
check "unblocked, it fetches again" cli curl -sf -o /dev/null --max-time 5 "http://$IP_SRV/"

wait_until 15 bash -c "[ \$(grep -c '\"event_type\":\"flow\"' '$TMP/eve.json') -ge 4 ]"
stop_bg "$XDPI_PID" TERM
check "xdpi exits 0 on SIGTERM" [ $? -eq 0 ]
check "a drop sample names the hook" jq_ok -s \
	'map(select(.event_type=="drop" and .xdpi.hook=="tc_ingress")) | length >= 1' "$TMP/eve.json"
check "flow records count both directions" jq_ok -s \
	'map(select(.event_type=="flow" and .dest_port==80 and .flow.pkts_toserver > 0 and .flow.pkts_toclient > 0)) | length >= 4' "$TMP/eve.json"
last=$(grep '"event_type":"stats"' "$TMP/eve.json" | tail -1 | jq -c '.stats.xdpi.kernel')
check "stats: no ring buffer loss, every drop a policy drop" \
	jq_ok '.loss_ringbuf_full == 0 and .verdict_drop == .policy_drop and .policy_drop > 0' <<<"$last"
not_tc_ingress() { ! tc_on_link tc_ingress; }
check "clean stop: no tc_ingress left" not_tc_ingress
check "clean stop: no tc_egress left" no_tc_on_link
check "clean stop: no pins left" not_pinned

# --persist: the TC ingress link outlives xdpi, a second xdpi is refused, the pins remove it
start_xdpi "$TMP/xdpi2.log" -o /dev/null --persist --xdp-mode tc ||
	{ echo "FAIL attach (--persist)"; cat "$TMP/xdpi2.log"; exit 1; }
stop_bg "$XDPI_PID" TERM
check "--persist: tc_ingress stays after xdpi exits" tc_on_link tc_ingress
xctl block $IP_CLI >/dev/null
check "  xdpi ctl still blocks at TC ingress" fails cli curl -sf -o /dev/null --max-time 2 "http://$IP_SRV/"
in_net "$NS_SRV" "$XDPI" run -i "$IF_SRV" -o /dev/null --duration 1 >"$TMP/third.log" 2>&1
check "  a second xdpi is refused with the way out" grep -q "a persistent xdpi (--persist" "$TMP/third.log"
rm -r "$PIN_SRV"
check "  removing the pins detaches it" wait_until 5 not_tc_ingress
check "  and the client fetches again" cli curl -sf -o /dev/null --max-time 5 "http://$IP_SRV/"
e2e_done
