// SPDX-License-Identifier: GPL-2.0
/* NAT-PMP (RFC 6886) on port 5351: version 0, and an opcode with its exact length: external
 * address request (2 bytes) and answer (12), mapping requests (12) and answers (16). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;

	if (!xdpi_ident_on_port(in, 5351) || n < 2 || p[0] != 0)
		return NO;
	switch (p[1]) {
	case 0: return n == 2 ? YES : NO;
	case 1: case 2: return n == 12 ? YES : NO;
	case 128: return n == 12 ? YES : NO;
	case 129: case 130: return n == 16 ? YES : NO;
	}
	return NO;
}

XDPI_IDENT(natpmp, "Network", UDP, 0, { 5351 });
