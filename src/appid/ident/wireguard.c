// SPDX-License-Identifier: GPL-2.0
/* WireGuard: message type 1 to 4 then three zero bytes, and the exact length of its type
 * (initiation 148, response 92, cookie reply 64; transport data: 32 or more, a multiple of 16). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 32 || p[1] || p[2] || p[3])
		return NO;
	switch (p[0]) {
	case 1: return n == 148 ? YES : NO;
	case 2: return n == 92 ? YES : NO;
	case 3: return n == 64 ? YES : NO;
	case 4: return (n - 32) % 16 == 0 ? YES : NO; /* 2^-32 by chance, any port */
	}
	return NO;
}

XDPI_IDENT(wireguard, "VPN", UDP, 0, { 51820 });
