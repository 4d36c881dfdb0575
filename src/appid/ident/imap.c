// SPDX-License-Identifier: GPL-2.0
/* IMAP (RFC 9051): the server's greeting "* OK" or "* PREAUTH" (naming IMAP or on its port),
 * or a client's tagged CAPABILITY, LOGIN, STARTTLS or AUTHENTICATE. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf, *sp;
	size_t n = in->len;

	if (n < 6)
		return need(in, 6);
	if (in->dir == 1 && (!memcmp(p, "* OK", 4) || xdpi_ident_starts(in, "* PREAUTH")))
		return xdpi_ident_on_port(in, 143) || memmem(p, n < 300 ? n : 300, "IMAP", 4) ? YES : NO;
	if (in->dir != 0 || !(sp = memchr(p, ' ', n < 16 ? n : 16)))
		return NO;
	n = (size_t)(sp + 1 - p); /* the command after the tag */
	return at_nocase(in, n, "CAPABILITY") || at_nocase(in, n, "LOGIN ") ||
	       at_nocase(in, n, "STARTTLS") || at_nocase(in, n, "AUTHENTICATE")
		       ? (xdpi_ident_on_port(in, 143) ? YES : NO) : NO;
}

XDPI_IDENT(imap, "Email", TCP, XDPI_IDENT_CLEAR, { 143 });
