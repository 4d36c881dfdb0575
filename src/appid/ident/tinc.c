// SPDX-License-Identifier: GPL-2.0
/* tinc VPN: each side first sends its ID line, "0 NAME 17" (request 0, the node's name, the
 * protocol version 17, optionally ".minor"), printable and newline-ended. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf, *eol, *sp;
	size_t n = in->len;

	if (n < 6 || p[0] != '0' || p[1] != ' ')
		return NO;
	if (!(eol = memchr(p, '\n', n < 128 ? n : 128)))
		return n < 128 && xdpi_ident_printable(in->buf, n) ? need(in, 128) : NO;
	if (!(sp = memrchr(p + 2, ' ', (size_t)(eol - p - 2))) || eol - sp < 3)
		return NO;
	return sp[1] == '1' && sp[2] == '7' && xdpi_ident_printable(in->buf, (size_t)(eol - p)) ? YES : NO;
}

XDPI_IDENT(tinc, "VPN", TCP, 0, { 655 });
