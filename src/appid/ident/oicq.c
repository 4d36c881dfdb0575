// SPDX-License-Identifier: GPL-2.0
/* OICQ (QQ over UDP): a 0x02 start byte, a client version, a command, a sequence number,
 * and the 0x03 end byte closing the datagram. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 11 || p[0] != 0x02 || p[n - 1] != 0x03 || xdpi_rd16(p + 3) == 0 || xdpi_rd16(p + 3) > 0x0100)
		return NO;
	return xdpi_ident_on_port(in, 8000) || xdpi_ident_on_port(in, 4000) ? YES : NO;
}

XDPI_IDENT(oicq, "Chat", UDP, 0, { 8000 });
