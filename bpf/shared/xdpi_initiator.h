/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which side opened a flow, guessed the same way by the fast path (when it makes a flow's
 * entry) and by user space (when it makes a flow of its own): a capture read through the
 * kernel and read offline must name the same client. */
#ifndef XDPI_INITIATOR_H
#define XDPI_INITIATOR_H

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

#endif /* XDPI_INITIATOR_H */
