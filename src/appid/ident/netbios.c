// SPDX-License-Identifier: GPL-2.0
/* NetBIOS over TCP/IP (RFC 1001/1002): the name service (a DNS-like header whose names are
 * 32 letters A to P), datagrams (types 0x10 to 0x16 with the source's address) and the
 * session service (a request, answers, keepalive or a message whose length fits). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (in->l4 == TCP) {
		if (n < 4)
			return need(in, 4);
		if (p[0] == 0x81 && n >= 72 && p[4] == 0x20)
			return YES;
		if ((p[0] == 0x82 || p[0] == 0x85) && n == 4 && !p[1] && !p[2] && !p[3])
			return YES;
		if (p[0] == 0x83 && n == 5)
			return YES;
		return p[0] == 0 && n >= 8 && xdpi_rd24(p + 1) + 4 == n && p[5] == 'S' && p[6] == 'M' &&
		       p[7] == 'B' ? YES : NO;
	}
	if (xdpi_ident_on_port(in, 138) && n >= 14 && p[0] >= 0x10 && p[0] <= 0x16 &&
	    xdpi_rd16(p + 8) == 138)
		return YES;
	if (!xdpi_ident_on_port(in, 137) || n < 50)
		return NO;
	if (((p[2] >> 3) & 0xf) > 8 && ((p[2] >> 3) & 0xf) != 15)
		return NO;
	if (p[12] != 0x20 || p[12 + 33] != 0)
		return NO;
	for (int i = 13; i < 45; i++)
		if (p[i] < 'A' || p[i] > 'P')
			return NO;
	return YES;
}

XDPI_IDENT(netbios, "System", UDP | TCP, 0, { 137, 138, 139 });
