// SPDX-License-Identifier: GPL-2.0
/* NetFlow v1, v5, v7 (a header whose record count times the record size fills the datagram)
 * and v9 (version 9, a count, and a first flowset id 0, 1 or a template's >= 256). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint16_t v, cnt;

	if (n < 24)
		return NO;
	v = xdpi_rd16(p), cnt = xdpi_rd16(p + 2);
	if (v == 5 && cnt >= 1 && cnt <= 30)
		return n == 24 + 48 * (size_t)cnt ? YES : NO;
	if (v == 1 && cnt >= 1 && cnt <= 24)
		return n == 16 + 48 * (size_t)cnt ? YES : NO;
	if (v == 7 && cnt >= 1 && cnt <= 27)
		return n == 24 + 52 * (size_t)cnt ? YES : NO;
	if (v == 9 && n >= 24 && cnt >= 1 && cnt <= 1000) {
		uint16_t set = xdpi_rd16(p + 20), len = xdpi_rd16(p + 22);

		return (set <= 1 || set >= 256) && len >= 4 && len <= n - 20 ? YES : NO;
	}
	return NO;
}

XDPI_IDENT(netflow, "Network", UDP, 0, { 2055, 9995, 9996 });
