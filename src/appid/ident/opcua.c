// SPDX-License-Identifier: GPL-2.0
/* OPC UA binary: a message type "HEL", "ACK", "OPN", "MSG", "CLO" or "ERR", a chunk type F,
 * C or A, and a little-endian size equal to the bytes. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 8)
		return need(in, 8);
	if (memcmp(p, "HEL", 3) && memcmp(p, "ACK", 3) && memcmp(p, "OPN", 3) && memcmp(p, "MSG", 3) &&
	    memcmp(p, "CLO", 3) && memcmp(p, "ERR", 3))
		return NO;
	if (p[3] != 'F' && p[3] != 'C' && p[3] != 'A')
		return NO;
	return rd32le(p + 4) == n || (rd32le(p + 4) > n && rd32le(p + 4) < 65536) ? YES : NO;
}

XDPI_IDENT(opcua, "IoT-Scada", TCP, 0, { 4840 });
