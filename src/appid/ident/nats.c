// SPDX-License-Identifier: GPL-2.0
/* NATS: the server's greeting "INFO {" with its JSON, or a client's "CONNECT {". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	return xdpi_ident_starts(in, "INFO {\"") || xdpi_ident_starts(in, "CONNECT {\"") ? YES : NO;
}

XDPI_IDENT(nats, "RPC", TCP, 0, { 4222 });
