// SPDX-License-Identifier: GPL-2.0
/* User-space decoder: link layer (Ethernet, SLL, SLL2, raw IP, BSD loopback, PPP, PPPoE,
 * Cisco HDLC, PPI, 802.11 with radiotap), VLAN tags, MPLS labels and tunnels (VXLAN, Geneve,
 * GRE, ERSPAN, GTP-U, IP in IP, Teredo; bpf/shared/xdpi_tunnel.h) to the innermost L4. It follows
 * the kernel parser's rules and reasons, and also copes with captures cut short by a snap
 * length or by the kernel's steering: headers must be whole, payload may be partial. */
#include <errno.h>
#include <string.h>
#include "xdpi/bytes.h"
#include "xdpi/decode.h"
#include "xdpi/hash.h"
#include "xdpi/flow.h"

#define ETH_HLEN_ 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_PPPOE_SESSION 0x8864
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_IPIP_ 4
#define IPPROTO_IPV6_ 41
#define IPPROTO_GRE_ 47
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60

struct cursor {
	const uint8_t *p;
	size_t off;
	size_t len;      /* captured bytes */
	bool truncated;  /* the capture holds less than the wire had */
};

static bool have(const struct cursor *c, size_t n)
{
	return c->off + n <= c->len;
}

static int fail(struct xdpi_decoded *d, enum xdpi_reason r)
{
	d->reason = r;
	return -EINVAL;
}

/* A PPPoE session carries IP behind 6 bytes of PPPoE and 2 of PPP protocol. */
static int decode_pppoe(struct cursor *c, struct xdpi_decoded *d)
{
	uint16_t ppp;

	if (!have(c, 8))
		return fail(d, XDPI_REASON_VLAN_TRUNC), -1;
	ppp = xdpi_rd16(c->p + c->off + 6);
	c->off += 8;
	d->pppoe = true;
	if (ppp == PPP_IPV4)
		return ETHERTYPE_IPV4;
	return ppp == PPP_IPV6 ? ETHERTYPE_IPV6 : 0;
}

static int decode_vlans(struct cursor *c, struct xdpi_decoded *d, uint16_t type, bool inner);

/* An MPLS label stack: labels up to the bottom of stack, then IP by its version, or a
 * pseudowire's control word (first nibble 0) and the Ethernet frame it carries. Returns the
 * ethertype that follows, or -1 with d->reason. */
static int decode_mpls(struct cursor *c, struct xdpi_decoded *d)
{
	uint8_t nibble;

	d->mpls = true;
	for (int i = 0;; i++) {
		if (i == XDPI_MPLS_MAX)
			return fail(d, XDPI_REASON_MPLS_TOO_MANY), -1;
		if (!have(c, 4))
			return fail(d, XDPI_REASON_MPLS_TRUNC), -1;
		c->off += 4;
		if (c->p[c->off - 2] & 0x01) /* bottom of stack */
			break;
	}
	if (!have(c, 1))
		return fail(d, XDPI_REASON_MPLS_TRUNC), -1;
	nibble = c->p[c->off] >> 4;
	if (nibble == 4)
		return ETHERTYPE_IPV4;
	if (nibble == 6)
		return ETHERTYPE_IPV6;
	if (nibble != 0 || !have(c, 4 + ETH_HLEN_))
		return 0;
	c->off += 4 + ETH_HLEN_; /* control word, then the carried frame's Ethernet header */
	return decode_vlans(c, d, xdpi_rd16(c->p + c->off - 2), true);
}

/* Returns the ethertype after the link header, VLAN tags, PPPoE and MPLS, or -1 with
 * d->reason. INNER: an Ethernet frame inside a tunnel, whose tags are passed, not kept (the
 * flow keeps the wire's outer tag). */
static int decode_vlans(struct cursor *c, struct xdpi_decoded *d, uint16_t type, bool inner)
{
	for (int i = 0;; i++) {
		if (type == ETHERTYPE_PPPOE_SESSION)
			return decode_pppoe(c, d);
		if (type == ETHERTYPE_MPLS || type == ETHERTYPE_MPLS_MC)
			return decode_mpls(c, d);
		if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ && type != ETHERTYPE_QINQ_OLD)
			return type;
		if (i == XDPI_DECODE_VLAN_MAX)
			return fail(d, XDPI_REASON_VLAN_TOO_MANY), -1;
		if (!have(c, 4))
			return fail(d, XDPI_REASON_VLAN_TRUNC), -1;
		if (!inner) {
			d->vlan[i] = xdpi_rd16(c->p + c->off) & 0x0fff;
			d->nvlan = (uint8_t)(i + 1);
		}
		type = xdpi_rd16(c->p + c->off + 2);
		c->off += 4;
	}
}

static uint16_t family_to_ethertype(uint32_t fam)
{
	if (fam == 2)
		return ETHERTYPE_IPV4;
	/* AF_INET6 differs by OS: Linux 10, BSDs 24, 28, 30 */
	if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
		return ETHERTYPE_IPV6;
	return 0;
}

/* ---- link layers: one table, shared by the pcap reader, replay and the pcap writer ---- */

static const struct {
	enum xdpi_link link;
	int dlt; /* pcap DLT (libpcap's numbers on Linux); the first row of a link is written */
} dlts[] = {
	{ XDPI_LINK_ETHERNET, 1 },   { XDPI_LINK_SLL, 113 },      { XDPI_LINK_SLL2, 276 },
	{ XDPI_LINK_RAW, 12 },       { XDPI_LINK_RAW, 101 },      { XDPI_LINK_RAW, 14 },
	{ XDPI_LINK_RAW, 228 },      { XDPI_LINK_RAW, 229 },      { XDPI_LINK_NULL, 0 },
	{ XDPI_LINK_LOOP, 108 },     { XDPI_LINK_PPP, 9 },        { XDPI_LINK_PPP, 50 },
	{ XDPI_LINK_PPPOE, 51 },     { XDPI_LINK_CHDLC, 104 },    { XDPI_LINK_PPI, 192 },
	{ XDPI_LINK_IEEE80211, 105 }, { XDPI_LINK_RADIOTAP, 127 },
};

int xdpi_link_dlt(enum xdpi_link l)
{
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
		if (dlts[i].link == l)
			return dlts[i].dlt;
	return -1;
}

int xdpi_link_from_dlt(int dlt, enum xdpi_link *out)
{
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
		if (dlts[i].dlt == dlt) {
			*out = dlts[i].link;
			return 0;
		}
	return -EPROTONOSUPPORT;
}

/* PPP: the HDLC address and control bytes may be there (ff 03) or not, and the protocol may
 * be compressed to one byte (an odd first byte). Cisco HDLC frames are found in PPP captures
 * too (serial links): address 0x0F or 0x8F, control 0, then an ethertype. */
static int ppp_header(struct cursor *c, uint16_t *type)
{
	uint16_t proto;

	if (have(c, 4) && (c->p[c->off] == 0x0f || c->p[c->off] == 0x8f) && c->p[c->off + 1] == 0) {
		*type = xdpi_rd16(c->p + c->off + 2);
		c->off += 4;
		return 0;
	}

	if (have(c, 2) && c->p[c->off] == 0xff && c->p[c->off + 1] == 0x03)
		c->off += 2;
	if (!have(c, 1))
		return -1;
	if (c->p[c->off] & 1) {
		proto = c->p[c->off];
		c->off += 1;
	} else {
		if (!have(c, 2))
			return -1;
		proto = xdpi_rd16(c->p + c->off);
		c->off += 2;
	}
	*type = proto == PPP_IPV4 ? ETHERTYPE_IPV4 : proto == PPP_IPV6 ? ETHERTYPE_IPV6 : 0;
	return 0;
}

/* 802.11: data frames only, not protected, with an LLC/SNAP header naming the ethertype. */
static int wlan_header(struct cursor *c, uint16_t *type)
{
	static const uint8_t snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	uint16_t fc;
	size_t hdr = 24;

	*type = 0;
	if (!have(c, 2))
		return -1;
	fc = xdpi_rd16le(c->p + c->off);
	if (((fc >> 2) & 3) != 2 || (fc & 0x4000) || (fc & 0x0040))
		return 0; /* not data, protected, or a null-data subtype */
	if ((fc & 0x0300) == 0x0300)
		hdr += 6; /* four addresses (WDS) */
	if (fc & 0x0080) {
		hdr += 2; /* QoS control */
		if (fc & 0x8000)
			hdr += 4; /* HT control */
	}
	if (!have(c, hdr + 8))
		return -1;
	c->off += hdr;
	if (memcmp(c->p + c->off, snap, sizeof(snap)))
		return 0;
	*type = xdpi_rd16(c->p + c->off + 6);
	c->off += 8;
	return 0;
}

/* The link header at c->off; DEPTH bounds PPI inside PPI. 0 with *TYPE (0: not IP), or -1. */
static int link_at(struct cursor *c, enum xdpi_link link, uint16_t *type, int depth)
{
	enum xdpi_link inner;
	uint32_t fam;
	size_t n;

	*type = 0;
	switch (link) {
	case XDPI_LINK_ETHERNET:
		if (!have(c, ETH_HLEN_))
			return -1;
		*type = xdpi_rd16(c->p + c->off + 12);
		c->off += ETH_HLEN_;
		return 0;
	case XDPI_LINK_SLL:
		if (!have(c, 16))
			return -1;
		*type = xdpi_rd16(c->p + c->off + 14);
		c->off += 16;
		return 0;
	case XDPI_LINK_SLL2:
		if (!have(c, 20))
			return -1;
		*type = xdpi_rd16(c->p + c->off);
		c->off += 20;
		return 0;
	case XDPI_LINK_RAW:
		if (!have(c, 1))
			return -1;
		*type = (c->p[c->off] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
		return 0;
	case XDPI_LINK_NULL:
	case XDPI_LINK_LOOP:
		if (!have(c, 4))
			return -1;
		fam = xdpi_rd32(c->p + c->off);
		/* the writer's byte order: a small number read big-endian is the other order */
		if (link == XDPI_LINK_NULL && fam > 0xffff)
			fam = __builtin_bswap32(fam);
		c->off += 4;
		*type = family_to_ethertype(fam);
		return 0;
	case XDPI_LINK_PPP:
		return ppp_header(c, type);
	case XDPI_LINK_PPPOE:
		*type = ETHERTYPE_PPPOE_SESSION; /* the session header is unwrapped with VLANs */
		return 0;
	case XDPI_LINK_CHDLC:
		if (!have(c, 4))
			return -1;
		*type = xdpi_rd16(c->p + c->off + 2);
		c->off += 4;
		return 0;
	case XDPI_LINK_RADIOTAP:
		if (!have(c, 4) || !have(c, (n = xdpi_rd16le(c->p + c->off + 2))) || n < 4)
			return -1;
		c->off += n;
		return wlan_header(c, type);
	case XDPI_LINK_IEEE80211:
		return wlan_header(c, type);
	case XDPI_LINK_PPI:
		if (!have(c, 8) || depth > 1)
			return -1;
		n = xdpi_rd16le(c->p + c->off + 2);
		if (n < 8 || !have(c, n) ||
		    xdpi_link_from_dlt((int)(c->p[c->off + 4] | c->p[c->off + 5] << 8 |
					     c->p[c->off + 6] << 16 | (uint32_t)c->p[c->off + 7] << 24),
				       &inner))
			return n < 8 || !have(c, n) ? -1 : 0;
		c->off += n;
		return link_at(c, inner, type, depth + 1);
	case XDPI_LINK_MAX:
		break;
	}
	return 0;
}

int xdpi_link_header(const struct xdpi_pkt *pkt, size_t *off, uint16_t *type)
{
	struct cursor c = { .p = pkt->data, .len = pkt->cap_len };

	if (link_at(&c, pkt->link, type, 0))
		return -EINVAL;
	*off = c.off;
	return 0;
}

/* Returns the ethertype of the network layer at c->off, 0 for "not IP", or -1. */
static int decode_link(struct cursor *c, const struct xdpi_pkt *pkt, struct xdpi_decoded *d)
{
	uint16_t type;

	if (link_at(c, pkt->link, &type, 0))
		return fail(d, pkt->link == XDPI_LINK_RAW ? XDPI_REASON_IPV4_TRUNC :
			    XDPI_REASON_ETH_TRUNC), -1;
	return decode_vlans(c, d, type, false);
}

static int decode_ipv4(struct cursor *c, struct xdpi_decoded *d)
{
	const uint8_t *ip = c->p + c->off;
	size_t hlen, totlen;
	uint16_t frag;

	if (!have(c, 20))
		return fail(d, XDPI_REASON_IPV4_TRUNC);
	if ((ip[0] >> 4) != 4)
		return fail(d, XDPI_REASON_IPV4_BAD_VERSION);
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	if (hlen < 20)
		return fail(d, XDPI_REASON_IPV4_BAD_IHL);
	if (!have(c, hlen))
		return fail(d, XDPI_REASON_IPV4_TRUNC);
	totlen = xdpi_rd16(ip + 2);
	if (totlen < hlen)
		return fail(d, XDPI_REASON_IPV4_BAD_TOTLEN);
	if (!c->truncated && c->off + totlen > c->len)
		return fail(d, XDPI_REASON_IPV4_BAD_TOTLEN);
	d->family = 4;
	d->proto = ip[9];
	memcpy(d->saddr, ip + 12, 4);
	memcpy(d->daddr, ip + 16, 4);
	d->l3_off = (uint16_t)c->off;
	frag = xdpi_rd16(ip + 6);
	if (frag & 0x1fff)
		d->frag = XDPI_DFRAG_LATER;
	else if (frag & 0x2000)
		d->frag = XDPI_DFRAG_FIRST;
	d->frag_off = (uint32_t)(frag & 0x1fff) * 8;
	d->frag_more = frag & 0x2000;
	d->frag_id = xdpi_rd16(ip + 4);
	d->payload_wire = (uint32_t)(totlen - hlen);
	/* Ethernet pads short frames: the datagram ends where its length says */
	if (c->off + totlen < c->len)
		c->len = c->off + totlen;
	c->off += hlen;
	return 0;
}

/* Destination options (type, length, data) of a type Suricata's decoder does not know: not
 * Pad1, PadN, the tunnel encapsulation limit, router alert, jumbo payload or home address. */
static bool dstopts_unknown(const uint8_t *o, size_t n)
{
	static const uint8_t known[] = { 0x00, 0x01, 0x04, 0x05, 0xc2, 0xc9 };

	for (size_t i = 0; i < n;) {
		if (!memchr(known, o[i], sizeof(known)))
			return true;
		if (o[i] == 0x00) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		i += 2 + (size_t)o[i + 1];
	}
	return false;
}

static int ipv6_ext(struct cursor *c, struct xdpi_decoded *d, uint8_t nh, uint8_t *next,
		    size_t *len)
{
	const uint8_t *h = c->p + c->off;

	*len = 0;
	if (nh != IPPROTO_HOPOPTS_ && nh != IPPROTO_ROUTING_ && nh != IPPROTO_DSTOPTS_ &&
	    nh != IPPROTO_AH_ && nh != IPPROTO_FRAGMENT_)
		return 0;
	if (!have(c, 8))
		return fail(d, XDPI_REASON_IPV6_EXT_TRUNC);
	*next = h[0];
	if (nh == IPPROTO_AH_)
		*len = (size_t)(h[1] + 2) * 4;
	else if (nh == IPPROTO_FRAGMENT_) {
		uint16_t off = xdpi_rd16(h + 2);

		*len = 8;
		if (off & 0xfff8)
			d->frag = XDPI_DFRAG_LATER;
		else if (off & 1)
			d->frag = XDPI_DFRAG_FIRST;
		d->frag_off = off & 0xfff8;
		d->frag_more = off & 1;
		if (!d->frag_off && !d->frag_more) /* the whole datagram: a useless header */
			d->events |= XDPI_DEV_IPV6_USELESS_FH;
		d->frag_id = xdpi_rd32(h + 4);
	} else {
		*len = (size_t)(h[1] + 1) * 8;
	}
	if (!have(c, *len))
		return fail(d, XDPI_REASON_IPV6_EXT_TRUNC);
	if (nh == IPPROTO_DSTOPTS_ && dstopts_unknown(h + 2, *len - 2))
		d->events |= XDPI_DEV_DSTOPTS_UNKNOWN;
	return 0;
}

/* The events of a fragment: a length not a multiple of 8 where more follow, an end past the
 * largest datagram. LEN: its bytes after the fragment header. */
static void frag_events(struct xdpi_decoded *d, bool has_fh, size_t len)
{
	if (!has_fh)
		return;
	if (d->frag_more && len % 8)
		d->events |= XDPI_DEV_FRAG_INVALID_LEN;
	if (d->frag_off + len > 65535)
		d->events |= XDPI_DEV_FRAG_TOO_LARGE;
}

static int decode_ipv6(struct cursor *c, struct xdpi_decoded *d)
{
	const uint8_t *ip = c->p + c->off;
	size_t plen, extlen = 0, len, frag_at = 0;
	bool has_fh = false;
	uint8_t nh;
	int i;

	if (!have(c, 40))
		return fail(d, XDPI_REASON_IPV6_TRUNC);
	if ((ip[0] >> 4) != 6)
		return fail(d, XDPI_REASON_IPV6_BAD_VERSION);
	plen = xdpi_rd16(ip + 4);
	if (!c->truncated && c->off + 40 + plen > c->len)
		return fail(d, XDPI_REASON_IPV6_TRUNC);
	d->family = 6;
	memcpy(d->saddr, ip + 8, 16);
	memcpy(d->daddr, ip + 24, 16);
	d->l3_off = (uint16_t)c->off;
	if (c->off + 40 + plen < c->len)
		c->len = c->off + 40 + plen;
	nh = ip[6];
	c->off += 40;
	for (i = 0; i < XDPI_IPV6_EXT_MAX; i++) {
		uint8_t next = 0;

		if (ipv6_ext(c, d, nh, &next, &len))
			return -EINVAL;
		if (len == 0)
			break;
		if (nh == IPPROTO_FRAGMENT_)
			has_fh = true, frag_at = extlen + len;
		c->off += len;
		extlen += len;
		nh = next;
		if (d->frag == XDPI_DFRAG_LATER)
			break;
	}
	if (i == XDPI_IPV6_EXT_MAX)
		return fail(d, XDPI_REASON_IPV6_EXT_TOO_MANY);
	if (extlen > plen)
		return fail(d, XDPI_REASON_IPV6_EXT_TRUNC);
	frag_events(d, has_fh, plen - frag_at);
	d->proto = nh;
	d->payload_wire = (uint32_t)(plen - extlen);
	return 0;
}

/* A capture cut by its snap length inside the L4 header (tcpdump -s 64 of a TCP packet with
 * options, or of IPv6): the ports make the flow; nothing past the cut is read. FLAGS_AT: the
 * TCP flags' offset, -1 for none. */
static int l4_cut(struct cursor *c, struct xdpi_decoded *d, const uint8_t *h, int flags_at)
{
	d->sport = xdpi_rd16(h);
	d->dport = xdpi_rd16(h + 2);
	if (flags_at >= 0 && have(c, (size_t)flags_at + 1))
		d->tcp_flags = h[flags_at];
	d->l4_cut = 1;
	d->payload_wire = 0;
	c->off = c->len;
	return 0;
}

static int decode_tcp(struct cursor *c, struct xdpi_decoded *d)
{
	const uint8_t *th = c->p + c->off;
	size_t hlen;

	if (!have(c, 20))
		return c->truncated && have(c, 4) ? l4_cut(c, d, th, 13)
						   : fail(d, XDPI_REASON_TCP_TRUNC);
	hlen = (size_t)(th[12] >> 4) * 4;
	if (hlen < 20 || hlen > d->payload_wire)
		return fail(d, XDPI_REASON_TCP_BAD_DOFF);
	if (!have(c, hlen))
		return c->truncated ? l4_cut(c, d, th, 13) : fail(d, XDPI_REASON_TCP_TRUNC);
	d->sport = xdpi_rd16(th);
	d->dport = xdpi_rd16(th + 2);
	d->tcp_seq = xdpi_rd32(th + 4);
	d->tcp_ack = xdpi_rd32(th + 8);
	d->tcp_flags = th[13];
	d->tcp_win = xdpi_rd16(th + 14);
	d->payload_wire -= (uint32_t)hlen;
	c->off += hlen;
	return 0;
}

static int decode_udp(struct cursor *c, struct xdpi_decoded *d)
{
	const uint8_t *uh = c->p + c->off;
	size_t ulen;

	if (!have(c, 8))
		return c->truncated && have(c, 4) ? l4_cut(c, d, uh, -1)
						  : fail(d, XDPI_REASON_UDP_TRUNC);
	ulen = xdpi_rd16(uh + 4);
	if (ulen < 8 || (d->frag == XDPI_DFRAG_NONE && ulen > d->payload_wire))
		return fail(d, XDPI_REASON_UDP_BAD_LEN);
	d->sport = xdpi_rd16(uh);
	d->dport = xdpi_rd16(uh + 2);
	d->payload_wire -= 8;
	c->off += 8;
	return 0;
}

static int decode_icmp(struct cursor *c, struct xdpi_decoded *d)
{
	const uint8_t *h = c->p + c->off;

	if (!have(c, 8))
		return fail(d, XDPI_REASON_ICMP_TRUNC);
	d->icmp_type = h[0];
	d->icmp_code = h[1];
	if ((d->proto == IPPROTO_ICMP_ && (h[0] == 8 || h[0] == 0)) ||
	    (d->proto == IPPROTO_ICMPV6_ && (h[0] == 128 || h[0] == 129))) {
		d->sport = xdpi_rd16(h + 4);
		d->dport = d->sport;
	}
	d->payload_wire = d->payload_wire > 8 ? d->payload_wire - 8 : 0;
	c->off += 8;
	return 0;
}

static int decode_l4(struct cursor *c, struct xdpi_decoded *d);

/* The network layer of type TYPE at c->off and, unless it is a later fragment, its L4
 * header. A type that is not IP leaves d->family 0. */
static int decode_net(struct cursor *c, struct xdpi_decoded *d, int type)
{
	int err;

	if (type == ETHERTYPE_IPV4)
		err = decode_ipv4(c, d);
	else if (type == ETHERTYPE_IPV6)
		err = decode_ipv6(c, d);
	else
		return 0;
	if (err)
		return err;
	d->l3_hdr = c->p + d->l3_off;
	d->l3_hlen = (uint16_t)(c->off - d->l3_off);
	if (d->frag != XDPI_DFRAG_NONE) {
		d->frag_data = c->p + c->off;
		d->frag_len = c->off < c->len ? (uint32_t)(c->len - c->off) : 0;
		d->frag_wire = d->payload_wire;
		if (d->frag_len > d->frag_wire)
			d->frag_len = d->frag_wire;
	}
	if (d->frag == XDPI_DFRAG_LATER)
		return 0;
	d->l4_off = (uint16_t)c->off;
	err = decode_l4(c, d);
	if (err)
		return err;
	d->l4_hdr = c->p + d->l4_off;
	d->l4_hlen = (uint16_t)(c->off - d->l4_off);
	return 0;
}

static struct xdpi_decode_opts decode_opts;

void xdpi_decode_set_opts(const struct xdpi_decode_opts *o)
{
	decode_opts = *o;
}

const struct xdpi_decode_opts *xdpi_decode_get_opts(void)
{
	return &decode_opts;
}

/* The tunnel header at c->off, by the carrier just decoded (d->proto): 1 with *T, 0 for
 * none, or -EINVAL with d->reason. A fragment is never entered: its inner packet is cut. */
static int tunnel_at(struct cursor *c, struct xdpi_decoded *d, struct xdpi_tun *t)
{
	uint8_t peek[XDPI_TUN_PEEK] = { 0 };
	uint32_t avail = c->off < c->len ? (uint32_t)(c->len - c->off) : 0, n;
	int r;

	if (d->frag != XDPI_DFRAG_NONE || d->l4_cut)
		return 0;
	if (d->proto == IPPROTO_IPIP_ || d->proto == IPPROTO_IPV6_) {
		if (decode_opts.tun_ignore & (1u << XDPI_TUN_IPIP))
			return 0;
		*t = (struct xdpi_tun){ .type = XDPI_TUN_IPIP,
					.next = d->proto == IPPROTO_IPIP_ ? XDPI_NEXT_IPV4 : XDPI_NEXT_IPV6 };
		return 1;
	}
	if (d->proto != IPPROTO_GRE_ &&
	    (d->proto != IPPROTO_UDP_ || !xdpi_tun_udp_port(d->sport, d->dport, decode_opts.vxlan_port)))
		return 0; /* the common packet: nothing copied, nothing read */
	if (avail > d->payload_wire)
		avail = d->payload_wire;
	n = avail < sizeof(peek) ? avail : (uint32_t)sizeof(peek);
	memcpy(peek, c->p + c->off, n);
	if (d->proto == IPPROTO_UDP_)
		r = xdpi_tun_udp(peek, n, d->payload_wire, d->sport, d->dport, decode_opts.tun_ignore,
				 decode_opts.vxlan_port, t);
	else
		r = xdpi_tun_gre(peek, n, decode_opts.tun_ignore, t);
	if (t->gtpc)
		d->gtpc = true;
	if (r < 0)
		return fail(d, (enum xdpi_reason)-r);
	if (r && t->hlen > avail)
		return fail(d, XDPI_REASON_TUNNEL_TRUNC);
	return r;
}

/* Leaves the carrier behind: the outermost one is kept as the tunnel's endpoints, the
 * layers' fields are cleared for the packet inside. */
static void enter_tunnel(struct xdpi_decoded *d, const struct xdpi_tun *t)
{
	struct xdpi_decoded keep = *d;

	if (!keep.tun_depth) {
		keep.outer.family = d->family;
		keep.outer.proto = d->proto;
		keep.outer.sport = d->proto == IPPROTO_UDP_ ? d->sport : 0;
		keep.outer.dport = d->proto == IPPROTO_UDP_ ? d->dport : 0;
		memcpy(keep.outer.saddr, d->saddr, 16);
		memcpy(keep.outer.daddr, d->daddr, 16);
	}
	memset(d, 0, sizeof(*d));
	memcpy(d->vlan, keep.vlan, sizeof(d->vlan));
	d->nvlan = keep.nvlan;
	d->pppoe = keep.pppoe;
	d->mpls = keep.mpls;
	d->gtpc = keep.gtpc;
	d->events = keep.events;
	d->outer = keep.outer;
	d->tun_depth = (uint8_t)(keep.tun_depth + 1);
	d->tun_seen = (uint16_t)(keep.tun_seen | 1u << t->type);
	d->tun_type = t->type;
	d->tun_id = t->id;
}

/* What a tunnel carries at c->off: the ethertype of its network layer (0: not IP). */
static int tunnel_inner(struct cursor *c, struct xdpi_decoded *d, const struct xdpi_tun *t)
{
	if (t->next == XDPI_NEXT_ETH) {
		if (!have(c, ETH_HLEN_))
			return fail(d, XDPI_REASON_TUNNEL_TRUNC), -1;
		c->off += ETH_HLEN_;
		return decode_vlans(c, d, xdpi_rd16(c->p + c->off - 2), true);
	}
	if (t->next == XDPI_NEXT_MPLS || t->next == XDPI_NEXT_MPLS_MC)
		return decode_mpls(c, d);
	return t->next == XDPI_NEXT_IPV4 || t->next == XDPI_NEXT_IPV6 ? t->next : 0;
}

int xdpi_decode(const struct xdpi_pkt *pkt, struct xdpi_decoded *d)
{
	struct cursor c = {
		.p = pkt->data,
		.len = pkt->cap_len,
		.truncated = pkt->snippet || pkt->cap_len < pkt->orig_len,
	};
	struct xdpi_tun t;
	int type, err;

	memset(d, 0, sizeof(*d));
	type = decode_link(&c, pkt, d);
	for (;;) {
		if (type < 0)
			return -EINVAL;
		err = decode_net(&c, d, type);
		if (err || !d->family)
			return err;
		err = tunnel_at(&c, d, &t);
		if (err < 0)
			return err;
		if (!err)
			break;
		if (d->tun_depth == XDPI_TUN_DEPTH_MAX)
			return fail(d, XDPI_REASON_TUNNEL_TOO_DEEP);
		c.off += t.hlen;
		enter_tunnel(d, &t);
		type = tunnel_inner(&c, d, &t);
	}
	d->payload = c.p + c.off;
	d->payload_len = c.off < c.len ? (uint32_t)(c.len - c.off) : 0;
	if (d->payload_len > d->payload_wire)
		d->payload_len = d->payload_wire;
	return 0;
}

const char *xdpi_tunnel_name(unsigned type)
{
	static const char *const names[] = {
#define XDPI_X_NAME(id, name) [XDPI_TUN_##id] = name,
		XDPI_TUNNELS(XDPI_X_NAME)
#undef XDPI_X_NAME
	};

	return type && type < XDPI_TUN_MAX ? names[type] : NULL;
}

int xdpi_tunnel_list_parse(const char *s, uint32_t *bits, size_t *at)
{
	const char *p = s;

	*bits = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned i;

		for (i = 1; i < XDPI_TUN_MAX; i++)
			if (strlen(xdpi_tunnel_name(i)) == n && !strncmp(p, xdpi_tunnel_name(i), n))
				break;
		if (i == XDPI_TUN_MAX) {
			*at = (size_t)(p - s);
			return -EINVAL;
		}
		*bits |= 1u << i;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int decode_l4(struct cursor *c, struct xdpi_decoded *d)
{
	switch (d->proto) {
	case IPPROTO_TCP_:
		return decode_tcp(c, d);
	case IPPROTO_UDP_:
		return decode_udp(c, d);
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		return decode_icmp(c, d);
	}
	return 0;
}

int xdpi_decode_l4(struct xdpi_decoded *d, const uint8_t *l4, uint32_t len)
{
	struct cursor c = { .p = l4, .len = len };
	int err;

	d->frag = XDPI_DFRAG_NONE;
	d->payload_wire = len;
	err = decode_l4(&c, d);
	if (err)
		return err;
	d->l4_hdr = l4;
	d->l4_hlen = (uint16_t)c.off;
	d->payload = c.p + c.off;
	d->payload_len = (uint32_t)(c.len - c.off);
	if (d->payload_len > d->payload_wire)
		d->payload_len = d->payload_wire;
	return 0;
}

static int endpoint_cmp(const struct xdpi_decoded *d)
{
	int r = memcmp(d->saddr, d->daddr, 16);

	if (r)
		return r;
	if (d->sport != d->dport)
		return d->sport < d->dport ? -1 : 1;
	return 0;
}

uint8_t xdpi_flow_key_from(const struct xdpi_decoded *d, struct xdpi_flow_key *k)
{
	uint8_t dir = endpoint_cmp(d) > 0;
	const uint8_t *a = dir ? d->daddr : d->saddr, *b = dir ? d->saddr : d->daddr;
	uint16_t pa = dir ? d->dport : d->sport, pb = dir ? d->sport : d->dport;

	memset(k, 0, sizeof(*k));
	memcpy(k->addr_a, a, 16);
	memcpy(k->addr_b, b, 16);
	k->port_a = __builtin_bswap16(pa);
	k->port_b = __builtin_bswap16(pb);
	k->vlan = d->nvlan ? d->vlan[0] : 0;
	k->proto = d->proto;
	k->family = d->family;
	k->tun_type = d->tun_type;
	k->tun_id = xdpi_tun_key_id(d->tun_type, d->tun_id);
	return dir;
}

uint8_t xdpi_flow_key_from_sock(const struct xdpi_sock_key *sk, struct xdpi_flow_key *k)
{
	struct xdpi_decoded d = { .family = sk->family, .proto = sk->proto, .sport = sk->lport,
				  .dport = sk->rport };

	memcpy(d.saddr, sk->laddr, sk->family == 4 ? 4 : 16);
	memcpy(d.daddr, sk->raddr, sk->family == 4 ? 4 : 16);
	return xdpi_flow_key_from(&d, k); /* the local end sends this "packet" */
}

/* The flow key's hash (both directions share the key, so the hash too): flow tables, worker
 * choice and flow ids use it. */
uint32_t xdpi_flow_key_hash(const struct xdpi_flow_key *k)
{
	_Static_assert(sizeof(*k) % 8 == 0, "the key hashes as whole 64-bit words");
	return (uint32_t)xdpi_hash_words(k, sizeof(*k) / 8);
}

const char *xdpi_reason_name(enum xdpi_reason r)
{
	static const char *const names[] = {
		[XDPI_REASON_NONE] = "none",
#define XDPI_X_NAME(id, name) [XDPI_REASON_##id] = name,
		XDPI_REASONS(XDPI_X_NAME)
#undef XDPI_X_NAME
	};

	return r < XDPI_REASON_MAX ? names[r] : "unknown";
}
