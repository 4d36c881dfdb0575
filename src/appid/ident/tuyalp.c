// SPDX-License-Identifier: GPL-2.0
/* Tuya's local protocol (smart plugs and bulbs): frames between the 0x000055AA prefix and
 * the 0x0000AA55 suffix, with a length that reaches the suffix. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 24)
		return need(in, 24);
	size_t len;

	if (xdpi_rd32(p) != 0x000055aa)
		return NO;
	len = xdpi_rd32(p + 12); /* return code, payload, CRC and the suffix */
	if (len < 8 || len > 65536)
		return NO;
	if (len + 16 > n)
		return need(in, len + 16);
	return xdpi_rd32(p + 16 + len - 4) == 0x0000aa55 ? YES : NO;
}

XDPI_IDENT(tuyalp, "IoT-Scada", UDP | TCP, 0, { 6666, 6667, 6668 });
