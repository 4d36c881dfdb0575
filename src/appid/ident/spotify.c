// SPDX-License-Identifier: GPL-2.0
/* Spotify: its LAN discovery broadcasts "SpotUdp0" on port 57621; its client opens an access
 * point connection with version 4, the hello's length and the hello (a protobuf). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (xdpi_ident_starts(in, "SpotUdp"))
		return YES;
	/* the access point connection: version 4, a 4-byte length of the hello, a protobuf */
	if (in->l4 != TCP || in->dir)
		return NO;
	if (in->len < 7)
		return need(in, 7);
	return xdpi_rd16(p) == 4 && xdpi_rd32(p + 2) == in->len && p[6] == 0x52 ? YES : NO;
}

XDPI_IDENT(spotify, "Music", UDP | TCP, 0, { 57621, 4070 });
