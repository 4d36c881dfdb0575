#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Floods and a scan against nginx behind xdpi, while a legitimate client in another namespace
# keeps fetching: an hping3 SYN flood and an nmap SYN scan trip the SYN flood defence (their
# sources are blocked in the kernel's trie and their packets dropped in XDP), an hping3 ICMP
# flood hits the ICMP limit, every legitimate request succeeds, and the drops reach the EVE
# output as sampled `drop` events that validate against Suricata's schema; the anomaly
# detector explains the flood (rate against baseline, top sources; the scan never reaches
# user space: the SYN defence drops it in XDP first).
. "$(dirname "$0")/lib.sh"
e2e_require_root
command -v hping3 >/dev/null && command -v nmap >/dev/null || { echo "FAIL hping3/nmap missing"; exit 1; }

NS_GOOD=xdpi-good-$SUF
IP_FLOOD=$IP_CLI IP_PING=198.18.0.3 IP_SCAN=198.18.0.4 IP_GOOD=198.18.1.2
extra_teardown() { ip netns del "$NS_GOOD" 2>/dev/null; }
trap 'extra_teardown; teardown' EXIT

lab_up || { echo "FAIL lab setup"; exit 1; }
# the good client sits one hop behind the attackers' namespace, on the same xdpi link
ip netns add "$NS_GOOD"
ip link add gd$SUF type veth peer name gc$SUF
ip link set gd$SUF netns "$NS_GOOD"
ip link set gc$SUF netns "$NS_CLI"
ip -n "$NS_GOOD" addr add $IP_GOOD/24 dev gd$SUF
ip -n "$NS_CLI" addr add 198.18.1.1/24 dev gc$SUF
ip -n "$NS_CLI" addr add $IP_PING/24 dev "$IF_CLI"
ip -n "$NS_CLI" addr add $IP_SCAN/24 dev "$IF_CLI"
ip -n "$NS_GOOD" link set gd$SUF up
ip -n "$NS_GOOD" link set lo up
ip -n "$NS_CLI" link set gc$SUF up
ip -n "$NS_GOOD" route add default via 198.18.1.1
ip netns exec "$NS_CLI" sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_SRV" route add 198.18.1.0/24 via $IP_CLI
start_nginx || { echo "FAIL nginx"; exit 1; }
good() { ip netns exec "$NS_GOOD" "$@"; }
check "the good client reaches nginx through the attackers' namespace" \
	wait_until 10 good curl -sf -o /dev/null --max-time 2 "http://$IP_SRV/"

# The kernel's SYN defence blocks the flooder once its target passes 200 SYN/s, so user space
# sees about that many of its flows: the detector's floor (syn_min) sits below, not at it.
start_xdpi "$TMP/xdpi.log" -o "$TMP/eve.json" --stats-interval 0 \
	--syn-dst-rate 200 --syn-src-rate 20 --syn-block 120 --icmp-limit 20 --drop-samples 50 \
	--anomaly syn_min=50 ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }

run_bg "$NS_GOOD" "$TMP/good.log" bash -c "for i in \$(seq 1 60); do curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 http://$IP_SRV/; sleep 0.1; done"
GOOD_PID=$BG_PID
run_bg "$NS_CLI" "$TMP/flood.log" timeout 6 hping3 -q -S -p 80 --flood -c 2000000 -a $IP_FLOOD $IP_SRV
FLOOD_PID=$BG_PID
run_bg "$NS_CLI" "$TMP/ping.log" timeout 6 hping3 -q -1 --flood -c 2000000 -a $IP_PING $IP_SRV
PING_PID=$BG_PID
run_bg "$NS_CLI" "$TMP/nmap.log" timeout 30 nmap -n -Pn -sS -T4 --max-retries 0 --host-timeout 15s -p 1-3000 -S $IP_SCAN -e "$IF_CLI" $IP_SRV
SCAN_PID=$BG_PID
wait_gone "$FLOOD_PID" 20; wait_gone "$PING_PID" 20; wait_gone "$SCAN_PID" 40; wait_gone "$GOOD_PID" 60
ok=$(grep -c '^200' "$TMP/good.log")
check "every legitimate request succeeded during the floods and the scan ($ok/60)" [ "$ok" -eq 60 ]
xctl list >"$TMP/list.txt" 2>/dev/null; sed "s/^/  list: /" "$TMP/list.txt"
check "the SYN flooder is blocked by the defence (rule 32)" grep -q "^$IP_FLOOD/32 *block rule 32 *expires in" "$TMP/list.txt"
check "the scanner is blocked too" grep -q "^$IP_SCAN/32 *block rule 32" "$TMP/list.txt"
check "the good client is not" fails grep -q "^$IP_GOOD/" "$TMP/list.txt"
xctl stats >"$TMP/stats.txt"
stat() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/stats.txt"; }
echo "  kernel: $(grep -E '^(pkts|verdict_drop|policy_drop|syn_flood_drop|syn_flood_sources_blocked|icmp_flood_drop|drop_sampled|drop_not_sampled) ' "$TMP/stats.txt" | tr '\n' ' ')"
check "the flood was dropped in XDP (verdict_drop=$(stat verdict_drop) of pkts=$(stat pkts))" \
	[ "$(stat verdict_drop)" -ge 10000 ]
check "  most of it by the block entries (policy_drop=$(stat policy_drop))" [ "$(stat policy_drop)" -ge 10000 ]
check "the SYN defence dropped and blocked (syn_flood_drop=$(stat syn_flood_drop), blocked=$(stat syn_flood_sources_blocked))" \
	[ "$(stat syn_flood_drop)" -ge 2 -a "$(stat syn_flood_sources_blocked)" -ge 2 ]
check "the ICMP flood hit its limit (icmp_flood_drop=$(stat icmp_flood_drop))" [ "$(stat icmp_flood_drop)" -ge 1000 ]
check "rule 32 counts the SYN defence's drops and its blocks" [ "$(stat rule.32.pkts)" -ge "$(stat syn_flood_drop)" ]
check "every drop has one reason: verdict_drop = policy + port + rate + syn + icmp drops" \
	[ "$(stat verdict_drop)" -eq $(( $(stat policy_drop) + $(stat port_rule_drop) + $(stat rate_drop_pkts) + \
		$(stat rate_drop_bytes) + $(stat syn_flood_drop) + $(stat icmp_flood_drop) )) ]
check "rule 33 counts the ICMP drops" [ "$(stat rule.33.pkts)" -eq "$(stat icmp_flood_drop)" ]
check "drops are sampled, not all copied (sampled=$(stat drop_sampled), not=$(stat drop_not_sampled))" \
	[ "$(stat drop_sampled)" -ge 10 -a "$(stat drop_not_sampled)" -ge 10000 ]
stop_bg "$XDPI_PID" TERM
grep '"event_type":"drop"' "$TMP/eve.json" >"$TMP/drops.json"
nd=$(wc -l <"$TMP/drops.json")
check "drop events in the EVE output ($nd)" [ "$nd" -ge 10 ]
check "  one names the flooder, rule 32, reason syn_flood or policy" \
	jq_ok -s "any(.[]; .src_ip == \"$IP_FLOOD\" and .xdpi.rule_id == 32 and .drop.syn == true)" "$TMP/drops.json"
check "  one names the ICMP flooder, rule 33, reason icmp_flood" \
	jq_ok -s "any(.[]; .src_ip == \"$IP_PING\" and .xdpi.rule_id == 33 and .drop.reason == \"icmp_flood\")" "$TMP/drops.json"
check "  none names the good client" fails grep -q "\"src_ip\":\"$IP_GOOD\"" "$TMP/drops.json"
check "  drop events match tshark-free counts: as many as drop_records" \
	jq_ok ".stats.xdpi.ringbuf.drop_records == $nd" <(grep '"event_type":"stats"' "$TMP/eve.json" | tail -1)
grep '"event_type":"alert"' "$TMP/eve.json" >"$TMP/alerts.json" || true
jq -r '"  alert \(.alert.signature_id) \(.src_ip // "-") -> \(.dest_ip // "-") \(.alert.signature)"' "$TMP/alerts.json" | sort | uniq -c
check "the SYN flood detector alerted once, on nginx's port 80, naming the flooder first" \
	jq_ok -s "[.[] | select(.alert.signature_id == 9000003)] | length == 1 and .[0].dest_ip == \"$IP_SRV\" and .[0].dest_port == 80 and .[0].xdpi.anomaly.top_sources[0].ip == \"$IP_FLOOD\" and .[0].xdpi.anomaly.new_flows_per_s >= 50" "$TMP/alerts.json"
check "no alert blames the good client" fails grep -q "\"src_ip\":\"$IP_GOOD\"" "$TMP/alerts.json"
check "every event validates against Suricata's EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/eve.json"
e2e_done
