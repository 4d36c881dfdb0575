// SPDX-License-Identifier: GPL-2.0
/* Xiaomi's push channel (MIUI devices, TCP 5222): frames open with the magic 0xC2FE and
 * protocol version 5, then a 4-byte length no larger than what a frame may be. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 8)
		return need(in, 8);
	return xdpi_rd32(p) == 0xc2fe0005 && xdpi_rd32(p + 4) <= 65536 ? YES : NO;
}

XDPI_IDENT_NAMED(xiaomi_push, "xiaomi", "IoT-Scada", TCP, 0, { 5222 });
