// SPDX-License-Identifier: GPL-2.0
/* ZeroMQ's ZMTP 3.x greeting: 0xFF, eight bytes, 0x7F, major version 3. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 11)
		return p[0] == 0xff ? need(in, 11) : NO;
	return p[0] == 0xff && p[9] == 0x7f && p[10] == 3 ? YES : NO;
}

XDPI_IDENT(zmtp, "RPC", TCP, 0, { 0 });
