// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: TLS plaintext records (what the library probes hand over) through the engine,
 * as the input describes them: which end's process, which direction, how much was cut past
 * the copied prefix, with or without a socket, a header that lies about its length; then the
 * bytes, parsed as HTTP/1.1, HTTP/2 or whatever the dissectors make of them. The engine must
 * never crash, leak or read past a record, whatever the records say. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "fuzz_engine.h"

/* Record I from 4 control bytes: flags, the copied length (2 bytes), a cut. */
static void record(struct xdpi_engine *eng, const uint8_t *c, const uint8_t *bytes, size_t n,
		   uint64_t ts)
{
	uint8_t buf[sizeof(struct xdpi_plain_hdr) + 1024];
	struct xdpi_plain_hdr h = { .ts_ns = ts, .lib = (uint8_t)(1 + (c[0] & 1)) };
	struct xdpi_pkt p = { .data = buf, .ts_ns = ts, .plaintext = true };
	bool server = c[0] & 2;

	h.pid = server ? 2 : 1 + ((c[0] >> 5) & 1); /* now and then a third process */
	h.dir = (c[0] >> 2) & 1;
	h.copied = (uint32_t)n;
	h.len = (uint32_t)n + c[3];
	if (!(c[0] & 8)) { /* else: no socket known */
		h.sk.family = 4, h.sk.proto = (c[0] & 16) ? 17 : 6;
		h.sk.laddr[0] = htonl(server ? 0xc6120002 : 0xc6120001);
		h.sk.raddr[0] = htonl(server ? 0xc6120001 : 0xc6120002);
		h.sk.lport = server ? 443 : 40000, h.sk.rport = server ? 40000 : 443;
	}
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), bytes, n);
	p.cap_len = p.orig_len = (uint32_t)(sizeof(h) + n);
	if (c[0] & 64)
		p.cap_len = (uint32_t)(sizeof(h) + n / 2); /* the header says more than there is */
	xdpi_engine__packet(eng, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_engine *eng = fuzz_engine_new();
	uint64_t ts = 1;

	if (!eng)
		return 0;
	while (size >= 4) {
		size_t n = (size_t)(data[1] << 8 | data[2]) % 1024;

		if (n > size - 4)
			n = size - 4;
		record(eng, data, data + 4, n, ts += 1000);
		data += 4 + n, size -= 4 + n;
	}
	xdpi_engine__finish(eng);
	xdpi_engine__free(eng);
	return 0;
}
