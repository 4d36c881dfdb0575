// SPDX-License-Identifier: GPL-2.0
/* OpenVPN: the first packet of a session is a hard reset, client (opcode 7, or 10 with
 * tls-crypt-v2) or server (8), key id 0, then the 8-byte session id; over TCP behind the
 * two-byte packet length. The rest is too weak to claim a flow on. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint8_t op;

	if (in->l4 == TCP) {
		if (n < 2)
			return need(in, 2);
		if ((size_t)xdpi_rd16(p) + 2 != n && (size_t)xdpi_rd16(p) + 2 > n)
			return need(in, (size_t)xdpi_rd16(p) + 2);
		if (xdpi_rd16(p) < 14 || xdpi_rd16(p) > 1600)
			return NO;
		p += 2, n -= 2;
	}
	if (n < 14 || n > 1600)
		return NO;
	op = p[0] >> 3;
	if ((p[0] & 7) != 0 || !(op == 7 || op == 8 || op == 10))
		return NO;
	if (in->dir == 0 && op == 8)
		return NO;
	/* the reset's length: opcode, session id, [HMAC (SHA-1, SHA-256, SHA-512), replay id],
	 * ack count, packet id; tls-crypt: 54; the server's acknowledges the client's (+12) */
	if (op == 8 && n >= 26)
		n -= 12;
	return n == 14 || n == 42 || n == 54 || n == 86 || xdpi_ident_on_port(in, 1194) ? YES : NO;
}

XDPI_IDENT(openvpn, "VPN", UDP | TCP, 0, { 1194 });

