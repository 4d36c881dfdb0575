// SPDX-License-Identifier: GPL-2.0
/* AMQP: the client's protocol header "AMQP", then 0 0 9 1 (0-9-1), 1 1 0 10 (1.0) or 3 1 0 0
 * (1.0 with SASL). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 8)
		return !memcmp(p, "AMQP", in->len < 4 ? in->len : 4) ? need(in, 8) : NO;
	return !memcmp(p, "AMQP", 4) && p[4] <= 3 && p[5] <= 1 ? YES : NO;
}

XDPI_IDENT(amqp, "RPC", TCP, 0, { 5672 });
