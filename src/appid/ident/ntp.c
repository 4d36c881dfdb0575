// SPDX-License-Identifier: GPL-2.0
/* NTP (RFC 5905): 48 bytes (plus extension fields or a MAC), version 1 to 4, modes 1 to 5;
 * control (6) and private (7) messages only on port 123. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint8_t ver = (p[0] >> 3) & 7, mode = p[0] & 7;

	if (n < 12 || ver < 1 || ver > 4)
		return NO;
	if ((mode == 6 || mode == 7) && xdpi_ident_on_port(in, 123))
		return YES;
	if (n < 48 || mode == 0 || mode > 5 || p[1] > 16)
		return NO;
	return n == 48 || n == 52 || n == 60 || n == 68 || n == 72 || n == 120 ||
	       (xdpi_ident_on_port(in, 123) && n <= 1024) ? YES : NO;
}

XDPI_IDENT(ntp, "System", UDP, 0, { 123 });
