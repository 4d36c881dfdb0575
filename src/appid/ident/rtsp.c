// SPDX-License-Identifier: GPL-2.0
/* RTSP (RFC 2326, 7826): a request line ending "RTSP/1.0" or "RTSP/2.0", or a status line
 * beginning with it. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf, *eol;
	size_t n = in->len;

	if (n >= 9 && (!memcmp(p, "RTSP/1.0 ", 9) || !memcmp(p, "RTSP/2.0 ", 9)))
		return YES;
	if (!(eol = memchr(p, '\n', n < 1024 ? n : 1024)))
		return n < 1024 && xdpi_ident_printable(in->buf, n) ? need(in, 1024) : NO;
	if (eol > p && eol[-1] == '\r')
		eol--;
	return eol - p > 9 && !memcmp(eol - 9, " RTSP/", 6) && eol[-2] == '.' ? YES : NO;
}

XDPI_IDENT(rtsp, "Media", TCP, 0, { 554, 8554 });
