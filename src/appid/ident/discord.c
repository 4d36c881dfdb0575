// SPDX-License-Identifier: GPL-2.0
/* Discord voice's IP discovery: a 74-byte request (type 1) or answer (type 2) whose length
 * field says 70. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len >= 8 && in->len <= 16 && xdpi_rd32(p) == 0x1337cafe) /* voice keepalive */
		return YES;
	if (in->len != 74 || p[0] != 0 || (p[1] != 1 && p[1] != 2))
		return NO;
	return xdpi_rd16(p + 2) == 70 ? YES : NO;
}

XDPI_IDENT(discord, "VoIP", UDP, 0, { 50000 });
