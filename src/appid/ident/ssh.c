// SPDX-License-Identifier: GPL-2.0
/* SSH (RFC 4253 4.2): each side begins with its identification line, "SSH-2.0-..." (or a
 * 1.x version), sent before anything else. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 8)
		return !memcmp(p, "SSH-", in->len < 4 ? in->len : 4) ? need(in, 8) : NO;
	return !memcmp(p, "SSH-", 4) && (p[4] == '1' || p[4] == '2') && p[5] == '.' ? YES : NO;
}

XDPI_IDENT(ssh, "RemoteAccess", TCP, 0, { 22 });
