// SPDX-License-Identifier: GPL-2.0
/* The worker rings: records of every size come out whole and in order across the ring's
 * wrap (padding records), a full ring refuses instead of overwriting, and a producer and a
 * consumer thread move a million records without losing or reordering one. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/core/spsc.h"

static void test_spsc_wrap_and_full(void **state)
{
	struct spsc r;
	uint8_t buf[1500];
	size_t len;
	uint32_t next = 0;

	(void)state;
	assert_int_equal(spsc_init(&r, 1000), -22); /* not a power of two */
	assert_int_equal(spsc_init(&r, 8192), 0);
	for (uint32_t i = 0; i < 5000; i++) { /* sizes 1..1500: many wraps of an 8 KiB ring */
		size_t want = 1 + (i * 37) % 1500;
		uint8_t *p;

		while (!(p = spsc_reserve(&r, want))) { /* full: consume one and retry */
			uint8_t *q = spsc_peek(&r, &len);

			assert_non_null(q);
			assert_int_equal(q[0], (uint8_t)next);
			assert_int_equal(len, 1 + (next * 37) % 1500);
			spsc_release(&r, len);
			next++;
		}
		memset(buf, (int)(uint8_t)i, want);
		memcpy(p, buf, want);
		spsc_commit(&r);
	}
	while (spsc_peek(&r, &len)) {
		uint8_t *q = spsc_peek(&r, &len);

		assert_int_equal(q[len - 1], (uint8_t)next);
		spsc_release(&r, len);
		next++;
	}
	assert_int_equal(next, 5000);
	assert_null(spsc_reserve(&r, 5000)); /* more than half the ring: refused */
	spsc_free(&r);
	/* a ring of huge pages (2 MiB aligned, advised): the same records */
	assert_int_equal(spsc_init(&r, 4u << 20), 0);
	assert_int_equal((uintptr_t)r.buf % (2u << 20), 0);
	assert_non_null(spsc_reserve(&r, 1u << 20));
	spsc_commit(&r);
	assert_non_null(spsc_peek(&r, &len));
	assert_int_equal(len, 1u << 20);
	spsc_release(&r, len);
	assert_null(spsc_peek(&r, &len));
	spsc_free(&r);
}

static struct spsc shared;

static void *producer(void *arg)
{
	(void)arg;
	for (uint64_t i = 0; i < 1000000; i++) {
		uint64_t *p;

		while (!(p = spsc_reserve(&shared, sizeof(i) * (1 + i % 4))))
			;
		*p = i;
		spsc_commit(&shared);
	}
	return NULL;
}

static void test_spsc_threads(void **state)
{
	pthread_t t;
	uint64_t expect = 0;

	(void)state;
	assert_int_equal(spsc_init(&shared, 4096), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, NULL), 0);
	while (expect < 1000000) {
		size_t len;
		uint64_t *p = spsc_peek(&shared, &len);

		if (!p)
			continue;
		assert_int_equal(*p, expect);
		assert_int_equal(len, sizeof(expect) * (1 + expect % 4));
		spsc_release(&shared, len);
		expect++;
	}
	pthread_join(t, NULL);
	spsc_free(&shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spsc_wrap_and_full),
		cmocka_unit_test(test_spsc_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
