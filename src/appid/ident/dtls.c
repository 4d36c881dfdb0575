// SPDX-License-Identifier: GPL-2.0
/* DTLS (RFC 6347, 9147): records of content type 20 to 25 and version 1.0 (0xFEFF), 1.2
 * (0xFEFD), 1.3's 0xFEFC or OpenSSL's pre-standard 0x0100, an epoch and sequence number, and
 * a length that fits the datagram; a handshake's message type must be a known one. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (n < 13 || p[0] < 20 || p[0] > 25 ||
	    !((p[1] == 0xfe && (p[2] == 0xff || p[2] == 0xfd || p[2] == 0xfc)) || (p[1] == 1 && p[2] == 0)))
		return NO;
	if ((size_t)xdpi_rd16(p + 11) + 13 > n)
		return NO;
	if (p[0] == 22 && n >= 14 && p[13] > 24)
		return NO;
	return YES;
}

XDPI_IDENT(dtls, "Web", UDP, 0, { 443, 4433, 5061, 3478 });
