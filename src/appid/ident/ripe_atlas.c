// SPDX-License-Identifier: GPL-2.0
/* RIPE Atlas measurement probes' UDP payload: "MGLNDD_" followed by the target's address and
 * port. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	return xdpi_ident_starts(in, "MGLNDD_") ? YES : NO;
}

XDPI_IDENT(ripe_atlas, "Network", UDP, 0, { 0 });
