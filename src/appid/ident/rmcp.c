// SPDX-License-Identifier: GPL-2.0
/* RMCP (ASF/IPMI over LAN, port 623): version 6, a reserved zero, a sequence number and a
 * class: 6 ASF, 7 IPMI, 8 OEM (with the acknowledge bit). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 8 || p[0] != 6 || p[1] != 0)
		return NO;
	return (p[3] & 0x7f) >= 6 && (p[3] & 0x7f) <= 8 ? YES : NO;
}

XDPI_IDENT(rmcp, "System", UDP, 0, { 623 });
