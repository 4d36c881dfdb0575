// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include "pktbuild.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t l4_header(const struct pkt_spec *s, uint8_t *p)
{
	if (s->proto == 6) {
		memset(p, 0, 20);
		put16(p, s->sport);
		put16(p + 2, s->dport);
		p[4] = 1; /* seq 0x01000000 unless given */
		if (s->seq) {
			p[4] = (uint8_t)(s->seq >> 24), p[5] = (uint8_t)(s->seq >> 16);
			p[6] = (uint8_t)(s->seq >> 8), p[7] = (uint8_t)s->seq;
		}
		p[8] = (uint8_t)(s->ack >> 24), p[9] = (uint8_t)(s->ack >> 16);
		p[10] = (uint8_t)(s->ack >> 8), p[11] = (uint8_t)s->ack;
		p[12] = 5 << 4;
		p[13] = s->tcp_flags;
		put16(p + 14, 65535);
		return 20;
	}
	if (s->proto == 17) {
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, (uint16_t)(8 + s->plen));
		put16(p + 6, 0);
		return 8;
	}
	memset(p, 0, 8);
	p[0] = s->icmp_type;
	put16(p + 4, s->icmp_id);
	return 8;
}

static size_t ipv4_header(const struct pkt_spec *s, uint8_t *p, size_t l4len)
{
	size_t hl = 20 + (size_t)s->ip_opt_words * 4;
	uint16_t frag = 0;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | (hl / 4));
	put16(p + 2, (uint16_t)(hl + l4len));
	put16(p + 4, (uint16_t)s->frag_id);
	if (s->frag == PKT_FRAG_FIRST)
		frag = 0x2000;
	else if (s->frag == PKT_FRAG_LATER)
		frag = 185; /* offset 1480 bytes */
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = s->proto;
	inet_pton(AF_INET, s->src, p + 12);
	inet_pton(AF_INET, s->dst, p + 16);
	for (size_t i = 20; i < hl; i++)
		p[i] = 1; /* NOP options */
	return hl;
}

static size_t ipv6_header(const struct pkt_spec *s, uint8_t *p, size_t l4len)
{
	size_t off = 40;
	uint8_t *next = p + 6;

	memset(p, 0, 40);
	p[0] = 0x60;
	inet_pton(AF_INET6, s->src, p + 8);
	inet_pton(AF_INET6, s->dst, p + 24);
	p[7] = 64;
	for (int i = 0; i < s->v6_ext; i++) {
		*next = i == 0 ? 0 : 60; /* hop-by-hop first, then destination options */
		memset(p + off, 0, 8);
		p[off + 2] = 1, p[off + 3] = 4; /* PadN */
		next = p + off;
		off += 8;
	}
	if (s->frag) {
		*next = 44;
		memset(p + off, 0, 8);
		put16(p + off + 2, s->frag == PKT_FRAG_FIRST ? 1 : (1480 | 1));
		p[off + 4] = (uint8_t)(s->frag_id >> 24), p[off + 5] = (uint8_t)(s->frag_id >> 16);
		p[off + 6] = (uint8_t)(s->frag_id >> 8), p[off + 7] = (uint8_t)s->frag_id;
		next = p + off;
		off += 8;
	}
	*next = s->proto;
	put16(p + 4, (uint16_t)(off - 40 + l4len));
	return off;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	uint8_t l4[64], *p = buf;
	size_t l4h = s->frag == PKT_FRAG_LATER || s->raw_l4 ? 0 : l4_header(s, l4);
	size_t l4len = l4h + s->plen;

	if (cap < 14 + 12 + 60 + 64 + l4len)
		return 0;
	memset(p, 0x02, 12);
	p += 12;
	for (int i = 0; i < s->nvlan; i++) {
		put16(p, i == 0 && s->outer_tpid ? s->outer_tpid : 0x8100);
		put16(p + 2, s->vlan[i]);
		p += 4;
	}
	put16(p, s->family == 6 ? 0x86dd : 0x0800);
	p += 2;
	p += s->family == 6 ? ipv6_header(s, p, l4len) : ipv4_header(s, p, l4len);
	memcpy(p, l4, l4h);
	p += l4h;
	if (s->plen)
		memcpy(p, s->payload, s->plen);
	p += s->plen;
	return (size_t)(p - buf);
}

/* The tunnel's own header before what it carries; returns its length, *PROTO the outer
 * protocol (17 UDP, 47 GRE, 4/41 IP in IP), *PORT the UDP port. */
static size_t tunnel_header(const struct pkt_tunnel_spec *t, int inner_family, uint8_t *h,
			    uint8_t *proto, uint16_t *port)
{
	memset(h, 0, 64);
	*proto = 17;
	switch (t->type) {
	case PKT_TUN_VXLAN:
		h[0] = 0x08;
		h[4] = (uint8_t)(t->id >> 16), h[5] = (uint8_t)(t->id >> 8), h[6] = (uint8_t)t->id;
		*port = 4789;
		return 8;
	case PKT_TUN_GENEVE:
		h[0] = 2; /* two words of options */
		put16(h + 2, 0x6558);
		h[4] = (uint8_t)(t->id >> 16), h[5] = (uint8_t)(t->id >> 8), h[6] = (uint8_t)t->id;
		put16(h + 8, 0x0102), h[10] = 3, h[11] = 1; /* an option of one word */
		*port = 6081;
		return 16;
	case PKT_TUN_GTPU:
		h[0] = 0x34; /* version 1, GTP, extension header follows */
		h[1] = 0xff;
		put16(h + 4, (uint16_t)(t->id >> 16)), put16(h + 6, (uint16_t)t->id);
		h[11] = 0x85;           /* PDU session container */
		h[12] = 1, h[15] = 0;   /* one word, no more */
		*port = 2152;
		return 16;
	case PKT_TUN_TEREDO:
		*port = 3544;
		return 0;
	case PKT_TUN_IPIP:
		*proto = inner_family == 6 ? 41 : 4;
		return 0;
	case PKT_TUN_GRE:
		*proto = 47;
		put16(h, 0x2000);
		put16(h + 2, inner_family == 6 ? 0x86dd : 0x0800);
		put16(h + 4, (uint16_t)(t->id >> 16)), put16(h + 6, (uint16_t)t->id);
		return 8;
	case PKT_TUN_GRETAP:
		*proto = 47;
		put16(h, 0x3000);
		put16(h + 2, 0x6558);
		put16(h + 4, (uint16_t)(t->id >> 16)), put16(h + 6, (uint16_t)t->id);
		h[11] = 7; /* sequence number */
		return 12;
	case PKT_TUN_ERSPAN2:
		*proto = 47;
		put16(h, 0x1000);
		put16(h + 2, 0x88be);
		h[7] = 1;
		put16(h + 8, 0x1000);               /* version 1 (type II), VLAN 0 */
		put16(h + 10, (uint16_t)(t->id & 0x3ff));
		return 16;
	case PKT_TUN_ERSPAN3:
		*proto = 47;
		put16(h, 0x1000);
		put16(h + 2, 0x22eb);
		h[7] = 1;
		put16(h + 8, 0x2000);               /* version 2 (type III) */
		put16(h + 10, (uint16_t)(t->id & 0x3ff));
		h[19] = 1;                           /* O: the platform subheader follows */
		return 8 + 12 + 8;
	}
	return 0;
}

static bool carries_ethernet(int type)
{
	return type == PKT_TUN_VXLAN || type == PKT_TUN_GENEVE || type == PKT_TUN_GRETAP ||
	       type == PKT_TUN_ERSPAN2 || type == PKT_TUN_ERSPAN3;
}

/* MPLS: the outer frame is Ethernet, two labels, the inner IP packet. */
static size_t mpls_frame(const struct pkt_tunnel_spec *t, const uint8_t *ip, size_t len,
			 uint8_t *buf, size_t cap)
{
	if (cap < 14 + 8 + len)
		return 0;
	memset(buf, 0x02, 12);
	put16(buf + 12, 0x8847);
	buf[14] = 0, buf[15] = 0x01, buf[16] = (uint8_t)(t->id << 4), buf[17] = 64;
	buf[18] = 0, buf[19] = 0x02, buf[20] = 0x01, buf[21] = 64; /* bottom of stack */
	memcpy(buf + 22, ip, len);
	return 22 + len;
}

size_t pkt_encap(const struct pkt_tunnel_spec *t, const uint8_t *inner, size_t len, uint8_t *buf,
		 size_t cap)
{
	uint8_t payload[4096], hdr[64], proto;
	uint16_t port = 0;
	int inner_family = len > 14 && inner[12] == 0x86 ? 6 : 4;
	size_t hl = tunnel_header(t, inner_family, hdr, &proto, &port);
	const uint8_t *carried = carries_ethernet(t->type) ? inner : inner + 14;
	size_t clen = carries_ethernet(t->type) ? len : len - 14;
	struct pkt_spec o = { .family = t->family, .proto = proto, .src = t->src, .dst = t->dst,
			      .sport = t->sport ? t->sport : 40000, .dport = t->dport ? t->dport : port,
			      .raw_l4 = proto != 17, .nvlan = t->nvlan };

	if (len < 14 || hl + clen > sizeof(payload))
		return 0;
	if (t->type == PKT_TUN_MPLS)
		return mpls_frame(t, carried, clen, buf, cap);
	memcpy(o.vlan, t->vlan, sizeof(t->vlan));
	memcpy(payload, hdr, hl);
	memcpy(payload + hl, carried, clen);
	o.payload = payload;
	o.plen = hl + clen;
	return pkt_build(&o, buf, cap);
}
