// SPDX-License-Identifier: GPL-2.0
/* IEC 60870-5-104 on its port: APDUs start 0x68, a length of 4 to 253 equal to the rest of
 * the first APDU (or where the next 0x68 begins). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (!xdpi_ident_on_port(in, 2404))
		return NO;
	if (n < 6)
		return need(in, 6);
	if (p[0] != 0x68 || p[1] < 4 || p[1] > 253)
		return NO;
	return (size_t)p[1] + 2 == n || ((size_t)p[1] + 2 < n && p[p[1] + 2] == 0x68) ? YES : NO;
}

XDPI_IDENT(iec104, "IoT-Scada", TCP, 0, { 2404 });
