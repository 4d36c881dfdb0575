// SPDX-License-Identifier: GPL-2.0
/* xdpi_parallel_for: every piece runs exactly once, whatever the count (none, one, more
 * pieces than threads), and all have run when it returns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "xdpi/parallel.h"

struct tally {
	uint32_t *runs;
	uint32_t total; /* atomic */
};

static void count_piece(void *ctx, uint32_t i)
{
	struct tally *t = ctx;

	__atomic_fetch_add(&t->runs[i], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&t->total, 1, __ATOMIC_RELAXED);
}

static void test_each_piece_once(void **state)
{
	static const uint32_t counts[] = { 0, 1, 2, 7, 10000 };

	(void)state;
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct tally t = { .runs = calloc(counts[c] + 1, sizeof(uint32_t)) };

		assert_non_null(t.runs);
		xdpi_parallel_for(counts[c], count_piece, &t);
		assert_int_equal(t.total, counts[c]);
		for (uint32_t i = 0; i < counts[c]; i++)
			assert_int_equal(t.runs[i], 1);
		assert_int_equal(t.runs[counts[c]], 0); /* nothing past the end */
		free(t.runs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_piece_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
