// SPDX-License-Identifier: GPL-2.0
/* QUIC packets the QUIC dissector cannot read: Google QUIC's public header (Q0xx up to Q043:
 * flags, an 8-byte connection id, the "Q0" version), long headers of versions it has no keys
 * for (drafts 0xFF0000xx, Facebook's mvfst 0xFACEB00x, Google's Q046+ and T0xx, reserved
 * greasing versions ?A?A?A?A) and version negotiation (version 0 with a list of versions).
 * Named "quic" like the dissector. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t v;

	if (n < 13)
		return NO;
	if ((p[0] & 0x80) == 0) { /* gQUIC public header with the version flag */
		if ((p[0] & 0x09) != 0x09 || n < 1200 - 200 || p[9] != 'Q' || p[10] != '0')
			return NO;
		return p[11] >= '0' && p[11] <= '9' && p[12] >= '0' && p[12] <= '9' ? YES : NO;
	}
	v = xdpi_rd32(p + 1);
	if ((p[1] == 'Q' || p[1] == 'T') && p[2] == '0' && p[3] >= '4' && p[3] <= '9') /* Q046+: the */
		return in->dir == 0 ? (n >= 1200 ? YES : NO) : YES; /* ids' lengths in one byte */
	if (p[5] > 20)
		return NO;
	if (v == 0) /* version negotiation: ids, then versions to the end */
		return in->dir == 1 && n >= (size_t)p[5] + 12 ? YES : NO;
	if ((p[0] & 0x40) == 0)
		return NO;
	if ((v & 0xffffff00) == 0xff000000 || (v & 0xfffffff0) == 0xfaceb000 ||
	    ((p[1] == 'Q' || p[1] == 'T') && p[2] == '0') || (v & 0x0f0f0f0f) == 0x0a0a0a0a ||
	    v == 1 || v == 0x6b3343cf)
		return in->dir == 0 ? (n >= 1200 ? YES : NO) : YES;
	return NO;
}

XDPI_IDENT_NAMED(quic_other, "quic", "Web", UDP, 0, { 443, 80 });
