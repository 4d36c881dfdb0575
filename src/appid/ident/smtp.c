// SPDX-License-Identifier: GPL-2.0
/* SMTP (RFC 5321): a server greeting "220" naming SMTP or ESMTP, or a client's EHLO or HELO. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	if (in->len < 5)
		return need(in, 5);
	if (greeting_220(in, "SMTP"))
		return YES;
	if (greeting_220(in, "220")) /* the name may follow in the rest of the line */
		return need(in, 64);
	if (in->dir == 0 && (at_nocase(in, 0, "EHLO ") || at_nocase(in, 0, "HELO ")))
		return YES;
	return NO;
}

XDPI_IDENT(smtp, "Email", TCP, XDPI_IDENT_CLEAR, { 25, 587, 2525 });
