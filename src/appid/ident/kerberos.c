// SPDX-License-Identifier: GPL-2.0
/* Kerberos 5 (RFC 4120): an ASN.1 application tag (AS-REQ 10 ... KRB-ERROR 30) whose length
 * spans the message, then a SEQUENCE and the protocol version field [0] or [1] INTEGER 5; over
 * TCP behind a four-byte record length.
 * Named "krb5", as Suricata names it. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, hl;
	uint32_t len;

	if (in->l4 == TCP) {
		if (n < 4)
			return need(in, 4);
		if (xdpi_rd32(p) == 0 || xdpi_rd32(p) > 65536)
			return NO;
		p += 4, n -= 4;
	}
	if (n < 8)
		return need(in, in->l4 == TCP ? 12 : 8);
	if (!(p[0] >= 0x6a && p[0] <= 0x6e) && p[0] != 0x74 && p[0] != 0x75 && p[0] != 0x7e)
		return NO;
	if (p[1] < 0x80)
		len = p[1], hl = 2;
	else if (p[1] == 0x81)
		len = p[2], hl = 3;
	else if (p[1] == 0x82)
		len = xdpi_rd16(p + 2), hl = 4;
	else
		return NO;
	if (hl + len < n && in->l4 == UDP)
		return NO;
	if (p[hl] != 0x30 || hl + 6 > n)
		return NO;
	for (size_t i = hl + 2; i + 4 < n && i < hl + 8; i++)
		if ((p[i] == 0xa0 || p[i] == 0xa1) && p[i + 1] == 3 && p[i + 2] == 2 && p[i + 3] == 1 &&
		    p[i + 4] == 5)
			return YES;
	return NO;
}

XDPI_IDENT_NAMED(kerberos, "krb5", "Network", TCP | UDP, 0, { 88 });
