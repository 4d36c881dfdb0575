// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: `xdpi ctl bypass PROTO SRC DST` arguments. The input is three NUL-separated
 * fields. An accepted flow has a known protocol and family and a canonical key (side a the
 * smaller endpoint); a rejected one always says what is wrong. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/policy.h"

static int endpoint_cmp(const struct xdpi_flow_key *k)
{
	int c = memcmp(k->addr_a, k->addr_b, sizeof(k->addr_a));

	if (c)
		return c;
	return __builtin_bswap16(k->port_a) - __builtin_bswap16(k->port_b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 3), *f[3];
	struct xdpi_flow_key k;
	char err[256] = "";
	size_t at = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memset(buf + size, 0, 3);
	for (int i = 0; i < 3; i++) {
		f[i] = buf + at;
		at += strlen(buf + at) + 1;
		if (at > size + 2)
			at = size + 2;
	}
	if (xdpi_flow_key_parse(f[0], f[1], f[2], 0, &k, err, sizeof(err)) == 0) {
		if ((k.proto != 6 && k.proto != 17) || (k.family != 4 && k.family != 6) ||
		    endpoint_cmp(&k) > 0)
			abort();
	} else if (!err[0]) {
		abort();
	}
	free(buf);
	return 0;
}
