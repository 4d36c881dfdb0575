// SPDX-License-Identifier: GPL-2.0
/* Memcached: the binary protocol's magic (0x80 request, 0x81 response) with a known opcode
 * and a body length that fits, or a text command on its port; over UDP behind the 8-byte
 * frame header. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (in->l4 == UDP) {
		if (n < 8 || xdpi_rd16(p + 6) != 0)
			return NO;
		p += 8, n -= 8;
	}
	if (n >= 24 && (p[0] == 0x80 || p[0] == 0x81) && p[1] <= 0x48 && (size_t)xdpi_rd32(p + 8) + 24 == n)
		return YES;
	if (!xdpi_ident_on_port(in, 11211) || n < 5)
		return NO;
	return !memcmp(p, "get ", 4) || !memcmp(p, "gets ", 5) || !memcmp(p, "set ", 4) ||
	       !memcmp(p, "stats", 5) || (n >= 7 && !memcmp(p, "version", 7)) ||
	       (n >= 6 && !memcmp(p, "VALUE ", 6)) || !memcmp(p, "STAT ", 5) ? YES : NO;
}

XDPI_IDENT(memcached, "Database", TCP | UDP, 0, { 11211 });
