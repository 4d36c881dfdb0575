// SPDX-License-Identifier: GPL-2.0
/* TLS joined mid-stream (no handshake seen, so the TLS dissector has nothing to read): a
 * record header (content type 20 to 23, version SSL 3.0 to TLS 1.3's 0x0303, a length of at
 * most 2^14 + 2048) that ends where the bytes end or where a second valid header begins.
 * Named "tls" like the dissector. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, end;

	if (n < 5)
		return n && p[0] >= 20 && p[0] <= 23 ? need(in, 5) : NO;
	if (p[0] < 20 || p[0] > 23 || p[1] != 3 || p[2] > 4 || !xdpi_rd16(p + 3) ||
	    xdpi_rd16(p + 3) > 16384 + 2048)
		return NO;
	end = 5 + (size_t)xdpi_rd16(p + 3);
	if (end == n)
		return YES;
	if (end > n)
		return n < 4096 ? MORE : NO;
	if (end + 3 > n)
		return MORE;
	return p[end] >= 20 && p[end] <= 23 && p[end + 1] == 3 && p[end + 2] <= 4 ? YES : NO;
}

XDPI_IDENT_NAMED(tls_records, "tls", "Web", TCP, 0, { 443, 993, 995, 465 });
