#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The efficiency case, in one run (root): the same traffic pushed at a veth pair for each
# receiver in turn — tcpdump -w /dev/null, ndpiReader (libpcap, full analysis), xdpi in host
# mode (msg steering, the default, and head, at XDP and with --xdp-mode tc at TC ingress) and
# xdpi in tap mode (AF_XDP) — and for each: packets the receiver
# saw, packets it lost, and CPU seconds per million packets offered (the receiver process
# alone, and the whole machine, which also pays for the kernel's receive path). Two mixes:
#   flood  BPF_PROG_RUN live frames (build/bench/xdp_gen): 64-byte SYNs over 4096 flows at the
#          highest rate the generator reaches here;
#   corpus tcpreplay --topspeed of the corpus' Ethernet captures, addresses rewritten into
#          198.18.0.0/15 and fd00::/8 (xdp_gen rewrite), COPIES times over, each copy with
#          addresses of its own: new flows throughout, as on a live link (one capture looped
#          would bring the same flows back, and a steering done with a flow in the first
#          pass would copy nothing in the next ones).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/e2e/lib.sh"
GEN=$HERE/../build/bench/xdp_gen
SECS=${SECS:-4}
COPIES=${COPIES:-20}
CORPUS=${CORPUS:-$HERE/../../shared/corpus}
[ "$(id -u)" = 0 ] || { echo "# efficiency: needs root"; exit 0; }
command -v tcpreplay >/dev/null || { echo "# efficiency: tcpreplay missing"; exit 0; }
lab_up || { echo "lab setup failed"; exit 1; }
ip -n "$NS_SRV" link set "$IF_SRV" promisc on
# veth takes XDP-transmitted frames only with its NAPI on (GRO, or an XDP program): GRO lets
# the live frames reach the stack and the pcap tools too
ip netns exec "$NS_SRV" ethtool -K "$IF_SRV" gro on >/dev/null

mapfile -t eth < <(awk -F'\t' 'NR > 1 && $3 == "ether" { print $1 }' "$CORPUS/SUMMARY.tsv")
"$GEN" rewrite "$TMP/mix.pcap" "${eth[@]/#/$CORPUS/}" >/dev/null || exit 1 # one pass, for L7
"$GEN" rewrite -c "$COPIES" "$TMP/mixn.pcap" "${eth[@]/#/$CORPUS/}" >/dev/null || exit 1

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; } # all CPUs, ticks
HZ=$(getconf CLK_TCK)

# offer MIX: sends it; prints the packets offered
offer() {
	case $1 in
	flood) in_net "$NS_CLI" "$GEN" send "$IF_CLI" "$SECS" 198.18.0.1 4096 | awk '{ print $2 }' ;;
	corpus) ip netns exec "$NS_CLI" tcpreplay -q --topspeed -i "$IF_CLI" \
			"$TMP/mixn.pcap" 2>&1 | awk '/Actual:/ { print $2; exit }' ;;
	esac
}

# measure MIX NAME PID: offers MIX while PID (the receiver) runs; sets OFFERED, CPU_PROC, CPU_ALL
# frames veth could not hand to the receiver (the sender's XDP transmit errors: the peer's
# ring full), which no receiver can count
veth_lost() {
	in_net "$NS_CLI" ethtool -S "$IF_CLI" | awk '/xdp_xmit_errors/ { n += $2 } END { print n + 0 }'
}

measure() {
	local t0 b0 v0
	t0=$(ticks "$3")
	b0=$(busy)
	v0=$(veth_lost)
	OFFERED=$(offer "$1")
	sleep 1 # the receiver drains what is queued
	CPU_PROC=$(( $(ticks "$3") - t0 ))
	CPU_ALL=$(( $(busy) - b0 ))
	VETH_LOST=$(( $(veth_lost) - v0 ))
}

row() { # mix name counted to_user lost
	python3 - "$@" "$OFFERED" "$CPU_PROC" "$CPU_ALL" "$HZ" <<'PY'
import sys
mix, name, counted, user, lost, offered, proc, allc, hz = sys.argv[1:]
counted, user, lost = int(counted or 0), int(user or 0), int(lost or 0)
offered, proc, allc, hz = max(int(offered or 0), 1), int(proc), int(allc), int(hz)
m = offered / 1e6
print(f"{mix:7} {name:26} {offered:>10} {counted:>10} {user:>10} {lost:>9} {proc / hz / m:9.3f} {allc / hz / m:9.3f}")
PY
	[ "${VETH_LOST:-0}" -gt 0 ] && echo "#   of the offered, $VETH_LOST never reached the receiver: veth's XDP transmit errors at the sender"
	return 0
}

stat_of() { grep '"event_type":"stats"' "$1" | tail -1; }

echo "# efficiency on veth, $(nproc) CPUs; flood: ${SECS} s of live frames; corpus: tcpreplay --topspeed of $COPIES copies (new addresses each) of $(capinfos -c -M "$TMP/mix.pcap" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }') frames"
printf '%-7s %-26s %10s %10s %10s %9s %9s %9s\n' mix receiver offered counted to_user lost "cpu_s/Mp" "all_s/Mp"
for mix in flood corpus; do
	# nobody listening: what the generator and the stack cost alone
	measure "$mix" none $$
	CPU_PROC=0 row "$mix" "(no receiver)" 0 0 0

	run_bg "$NS_SRV" "$TMP/td.log" tcpdump -i "$IF_SRV" -w /dev/null -n -B 32768
	pid=$BG_PID
	wait_until 10 grep -q listening "$TMP/td.log"
	measure "$mix" tcpdump "$pid"
	stop_bg "$pid" INT
	n=$(awk '/captured/ { print $1 }' "$TMP/td.log")
	row "$mix" "tcpdump -w /dev/null" "${n:-0}" "${n:-0}" "$((OFFERED - ${n:-0}))"
	td="$OFFERED $CPU_PROC $CPU_ALL"

	run_bg "$NS_SRV" "$TMP/nd.log" ndpiReader -i "$IF_SRV"
	pid=$BG_PID
	wait_until 10 grep -q "Capturing live" "$TMP/nd.log"
	sleep 0.5
	measure "$mix" ndpiReader "$pid"
	stop_bg "$pid" INT
	n=$(awk '/IP packets:/ { print $5; exit }' "$TMP/nd.log")
	row "$mix" "ndpiReader -i (libpcap)" "${n:-0}" "${n:-0}" "$((OFFERED - ${n:-0}))"

	for steer in msg head head-tc; do
		rm -f "$TMP/xh.json"
		# head-tc: head steering with the ingress pipeline at TC (--xdp-mode tc)
		start_xdpi "$TMP/xh.log" -o "$TMP/xh.json" --stats-interval 0 --no-anomaly \
			--steer "${steer%-tc}" $([ "$steer" = head-tc ] && echo --xdp-mode tc)
		pid=$XDPI_PID
		measure "$mix" xdpi "$pid"
		stop_bg "$pid" TERM
		S=$(stat_of "$TMP/xh.json")
		row "$mix" "xdpi host ($steer)" "$(jq .stats.xdpi.kernel.pkts <<<"$S")" \
			"$(jq .stats.xdpi.kernel.captured_pkts <<<"$S")" \
			"$(jq '.stats.xdpi.kernel.loss_ringbuf_full + .stats.xdpi.kernel.loss_load_bytes' <<<"$S")"
		# issue 18's ratio: CPU per packet offered against tcpdump's in the same run
		# shellcheck disable=SC2086
		python3 - $td "$OFFERED" "$CPU_PROC" "$CPU_ALL" "$steer" <<'PY'
import sys
o, p, a, xo, xp, xa = (max(int(v), 1) for v in sys.argv[1:7])
print(f"#   xdpi host ({sys.argv[7]}) / tcpdump, CPU per packet offered: "
      f"machine {(xa / xo) / (a / o):.2f}x, process {(xp / xo) / (p / o):.2f}x")
PY
	done

	for w in 1 2; do
		rm -f "$TMP/xt.json"
		start_xdpi "$TMP/xt.log" -o "$TMP/xt.json" --stats-interval 0 --no-anomaly --tap --workers $w
		pid=$XDPI_PID
		measure "$mix" xdpi-tap "$pid"
		stop_bg "$pid" TERM
		S=$(stat_of "$TMP/xt.json")
		row "$mix" "xdpi tap (copy), $w worker$([ $w = 1 ] || echo s)" "$(jq .stats.xdpi.kernel.pkts <<<"$S")" \
			"$(jq .stats.xdpi.afxdp.received <<<"$S")" \
			"$(jq '.stats.xdpi.afxdp.rx_dropped + .stats.xdpi.afxdp.rx_ring_full + .stats.xdpi.afxdp.rx_invalid_descs + .stats.xdpi.kernel.tap_no_socket' <<<"$S")"
		echo "        $(jq -c '.stats.xdpi.afxdp | {rx_dropped, rx_ring_full, rx_fill_ring_empty, frames_in_kernel, umem_frames}' <<<"$S") $(jq -c '.stats.xdpi.kernel | {tap_not_steered}' <<<"$S")"
	done
done
# issue 18's target 4 in ROUNDS alternated rounds (one round of the machine's CPU is noisy at
# 100 ticks a second): tcpdump, xdpi host (head) at XDP and at TC ingress, and msg steering
# (the default, the one that reports every L7 event) at XDP, on the corpus mix: median ratios
declare -A ratios=()
ratio() { awk -v a="$CPU_ALL" -v o="$OFFERED" -v ta="$td_all" -v to="$td_off" \
	'BEGIN { printf "%.2f", (a / o) / ((ta > 0 ? ta : 1) / to) }'; }
for r in $(seq 1 "${ROUNDS:-5}"); do
	run_bg "$NS_SRV" "$TMP/td.log" tcpdump -i "$IF_SRV" -w /dev/null -n -B 32768
	pid=$BG_PID
	wait_until 10 grep -q listening "$TMP/td.log"
	measure corpus tcpdump "$pid"
	stop_bg "$pid" INT
	td_all=$CPU_ALL td_off=$OFFERED
	for run in head/xdp head/tc msg/xdp; do
		start_xdpi "$TMP/xh.log" -o /dev/null --stats-interval 0 --no-anomaly \
			--steer "${run%/*}" $([ "${run#*/}" = tc ] && echo --xdp-mode tc)
		pid=$XDPI_PID
		measure corpus xdpi "$pid"
		stop_bg "$pid" TERM
		ratios[$run]+="$(ratio) "
	done
done
median() { printf '%s\n' "$@" | sort -n | awk -v all="$*" '{ v[NR] = $1 } END {
	printf "%d alternated rounds: median %.2fx (each: %s)", NR, v[int((NR + 1) / 2)], all }'; }
# shellcheck disable=SC2086 # a list of ratios, split on purpose
{
	echo "# xdpi host (head) / tcpdump, machine CPU per packet offered, corpus, $(median ${ratios[head/xdp]})"
	echo "#   the same with --xdp-mode tc (TC ingress): $(median ${ratios[head/tc]})"
	echo "#   msg steering (the default), at XDP: $(median ${ratios[msg/xdp]})"
}

# ... "while reporting every L7 event the offline read reports": the same capture read
# offline, and through the real XDP program in each steering (-k: hints land at once, so this
# is the steering's best case live)
l7_counts() { jq -r 'select(.event_type == "dns" or .event_type == "http" or .event_type == "tls" or .event_type == "quic") | .event_type' "$1" | sort | uniq -c | awk '{ printf "%s %s ", $2, $1 }'; }
"$XDPI" read -o "$TMP/l7_all.json" "$TMP/mix.pcap" 2>/dev/null
echo "# L7 events of one pass of the corpus mix: offline read: $(l7_counts "$TMP/l7_all.json")"
for steer in head msg; do
	"$XDPI" read -k --steer $steer -o "$TMP/l7_$steer.json" "$TMP/mix.pcap" 2>/dev/null
	echo "#   through the kernel, $steer: $(l7_counts "$TMP/l7_$steer.json")"
done

echo "# counted: packets the receiver accounted for (xdpi: counted into flows by XDP); to_user:"
echo "# packets that reached user space (xdpi host: the steered head of each flow; tap: every"
echo "# packet of flows not bypassed); lost: offered - captured (pcap tools), the ring buffer's"
echo "# or the AF_XDP sockets' counted losses (xdpi). cpu_s/Mp: the receiver process per million"
echo "# packets offered; all_s/Mp: every CPU of the machine, generator and kernel included."
