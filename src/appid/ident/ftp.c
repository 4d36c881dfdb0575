// SPDX-License-Identifier: GPL-2.0
/* FTP control (RFC 959): a server greeting "220" naming FTP (or on port 21), or a client's
 * first command: USER, AUTH TLS/SSL, FEAT, SYST, OPTS. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	if (in->len < 5)
		return need(in, 5);
	if (greeting_220(in, "FTP") || (greeting_220(in, "220") && xdpi_ident_on_port(in, 21)))
		return YES;
	if (in->dir == 0 && (at_nocase(in, 0, "USER ") || at_nocase(in, 0, "AUTH TLS") ||
			     at_nocase(in, 0, "AUTH SSL") || at_nocase(in, 0, "FEAT\r") ||
			     at_nocase(in, 0, "SYST\r")))
		return xdpi_ident_on_port(in, 21) ? YES : NO;
	return NO;
}

XDPI_IDENT(ftp, "DataTransfer", TCP, XDPI_IDENT_CLEAR, { 21 });
