// SPDX-License-Identifier: GPL-2.0
/* MySQL and MariaDB: the server speaks first, a handshake packet (3-byte length, sequence 0,
 * protocol version 10) holding a zero-ended printable server version. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, len;
	const uint8_t *z;

	if (in->dir != 1)
		return NO;
	if (n < 8)
		return need(in, 8);
	len = p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
	if (p[3] != 0 || p[4] != 10 || len < 20 || len > 512)
		return NO;
	if (!(z = memchr(p + 5, 0, n - 5)))
		return need(in, len + 4);
	return z - (p + 5) >= 3 && xdpi_ident_printable(p + 5, (size_t)(z - (p + 5))) && p[5] >= '3' &&
	       p[5] <= '9' ? YES : NO;
}

XDPI_IDENT(mysql, "Database", TCP, 0, { 3306 });
