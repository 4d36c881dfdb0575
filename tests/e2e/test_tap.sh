#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tap mode on a mirror port. The server's link is mirrored (tc mirred, both directions) to a
# veth pair whose far end, in its own namespace, is xdpi's tap port: `xdpi run --tap` takes
# whole packets through AF_XDP, while a host-mode xdpi watches the real link. Real clients
# (curl over HTTP and HTTPS, dig, ping) produce the same HTTP, DNS and TLS events and the same
# flow counts in both, each with two worker threads; the TLS flow is bypassed after its handshake in tap mode too; a
# million-packet SYN flood through the tap loses no UMEM frame (every frame is back with the
# kernel, every redirected packet received or counted lost); teardown leaves no program,
# socket or pin.
. "$(dirname "$0")/lib.sh"
e2e_require_root
command -v hping3 >/dev/null || { echo "FAIL hping3 missing"; exit 1; }

NS_TAP=xdpi-tap-$SUF IF_M=tm$SUF IF_T=tp$SUF
extra_teardown() { rm -rf "${PIN_TAP:-/nonexistent}"; ip netns del "$NS_TAP" 2>/dev/null; }
trap 'extra_teardown; teardown' EXIT

lab_up || { echo "FAIL lab setup"; exit 1; }
start_nginx || { echo "FAIL nginx"; exit 1; }
start_dnsmasq || { echo "FAIL dnsmasq"; exit 1; }
# the mirror: everything the server's interface receives and sends, copied to IF_M -> IF_T
ip netns add "$NS_TAP"
PIN_TAP=$(pin_dir "$NS_TAP" "$IF_T")
ip link add "$IF_M" type veth peer name "$IF_T"
ip link set "$IF_M" netns "$NS_SRV"
ip link set "$IF_T" netns "$NS_TAP"
# the mirror link says nothing of its own (no IPv6 neighbour discovery): the tap sees the
# server's traffic only
ip netns exec "$NS_SRV" sysctl -qw net.ipv6.conf.$IF_M.disable_ipv6=1
ip netns exec "$NS_TAP" sysctl -qw net.ipv6.conf.$IF_T.disable_ipv6=1
ip -n "$NS_SRV" link set "$IF_M" up
ip -n "$NS_TAP" link set "$IF_T" up
ip netns exec "$NS_SRV" tc qdisc add dev "$IF_SRV" clsact
for d in ingress egress; do
	ip netns exec "$NS_SRV" tc filter add dev "$IF_SRV" $d protocol all u32 match u32 0 0 \
		action mirred egress mirror dev "$IF_M"
done

# both with two workers: the ring buffer and the AF_XDP sources feed the same worker model
start_xdpi "$TMP/host.log" -o "$TMP/host.json" --stats-interval 0 --no-anomaly --workers 2 ||
	{ echo "FAIL attach host mode"; cat "$TMP/host.log"; exit 1; }
run_bg_net "$NS_TAP" "$TMP/tap.log" "$XDPI" run -i "$IF_T" --tap -o "$TMP/tap.json" \
	--stats-interval 0 --no-anomaly --workers 2
TAP_PID=$BG_PID
check "tap mode attached with an AF_XDP socket" wait_until 20 grep -q "tap mode: 1 AF_XDP socket" "$TMP/tap.log"
sed 's/^/  /' "$TMP/tap.log"

for i in $(seq 1 5); do
	cli curl -s -o /dev/null --max-time 2 "http://$IP_SRV/?n=$i" || true
	cli dig +short +time=1 +tries=1 @$IP_SRV lab.test A >/dev/null || true
done
cli dig +tcp +short +time=1 +tries=1 @$IP_SRV lab.test TXT >/dev/null || true
# a download slow enough (100 kB/s) that its bypass, decided after the handshake, shows
cli curl -sk -o /dev/null --max-time 10 "https://$IP_SRV/slow/big.txt" || true
cli curl -sk -o /dev/null --max-time 5 --tlsv1.2 --tls-max 1.2 "https://$IP_SRV/" || true
# one client port twice, each connection reset at its end: two connections on one tuple, the
# first bypassed after its handshake. In tap mode the second's SYN comes through AF_XDP, the
# first's last counts (the kernel renewed the entry) through the ring, which is read first.
cli python3 "$(dirname "$0")/reuse_client.py" "$IP_SRV" lab.test 40124 2 | sed 's/^/  reuse: /'
cli ping -c 3 -i 0.2 -W 1 $IP_SRV >/dev/null
# late packets (the last ACKs, a retransmission) still come through the mirror: stop once the
# tap has been quiet for a second and a half, so that the counts compared below are final
redirected_now() { in_net "$NS_TAP" "$XDPI" ctl -i "$IF_T" stats | awk '$1 == "tap_redirected" { print $2 }'; }
quiet() { local a; a=$(redirected_now); sleep 0.5; [ -n "$a" ] && [ "$a" = "$(redirected_now)" ]; }
# ... and the host-mode side as well: both see the same late packets, each at its own time
host_now() { xctl stats | awk '$1 == "pkts" { print $2 }'; }
both_now() { echo "$(redirected_now)/$(host_now)"; }
both_quiet() {
	local a; a=$(both_now)
	case $a in /* | */) return 1 ;; esac # a side that did not answer is not quiet
	sleep 1.5; [ "$a" = "$(both_now)" ] # past a first retransmission's timeout (200 ms up)
}
wait_until 20 both_quiet
# and then the server's link falls silent, so that neither can see a packet the other does not,
# however long each takes to stop: a retransmission late enough (past the quiet wait) reached
# the host-mode side alone once, two packets more in a flow's count to the client (CI).
# Down, the link takes no frame from the client and routes none out of the server.
ip -n "$NS_SRV" link set "$IF_SRV" down
# both told to stop at the same moment: stopping one and waiting for it to exit before telling
# the other left a window in which a late packet (a FIN sent again) reached only the second
# (CI once saw the download at 210 packets in tap mode, 209 in host mode)
kill -TERM "$XDPI_PID" "$TAP_PID" 2>/dev/null
stop_bg "$XDPI_PID" TERM
stop_bg "$TAP_PID" TERM
ip -n "$NS_SRV" link set "$IF_SRV" up
# the same application events, field for field, in both modes
project() { jq -c "select(.event_type==\"$1\") | $2" "$TMP/$3.json" | sort; } # what filter side
same() { # what jq-filter
	local what=$1 f=$2 h t
	h=$(project "$what" "$f" host)
	t=$(project "$what" "$f" tap)
	echo "  $what: host $(echo "$h" | grep -c .), tap $(echo "$t" | grep -c .)"
	[ "$h" = "$t" ] || diff <(echo "$h") <(echo "$t") | sed -n 's/^\([<>]\)/    \1 host<->tap /p' | head -6
	[ -n "$h" ] && [ "$h" = "$t" ]
}
# flows_of_port PORT: both sides' whole flow records of a client port (what a failure shows)
flows_of_port() {
	local side
	for side in host tap; do
		jq -c --argjson p "${1:-0}" "select(.event_type==\"flow\" and .src_port==\$p) | {$side: {app_proto, flow}}" "$TMP/$side.json"
	done | sed 's/^/    /'
}
check "the same HTTP events (url, method, status, user agent)" \
	same http '[.src_ip, .http.url, .http.http_method, .http.status, .http.http_user_agent]'
check "the same DNS events (type, names, answers)" \
	same dns '[.dns.type, .dns.queries, .dns.answers, .dns.rcode]'
check "the same TLS events (versions, JA3, JA4, certificate)" \
	same tls '[.tls.version, .tls.ja3.hash, .tls.ja4, .tls.ja3s.hash, .tls.subject]'
# the lab's own flows (link-local neighbour discovery comes and goes with timing)
LAB='select(.src_ip | startswith("198.18.") or startswith("fd00:"))'
check "the same flows with the same packet and byte counts to the server" \
	same flow "$LAB | [.proto, .src_ip, .src_port, .dest_ip, .dest_port, .flow.pkts_toserver, .flow.bytes_toserver]"
# Towards the client, host mode's TC egress sees the server's TSO super-packets (one skb for
# many wire packets) and counts each as the segments it becomes; the mirror port sees the
# wire itself: the same counts for every flow, the bulk download included.
TOCLIENT="$LAB | [.proto, .src_ip, .src_port, .flow.pkts_toclient, .flow.bytes_toclient]"
check "the same counts to the client, the TSO download included" same flow "$TOCLIENT"
[ "$(project flow "$TOCLIENT" host)" = "$(project flow "$TOCLIENT" tap)" ] ||
	flows_of_port "$(comm -3 <(project flow "$TOCLIENT" host) <(project flow "$TOCLIENT" tap) | head -1 | jq '.[2]')"
tso() { jq -s "[.[] | select(.event_type==\"flow\" and .dest_port==443) | .flow.pkts_toclient] | max" "$1"; }
echo "  the download: tap $(tso "$TMP/tap.json") wire packets, host $(tso "$TMP/host.json")"
check "the TLS download was bypassed after its handshake in tap mode too" \
	jq_ok -s '[.[] | select(.event_type=="flow" and .dest_port==443 and .flow.bypassed.pkts_toclient > 100)] | length >= 1' "$TMP/tap.json"
T=$(grep '"event_type":"stats"' "$TMP/tap.json" | tail -1)
k() { echo "$T" | jq ".stats.xdpi.kernel.$1"; }
a() { echo "$T" | jq ".stats.xdpi.afxdp.$1"; }
echo "  tap kernel: pkts $(k pkts) redirected $(k tap_redirected) not_steered $(k tap_not_steered) no_socket $(k tap_no_socket)"
check "bypassed packets were counted and not redirected (tap_not_steered $(k tap_not_steered))" [ "$(k tap_not_steered)" -ge 100 ]
check "every redirected packet reached user space ($(a received) of $(k tap_redirected))" [ "$(a received)" -eq "$(k tap_redirected)" ]
check "tap mode never touches the ring buffer for packets (only a renewed flow's old counts)" \
	[ "$(echo "$T" | jq '.stats.xdpi.ringbuf | .records - .flow_ended_records')" -eq 0 ]
reused() { jq_ok -s '[.[] | select(.event_type=="flow" and .src_port==40124)] | length == 2 and any(.flow.reason=="tcp_reuse")' "$1"; }
check "one tuple twice: two records in tap mode, as in host mode" reused "$TMP/tap.json"
check "... in host mode" reused "$TMP/host.json"

# a million packets through the tap: no frame leaks
run_bg_net "$NS_TAP" "$TMP/tap2.log" "$XDPI" run -i "$IF_T" --tap -o "$TMP/tap2.json" \
	--stats-interval 0 --no-anomaly --max-flows 2000000 --flow-timeout 5
TAP_PID=$BG_PID
wait_until 20 grep -q "tap mode" "$TMP/tap2.log"
cli timeout 60 hping3 -q -S -p 81 -i u1 -c 1000000 $IP_SRV >/dev/null 2>&1 || true
check "the tap went quiet after the flood" wait_until 20 quiet
stop_bg "$TAP_PID" TERM
T=$(grep '"event_type":"stats"' "$TMP/tap2.json" | tail -1)
echo "  afxdp: $(echo "$T" | jq -c .stats.xdpi.afxdp)"
echo "  kernel: pkts $(k pkts) redirected $(k tap_redirected) no_socket $(k tap_no_socket)"
# (the flood and its RSTs are 2M frames; what a loaded machine cannot take is rx_dropped, and
# the accounting check below holds either way: the volume here only has to be large)
check "half a million packets and more went through the tap ($(a received) received)" [ "$(a received)" -ge 500000 ]
check "every UMEM frame is back with the kernel ($(a frames_in_kernel) + $(a frames_stashed) of $(a umem_frames))" \
	[ "$(($(a frames_in_kernel) + $(a frames_stashed)))" -eq "$(a umem_frames)" ]
check "redirected $(k tap_redirected) = received + every counted loss (rx_dropped $(a rx_dropped), rx_ring_full $(a rx_ring_full), invalid $(a rx_invalid_descs))" \
	[ "$(k tap_redirected)" -eq "$(($(a received) + $(a rx_dropped) + $(a rx_ring_full) + $(a rx_invalid_descs)))" ]

xdp_on_tap() { ip -n "$NS_TAP" link show dev "$IF_T" | grep -q prog/xdp; }
check "no XDP program left on the tap port" fails xdp_on_tap
check "no AF_XDP socket left" [ -z "$(ip netns exec "$NS_TAP" ss -a --xdp 2>/dev/null | tail -n +2)" ]
check "no pin left" [ ! -e "$PIN_TAP" ]
check "every event validates against Suricata's EVE schema" \
	python3 "$(dirname "$0")/../schema/validate.py" "$TMP/tap.json" "$TMP/host.json"
e2e_done
