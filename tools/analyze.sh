#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# clang's static analyzer over every source file of src/, two at a time; fails on any warning
# in our own code (the generated skeleton headers are libbpf's, not ours).
set -uo pipefail
cd "$(dirname "$0")/.."
CLANG=${CLANG:-clang-14}
OUT=${OUT:-build}
find src -name '*.c' | sort | xargs -P 2 -I{} sh -c \
	"$CLANG --analyze -std=gnu11 -Iinclude -Ibpf -I$OUT -D_GNU_SOURCE -o /dev/null {} 2>&1 | grep -E '^src/.*warning:' || true" \
	>"$OUT/analyze.log"
n=$(wc -l <"$OUT/analyze.log")
cat "$OUT/analyze.log"
echo "analyze: $(find src -name '*.c' | wc -l) files, $n warnings"
[ "$n" -eq 0 ]
