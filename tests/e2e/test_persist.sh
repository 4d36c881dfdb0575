#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --persist: the programs and their policy outlive xdpi. After it exits the blocked source
# stays blocked, `xdpi ctl` still changes the policy, a second xdpi is refused with the way
# to remove the first, and removing the pinned directory detaches everything.
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
add_client_b
start_nginx || { echo "FAIL nginx"; exit 1; }

printf '%s\n' $IP_B >"$TMP/block.txt"
start_xdpi "$TMP/xdpi.log" -o /dev/null --persist --block "$TMP/block.txt" ||
	{ echo "FAIL attach"; cat "$TMP/xdpi.log"; exit 1; }
stop_bg "$XDPI_PID" TERM
check "xdpi exits saying what it left ($(tail -1 "$TMP/xdpi.log"))" grep -q "left attached to $IF_SRV (--persist); remove with" "$TMP/xdpi.log"
check "the XDP program stays attached" xdp_on_link
check "  and the TC program" tc_on_link
check "the listed source is still blocked" fails fetch $IP_B 1
check "another source fetches" fetch $IP_CLI
xctl block $IP_CLI >/dev/null
check "xdpi ctl still changes the policy: a new block applies" fails fetch $IP_CLI 1
check "  and the kernel counts it" [ "$(rule_pkts 20)" -ge 1 ]
in_net "$NS_SRV" "$XDPI" run -i "$IF_SRV" -o /dev/null --duration 1 >"$TMP/second.log" 2>&1
check "a second xdpi is refused with the way out ($(grep -m1 persistent "$TMP/second.log"))" \
	grep -q "a persistent xdpi (--persist, pid [0-9]* exited) is attached to $IF_SRV; remove it with .rm -r $PIN_SRV." "$TMP/second.log"
xctl list >/dev/null 2>"$TMP/persisted.err"
check "ctl says the instance persisted, not that it runs or was killed ($(cat "$TMP/persisted.err"))" \
	grep -q "exited with --persist: its programs and policy stay" "$TMP/persisted.err"
rm -r "$PIN_SRV"
check "removing the pins detaches the XDP program" wait_until 5 no_xdp_on_link
check "  and the TC program" wait_until 5 no_tc_on_link
check "then every source fetches again" fetch $IP_B
e2e_done
