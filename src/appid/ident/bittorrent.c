// SPDX-License-Identifier: GPL-2.0
/* BitTorrent: the peer wire handshake (19, "BitTorrent protocol"), or a DHT message over UDP
 * (a bencoded dictionary "d1:ad2:id20:", "d1:rd2:id20:", "d2:ip", "d1:e"), a uTP connection
 * request (type SYN, version 1, 20 bytes, a window) or a local peer discovery BT-SEARCH. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	static const char hs[] = "\x13" "BitTorrent protocol";
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (in->l4 == TCP) {
		if (n < 20)
			return !memcmp(p, hs, n) ? MORE : NO;
		return !memcmp(p, hs, 20) ? YES : NO;
	}
	if (xdpi_ident_starts(in, "BT-SEARCH * HTTP/1.1")) /* local peer discovery (BEP 14) */
		return YES;
	if (n == 20 && p[0] == 0x41 && p[1] == 0 && xdpi_rd32(p + 12)) /* uTP's SYN (BEP 29) */
		return YES;
	if (n < 12 || p[0] != 'd' || p[n - 1] != 'e')
		return NO;
	return !memcmp(p, "d1:ad2:id20:", 12) || !memcmp(p, "d1:rd2:id20:", 12) ||
	       !memcmp(p, "d2:ip", 5) || !memcmp(p, "d1:eli", 6) ? YES : NO;
}

XDPI_IDENT(bittorrent, "Download", TCP | UDP, 0, { 6881, 6889, 51413 });
