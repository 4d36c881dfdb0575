// SPDX-License-Identifier: GPL-2.0
/* Subversion's svnserve protocol: the server's greeting "( success ( " with its versions. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	return xdpi_ident_starts(in, "( success ( ") ? YES : NO;
}

XDPI_IDENT(svn, "DataTransfer", TCP, 0, { 3690 });
