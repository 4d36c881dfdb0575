// SPDX-License-Identifier: GPL-2.0
/* PPTP (RFC 2637) control messages: a length equal to the bytes, message type 1 and the magic
 * cookie 0x1A2B3C4D. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 12)
		return need(in, 12);
	return xdpi_rd16(p + 2) == 1 && xdpi_rd32(p + 4) == 0x1a2b3c4d && xdpi_rd16(p) <= in->len ? YES : NO;
}

XDPI_IDENT(pptp, "VPN", TCP, 0, { 1723 });
