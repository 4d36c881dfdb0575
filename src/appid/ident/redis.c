// SPDX-License-Identifier: GPL-2.0
/* Redis's RESP: a client's command is an array of bulk strings, "*N\r\n$M\r\n..."; the
 * inline "PING\r\n" form only on Redis's port. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len, i = 1;

	if (n < 4)
		return need(in, 4);
	if (in->dir == 0 && xdpi_ident_on_port(in, 6379) && xdpi_ident_starts(in, "PING\r\n"))
		return YES;
	if (p[0] != '*')
		return NO;
	while (i < n && i < 8 && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == 1 || i + 3 > n)
		return need(in, 16);
	return p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '$' ? YES : NO;
}

XDPI_IDENT(redis, "Database", TCP, 0, { 6379 });
