/* SPDX-License-Identifier: GPL-2.0 */
/* One block of memory per thread (scratch, contexts, a memo), made on the thread's first ask
 * and freed when the thread ends: worker threads share the code that uses it, not the block. */
#ifndef XDPI_THREAD_BLOCK_H
#define XDPI_THREAD_BLOCK_H

#include <pthread.h>
#include <stdbool.h>

struct xdpi_thread_block {
	void *(*make)(void);      /* a new block, or NULL without memory */
	void (*destroy)(void *);  /* frees a block, when its thread ends */
	pthread_key_t key;
	bool ready;               /* the key exists (atomic) */
};

#define XDPI_THREAD_BLOCK(make_fn, destroy_fn) { .make = (make_fn), .destroy = (destroy_fn) }

/* This thread's block of B, made now if it has none; NULL when it cannot be (no memory, no
 * key): the caller does without. */
void *xdpi_thread_block(struct xdpi_thread_block *b);

#endif
