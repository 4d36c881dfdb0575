// SPDX-License-Identifier: GPL-2.0
/* Siemens S7comm-plus (S7-1200/1500, port 102): past the COTP connection set-up, the first
 * data TPDU carries protocol id 0x72 and a version 1 to 3 (0xFE for system events). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	size_t at;
	enum xdpi_ident_answer a = cotp_data(in, &at);

	if (a != YES)
		return a;
	return in->buf[at] == 0x72 && ((in->buf[at + 1] >= 1 && in->buf[at + 1] <= 3) || in->buf[at + 1] == 0xfe)
		       ? YES : NO;
}

XDPI_IDENT(s7comm_plus, "IoT-Scada", TCP, 0, { 102 });
