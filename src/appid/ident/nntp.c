// SPDX-License-Identifier: GPL-2.0
/* NNTP (RFC 3977): the server's greeting 200 or 201 naming news or NNTP, or a client's
 * "MODE READER", "CAPABILITIES" or "AUTHINFO". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len;

	if (n < 6)
		return need(in, 6);
	if (in->dir == 1 && (!memcmp(p, "200 ", 4) || !memcmp(p, "201 ", 4)))
		return memmem(p, n < 200 ? n : 200, "NNTP", 4) || memmem(p, n < 200 ? n : 200, "news", 4) ||
		       xdpi_ident_on_port(in, 119) ? YES : NO;
	return in->dir == 0 && (at_nocase(in, 0, "MODE READER") ||
				at_nocase(in, 0, "CAPABILITIES") || at_nocase(in, 0, "AUTHINFO "))
		       ? (xdpi_ident_on_port(in, 119) ? YES : NO) : NO;
}

XDPI_IDENT(nntp, "Email", TCP, XDPI_IDENT_CLEAR, { 119 });
