#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fail-open: a killed xdpi (SIGKILL, no chance to clean up) leaves no XDP or TC program on the
# link, because both are attached through bpf_link; and traffic keeps flowing while xdpi runs,
# after it dies, and through its ring buffer being left full (no consumer).
. "$(dirname "$0")/lib.sh"
e2e_require_root

lab_up || { echo "FAIL lab setup"; exit 1; }
start_nginx || { echo "FAIL nginx"; exit 1; }

# 1. a consumer that never reads: SIGSTOP it and push traffic through a tiny ring buffer
start_xdpi "$TMP/xdpi1.log" -o "$TMP/eve1.json" --steer snip --ringbuf-size 4096 --stats-interval 0 ||
	{ echo "FAIL attach"; cat "$TMP/xdpi1.log"; exit 1; }
kill -STOP "$XDPI_PID"
ok=0
for i in $(seq 1 20); do cli curl -sf -o /dev/null --max-time 5 "http://$IP_SRV/big.txt" && ok=$((ok + 1)); done
check "20 downloads succeed while the slow path is frozen and its ring is full ($ok/20)" [ $ok -eq 20 ]
kill -CONT "$XDPI_PID"
stop_bg "$XDPI_PID" TERM
loss=$(grep '"event_type":"stats"' "$TMP/eve1.json" | tail -1 | jq '.stats.xdpi.kernel.loss_ringbuf_full')
check "the losses are counted (loss_ringbuf_full=$loss)" [ "${loss:-0}" -gt 0 ]
check "clean stop: no XDP program left" no_xdp_on_link
check "clean stop: no TC program left" no_tc_on_link

# 2. SIGKILL: the kernel closes the bpf_links with the process
start_xdpi "$TMP/xdpi2.log" -o "$TMP/eve2.json" || { echo "FAIL attach"; exit 1; }
check "attached: XDP on the link" xdp_on_link
check "attached: TC egress on the link" tc_on_link
kill -KILL "$XDPI_PID"
wait_gone "$XDPI_PID" 5
check "after kill -9: no XDP program left (ip link)" wait_until 5 no_xdp_on_link
check "after kill -9: no TC program left" wait_until 5 no_tc_on_link
check "after kill -9: traffic flows" cli curl -sf -o /dev/null --max-time 5 "http://$IP_SRV/"
e2e_done
