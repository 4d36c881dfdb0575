// SPDX-License-Identifier: GPL-2.0
/* IPsec key exchange (IKEv1 RFC 2408, IKEv2 RFC 7296) on UDP 500, or on 4500 behind the
 * four-zero non-ESP marker: initiator SPI, a known next payload, version 1.0 or 2.0, a known
 * exchange type, and a length equal to the datagram's.
 * Named "ike", as Suricata names it. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n >= 4 && !xdpi_rd32(p) && xdpi_ident_on_port(in, 4500))
		p += 4, n -= 4;
	if (n < 28 || xdpi_rd32(p + 24) != n)
		return NO;
	if (p[17] != 0x10 && p[17] != 0x20)
		return NO;
	if (!((p[18] >= 1 && p[18] <= 5) || (p[18] >= 32 && p[18] <= 37)))
		return NO;
	return (p[16] <= 53) ? YES : NO;
}

XDPI_IDENT_NAMED(ipsec, "ike", "VPN", UDP, 0, { 500, 4500 });
