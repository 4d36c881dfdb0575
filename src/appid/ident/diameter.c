// SPDX-License-Identifier: GPL-2.0
/* Diameter (RFC 6733): version 1, a 24-bit length equal to the message (or the first of several),
 * flags with the four reserved bits clear, a command code (capabilities exchange 257, watchdog
 * 280, disconnect 282, and the applications' 258-330), hop-by-hop and end-to-end ids. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, len;
	uint32_t code;

	if (n < 20)
		return need(in, 20);
	len = xdpi_rd24(p + 1);
	code = xdpi_rd24(p + 5);
	if (p[0] != 1 || (p[4] & 0x0f) || len < 20 || len % 4 || code < 257 || code > 8388639)
		return NO;
	if (len > n)
		return len <= 16384 ? need(in, len) : NO;
	return code <= 330 || code >= 8388608 ? YES : NO;
}

XDPI_IDENT(diameter, "Network", TCP, 0, { 3868 });
