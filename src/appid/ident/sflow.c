// SPDX-License-Identifier: GPL-2.0
/* sFlow v5: version 5, an agent address of type 1 (IPv4) or 2 (IPv6), a sub-agent id,
 * sequence, uptime and a sample count that is not absurd. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, o;

	if (n < 28 || xdpi_rd32(p) != 5 || (xdpi_rd32(p + 4) != 1 && xdpi_rd32(p + 4) != 2))
		return NO;
	o = xdpi_rd32(p + 4) == 1 ? 12 : 24;
	if (o + 16 > n)
		return NO;
	return xdpi_rd32(p + o + 12) <= 64 ? YES : NO;
}

XDPI_IDENT(sflow, "Network", UDP, 0, { 6343 });
