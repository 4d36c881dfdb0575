// SPDX-License-Identifier: GPL-2.0
/* Gnutella: the TCP handshake "GNUTELLA CONNECT/0.x" and its answer "GNUTELLA/0.6 200", or
 * a UDP "GND" fragment header. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	if (xdpi_ident_starts(in, "GNUTELLA CONNECT/") || xdpi_ident_starts(in, "GNUTELLA/0."))
		return YES;
	if (in->l4 == UDP && in->len >= 8 && xdpi_ident_starts(in, "GND") && in->buf[7] >= 1 &&
	    in->buf[6] <= in->buf[7])
		return YES;
	return in->l4 == TCP && in->len < 17 && !memcmp(in->buf, "GNUTELLA", in->len < 8 ? in->len : 8)
		       ? MORE : NO;
}

XDPI_IDENT(gnutella, "P2P", TCP | UDP, 0, { 6346 });
