// SPDX-License-Identifier: GPL-2.0
/* Ethereum's node discovery v4: a 32-byte hash, a 65-byte signature, a packet type 1 to 6,
 * then one RLP list that ends exactly with the datagram. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, len, hl;

	if (n < 100 || p[97] < 1 || p[97] > 6 || p[98] < 0xc0)
		return NO;
	if (p[98] <= 0xf7) {
		len = p[98] - 0xc0u, hl = 1;
	} else {
		hl = 1 + (size_t)(p[98] - 0xf7);
		if (hl > 3 || 98 + hl > n)
			return NO;
		len = 0;
		for (size_t i = 1; i < hl; i++)
			len = len << 8 | p[98 + i];
	}
	return 98 + hl + len == n ? YES : NO;
}

XDPI_IDENT(ethereum, "Crypto_Currency", UDP, 0, { 30303 });
