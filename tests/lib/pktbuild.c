// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
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
	size_t l4h = s->frag == PKT_FRAG_LATER ? 0 : l4_header(s, l4), l4len = l4h + s->plen;

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
