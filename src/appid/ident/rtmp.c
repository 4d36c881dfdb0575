// SPDX-License-Identifier: GPL-2.0
/* RTMP: the client's handshake C0 (version 3, or 6 for encrypted RTMPE) and the 1536-byte C1
 * on RTMP's port, or any port when C1's four zero bytes follow its timestamp. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (in->dir || (p[0] != 3 && p[0] != 6))
		return NO;
	if (n < 1537)
		return n < 9 || !xdpi_rd32(p + 5) || xdpi_ident_on_port(in, 1935) ? MORE : NO;
	return xdpi_ident_on_port(in, 1935) || !xdpi_rd32(p + 5) ? YES : NO;
}

XDPI_IDENT(rtmp, "Media", TCP, 0, { 1935 });
