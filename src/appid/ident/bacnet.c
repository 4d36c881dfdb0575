// SPDX-License-Identifier: GPL-2.0
/* BACnet/IP (ASHRAE 135 annex J): the BVLC header, type 0x81, a function 0 to 0x0C and a
 * length equal to the datagram's. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 4 || p[0] != 0x81 || p[1] > 0x0c)
		return NO;
	return xdpi_rd16(p + 2) == in->len ? YES : NO;
}

XDPI_IDENT(bacnet, "IoT-Scada", UDP, 0, { 47808 });
