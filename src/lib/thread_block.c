// SPDX-License-Identifier: GPL-2.0
/* Per-thread blocks (include/xdpi/thread_block.h): a pthread key per kind of block, made
 * once; the check that it exists is an atomic load on every ask after the first. */
#include "xdpi/thread_block.h"

static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;

static bool key_ready(struct xdpi_thread_block *b)
{
	bool ok;

	if (__atomic_load_n(&b->ready, __ATOMIC_ACQUIRE))
		return true;
	pthread_mutex_lock(&keys_lock);
	ok = b->ready || !pthread_key_create(&b->key, b->destroy);
	if (ok)
		__atomic_store_n(&b->ready, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&keys_lock);
	return ok;
}

void *xdpi_thread_block(struct xdpi_thread_block *b)
{
	void *p;

	if (!key_ready(b))
		return NULL;
	if ((p = pthread_getspecific(b->key)))
		return p;
	if (!(p = b->make()))
		return NULL;
	if (pthread_setspecific(b->key, p)) {
		b->destroy(p);
		return NULL;
	}
	return p;
}
