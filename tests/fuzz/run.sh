#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every built fuzz target for SECONDS on its corpus and seeds; fails on any finding.
set -uo pipefail
secs=${1:?usage: run.sh SECONDS}
out=build-fuzz
rc=0
for f in "$out"/fuzz_*; do
	t=${f##*/fuzz_}
	mkdir -p "$out/corpus/$t" "$out/artifacts"
	echo "fuzz $t for $secs s"
	# committed regression inputs (tests/fuzz/regressions/TARGET) run first, every time
	regress=tests/fuzz/regressions/$t
	[ -d "$regress" ] || regress=
	if ! "$f" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" "$out/seeds/$t" $regress \
		>"$out/$t.log" 2>&1; then
		echo "FAIL fuzz $t: finding in $out/artifacts (log $out/$t.log):"
		grep -E "ERROR|SUMMARY|runtime error" "$out/$t.log" | head -5
		rc=1
	else
		grep -E "^stat::(number_of_executed_units|new_units_added)|^Done" "$out/$t.log"
	fi
done
exit $rc
