/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* How both halves read a flow, the same way in the fast path and in user space: which side
 * opened it (a capture read through the kernel and read offline must name the same client)
 * and whether a TCP flow has closed (a SYN on it is then a new connection, in both). */
#ifndef XDPI_FLOW_RULES_H
#define XDPI_FLOW_RULES_H

#include <linux/types.h>

/* From a flow's first packet, sent in direction DIR of its key: the side (DIR or !DIR) that
 * opened it. A SYN's sender, a SYN-ACK's receiver; joined mid-flow (xdpi started among open
 * connections, or a capture begins mid-way), the side on a well-known port is the server;
 * else the first packet's sender. SPORT and DPORT are the packet's, in host order. */
static inline __u8 xdpi_guess_initiator(__u8 proto, __u8 tcp_flags, __u16 sport, __u16 dport,
					__u8 dir)
{
	const __u8 syn = 0x02, ack = 0x10;

	if (proto == 6 && (tcp_flags & (syn | ack)) == syn)
		return dir;
	if (proto == 6 && (tcp_flags & (syn | ack)) == (syn | ack))
		return !dir;
	if (dport < 1024 && sport >= 1024)
		return dir;
	if (sport < 1024 && dport >= 1024)
		return !dir;
	return dir;
}

/* Closed, from the union of TCP flags each direction sent (A, B): a RST, or a FIN each way. */
static inline int xdpi_flow_closed(__u32 a, __u32 b)
{
	const __u32 fin = 0x01, rst = 0x04;

	return ((a | b) & rst) || ((a & fin) && (b & fin));
}

#endif /* XDPI_FLOW_RULES_H */
