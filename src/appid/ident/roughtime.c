// SPDX-License-Identifier: GPL-2.0
/* Roughtime: the IETF draft's "ROUGHTIM" packet header, or Google's original form: a tag
 * count, offsets, and tags "NONC", "PAD", "SIG", "SREP" ... */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint32_t tags;

	if (n >= 8 && !memcmp(p, "ROUGHTIM", 8))
		return YES;
	if (n < 16 || !xdpi_ident_on_port(in, 2002))
		return NO;
	tags = rd32le(p);
	if (tags == 0 || tags > 16 || 4 + 8 * (size_t)tags > n)
		return NO;
	p += 4 + 4 * (tags - 1);
	return !memcmp(p, "NONC", 4) || !memcmp(p, "PAD", 3) || !memcmp(p, "SIG", 3) ||
	       !memcmp(p, "CERT", 4) || !memcmp(p, "VER", 3) ? YES : NO;
}

XDPI_IDENT(roughtime, "System", UDP | TCP, 0, { 2002 });
