// SPDX-License-Identifier: GPL-2.0
/* STUN and TURN (RFC 5389/8489/8656): a message type with its two top bits zero, a length
 * that is a multiple of 4 and ends the message, and the magic cookie 0x2112A442; the attributes
 * (type, length, padding to 4) must end exactly there. RFC 3489's cookie-less binding requests
 * and answers are taken only with the same exact attribute walk. TURN channel data (0x4000 to
 * 0x7FFF) is too weak a signature to claim a flow on. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, off = 20, end;
	uint16_t type;

	if (in->l4 == TCP && n >= 2 && (size_t)xdpi_rd16(p) + 2 == n) /* RFC 4571 framing */
		p += 2, n -= 2;
	if (n < 20)
		return need(in, 20);
	type = xdpi_rd16(p);
	end = 20 + (size_t)xdpi_rd16(p + 2);
	if ((type & 0xc000) || (xdpi_rd16(p + 2) & 3) || end != n)
		return NO;
	if (xdpi_rd32(p + 4) != 0x2112a442 &&
	    !(type == 0x0001 || type == 0x0101 || type == 0x0111 || type == 0x0002 || type == 0x0102))
		return NO;
	while (off + 4 <= end)
		off += 4 + ((xdpi_rd16(p + off + 2) + 3u) & ~3u);
	return off == end ? YES : NO;
}

XDPI_IDENT(stun, "Network", UDP | TCP, XDPI_IDENT_PRELUDE, { 3478, 3479, 5349, 19302 });
