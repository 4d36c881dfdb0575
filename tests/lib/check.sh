# SPDX-License-Identifier: GPL-2.0
# Checks for shell tests: `check "what" CMD...` counts and prints ok/FAIL; `e2e_done` prints
# the tally and fails when a check failed; waits are on conditions with deadlines.
E2E_FAILS=0
E2E_CHECKS=0

jq_ok() { jq -e "$@" >/dev/null; }
# jq_any COND FILE: some JSON line of FILE satisfies COND (jq 1.6's -e looks at the last only).
jq_any() { jq -se "any(.[]; $1)" "$2" >/dev/null; }
fails() { ! "$@"; } # check "what" fails CMD: CMD must fail

check() { # check "what" CMD...
	local what=$1; shift
	E2E_CHECKS=$((E2E_CHECKS + 1))
	if "$@"; then
		echo "  ok   $what"
	else
		echo "  FAIL $what"; E2E_FAILS=$((E2E_FAILS + 1))
	fi
}

e2e_done() {
	echo "  $E2E_CHECKS checks: $((E2E_CHECKS - E2E_FAILS)) passed, $E2E_FAILS failed"
	[ $E2E_FAILS -eq 0 ]
}

# wait_until SECONDS CMD...: true once CMD succeeds, false at the deadline.
wait_until() {
	local deadline=$((SECONDS + $1)); shift
	while ! "$@" 2>/dev/null; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

# exits STATUS TEXT CMD...: CMD exits with STATUS and says TEXT (a grep pattern; "" for
# anything) on standard error.
exits() {
	local want=$1 text=$2 err rc; shift 2
	err=$("$@" 2>&1 >/dev/null); rc=$?
	[ "$rc" -eq "$want" ] || { echo "    (exit $rc, not $want: $err)" >&2; return 1; }
	[ -z "$text" ] || grep -q -- "$text" <<<"$err" || { echo "    (said: $err)" >&2; return 1; }
}
