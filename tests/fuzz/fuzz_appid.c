// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the identifiers' probe table. Input: one byte of flags (bit 0: UDP, bit 1: from
 * the server), the source and destination ports, then the payload. Every probe is asked on
 * its own (one that would be shadowed by an earlier one still reads the bytes), answers one
 * of its three words, and the registry's pick says YES again when asked alone. ASan catches a
 * probe that reads past the payload. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_ident_in in;
	const struct xdpi_ident *id;
	uint8_t *copy;
	bool more;

	if (size < 5)
		return 0;
	/* the payload in a buffer of its own exact size: a read past it is a finding */
	copy = malloc(size - 5 ? size - 5 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 5, size - 5);
	in = (struct xdpi_ident_in){
		.buf = copy, .len = size - 5,
		.l4 = (data[0] & 1) ? XDPI_IDENT_UDP : XDPI_IDENT_TCP, .dir = (data[0] >> 1) & 1,
		.sport = (uint16_t)(data[1] << 8 | data[2]), .dport = (uint16_t)(data[3] << 8 | data[4]),
	};
	for (size_t i = 0; i < xdpi_idents_count(); i++) {
		const struct xdpi_ident *x = xdpi_ident_at(i);
		enum xdpi_ident_answer a;

		if (!(x->l4 & in.l4))
			continue;
		a = x->probe(&in);
		if (a != XDPI_IDENT_NO && a != XDPI_IDENT_YES && a != XDPI_IDENT_MORE)
			abort();
		if (a == XDPI_IDENT_MORE && in.l4 == XDPI_IDENT_UDP)
			abort(); /* a datagram never grows */
	}
	id = xdpi_ident_run(&in, &more);
	if (id && id->probe(&in) != XDPI_IDENT_YES)
		abort();
	free(copy);
	return 0;
}
