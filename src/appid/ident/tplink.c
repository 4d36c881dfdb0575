// SPDX-License-Identifier: GPL-2.0
/* TP-Link smart home protocol: JSON obfuscated with a running XOR (key 171), so a message
 * "{"..." starts 0xD0 0xF2; over TCP behind a four-byte length. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (in->l4 == TCP) {
		if (n < 6)
			return need(in, 6);
		if (xdpi_rd32(p) > 65536)
			return NO;
		p += 4, n -= 4;
	}
	return n >= 8 && p[0] == 0xd0 && p[1] == 0xf2 ? YES : NO;
}

XDPI_IDENT(tplink, "IoT-Scada", UDP | TCP, 0, { 9999 });
