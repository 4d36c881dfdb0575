// SPDX-License-Identifier: GPL-2.0
/* RADIUS (RFC 2865/2866/5176): code, identifier, a length equal to the datagram's (or past
 * it when the capture cut the packet), a 16-byte authenticator, then attributes (type,
 * length >= 2) that end exactly at that length (or, on RADIUS's ports, run to the cut). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, off = 20;

	size_t len = n >= 4 ? xdpi_rd16(p + 2) : 0;

	if (n < 20 || len < n || len > 4096)
		return NO;
	if (!((p[0] >= 1 && p[0] <= 5) || (p[0] >= 11 && p[0] <= 13) || (p[0] >= 40 && p[0] <= 45)))
		return NO;
	while (off + 2 <= n && p[off + 1] >= 2 && p[off])
		off += p[off + 1];
	if (off == len)
		return YES;
	/* cut by the capture: only on RADIUS's ports */
	return len > n && off >= n && n >= 40 && (xdpi_ident_on_port(in, 1812) ||
		xdpi_ident_on_port(in, 1813) || xdpi_ident_on_port(in, 1645) || xdpi_ident_on_port(in, 1646))
		       ? YES : NO;
}

XDPI_IDENT(radius, "Network", UDP, 0, { 1812, 1813, 1645, 1646 });
