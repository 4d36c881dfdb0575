// SPDX-License-Identifier: GPL-2.0
/* WS-Discovery (port 3702): a SOAP envelope over UDP naming the ws/2005/04/discovery or
 * docs.oasis-open.org/ws-dd namespaces. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len < 1024 ? in->len : 1024;

	if (!xdpi_ident_on_port(in, 3702) || n < 32 || p[0] != '<')
		return NO;
	return memmem(p, n, "/discovery", 10) || memmem(p, n, "ws-dd", 5) ? YES : NO;
}

XDPI_IDENT(wsd, "Network", UDP | TCP, 0, { 3702 });
