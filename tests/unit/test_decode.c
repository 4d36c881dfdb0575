// SPDX-License-Identifier: GPL-2.0
/* Decoder: every header case the fast path handles, malformed ones included. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/decode.h"
#include "../lib/pktbuild.h"
#include "../lib/tunnel_cases.h"

static uint8_t buf[4096];

static int decode_spec(const struct pkt_spec *s, struct xdpi_decoded *d, size_t *len)
{
	struct xdpi_pkt p = { .data = buf, .link = XDPI_LINK_ETHERNET };

	*len = pkt_build(s, buf, sizeof(buf));
	assert_true(*len > 0);
	p.cap_len = p.orig_len = (uint32_t)*len;
	return xdpi_decode(&p, d);
}

static int decode_bytes(const uint8_t *b, size_t n, enum xdpi_link link, struct xdpi_decoded *d)
{
	struct xdpi_pkt p = { .data = b, .cap_len = (uint32_t)n, .orig_len = (uint32_t)n,
			      .link = link };

	return xdpi_decode(&p, d);
}

static void test_decode_ipv4_tcp(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 40000, .dport = 80, .tcp_flags = 0x18, .payload = "GET /",
			      .plen = 5 };
	struct xdpi_decoded d;
	size_t len;

	(void)state;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.family, 4);
	assert_int_equal(d.proto, 6);
	assert_int_equal(d.sport, 40000);
	assert_int_equal(d.dport, 80);
	assert_int_equal(d.tcp_flags, 0x18);
	assert_int_equal(d.payload_len, 5);
	assert_memory_equal(d.payload, "GET /", 5);
}

static void test_decode_vlan_and_qinq(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 5353, .dport = 53, .nvlan = 2, .vlan = { 100, 200 },
			      .outer_tpid = 0x88a8 };
	struct xdpi_decoded d;
	size_t len;

	(void)state;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.nvlan, 2);
	assert_int_equal(d.vlan[0], 100);
	assert_int_equal(d.vlan[1], 200);
	assert_int_equal(d.dport, 53);
	s.nvlan = 3; /* three tags, as Suricata reads them */
	s.vlan[2] = 300;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.nvlan, 3);
	assert_int_equal(d.vlan[2], 300);
	s.nvlan = 4; /* the documented bound, XDPI_VLAN_MAX, in both halves */
	s.vlan[3] = 400;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.nvlan, 4);
	s.nvlan = 5;
	assert_int_equal(decode_spec(&s, &d, &len), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_VLAN_TOO_MANY);
}

static void test_decode_ipv4_options_and_fragments(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 1000, .dport = 2000, .ip_opt_words = 3, .frag = PKT_FRAG_FIRST,
			      .frag_id = 77, .payload = "abcdefgh", .plen = 8 };
	struct xdpi_decoded d;
	size_t len;

	(void)state;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.frag, XDPI_DFRAG_FIRST);
	assert_int_equal(d.frag_id, 77);
	assert_int_equal(d.dport, 2000);
	assert_int_equal(d.l4_off, 14 + 32);
	s.frag = PKT_FRAG_LATER;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.frag, XDPI_DFRAG_LATER);
	assert_int_equal(d.sport, 0); /* no L4 header in a later fragment */
	assert_int_equal(d.payload_len, 8);
}

static void test_decode_ipv6_ext_and_fragment(void **state)
{
	struct pkt_spec s = { .family = 6, .proto = 6, .src = "fd00::1", .dst = "fd00::2",
			      .sport = 1234, .dport = 443, .tcp_flags = 0x02, .v6_ext = 2,
			      .frag = PKT_FRAG_FIRST, .frag_id = 0xabcdef };
	struct xdpi_decoded d;
	size_t len;

	(void)state;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.family, 6);
	assert_int_equal(d.proto, 6);
	assert_int_equal(d.dport, 443);
	assert_int_equal(d.frag, XDPI_DFRAG_FIRST);
	assert_int_equal(d.frag_id, 0xabcdef);
	s.v6_ext = 6; /* + fragment header: 7 extension headers, over the limit */
	assert_int_equal(decode_spec(&s, &d, &len), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_IPV6_EXT_TOO_MANY);
}

static void test_decode_icmp_echo_id(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 1, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .icmp_type = 8, .icmp_id = 4242 };
	struct xdpi_decoded d;
	size_t len;

	(void)state;
	assert_int_equal(decode_spec(&s, &d, &len), 0);
	assert_int_equal(d.icmp_type, 8);
	assert_int_equal(d.sport, 4242);
	assert_int_equal(d.dport, 4242);
}

static void test_decode_rejects_malformed(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 1, .dport = 2 };
	struct xdpi_decoded d;
	size_t len;

	(void)state;
	decode_spec(&s, &d, &len);
	assert_int_equal(decode_bytes(buf, 10, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_ETH_TRUNC);
	assert_int_equal(decode_bytes(buf, 30, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_IPV4_TRUNC);
	buf[14] = 0x44; /* IHL 4 */
	assert_int_equal(decode_bytes(buf, len, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_IPV4_BAD_IHL);
	buf[14] = 0x55; /* version 5 */
	assert_int_equal(decode_bytes(buf, len, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_IPV4_BAD_VERSION);
	buf[14] = 0x45;
	buf[14 + 20 + 12] = 0x20; /* TCP data offset 2 */
	assert_int_equal(decode_bytes(buf, len, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_TCP_BAD_DOFF);
	buf[14 + 20 + 12] = 0x50;
	buf[16] = 0x10; /* total length 4096 > frame */
	assert_int_equal(decode_bytes(buf, len, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_IPV4_BAD_TOTLEN);
}

static void test_decode_snippet_tolerates_cut_payload(void **state)
{
	static const char body[600] = "x";
	struct pkt_spec s = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 1, .dport = 2, .payload = body, .plen = sizeof(body) };
	struct xdpi_pkt p = { .data = buf, .link = XDPI_LINK_ETHERNET, .snippet = true };
	struct xdpi_decoded d;
	size_t len = pkt_build(&s, buf, sizeof(buf));

	(void)state;
	p.orig_len = (uint32_t)len;
	p.cap_len = 128;
	assert_int_equal(xdpi_decode(&p, &d), 0);
	assert_int_equal(d.payload_wire, 600);
	assert_int_equal(d.payload_len, 128 - 54);
}

static void test_decode_link_types(void **state)
{
	struct pkt_spec s = { .family = 6, .proto = 17, .src = "fd00::1", .dst = "fd00::2",
			      .sport = 9, .dport = 53 };
	uint8_t frame[512];
	size_t len = pkt_build(&s, buf, sizeof(buf)), iplen = len - 14;
	struct xdpi_decoded d;

	(void)state;
	/* raw IP */
	assert_int_equal(decode_bytes(buf + 14, iplen, XDPI_LINK_RAW, &d), 0);
	assert_int_equal(d.dport, 53);
	/* BSD loopback, little-endian AF_INET6 = 24 */
	memcpy(frame, "\x18\0\0\0", 4);
	memcpy(frame + 4, buf + 14, iplen);
	assert_int_equal(decode_bytes(frame, iplen + 4, XDPI_LINK_NULL, &d), 0);
	assert_int_equal(d.family, 6);
	/* Linux cooked v1: protocol at 14 */
	memset(frame, 0, 16);
	frame[14] = 0x86, frame[15] = 0xdd;
	memcpy(frame + 16, buf + 14, iplen);
	assert_int_equal(decode_bytes(frame, iplen + 16, XDPI_LINK_SLL, &d), 0);
	assert_int_equal(d.dport, 53);
	/* Linux cooked v2: protocol first */
	memset(frame, 0, 20);
	frame[0] = 0x86, frame[1] = 0xdd;
	memcpy(frame + 20, buf + 14, iplen);
	assert_int_equal(decode_bytes(frame, iplen + 20, XDPI_LINK_SLL2, &d), 0);
	assert_int_equal(d.dport, 53);
}

static void test_decode_flow_key_is_canonical(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .src = "198.18.0.9", .dst = "198.18.0.2",
			      .sport = 5555, .dport = 80 };
	struct xdpi_flow_key k1, k2;
	struct xdpi_decoded d;
	size_t len;
	uint8_t dir1, dir2;

	(void)state;
	decode_spec(&s, &d, &len);
	dir1 = xdpi_flow_key_from(&d, &k1);
	s.src = "198.18.0.2", s.dst = "198.18.0.9", s.sport = 80, s.dport = 5555;
	decode_spec(&s, &d, &len);
	dir2 = xdpi_flow_key_from(&d, &k2);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_not_equal(dir1, dir2);
	assert_string_equal(xdpi_reason_name(XDPI_REASON_TCP_BAD_DOFF), "tcp_bad_data_offset");
}


/* The IPv4/TCP packet of ipv4_tcp() behind LINK's header HDR: the same flow comes out. */
static void expect_tcp_behind(const uint8_t *hdr, size_t hlen, enum xdpi_link link)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 40000, .dport = 80, .tcp_flags = 0x18, .payload = "GET /",
			      .plen = 5 };
	uint8_t eth[256], frame[300];
	struct xdpi_decoded d;
	size_t n = pkt_build(&s, eth, sizeof(eth));

	memcpy(frame, hdr, hlen);
	memcpy(frame + hlen, eth + 14, n - 14); /* the IP packet, without Ethernet */
	assert_int_equal(decode_bytes(frame, hlen + n - 14, link, &d), 0);
	assert_int_equal(d.family, 4);
	assert_int_equal(d.sport, 40000);
	assert_int_equal(d.dport, 80);
	assert_int_equal(d.payload_len, 5);
}

static void test_decode_ppp_chdlc_ppi_wlan(void **state)
{
	static const uint8_t ppp_hdlc[] = { 0xff, 0x03, 0x00, 0x21 }, ppp_bare[] = { 0x00, 0x21 },
			     ppp_pfc[] = { 0x21 }, chdlc[] = { 0x0f, 0x00, 0x08, 0x00 },
			     pppoe[] = { 0x11, 0x00, 0x12, 0x34, 0x00, 0x20, 0x00, 0x21 };
	/* PPI (8 bytes, inner DLT 1 = Ethernet) + Ethernet */
	static const uint8_t ppi_eth[] = { 0, 0, 8, 0, 1, 0, 0, 0, 2, 2, 2, 2, 2, 2,
					   4, 4, 4, 4, 4, 4, 0x08, 0x00 };
	/* radiotap (8 bytes) + 802.11 QoS data (26) + LLC/SNAP IPv4 */
	uint8_t wlan[8 + 26 + 8] = { 0, 0, 8, 0, 0, 0, 0, 0, 0x88, 0x02 };

	(void)state;
	memcpy(wlan + 34, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	expect_tcp_behind(ppp_hdlc, sizeof(ppp_hdlc), XDPI_LINK_PPP);
	expect_tcp_behind(ppp_bare, sizeof(ppp_bare), XDPI_LINK_PPP);
	expect_tcp_behind(ppp_pfc, sizeof(ppp_pfc), XDPI_LINK_PPP);
	expect_tcp_behind(chdlc, sizeof(chdlc), XDPI_LINK_CHDLC);
	expect_tcp_behind(pppoe, sizeof(pppoe), XDPI_LINK_PPPOE);
	expect_tcp_behind(ppi_eth, sizeof(ppi_eth), XDPI_LINK_PPI);
	expect_tcp_behind(wlan, sizeof(wlan), XDPI_LINK_RADIOTAP);
	expect_tcp_behind(wlan + 8, sizeof(wlan) - 8, XDPI_LINK_IEEE80211);
}

static void test_decode_link_table_round_trips(void **state)
{
	enum xdpi_link l;

	(void)state;
	for (int i = 0; i < XDPI_LINK_MAX; i++) {
		assert_int_equal(xdpi_link_from_dlt(xdpi_link_dlt((enum xdpi_link)i), &l), 0);
		assert_int_equal(l, i);
	}
	assert_int_equal(xdpi_link_from_dlt(147 /* USER0 */, &l), -EPROTONOSUPPORT);
}

/* tcpdump -s 64 of a TCP packet with options, and of IPv6: ports from a cut header, no
 * payload; without the cut (a whole packet too short) it stays malformed. */
static void test_decode_snap_cut_l4_header(void **state)
{
	struct pkt_spec s = { .family = 6, .proto = 6, .src = "fd00::1", .dst = "fd00::2",
			      .sport = 40000, .dport = 443, .tcp_flags = 0x02 };
	struct xdpi_pkt p = { .data = buf, .link = XDPI_LINK_ETHERNET };
	struct xdpi_decoded d;
	size_t len = pkt_build(&s, buf, sizeof(buf));

	(void)state;
	p.cap_len = 64; /* 14 + 40 + 10 bytes of TCP */
	p.orig_len = (uint32_t)len;
	assert_int_equal(xdpi_decode(&p, &d), 0);
	assert_int_equal(d.l4_cut, 1);
	assert_int_equal(d.sport, 40000);
	assert_int_equal(d.dport, 443);
	assert_int_equal(d.payload_len, 0);
	p.cap_len = 68; /* the flags byte too */
	assert_int_equal(xdpi_decode(&p, &d), 0);
	assert_int_equal(d.tcp_flags, 0x02);
	p.orig_len = 64, p.cap_len = 64; /* not cut by a snap length: the packet is short */
	assert_int_equal(xdpi_decode(&p, &d), -EINVAL);
}

/* What Suricata's decoder calls events on sound IPv6 packets: a fragment header on a whole
 * datagram, a fragment (more follow) not a multiple of 8, a destination option of no known
 * type. Raw IPv6 (no link header), UDP 8 bytes + 4 of payload. */
static void test_decode_ipv6_events(void **state)
{
	uint8_t p[40 + 16 + 12] = { 0x60, [4] = 0, 20, 44, 64, [8] = 0xfd, [23] = 1, [24] = 0xfd,
				    [39] = 2 };
	uint8_t *x = p + 40, *u = p + 48;
	struct xdpi_decoded d;

	(void)state;
	/* fragment header, offset 0, no more: useless */
	x[0] = 17, x[1] = 0, x[2] = 0, x[3] = 0;
	u[0] = 0x30, u[1] = 0x39, u[2] = 0, u[3] = 53, u[4] = 0, u[5] = 12;
	assert_int_equal(decode_bytes(p, 40 + 8 + 12, XDPI_LINK_RAW, &d), 0);
	assert_int_equal(d.events, XDPI_DEV_IPV6_USELESS_FH);
	/* offset 0, more follow, 12 bytes after the header: not a multiple of 8 */
	x[3] = 1;
	assert_int_equal(decode_bytes(p, 40 + 8 + 12, XDPI_LINK_RAW, &d), 0);
	assert_int_equal(d.events, XDPI_DEV_FRAG_INVALID_LEN);
	/* destination options: PadN (2 bytes), then type 0x1e (unknown), 2 bytes */
	p[6] = 60, p[5] = 16 + 12;
	memset(x, 0, 16);
	x[0] = 17, x[1] = 1, x[2] = 1, x[3] = 0, x[4] = 0x1e, x[5] = 2;
	x[8] = 1, x[9] = 6; /* PadN over the rest */
	memcpy(p + 56, "\x30\x39\x00\x35\x00\x0c\x00\x00" "abcd", 12);
	assert_int_equal(decode_bytes(p, sizeof(p), XDPI_LINK_RAW, &d), 0);
	assert_int_equal(d.events, XDPI_DEV_DSTOPTS_UNKNOWN);
	x[4] = 0x01; /* PadN there instead: nothing to say */
	assert_int_equal(decode_bytes(p, sizeof(p), XDPI_LINK_RAW, &d), 0);
	assert_int_equal(d.events, 0);
}


/* The fast path's table (tests/lib/tunnel_cases.h), read by user space: the same inner flow,
 * key and tunnel, and the outer endpoints kept for events. */
static void test_decode_tunnel_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tunnel_cases) / sizeof(tunnel_cases[0]); i++) {
		const struct tunnel_case *c = &tunnel_cases[i];
		struct pkt_spec s = tunnel_inner(c->inner_family);
		struct xdpi_decoded d;
		struct xdpi_flow_key k;
		uint8_t frame[1024], want[16] = { 0 };
		size_t n = tunnel_frame(c, frame, sizeof(frame));

		print_message("case %s\n", c->name);
		assert_true(n > 0);
		assert_int_equal(decode_bytes(frame, n, XDPI_LINK_ETHERNET, &d), 0);
		assert_int_equal(d.family, c->inner_family);
		assert_int_equal(d.proto, 6);
		assert_int_equal(d.dport, 80);
		assert_int_equal(d.tcp_flags, 0x02);
		inet_pton(c->inner_family == 6 ? AF_INET6 : AF_INET, s.src, want);
		assert_memory_equal(d.saddr, want, 16);
		assert_int_equal(d.tun_type, c->type);
		assert_int_equal(d.tun_depth, c->type ? 1 : 0);
		assert_int_equal(d.mpls, c->t.type == PKT_TUN_MPLS);
		xdpi_flow_key_from(&d, &k);
		assert_int_equal(k.tun_type, c->type);
		assert_int_equal(k.tun_id, c->key_id);
		assert_int_equal(k.vlan, c->t.nvlan ? c->t.vlan[0] : 0);
		if (c->type == XDPI_TUN_GTPU)
			assert_int_equal(d.tun_id, c->t.id); /* reported, not keyed */
		if (c->type) {
			memset(want, 0, sizeof(want));
			inet_pton(c->t.family == 6 ? AF_INET6 : AF_INET, c->t.src, want);
			assert_int_equal(d.outer.family, c->t.family);
			assert_memory_equal(d.outer.saddr, want, 16);
		}
	}
}

/* --tunnel-ignore and --vxlan-port; headers cut short or wrong; one tunnel too many. */
static void test_decode_tunnel_options_and_errors(void **state)
{
	const struct tunnel_case *vx = &tunnel_cases[0];
	struct xdpi_decode_opts o = { 0 };
	struct pkt_tunnel_spec t = vx->t;
	struct xdpi_decoded d;
	uint8_t a[1024], b[1024], c[1024];
	size_t la = tunnel_frame(vx, a, sizeof(a)), lb, lc, at;

	(void)state;
	assert_int_equal(xdpi_tunnel_list_parse("vxlan,gre", &o.tun_ignore, &at), 0);
	assert_int_equal(o.tun_ignore, 1u << XDPI_TUN_VXLAN | 1u << XDPI_TUN_GRE);
	assert_int_equal(xdpi_tunnel_list_parse("vxlan,nvgre", &o.tun_ignore, &at), -EINVAL);
	assert_int_equal(at, 6);
	o.tun_ignore = 1u << XDPI_TUN_VXLAN;
	xdpi_decode_set_opts(&o);
	assert_int_equal(decode_bytes(a, la, XDPI_LINK_ETHERNET, &d), 0);
	assert_int_equal(d.proto, 17); /* the outer view */
	assert_int_equal(d.dport, 4789);
	o.tun_ignore = 0;
	o.vxlan_port = 9999;
	xdpi_decode_set_opts(&o);
	t.dport = 9999;
	lb = pkt_encap(&t, a, la, b, sizeof(b)); /* VXLAN on 9999 around VXLAN on 4789 */
	assert_int_equal(decode_bytes(b, lb, XDPI_LINK_ETHERNET, &d), 0);
	assert_int_equal(d.tun_depth, 2);
	assert_int_equal(d.proto, 6);
	lc = pkt_encap(&t, b, lb, c, sizeof(c));
	assert_int_equal(decode_bytes(c, lc, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_TUNNEL_TOO_DEEP);
	o.vxlan_port = 0;
	xdpi_decode_set_opts(&o);
	assert_int_equal(decode_bytes(b, lb, XDPI_LINK_ETHERNET, &d), 0);
	assert_int_equal(d.tun_depth, 0); /* 9999 is plain UDP again */
	a[14 + 20 + 8] = 0; /* no I flag */
	assert_int_equal(decode_bytes(a, la, XDPI_LINK_ETHERNET, &d), -EINVAL);
	assert_int_equal(d.reason, XDPI_REASON_TUNNEL_BAD);
	a[14 + 20 + 8] = 0x08;
	/* a capture cut inside the inner Ethernet header: the tunnel says so */
	{
		struct xdpi_pkt p = { .data = a, .cap_len = 14 + 20 + 8 + 8 + 6, .orig_len = (uint32_t)la,
				      .link = XDPI_LINK_ETHERNET };

		assert_int_equal(xdpi_decode(&p, &d), -EINVAL);
		assert_int_equal(d.reason, XDPI_REASON_TUNNEL_TRUNC);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ipv4_tcp),
		cmocka_unit_test(test_decode_ppp_chdlc_ppi_wlan),
		cmocka_unit_test(test_decode_link_table_round_trips),
		cmocka_unit_test(test_decode_snap_cut_l4_header),
		cmocka_unit_test(test_decode_vlan_and_qinq),
		cmocka_unit_test(test_decode_ipv4_options_and_fragments),
		cmocka_unit_test(test_decode_ipv6_ext_and_fragment),
		cmocka_unit_test(test_decode_icmp_echo_id),
		cmocka_unit_test(test_decode_rejects_malformed),
		cmocka_unit_test(test_decode_snippet_tolerates_cut_payload),
		cmocka_unit_test(test_decode_link_types),
		cmocka_unit_test(test_decode_flow_key_is_canonical),
		cmocka_unit_test(test_decode_ipv6_events),
		cmocka_unit_test(test_decode_tunnel_cases),
		cmocka_unit_test(test_decode_tunnel_options_and_errors),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
