// SPDX-License-Identifier: GPL-2.0
/* MGCP (RFC 3435): a four-letter command (AUEP, CRCX, MDCX, DLCX, RQNT, NTFY ...) with a
 * transaction id and endpoint ending " MGCP 1.0", or a three-digit answer to one. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf, *eol;
	size_t n = in->len;

	if (n < 16 || !(eol = memchr(p, '\n', n)))
		return NO;
	if (eol > p && eol[-1] == '\r')
		eol--;
	if (eol - p < 16 || memcmp(eol - 9, " MGCP 1.0", 9))
		return (p[0] >= '1' && p[0] <= '5' && p[3] == ' ' && xdpi_ident_on_port(in, 2427)) ? YES : NO;
	return p[4] == ' ' ? YES : NO;
}

XDPI_IDENT(mgcp, "VoIP", UDP, 0, { 2427, 2727 });
