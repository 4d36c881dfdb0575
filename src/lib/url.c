// SPDX-License-Identifier: GPL-2.0
/* URL escapes: see xdpi/url.h. */
#include <ctype.h>
#include "xdpi/url.h"

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0'
	       : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

size_t xdpi_url_decode(const char *in, size_t n, char *out, size_t cap, bool plus_space)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		int hi, lo;

		if (in[i] == '%' && i + 2 < n && (hi = hex_digit(in[i + 1])) >= 0 &&
		    (lo = hex_digit(in[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = plus_space && in[i] == '+' ? ' ' : in[i];
		}
	}
	return o;
}
