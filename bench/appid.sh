#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What application identification costs `xdpi read`: this build against BASE (default: the
# commit before identification came in, built once under build/bench/base-BASE), same input,
# one core, CPU seconds (user + system), best of 5, runs alternating. Inputs: the corpus
# concatenated 20 times, and 200,000 short flows nothing identifies (bench/gen_unknown.py:
# every probe runs on every flow). Memory per flow: bench/memory.sh's measure for both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-948dd0d^}
REPEAT=20
. bench/corpus_input.sh
base_rev=$(git rev-parse --short "$BASE")
base_dir=$out/base-$base_rev
if [ ! -x "$base_dir/build/xdpi" ]; then
	rm -rf "$base_dir" && mkdir -p "$base_dir"
	git archive "$base_rev" | tar -x -C "$base_dir"
	make -C "$base_dir" -j"$(nproc)" build/xdpi >/dev/null
fi
unknown=$out/unknown-200000.pcap
[ -s "$unknown" ] || python3 bench/gen_unknown.py 200000 "$unknown"
cpu() { # seconds of CPU of one run
	/usr/bin/time -f "%U %S" -o "$out/cpu.txt" taskset -c 1 "$@" >/dev/null 2>&1 || true
	awk '{ print $1 + $2 }' "$out/cpu.txt"
}
compare() { # label input
	local label=$1 in=$2 now=999 was=999 t
	for _ in 1 2 3 4 5; do
		t=$(cpu build/xdpi read --no-anomaly -o /dev/null "$in"); now=$(python3 -c "print(min($now, $t))")
		t=$(cpu "$base_dir/build/xdpi" read --no-anomaly -o /dev/null "$in"); was=$(python3 -c "print(min($was, $t))")
	done
	python3 -c "print(f'{\"$label\":38} this build {$now:6.2f} s   before ($base_rev) {$was:6.2f} s   {$now / $was:5.2f}x the time')"
}
echo "# application identification's cost: xdpi read --no-anomaly, CPU s (user+sys), best of 5, taskset -c 1"
compare "corpus x$REPEAT ($pkts packets)" "$input"
compare "200,000 short unknown flows" "$unknown"
N=${N:-200000}
[ -s "$out/flows-$N.pcap" ] || python3 bench/gen_flows.py "$N" "$out/flows-$N.pcap"
[ -s "$out/flows-1000.pcap" ] || python3 bench/gen_flows.py 1000 "$out/flows-1000.pcap"
rss() { /usr/bin/time -f "%M" -o "$out/rss.txt" "$@" >/dev/null 2>&1 || true; cat "$out/rss.txt"; }
for x in build/xdpi "$base_dir/build/xdpi"; do
	big=$(rss "$x" read --max-flows $((N * 2)) -o /dev/null "$out/flows-$N.pcap")
	small=$(rss "$x" read -o /dev/null "$out/flows-1000.pcap")
	python3 -c "print(f'memory per flow, {\"$x\":28} {($big - $small) * 1024 / ($N - 1000):6.0f} bytes (bench/memory.sh measure)')"
done
