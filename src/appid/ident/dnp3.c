// SPDX-License-Identifier: GPL-2.0
/* DNP3 (IEEE 1815) link frames: the start bytes 0x05 0x64, a length of at least 5 and a
 * control byte. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 10)
		return in->len >= 2 && p[0] == 5 && p[1] == 0x64 ? need(in, 10) : NO;
	return p[0] == 5 && p[1] == 0x64 && p[2] >= 5 ? YES : NO;
}

XDPI_IDENT(dnp3, "IoT-Scada", TCP | UDP, 0, { 20000 });
