// SPDX-License-Identifier: GPL-2.0
/* A flow table grows by tens of thousands of small allocations a second when new flows pour
 * in (a surge, a scan, a flood of handshakes), and each fresh 4 KiB page of heap costs a page
 * fault on its first touch: on a VM several microseconds each, 17% of `xdpi read`'s CPU on
 * twenty copies of the corpus (17,456 faults; 5,609 with this). Where transparent huge pages are given on
 * request (THP "madvise", Debian's default), the heap asks for them: one fault per 2 MiB.
 * glibc does the same with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a program cannot
 * set for itself; this is that, from inside. A thread's own arena (the rule compiler's threads)
 * is asked the same by xdpi_heap_advise_thread(); the workers' arenas are not (two workers
 * keeping every flow of the corpus' twenty copies faulted no less with it). */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "xdpi/heap.h"

#define HEAP_STEP (64u << 20) /* the heap grows this much at a time, asked for at once */
static uintptr_t advised_to; /* the heap below this asked for huge pages (0: not prepared) */

void xdpi_heap_prepare(void)
{
	const char *want = getenv("XDPI_HEAP_HUGEPAGES");
	void *a, *b;

	if (advised_to || (want && !strcmp(want, "0")))
		return; /* asked not to: a fault in a huge-page region may wait for compaction */
	/* grow in large steps, and keep what was grown: freeing flows and making new ones
	 * should not give pages back and fault them in again */
	mallopt(M_TOP_PAD, HEAP_STEP);
	mallopt(M_TRIM_THRESHOLD, 2 * HEAP_STEP);
	/* two blocks under the mmap threshold (128 KiB) come from the heap's top, and two are
	 * more than its first 132 KiB hold: it grows by the step now, before anything touches it */
	a = malloc(120 << 10);
	b = malloc(120 << 10);
	if (a && b)
		advised_to = (uintptr_t)(a < b ? a : b);
	free(a);
	free(b);
	xdpi_heap_advise();
}

void xdpi_heap_advise(void)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), end = (uintptr_t)sbrk(0);
	uintptr_t from = (advised_to + page - 1) & ~(page - 1);

	if (!advised_to || end == (uintptr_t)-1 || end <= from)
		return;
	madvise((void *)from, end - from, MADV_HUGEPAGE); /* no THP: a hint not taken */
	advised_to = end;
}

/* glibc gives a new thread an arena of its own in heaps of HEAP_MAX_SIZE (twice the largest
 * mmap threshold: 64 MiB on a 64-bit host), each aligned to its size, so the heap of any block
 * the arena hands out is found by masking the block's address. */
#define THREAD_HEAP_MAX (2u * 4u * 1024u * 1024u * (unsigned)sizeof(long))

void xdpi_heap_advise_thread(void)
{
	uintptr_t brk_now = (uintptr_t)sbrk(0), base;
	void *p;

	if (!advised_to) /* the main heap was not advised (asked not to, or not prepared) */
		return;
	if (!(p = malloc(64)))
		return;
	base = (uintptr_t)p & ~((uintptr_t)THREAD_HEAP_MAX - 1);
	/* below the break: a block of the main heap (the thread shares it), advised already;
	 * a thread's heaps are mapped far above it */
	if ((uintptr_t)p >= brk_now)
		madvise((void *)base, THREAD_HEAP_MAX, MADV_HUGEPAGE); /* what is mapped of it */
	free(p);
}
