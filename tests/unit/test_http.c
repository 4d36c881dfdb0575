// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.x dissector: pairing under keep-alive and pipelining, chunked and length bodies,
 * 100-continue, HEAD, resynchronisation after a gap, SSDP over UDP, incomplete transactions;
 * message-aware steering: what it asks the kernel to skip, and bodies that arrive skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../lib/dissect_harness.h"

static const struct xdpi_dissector *http(void)
{
	return xdpi_dissector_find("http");
}

static void feed(struct harness *h, uint8_t dir, const char *s, uint64_t ts)
{
	harness_feed(h, dir, s, strlen(s), ts, h->ctx.gap);
	h->ctx.gap = false;
}

static const char *hs(struct harness *h, int i, const char *key)
{
	return harness_str(h, i, "http", key);
}

static json_int_t hi(struct harness *h, int i, const char *obj, const char *key)
{
	return harness_int(h, i, obj, key);
}

static void test_http_pipelined_requests_pair_in_order(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	(void)state;
	feed(h, 0, "GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: t/1\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", 1000000);
	feed(h, 1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 3000000);
	feed(h, 1, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 4000000);
	assert_int_equal(h->n, 2);
	assert_string_equal(hs(h, 0, "url"), "/a");
	assert_int_equal(hi(h, 0, "http", "status"), 200);
	assert_int_equal(hi(h, 0, "http", "length"), 5);
	assert_string_equal(hs(h, 0, "http_user_agent"), "t/1");
	assert_int_equal(hi(h, 0, "xdpi", "latency_us"), 2000);
	assert_string_equal(hs(h, 1, "url"), "/b");
	assert_int_equal(hi(h, 1, "http", "status"), 404);
	assert_string_equal(hs(h, 1, "status_string"), "Not Found");
	harness_free(h);
}

static void test_http_chunked_post_with_continue(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	(void)state;
	feed(h, 0, "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n", 1);
	feed(h, 1, "HTTP/1.1 100 Continue\r\n\r\n", 2);
	feed(h, 0, "4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nTrailer: x\r\n\r\n", 3);
	feed(h, 1, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", 4);
	assert_int_equal(h->n, 1);
	assert_int_equal(hi(h, 0, "http", "status"), 201);
	assert_int_equal(hi(h, 0, "http", "length"), 2);
	assert_int_equal(hi(h, 0, "xdpi", "request_body_length"), 7);
	assert_int_equal(hi(h, 0, "xdpi", "interim_status"), 100);
	assert_true(json_is_true(json_object_get(json_object_get(h->ev[0], "xdpi"), "complete")));
	harness_free(h);
}

static void test_http_head_response_has_no_body(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	(void)state;
	feed(h, 0, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	feed(h, 1, "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 2);
	assert_int_equal(h->n, 2);
	assert_int_equal(hi(h, 0, "http", "length"), 0);
	assert_string_equal(hs(h, 1, "url"), "/next");
	assert_int_equal(hi(h, 1, "http", "length"), 2);
	harness_free(h);
}

static void test_http_resyncs_after_gap_and_reports_incomplete(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	(void)state;
	feed(h, 0, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	feed(h, 1, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nxxxx", 2);
	h->ctx.gap = true; /* the kernel stopped copying (head steering), then a new request */
	feed(h, 0, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n", 3);
	h->ctx.gap = true;
	feed(h, 1, "tail of the body\r\nHTTP/1.1 304 Not Modified\r\n\r\n", 4);
	assert_int_equal(h->n, 2);
	assert_string_equal(hs(h, 0, "url"), "/big"); /* its response cut by the gap */
	assert_true(json_is_false(json_object_get(json_object_get(h->ev[0], "xdpi"), "complete")));
	assert_true(json_is_true(json_object_get(json_object_get(h->ev[0], "xdpi"), "gap")));
	assert_string_equal(hs(h, 1, "url"), "/after");
	assert_int_equal(hi(h, 1, "http", "status"), 304);
	harness_free(h);
}

static void test_http_ssdp_over_udp(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_UDP);

	(void)state;
	assert_int_equal(http()->probe((const uint8_t *)"M-SEARCH * HTTP/1.1\r\n", 21, XDPI_L4_UDP, 0),
			 XDPI_DISSECT_OK);
	feed(h, 0, "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n\r\n", 1);
	assert_int_equal(h->n, 1);
	assert_string_equal(hs(h, 0, "http_method"), "M-SEARCH");
	assert_string_equal(hs(h, 0, "hostname"), "239.255.255.250:1900");
	harness_free(h);
}

/* Keep-alive with a large Content-Length body: the body after the first bytes is asked to be
 * skipped, arrives skipped, and the transaction ends complete at the skip's time; the next
 * transaction parses from the head that follows. */
static void test_http_length_body_skipped(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	(void)state;
	h->ctx.inspect_stages = 0; /* no rules: nothing keeps bodies */
	harness_steering(h);
	feed(h, 0, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	assert_int_equal(h->steer_mode[0], XDPI_MSG_COPY); /* the next request's head */
	feed(h, 1, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789", 2);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_SEQ);
	assert_int_equal(h->steer_n[1], 100000 - 10);
	assert_true(h->steer_head[1]); /* a message head follows the body: the kernel's budget */
	assert_int_equal(h->n, 0);
	harness_skip(h, 1, 100000 - 10, 7);
	assert_int_equal(h->n, 1);
	assert_int_equal(hi(h, 0, "http", "status"), 200);
	assert_int_equal(hi(h, 0, "http", "length"), 100000);
	assert_true(json_is_true(json_object_get(json_object_get(h->ev[0], "xdpi"), "complete")));
	assert_int_equal(hi(h, 0, "xdpi", "latency_us"), 0); /* ts 1 -> 7 ns */
	assert_int_equal(h->steer_mode[1], XDPI_MSG_COPY); /* after the body: the next head */
	feed(h, 0, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n", 8);
	feed(h, 1, "HTTP/1.1 204 No Content\r\n\r\n", 9);
	assert_int_equal(h->n, 2);
	assert_string_equal(hs(h, 1, "url"), "/next");
	assert_int_equal(hi(h, 1, "http", "status"), 204);
	harness_free(h);
}

/* Chunked: each chunk's data is skipped, its size line copied. */
static void test_http_chunks_skipped(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	(void)state;
	h->ctx.inspect_stages = 0;
	harness_steering(h);
	feed(h, 0, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	feed(h, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\nabcd", 2);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_SEQ);
	assert_int_equal(h->steer_n[1], 0x1000 - 4);
	assert_false(h->steer_head[1]); /* a size line follows a chunk: no budget */
	harness_skip(h, 1, 0x1000 - 4, 3);
	feed(h, 1, "\r\n20\r\n", 4);
	assert_int_equal(h->steer_n[1], 0x20);
	harness_skip(h, 1, 0x20, 5);
	feed(h, 1, "\r\n0\r\n\r\n", 6);
	assert_int_equal(h->n, 1);
	assert_int_equal(hi(h, 0, "http", "length"), 0x1000 + 0x20);
	assert_true(json_is_true(json_object_get(json_object_get(h->ev[0], "xdpi"), "complete")));
	harness_free(h);
}

/* With rules on bodies, the first bytes detection keeps are copied, only the rest skipped;
 * a body read until the connection closes is skipped whole; more skipped than the body is
 * a gap: the transaction is reported incomplete and the direction resynchronises. */
static void test_http_skip_limits(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);
	char body[XDPI_INSPECT_BODY_MAX + 1];

	(void)state;
	harness_steering(h); /* the harness's detection wants every stage */
	feed(h, 0, "GET /r HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	feed(h, 1, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", 2);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_COPY); /* detection keeps the first bytes */
	memset(body, 'b', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	feed(h, 1, body, 3);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_SEQ);
	assert_int_equal(h->steer_n[1], 100000 - XDPI_INSPECT_BODY_MAX);
	harness_skip(h, 1, 100000 - XDPI_INSPECT_BODY_MAX + 50, 4); /* 50 too many */
	assert_int_equal(h->n, 1);
	assert_true(json_is_true(json_object_get(json_object_get(h->ev[0], "xdpi"), "complete")));
	feed(h, 0, "GET /close HTTP/1.0\r\n\r\n", 5);
	feed(h, 1, "HTTP/1.0 200 OK\r\n\r\nxyz", 6);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_COPY); /* detection's share first */
	harness_free(h);

	h = harness_new("http", XDPI_L4_TCP);
	h->ctx.inspect_stages = 0;
	harness_steering(h);
	feed(h, 0, "GET /close HTTP/1.0\r\n\r\n", 1);
	feed(h, 1, "HTTP/1.0 200 OK\r\n\r\nxyz", 2);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_SKIP); /* until close: nothing more */
	harness_skip(h, 1, 1000, 3);
	harness_end(h);
	assert_int_equal(h->n, 1);
	assert_int_equal(hi(h, 0, "http", "length"), 1003);
	harness_free(h);

	h = harness_new("http", XDPI_L4_TCP);
	h->ctx.inspect_stages = 0;
	harness_steering(h);
	feed(h, 0, "GET /x HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	feed(h, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 2);
	harness_skip(h, 1, 60, 3); /* the body, and 50 bytes nobody asked to skip */
	assert_int_equal(h->n, 1);
	assert_true(json_is_true(json_object_get(json_object_get(h->ev[0], "xdpi"), "complete")));
	feed(h, 1, "garbage HTTP/1.1 200 OK\r\n", 4); /* resynchronising: not a head */
	assert_int_equal(h->steer_mode[1], XDPI_MSG_COPY);
	harness_free(h);
}

static void test_http_probe(void **state)
{
	(void)state;
	assert_int_equal(http()->probe((const uint8_t *)"GE", 2, XDPI_L4_TCP, 0), XDPI_DISSECT_NEED_MORE);
	assert_int_equal(http()->probe((const uint8_t *)"\x16\x03\x01\x02", 4, XDPI_L4_TCP, 0),
			 XDPI_DISSECT_NOT_MINE);
	assert_int_equal(http()->probe((const uint8_t *)"HTTP/1.1 200 OK\r\n", 17, XDPI_L4_TCP, 1),
			 XDPI_DISSECT_OK);
}

/* ---- bodies as a browser reads them (evasions from noxxi.de's HTTP Evader) ---- */

#define EICAR "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

/* The response body detection saw for one request and this response (bytes, length). */
static struct harness *respond(const void *resp, size_t n)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	feed(h, 0, "GET /e HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	harness_feed(h, 1, resp, n, 2, false);
	harness_end(h);
	return h;
}

static struct harness *respond_s(const char *resp)
{
	return respond(resp, strlen(resp));
}

/* gzip of EICAR (python3 gzip.compress, mtime 0) */
static const uint8_t eicar_gz[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x8b, 0x30, 0xf5, 0x57,
	0x0c, 0x50, 0x75, 0x70, 0x0c, 0x88, 0x36, 0x89, 0x09, 0x88, 0x8a, 0x30, 0x35, 0xd1,
	0x08, 0x88, 0xd3, 0x34, 0x77, 0x76, 0xd6, 0x34, 0xaf, 0x55, 0x71, 0xf5, 0x74, 0x76,
	0x0c, 0xd2, 0x0d, 0x0e, 0x71, 0xf4, 0x73, 0x71, 0x0c, 0x72, 0xd1, 0x75, 0xf4, 0x0b,
	0xf1, 0x0c, 0xf3, 0x0c, 0x0a, 0x0d, 0xd6, 0x0d, 0x71, 0x0d, 0x0e, 0xd1, 0x75, 0xf3,
	0xf4, 0x71, 0x55, 0x54, 0xf1, 0xd0, 0xf6, 0xd0, 0x02, 0x00, 0x3c, 0xcf, 0x51, 0x68,
	0x44, 0x00, 0x00, 0x00,
};

static void expect_eicar(struct harness *h)
{
	assert_int_equal(h->inspected[XDPI_STAGE_HTTP_RESPONSE], 1);
	assert_non_null(strstr(h->resp_body, "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"));
	assert_non_null(strstr(h->resp_body, "X5O!P%@AP[4"));
}

/* A gzip body, its header the standard one or with a flag zlib refuses; claimed as deflate;
 * two layers; and a body that claims gzip but is not compressed at all. */
static void test_http_encoded_bodies_decoded(void **state)
{
	char head[256], msg[512];
	uint8_t bad[sizeof(eicar_gz)];
	struct harness *h;
	int n;

	(void)state;
	const char *codings[] = { "gzip", "x-gzip", "deflate", "Gzip,identity", "\xa0gzip" };
	for (size_t i = 0; i < sizeof(codings) / sizeof(codings[0]); i++) {
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 200 ok\r\nContent-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
			     codings[i], sizeof(eicar_gz));
		memcpy(msg, head, (size_t)n);
		memcpy(msg + n, eicar_gz, sizeof(eicar_gz));
		h = respond(msg, (size_t)n + sizeof(eicar_gz));
		expect_eicar(h);
		assert_int_equal(harness_int(h, 0, "http", "length"), sizeof(eicar_gz));
		harness_free(h);
	}
	memcpy(bad, eicar_gz, sizeof(bad));
	bad[3] = 0x80; /* a reserved flag: past the header, as raw deflate */
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 ok\r\nContent-Encoding: gzip\r\n\r\n");
	memcpy(msg, head, (size_t)n);
	memcpy(msg + n, bad, sizeof(bad));
	h = respond(msg, (size_t)n + sizeof(bad));
	expect_eicar(h);
	harness_free(h);
	h = respond_s("HTTP/1.1 200 ok\r\nContent-Encoding: gzip\r\nContent-Length: 68\r\n\r\n" EICAR);
	expect_eicar(h); /* not compressed after all: the bytes as they are */
	harness_free(h);
}

/* Framing a strict reader misses: bare CR line ends, a folded Transfer-Encoding, NUL bytes
 * in its name and value, repeated fields, a 204 with a length, a blank line before the first
 * chunk size, sizes with junk after them, and a size that is none (read to close). */
static void test_http_lenient_framing(void **state)
{
	static const char chunks[] = "4\r\nX5O!\r\n4\r\nP%@A\r\n4\r\nP[4\\\r\n4\r\nPZX5\r\n4\r\n"
		"4(P^\r\n4\r\n)7CC\r\n4\r\n)7}$\r\n4\r\nEICA\r\n4\r\nR-ST\r\n4\r\nANDA\r\n4\r\n"
		"RD-A\r\n4\r\nNTIV\r\n4\r\nIRUS\r\n4\r\n-TES\r\n4\r\nT-FI\r\n4\r\nLE!$\r\n4\r\n"
		"H+H*\r\n0\r\n\r\n";
#define HEAD(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *p;
		size_t n;
	} heads[] = {
		HEAD("HTTP/1.1 200 ok\rTransfer-Encoding: chunked\rX: y\r\n\n"),
		HEAD("HTTP/1.1 200 ok\r\nTransfer-Encoding:\r\n \r\n chunked\r\n\r\n"),
		HEAD("HTTP/1.1 200 ok\r\nTransfer\0-Encoding\v:chu\0nked\r\n\r\n"),
		HEAD("HTTP/1.1 200 ok\r\nTransfer-Encoding: lalala\r\nTransfer-Encoding: chunked\r\n\r\n"),
		HEAD("HTTP/1\0.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n"),
		HEAD("HTTP/1.1\rTransfer-Encoding: chunked\r\n\r\n"),
		HEAD("\r\rHTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n"),
		HEAD("HTTP/1.1 204 ok\r\nTransfer-Encoding: chunked\r\n\r\n"),
		HEAD("HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\nX: y\n \n"),
	};
#undef HEAD
	char msg[1024];
	struct harness *h;

	(void)state;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		memcpy(msg, heads[i].p, heads[i].n);
		memcpy(msg + heads[i].n, chunks, sizeof(chunks) - 1);
		h = respond(msg, heads[i].n + sizeof(chunks) - 1);
		expect_eicar(h);
		harness_free(h);
	}
	h = respond_s("HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"
		      "fx\r\nX5O!P%@AP[4\\PZX\r\n0F\r\n54(P^)7CC)7}$EI\r\n f \r\nCAR-STANDARD-AN\r\n"
		      "f\r\nTIVIRUS-TEST-FI\r\n8\r\nLE!$H+H*\r\n0\r\n\r\n");
	expect_eicar(h);
	assert_int_equal(harness_int(h, 0, "http", "status"), 200);
	harness_free(h);
	/* not a size: the rest of the connection is the body, size lines and all */
	h = respond_s("HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\n\r\nzz" EICAR "\r\n");
	expect_eicar(h);
	harness_free(h);
}

/* http.uri as libhtp normalises it: percent-decoded, "." and ".." resolved; .raw as sent. */
static void test_http_uri_normalised(void **state)
{
	struct harness *h = harness_new("http", XDPI_L4_TCP);

	(void)state;
	feed(h, 0, "GET /a/./b/../c%2Fd%41?q=%7Dk%zz HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	assert_string_equal(h->uri, "/a/c/dA?q=}k%zz");
	assert_string_equal(h->raw_uri, "/a/./b/../c%2Fd%41?q=%7Dk%zz");
	feed(h, 0, "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 2);
	assert_string_equal(h->uri, "/etc/passwd");
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_pipelined_requests_pair_in_order),
		cmocka_unit_test(test_http_chunked_post_with_continue),
		cmocka_unit_test(test_http_head_response_has_no_body),
		cmocka_unit_test(test_http_resyncs_after_gap_and_reports_incomplete),
		cmocka_unit_test(test_http_ssdp_over_udp),
		cmocka_unit_test(test_http_probe),
		cmocka_unit_test(test_http_length_body_skipped),
		cmocka_unit_test(test_http_chunks_skipped),
		cmocka_unit_test(test_http_skip_limits),
		cmocka_unit_test(test_http_encoded_bodies_decoded),
		cmocka_unit_test(test_http_lenient_framing),
		cmocka_unit_test(test_http_uri_normalised),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
