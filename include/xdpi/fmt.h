/* SPDX-License-Identifier: GPL-2.0 */
/* Number formatting for the per-event paths: hex and decimal written straight into the
 * caller's buffer. stdio's formatter parses its format string on every call, which made
 * it a tenth of an offline read's time (JA3/JA4 strings, digests, addresses). */
#ifndef XDPI_FMT_H
#define XDPI_FMT_H

#include <stddef.h>
#include <stdint.h>

/* N bytes as 2N hex digits (lower or upper case) at OUT, NUL-terminated; the end. */
static inline char *xdpi_fmt_hex(char *out, const uint8_t *b, size_t n, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		*out++ = digits[b[i] >> 4];
		*out++ = digits[b[i] & 15];
	}
	*out = '\0';
	return out;
}

/* V as four hex digits (lower case), NUL-terminated; the end. */
static inline char *xdpi_fmt_hex16(char *out, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return xdpi_fmt_hex(out, b, 2, 0);
}

/* V in decimal, NUL-terminated (at most 21 bytes with the NUL); the end. */
static inline char *xdpi_fmt_u64(char *out, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*out++ = tmp[--n];
	*out = '\0';
	return out;
}

static inline char *xdpi_fmt_u32(char *out, uint32_t v)
{
	return xdpi_fmt_u64(out, v);
}

/* A dotted-quad IPv4 address (at most 16 bytes with the NUL); the end. */
static inline char *xdpi_fmt_ip4(char *out, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		out = xdpi_fmt_u32(out, a[i]);
		if (i < 3)
			*out++ = '.';
	}
	*out = '\0';
	return out;
}

#endif /* XDPI_FMT_H */
