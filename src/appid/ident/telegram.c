// SPDX-License-Identifier: GPL-2.0
/* Telegram calls through its reflectors: a 16-byte peer tag, then twelve 0xFF bytes (the
 * reflector's own messages and the first ones a client sends). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 32)
		return NO;
	for (int i = 16; i < 28; i++)
		if (p[i] != 0xff)
			return NO;
	/* a client's first: 0xFEFFFFFF next; a reflector's answer: not an RTP header first
	 * (G.711 silence in RTP is 0xFF bytes too) */
	if (xdpi_rd32(p + 28) == 0xfeffffff)
		return YES;
	return in->dir == 1 && (p[0] & 0xc0) != 0x80 ? YES : NO;
}

XDPI_IDENT(telegram, "Chat", UDP, 0, { 0 });
