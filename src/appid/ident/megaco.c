// SPDX-License-Identifier: GPL-2.0
/* Megaco/H.248 text encoding: a message begins "MEGACO/1" or its short form "!/1" and the
 * sender's address in brackets. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	if (xdpi_ident_starts(in, "MEGACO/1 [") || xdpi_ident_starts(in, "MEGACO/2 [") ||
	    xdpi_ident_starts(in, "MEGACO/3 [") || xdpi_ident_starts(in, "!/1 [") ||
	    xdpi_ident_starts(in, "!/2 [") || xdpi_ident_starts(in, "!/3 ["))
		return YES;
	return in->len < 10 && in->len && (in->buf[0] == 'M' || in->buf[0] == '!') ? need(in, 10) : NO;
}

XDPI_IDENT(megaco, "VoIP", UDP | TCP, 0, { 2944, 2945 });
