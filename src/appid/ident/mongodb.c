// SPDX-License-Identifier: GPL-2.0
/* MongoDB wire protocol: a little-endian header (length equal to the message's, request id,
 * response to, opcode: OP_REPLY 1, OP_UPDATE..OP_KILL_CURSORS 2001-2007, OP_COMPRESSED 2012,
 * OP_MSG 2013). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t len, op;

	if (n < 16)
		return need(in, 16);
	len = rd32le(p), op = rd32le(p + 12);
	if (len < 16 || len > 48 * 1024 * 1024)
		return NO;
	if (!(op == 1 || (op >= 2001 && op <= 2007) || op == 2012 || op == 2013))
		return NO;
	if (len > n)
		return len <= 16384 ? need(in, len) : NO;
	if (len == n)
		return YES;
	/* more messages follow: the next must start with a plausible header too */
	return n - len >= 16 && rd32le(p + len) >= 16 && rd32le(p + len) <= 48 * 1024 * 1024 &&
	       (rd32le(p + len + 12) == 1 || rd32le(p + len + 12) == 2013) ? YES : NO;
}

XDPI_IDENT(mongodb, "Database", TCP, 0, { 27017 });
