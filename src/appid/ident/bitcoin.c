// SPDX-License-Identifier: GPL-2.0
/* Bitcoin's peer protocol: each message starts with the network's magic (main, testnet 3 and
 * 4, signet, regtest) and a 12-byte command name padded with zeros. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	static const uint32_t magics[] = { 0xf9beb4d9, 0x0b110907, 0x1c163f28, 0x0a03cf40,
					   0xfabfb5da };
	const uint8_t *p = in->buf;

	if (in->len < 24)
		return need(in, 24);
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (xdpi_rd32(p) == magics[i])
			return p[4] >= 'a' && p[4] <= 'z' && !p[15] ? YES : NO;
	return NO;
}

XDPI_IDENT(bitcoin, "Crypto_Currency", TCP, 0, { 8333, 18333 });
