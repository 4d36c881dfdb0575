// SPDX-License-Identifier: GPL-2.0
/* DNSCrypt v2: resolver answers start with the fixed magic "r6fnvWj8" (the queries with a
 * client magic of the resolver's certificate, which no fixed pattern shows). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (in->l4 == TCP && n >= 2)
		p += 2, n -= 2;
	return n >= 32 && !memcmp(p, "r6fnvWj8", 8) ? YES : NO;
}

XDPI_IDENT(dnscrypt, "Network", UDP | TCP, 0, { 443, 5353 });
