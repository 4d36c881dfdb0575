// SPDX-License-Identifier: GPL-2.0
/* Independent pieces of one job on several threads, taken from a shared counter so that a
 * slow piece does not hold the others behind it. */
#include <pthread.h>
#include <unistd.h>
#include "xdpi/heap.h"
#include "xdpi/parallel.h"

#define PARALLEL_THREADS_MAX 8

struct parallel_run {
	void (*fn)(void *ctx, uint32_t i);
	void *ctx;
	uint32_t n;
	uint32_t next; /* the next piece to take (atomic) */
};

static void take_pieces(struct parallel_run *run)
{
	uint32_t i;

	while ((i = __atomic_fetch_add(&run->next, 1, __ATOMIC_RELAXED)) < run->n)
		run->fn(run->ctx, i);
}

static void *helper_main(void *arg)
{
	xdpi_heap_advise_thread(); /* its allocations in huge pages, as the main heap's */
	take_pieces(arg);
	return NULL;
}

static unsigned thread_count(uint32_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned t = cpus > 0 ? (unsigned)cpus : 1;

	if (t > PARALLEL_THREADS_MAX)
		t = PARALLEL_THREADS_MAX;
	return t < n ? t : (n ? n : 1);
}

void xdpi_parallel_for(uint32_t n, void (*fn)(void *ctx, uint32_t i), void *ctx)
{
	struct parallel_run run = { .fn = fn, .ctx = ctx, .n = n };
	pthread_t tid[PARALLEL_THREADS_MAX];
	unsigned threads = thread_count(n), started = 0;

	for (unsigned t = 1; t < threads; t++)
		if (!pthread_create(&tid[started], NULL, helper_main, &run))
			started++;
	take_pieces(&run);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}
