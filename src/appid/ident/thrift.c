// SPDX-License-Identifier: GPL-2.0
/* Apache Thrift: the strict binary protocol (version 0x8001, a message type 1 to 4, a
 * printable method name of the length it gives; framed transport puts a length first) or the
 * compact protocol (0x82, version 1 and the type, a varint sequence id and name length). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t nl;

	if (n >= 5 && p[0] == 0 && p[4] == 0x80 && (size_t)xdpi_rd32(p) + 4 == n)
		p += 4, n -= 4;
	if (n >= 4 && p[0] == 0x82 && (p[1] & 0x1f) == 1 && (p[1] >> 5) >= 1 && (p[1] >> 5) <= 4) {
		size_t o = 2; /* compact protocol: varint sequence id, varint name length, name */

		while (o < n && o < 7 && (p[o] & 0x80))
			o++;
		if (++o >= n || p[o] == 0 || p[o] > 127 || o + 1 + p[o] > n)
			return NO;
		return xdpi_ident_printable(p + o + 1, p[o]) ? YES : NO;
	}
	if (n < 12)
		return need(in, 12);
	if (p[0] != 0x80 || p[1] != 1 || p[2] != 0 || p[3] < 1 || p[3] > 4)
		return NO;
	nl = xdpi_rd32(p + 4);
	if (nl == 0 || nl > 256 || 8 + (size_t)nl > n)
		return NO;
	return xdpi_ident_printable(p + 8, nl) ? YES : NO;
}

XDPI_IDENT(thrift, "RPC", TCP | UDP, 0, { 9090 });
