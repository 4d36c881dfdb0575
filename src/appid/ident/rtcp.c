// SPDX-License-Identifier: GPL-2.0
/* RTCP (RFC 3550): a compound packet of reports, each version 2 with a type 200 to 207 and a
 * length in 32-bit words, walking exactly to the datagram's end; the first a sender or
 * receiver report (or, SRTCP, the same header). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, off = 0;

	if (n < 8 || (p[0] & 0xc0) != 0x80 || (p[1] != 200 && p[1] != 201))
		return NO;
	while (off + 4 <= n && (p[off] & 0xc0) == 0x80 && p[off + 1] >= 200 && p[off + 1] <= 207)
		off += 4 + 4 * (size_t)xdpi_rd16(p + off + 2);
	return off == n || (off < n && n - off <= 14 && off > 0) ? YES : NO; /* SRTCP's index and tag */
}

XDPI_IDENT(rtcp, "Media", UDP, 0, { 5005, 5007 });
