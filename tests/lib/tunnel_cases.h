/* SPDX-License-Identifier: GPL-2.0 */
/* One table of encapsulations both halves are tested on (tests/bpf/test_fastpath.c runs each
 * through the XDP program, tests/unit/test_decode.c through the user-space decoder): a TCP
 * SYN inside each, and what either must make of it. */
#ifndef XDPI_TEST_TUNNEL_CASES_H
#define XDPI_TEST_TUNNEL_CASES_H

#include <string.h>
#include "pktbuild.h"
#include "shared/xdpi_tunnel.h"

struct tunnel_case {
	const char *name;
	struct pkt_tunnel_spec t;
	int inner_family;
	uint8_t type;    /* enum xdpi_tunnel the packet is read as (NONE: MPLS) */
	uint32_t key_id; /* the flow key's tun_id */
};

#define TUN_V4(ty, i) .type = (ty), .id = (i), .family = 4, .src = "198.18.9.1", .dst = "198.18.9.2"
#define TUN_V6(ty, i) .type = (ty), .id = (i), .family = 6, .src = "fd00::91", .dst = "fd00::92"

static const struct tunnel_case tunnel_cases[] = {
	{ "vxlan", { TUN_V4(PKT_TUN_VXLAN, 42) }, 4, XDPI_TUN_VXLAN, 42 },
	{ "vxlan_linux_port_ipv6", { TUN_V6(PKT_TUN_VXLAN, 7), .dport = 8472 }, 6, XDPI_TUN_VXLAN, 7 },
	{ "vxlan_outer_qinq", { TUN_V4(PKT_TUN_VXLAN, 3), .nvlan = 2, .vlan = { 10, 20 } }, 4,
	  XDPI_TUN_VXLAN, 3 },
	{ "geneve_with_option", { TUN_V4(PKT_TUN_GENEVE, 0xabcdef) }, 6, XDPI_TUN_GENEVE, 0xabcdef },
	{ "gre_key", { TUN_V4(PKT_TUN_GRE, 5) }, 4, XDPI_TUN_GRE, 5 },
	{ "gretap_key_seq_ipv6", { TUN_V6(PKT_TUN_GRETAP, 9) }, 4, XDPI_TUN_GRE, 9 },
	{ "erspan_type2", { TUN_V4(PKT_TUN_ERSPAN2, 100) }, 4, XDPI_TUN_ERSPAN, 100 },
	{ "erspan_type3_subheader", { TUN_V4(PKT_TUN_ERSPAN3, 200) }, 4, XDPI_TUN_ERSPAN, 200 },
	{ "gtpu_extension", { TUN_V4(PKT_TUN_GTPU, 0x12345678) }, 4, XDPI_TUN_GTPU, 0 },
	{ "ipip_4in4", { TUN_V4(PKT_TUN_IPIP, 0) }, 4, XDPI_TUN_IPIP, 0 },
	{ "sit_6in4", { TUN_V4(PKT_TUN_IPIP, 0) }, 6, XDPI_TUN_IPIP, 0 },
	{ "ip6tnl_4in6", { TUN_V6(PKT_TUN_IPIP, 0) }, 4, XDPI_TUN_IPIP, 0 },
	{ "teredo", { TUN_V4(PKT_TUN_TEREDO, 0) }, 6, XDPI_TUN_TEREDO, 0 },
	{ "mpls_two_labels", { .type = PKT_TUN_MPLS, .id = 3 }, 4, XDPI_TUN_NONE, 0 },
};

/* The inner packet of every case: a SYN between two addresses of FAMILY. */
static inline struct pkt_spec tunnel_inner(int family)
{
	struct pkt_spec s = { .family = family, .proto = 6, .sport = 40000, .dport = 80,
			      .tcp_flags = 0x02 };

	s.src = family == 6 ? "fd00::a" : "198.18.0.1";
	s.dst = family == 6 ? "fd00::b" : "198.18.0.2";
	return s;
}

/* Case C's frame into BUF; its length, 0 if it does not fit. */
static inline size_t tunnel_frame(const struct tunnel_case *c, uint8_t *buf, size_t cap)
{
	uint8_t inner[512];
	struct pkt_spec s = tunnel_inner(c->inner_family);
	size_t n = pkt_build(&s, inner, sizeof(inner));

	return n ? pkt_encap(&c->t, inner, n, buf, cap) : 0;
}

#endif
