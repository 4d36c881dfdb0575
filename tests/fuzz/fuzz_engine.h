/* SPDX-License-Identifier: GPL-2.0 */
/* An engine for the targets that drive it whole (records from the kernel, TLS plaintext): a
 * small flow table, so evictions happen, short timeouts, every event formatted and dropped. */
#ifndef XDPI_FUZZ_ENGINE_H
#define XDPI_FUZZ_ENGINE_H

#include "xdpi/engine.h"

static int fuzz_discard(void *ctx, const char *json, size_t len)
{
	(void)ctx, (void)json, (void)len;
	return 0;
}

static struct xdpi_engine *fuzz_engine_new(void)
{
	struct xdpi_engine_cfg c = {
		.max_flows = 8,
		.timeouts = { .new_ns = 30000000000ull, .established_ns = 30000000000ull,
			      .closed_ns = 1000000000ull },
		.emit = fuzz_discard,
	};

	return xdpi_engine__new(&c);
}

#endif /* XDPI_FUZZ_ENGINE_H */
