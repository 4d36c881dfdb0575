// SPDX-License-Identifier: GPL-2.0
/* Elasticsearch's node-to-node transport (port 9300): every message starts "ES" and a 4-byte
 * length of what follows (the first one's, at most, all the bytes seen). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 6)
		return n >= 2 && p[0] == 'E' && p[1] == 'S' ? need(in, 6) : NO;
	if (p[0] != 'E' || p[1] != 'S' || xdpi_rd32(p + 2) < 8 || xdpi_rd32(p + 2) > (1u << 26))
		return NO;
	if ((size_t)xdpi_rd32(p + 2) + 6 == n)
		return YES;
	if ((size_t)xdpi_rd32(p + 2) + 6 > n)
		return xdpi_ident_on_port(in, 9300) ? YES : need(in, (size_t)xdpi_rd32(p + 2) + 6);
	n = (size_t)xdpi_rd32(p + 2) + 6;
	return in->len >= n + 2 && p[n] == 'E' && p[n + 1] == 'S' ? YES : NO;
}

XDPI_IDENT(elasticsearch, "Database", TCP, 0, { 9300 });
