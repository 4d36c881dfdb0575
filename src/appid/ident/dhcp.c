// SPDX-License-Identifier: GPL-2.0
/* DHCP and BOOTP (RFC 2131): op 1 or 2, Ethernet hardware type and length (or 0 for other
 * links), the magic cookie 99.130.83.99 at byte 236. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 240 || (p[0] != 1 && p[0] != 2) || p[2] > 16)
		return NO;
	return xdpi_rd32(p + 236) == 0x63825363 ? YES : NO;
}

XDPI_IDENT(dhcp, "Network", UDP, 0, { 67, 68 });
