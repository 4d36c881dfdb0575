#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Block and allow lists on a live link: nginx behind xdpi with a blocked /24 and an allowed /32
# inside it. The allowed client keeps fetching, the blocked one is dropped in XDP (IPv4 and
# IPv6), the kernel's counters say so, and a bad list stops xdpi before anything attaches.
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
add_client_b
IP_OK=$IP_B
start_nginx || { echo "FAIL nginx"; exit 1; }
blocked_ping() { cli ping -c 3 -i 0.2 -W 1 -I $IP_CLI $IP_SRV >/dev/null 2>&1; }

cat >"$TMP/drop.txt" <<LIST
; Spamhaus-style header: the format of https://www.spamhaus.org/drop/drop.txt
; Last-Modified: lab

198.18.0.0/24 ; SBL-LAB-1
$IP6_CLI/128 ; SBL-LAB-2
LIST
printf '# ours\n%s\n' "$IP_OK" >"$TMP/allow.txt"
printf '198.18.0.0/24\n198.18.0.0/16/3\n' >"$TMP/bad.txt"

"$XDPI" run -i lo --block "$TMP/drop.txt" --block "$TMP/bad.txt" >"$TMP/bad.log" 2>&1
rc=$?
check "a bad list is refused with its place (exit $rc: $(head -1 "$TMP/bad.log"))" \
	grep -q "bad.txt:2:14: prefix length is not a number" "$TMP/bad.log"
check "  and exit status 2" [ $rc -eq 2 ]

start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 \
	--block "$TMP/drop.txt" --allow "$TMP/allow.txt" ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }
check "the lists are reported as loaded" grep -q "rule 1: block 2 entries (1 IPv4, 1 IPv6)" "$TMP/xdpi.log"
ok=0
for i in $(seq 1 10); do
	cli curl -sf -o /dev/null --max-time 5 --interface $IP_OK "http://$IP_SRV/" && ok=$((ok + 1))
done
check "the allowed /32 inside the blocked /24 fetches ($ok/10)" [ $ok -eq 10 ]
check "the blocked source cannot fetch" fails cli curl -sf -o /dev/null --max-time 2 --interface $IP_CLI "http://$IP_SRV/"
check "the blocked source cannot ping" fails blocked_ping
check "the blocked IPv6 source cannot fetch" fails cli curl -sf -o /dev/null --max-time 2 "http://[$IP6_SRV]/"
stop_bg "$XDPI_PID" TERM
k=$(grep '"event_type":"stats"' "$TMP/eve.json" | tail -1 | jq -c '.stats.xdpi.kernel')
drops=$(jq '.policy_drop' <<<"$k")
allows=$(jq '.policy_allow' <<<"$k")
check "the drops are counted in the kernel (policy_drop=$drops)" [ "${drops:-0}" -ge 4 ]
check "the allowed packets are counted (policy_allow=$allows)" [ "${allows:-0}" -ge 50 ]
check "every drop is a drop verdict" jq_ok ".verdict_drop == .policy_drop" <<<"$k"
x=$(grep '"event_type":"stats"' "$TMP/eve.json" | tail -1 | jq -c '.stats.xdpi')
check "rule 1 (the block list) counts every drop: $(jq -c '.rules[0]' <<<"$x")" \
	jq_ok '.rules[0].rule_id == 1 and .rules[0].action == "block" and .rules[0].entries == 2
		and .rules[0].pkts == .kernel.policy_drop' <<<"$x"
check "rule 2 (the allow list) counts every allowed packet" \
	jq_ok '.rules[1].action == "allow" and .rules[1].pkts == .kernel.policy_allow' <<<"$x"
check "no blocked flow reached the flow records" \
	bash -c "! grep '\"event_type\":\"flow\"' '$TMP/eve.json' | grep -q '\"src_ip\":\"$IP_CLI\"'"
check "clean stop: no XDP program left" no_xdp_on_link
check "after stop the blocked source fetches again (fail open)" \
	wait_until 10 cli curl -sf -o /dev/null --max-time 2 --interface $IP_CLI "http://$IP_SRV/"
e2e_done
