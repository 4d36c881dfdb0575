// SPDX-License-Identifier: GPL-2.0
/* SMPP (short messages): a command length equal to the bytes, a bind (1, 2, 9) or its
 * response (0x80000001 ...) or enquire_link, status 0 on requests. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t id;

	if (n < 16)
		return need(in, 16);
	id = xdpi_rd32(p + 4);
	if (xdpi_rd32(p) != n && !(xdpi_rd32(p) < n && xdpi_ident_on_port(in, 2775)))
		return NO;
	if ((id == 1 || id == 2 || id == 9 || id == 0x15) && xdpi_rd32(p + 8) == 0)
		return YES;
	return (id == 0x80000001 || id == 0x80000002 || id == 0x80000009 || id == 0x80000015) ? YES : NO;
}

XDPI_IDENT(smpp, "Chat", TCP, 0, { 2775 });
