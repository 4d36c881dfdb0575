// SPDX-License-Identifier: GPL-2.0
/* Exit Games' Photon (the networking of many mobile games) over UDP: a 12-byte header (peer
 * id, CRC flag, command count, time, challenge) then that many commands, each with a type
 * (1 to 15), channel, flags, reserved byte and a length of at least 12 that walks exactly to
 * the datagram's end. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, off = 12;
	unsigned cmds;

	if (n < 24 || p[2] > 1 || p[3] == 0)
		return NO;
	cmds = p[3];
	for (unsigned i = 0; i < cmds; i++) {
		uint32_t clen;

		if (off + 12 > n || p[off] == 0 || p[off] > 15)
			return NO;
		clen = xdpi_rd32(p + off + 4);
		if (clen < 12 || clen > n - off)
			return NO;
		off += clen;
	}
	return off == n ? YES : NO;
}

XDPI_IDENT(photon, "Game", UDP, 0, { 5055, 5056, 27000 });
