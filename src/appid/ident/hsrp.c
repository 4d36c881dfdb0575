// SPDX-License-Identifier: GPL-2.0
/* HSRP (RFC 2281) on its ports: version 0, an op code (hello, coup, resign), a state of the
 * protocol's, and the plain-text authentication field's place; version 2 in TLVs. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (!(xdpi_ident_on_port(in, 1985) || xdpi_ident_on_port(in, 2029)) || n < 20)
		return NO;
	if (p[0] == 0 && p[1] <= 2 && (p[2] == 0 || p[2] == 1 || p[2] == 2 || p[2] == 4 || p[2] == 8 || p[2] == 16))
		return YES;
	return p[0] == 1 && p[1] == 40 ? YES : NO; /* v2 group state TLV */
}

XDPI_IDENT(hsrp, "Network", UDP, 0, { 1985, 2029 });
