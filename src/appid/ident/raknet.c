// SPDX-License-Identifier: GPL-2.0
/* RakNet (Minecraft Bedrock and others): offline messages carry the 16-byte "magic"
 * 00FFFF00FEFEFEFEFDFDFDFD12345678 after their id (ping, pong, open connection requests). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	static const uint8_t magic[16] = { 0x00, 0xff, 0xff, 0x00, 0xfe, 0xfe, 0xfe, 0xfe,
					   0xfd, 0xfd, 0xfd, 0xfd, 0x12, 0x34, 0x56, 0x78 };
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if ((p[0] == 0x01 || p[0] == 0x02) && n >= 25)
		return !memcmp(p + 9, magic, 16) ? YES : NO;
	if (p[0] == 0x1c && n >= 33)
		return !memcmp(p + 17, magic, 16) ? YES : NO;
	if ((p[0] >= 0x05 && p[0] <= 0x08) && n >= 17)
		return !memcmp(p + 1, magic, 16) ? YES : NO;
	return NO;
}

XDPI_IDENT(raknet, "Game", UDP, 0, { 19132, 19133, 7777 });
