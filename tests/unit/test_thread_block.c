// SPDX-License-Identifier: GPL-2.0
/* Per-thread blocks: one per thread, the same one on every ask, freed when the thread ends;
 * a block that cannot be made is NULL, and the next ask tries again. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "xdpi/thread_block.h"

static int made, freed;
static int refuse; /* make() fails this many more times */

static void *make_block(void)
{
	if (refuse > 0) {
		refuse--;
		return NULL;
	}
	__atomic_add_fetch(&made, 1, __ATOMIC_SEQ_CST);
	return calloc(1, 64);
}

static void free_block(void *p)
{
	__atomic_add_fetch(&freed, 1, __ATOMIC_SEQ_CST);
	free(p);
}

static struct xdpi_thread_block blocks = XDPI_THREAD_BLOCK(make_block, free_block);

static void *thread_ask(void *out)
{
	void *a = xdpi_thread_block(&blocks);

	*(void **)out = a;
	return a == xdpi_thread_block(&blocks) ? a : NULL; /* the same on every ask */
}

static void test_one_block_per_thread_freed_at_exit(void **state)
{
	void *mine, *theirs = NULL, *ret = NULL;
	pthread_t t;

	(void)state;
	mine = xdpi_thread_block(&blocks);
	assert_non_null(mine);
	assert_ptr_equal(mine, xdpi_thread_block(&blocks));
	assert_int_equal(pthread_create(&t, NULL, thread_ask, &theirs), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_non_null(theirs);
	assert_ptr_equal(ret, theirs);
	assert_int_equal(made, 2);
	assert_int_equal(freed, 1); /* the other thread's, when it ended */
}

static void test_refused_block_is_null_then_retried(void **state)
{
	static struct xdpi_thread_block other = XDPI_THREAD_BLOCK(make_block, free_block);

	(void)state;
	refuse = 1;
	assert_null(xdpi_thread_block(&other));
	assert_non_null(xdpi_thread_block(&other));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_block_per_thread_freed_at_exit),
		cmocka_unit_test(test_refused_block_is_null_then_retried),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
