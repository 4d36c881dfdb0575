// SPDX-License-Identifier: GPL-2.0
/* A single-producer single-consumer ring of variable-size records (an 8-byte header holding the
 * length, then the bytes: records and their bytes are 8-byte aligned), lock-free: the producer owns `head`, the consumer `tail`, each
 * published with release and read with acquire ordering. A record never wraps: when it does
 * not fit before the end, a padding record fills the rest and it starts at offset 0. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "spsc.h"

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)
#define PAD UINT32_MAX
#define HDR 8 /* the length, and padding that keeps the bytes 8-byte aligned */

int spsc_init(struct spsc *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	if (size < 4096 || (size & (size - 1)))
		return -EINVAL;
	r->buf = malloc(size);
	r->size = size;
	return r->buf ? 0 : -ENOMEM;
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
	size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	size_t off = head & (r->size - 1), to_end = r->size - off;

	if (need > r->size / 2)
		return NULL; /* a record this large would starve the ring */
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
	size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

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
