// SPDX-License-Identifier: GPL-2.0
/* Valve's Source engine server queries (A2S): four 0xFF bytes, then "TSource Engine Query",
 * or on the game ports 27000-27050 another query or answer letter (I, A, D, E, U, V, W, m). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 5 || xdpi_rd32(p) != 0xffffffff)
		return NO;
	if (n >= 24 && !memcmp(p + 4, "TSource Engine Query", 20))
		return YES;
	if (!memchr("IADEUVWm", p[4], 8))
		return NO;
	return (in->sport >= 27000 && in->sport <= 27050) || (in->dport >= 27000 && in->dport <= 27050)
		       ? YES : NO;
}

XDPI_IDENT(source_engine, "Game", UDP, 0, { 27015, 27016, 27005 });
