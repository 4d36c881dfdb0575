#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Golden files for xdpi's own EVE fields (the `xdpi` objects of every event and stats.xdpi),
# which no external truth covers: each case reads a capture of the shared corpus with the
# options in its `args` file and compares the extract with `expected.jsonl`, field for field,
# keys sorted. `UPDATE_GOLDEN=1 tests/golden/check_golden.sh` rewrites the files; the diff is
# then reviewed like code.
set -uo pipefail
cd "$(dirname "$0")/../.."
XDPI=${XDPI:-build/xdpi}
CORPUS=${XDPI_SHARED:-../shared}/corpus
extract='if .event_type == "stats" then {event_type, xdpi: (.stats.xdpi | del(.output))}
	 else select(.xdpi != null) | {event_type, flow_id, xdpi} end'
fail=0 n=0
for d in tests/golden/*/; do
	[ -f "$d/args" ] || continue
	n=$((n + 1))
	read -r capture opts <"$d/args"
	# shellcheck disable=SC2086
	"$XDPI" read $opts "$CORPUS/$capture" 2>/dev/null | jq -cS "$extract" >"$d/actual.jsonl"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		mv "$d/actual.jsonl" "$d/expected.jsonl"
		echo "golden: $(basename "$d"): $(wc -l <"$d/expected.jsonl") events written"
	elif ! diff -u "$d/expected.jsonl" "$d/actual.jsonl" >"$d/diff.txt"; then
		echo "FAIL golden $(basename "$d"): xdpi's own fields changed ($d/diff.txt):"
		head -20 "$d/diff.txt"
		fail=1
	else
		rm -f "$d/actual.jsonl" "$d/diff.txt"
	fi
done
echo "golden: $n cases, $([ $fail = 0 ] && echo "all as reviewed" || echo "CHANGED")"
exit $fail
