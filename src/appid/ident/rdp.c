// SPDX-License-Identifier: GPL-2.0
/* RDP (MS-RDPBCGR 2.2.1.1): a TPKT (version 3) whose length is the message's, holding an
 * X.224 connection request (0xE0) with a "Cookie: mstshash=" or an RDP negotiation request;
 * or the server's connection confirm (0xD0). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 11)
		return need(in, 11);
	if (p[0] != 3 || p[1] != 0 || xdpi_rd16(p + 2) != n || (size_t)p[4] + 5 != n)
		return NO;
	if (p[5] == 0xd0) /* a confirm with RDP's negotiation response (or failure) */
		return in->dir == 1 && n == 19 && (p[11] == 2 || p[11] == 3) && xdpi_rd16le(p + 13) == 8 ? YES : NO;
	if (p[5] != 0xe0)
		return NO;
	if (memmem(p, n, "Cookie: mstshash=", 17) || memmem(p, n, "Cookie: msts=", 13))
		return YES;
	/* no cookie: the negotiation request right after the 7-byte X.224 header (other COTP
	 * users, S7 among them, put their parameters there) */
	return n == 19 && p[11] == 1 && xdpi_rd16le(p + 13) == 8 ? YES : NO;
}

XDPI_IDENT(rdp, "RemoteAccess", TCP, 0, { 3389 });
