// SPDX-License-Identifier: GPL-2.0
/* collectd's network protocol: parts of (type, length) that fill the datagram exactly, the
 * first a host, time, plugin or signature/encryption part. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, off = 0;
	uint16_t t0;

	if (n < 8)
		return NO;
	t0 = xdpi_rd16(p);
	if (!(t0 <= 0x0009 || t0 == 0x0100 || t0 == 0x0101 || t0 == 0x0200 || t0 == 0x0210))
		return NO;
	while (off + 4 <= n && xdpi_rd16(p + off + 2) >= 4)
		off += xdpi_rd16(p + off + 2);
	return off == n ? YES : NO;
}

XDPI_IDENT(collectd, "System", UDP, 0, { 25826 });
