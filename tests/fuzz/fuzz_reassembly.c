// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: TCP reassembly fed segments the input describes (sequence steps, lengths, snap
 * cuts, flags), within small bounds; checks that it never delivers more than it was given
 * and holds nothing once flushed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/reassembly.h"

static uint64_t delivered;

static void sink(void *ctx, const uint8_t *p, size_t len, bool gap)
{
	(void)ctx;
	(void)gap;
	if (len && (p[0] | p[len - 1]) == 0x100)
		abort(); /* never true: touches the first and last byte for ASan */
	delivered += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_reasm r = { .lim = { .flow_ooo_bytes = 512, .global_ooo_bytes = 2048 } };
	struct xdpi_stream st = { 0 };
	static uint8_t payload[256];
	uint64_t given = 0;
	uint32_t seq = 0;

	delivered = 0;
	memset(payload, 'x', sizeof(payload));
	for (size_t i = 0; i + 5 <= size; i += 5) {
		int16_t step = (int16_t)(data[i] << 8 | data[i + 1]);
		uint32_t cap = data[i + 2], wire = cap + (data[i + 3] & 0x0f);

		seq += (uint32_t)(int32_t)step;
		xdpi_stream_segment(&r, &st, seq, payload, cap, wire, data[i + 4] & 0x17, sink, NULL);
		given += cap;
	}
	xdpi_stream_flush(&r, &st, sink, NULL);
	if (delivered > given || st.ooo || r.st.ooo_bytes_now)
		abort();
	xdpi_stream_free(&r, &st);
	return 0;
}
