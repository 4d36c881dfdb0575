// SPDX-License-Identifier: GPL-2.0
/* Kismet's client/server protocol: the server greets with "*KISMET: ". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	return xdpi_ident_starts(in, "*KISMET: ") ? YES : (in->len < 9 && in->len && in->buf[0] == '*' ? need(in, 9) : NO);
}

XDPI_IDENT(kismet, "Network", TCP, 0, { 2501 });
