// SPDX-License-Identifier: GPL-2.0
/* A single-producer single-consumer ring of variable-size records (an 8-byte header holding the
 * length, then the bytes: records and their bytes are 8-byte aligned), lock-free: the producer owns `head`, the consumer `tail`, each
 * published with release and read with acquire ordering. A record never wraps: when it does
 * not fit before the end, a padding record fills the rest and it starts at offset 0. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "spsc.h"

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)
#define PAD UINT32_MAX
#define HDR 8 /* the length, and padding that keeps the bytes 8-byte aligned */

/* Rings are megabytes that the first lap touches page by page: on 4 KiB pages a 16 MiB ring
 * costs 4,096 page faults, which on a virtual machine weighed more than the packets of an
 * offline run. Aligned to 2 MiB and marked for transparent huge pages, it costs eight (or
 * the same as before where the kernel has none to give). */
#define HUGE_PAGE (2u << 20)

int spsc_init(struct spsc *r, size_t size)
{
	void *p = NULL;

	memset(r, 0, sizeof(*r));
	if (size < 4096 || (size & (size - 1)))
		return -EINVAL;
	if (posix_memalign(&p, size >= HUGE_PAGE ? HUGE_PAGE : 4096, size))
		return -ENOMEM;
	if (size >= HUGE_PAGE)
		(void)madvise(p, size, MADV_HUGEPAGE); /* advice: without it, small pages */
	r->buf = p;
	r->size = size;
	return 0;
}

void spsc_free(struct spsc *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Room for a record of LEN bytes at the producer's position; NULL when full (the consumer
 * has not caught up). */
void *spsc_reserve(struct spsc *r, size_t len)
{
	size_t need = ALIGN8(len + HDR), head = r->head;
	size_t off = head & (r->size - 1), to_end = r->size - off;
	size_t want = need > to_end ? to_end + need : need, tail = r->tail_seen;

	if (need > r->size / 2)
		return NULL; /* a record this large would starve the ring */
	if (head + want - tail > r->size) /* full as last seen: look again (one shared read) */
		tail = r->tail_seen = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (need > to_end) { /* pad to the end, start over at 0 */
		if (head + to_end + need - tail > r->size)
			return NULL;
		*(uint32_t *)(r->buf + off) = PAD;
		r->pad_pending = to_end;
		off = 0;
	} else if (head + need - tail > r->size) {
		return NULL;
	} else {
		r->pad_pending = 0;
	}
	*(uint32_t *)(r->buf + off) = (uint32_t)len;
	r->reserved = need;
	return r->buf + off + HDR;
}

void spsc_commit(struct spsc *r)
{
	__atomic_store_n(&r->head, r->head + r->pad_pending + r->reserved, __ATOMIC_RELEASE);
	r->pad_pending = 0;
	r->reserved = 0;
}

/* The oldest record (its bytes and length), or NULL when empty. */
void *spsc_peek(struct spsc *r, size_t *len)
{
	size_t head = r->head_seen;

	if (r->tail == head) /* empty as last seen: look again (one shared read) */
		head = r->head_seen = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	while (r->tail != head) {
		size_t off = r->tail & (r->size - 1);
		uint32_t l = *(uint32_t *)(r->buf + off);

		if (l == PAD) { /* skip to the start */
			__atomic_store_n(&r->tail, r->tail + (r->size - off), __ATOMIC_RELEASE);
			continue;
		}
		*len = l;
		return r->buf + off + HDR;
	}
	return NULL;
}

void spsc_release(struct spsc *r, size_t len)
{
	__atomic_store_n(&r->tail, r->tail + ALIGN8(len + HDR), __ATOMIC_RELEASE);
}
