// SPDX-License-Identifier: GPL-2.0
/* SIP (RFC 3261): a request line whose URI is sip:, sips: or tel: and which ends "SIP/2.0",
 * or a status line starting with it. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf, *eol, *sp;
	size_t n = in->len;

	if (n >= 8 && !memcmp(p, "SIP/2.0 ", 8))
		return YES;
	if (!(eol = memchr(p, '\n', n < 1024 ? n : 1024)))
		return n < 1024 && xdpi_ident_printable(in->buf, n) ? need(in, 1024) : NO;
	if (eol > p && eol[-1] == '\r')
		eol--;
	if (eol - p < 16 || memcmp(eol - 8, " SIP/2.0", 8) || !(sp = memchr(p, ' ', (size_t)(eol - p))))
		return NO;
	n = (size_t)(sp + 1 - p); /* the request URI */
	return at_nocase(in, n, "sip:") || at_nocase(in, n, "sips:") || at_nocase(in, n, "tel:")
		       ? YES : NO;
}

XDPI_IDENT(sip, "VoIP", UDP | TCP, XDPI_IDENT_CLEAR, { 5060, 5061 });
