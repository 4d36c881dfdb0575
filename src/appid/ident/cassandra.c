// SPDX-License-Identifier: GPL-2.0
/* Cassandra's native protocol (CQL): a frame header with version 3 to 5 (0x8x: a response),
 * flags, a stream id, a known opcode (0 to 0x10) and a body length equal to what follows. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint8_t v = p[0] & 0x7f;

	if (n < 9)
		return need(in, 9);
	if (v < 3 || v > 5 || p[4] > 0x10 || (in->dir == 0) != !(p[0] & 0x80))
		return NO;
	return (size_t)xdpi_rd32(p + 5) + 9 == n ? YES : NO;
}

XDPI_IDENT(cassandra, "Database", TCP, 0, { 9042 });
