// SPDX-License-Identifier: GPL-2.0
/* VMware's authentication daemon (vmware-authd, ports 902/912) greets with a "220" line naming
 * itself. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	if (in->len < 5)
		return need(in, 5);
	if (greeting_220(in, "VMware Authentication Daemon"))
		return YES;
	return greeting_220(in, "220") && in->len < 48 ? need(in, 48) : NO;
}

XDPI_IDENT(vmware, "RemoteAccess", TCP, 0, { 902, 912 });
