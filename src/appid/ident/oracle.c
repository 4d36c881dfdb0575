// SPDX-License-Identifier: GPL-2.0
/* Oracle's TNS: a packet length equal to the bytes (or the connect data to follow), a zero
 * checksum, a packet type (1 connect, 2 accept, 4 refuse, 5 redirect, 6 data, 11 resend,
 * 12 marker), and a connect naming "(DESCRIPTION=" or "(CONNECT_DATA=". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 8)
		return need(in, 8);
	if (xdpi_rd16(p + 2) != 0 || p[5] != 0)
		return NO;
	if (p[4] == 1 && n >= 34)
		return memmem(p, n, "(DESCRIPTION=", 13) || memmem(p, n, "(CONNECT_DATA=", 14) ? YES : need(in, 512);
	if ((p[4] == 2 || p[4] == 4 || p[4] == 5 || p[4] == 6 || p[4] == 11 || p[4] == 12) &&
	    xdpi_rd16(p) == n && xdpi_ident_on_port(in, 1521))
		return YES;
	return NO;
}

XDPI_IDENT(oracle, "Database", TCP, 0, { 1521 });
