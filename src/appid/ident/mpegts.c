// SPDX-License-Identifier: GPL-2.0
/* MPEG transport stream over UDP: whole 188-byte packets, every one starting with the sync
 * byte 0x47 (after RTP's 12 bytes when carried in RTP). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n % 188 == 12 && n > 12 && p[0] == 0x80)
		p += 12, n -= 12;
	if (n < 376 || n % 188)
		return NO;
	for (size_t o = 0; o < n; o += 188)
		if (p[o] != 0x47)
			return NO;
	return YES;
}

XDPI_IDENT(mpegts, "Media", UDP, 0, { 0 });
