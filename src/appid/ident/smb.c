// SPDX-License-Identifier: GPL-2.0
/* SMB 1, 2 and 3 straight over TCP (445): the session message header (zero, a 24-bit
 * length) then the "\xFFSMB", "\xFESMB" or "\xFDSMB" (transform) signature. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 8)
		return need(in, 8);
	if (p[0] != 0 || (p[4] != 0xff && p[4] != 0xfe && p[4] != 0xfd))
		return NO;
	return p[5] == 'S' && p[6] == 'M' && p[7] == 'B' ? YES : NO;
}

XDPI_IDENT(smb, "FileSharing", TCP, 0, { 445, 139 });
