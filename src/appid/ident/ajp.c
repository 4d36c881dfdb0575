// SPDX-License-Identifier: GPL-2.0
/* Apache JServ Protocol 1.3: the web server's packets start 0x1234, the container's "AB",
 * then a length equal to the rest and a known type (2 forward request, 7 shutdown, 10 ping;
 * 3 to 6 and 9 for answers). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 5)
		return need(in, 5);
	if ((size_t)xdpi_rd16(p + 2) + 4 != n && !((size_t)xdpi_rd16(p + 2) + 4 < n && xdpi_ident_on_port(in, 8009)))
		return (size_t)xdpi_rd16(p + 2) + 4 > n && n < 8192 && p[0] == 0x12 ? need(in, xdpi_rd16(p + 2) + 4u) : NO;
	if (p[0] == 0x12 && p[1] == 0x34)
		return p[4] == 2 || p[4] == 7 || p[4] == 10 ? YES : NO;
	if (p[0] == 'A' && p[1] == 'B')
		return (p[4] >= 3 && p[4] <= 6) || p[4] == 9 ? YES : NO;
	return NO;
}

XDPI_IDENT(ajp, "Web", TCP, 0, { 8009 });
