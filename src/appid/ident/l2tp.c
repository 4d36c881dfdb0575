// SPDX-License-Identifier: GPL-2.0
/* L2TP (RFC 2661, 3931) control messages on port 1701: the type, length and sequence bits
 * set, version 2 or 3, and a length equal to the datagram's. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (!xdpi_ident_on_port(in, 1701) || in->len < 12)
		return NO;
	if ((p[0] & 0xcb) != 0xc8 || ((p[1] & 0x0f) != 2 && (p[1] & 0x0f) != 3))
		return NO;
	return xdpi_rd16(p + 2) == in->len ? YES : NO;
}

XDPI_IDENT(l2tp, "VPN", UDP, 0, { 1701 });
