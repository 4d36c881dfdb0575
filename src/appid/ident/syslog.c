// SPDX-License-Identifier: GPL-2.0
/* Syslog (RFC 3164/5424): "<PRI>" with a priority of at most 191, then printable text. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, i = 1;
	unsigned pri = 0;

	if (in->l4 == TCP && n && p[0] >= '1' && p[0] <= '9') { /* RFC 6587 octet counting */
		while (i < n && i < 6 && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i >= n || p[i] != ' ')
			return NO;
		p += i + 1, n -= i + 1, i = 1;
	}
	if (n < 6 || p[0] != '<')
		return NO;
	for (; i < 4 && p[i] >= '0' && p[i] <= '9'; i++)
		pri = pri * 10 + (unsigned)(p[i] - '0');
	if (i == 1 || p[i] != '>' || pri > 191)
		return NO;
	return xdpi_ident_printable(p + i + 1, n - i - 1 < 32 ? n - i - 1 : 32) ? YES : NO;
}

XDPI_IDENT(syslog, "System", UDP | TCP, XDPI_IDENT_CLEAR, { 514, 601 });
