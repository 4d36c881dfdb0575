// SPDX-License-Identifier: GPL-2.0
/* XMPP (RFC 6120): a stream opens with an optional XML declaration and "<stream:stream"; a
 * flow joined later shows stanzas (presence, message, iq) on XMPP's ports. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const char *p = (const char *)in->buf;
	size_t n = in->len;

	if (n < 14)
		return need(in, 14);
	if (!memcmp(p, "<?xml", 5) || !memcmp(p, "<stream:stream", 14)) {
		if (memmem(p, n < 512 ? n : 512, "<stream:stream", 14))
			return YES;
		return n < 512 && !memcmp(p, "<?xml", 5) ? need(in, 512) : NO;
	}
	/* joined mid-stream: a stanza, on XMPP's ports */
	if ((!memcmp(p, "<presence", 9) || !memcmp(p, "<message ", 9) || !memcmp(p, "<iq ", 4)) &&
	    (xdpi_ident_on_port(in, 5222) || xdpi_ident_on_port(in, 5269)))
		return YES;
	return NO;
}

XDPI_IDENT(xmpp, "Chat", TCP, 0, { 5222, 5269 });
