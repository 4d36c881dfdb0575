// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the kernel's ring buffer records as user space reads them (capture/ringbuf.c),
 * then through the engine: packets, drop samples and renewed flows' old counts, with headers
 * whose lengths, types and reasons say anything. Each record is a 2-byte size and that many
 * bytes, placed 8-byte aligned as the ring places them. Nothing may crash, leak or read past
 * a record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/capture.h"
#include "fuzz_engine.h"
#include "shared/xdpi_abi.h"

static int deliver(void *ctx, const struct xdpi_pkt *pkt)
{
	return xdpi_engine__packet(ctx, pkt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_engine *eng = fuzz_engine_new();
	struct xdpi_rb_stats st = { 0 };
	uint64_t *rec = malloc(4096); /* aligned as a ring record is */

	if (!eng || !rec) {
		xdpi_engine__free(eng);
		free(rec);
		return 0;
	}
	while (size >= 2) {
		size_t n = (size_t)(data[0] << 8 | data[1]) % 4096;

		data += 2, size -= 2;
		if (n > size)
			n = size;
		memcpy(rec, data, n);
		xdpi_rb_record(&st, deliver, eng, rec, n);
		data += n, size -= n;
	}
	xdpi_engine__finish(eng);
	xdpi_engine__free(eng);
	free(rec);
	return 0;
}
