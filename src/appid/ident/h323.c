// SPDX-License-Identifier: GPL-2.0
/* H.323 call signalling (H.225.0 over TPKT): a TPKT whose length is the message's, then Q.931
 * (protocol discriminator 8), a call reference of at most 2 bytes and a message type (setup,
 * alerting, connect, release complete ...). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint8_t crl, mt;

	if (n < 9)
		return need(in, 9);
	if (p[0] != 3 || p[1] != 0 || xdpi_rd16(p + 2) < 9 || xdpi_rd16(p + 2) > n || p[4] != 8)
		return NO;
	crl = p[5] & 0x0f;
	if (crl > 2 || (size_t)7 + crl > n)
		return NO;
	mt = p[6 + crl];
	return mt == 0x01 || mt == 0x02 || mt == 0x03 || mt == 0x05 || mt == 0x07 || mt == 0x5a ||
	       mt == 0x62 || mt == 0x6e || mt == 0x7d ? YES : NO;
}

XDPI_IDENT(h323, "VoIP", TCP, 0, { 1720 });
