// SPDX-License-Identifier: GPL-2.0
/* LDP (RFC 5036) on port 646: version 1, a PDU length equal to the rest, an LSR id and label
 * space, then a hello (0x0100), initialization (0x0200) or keepalive (0x0201) message. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (!xdpi_ident_on_port(in, 646))
		return NO;
	if (n < 14)
		return need(in, 14);
	if (xdpi_rd16(p) != 1 || (size_t)xdpi_rd16(p + 2) + 4 > n)
		return NO;
	return (xdpi_rd16(p + 10) & 0x7fff) >= 0x0001 && (xdpi_rd16(p + 10) & 0x7fff) <= 0x0f00 ? YES : NO;
}

XDPI_IDENT(ldp, "Network", UDP | TCP, 0, { 646 });
