// SPDX-License-Identifier: GPL-2.0
/* TeamViewer (port 5938): its packets start with the magic 0x17 0x24 (or 0x11 0x30 in the
 * older protocol) and a command byte. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 4 || !xdpi_ident_on_port(in, 5938))
		return NO;
	return (p[0] == 0x17 && p[1] == 0x24) || (p[0] == 0x11 && p[1] == 0x30) ? YES : NO;
}

XDPI_IDENT(teamviewer, "RemoteAccess", TCP | UDP, 0, { 5938 });
