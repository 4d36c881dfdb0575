// SPDX-License-Identifier: GPL-2.0
/* Monero's peer protocol (levin): every message opens with the signature 0x0101010101012101
 * (little-endian), a body size and a command. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	static const uint8_t sig[8] = { 0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01 };

	if (in->len < 8)
		return !memcmp(in->buf, sig, in->len) ? MORE : NO;
	return !memcmp(in->buf, sig, 8) ? YES : NO;
}

XDPI_IDENT(monero, "Crypto_Currency", TCP, 0, { 18080 });
