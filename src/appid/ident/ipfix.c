// SPDX-License-Identifier: GPL-2.0
/* IPFIX (RFC 7011): version 10, a message length equal to the datagram's, and a first set id
 * 2 (template), 3 (options template) or >= 256 (data) whose length fits. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint16_t set;

	if (n < 20)
		return need(in, 20);
	if (xdpi_rd16(p) != 10 || xdpi_rd16(p + 2) > n || (in->l4 == UDP && xdpi_rd16(p + 2) != n))
		return NO;
	set = xdpi_rd16(p + 16);
	return (set == 2 || set == 3 || set >= 256) && xdpi_rd16(p + 18) >= 4 &&
	       xdpi_rd16(p + 18) <= xdpi_rd16(p + 2) - 16 ? YES : NO;
}

XDPI_IDENT(ipfix, "Network", UDP | TCP, 0, { 4739 });
