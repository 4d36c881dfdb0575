// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the DNS dissector, over UDP (one message) or TCP (the input cut into chunks of
 * a size the first byte picks). Seeds: DNS messages from the corpus captures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/dissect.h"

static struct xdpi_json json;

static struct xdpi_json *begin(struct xdpi_dissect_ctx *c, const char *type)
{
	(void)c;
	xdpi_json_reset(&json);
	xdpi_json_obj_open(&json, NULL);
	xdpi_json_str(&json, "event_type", type);
	return &json;
}

static void end(struct xdpi_dissect_ctx *c)
{
	(void)c;
	xdpi_json_obj_close(&json);
	if (json.depth != 0)
		abort(); /* every object the dissector opened must be closed */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct xdpi_dissector *d = xdpi_dissector_find("dns");
	struct xdpi_dissect_ctx c = { .event_begin = begin, .event_end = end };
	size_t chunk;

	if (size < 1)
		return 0;
	c.l4 = data[0] & 1 ? XDPI_L4_TCP : XDPI_L4_UDP;
	c.dir = (data[0] >> 1) & 1;
	chunk = (size_t)(data[0] >> 2) + 1;
	data++, size--;
	c.state = calloc(1, d->state_size);
	d->probe(data, size, c.l4, c.dir);
	if (c.l4 == XDPI_L4_UDP) {
		d->parse(&c, data, size);
	} else {
		for (size_t off = 0; off < size; off += chunk)
			d->parse(&c, data + off, size - off < chunk ? size - off : chunk);
	}
	d->flow_end(&c);
	free(c.state);
	return 0;
}
