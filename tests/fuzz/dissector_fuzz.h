/* SPDX-License-Identifier: GPL-2.0 */
/* Shared libFuzzer driver for dissectors. The first input byte picks: bit 0 TCP (else UDP),
 * bit 1 alternate directions per chunk (else direction bit 7), bits 2..6 the chunk size - 1;
 * a chunk starting with 0x7f comes after a hole (gap). Every event must close what it opens. */
#ifndef XDPI_DISSECTOR_FUZZ_H
#define XDPI_DISSECTOR_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include "xdpi/dissect.h"
#include "fuzz_events.h"

/* Detection's side: every buffer a stage hands over is read through, so ASan checks them. */
static void fuzz_inspect(struct xdpi_dissect_ctx *c, const struct xdpi_inspect *in)
{
	uint8_t sum = 0;

	(void)c;
	for (int b = 0; b < XDPI_BUF_MAX; b++)
		for (size_t i = 0; in->buf[b] && i < in->len[b]; i++)
			sum ^= in->buf[b][i];
	if (sum == 0x5a && in->stage == 0xff)
		abort(); /* never: keeps the reads */
}

static int fuzz_dissector(const char *name, const uint8_t *data, size_t size)
{
	const struct xdpi_dissector *d = xdpi_dissector_find(name);
	struct xdpi_dissect_ctx c = { .event_begin = fuzz_begin, .event_end = fuzz_end,
				      .inspect = fuzz_inspect, .inspect_stages = ~0u };
	size_t chunk;
	uint8_t mode;

	if (!d)
		abort();
	if (size < 1)
		return 0;
	mode = data[0];
	c.l4 = mode & 1 ? XDPI_L4_TCP : XDPI_L4_UDP;
	c.dir = mode >> 7;
	chunk = (size_t)((mode >> 2) & 0x1f) + 1;
	data++, size--;
	c.state = calloc(1, d->state_size ? d->state_size : 1);
	d->probe(data, size, c.l4, c.dir);
	if (c.l4 == XDPI_L4_UDP)
		d->parse(&c, data, size);
	for (size_t off = 0, i = 0; c.l4 == XDPI_L4_TCP && off < size; off += chunk, i++) {
		if (mode & 2)
			c.dir = (uint8_t)(i & 1);
		c.gap = off && data[off] == 0x7f;
		d->parse(&c, data + off, size - off < chunk ? size - off : chunk);
	}
	d->flow_end(&c);
	free(c.state);
	return 0;
}

#endif /* XDPI_DISSECTOR_FUZZ_H */
