// SPDX-License-Identifier: GPL-2.0
/* Canon's BJNP printer discovery: "BJNP" (or "MFNP", "BNJB", "BJNB"), a packet type of 1, 2,
 * 0x81 or 0x82, and a command code. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 16)
		return NO;
	if (memcmp(p, "BJNP", 4) && memcmp(p, "MFNP", 4) && memcmp(p, "BNJB", 4) && memcmp(p, "BJNB", 4))
		return NO;
	return p[4] == 1 || p[4] == 2 || p[4] == 0x81 || p[4] == 0x82 ? YES : NO;
}

XDPI_IDENT(bjnp, "System", UDP | TCP, 0, { 8611, 8612, 8613, 8614 });
