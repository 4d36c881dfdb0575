/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The balancer's arithmetic that the kernel and user space must agree on, written once: the
 * hash that places a connection in its service's Maglev table (the XDP program picks with it,
 * user space's model and tests predict with it), and the outer IPv4 header of the
 * encapsulation (XDP for clients' packets, TC for health checks). Plain C over __u32/__u8,
 * no helpers, no libc. */
#ifndef XDPI_LB_SHARED_H
#define XDPI_LB_SHARED_H

#include "shared/xdpi_abi.h"

/* MurmurHash3's 32-bit block step and finaliser (public domain algorithm). */
static __attribute__((always_inline)) inline __u32 xdpi_lb_mix(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51u;
	k = (k << 15) | (k >> 17);
	k *= 0x1b873593u;
	h ^= k;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

static __attribute__((always_inline)) inline __u32 xdpi_lb_fmix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The connection's hash: both addresses, both ports, protocol and family, as they sit in the
 * key (network byte order), so that every instance and restart computes the same value. */
static __attribute__((always_inline)) inline __u32 xdpi_lb_hash(const struct xdpi_lb_conn_key *k)
{
	__u32 h = 0x5844u; /* "XD" */

	for (int i = 0; i < 4; i++)
		h = xdpi_lb_mix(h, k->saddr[i]);
	for (int i = 0; i < 4; i++)
		h = xdpi_lb_mix(h, k->daddr[i]);
	h = xdpi_lb_mix(h, (__u32)k->sport << 16 | k->dport);
	h = xdpi_lb_mix(h, (__u32)k->proto << 8 | k->family);
	return xdpi_lb_fmix(h ^ 40);
}

/* The connection's slot in a Maglev table. */
static __attribute__((always_inline)) inline __u32 xdpi_lb_slot(__u32 hash)
{
	return hash % XDPI_LB_RING_SIZE;
}

/* The outer source for a flow of HASH: the configured prefix with the hash in its host bits. */
static __attribute__((always_inline)) inline __u32 xdpi_lb_src4(const struct xdpi_lb_cfg *c, __u32 hash)
{
	return c->src4 | (hash & c->src4_host);
}

/* The 20-byte outer IPv4 header (no options) into H: TOS copied from the inner packet, no DF
 * (a path MTU problem shows up at the balancer: the too_big counter), TTL 64. SRC, DST in
 * network byte order; INNER_LEN the packet carried; NEXT its protocol (4 or 41). */
static __attribute__((always_inline)) inline void xdpi_lb_outer4(__u8 h[20], __u32 src, __u32 dst, __u32 inner_len, __u8 tos,
				  __u8 next)
{
	__u32 sum = 0, total = inner_len + 20;

	h[0] = 0x45;
	h[1] = tos;
	h[2] = (__u8)(total >> 8);
	h[3] = (__u8)total;
	h[4] = h[5] = h[6] = h[7] = 0; /* id 0, no fragment flags: never fragmented (DF off) */
	h[8] = 64;
	h[9] = next;
	h[10] = h[11] = 0;
	__builtin_memcpy(h + 12, &src, 4);
	__builtin_memcpy(h + 16, &dst, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (__u32)h[i] << 8 | h[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	h[10] = (__u8)(sum >> 8);
	h[11] = (__u8)sum;
}

/* The 40-byte outer IPv6 header: traffic class copied, no flow label but the hash's low 20
 * bits (ECMP on the way spreads flows), hop limit 64. */
static __attribute__((always_inline)) inline void xdpi_lb_outer6(__u8 h[40], const __u32 src[4], const __u32 dst[4],
				  __u32 inner_len, __u8 tclass, __u8 next, __u32 hash)
{
	__u32 label = hash & 0xfffff;

	h[0] = (__u8)(0x60 | tclass >> 4);
	h[1] = (__u8)(tclass << 4 | label >> 16);
	h[2] = (__u8)(label >> 8);
	h[3] = (__u8)label;
	h[4] = (__u8)(inner_len >> 8);
	h[5] = (__u8)inner_len;
	h[6] = next;
	h[7] = 64;
	__builtin_memcpy(h + 8, src, 16);
	__builtin_memcpy(h + 24, dst, 16);
}

#endif /* XDPI_LB_SHARED_H */
