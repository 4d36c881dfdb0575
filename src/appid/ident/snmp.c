// SPDX-License-Identifier: GPL-2.0
/* SNMP (RFC 1157, 3416, 3412): a BER SEQUENCE holding INTEGER version 0, 1 or 3, then a
 * community OCTET STRING (v1, v2c) or the v3 header SEQUENCE. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, o;

	if (n < 10 || p[0] != 0x30)
		return NO;
	if (p[1] < 0x80)
		o = 2;
	else if (p[1] == 0x81)
		o = 3;
	else if (p[1] == 0x82)
		o = 4;
	else
		return NO;
	if (o + 5 > n || p[o] != 0x02 || p[o + 1] != 1 || (p[o + 2] != 0 && p[o + 2] != 1 && p[o + 2] != 3))
		return NO;
	return (p[o + 2] == 3 ? p[o + 3] == 0x30 : p[o + 3] == 0x04) ? YES : NO;
}

XDPI_IDENT(snmp, "Network", UDP, 0, { 161, 162 });
