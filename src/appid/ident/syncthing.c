// SPDX-License-Identifier: GPL-2.0
/* Syncthing: local discovery announcements and the block exchange protocol's hello both
 * start with the magic 0x2EA7D90B (older versions 0x9F79BC40). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 8)
		return need(in, 8);
	return xdpi_rd32(p) == 0x2ea7d90b || xdpi_rd32(p) == 0x9f79bc40 ? YES : NO;
}

XDPI_IDENT(syncthing, "DataTransfer", UDP | TCP, 0, { 22000, 21027 });
