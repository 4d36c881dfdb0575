// SPDX-License-Identifier: GPL-2.0
/* Modbus/TCP on its port: the MBAP header (protocol id 0, a length equal to the rest of the
 * bytes, a unit id) and a public function code (1 to 127; 0x80+ an exception answer). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (!xdpi_ident_on_port(in, 502))
		return NO;
	if (n < 8)
		return need(in, 8);
	if (xdpi_rd16(p + 2) != 0 || (size_t)xdpi_rd16(p + 4) + 6 != n || xdpi_rd16(p + 4) < 2)
		return NO;
	return (p[7] & 0x7f) >= 1 ? YES : NO;
}

XDPI_IDENT(modbus, "IoT-Scada", TCP, 0, { 502 });
