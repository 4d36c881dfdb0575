// SPDX-License-Identifier: GPL-2.0
/* IRC (RFC 2812): a client registering ("NICK ", "USER ", "PASS ", "CAP LS") or a server's
 * prefixed NOTICE or numeric reply. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len;

	if (n < 6)
		return need(in, 6);
	if (in->dir == 0 && (!memcmp(p, "NICK ", 5) || !memcmp(p, "CAP LS", 6) ||
			     (!memcmp(p, "PASS ", 5) && memmem(p, n, "\nNICK ", 6))))
		return YES;
	if (in->dir == 0 && !memcmp(p, "USER ", 5))
		return xdpi_ident_on_port(in, 6667) ? YES : NO;
	if (in->dir == 1 && p[0] == ':') {
		const char *sp = memchr(p, ' ', n < 128 ? n : 128);

		if (!sp || (size_t)(sp - p) + 8 > n)
			return need(in, 64);
		return !memcmp(sp + 1, "NOTICE ", 7) || (sp[1] >= '0' && sp[1] <= '9' && sp[2] >= '0' &&
							 sp[3] >= '0' && sp[4] == ' ') ? YES : NO;
	}
	return NO;
}

XDPI_IDENT(irc, "Chat", TCP, XDPI_IDENT_CLEAR, { 6667, 6697 });
