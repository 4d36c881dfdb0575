// SPDX-License-Identifier: GPL-2.0
/* Microsoft SQL Server's TDS (MS-TDS 2.2.3): a packet type (1 batch, 3 RPC, 4 reply, 7 bulk,
 * 14 transaction, 16 login7, 17 SSPI, 18 prelogin), a status, a length within the bytes,
 * channel, packet number and a zero window; a prelogin's option table must end with 0xFF, a
 * login its own length, a batch its ALL_HEADERS. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, len;

	if (n < 8)
		return need(in, 8);
	len = xdpi_rd16(p + 2);
	if (p[1] > 0x1f || len < 8 || p[7] != 0)
		return NO;
	if (p[0] == 0x12 && n >= 9) {
		for (size_t o = 8; o + 5 <= n && o < len; o += 5)
			if (p[o] == 0xff)
				return YES;
		return n < len ? need(in, len) : NO;
	}
	if (p[0] == 0x10 && n >= 16)
		return len <= n && rd32le(p + 8) == len - 8 ? YES : NO;
	/* a batch, RPC or transaction request opens with ALL_HEADERS: a total length, then the
	 * first header's length 4 bytes less and its type (1 notifications, 2 transaction) */
	if ((p[0] == 1 || p[0] == 3 || p[0] == 14) && n >= 18 && len <= n && rd32le(p + 8) >= 18 &&
	    rd32le(p + 8) < len && rd32le(p + 12) == rd32le(p + 8) - 4 && (p[16] == 1 || p[16] == 2) && !p[17])
		return YES;
	/* a batch without ALL_HEADERS (TDS 7.0 and older): its SQL text, UCS-2 */
	if (p[0] == 1 && len == n && n >= 16) {
		for (size_t i = 8; i + 1 < n && i < 24; i += 2)
			if (p[i] < 0x09 || p[i] > 0x7e || p[i + 1])
				return NO;
		return YES;
	}
	/* an RPC without ALL_HEADERS (TDS 7.1 and older): the procedure's name, UCS-2 */
	if (p[0] == 3 && n >= 16 && len <= n && xdpi_rd16le(p + 8) >= 2 && xdpi_rd16le(p + 8) <= 128 &&
	    (size_t)10 + 2 * xdpi_rd16le(p + 8) <= n) {
		for (size_t i = 0; i < xdpi_rd16le(p + 8); i++)
			if (p[10 + 2 * i] < 0x20 || p[10 + 2 * i] > 0x7e || p[11 + 2 * i])
				return NO;
		return YES;
	}
	return NO;
}

XDPI_IDENT(tds, "Database", TCP, 0, { 1433 });
