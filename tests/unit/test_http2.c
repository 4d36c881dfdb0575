// SPDX-License-Identifier: GPL-2.0
/* HTTP/2 dissector and gRPC over it: a call whose server streams messages longer than 255
 * bytes, the DATA frame fed a few bytes at a time, counts every message once and reports the
 * call's status from its trailers. (HPACK blocks made with nghttp2's own encoder.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nghttp2/nghttp2.h>
#include "../lib/dissect_harness.h"

struct wire {
	uint8_t b[4096];
	size_t n;
};

static void frame(struct wire *w, uint8_t type, uint8_t flags, uint32_t sid, const uint8_t *p,
		  size_t len)
{
	uint8_t *h = w->b + w->n;

	h[0] = (uint8_t)(len >> 16), h[1] = (uint8_t)(len >> 8), h[2] = (uint8_t)len;
	h[3] = type, h[4] = flags;
	h[5] = (uint8_t)(sid >> 24), h[6] = (uint8_t)(sid >> 16), h[7] = (uint8_t)(sid >> 8);
	h[8] = (uint8_t)sid;
	if (len)
		memcpy(h + 9, p, len);
	w->n += 9 + len;
}

static void headers(struct wire *w, nghttp2_hd_deflater *def, uint8_t flags, uint32_t sid,
		    const nghttp2_nv *nv, size_t nnv)
{
	uint8_t block[512];
	ssize_t n = nghttp2_hd_deflate_hd(def, block, sizeof(block), nv, nnv);

	assert_true(n > 0);
	frame(w, 1, flags | 0x4 /* END_HEADERS */, sid, block, (size_t)n);
}

/* Both sides' header encoders, and the client's preface and SETTINGS in C. */
static void connection_start(struct wire *c, nghttp2_hd_deflater **dc, nghttp2_hd_deflater **ds)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

	assert_int_equal(nghttp2_hd_deflate_new(dc, 4096), 0);
	assert_int_equal(nghttp2_hd_deflate_new(ds, 4096), 0);
	memcpy(c->b, preface, sizeof(preface) - 1);
	c->n = sizeof(preface) - 1;
	frame(c, 4, 0, 0, NULL, 0); /* SETTINGS */
}

#define NV(k, v) { (uint8_t *)(k), (uint8_t *)(v), sizeof(k) - 1, sizeof(v) - 1, 0 }

/* One gRPC message: the compressed flag, its length (big-endian), then LEN bytes. */
static size_t grpc_msg(uint8_t *p, uint32_t len)
{
	p[0] = 0;
	p[1] = (uint8_t)(len >> 24), p[2] = (uint8_t)(len >> 16), p[3] = (uint8_t)(len >> 8);
	p[4] = (uint8_t)len;
	memset(p + 5, 'x', len);
	return 5 + len;
}

static void test_grpc_long_messages_in_pieces(void **state)
{
	struct harness *h = harness_new("http2", XDPI_L4_TCP);
	nghttp2_hd_deflater *dc, *ds;
	const nghttp2_nv req[] = { NV(":method", "POST"), NV(":scheme", "http"),
				   NV(":path", "/greet.Greeter/Stream"), NV(":authority", "lab"),
				   NV("content-type", "application/grpc") };
	const nghttp2_nv resp[] = { NV(":status", "200"), NV("content-type", "application/grpc") };
	const nghttp2_nv trailers[] = { NV("grpc-status", "0") };
	struct wire c = { 0 }, s = { 0 };
	uint8_t data[1024];
	size_t n;

	(void)state;
	connection_start(&c, &dc, &ds);
	headers(&c, dc, 0, 1, req, 5);
	n = grpc_msg(data, 3);
	frame(&c, 0, 0x1 /* END_STREAM */, 1, data, n);
	frame(&s, 4, 0, 0, NULL, 0);
	headers(&s, ds, 0, 1, resp, 2);
	n = grpc_msg(data, 300);          /* a length with a byte above the last: 0x012c */
	n += grpc_msg(data + n, 400);
	frame(&s, 0, 0, 1, data, n);
	headers(&s, ds, 0x1, 1, trailers, 1);
	harness_steering(h);
	harness_feed(h, 0, c.b, c.n, 1, false);
	for (size_t off = 0; off < s.n; off += 7) /* the server's bytes, seven at a time */
		harness_feed(h, 1, s.b + off, s.n - off < 7 ? s.n - off : 7, 2, false);
	assert_int_equal(h->steer_mode[0], XDPI_MSG_COPY); /* gRPC: every byte, both sides */
	assert_int_equal(h->steer_mode[1], XDPI_MSG_COPY);
	assert_int_equal(h->n, 1);
	assert_string_equal(harness_str(h, 0, "http", "url"), "/greet.Greeter/Stream");
	{
		json_t *g = json_object_get(json_object_get(h->ev[0], "xdpi"), "grpc");

		assert_int_equal(json_integer_value(json_object_get(g, "status")), 0);
		assert_int_equal(json_integer_value(json_object_get(g, "messages_toserver")), 1);
		assert_int_equal(json_integer_value(json_object_get(g, "messages_toclient")), 2);
	}
	nghttp2_hd_deflate_del(dc);
	nghttp2_hd_deflate_del(ds);
	harness_free(h);
}

/* DNS over HTTPS (RFC 8484): a GET's ?dns= query and the response body are read as DNS
 * (an EVE dns event each, the DNS stages with them), the flow is doh2, DATA is copied whole;
 * http2.frametype sees each frame of stream 0 and a stream's frame types once per side. */
static void test_doh_get(void **state)
{
	static const uint8_t answer[] = {
		0x00, 0x00, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 0x65,
		0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00,
		0x01, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 0xc6,
		0x12, 0x00, 0x07,
	};
	struct harness *h = harness_new("http2", XDPI_L4_TCP);
	nghttp2_hd_deflater *dc, *ds;
	const nghttp2_nv req[] = { NV(":method", "GET"), NV(":scheme", "https"),
				   NV(":path", "/dns-query?dns=AAABAAABAAAAAAAAB2V4YW1wbGUDY29tAAABAAE"),
				   NV(":authority", "doh.example"), NV("accept", "application/dns-message") };
	const nghttp2_nv resp[] = { NV(":status", "200"),
				    NV("content-type", "application/dns-message") };
	static const uint8_t ping[8];
	struct wire c = { 0 }, s = { 0 };

	(void)state;
	connection_start(&c, &dc, &ds);
	headers(&c, dc, 0x1, 1, req, 5);
	frame(&c, 6, 0, 0, ping, 8); /* PING */
	frame(&s, 4, 0, 0, NULL, 0);
	headers(&s, ds, 0, 1, resp, 2);
	frame(&s, 0, 0, 1, answer, 20); /* the answer in two DATA frames */
	frame(&s, 0, 0x1, 1, answer + 20, sizeof(answer) - 20);
	harness_steering(h);
	harness_feed(h, 0, c.b, c.n, 1, false);
	harness_feed(h, 1, s.b, s.n, 2, false);
	assert_string_equal(h->ctx.app_proto, "doh2");
	assert_int_equal(h->steer_mode[1], XDPI_MSG_COPY); /* DoH: the DATA is wanted */
	assert_int_equal(h->inspected[XDPI_STAGE_DNS_QUERY], 1);
	assert_int_equal(h->inspected[XDPI_STAGE_DNS_RESPONSE], 1);
	/* SETTINGS, HEADERS, PING; SETTINGS, HEADERS, DATA (the second DATA: a type seen) */
	assert_int_equal(h->inspected[XDPI_STAGE_HTTP2_FRAME], 6);
	assert_int_equal(h->n, 3); /* the query, the response, the stream */
	assert_string_equal(harness_str(h, 0, NULL, "event_type"), "dns");
	assert_string_equal(harness_str(h, 0, "dns", "type"), "request");
	assert_string_equal(harness_str(h, 1, "dns", "type"), "response");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(
		json_object_get(h->ev[1], "dns"), "answers"), 0), "rdata")), "198.18.0.7");
	assert_string_equal(harness_str(h, 2, NULL, "event_type"), "http");
	nghttp2_hd_deflate_del(dc);
	nghttp2_hd_deflate_del(ds);
	harness_free(h);
}

/* Message-aware steering of a plain HTTP/2 connection: once the first request says it is
 * not gRPC, each side names a frame header for the kernel to walk from (H2), a DATA frame's
 * payload is declared not needed and arrives skipped (the kernel copied its header only),
 * the stream ends complete with its length; DATA bytes that come after all (the kernel lost
 * its place) make the side name a header again. On a gRPC connection: every byte. */
static void test_h2_data_skipped(void **state)
{
	struct harness *h = harness_new("http2", XDPI_L4_TCP);
	nghttp2_hd_deflater *dc, *ds;
	const nghttp2_nv req[] = { NV(":method", "GET"), NV(":scheme", "http"),
				   NV(":path", "/page"), NV(":authority", "lab") };
	const nghttp2_nv resp[] = { NV(":status", "200") };
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	struct wire c = { 0 }, s = { 0 };
	uint8_t data[300];
	unsigned steers;

	(void)state;
	assert_int_equal(nghttp2_hd_deflate_new(&dc, 4096), 0);
	assert_int_equal(nghttp2_hd_deflate_new(&ds, 4096), 0);
	harness_steering(h);
	memcpy(c.b, preface, sizeof(preface) - 1);
	c.n = sizeof(preface) - 1;
	frame(&c, 4, 0, 0, NULL, 0);
	harness_feed(h, 0, c.b, c.n, 1, false);
	assert_int_equal(h->steer_mode[0], XDPI_MSG_COPY); /* gRPC or not: not known yet */
	c.n = 0;
	headers(&c, dc, 0x1, 1, req, 4);
	harness_feed(h, 0, c.b, c.n, 2, false);
	assert_int_equal(h->steer_mode[0], XDPI_MSG_H2);
	assert_int_equal(h->steer_n[0], 0); /* the next byte is a frame header */
	frame(&s, 4, 0, 0, NULL, 0);
	headers(&s, ds, 0, 1, resp, 1);
	frame(&s, 0, 0x1, 1, data, 0); /* a DATA header of 100000 bytes, END_STREAM */
	s.b[s.n - 9] = 0x01, s.b[s.n - 8] = 0x86, s.b[s.n - 7] = 0xa0;
	harness_feed(h, 1, s.b, s.n, 3, false);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_H2);
	assert_int_equal(h->steer_n[1], 100000); /* the next header: after the payload */
	assert_int_equal(h->skip_next[1], 100000); /* which is not needed */
	assert_int_equal(h->n, 0);
	harness_skip(h, 1, 100000, 9);
	assert_int_equal(h->n, 1);
	assert_int_equal(harness_int(h, 0, "http", "status"), 200);
	assert_int_equal(harness_int(h, 0, "http", "length"), 100000);
	assert_true(json_is_true(json_object_get(json_object_get(h->ev[0], "xdpi"), "complete")));
	/* detection saw the request and the response (HTTP/2 through the HTTP buffers) */
	assert_int_equal(h->inspected[XDPI_STAGE_HTTP_REQUEST], 1);
	assert_int_equal(h->inspected[XDPI_STAGE_HTTP_RESPONSE], 1);
	/* DATA bytes copied after all: the place is named again, from where they end */
	s.n = 0;
	frame(&s, 0, 0, 3, data, sizeof(data));
	steers = h->steers;
	harness_feed(h, 1, s.b, 100, 10, false);
	assert_true(h->steers > steers);
	assert_int_equal(h->steer_mode[1], XDPI_MSG_H2);
	assert_int_equal(h->steer_n[1], sizeof(data) - (100 - 9));
	nghttp2_hd_deflate_del(dc);
	nghttp2_hd_deflate_del(ds);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grpc_long_messages_in_pieces),
		cmocka_unit_test(test_h2_data_skipped),
		cmocka_unit_test(test_doh_get),
	};

	return cmocka_run_group_tests_name("http2", tests, NULL, NULL);
}
