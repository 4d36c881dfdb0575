// SPDX-License-Identifier: GPL-2.0
/* Xiaomi's miIO protocol (named xiaomi, as its push channel is) (port 54321): the magic 0x2131 and a length equal to the datagram's. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 32 || p[0] != 0x21 || p[1] != 0x31)
		return NO;
	return xdpi_rd16(p + 2) == in->len ? YES : NO;
}

XDPI_IDENT_NAMED(miio, "xiaomi", "IoT-Scada", UDP, 0, { 54321 });
