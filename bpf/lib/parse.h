/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Header parsers on a cursor, shared by every hook. Each checks bounds, advances the cursor
 * and returns the next protocol (>= 0) or -XDPI_REASON_*. Nothing here trusts a length field
 * before checking it against data_end. */
#ifndef XDPI_BPF_PARSE_H
#define XDPI_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "shared/xdpi_abi.h"
#include "shared/xdpi_tunnel.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define XDPI_ETH_P_QINQ_OLD 0x9100
#define XDPI_ETH_P_PPPOE_SESS 0x8864
#define XDPI_ETH_P_MPLS 0x8847
#define XDPI_ETH_P_MPLS_MC 0x8848
#define XDPI_ETH_FOLLOWS 0x6558 /* an Ethernet frame follows (an MPLS pseudowire's) */

enum xdpi_frag_kind {
	XDPI_FRAG_NONE = 0,
	XDPI_FRAG_FIRST = 1, /* offset 0, more to come: carries the L4 header */
	XDPI_FRAG_LATER = 2, /* no L4 header: attributed through frag_ports */
};

struct hdr_cursor {
	void *pos;
	void *start;
	__u32 wire_len; /* the whole frame, beyond data_end when it has fragments */
};

/* Does the frame hold len bytes from the cursor on? Checked against the wire length, since
 * a multi-buffer frame continues past data_end. */
static __always_inline int frame_holds(const struct hdr_cursor *c, __u32 len)
{
	return (__u32)(c->pos - c->start) + len <= c->wire_len;
}

/* What the parser learnt of one packet. Addresses stay in network byte order. */
struct xdpi_meta {
	__u32 saddr[4];
	__u32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u16 vlan;       /* outer tag's id */
	__u8 nvlan;
	__u8 family;      /* 0 (not IP), 4 or 6 */
	__u8 proto;
	__u8 tcp_flags;
	__u8 frag;        /* enum xdpi_frag_kind */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 tun_type;    /* the innermost tunnel (enum xdpi_tunnel), 0: none */
	__u8 tun_depth;
	__u8 outer_drop;  /* --policy-outer: the drop reason the outer addresses got, 0: none */
	__u32 tun_id;
	__u16 tun_seen;   /* bits (1 << type) of the tunnels passed, and XDPI_SEEN_* */
	__u32 outer_rule; /* ... and its rule */
	__u16 end_off;    /* where the parser stopped: after the L4 header, or after the IP
			   * header for a protocol it does not read (GRE, IP in IP) */
	__u32 frag_id;
	__u32 payload_len; /* L4 payload by the IP length fields (or the fragment's data) */
	__u32 tcp_seq;     /* host order */
	__u16 payload_off; /* where the L4 payload starts in the frame (TCP and UDP; set by the
			    * parse stage from the frame's length: exact unless a tiny frame was
			    * padded, so nothing relies on it below 17 payload bytes) */
	__u16 segs;        /* wire packets this one stands for: a GSO skb's segments, else 1 */
	__u16 l3_off;      /* where the (innermost) network header starts in the frame */
};

#define XDPI_SEEN_MPLS 0x100 /* tun_seen bits past the tunnel types' */
#define XDPI_SEEN_GTPC 0x200
#define XDPI_SEEN_PPPOE 0x400

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

/* A PPPoE session carries IP behind 6 bytes of PPPoE and 2 of PPP protocol. */
static __always_inline int parse_pppoe(struct hdr_cursor *c, void *end, struct xdpi_meta *m)
{
	__u8 *h = c->pos;
	__u16 ppp;

	m->tun_seen |= XDPI_SEEN_PPPOE;
	if ((void *)(h + 8) > end)
		return -XDPI_REASON_VLAN_TRUNC;
	ppp = (__u16)h[6] << 8 | h[7];
	c->pos = h + 8;
	if (ppp == 0x0021)
		return ETH_P_IP;
	return ppp == 0x0057 ? ETH_P_IPV6 : 0;
}


/* An MPLS label stack up to its bottom, then IP by its version, or a pseudowire's control
 * word (first nibble 0) and the Ethernet frame behind it (XDPI_ETH_FOLLOWS). */
static __always_inline int parse_mpls(struct hdr_cursor *c, void *end, struct xdpi_meta *m)
{
	__u8 *h;

	m->tun_seen |= XDPI_SEEN_MPLS;
#pragma unroll
	for (int i = 0; i < XDPI_MPLS_MAX; i++) {
		h = c->pos;
		if ((void *)(h + 4) > end)
			return -XDPI_REASON_MPLS_TRUNC;
		c->pos = h + 4;
		if (h[2] & 0x01)
			goto bottom;
	}
	return -XDPI_REASON_MPLS_TOO_MANY;
bottom:
	h = c->pos;
	if ((void *)(h + 1) > end)
		return -XDPI_REASON_MPLS_TRUNC;
	if ((h[0] >> 4) == 4)
		return ETH_P_IP;
	if ((h[0] >> 4) == 6)
		return ETH_P_IPV6;
	if ((h[0] >> 4) != 0 || (void *)(h + 4) > end)
		return 0;
	c->pos = h + 4;
	return XDPI_ETH_FOLLOWS;
}

/* VLAN tags, PPPoE and MPLS after an ethertype PROTO (network order). KEEP: record the tags
 * (the wire's outer Ethernet; a tunnel's inner frame passes its tags). */
static __always_inline int parse_tags(struct hdr_cursor *c, void *end, struct xdpi_meta *m,
				      __be16 proto, int keep)
{
#pragma unroll
	for (int i = 0; i < XDPI_VLAN_MAX + 1; i++) {
		struct vlan_hdr_ *vh = c->pos;

		if (proto == bpf_htons(XDPI_ETH_P_PPPOE_SESS))
			return parse_pppoe(c, end, m);
		if (proto == bpf_htons(XDPI_ETH_P_MPLS) || proto == bpf_htons(XDPI_ETH_P_MPLS_MC))
			return parse_mpls(c, end, m);
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD) &&
		    proto != bpf_htons(XDPI_ETH_P_QINQ_OLD))
			return bpf_ntohs(proto);
		if (i == XDPI_VLAN_MAX)
			return -XDPI_REASON_VLAN_TOO_MANY;
		if ((void *)(vh + 1) > end)
			return -XDPI_REASON_VLAN_TRUNC;
		if (keep) {
			if (i == 0)
				m->vlan = bpf_ntohs(vh->tci) & 0x0fff;
			m->nvlan = i + 1;
		}
		proto = vh->proto;
		c->pos = vh + 1;
	}
	return bpf_ntohs(proto);
}

static __always_inline int parse_eth(struct hdr_cursor *c, void *end, struct xdpi_meta *m,
				     int keep)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > end)
		return -XDPI_REASON_ETH_TRUNC;
	c->pos = eth + 1;
	return parse_tags(c, end, m, eth->h_proto, keep);
}

static __always_inline int parse_ipv4(struct hdr_cursor *c, void *end, struct xdpi_meta *m)
{
	struct iphdr *ip = c->pos;
	__u32 hlen, totlen;
	__u16 frag;

	if ((void *)(ip + 1) > end)
		return -XDPI_REASON_IPV4_TRUNC;
	if (ip->version != 4)
		return -XDPI_REASON_IPV4_BAD_VERSION;
	hlen = ip->ihl * 4;
	if (hlen < sizeof(*ip))
		return -XDPI_REASON_IPV4_BAD_IHL;
	if (c->pos + hlen > end)
		return -XDPI_REASON_IPV4_TRUNC;
	totlen = bpf_ntohs(ip->tot_len);
	if (totlen < hlen)
		return -XDPI_REASON_IPV4_BAD_TOTLEN;
	/* A frame shorter than the datagram claims: the rest never arrived. */
	if (!frame_holds(c, totlen))
		return -XDPI_REASON_IPV4_BAD_TOTLEN;

	m->family = 4;
	m->proto = ip->protocol;
	m->saddr[0] = ip->saddr;
	m->daddr[0] = ip->daddr;
	m->payload_len = totlen - hlen;
	frag = bpf_ntohs(ip->frag_off);
	if (frag & 0x1fff)
		m->frag = XDPI_FRAG_LATER;
	else if (frag & 0x2000)
		m->frag = XDPI_FRAG_FIRST;
	m->frag_id = ip->id;
	c->pos += hlen;
	return ip->protocol;
}

static __always_inline int ipv6_ext_len(struct hdr_cursor *c, void *end, __u8 nexthdr,
					 struct xdpi_meta *m, __u8 *next)
{
	__u8 *h = c->pos;

	if ((void *)(h + 8) > end)
		return -XDPI_REASON_IPV6_EXT_TRUNC;
	*next = h[0];
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
		return (h[1] + 1) * 8;
	case IPPROTO_AH:
		return (h[1] + 2) * 4;
	case IPPROTO_FRAGMENT: {
		__u16 off = ((__u16)h[2] << 8 | h[3]);

		if (off & 0xfff8)
			m->frag = XDPI_FRAG_LATER;
		else if (off & 1)
			m->frag = XDPI_FRAG_FIRST;
		m->frag_id = *(__u32 *)(h + 4);
		return 8;
	}
	}
	return 0;
}

static __always_inline int parse_ipv6(struct hdr_cursor *c, void *end, struct xdpi_meta *m)
{
	struct ipv6hdr *ip6 = c->pos;
	__u32 plen, extlen = 0;
	__u8 nexthdr;

	if ((void *)(ip6 + 1) > end)
		return -XDPI_REASON_IPV6_TRUNC;
	if (ip6->version != 6)
		return -XDPI_REASON_IPV6_BAD_VERSION;
	plen = bpf_ntohs(ip6->payload_len);
	if (!frame_holds(c, sizeof(*ip6) + plen))
		return -XDPI_REASON_IPV6_TRUNC;
	m->family = 6;
	__builtin_memcpy(m->saddr, &ip6->saddr, 16);
	__builtin_memcpy(m->daddr, &ip6->daddr, 16);
	nexthdr = ip6->nexthdr;
	c->pos = ip6 + 1;

#pragma unroll
	for (int i = 0; i < XDPI_IPV6_EXT_MAX; i++) {
		__u8 next = 0;
		int len = ipv6_ext_len(c, end, nexthdr, m, &next);

		if (len < 0)
			return len;
		if (len == 0)
			goto done;
		if (c->pos + len > end)
			return -XDPI_REASON_IPV6_EXT_TRUNC;
		c->pos += len;
		extlen += len;
		nexthdr = next;
		if (m->frag == XDPI_FRAG_LATER)
			goto done; /* what follows is a fragment of the upper layer */
	}
	return -XDPI_REASON_IPV6_EXT_TOO_MANY;
done:
	if (extlen > plen)
		return -XDPI_REASON_IPV6_EXT_TRUNC;
	m->proto = nexthdr;
	m->payload_len = plen - extlen;
	return nexthdr;
}

static __always_inline int parse_tcp(struct hdr_cursor *c, void *end, struct xdpi_meta *m)
{
	struct tcphdr *th = c->pos;
	__u32 hlen;

	if ((void *)(th + 1) > end)
		return -XDPI_REASON_TCP_TRUNC;
	hlen = th->doff * 4;
	if (hlen < sizeof(*th) || hlen > m->payload_len)
		return -XDPI_REASON_TCP_BAD_DOFF;
	if (c->pos + hlen > end)
		return -XDPI_REASON_TCP_TRUNC;
	m->sport = th->source;
	m->dport = th->dest;
	m->tcp_flags = ((__u8 *)th)[13];
	m->tcp_seq = bpf_ntohl(th->seq);
	m->payload_len -= hlen;
	c->pos += hlen;
	return 0;
}

static __always_inline int parse_udp(struct hdr_cursor *c, void *end, struct xdpi_meta *m)
{
	struct udphdr *uh = c->pos;
	__u32 ulen;

	if ((void *)(uh + 1) > end)
		return -XDPI_REASON_UDP_TRUNC;
	ulen = bpf_ntohs(uh->len);
	/* A first fragment's UDP length covers the whole datagram, not this fragment. */
	if (ulen < sizeof(*uh) || (m->frag == XDPI_FRAG_NONE && ulen > m->payload_len))
		return -XDPI_REASON_UDP_BAD_LEN;
	m->sport = uh->source;
	m->dport = uh->dest;
	m->payload_len -= sizeof(*uh);
	c->pos = uh + 1;
	return 0;
}

/* ICMP echo request/reply carry an identifier that pairs them: it stands in for both ports. */
static __always_inline int parse_icmp(struct hdr_cursor *c, void *end, struct xdpi_meta *m)
{
	__u8 *h = c->pos;
	__u8 type;

	if ((void *)(h + 8) > end)
		return -XDPI_REASON_ICMP_TRUNC;
	type = h[0];
	m->icmp_type = type;
	m->icmp_code = h[1];
	if ((m->proto == IPPROTO_ICMP && (type == 8 || type == 0)) ||
	    (m->proto == IPPROTO_ICMPV6 && (type == 128 || type == 129))) {
		m->sport = *(__be16 *)(h + 4);
		m->dport = m->sport;
	}
	m->payload_len = m->payload_len > 8 ? m->payload_len - 8 : 0;
	c->pos = h + 8;
	return 0;
}

/* The network layer of ethertype PROTO at the cursor and, unless it is a later fragment, its
 * L4 header; m->end_off says where the parser stopped. */
static __always_inline int parse_l3l4(struct hdr_cursor *c, void *end, struct xdpi_meta *m,
				      int proto)
{
	if (proto == ETH_P_IP)
		proto = parse_ipv4(c, end, m);
	else if (proto == ETH_P_IPV6)
		proto = parse_ipv6(c, end, m);
	else
		return 0;
	if (proto < 0)
		return proto;
	m->end_off = (__u16)(c->pos - c->start);
	if (m->frag == XDPI_FRAG_LATER)
		return 0;

	switch (proto) {
	case IPPROTO_TCP:
		proto = parse_tcp(c, end, m);
		break;
	case IPPROTO_UDP:
		proto = parse_udp(c, end, m);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		proto = parse_icmp(c, end, m);
		break;
	default:
		return 0;
	}
	m->end_off = (__u16)(c->pos - c->start);
	return proto;
}

#endif /* XDPI_BPF_PARSE_H */
