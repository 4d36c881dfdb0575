// SPDX-License-Identifier: GPL-2.0
/* POP3 (RFC 1939): the server's greeting "+OK" (on POP3's port, or naming POP) or a client's
 * first command (CAPA, USER, APOP, AUTH, STLS) followed by an answer. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len;

	if (n < 4)
		return need(in, 4);
	if (in->dir == 1 && !memcmp(p, "+OK", 3))
		return xdpi_ident_on_port(in, 110) || memmem(p, n < 200 ? n : 200, "POP", 3) ? YES : NO;
	if (in->dir == 0 && (at_nocase(in, 0, "CAPA\r") || at_nocase(in, 0, "USER ") ||
			     at_nocase(in, 0, "APOP ") || at_nocase(in, 0, "STLS\r")))
		return xdpi_ident_on_port(in, 110) ? YES : NO;
	return NO;
}

XDPI_IDENT(pop3, "Email", TCP, XDPI_IDENT_CLEAR, { 110 });
