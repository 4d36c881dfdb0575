#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Enforcement figures on a veth pair (root): how many packets per second of blocklisted
# traffic xdpi drops, against an XDP_DROP-everything program (the ceiling on this link) in
# the same run; the same with 1,000,000 feed-shaped entries in the trie; and the time from a
# block decision (`xdpi ctl block`) to the kernel's first drop of the blocked source.
# The generator is BPF_PROG_RUN with live frames (build/bench/xdp_gen), run in the sender's
# namespace; rates are read from the receiving veth's own XDP counters.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/e2e/lib.sh"
GEN=$HERE/../build/bench/xdp_gen
SECS=${SECS:-3}
[ "$(id -u)" = 0 ] || { echo "# enforcement: needs root"; exit 0; }
lab_up || { echo "lab setup failed"; exit 1; }
xdp_drops() { ip netns exec "$NS_SRV" ethtool -S "$IF_SRV" | awk '/xdp_drops/ { n += $2 } END { print n + 0 }'; }

# rate LABEL: sends SECS seconds of SYNs from 198.18.0.1; prints sent and dropped Mpps.
rate() {
	local before after out
	before=$(xdp_drops)
	out=$(in_net "$NS_CLI" "$GEN" send "$IF_CLI" "$SECS") # sent N packets in T s: ...
	after=$(xdp_drops)
	awk -v l="$1" -v s="$(awk '{ print $2 }' <<<"$out")" -v t="$(awk '{ print $5 }' <<<"$out")" \
		-v d=$((after - before)) -v c="${CEIL:-0}" 'BEGIN {
		printf "%-34s %10.2f %10.2f", l, s / t / 1e6, d / t / 1e6
		if (c > 0) printf " %9.2fx", d / t / 1e6 / c   # issue 18: of the ceiling, same run
		printf "\n" }' | tee "$TMP/rate.txt"
}

echo "# enforcement on veth (copy of each frame to the peer), $SECS s per row, 64-byte TCP SYNs"
printf '%-34s %10s %10s %10s\n' "receiver" "sent_Mpps" "drop_Mpps" "of_ceiling"
run_bg_net "$NS_SRV" "$TMP/drop.log" "$GEN" drop "$IF_SRV"
wait_until 10 grep -q attached "$TMP/drop.log" && rate "xdp_drop_all (ceiling)"
stop_bg "$BG_PID"
CEIL=$(awk '{ print $NF }' "$TMP/rate.txt")

printf '198.18.0.0/24\n' >"$TMP/one.txt"
start_xdpi "$TMP/x1.log" -o /dev/null --block "$TMP/one.txt" && rate "xdpi, 1-entry block list"
stop_bg "$XDPI_PID"

# the peer: xdp-filter at its leanest (IPv4 only, one source address in its hash), so the
# ratio says what a filter that does nothing else costs on this link
if ! command -v xdp-filter >/dev/null; then
	echo "# xdp-filter missing: no peer row"
elif [ -e /sys/fs/bpf/xdp-filter ]; then
	echo "# /sys/fs/bpf/xdp-filter exists (someone's xdp-filter): no peer row"
else
	E2E_CLEANUP="in_net $NS_SRV xdp-filter unload $IF_SRV >/dev/null 2>&1"
	if in_net "$NS_SRV" xdp-filter load -f ipv4 -p allow "$IF_SRV" >"$TMP/xf.log" 2>&1 &&
		in_net "$NS_SRV" xdp-filter ip -m src 198.18.0.1 >>"$TMP/xf.log" 2>&1; then
		rate "xdp-filter (peer), 1 address"
	else
		echo "# xdp-filter did not load: $(tail -1 "$TMP/xf.log")"
	fi
	in_net "$NS_SRV" xdp-filter unload "$IF_SRV" >/dev/null 2>&1
	E2E_CLEANUP=
fi

python3 - "$TMP/million.txt" <<'PY'
import random, sys
random.seed(7)
seen = set()
with open(sys.argv[1], "w") as f:
    f.write("198.18.0.0/24\n")
    while len(seen) < 999999:
        plen = random.choice((16, 20, 22, 24, 24, 24, 32, 32))
        a = random.randrange(1 << 24, 223 << 24) & (0xffffffff << (32 - plen))
        if a >> 17 == 0xc612 >> 1 or (a, plen) in seen:
            continue
        seen.add((a, plen))
        f.write("%d.%d.%d.%d/%d\n" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, plen))
PY
t0=$(date +%s.%N)
start_xdpi "$TMP/xm.log" -o /dev/null --block "$TMP/million.txt" &&
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "# 1,000,000 entries parsed, inserted and attached in %.1f s\n", b - a }' &&
	rate "xdpi, 1,000,000-entry block list"
stop_bg "$XDPI_PID"

# decision to drop: a block lands while the source is sending; the kernel stamps the rule's
# first drop (rule_stats.first_ns), ctl prints the decision's time on the same clock
start_xdpi "$TMP/xl.log" -o /dev/null --steer pass || exit 1
kpkts() { xctl stats | awk '$1 == "pkts" { print $2 }'; }
more_than() { [ "$(kpkts)" -gt "$1" ]; }
first_s() { xctl stats | awk -v k="rule.$1.first_s" '$1 == k { print $2 }'; }
first_dropped() { awk -v f="$(first_s "$1")" 'BEGIN { exit !(f + 0 > 0) }'; } # 0.000000: none yet
lat=()
nodrop=0
for i in $(seq 1 ${RUNS:-20}); do
	base=$(kpkts)
	run_bg_net "$NS_CLI" "$TMP/gen$i.log" "$GEN" send "$IF_CLI" 5 198.18.0.5
	gpid=$BG_PID
	if ! wait_until 5 more_than $((base + 100000)); then # the source is sending
		stop_bg "$gpid"
		continue
	fi
	t=$(xctl block 198.18.0.5 --rule $((100 + i)) | sed -n 's/.* at monotonic \([0-9.]*\) s/\1/p')
	# the kernel stamps the first drop when it happens: wait for the stamp (0: none yet),
	# which a read right after the block can beat
	wait_until 2 first_dropped $((100 + i))
	f=$(first_s $((100 + i)))
	if ! first_dropped $((100 + i)); then
		nodrop=$((nodrop + 1)) # said below: a block that never dropped is no latency
	elif [ -n "$t" ]; then
		lat+=("$(awk -v a="$t" -v b="$f" 'BEGIN { printf "%.0f", (b - a) * 1e6 }')")
	fi
	xctl unblock 198.18.0.5 >/dev/null
	stop_bg "$gpid"
done
printf '%s\n' "${lat[@]}" | sort -n | awk '{ v[NR] = $1 } END {
	p99 = v[int(NR * 0.99 + 0.999)]
	printf "decision to first drop (xdpi ctl block, %d runs, source sending at line rate): min %d us, median %d us, p99 %d us, max %d us\n", NR, v[1], v[int((NR + 1) / 2)], p99, v[NR] }'
[ "$nodrop" = 0 ] || echo "  $nodrop more runs saw no first drop within 2 s of the block"
stop_bg "$XDPI_PID"
