/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny packet builder for tests: Ethernet, VLAN tags, IPv4 (options, fragments), IPv6
 * (extension headers, fragments), TCP, UDP, ICMP. */
#ifndef XDPI_TEST_PKTBUILD_H
#define XDPI_TEST_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

enum pkt_frag { PKT_FRAG_NONE, PKT_FRAG_FIRST, PKT_FRAG_LATER };

struct pkt_spec {
	int family;          /* 4 or 6 */
	uint8_t proto;       /* 6, 17, 1, 58 */
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq, ack;   /* TCP (0: seq 0x01000000, as before) */
	const void *payload;
	size_t plen;
	int nvlan;           /* 0..4 */
	uint16_t vlan[4];
	uint16_t outer_tpid; /* 0: 0x8100 for every tag */
	int ip_opt_words;    /* IPv4 options, in 4-byte words */
	int frag;            /* enum pkt_frag */
	uint32_t frag_id;
	int v6_ext;          /* IPv6: number of hop-by-hop/dst-options headers before L4 */
	uint8_t icmp_type;
	uint16_t icmp_id;
};

/* Writes the frame into buf; returns its length (0 if it does not fit). */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

#endif
