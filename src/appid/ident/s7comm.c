// SPDX-License-Identifier: GPL-2.0
/* Siemens S7comm (port 102): past the COTP connection set-up, the first data TPDU carries
 * protocol id 0x32 and a PDU type 1 to 7. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	size_t at;
	enum xdpi_ident_answer a = cotp_data(in, &at);

	if (a != YES)
		return a;
	return in->buf[at] == 0x32 && in->buf[at + 1] >= 1 && in->buf[at + 1] <= 7 ? YES : NO;
}

XDPI_IDENT(s7comm, "IoT-Scada", TCP, 0, { 102 });
