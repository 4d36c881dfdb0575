// SPDX-License-Identifier: GPL-2.0
/* VNC's RFB protocol (RFC 6143): each side first sends its version line, "RFB 003.008\n".
 * Named "rfb", as Suricata names it. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 12)
		return !memcmp(p, "RFB ", in->len < 4 ? in->len : 4) ? need(in, 12) : NO;
	return !memcmp(p, "RFB 00", 6) && p[7] == '.' && p[11] == '\n' ? YES : NO;
}

XDPI_IDENT_NAMED(vnc, "rfb", "RemoteAccess", TCP, 0, { 5900, 5901 });
