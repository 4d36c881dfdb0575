#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scaling with worker threads, offline (the same 392,000 packets as bench/detect.sh): xdpi read
# with --workers 1 and 2, without rules and with the whole ET snapshot (its load, ~1.5 s, is
# inside these times: one compiled rule set serves every worker). Best of 3 wall times.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${REPEAT:-20}
. bench/corpus_input.sh
RULES=${RULES:-../shared/rules/et-open-2019}

best() { # command...: the best of three wall times, and its user CPU
	local best=999999 cpu=0 t u
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %U" -o "$out/time.txt" "$@" >/dev/null 2>&1 || true
		read -r t u < <(tail -1 "$out/time.txt")
		if python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t cpu=$u; fi
	done
	echo "$best $cpu"
}

echo "# workers: $input, $pkts packets, $(nproc) CPUs"
printf '%-28s %8s %8s %8s %9s\n' "" "wall_s" "user_s" "Mpps" "speedup"
for rules in no yes; do
	args=(--no-anomaly -o /dev/null)
	[ $rules = yes ] && args+=(--rules "$RULES/*.rules")
	base=
	for w in 1 2; do
		read -r t u < <(best build/xdpi read "${args[@]}" --workers $w "$input")
		[ -z "$base" ] && base=$t
		python3 -c "print(f'{\"rules=$rules workers=$w\":28} {$t:8.2f} {$u:8.2f} {$pkts / $t / 1e6:8.3f} {$base / $t:8.2f}x')"
	done
done
