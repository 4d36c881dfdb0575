/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Tunnel headers, read the same way by the fast path and by user space: one function per
 * carrier (UDP, GRE) over the first bytes of what the carrier holds, copied to a buffer (the
 * kernel copies at most XDPI_TUN_PEEK bytes onto its stack, so the walk is a bounded read of
 * a small array for the verifier). Each returns 1 with *T filled when a tunnel starts there,
 * 0 when the bytes are not one (plain UDP, GRE of another kind), or -XDPI_REASON_* when they
 * claim a tunnel they do not hold. */
#ifndef XDPI_TUNNEL_H
#define XDPI_TUNNEL_H

#include "shared/xdpi_abi.h"

/* Encapsulations decapsulated in both halves. Keep the order: counters and names follow it. */
#define XDPI_TUNNELS(X)                                                                        \
	X(VXLAN, "vxlan")                                                                      \
	X(GENEVE, "geneve")                                                                    \
	X(GRE, "gre")                                                                          \
	X(ERSPAN, "erspan")                                                                    \
	X(GTPU, "gtpu")                                                                        \
	X(IPIP, "ipip")                                                                        \
	X(TEREDO, "teredo")

enum xdpi_tunnel {
	XDPI_TUN_NONE = 0,
#define XDPI_X_ENUM(id, name) XDPI_TUN_##id,
	XDPI_TUNNELS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_TUN_MAX,
};

#define XDPI_TUN_DEPTH_MAX 2   /* tunnels inside tunnels decapsulated; one more is counted */
#define XDPI_TUN_PEEK 64       /* bytes of a tunnel header read (GTP-U extensions fit) */
#define XDPI_MPLS_MAX 4        /* MPLS labels popped before giving up */
#define XDPI_TUN_HDR_MAX 384   /* headers in front of the innermost packet the kernel reads */

#define XDPI_PORT_VXLAN 4789
#define XDPI_PORT_VXLAN_LINUX 8472 /* the Linux default without dstport, and Flannel's */
#define XDPI_PORT_GENEVE 6081
#define XDPI_PORT_GTPU 2152
#define XDPI_PORT_GTPC 2123
#define XDPI_PORT_TEREDO 3544

/* What follows a tunnel header (ethertypes). */
#define XDPI_NEXT_IPV4 0x0800
#define XDPI_NEXT_IPV6 0x86dd
#define XDPI_NEXT_ETH 0x6558   /* transparent Ethernet bridging */
#define XDPI_NEXT_MPLS 0x8847
#define XDPI_NEXT_MPLS_MC 0x8848
#define XDPI_GRE_ERSPAN2 0x88be
#define XDPI_GRE_ERSPAN3 0x22eb

struct xdpi_tun {
	__u32 id;   /* VNI, GRE key, ERSPAN session id, GTP-U TEID; 0: none */
	__u16 hlen; /* the tunnel header's bytes */
	__u16 next; /* XDPI_NEXT_*: what follows the header */
	__u8 type;  /* enum xdpi_tunnel */
	__u8 gtpc;  /* GTP-C or GTP-U signalling: counted, not decapsulated */
};

/* The identity a flow key carries: the tunnel's id where both directions share it. GTP-U's
 * TEID is chosen by each receiver (uplink and downlink differ), so it is reported, not keyed. */
static inline __u32 xdpi_tun_key_id(__u8 type, __u32 id)
{
	return type == XDPI_TUN_GTPU ? 0 : id;
}

static inline __u16 xdpi_tun_rd16(const __u8 *p, __u32 at)
{
	return (__u16)((__u16)p[at & (XDPI_TUN_PEEK - 1)] << 8 | p[(at + 1) & (XDPI_TUN_PEEK - 1)]);
}

static inline __u32 xdpi_tun_rd24(const __u8 *p, __u32 at)
{
	return (__u32)p[at & (XDPI_TUN_PEEK - 1)] << 16 | (__u32)xdpi_tun_rd16(p, at + 1);
}

static inline int xdpi_tun_vxlan(const __u8 *h, __u32 have, struct xdpi_tun *t)
{
	if (have < 8)
		return -XDPI_REASON_TUNNEL_TRUNC;
	if (!(h[0] & 0x08)) /* the I flag: a VNI is present */
		return -XDPI_REASON_TUNNEL_BAD;
	t->type = XDPI_TUN_VXLAN;
	t->id = xdpi_tun_rd24(h, 4);
	t->hlen = 8;
	t->next = XDPI_NEXT_ETH;
	return 1;
}

/* Geneve: version 0, options of 4-byte words, the protocol of what follows, a 24-bit VNI. */
static inline int xdpi_tun_geneve(const __u8 *h, __u32 have, struct xdpi_tun *t)
{
	if (have < 8)
		return -XDPI_REASON_TUNNEL_TRUNC;
	if (h[0] >> 6)
		return -XDPI_REASON_TUNNEL_BAD;
	t->type = XDPI_TUN_GENEVE;
	t->hlen = (__u16)(8 + (h[0] & 0x3f) * 4);
	t->next = xdpi_tun_rd16(h, 2);
	t->id = xdpi_tun_rd24(h, 4);
	return 1;
}

/* GTP version 1: user data only in a G-PDU (type 255); the sequence/N-PDU/extension word
 * comes when any of E, S, PN is set, and extension headers chain by their last byte. TOTAL:
 * the UDP payload's length (the extensions end inside it). */
static inline int xdpi_tun_gtpu(const __u8 *h, __u32 have, __u32 total, struct xdpi_tun *t)
{
	__u32 off = 8;
	__u8 next;

	if (have < 8)
		return -XDPI_REASON_TUNNEL_TRUNC;
	if ((h[0] >> 5) != 1 || !(h[0] & 0x10))
		return 0; /* GTP' or another version: not user data */
	t->id = (__u32)xdpi_tun_rd16(h, 4) << 16 | xdpi_tun_rd16(h, 6);
	if (h[1] != 255) {
		t->gtpc = 1; /* echo, error indication, end marker */
		return 0;
	}
	t->type = XDPI_TUN_GTPU;
	if (h[0] & 0x07) {
		if (have < 12)
			return -XDPI_REASON_TUNNEL_TRUNC;
		next = h[11];
		off = 12;
		for (int i = 0; i < 4 && next; i++) {
			__u32 n;

			if (off + 1 > have)
				return -XDPI_REASON_TUNNEL_TRUNC;
			n = (__u32)h[off & (XDPI_TUN_PEEK - 1)] * 4;
			if (!n || off + n > have || off + n > XDPI_TUN_PEEK)
				return -XDPI_REASON_TUNNEL_TRUNC;
			next = h[(off + n - 1) & (XDPI_TUN_PEEK - 1)];
			off += n;
		}
		if (next)
			return -XDPI_REASON_TUNNEL_BAD; /* more extensions than are read */
	}
	if (off >= total || off >= have)
		return -XDPI_REASON_TUNNEL_TRUNC;
	t->hlen = (__u16)off;
	t->next = (h[off & (XDPI_TUN_PEEK - 1)] >> 4) == 6 ? XDPI_NEXT_IPV6 : XDPI_NEXT_IPV4;
	return 1;
}

/* Teredo: IPv6 in UDP, behind an optional authentication and origin indication. Only a
 * payload that is exactly one IPv6 packet counts (the port alone proves nothing). */
static inline int xdpi_tun_teredo(const __u8 *h, __u32 have, __u32 total, struct xdpi_tun *t)
{
	__u32 off = 0;

	if (have >= 4 && h[0] == 0 && h[1] == 1) /* authentication: ids, nonce, confirmation */
		off = 13 + h[2] + h[3];
	if (off + 8 <= have && h[off & (XDPI_TUN_PEEK - 1)] == 0 &&
	    h[(off + 1) & (XDPI_TUN_PEEK - 1)] == 0)
		off += 8; /* origin indication */
	if (off + 8 > have || (h[off & (XDPI_TUN_PEEK - 1)] >> 4) != 6 ||
	    off + 40 + (__u32)xdpi_tun_rd16(h, off + 4) != total)
		return 0;
	t->type = XDPI_TUN_TEREDO;
	t->id = 0;
	t->hlen = (__u16)off;
	t->next = XDPI_NEXT_IPV6;
	return 1;
}

/* Could a UDP packet between SPORT and DPORT (host order) carry a tunnel xdpi_tun_udp reads
 * (GTP-C counted too)? Asked first, so the common packet copies and reads nothing. */
static inline int xdpi_tun_udp_port(__u16 sport, __u16 dport, __u16 extra_vxlan)
{
	return dport == XDPI_PORT_VXLAN || dport == XDPI_PORT_VXLAN_LINUX ||
	       dport == XDPI_PORT_GENEVE || (extra_vxlan && dport == extra_vxlan) ||
	       dport == XDPI_PORT_GTPU || sport == XDPI_PORT_GTPU || dport == XDPI_PORT_GTPC ||
	       sport == XDPI_PORT_GTPC || dport == XDPI_PORT_TEREDO || sport == XDPI_PORT_TEREDO;
}

/* A UDP payload (H: its first HAVE bytes of TOTAL) between ports SPORT and DPORT (host
 * order). IGNORE: bits (1 << type) of tunnels read as plain UDP; EXTRA_VXLAN: another VXLAN
 * port, 0 for none. */
static inline int xdpi_tun_udp(const __u8 *h, __u32 have, __u32 total, __u16 sport, __u16 dport,
			       __u32 ignore, __u16 extra_vxlan, struct xdpi_tun *t)
{
	t->gtpc = 0;
	if ((dport == XDPI_PORT_VXLAN || dport == XDPI_PORT_VXLAN_LINUX ||
	     (extra_vxlan && dport == extra_vxlan)) && !(ignore & (1u << XDPI_TUN_VXLAN)))
		return xdpi_tun_vxlan(h, have, t);
	if (dport == XDPI_PORT_GENEVE && !(ignore & (1u << XDPI_TUN_GENEVE)))
		return xdpi_tun_geneve(h, have, t);
	if ((dport == XDPI_PORT_GTPU || sport == XDPI_PORT_GTPU) && !(ignore & (1u << XDPI_TUN_GTPU)))
		return xdpi_tun_gtpu(h, have, total, t);
	if (dport == XDPI_PORT_GTPC || sport == XDPI_PORT_GTPC) {
		t->gtpc = 1;
		return 0;
	}
	if ((dport == XDPI_PORT_TEREDO || sport == XDPI_PORT_TEREDO) &&
	    !(ignore & (1u << XDPI_TUN_TEREDO)))
		return xdpi_tun_teredo(h, have, total, t);
	return 0;
}

/* GRE version 0 (RFC 2784/2890): checksum, key and sequence words by their flags; what it
 * carries by its protocol. ERSPAN type I has no header of its own (no sequence number), type
 * II eight bytes, type III twelve and an optional platform subheader of eight. */
static inline int xdpi_tun_gre(const __u8 *h, __u32 have, __u32 ignore, struct xdpi_tun *t)
{
	__u16 flags, proto;
	__u32 off = 4;

	t->gtpc = 0;
	if (have < 4)
		return -XDPI_REASON_TUNNEL_TRUNC;
	flags = xdpi_tun_rd16(h, 0);
	proto = xdpi_tun_rd16(h, 2);
	if ((flags & 0x7) || (flags & 0x4000))
		return 0; /* version 1 (PPTP) or source routing: not read */
	t->id = 0;
	if (flags & 0x8000)
		off += 4;
	if (flags & 0x2000) {
		if (have < off + 4)
			return -XDPI_REASON_TUNNEL_TRUNC;
		t->id = (__u32)xdpi_tun_rd16(h, off) << 16 | xdpi_tun_rd16(h, off + 2);
		off += 4;
	}
	if (flags & 0x1000)
		off += 4;
	if (have < off)
		return -XDPI_REASON_TUNNEL_TRUNC;
	t->type = XDPI_TUN_GRE;
	t->next = proto;
	if (proto == XDPI_GRE_ERSPAN2 || proto == XDPI_GRE_ERSPAN3) {
		if (ignore & (1u << XDPI_TUN_ERSPAN))
			return 0;
		t->type = XDPI_TUN_ERSPAN;
		t->next = XDPI_NEXT_ETH;
		if (proto == XDPI_GRE_ERSPAN2 && !(flags & 0x1000)) {
			t->id = 0; /* type I */
		} else {
			__u32 n = proto == XDPI_GRE_ERSPAN2 ? 8 : 12;

			if (have < off + n)
				return -XDPI_REASON_TUNNEL_TRUNC;
			t->id = xdpi_tun_rd16(h, off + 2) & 0x3ff;
			if (proto == XDPI_GRE_ERSPAN3 && (h[(off + 11) & (XDPI_TUN_PEEK - 1)] & 1))
				n += 8;
			off += n;
		}
	} else if (ignore & (1u << XDPI_TUN_GRE)) {
		return 0;
	} else if (proto != XDPI_NEXT_IPV4 && proto != XDPI_NEXT_IPV6 && proto != XDPI_NEXT_ETH &&
		   proto != XDPI_NEXT_MPLS && proto != XDPI_NEXT_MPLS_MC) {
		return 0; /* GRE of something else (PPP, keepalives): the outer flow */
	}
	t->hlen = (__u16)off;
	return 1;
}

#endif /* XDPI_TUNNEL_H */
