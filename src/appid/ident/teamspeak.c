// SPDX-License-Identifier: GPL-2.0
/* TeamSpeak 3: the client's connection packets start "TS3INIT1". */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	return xdpi_ident_starts(in, "TS3INIT1") || (in->len > 19 && !memcmp(in->buf + 8, "TS3INIT1", 8))
		       ? YES : NO;
}

XDPI_IDENT(teamspeak, "VoIP", UDP, 0, { 9987 });
