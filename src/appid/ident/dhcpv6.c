// SPDX-License-Identifier: GPL-2.0
/* DHCPv6 (RFC 8415): a message type 1 to 13 or relay 12/13, then options (code, length) that
 * end exactly with the datagram, between the client and server ports. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, off;

	if (n < 8 || !(xdpi_ident_on_port(in, 546) || xdpi_ident_on_port(in, 547)))
		return NO;
	if (p[0] < 1 || p[0] > 13)
		return NO;
	off = (p[0] == 12 || p[0] == 13) ? 34 : 4;
	while (off + 4 <= n)
		off += 4 + (size_t)xdpi_rd16(p + off + 2);
	return off == n ? YES : NO;
}

XDPI_IDENT(dhcpv6, "Network", UDP, 0, { 546, 547 });
