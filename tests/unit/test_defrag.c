// SPDX-License-Identifier: GPL-2.0
/* IP reassembly: any order, overlaps, bounds, snap-cut fragments, timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/defrag.h"

static struct xdpi_decoded frag(uint32_t id, uint32_t off, const char *data, bool more)
{
	struct xdpi_decoded d = { .family = 4, .proto = 17, .frag_id = id, .frag_off = off,
				  .frag_more = more };

	d.saddr[0] = 198, d.saddr[1] = 18, d.saddr[3] = 1;
	d.daddr[0] = 198, d.daddr[1] = 18, d.daddr[3] = 2;
	d.frag = off ? XDPI_DFRAG_LATER : XDPI_DFRAG_FIRST;
	d.frag_data = (const uint8_t *)data;
	d.frag_len = d.frag_wire = (uint32_t)strlen(data);
	return d;
}

static void test_defrag_any_order(void **state)
{
	struct xdpi_defrag *df = xdpi_defrag__new(4, 30);
	struct xdpi_decoded a = frag(7, 0, "01234567", true), b = frag(7, 8, "89abcdef", true),
			    c = frag(7, 16, "XY", false);
	const uint8_t *out;
	uint32_t len;

	(void)state;
	assert_int_equal(xdpi_defrag__add(df, &c, 1, &out, &len), 0);
	assert_int_equal(xdpi_defrag__add(df, &a, 2, &out, &len), 0);
	assert_int_equal(xdpi_defrag__add(df, &b, 3, &out, &len), 1);
	assert_int_equal(len, 18);
	assert_memory_equal(out, "0123456789abcdefXY", 18);
	xdpi_defrag__free(df);
}

static void test_defrag_overlap_first_wins_and_duplicates(void **state)
{
	struct xdpi_defrag *df = xdpi_defrag__new(4, 30);
	struct xdpi_decoded a = frag(9, 0, "AAAAAAAA", true), dup = frag(9, 0, "ZZZZZZZZ", true),
			    b = frag(9, 8, "BB", false);
	struct xdpi_defrag_stats st;
	const uint8_t *out;
	uint32_t len;

	(void)state;
	xdpi_defrag__add(df, &a, 1, &out, &len);
	xdpi_defrag__add(df, &dup, 1, &out, &len);
	assert_int_equal(xdpi_defrag__add(df, &b, 1, &out, &len), 1);
	assert_memory_equal(out, "AAAAAAAABB", 10);
	xdpi_defrag__stats(df, &st);
	assert_int_equal(st.overlaps, 1);
	xdpi_defrag__free(df);
}

static void test_defrag_bounds_and_timeouts(void **state)
{
	struct xdpi_defrag *df = xdpi_defrag__new(2, 30);
	struct xdpi_decoded a = frag(1, 0, "aaaaaaaa", true), b = frag(2, 0, "bbbbbbbb", true),
			    c = frag(3, 0, "cccccccc", true), cut = frag(4, 0, "dddddddd", true);
	struct xdpi_defrag_stats st;
	const uint8_t *out;
	uint32_t len;

	(void)state;
	xdpi_defrag__add(df, &a, 1, &out, &len);
	xdpi_defrag__add(df, &b, 2, &out, &len);
	xdpi_defrag__add(df, &c, 3, &out, &len); /* full: datagram 1 goes */
	cut.frag_wire = 100;                      /* snap length cut it */
	xdpi_defrag__add(df, &cut, 4, &out, &len);
	xdpi_defrag__expire(df, 40);
	xdpi_defrag__stats(df, &st);
	assert_int_equal(st.evicted, 2);
	assert_int_equal(st.cut, 1);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.pending, 0);
	xdpi_defrag__free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defrag_any_order),
		cmocka_unit_test(test_defrag_overlap_first_wins_and_duplicates),
		cmocka_unit_test(test_defrag_bounds_and_timeouts),
	};

	return cmocka_run_group_tests_name("defrag", tests, NULL, NULL);
}
