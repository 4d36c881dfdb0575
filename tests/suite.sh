#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs the test tiers and prints one closing line: "N passed, N failed" (tiers).
# Usage: tests/suite.sh all|unit|check|cli|bpf|corpus|schema|verify|e2e|fuzz
# Exit code 77 from a tier means "skipped: no privileges"; under CI=true that is a failure.
set -u
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
passed=0 failed=0 skipped=0
failures=()

tier() {
	local name=$1; shift
	local start=$SECONDS rc
	echo "=== $name"
	"$@"
	rc=$?
	if [ $rc -eq 77 ] && [ "${CI:-}" != true ]; then
		echo "--- $name: skipped (needs root)"; skipped=$((skipped + 1)); return
	fi
	if [ $rc -eq 0 ]; then
		echo "--- $name: ok ($((SECONDS - start)) s)"; passed=$((passed + 1))
	else
		echo "--- $name: FAILED (exit $rc, $((SECONDS - start)) s)"; failed=$((failed + 1))
		failures+=("$name")
	fi
}

run_unit() {
	$MAKE --no-print-directory OUT=build-asan SANITIZE=1 unit-bins || return 1
	local rc=0 t
	for t in build-asan/tests/unit/test_*; do
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 "$t" || rc=1
	done
	return $rc
}

need_root() {
	[ "$(id -u)" = 0 ] && return 0
	echo "needs root (CAP_BPF, CAP_NET_ADMIN)"
	return 1
}

run_bpf() {
	need_root || return 77
	$MAKE --no-print-directory all bpf-test-bins || return 1
	local rc=0 t
	for t in build/tests/bpf/test_*; do "$t" || rc=1; done
	return $rc
}

run_cli() {
	$MAKE --no-print-directory all || return 1
	bash tests/cli/test_cli.sh
}

# The tree's own shape: no layer uses one above it (from the objects' symbols), clang's static
# analyzer finds nothing, and xdpi's own EVE fields on the golden captures are as reviewed.
run_check() {
	$MAKE --no-print-directory all || return 1
	local rc=0
	python3 tools/check_layers.py build || rc=1
	tools/analyze.sh || rc=1
	tests/golden/check_golden.sh || rc=1
	return $rc
}

run_corpus() {
	$MAKE --no-print-directory all || return 1
	local rc=0
	python3 tests/corpus/check_corpus.py || rc=1
	python3 tests/corpus/check_l7.py || rc=1
	tests/corpus/check_workers.sh || rc=1
	python3 tests/corpus/check_appid.py || rc=1 # nDPI's captures and expected labels
	return $rc
}

run_schema() {
	$MAKE --no-print-directory all || return 1
	/usr/bin/python3 tests/schema/validate.py
}

run_e2e() {
	need_root || return 77
	$MAKE --no-print-directory all || return 1
	local rc=0 t
	for t in tests/e2e/test_*.sh; do
		echo "--- e2e $(basename "$t")"
		timeout 300 bash "$t" || { echo "FAIL $(basename "$t")"; rc=1; }
	done
	return $rc
}

# Suricata's own regression tests: every alert check agrees, or is listed with its cause.
run_verify() {
	$MAKE --no-print-directory all || return 1
	/usr/bin/python3 tests/verify/run_verify.py
}

run_fuzz() {
	$MAKE --no-print-directory fuzz-short
}

case "${1:-all}" in
all)
	tier unit run_unit
	tier check run_check
	tier cli run_cli
	tier bpf run_bpf
	tier corpus run_corpus
	tier schema run_schema
	tier verify run_verify
	tier fuzz run_fuzz
	tier e2e run_e2e
	;;
unit) tier unit run_unit ;;
cli) tier cli run_cli ;;
check) tier unit run_unit; tier check run_check ;;
bpf) tier bpf run_bpf ;;
corpus) tier corpus run_corpus ;;
verify) tier verify run_verify ;;
schema) tier schema run_schema ;;
e2e) tier e2e run_e2e ;;
fuzz) tier fuzz run_fuzz ;;
*) echo "usage: $0 all|unit|check|cli|bpf|corpus|schema|verify|e2e|fuzz" >&2; exit 2 ;;
esac
[ ${#failures[@]} -gt 0 ] && echo "failed tiers: ${failures[*]}"
echo "tiers: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
