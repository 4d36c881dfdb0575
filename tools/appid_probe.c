// SPDX-License-Identifier: GPL-2.0
/* Asks one identifier about one payload (for tools/appid_samples.py, which picks the unit
 * test's near-miss negatives): appid_probe NAME tcp|udp SPORT DPORT DIR HEX -> yes, no, more.
 * NAME "*" asks the whole registry and prints the name that says yes ("-": none). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (h[0] && h[1] && n < cap) {
		unsigned v;

		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

int main(int argc, char **argv)
{
	static uint8_t buf[65536];
	struct xdpi_ident_in in = { 0 };
	const struct xdpi_ident *id;
	bool more;

	if (argc != 7) {
		fprintf(stderr, "usage: appid_probe NAME tcp|udp SPORT DPORT DIR HEX\n");
		return 2;
	}
	in.l4 = !strcmp(argv[2], "tcp") ? XDPI_IDENT_TCP : XDPI_IDENT_UDP;
	in.sport = (uint16_t)atoi(argv[3]);
	in.dport = (uint16_t)atoi(argv[4]);
	in.dir = (uint8_t)atoi(argv[5]);
	in.buf = buf;
	in.len = unhex(argv[6], buf, sizeof(buf));
	if (!strcmp(argv[1], "*")) {
		id = xdpi_ident_run(&in, &more);
		puts(id ? id->name : "-");
		return 0;
	}
	for (size_t i = 0; i < xdpi_idents_count(); i++) {
		const struct xdpi_ident *x = xdpi_ident_at(i);
		enum xdpi_ident_answer a;

		if (strcmp(x->name, argv[1]) || !(x->l4 & in.l4))
			continue;
		a = x->probe(&in);
		if (a == XDPI_IDENT_YES) {
			puts("yes");
			return 0;
		}
		more = a == XDPI_IDENT_MORE;
	}
	puts(more ? "more" : "no");
	return 0;
}
