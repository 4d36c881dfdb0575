// SPDX-License-Identifier: GPL-2.0
/* FIX (Financial Information eXchange): a message starts with the BeginString tag
 * "8=FIX.4.x" or "8=FIXT.1.1", then SOH and the BodyLength tag "9=". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf, *soh;
	size_t n = in->len;

	if (n < 12)
		return !memcmp(p, "8=FIX", n < 5 ? n : 5) ? need(in, 12) : NO;
	if (memcmp(p, "8=FIX", 5) || !(soh = memchr(p, 1, n < 16 ? n : 16)))
		return NO;
	return (size_t)(soh - p) + 3 <= n && soh[1] == '9' && soh[2] == '=' ? YES : NO;
}

XDPI_IDENT(fix, "Network", TCP, XDPI_IDENT_CLEAR, { 0 });
