// SPDX-License-Identifier: GPL-2.0
/* Kafka: a request (length equal to what follows, an API key up to 80, an API version up to
 * 20, a correlation id, and a printable client id of the length it gives). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint16_t idlen;

	if (in->dir)
		return NO;
	if (n < 14)
		return need(in, 14);
	if (xdpi_rd32(p) + 4 != n || xdpi_rd16(p + 4) > 80 || xdpi_rd16(p + 6) > 20)
		return NO;
	idlen = xdpi_rd16(p + 12);
	if (idlen == 0xffff)
		return xdpi_ident_on_port(in, 9092) ? YES : NO;
	if (idlen == 0 || (size_t)14 + idlen > n)
		return NO;
	return xdpi_ident_printable(p + 14, idlen) ? YES : NO;
}

XDPI_IDENT(kafka, "RPC", TCP, 0, { 9092 });
