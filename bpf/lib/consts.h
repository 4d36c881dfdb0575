/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Load-time knobs (rodata), set by the loader between open and load. */
#ifndef XDPI_BPF_CONSTS_H
#define XDPI_BPF_CONSTS_H

#include "shared/xdpi_abi.h"

const volatile __u32 xdpi_abi_version = XDPI_ABI_VERSION;
const volatile __u8 cfg_default_steer = XDPI_STEER_HEAD;
const volatile __u32 cfg_head_pkts = XDPI_HEAD_PKTS_DEFAULT;
const volatile __u32 cfg_snaplen = XDPI_SNAPLEN_DEFAULT;
/* Force a consumer wake-up once this much data waits; below it, records are produced
 * without wake-ups and the consumer drains on its timer (batching across the two cores). */
const volatile __u64 cfg_wakeup_bytes = 256 * 1024;
/* At most one forced wake-up per this many ns for the records that ask for one (message heads,
 * unhinted streams): the reader, once woken, drains them all and polls every 1 ms while
 * records come (src/app/live.c), so one that came in a gap waits no longer than that. */
const volatile __u64 cfg_wake_gap_ns = 200000;
const volatile __u8 cfg_replay_clock = 0;
/* Tunnels read as plain UDP/GRE (bits 1 << enum xdpi_tunnel), and one more VXLAN port. */
const volatile __u32 cfg_tun_ignore = 0;
const volatile __u16 cfg_vxlan_port = 0;
/* Policy also on a tunnelled packet's outer addresses (they are looked at first). */
const volatile __u8 cfg_policy_outer = 0;
/* A balancer's backend (--lb-decap): IP-in-IP packets arriving here are unwrapped first. */
const volatile __u8 cfg_lb_decap = 0;

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

#endif /* XDPI_BPF_CONSTS_H */
