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
	uint16_t vlan[6];
	uint16_t outer_tpid; /* 0: 0x8100 for every tag */
	int ip_opt_words;    /* IPv4 options, in 4-byte words */
	int frag;            /* enum pkt_frag */
	uint32_t frag_id;
	int v6_ext;          /* IPv6: number of hop-by-hop/dst-options headers before L4 */
	uint8_t icmp_type;
	uint16_t icmp_id;
	int raw_l4;          /* no L4 header: the payload follows the IP header (GRE, IP in IP) */
};

/* Tunnels pkt_encap wraps a frame in. */
enum pkt_tunnel {
	PKT_TUN_VXLAN = 1,
	PKT_TUN_GENEVE,   /* with one 8-byte option */
	PKT_TUN_GRE,      /* GRE with a key, carrying IP */
	PKT_TUN_GRETAP,   /* GRE with a key and a sequence number, carrying Ethernet */
	PKT_TUN_ERSPAN2,
	PKT_TUN_ERSPAN3,
	PKT_TUN_GTPU,     /* with a PDU session extension header */
	PKT_TUN_IPIP,     /* the inner IP packet right after the outer IP header */
	PKT_TUN_TEREDO,   /* the inner packet must be IPv6 */
	PKT_TUN_MPLS,     /* two labels, then the inner IP packet */
};

struct pkt_tunnel_spec {
	int type;            /* enum pkt_tunnel */
	uint32_t id;         /* VNI, key, session id, TEID */
	int family;          /* the outer IP version */
	const char *src, *dst;
	uint16_t sport;      /* UDP tunnels' source port (0: 40000) */
	uint16_t dport;      /* 0: the tunnel's own port */
	int nvlan;           /* outer VLAN tags */
	uint16_t vlan[4];
};

/* Writes the frame into buf; returns its length (0 if it does not fit). */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

/* Wraps the Ethernet frame INNER (from pkt_build, without VLAN tags) in tunnel T: Ethernet
 * tunnels carry it whole, the others its IP packet. Returns the outer frame's length (0 if
 * it does not fit). */
size_t pkt_encap(const struct pkt_tunnel_spec *t, const uint8_t *inner, size_t len, uint8_t *buf,
		 size_t cap);

#endif
