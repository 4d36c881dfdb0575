// SPDX-License-Identifier: GPL-2.0
/* Ubiquiti's device discovery on port 10001: a 4-byte request (version 1 or 2, command,
 * length 0) or an answer whose TLVs fill the length it gives. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (!xdpi_ident_on_port(in, 10001) || n < 4 || (p[0] != 1 && p[0] != 2))
		return NO;
	if (n == 4)
		return xdpi_rd16(p + 2) == 0 ? YES : NO;
	return (size_t)xdpi_rd16(p + 2) + 4 == n ? YES : NO;
}

XDPI_IDENT(ubntac2, "Network", UDP, 0, { 10001 });
