// SPDX-License-Identifier: GPL-2.0
/* rsync daemon protocol: each side greets with "@RSYNCD: " and its protocol version. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	return xdpi_ident_starts(in, "@RSYNCD: ") ? YES : (in->len < 9 && in->buf[0] == '@' ? need(in, 9) : NO);
}

XDPI_IDENT(rsync, "DataTransfer", TCP, 0, { 873 });
