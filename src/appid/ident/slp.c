// SPDX-License-Identifier: GPL-2.0
/* Service Location Protocol v1 (RFC 2165) and v2 (RFC 2608): version, function id, and the
 * message length (two bytes in v1, three in v2) that must equal what the datagram holds. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 12)
		return need(in, 12);
	if (p[0] == 2 && p[1] >= 1 && p[1] <= 11 && xdpi_rd24(p + 2) == n && p[5] <= 0xe0 &&
	    xdpi_rd16(p + 12 < p + n ? p + 12 : p) <= 8 && n >= 16)
		return YES;
	/* v1: flags, dialect 0, a two-letter language code, a character encoding (IANA) */
	if (p[0] == 1 && p[1] >= 1 && p[1] <= 10 && xdpi_rd16(p + 2) == n && p[5] == 0 &&
	    p[6] >= 'a' && p[6] <= 'z' && p[7] >= 'a' && p[7] <= 'z' && xdpi_rd16(p + 8) < 3000)
		return YES;
	return NO;
}

XDPI_IDENT(slp, "Network", TCP | UDP, 0, { 427 });
