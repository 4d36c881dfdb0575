// SPDX-License-Identifier: GPL-2.0
/* SOCKS 4/4a and 5 (RFC 1928): a version 5 greeting lists exactly as many methods as it
 * says; a version 4 request names CONNECT or BIND, a port, an address and a user id ending
 * with zero (4a: then a host name). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (in->dir)
		return NO;
	if (n < 3)
		return (p[0] == 5 || p[0] == 4) ? need(in, 3) : NO;
	if (p[0] == 5 && p[1] >= 1 && p[1] <= 9 && n == (size_t)p[1] + 2) {
		for (size_t i = 2; i < n; i++)
			if (p[i] > 9 && p[i] != 0x80 && p[i] != 0xff)
				return NO;
		return YES;
	}
	if (p[0] == 4 && (p[1] == 1 || p[1] == 2) && n >= 9 && p[n - 1] == 0 && n < 300) {
		const uint8_t *z = memchr(p + 8, 0, n - 8); /* the user id's end */

		if (!xdpi_ident_printable(p + 8, (size_t)(z - p - 8)))
			return NO;
		/* SOCKS 4a: address 0.0.0.x, then the host name */
		return z == p + n - 1 || (!p[4] && !p[5] && !p[6] && p[7] &&
					  xdpi_ident_printable(z + 1, (size_t)(p + n - 2 - z))) ? YES : NO;
	}
	return NO;
}

XDPI_IDENT(socks, "Web", TCP, 0, { 1080 });
