// SPDX-License-Identifier: GPL-2.0
/* DNS dissector: messages over UDP and TCP (split, several per segment), compression and its
 * loop protection, over-long names, pairing with response time. Events read back by jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../lib/dissect_harness.h"

static const struct xdpi_dissector *dns(void)
{
	return xdpi_dissector_find("dns");
}

static const char *str(json_t *ev, const char *path1, const char *path2)
{
	json_t *o = json_object_get(json_object_get(ev, "dns"), path1);

	return json_string_value(path2 ? json_object_get(json_array_get(o, 0), path2) : o);
}

/* query "www.example.com" A, id 0x1234 */
static const uint8_t query[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w',
				 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
/* its answer: the question, then www.example.com A 198.18.0.9 via a pointer to offset 12 */
static const uint8_t answer[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 'w', 'w', 'w',
				  7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
				  0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 9 };

static void test_dns_query_answer_and_response_time(void **state)
{
	struct harness *h = harness_new("dns", XDPI_L4_UDP);

	(void)state;
	assert_int_equal(dns()->probe(query, sizeof(query), XDPI_L4_UDP, 0), XDPI_DISSECT_OK);
	h->ctx.ts = 1000000;
	assert_int_equal(dns()->parse(&h->ctx, query, sizeof(query)), XDPI_DISSECT_OK);
	h->ctx.ts = 3000000;
	h->ctx.dir = 1;
	assert_int_equal(dns()->parse(&h->ctx, answer, sizeof(answer)), XDPI_DISSECT_OK);
	assert_int_equal(h->n, 2);
	assert_string_equal(str(h->ev[0], "type", NULL), "request");
	assert_string_equal(str(h->ev[0], "queries", "rrname"), "www.example.com");
	assert_string_equal(str(h->ev[1], "rcode", NULL), "NOERROR");
	assert_string_equal(str(h->ev[1], "answers", "rrname"), "www.example.com");
	assert_string_equal(str(h->ev[1], "answers", "rdata"), "198.18.0.9");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(h->ev[1], "xdpi"),
							   "response_time_us")), 2000);
	/* detection saw the question, then the response as a whole */
	assert_int_equal(h->inspected[XDPI_STAGE_DNS_QUERY], 1);
	assert_int_equal(h->inspected[XDPI_STAGE_DNS_RESPONSE], 1);
	harness_free(h);
}

static void test_dns_rejects_label_loop(void **state)
{
	uint8_t m[sizeof(answer)];
	struct harness *h = harness_new("dns", XDPI_L4_UDP);

	(void)state;
	memcpy(m, answer, sizeof(m));
	m[33] = 0xc0, m[34] = 33; /* the answer's name points at itself */
	assert_int_equal(dns()->parse(&h->ctx, m, sizeof(m)), XDPI_DISSECT_MALFORMED);
	assert_int_equal(h->n, 1); /* the event still reports what was sound */
	assert_string_equal(str(h->ev[0], "queries", "rrname"), "www.example.com");
	assert_null(json_object_get(json_object_get(h->ev[0], "dns"), "answers"));
	harness_free(h);
}

static void test_dns_over_long_name_is_cut_and_counted(void **state)
{
	uint8_t m[600] = { 0x00, 0x01, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t o = 12;
	struct harness *h = harness_new("dns", XDPI_L4_UDP);

	(void)state;
	for (int i = 0; i < 6; i++) { /* 6 labels of 63 bytes: 384 > 255 */
		m[o++] = 63;
		memset(m + o, 'a' + i, 63);
		o += 63;
	}
	m[o++] = 0, m[o++] = 0, m[o++] = 16, m[o++] = 0, m[o++] = 1;
	dns()->parse(&h->ctx, m, o);
	assert_int_equal(h->n, 1);
	assert_true(strlen(str(h->ev[0], "queries", "rrname")) <= 255);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(h->ev[0], "xdpi"),
							   "names_truncated")), 1);
	harness_free(h);
}

static void test_dns_tcp_split_and_batched(void **state)
{
	uint8_t stream[2 * (2 + sizeof(query))];
	struct harness *h = harness_new("dns", XDPI_L4_TCP);

	(void)state;
	for (int i = 0; i < 2; i++) {
		uint8_t *p = stream + i * (2 + sizeof(query));

		p[0] = 0, p[1] = sizeof(query);
		memcpy(p + 2, query, sizeof(query));
	}
	assert_int_equal(dns()->probe(stream, 1, XDPI_L4_TCP, 0), XDPI_DISSECT_NEED_MORE);
	assert_int_equal(dns()->probe(stream, sizeof(stream), XDPI_L4_TCP, 0), XDPI_DISSECT_OK);
	dns()->parse(&h->ctx, stream, 1);          /* one byte of the length */
	dns()->parse(&h->ctx, stream + 1, 20);     /* into the first message */
	dns()->parse(&h->ctx, stream + 21, sizeof(stream) - 21); /* its end and a whole second */
	assert_int_equal(h->n, 2);
	assert_string_equal(str(h->ev[1], "queries", "rrname"), "www.example.com");
	harness_free(h);
}

/* A message over TCP far larger than a first buffer (80 answers, 1,313 bytes) in pieces of 100
 * bytes: the kept bytes grow with it and lose nothing. */
static void test_dns_tcp_large_message_in_pieces(void **state)
{
	enum { N = 80, LEN = sizeof(query) + N * 16 };
	uint8_t stream[2 + LEN];
	struct harness *h = harness_new("dns", XDPI_L4_TCP);
	json_t *answers;

	(void)state;
	stream[0] = LEN >> 8, stream[1] = LEN & 0xff;
	memcpy(stream + 2, query, sizeof(query));
	stream[2 + 2] = 0x81, stream[2 + 3] = 0x80; /* a response */
	stream[2 + 6] = 0, stream[2 + 7] = N;     /* its answer count */
	for (int i = 0; i < N; i++) {
		uint8_t rr[16] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 1, (uint8_t)i };

		memcpy(stream + 2 + sizeof(query) + i * 16, rr, 16);
	}
	for (size_t off = 0; off < sizeof(stream); off += 100)
		dns()->parse(&h->ctx, stream + off, sizeof(stream) - off < 100 ? sizeof(stream) - off : 100);
	assert_int_equal(h->n, 1);
	answers = json_object_get(json_object_get(h->ev[0], "dns"), "answers");
	assert_int_equal(json_array_size(answers), N);
	assert_string_equal(json_string_value(json_object_get(json_array_get(answers, N - 1), "rdata")),
			    "198.18.1.79");
	harness_free(h);
}

static void test_dns_probe_says_not_mine(void **state)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	uint8_t big[600];

	(void)state;
	assert_int_equal(dns()->probe((const uint8_t *)http, sizeof(http) - 1, XDPI_L4_UDP, 0),
			 XDPI_DISSECT_NOT_MINE);
	/* over TCP "GE" reads as a length of 18245: DNS waits for 512 bytes (HTTP claims the
	 * flow meanwhile) and judges the message's start */
	assert_int_equal(dns()->probe((const uint8_t *)http, sizeof(http) - 1, XDPI_L4_TCP, 0),
			 XDPI_DISSECT_NEED_MORE);
	memset(big, 'a', sizeof(big));
	memcpy(big, http, sizeof(http) - 1);
	assert_int_equal(dns()->probe(big, sizeof(big), XDPI_L4_TCP, 0), XDPI_DISSECT_NOT_MINE);
	/* a whole message is judged whole: 40 bytes that are no DNS message are refused */
	big[0] = 0, big[1] = 40;
	assert_int_equal(dns()->probe(big, 20, XDPI_L4_TCP, 0), XDPI_DISSECT_NEED_MORE);
	assert_int_equal(dns()->probe(big, 42, XDPI_L4_TCP, 0), XDPI_DISSECT_NOT_MINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_query_answer_and_response_time),
		cmocka_unit_test(test_dns_rejects_label_loop),
		cmocka_unit_test(test_dns_over_long_name_is_cut_and_counted),
		cmocka_unit_test(test_dns_tcp_split_and_batched),
		cmocka_unit_test(test_dns_tcp_large_message_in_pieces),
		cmocka_unit_test(test_dns_probe_says_not_mine),
	};

	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
