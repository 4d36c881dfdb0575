// SPDX-License-Identifier: GPL-2.0
/* STOMP: the client's "CONNECT" or "STOMP" frame, then headers such as accept-version or
 * host; the server's "CONNECTED". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len < 256 ? in->len : 256;

	if (xdpi_ident_starts(in, "CONNECTED\n") || xdpi_ident_starts(in, "CONNECTED\r\n"))
		return YES;
	if (!xdpi_ident_starts(in, "CONNECT\n") && !xdpi_ident_starts(in, "STOMP\n") &&
	    !xdpi_ident_starts(in, "CONNECT\r\n") && !xdpi_ident_starts(in, "STOMP\r\n"))
		return NO;
	return memmem(p, n, "accept-version:", 15) || memmem(p, n, "\nhost:", 6) || memmem(p, n, "\nlogin:", 7)
		       ? YES : need(in, 256);
}

XDPI_IDENT(stomp, "RPC", TCP, 0, { 61613 });
