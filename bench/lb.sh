#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The balancer's figures (root). First ns/packet through BPF_PROG_TEST_RUN (build/bench/lb_ns:
# established and new connections, one and 65,536 walked, a million in the table, against
# xdpi's own pass path). Then live frames on a veth pair: the generator (BPF_PROG_RUN live
# frames, 64-byte SYNs over NFLOWS connections, each a new connection) sends to a VIP; xdpi
# --lb wraps each for its backend and sends it back out (XDP_TX) to the generator's side,
# where an XDP_DROP program counts what arrives. Every row checks its accounts: frames sent =
# the balancer's tx counter = frames arriving back. The ceiling (XDP_DROP on the balancer's
# link) and xdpi without a service are in the same run. IPVS (ipvsadm, scheduler mh) would be
# the peer on the same topology: the row says why it is missing when this kernel has no ip_vs.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/e2e/lib.sh"
GEN=$HERE/../build/bench/xdp_gen
SECS=${SECS:-3}
NFLOWS=${NFLOWS:-4096}
[ "$(id -u)" = 0 ] || { echo "# balancer: needs root"; exit 0; }
"$HERE/../build/bench/lb_ns" "${REPEAT:-2000000}" 2>/dev/null
echo
lab_up || { echo "lab setup failed"; exit 1; }
# the backends lie behind the generator's side: the wrapped frames go back out of the link
ip -n "$NS_SRV" route add 198.18.30.0/24 via $IP_CLI
ip netns exec "$NS_SRV" sysctl -qw net.ipv4.conf.all.forwarding=1 # bpf_fib_lookup asks it
# the generator's side drops everything arriving, ARP too: its address is written down
ip -n "$NS_SRV" neigh replace $IP_CLI dev "$IF_SRV" nud permanent \
	lladdr "$(ip -n "$NS_CLI" -j link show "$IF_CLI" | jq -r '.[0].address')"
cat >"$TMP/lb.conf" <<CONF
outer-source 198.18.21.0/24
service web $IP_SRV:80
  backend 198.18.30.11
  backend 198.18.30.12
  backend 198.18.30.13 weight 2
CONF
xdp_drops() { ip netns exec "$1" ethtool -S "$2" | awk '/rx_queue_[0-9]+_xdp_drops/ { n += $2 } END { print n + 0 }'; }
svc_tx() { xctl lb | sed -n 's/^service .* tx=\([0-9]*\) .*/\1/p'; }

# rate LABEL BALANCED: SECS s of SYNs; sent Mpps, and (BALANCED) forwarded Mpps with the
# accounts: sent = tx = arrived back
rate() {
	local out sent t tx0 tx back0 back ok=""
	tx0=$([ "$2" = 1 ] && svc_tx || echo 0)
	back0=$(xdp_drops "$NS_CLI" "$IF_CLI")
	out=$(in_net "$NS_CLI" "$GEN" send "$IF_CLI" "$SECS" $IP_CLI "$NFLOWS" restore) # sent N in T s
	sent=$(awk '{ print $2 }' <<<"$out")
	t=$(awk '{ print $5 }' <<<"$out")
	if [ "$2" = 1 ]; then
		wait_until 2 test "$(xdp_drops "$NS_CLI" "$IF_CLI")" -ge $((back0 + sent))
		tx=$(( $(svc_tx) - tx0 ))
		back=$(( $(xdp_drops "$NS_CLI" "$IF_CLI") - back0 ))
		[ "$tx" -eq "$sent" ] && [ "$back" -eq "$sent" ] && ok="sent = tx = back" ||
			ok="MISMATCH: sent $sent, tx $tx, back $back"
		awk -v l="$1" -v s="$sent" -v t="$t" -v f="$tx" -v ok="$ok" \
			'BEGIN { printf "%-40s %10.2f %12.2f  %s\n", l, s / t / 1e6, f / t / 1e6, ok }'
	else
		awk -v l="$1" -v s="$sent" -v t="$t" 'BEGIN { printf "%-40s %10.2f %12s\n", l, s / t / 1e6, "-" }'
	fi
}

echo "# balancer on veth, $SECS s per row, 64-byte SYNs over $NFLOWS connections (each a new one)"
printf '%-40s %10s %12s\n' "receiver" "sent_Mpps" "forward_Mpps"
# what comes back to the generator's side is counted and dropped there
run_bg_net "$NS_CLI" "$TMP/back.log" "$GEN" drop "$IF_CLI"
BACK_PID=$BG_PID
wait_until 10 grep -q attached "$TMP/back.log" || { echo "no XDP program on the generator's side"; exit 1; }
run_bg_net "$NS_SRV" "$TMP/drop.log" "$GEN" drop "$IF_SRV"
wait_until 10 grep -q attached "$TMP/drop.log" && rate "xdp_drop_all on the link (ceiling)" 0
stop_bg "$BG_PID"
start_xdpi "$TMP/x0.log" -o /dev/null --steer pass && rate "xdpi, no service (pass path)" 0
stop_bg "$XDPI_PID"
start_xdpi "$TMP/x1.log" -o /dev/null --steer pass --lb "$TMP/lb.conf" &&
	rate "xdpi --lb (Maglev pick, IPIP, XDP_TX)" 1
stop_bg "$XDPI_PID"
stop_bg "$BACK_PID"
if ! command -v ipvsadm >/dev/null || ! ip netns exec "$NS_SRV" ipvsadm -Ln >/dev/null 2>&1; then
	echo "IPVS (ipvsadm, mh): not measured: $(command -v ipvsadm >/dev/null &&
		echo "this kernel has no ip_vs ($(uname -r))" || echo "ipvsadm is not installed")"
fi
