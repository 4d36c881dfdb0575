/* SPDX-License-Identifier: GPL-2.0 */
/* The EVE side of a fuzzed dissector context: events are written for real into one JSON
 * buffer, and every event must close what it opens. Shared by the dissector driver and the
 * targets that drive a dissector's helpers (the LLM view). */
#ifndef XDPI_FUZZ_EVENTS_H
#define XDPI_FUZZ_EVENTS_H

#include <stdlib.h>
#include "xdpi/dissect.h"

static struct xdpi_json fuzz_json;

static struct xdpi_json *fuzz_begin(struct xdpi_dissect_ctx *c, const char *type)
{
	(void)c;
	xdpi_json_reset(&fuzz_json);
	xdpi_json_obj_open(&fuzz_json, NULL);
	xdpi_json_str(&fuzz_json, "event_type", type);
	return &fuzz_json;
}

static void fuzz_end(struct xdpi_dissect_ctx *c)
{
	(void)c;
	xdpi_json_obj_close(&fuzz_json);
	if (fuzz_json.depth != 0)
		abort();
}

#endif /* XDPI_FUZZ_EVENTS_H */
