// SPDX-License-Identifier: GPL-2.0
/* Cisco's Skinny (SCCP, port 2000): a little-endian length counting from byte 8, a header
 * version 0, 0x11, 0x12 or 0x14..0x16, and a message id below 0x200 or a 0x8000 one. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t len, ver, id;

	if (n < 12)
		return need(in, 12);
	len = rd32le(p), ver = rd32le(p + 4), id = rd32le(p + 8);
	if (len < 4 || len > 4096 || !(ver == 0 || ver == 0x11 || ver == 0x12 || (ver >= 0x14 && ver <= 0x16)))
		return NO;
	if (!(id < 0x200 || (id >= 0x8000 && id < 0x8200)))
		return NO;
	return (size_t)len + 8 == n || ((size_t)len + 8 < n && xdpi_ident_on_port(in, 2000)) ? YES : NO;
}

XDPI_IDENT(skinny, "VoIP", TCP, 0, { 2000 });
