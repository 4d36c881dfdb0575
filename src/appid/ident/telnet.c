// SPDX-License-Identifier: GPL-2.0
/* Telnet (RFC 854): option negotiation opens the session: IAC (0xFF) then WILL, WONT, DO or
 * DONT (0xFB to 0xFE) and an option, possibly several in a row. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 3)
		return p[0] == 0xff ? need(in, 3) : NO;
	if (p[0] != 0xff || p[1] < 0xfb || p[1] > 0xfe || p[2] > 50)
		return NO;
	return n == 3 || p[3] == 0xff ? YES : NO;
}

XDPI_IDENT(telnet, "RemoteAccess", TCP, XDPI_IDENT_CLEAR, { 23 });
