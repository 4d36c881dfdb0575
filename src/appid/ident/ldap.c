// SPDX-License-Identifier: GPL-2.0
/* LDAP (RFC 4511): a BER SEQUENCE with a message id INTEGER and an application operation:
 * bind (0x60), search (0x63), extended (0x77), unbind (0x42), their responses (0x61, 0x64,
 * 0x65, 0x78), or connectionless search over UDP. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, o;
	uint8_t op;

	if (n < 7)
		return need(in, 7);
	if (p[0] != 0x30)
		return NO;
	if (p[1] < 0x80)
		o = 2;
	else if (p[1] >= 0x81 && p[1] <= 0x84)
		o = 2 + (p[1] & 0x7f);
	else
		return NO;
	if (o + 3 > n || p[o] != 0x02 || p[o + 1] < 1 || p[o + 1] > 4 || o + 2 + p[o + 1] >= n)
		return NO;
	op = p[o + 2 + p[o + 1]];
	return op == 0x60 || op == 0x63 || op == 0x77 || op == 0x42 || op == 0x61 || op == 0x64 ||
	       op == 0x65 || op == 0x78 ? YES : NO;
}

XDPI_IDENT(ldap, "Network", TCP | UDP, XDPI_IDENT_CLEAR, { 389, 3268 });
