// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: CIDR list files. Checks that every accepted entry is canonical (prefix within
 * the family, no host bits), that a rejected file adds nothing and always says where. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "xdpi/cidr_list.h"

static void check_entry(const struct xdpi_cidr *c)
{
	unsigned int bits = c->family == AF_INET ? 32 : 128;

	if ((c->family != AF_INET && c->family != AF_INET6) || c->prefix_len > bits || !c->line)
		abort();
	for (unsigned int b = c->prefix_len; b < bits; b++)
		if (c->addr[b / 8] & (0x80u >> (b % 8)))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_cidr_list l = { 0 };
	char err[256] = "";
	int rc = xdpi_cidr_list_parse("in", (const char *)data, size, &l, err, sizeof(err));

	if (rc == 0) {
		size_t v4 = 0;

		for (size_t i = 0; i < l.count; i++) {
			check_entry(&l.entries[i]);
			v4 += l.entries[i].family == AF_INET;
		}
		if (v4 != l.v4)
			abort();
	} else if (l.count || strncmp(err, "in:", 3) != 0) {
		abort();
	}
	xdpi_cidr_list_free(&l);
	return 0;
}
