// SPDX-License-Identifier: GPL-2.0
/* Dropbox LAN sync discovery: a JSON broadcast on port 17500 naming "host_int" and
 * "version". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;

	if (!xdpi_ident_on_port(in, 17500) || in->len < 16 || p[0] != '{')
		return NO;
	return memmem(p, in->len, "\"host_int\"", 10) && memmem(p, in->len, "\"version\"", 9) ? YES : NO;
}

XDPI_IDENT(dropbox, "Cloud", UDP, 0, { 17500 });
