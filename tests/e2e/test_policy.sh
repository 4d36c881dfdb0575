#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Block and allow lists on a live link: nginx behind xdpi with a blocked /24 and an allowed /32
# inside it. The allowed client keeps fetching, the blocked one is dropped in XDP (IPv4 and
# IPv6), the kernel's counters say so, and a bad list stops xdpi before anything attaches. At
# TC egress, the host's own pings meet a per-destination ICMP limit and a port rule drops what
# a local service port sends.
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

# -- at TC egress: what the host itself sends. A per-destination ICMP limit on its pings, and a
# port rule on a local service port (the source port of what it sends), live.
start_xdpi "$TMP/xdpi2.log" -o "$TMP/eve2.json" --stats-interval 0 --egress-icmp-limit 5 \
	--port-rule 'drop udp/5353' ||
	{ echo "FAIL attach (egress)"; cat "$TMP/xdpi2.log"; exit 1; }
in_echos() { ip netns exec "$NS_CLI" nstat -az IcmpInEchos | awk '$1 == "IcmpInEchos" { print $2 }'; }
echos0=$(in_echos)
# 40 echo requests from a raw socket as fast as it goes (ping would see ENOBUFS for each one
# dropped and retry it: back-pressure on a local sender rather than loss)
in_net "$NS_SRV" python3 -c '
import socket, struct
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
for seq in range(40):
    h = struct.pack("!BBHHH", 8, 0, 0, 77, seq) + b"xdpi-egress-limit!"
    s.sendto(h[:2] + struct.pack("!H", csum(h)) + h[4:], ("'"$IP_CLI"'", 0))'
shot=$(rule_pkts 36)
arrived_all() { [ $(( $(in_echos) - echos0 + ${shot:-0} )) -eq 40 ]; }
wait_until 5 arrived_all
arrived=$(( $(in_echos) - echos0 ))
check "the host's own pings meet --egress-icmp-limit 5 ($arrived of 40 arrived)" \
	[ "$arrived" -gt 0 -a "$arrived" -lt 40 ]
check "  40 sent = $arrived arrived + $shot dropped at egress under rule 36" \
	[ $(( arrived + ${shot:-0} )) -eq 40 ]
cli python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9999)); s.settimeout(2)
got = {}
try:
    while True:
        _, (ip, port) = s.recvfrom(64); got[port] = got.get(port, 0) + 1
except socket.timeout:
    pass
print(got.get(5353, 0), got.get(5354, 0))' >"$TMP/udp.out" &
RECV_PID=$!
wait_until 5 bash -c "ip netns exec $NS_CLI ss -lun | grep -q ':9999 '"
for sport in 5353 5354; do
	in_net "$NS_SRV" python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$IP_SRV', $sport))
for _ in range(10): s.sendto(b'x', ('$IP_CLI', 9999))"
done
wait "$RECV_PID"
read -r from_5353 from_5354 <"$TMP/udp.out"
check "a port rule drops what the local service port sends (udp/5353: $from_5353 of 10 arrived)" \
	[ "${from_5353:-1}" -eq 0 ]
check "  and not what another port sends (udp/5354: $from_5354 of 10)" [ "${from_5354:-0}" -eq 10 ]
check "  the kernel counted the ten at egress (port_rule_drop)" \
	[ "$(xctl stats | awk '$1 == "port_rule_drop" { print $2 }')" -eq 10 ]
stop_bg "$XDPI_PID" TERM
e2e_done
