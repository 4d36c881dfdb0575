// SPDX-License-Identifier: GPL-2.0
/* DCE/RPC over TCP (MS-RPCE): version 5.0 or 5.1, a packet type up to 20, little-endian data
 * representation (0x10) and a fragment length equal to the bytes. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 16)
		return need(in, 16);
	if (p[0] != 5 || p[1] > 1 || p[2] > 20 || (p[4] != 0x10 && p[4] != 0x00) || p[5] || p[6] || p[7])
		return NO;
	return xdpi_rd16le(p + 8) == n || (xdpi_rd16le(p + 8) < n && xdpi_rd16le(p + 8) >= 16 &&
					   p[xdpi_rd16le(p + 8)] == 5) ? YES : NO;
}

XDPI_IDENT(dcerpc, "RPC", TCP, 0, { 135 });
