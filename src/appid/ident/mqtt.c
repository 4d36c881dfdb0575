// SPDX-License-Identifier: GPL-2.0
/* MQTT 3.1, 3.1.1 and 5 (OASIS): the client's CONNECT (0x10), a remaining length, the
 * protocol name "MQTT" (levels 4, 5) or "MQIsdp" (3). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;
	size_t n = in->len, o = 1;

	if (in->dir)
		return NO;
	if (n < 2 || p[0] != 0x10)
		return NO;
	while (o < n && o < 5 && (p[o] & 0x80))
		o++;
	o++;
	if (o + 8 > n)
		return need(in, o + 9);
	if (xdpi_rd16(p + o) == 4 && !memcmp(p + o + 2, "MQTT", 4))
		return p[o + 6] == 4 || p[o + 6] == 5 ? YES : NO;
	if (xdpi_rd16(p + o) == 6 && o + 9 <= n && !memcmp(p + o + 2, "MQIsdp", 6))
		return p[o + 8] == 3 ? YES : NO;
	return NO;
}

XDPI_IDENT(mqtt, "IoT-Scada", TCP, 0, { 1883, 8883 });
