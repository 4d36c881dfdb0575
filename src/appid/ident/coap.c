// SPDX-License-Identifier: GPL-2.0
/* CoAP (RFC 7252) on its ports: version 1, a token of at most 8 bytes, a code of class 0
 * (methods), 2, 4 or 5 (responses), and the 0xFF payload marker or options after the token. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint8_t cls, tkl;

	if (!(xdpi_ident_on_port(in, 5683) || xdpi_ident_on_port(in, 5684)) || n < 4)
		return NO;
	tkl = p[0] & 0xf, cls = p[1] >> 5;
	if ((p[0] >> 6) != 1 || tkl > 8 || (size_t)4 + tkl > n)
		return NO;
	if (!(cls == 0 || cls == 2 || cls == 4 || cls == 5) || (p[1] & 0x1f) > 31 || (cls == 0 && (p[1] & 0x1f) > 7))
		return NO;
	return YES;
}

XDPI_IDENT(coap, "IoT-Scada", UDP, 0, { 5683, 5684 });
