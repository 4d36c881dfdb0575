// SPDX-License-Identifier: GPL-2.0
/* Direct Connect (NMDC): the hub's "$Lock " challenge, a client's "$MyNick ", "$Key " or
 * "$ValidateNick ", each a command ending with '|'. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;

	if (in->len < 8)
		return in->len && p[0] == '$' ? need(in, 8) : NO;
	if (!xdpi_ident_starts(in, "$Lock ") && !xdpi_ident_starts(in, "$MyNick ") &&
	    !xdpi_ident_starts(in, "$Key ") && !xdpi_ident_starts(in, "$ValidateNick ") &&
	    !xdpi_ident_starts(in, "$Supports "))
		return NO;
	return memchr(p, '|', in->len < 1024 ? in->len : 1024) ? YES : need(in, 1024);
}

XDPI_IDENT(directconnect, "P2P", TCP, 0, { 411, 412 });
