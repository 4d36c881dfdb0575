// SPDX-License-Identifier: GPL-2.0
/* EtherNet/IP (CIP over TCP/UDP 44818): the 24-byte encapsulation header, a known command
 * (NOP, ListServices, ListIdentity, ListInterfaces, RegisterSession, UnRegisterSession,
 * SendRRData, SendUnitData), a little-endian length equal to the rest, zero options.
 * Named "enip", as Suricata names it. */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len;
	uint16_t cmd;

	if (n < 24)
		return need(in, 24);
	cmd = xdpi_rd16le(p);
	if (!(cmd == 0x0000 || cmd == 0x0004 || cmd == 0x0063 || cmd == 0x0064 || cmd == 0x0065 ||
	      cmd == 0x0066 || cmd == 0x006f || cmd == 0x0070))
		return NO;
	if (rd32le(p + 20) != 0 || (size_t)xdpi_rd16le(p + 2) + 24 != n)
		return NO;
	return cmd != 0 || xdpi_ident_on_port(in, 44818) ? YES : NO;
}

XDPI_IDENT_NAMED(ethernetip, "enip", "IoT-Scada", TCP | UDP, 0, { 44818, 2222 });
