// SPDX-License-Identifier: GPL-2.0
/* Decoder: every header case the fast path handles, malformed ones included. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/decode.h"
#include "../lib/pktbuild.h"

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
	s.nvlan = 3;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_ipv4_tcp),
		cmocka_unit_test(test_decode_vlan_and_qinq),
		cmocka_unit_test(test_decode_ipv4_options_and_fragments),
		cmocka_unit_test(test_decode_ipv6_ext_and_fragment),
		cmocka_unit_test(test_decode_icmp_echo_id),
		cmocka_unit_test(test_decode_rejects_malformed),
		cmocka_unit_test(test_decode_snippet_tolerates_cut_payload),
		cmocka_unit_test(test_decode_link_types),
		cmocka_unit_test(test_decode_flow_key_is_canonical),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
