// SPDX-License-Identifier: GPL-2.0
/* BGP-4 (RFC 4271): every message begins with sixteen 0xFF marker bytes, a length of 19 to
 * 4096 and a type 1 to 5. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 19)
		return p[0] == 0xff ? need(in, 19) : NO;
	for (int i = 0; i < 16; i++)
		if (p[i] != 0xff)
			return NO;
	return xdpi_rd16(p + 16) >= 19 && xdpi_rd16(p + 16) <= 4096 && p[18] >= 1 && p[18] <= 5 ? YES : NO;
}

XDPI_IDENT(bgp, "Network", TCP, 0, { 179 });
