// SPDX-License-Identifier: GPL-2.0
/* SOME/IP (AUTOSAR): a message id, a length equal to the rest, a request id, protocol version
 * 1, an interface version, a message type (0, 1, 2, 0x80, 0x81 and their TP forms 0x20+) and
 * a return code below 0x20. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint8_t t;

	if (n < 16)
		return need(in, 16);
	t = p[14] & ~0x20;
	if (p[12] != 1 || !(t == 0 || t == 1 || t == 2 || t == 0x80 || t == 0x81) || p[15] >= 0x20)
		return NO;
	return (size_t)xdpi_rd32(p + 4) + 8 == n ? YES : NO;
}

XDPI_IDENT(someip, "IoT-Scada", UDP | TCP, 0, { 30490, 30491, 30501 });
