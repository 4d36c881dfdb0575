// SPDX-License-Identifier: GPL-2.0
/* Steam's datagram transport: packets open with the magic "VS01" and a length; the LAN
 * discovery of Steam's in-home streaming sends 0xFFFFFFFF then the signature 0xA05F4C21. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len >= 12 && !memcmp(p, "VS01", 4))
		return YES;
	return in->len >= 8 && xdpi_rd32(p) == 0xffffffff && xdpi_rd32(p + 4) == 0x214c5fa0 ? YES : NO;
}

XDPI_IDENT(steam, "Game", UDP, 0, { 27015, 27036 });
