// SPDX-License-Identifier: GPL-2.0
/* RTP (RFC 3550), or SRTP whose header is the same: version 2 with no padding, extension or
 * contributing sources (the first byte exactly 0x80), a static audio/video payload type or a
 * dynamic one (96-127), a non-zero SSRC, between even ports above 1023 as RTP's are. A header
 * this short needs all of that to be said. Over TCP (RFC 4571) the framing length stands in
 * for the ports. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	bool framed = false;
	uint8_t pt;

	if (in->l4 == TCP) { /* RFC 4571: each packet behind its two-byte length */
		if (n < 22)
			return need(in, 22);
		if ((size_t)xdpi_rd16(p) + 2 > n && xdpi_rd16(p) > 1500)
			return NO;
		p += 2, n = xdpi_rd16(p - 2) < n - 2 ? xdpi_rd16(p - 2) : n - 2;
		framed = true;
	}
	if (n < 20 || n > 1500 || p[0] != 0x80 || (!framed && !xdpi_rd32(p + 8)))
		return NO;
	pt = p[1] & 0x7f;
	if (!(pt == 0 || pt == 3 || pt == 4 || pt == 8 || pt == 9 || pt == 18 || pt == 26 || pt == 31 ||
	      pt == 32 || pt == 33 || pt == 34 || (pt >= 96 && pt <= 127)))
		return NO;
	if (framed)
		return YES;
	return in->sport > 1023 && in->dport > 1023 && !(in->sport & 1) && !(in->dport & 1) ? YES : NO;
}

XDPI_IDENT(rtp, "Media", UDP | TCP, 0, { 5004, 5006 });
