// SPDX-License-Identifier: GPL-2.0
/* XDMCP on port 177: version 1, an opcode 1 to 16 and a length equal to the rest. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (!xdpi_ident_on_port(in, 177) || in->len < 6)
		return NO;
	return xdpi_rd16(p) == 1 && xdpi_rd16(p + 2) >= 1 && xdpi_rd16(p + 2) <= 16 &&
	       (size_t)xdpi_rd16(p + 4) + 6 == in->len ? YES : NO;
}

XDPI_IDENT(xdmcp, "RemoteAccess", UDP, 0, { 177 });
