// SPDX-License-Identifier: GPL-2.0
/* OSCAR (AIM, ICQ): FLAP frames, the start byte 0x2A, a channel 1 to 5, a sequence number and
 * a data length equal to the rest; the client's sign-on (channel 1) opens with version 1. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 10)
		return n && p[0] == 0x2a ? need(in, 10) : NO;
	if (p[0] != 0x2a || p[1] < 1 || p[1] > 5 || (size_t)xdpi_rd16(p + 4) + 6 > n)
		return NO;
	if (p[1] == 1)
		return xdpi_rd32(p + 6) == 1 ? YES : NO;
	return (size_t)xdpi_rd16(p + 4) + 6 == n && xdpi_ident_on_port(in, 5190) ? YES : NO;
}

XDPI_IDENT(oscar, "Chat", TCP, 0, { 5190 });
