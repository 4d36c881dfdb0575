// SPDX-License-Identifier: GPL-2.0
/* TFTP (RFC 1350): a read or write request, opcode 1 or 2, a file name and a transfer mode
 * ("netascii", "octet", "mail"), each ended by a zero byte; or, without the request, a full
 * 512-byte data block (opcode 3, a block number) or an option acknowledgement. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf, *z;
	size_t n = in->len;

	/* a transfer seen without its request: a full 512-byte data block */
	if (n == 516 && p[0] == 0 && p[1] == 3 && xdpi_rd16(p + 2) >= 1)
		return YES;
	/* an option acknowledgement (RFC 2347): opcode 6 and one of the options RFCs define */
	if (n >= 10 && p[0] == 0 && p[1] == 6 && p[n - 1] == 0)
		return !strncasecmp((const char *)p + 2, "blksize", 8) || !strncasecmp((const char *)p + 2, "tsize", 6) ||
		       !strncasecmp((const char *)p + 2, "timeout", 8) || !strncasecmp((const char *)p + 2, "windowsize", 11)
			       ? YES : NO;
	if (n < 9 || p[0] != 0 || (p[1] != 1 && p[1] != 2) || p[2] == 0)
		return NO;
	if (!(z = memchr(p + 2, 0, n - 2)) || z + 1 >= p + n)
		return NO;
	z++;
	n = (size_t)(p + n - z);
	return (n >= 6 && !strncasecmp((const char *)z, "octet", 5) && !z[5]) ||
	       (n >= 9 && !strncasecmp((const char *)z, "netascii", 8) && !z[8]) ||
	       (n >= 5 && !strncasecmp((const char *)z, "mail", 4) && !z[4]) ? YES : NO;
}

XDPI_IDENT(tftp, "DataTransfer", UDP, XDPI_IDENT_CLEAR, { 69 });
