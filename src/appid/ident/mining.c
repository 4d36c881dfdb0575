// SPDX-License-Identifier: GPL-2.0
/* Cryptocurrency mining pools' Stratum: JSON-RPC lines whose method is mining.subscribe,
 * mining.authorize, mining.notify or login (the Monero pools' form, with "agent"). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len < 512 ? in->len : 512;

	if (!n || p[0] != '{')
		return NO;
	if (memmem(p, n, "\"mining.subscribe\"", 18) || memmem(p, n, "\"mining.authorize\"", 18) ||
	    memmem(p, n, "\"mining.notify\"", 15))
		return YES;
	if (memmem(p, n, "\"method\":\"login\"", 16) && memmem(p, n, "\"agent\"", 7))
		return YES;
	return memchr(p, '\n', n) || n == 512 ? NO : need(in, 512);
}

XDPI_IDENT(mining, "Crypto_Currency", TCP, 0, { 3333, 4444 });
