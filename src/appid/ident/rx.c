// SPDX-License-Identifier: GPL-2.0
/* AFS's Rx RPC (ports 7000-7009): a 28-byte header with a packet type 1 to 13, flags, a
 * security index up to 3 and a service id; the port range is part of the signature. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 28 || p[20] < 1 || p[20] > 13 || p[23] > 3)
		return NO;
	return (in->sport >= 7000 && in->sport <= 7009) || (in->dport >= 7000 && in->dport <= 7009) ? YES : NO;
}

XDPI_IDENT(rx, "FileSharing", UDP, 0, { 7000, 7001, 7002, 7003 });
