// SPDX-License-Identifier: GPL-2.0
/* WhatsApp's chat connection opens with its own header before the Noise handshake: "WA" and
 * a two-byte protocol version, or "ED" 0 1 on an edge routing prefix. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->dir)
		return NO;
	if (in->len < 4)
		return (p[0] == 'W' || p[0] == 'E') ? need(in, 4) : NO;
	if (p[0] == 'W' && p[1] == 'A' && p[2] <= 6 && p[3] <= 9)
		return YES;
	return p[0] == 'E' && p[1] == 'D' && p[2] == 0 && p[3] == 1 ? YES : NO;
}

XDPI_IDENT(whatsapp, "Chat", TCP, 0, { 5222, 443 });
