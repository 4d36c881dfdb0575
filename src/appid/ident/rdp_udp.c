// SPDX-License-Identifier: GPL-2.0
/* RDP's UDP transport (MS-RDPEUDP 3.1.5.1.1): the client's SYN datagram, with no sequence
 * acknowledged yet (0xFFFFFFFF), a receive window and the SYN flag, padded to at least 1232
 * bytes. Named "rdp" like the TCP one. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 1232 || xdpi_rd32(p) != 0xffffffff || !xdpi_rd16(p + 4))
		return NO;
	return (xdpi_rd16(p + 6) & 0x0001) ? YES : NO;
}

XDPI_IDENT_NAMED(rdp_udp, "rdp", "RemoteAccess", UDP, 0, { 3389 });
