// SPDX-License-Identifier: GPL-2.0
/* Git's native protocol: the client's first pkt-line, four hex digits giving its length,
 * then "git-upload-pack ", "git-receive-pack " or "git-upload-archive ". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len;

	if (in->dir)
		return NO;
	if (n < 20)
		return need(in, 20);
	for (int i = 0; i < 4; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return NO;
	return !memcmp(p + 4, "git-upload-pack ", 16) || !memcmp(p + 4, "git-receive-pack", 16) ||
	       !memcmp(p + 4, "git-upload-archi", 16) ? YES : NO;
}

XDPI_IDENT(git, "DataTransfer", TCP, 0, { 9418 });
