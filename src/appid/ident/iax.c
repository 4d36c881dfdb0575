// SPDX-License-Identifier: GPL-2.0
/* IAX2 (RFC 5456) on its port: a full frame (the F bit and a source call number), its
 * sequence numbers, frame type 6 (IAX control) and a control subclass from NEW (1) to the
 * last defined (0x22); a call's first frame, NEW, has no destination call yet. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 12 || !xdpi_ident_on_port(in, 4569) || !(p[0] & 0x80) || !(xdpi_rd16(p) & 0x7fff))
		return NO;
	if (p[10] != 6 || p[11] < 1 || p[11] > 0x22)
		return NO;
	return p[11] != 1 || (!(xdpi_rd16(p + 2) & 0x7fff) && !p[8] && !p[9]) ? YES : NO;
}

XDPI_IDENT(iax, "VoIP", UDP, 0, { 4569 });
