// SPDX-License-Identifier: GPL-2.0
/* TLS dissector: a real Chrome ClientHello (JA3, JA4, SNI, ALPN as tshark computes them), fed
 * whole and byte by byte; a ServerHello and JA3S; 0-RTT data before the ServerHello; a record
 * stream lost to a gap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../lib/dissect_harness.h"
#include "../data/packets/tls_chrome_client_hello.inc"

/* A TLS 1.3 ServerHello record: cipher 0x1302, supported_versions 0x0304, key_share. */
static const uint8_t server_hello[] = {
	0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56, 0x03, 0x03,
	/* random */ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
	0x00, /* no session id */ 0x13, 0x02, 0x00,
	0x00, 0x2e, /* extensions */
	0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
	0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static void test_tls_client_hello_fingerprints(void **state)
{
	struct harness *h = harness_new("tls", XDPI_L4_TCP);

	(void)state;
	assert_int_equal(h->d->probe(chrome_client_hello, sizeof(chrome_client_hello), XDPI_L4_TCP, 0),
			 XDPI_DISSECT_OK);
	harness_feed(h, 0, chrome_client_hello, sizeof(chrome_client_hello), 4, false);
	harness_feed(h, 1, server_hello, sizeof(server_hello), 6, false);
	assert_int_equal(h->n, 1); /* TLS 1.3: the hellos are all there is to see */
	assert_string_equal(harness_str(h, 0, "tls", "sni"), "www.iit.cnr.it");
	assert_string_equal(harness_str(h, 0, "tls", "ja4"), "t13d1516h2_8daaf6152771_e5627efa2ab1");
	assert_string_equal(harness_str(h, 0, "tls", "version"), "TLS 1.3");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(h->ev[0], "tls"), "ja3"), "hash")), "aa50c12a5dfa717d9d6ab34e97de79d5");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(h->ev[0], "tls"), "ja3s"), "string")), "771,4866,43-51");
	assert_int_equal(harness_int(h, 0, "xdpi", "client_hello_pcap_cnt"), 4);
	harness_free(h);
}

static void test_tls_records_split_byte_by_byte(void **state)
{
	struct harness *h = harness_new("tls", XDPI_L4_TCP);

	(void)state;
	for (size_t i = 0; i < sizeof(chrome_client_hello); i++)
		harness_feed(h, 0, chrome_client_hello + i, 1, i, false);
	harness_end(h);
	assert_int_equal(h->n, 1);
	assert_string_equal(harness_str(h, 0, "tls", "ja4"), "t13d1516h2_8daaf6152771_e5627efa2ab1");
	assert_string_equal(harness_str(h, 0, "tls", "version"), "UNDETERMINED");
	harness_free(h);
}

static void test_tls_early_data_waits_for_server_hello(void **state)
{
	static const uint8_t early[] = { 0x17, 0x03, 0x03, 0x00, 0x04, 'e', 'a', 'r', 'l' };
	struct harness *h = harness_new("tls", XDPI_L4_TCP);

	(void)state;
	harness_feed(h, 0, chrome_client_hello, sizeof(chrome_client_hello), 1, false);
	harness_feed(h, 0, early, sizeof(early), 2, false);
	assert_int_equal(h->n, 0);
	harness_feed(h, 1, server_hello, sizeof(server_hello), 3, false);
	assert_int_equal(h->n, 1);
	assert_int_equal(harness_int(h, 0, "xdpi", "server_hello_pcap_cnt"), 3);
	harness_free(h);
}

/* An SSLv2-format ClientHello asking for TLS 1.0 (as old clients open): read as the TLS hello
 * it stands for, the SSLv2-only cipher spec left out of JA3; TLS records follow it. */
static void test_tls_sslv2_client_hello(void **state)
{
	static const uint8_t v2[] = {
		0x80, 0x1f, 0x01, 0x03, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x10,
		0x00, 0x00, 0x2f, 0x07, 0x00, 0xc0, /* TLS_RSA_WITH_AES_128_CBC_SHA, an SSLv2 spec */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, /* challenge */
		0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00, /* an alert record after it */
	};
	struct harness *h = harness_new("tls", XDPI_L4_TCP);

	(void)state;
	assert_int_equal(h->d->probe(v2, sizeof(v2), XDPI_L4_TCP, 0), XDPI_DISSECT_OK);
	harness_feed(h, 0, v2, sizeof(v2), 1, false);
	harness_end(h);
	assert_int_equal(h->n, 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(h->ev[0], "tls"), "ja3"), "string")), "769,47,,,");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_object_get(h->ev[0], "tls"), "client_handshake"), "version")), "TLS 1.0");
	harness_free(h);
}

/* A client that writes two bytes of its own before the ClientHello: still TLS, still read. */
static void test_tls_two_bytes_before_hello(void **state)
{
	struct harness *h = harness_new("tls", XDPI_L4_TCP);
	uint8_t buf[sizeof(chrome_client_hello) + 2] = { 0x00, 0x05 };

	(void)state;
	memcpy(buf + 2, chrome_client_hello, sizeof(chrome_client_hello));
	assert_int_equal(h->d->probe(buf, sizeof(buf), XDPI_L4_TCP, 0), XDPI_DISSECT_OK);
	assert_int_equal(h->d->probe(buf, sizeof(buf), XDPI_L4_TCP, 1), XDPI_DISSECT_NOT_MINE);
	buf[7] = 2; /* a ServerHello inside: not a client's, refused */
	assert_int_equal(h->d->probe(buf, sizeof(buf), XDPI_L4_TCP, 0), XDPI_DISSECT_NOT_MINE);
	buf[7] = chrome_client_hello[5];
	harness_feed(h, 0, buf, sizeof(buf), 4, false);
	harness_end(h);
	assert_int_equal(h->n, 1);
	assert_string_equal(harness_str(h, 0, "tls", "sni"), "www.iit.cnr.it");
	harness_free(h);
}

static void test_tls_bad_record_and_probe(void **state)
{
	static const uint8_t junk[] = { 0x16, 0x03, 0x03, 0xff, 0xff, 0x01 };
	struct harness *h = harness_new("tls", XDPI_L4_TCP);

	(void)state;
	assert_int_equal(h->d->probe(junk, sizeof(junk), XDPI_L4_TCP, 0), XDPI_DISSECT_NOT_MINE);
	assert_int_equal(h->d->probe((const uint8_t *)"GET / HTTP/1.1", 14, XDPI_L4_TCP, 0),
			 XDPI_DISSECT_NOT_MINE);
	assert_int_equal(harness_feed(h, 0, junk, sizeof(junk), 1, false), XDPI_DISSECT_MALFORMED);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_client_hello_fingerprints),
		cmocka_unit_test(test_tls_records_split_byte_by_byte),
		cmocka_unit_test(test_tls_early_data_waits_for_server_hello),
		cmocka_unit_test(test_tls_bad_record_and_probe),
		cmocka_unit_test(test_tls_sslv2_client_hello),
		cmocka_unit_test(test_tls_two_bytes_before_hello),
	};

	return cmocka_run_group_tests_name("tls", tests, NULL, NULL);
}
