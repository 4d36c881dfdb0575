// SPDX-License-Identifier: GPL-2.0
/* TCP reassembly: order, out-of-order, retransmission, overlap (first copy wins), gaps from
 * snippets and from loss, the memory bounds; and bytes the consumer does not need (a body the
 * kernel skips): a hole within them is handed over as skipped, at once, never as a gap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/reassembly.h"

struct sink {
	char buf[256];
	size_t len;
	int gaps;
	size_t skipped;
};

static void collect(void *ctx, const uint8_t *data, size_t len, bool gap)
{
	struct sink *s = ctx;

	if (!data) { /* skipped, as asked: marked with the count */
		s->len += (size_t)snprintf(s->buf + s->len, sizeof(s->buf) - s->len, "<%zu>", len);
		s->skipped += len;
		return;
	}
	if (gap) {
		s->gaps++;
		s->buf[s->len++] = '|'; /* mark where bytes are missing */
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
}

static struct xdpi_reasm reasm(uint32_t flow_cap)
{
	struct xdpi_reasm r = { .lim = { .flow_ooo_bytes = flow_cap, .global_ooo_bytes = 1 << 20 } };

	return r;
}

static void seg(struct xdpi_reasm *r, struct xdpi_stream *st, struct sink *s, uint32_t seq,
		const char *data, uint32_t wire)
{
	uint32_t cap = (uint32_t)strlen(data);

	xdpi_stream_segment(r, st, seq, (const uint8_t *)data, cap, wire ? wire : cap, 0, collect, s);
}

static void test_reassembly_in_order_after_syn(void **state)
{
	struct xdpi_reasm r = reasm(4096);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	xdpi_stream_segment(&r, &st, 999, NULL, 0, 0, 0x02, collect, &s);
	seg(&r, &st, &s, 1000, "GET ", 0);
	seg(&r, &st, &s, 1004, "/ HTTP", 0);
	assert_string_equal(s.buf, "GET / HTTP");
	assert_int_equal(s.gaps, 0);
	assert_int_equal(r.st.delivered_bytes, 10);
}

static void test_reassembly_out_of_order_waits(void **state)
{
	struct xdpi_reasm r = reasm(4096);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 100, "ab", 0);
	seg(&r, &st, &s, 104, "ef", 0); /* cd is late */
	assert_string_equal(s.buf, "ab");
	seg(&r, &st, &s, 102, "cd", 0);
	assert_string_equal(s.buf, "abcdef");
	assert_int_equal(r.st.ooo_segments, 1);
	assert_int_equal(r.st.ooo_bytes_now, 0);
}

static void test_reassembly_retransmission_and_overlap_first_wins(void **state)
{
	struct xdpi_reasm r = reasm(4096);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 0, "abcd", 0);
	seg(&r, &st, &s, 0, "XXXX", 0);   /* retransmission, other bytes: ignored */
	seg(&r, &st, &s, 2, "YYef", 0);   /* overlap: only ef is new */
	assert_string_equal(s.buf, "abcdef");
	assert_int_equal(r.st.retransmitted, 1);
	assert_int_equal(r.st.overlaps, 1);
}

static void test_reassembly_snippet_reports_gap(void **state)
{
	struct xdpi_reasm r = reasm(4096);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 0, "head", 10); /* 10 bytes on the wire, 4 captured */
	seg(&r, &st, &s, 10, "next", 0);
	assert_string_equal(s.buf, "head|next");
	assert_int_equal(r.st.gaps, 1);
	assert_int_equal(r.st.gap_bytes, 6);
}

static void test_reassembly_bound_accepts_the_hole(void **state)
{
	struct xdpi_reasm r = reasm(4); /* room for one small segment out of order */
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 0, "ab", 0);
	seg(&r, &st, &s, 10, "kl", 0);  /* buffered */
	seg(&r, &st, &s, 12, "mnop", 0); /* over the bound: the hole at 2..9 is accepted */
	assert_string_equal(s.buf, "ab|klmnop");
	assert_int_equal(r.st.flow_cap_drops, 1);
	assert_int_equal(r.st.gaps, 1);
	assert_int_equal(r.st.ooo_bytes_now, 0);
}

static void test_reassembly_flush_delivers_past_holes(void **state)
{
	struct xdpi_reasm r = reasm(4096);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 0xfffffffe, "ab", 0); /* wraps around 2^32 */
	seg(&r, &st, &s, 4, "ef", 0);
	xdpi_stream_flush(&r, &st, collect, &s);
	assert_string_equal(s.buf, "ab|ef");
	xdpi_stream_free(&r, &st);
}

/* A hole inside the skipped range is handed over at once as skipped (no waiting for it);
 * what comes at the skip's end follows in order. */
static void test_reassembly_skip_hands_over_the_hole(void **state)
{
	struct xdpi_reasm r = reasm(4096);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 100, "HEAD", 0);
	assert_int_equal(st.given_to, 104);
	xdpi_stream_skip_to(&st, 104 + 1000); /* a 1000-byte body is not needed */
	seg(&r, &st, &s, 104 + 1000, "NEXT", 0);
	assert_string_equal(s.buf, "HEAD<1000>NEXT");
	assert_int_equal(s.gaps, 0);
	assert_int_equal(r.st.skipped_bytes, 1000);
	assert_int_equal(r.st.gaps, 0);
	assert_false(st.skipping);
}

/* A hole running past the skip's end: the skipped part, then a real gap. */
static void test_reassembly_skip_then_gap(void **state)
{
	struct xdpi_reasm r = reasm(0); /* no room to wait: holes are accepted at once */
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 0, "ab", 0);
	xdpi_stream_skip_to(&st, 10);
	seg(&r, &st, &s, 15, "cd", 0);
	assert_string_equal(s.buf, "ab<8>|cd");
	assert_int_equal(s.gaps, 1);
	assert_int_equal(r.st.gap_bytes, 5);
}

/* The kernel's end-of-skip mark (a segment with no bytes, at the skip's end) hands over the
 * skipped bytes then, not at the next data; a snippet's uncaptured tail inside the range is
 * skipped too, not a gap. */
static void test_reassembly_skip_mark_and_snippet(void **state)
{
	struct xdpi_reasm r = reasm(4096);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 0, "ab", 0);
	xdpi_stream_skip_to(&st, 500);
	xdpi_stream_segment(&r, &st, 500, NULL, 0, 0, 0x10, collect, &s);
	assert_string_equal(s.buf, "ab<498>");
	seg(&r, &st, &s, 500, "cd", 0);
	xdpi_stream_skip_to(&st, 600);
	seg(&r, &st, &s, 502, "ef", 98); /* 2 captured of 98 on the wire, ending at the skip */
	assert_string_equal(s.buf, "ab<498>cdef<96>");
	seg(&r, &st, &s, 600, "gh", 0);
	assert_string_equal(s.buf, "ab<498>cdef<96>gh");
	assert_int_equal(s.gaps, 0);
	xdpi_stream_skip_to(&st, 700);
	seg(&r, &st, &s, 602, "ij", 100); /* its tail runs 2 bytes past the skip: a real gap */
	seg(&r, &st, &s, 702, "kl", 0);
	assert_string_equal(s.buf, "ab<498>cdef<96>ghij<96>|kl");
	assert_int_equal(s.gaps, 1);
}

/* Without a skip asked for, a hole stays a gap (the old behaviour). */
static void test_reassembly_no_skip_no_change(void **state)
{
	struct xdpi_reasm r = reasm(0);
	struct xdpi_stream st = { 0 };
	struct sink s = { 0 };

	(void)state;
	seg(&r, &st, &s, 0, "ab", 0);
	seg(&r, &st, &s, 10, "cd", 0);
	assert_string_equal(s.buf, "ab|cd");
	assert_int_equal(s.skipped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reassembly_in_order_after_syn),
		cmocka_unit_test(test_reassembly_out_of_order_waits),
		cmocka_unit_test(test_reassembly_retransmission_and_overlap_first_wins),
		cmocka_unit_test(test_reassembly_snippet_reports_gap),
		cmocka_unit_test(test_reassembly_bound_accepts_the_hole),
		cmocka_unit_test(test_reassembly_flush_delivers_past_holes),
		cmocka_unit_test(test_reassembly_skip_hands_over_the_hole),
		cmocka_unit_test(test_reassembly_skip_then_gap),
		cmocka_unit_test(test_reassembly_skip_mark_and_snippet),
		cmocka_unit_test(test_reassembly_no_skip_no_change),
	};

	return cmocka_run_group_tests_name("reassembly", tests, NULL, NULL);
}
