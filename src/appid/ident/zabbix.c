// SPDX-License-Identifier: GPL-2.0
/* Zabbix agent and server protocol: the "ZBXD" header, then a flags byte (1: plain,
 * 3: compressed, 5: large). */
#include "ident.h"

static enum xdpi_ident_answer probe(const struct xdpi_ident_in *in)
{
	const uint8_t *p = in->buf;

	if (in->len < 5)
		return !memcmp(p, "ZBXD", in->len < 4 ? in->len : 4) ? need(in, 5) : NO;
	return !memcmp(p, "ZBXD", 4) && (p[4] & 0x1) ? YES : NO;
}

XDPI_IDENT(zabbix, "Network", TCP, 0, { 10050, 10051 });
