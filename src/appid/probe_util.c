// SPDX-License-Identifier: GPL-2.0
/* What identifiers share to read payloads (apart from the registry, which lists them). */
#include <string.h>
#include "xdpi/appid.h"

bool xdpi_ident_printable(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

bool xdpi_ident_starts(const struct xdpi_ident_in *in, const char *s)
{
	size_t n = strlen(s);

	return in->len >= n && !memcmp(in->buf, s, n);
}
