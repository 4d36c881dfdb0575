// SPDX-License-Identifier: GPL-2.0
/* NFS and its helpers over ONC RPC (RFC 5531): a call (transaction id, message type 0, RPC
 * version 2) to the port mapper (100000), NFS (100003), mount (100005), the lock manager
 * (100021), status (100024) or NFS ACL (100227); over TCP behind the record marker
 * (last-fragment bit, length). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t prog;

	if (in->l4 == TCP) {
		if (n < 4)
			return need(in, 4);
		if (!(p[0] & 0x80) || (xdpi_rd32(p) & 0x7fffffff) < 24)
			return NO;
		p += 4, n -= 4;
	}
	if (n < 24)
		return need(in, in->l4 == TCP ? 28 : 24);
	if (xdpi_rd32(p + 4) != 0 || xdpi_rd32(p + 8) != 2)
		return NO;
	prog = xdpi_rd32(p + 12);
	if (prog != 100000 && prog != 100003 && prog != 100005 && prog != 100021 && prog != 100024 &&
	    prog != 100227)
		return NO;
	return xdpi_rd32(p + 16) <= 10 ? YES : NO;
}

XDPI_IDENT(nfs, "DataTransfer", UDP | TCP, 0, { 2049, 111 });
