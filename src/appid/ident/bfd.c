// SPDX-License-Identifier: GPL-2.0
/* BFD control packets (RFC 5880): version 1, a detect multiplier, a length of 24 (or 24 plus
 * authentication) equal to the datagram's, and a non-zero discriminator of our own, on BFD's
 * ports (the header alone is too short a signature). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 24 || (p[0] >> 5) != 1 || (p[0] & 0x1f) > 8 || p[3] != in->len || p[2] == 0)
		return NO;
	if (!(xdpi_ident_on_port(in, 3784) || xdpi_ident_on_port(in, 4784)))
		return NO;
	return xdpi_rd32(p + 4) != 0 ? YES : NO;
}

XDPI_IDENT(bfd, "Network", UDP, 0, { 3784, 4784 });
