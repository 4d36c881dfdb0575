// SPDX-License-Identifier: GPL-2.0
/* PostgreSQL (frontend/backend protocol 3): the client's startup message (a length equal to
 * its bytes, version 3.0, "user" among its parameters), or an SSL or GSS encryption request
 * (8 bytes, code 80877103 or 80877104), or a cancel request (16 bytes, 80877102).
 * Named "pgsql", as Suricata names it. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t len, code;

	if (in->dir)
		return NO;
	if (n < 8)
		return need(in, 8);
	len = xdpi_rd32(p), code = xdpi_rd32(p + 4);
	if (len == 8 && (code == 80877103 || code == 80877104))
		return YES;
	if (len == 16 && code == 80877102)
		return n >= 16 ? YES : MORE;
	if (code != 0x00030000 || len < 9 || len > 10000)
		return NO;
	if (n < len)
		return need(in, len);
	return memmem(p + 8, len - 8, "user", 5) ? YES : NO;
}

XDPI_IDENT_NAMED(postgresql, "pgsql", "Database", TCP, 0, { 5432 });
