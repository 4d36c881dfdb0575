// SPDX-License-Identifier: GPL-2.0
/* Java RMI: the client's header "JRMI", protocol version 2, and a protocol of 0x4B (stream),
 * 0x4C (single op) or 0x4D (multiplex). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 7)
		return !memcmp(p, "JRMI", in->len < 4 ? in->len : 4) ? need(in, 7) : NO;
	return !memcmp(p, "JRMI", 4) && xdpi_rd16(p + 4) == 2 && p[6] >= 0x4b && p[6] <= 0x4d ? YES : NO;
}

XDPI_IDENT(jrmi, "RPC", TCP, 0, { 1099 });
