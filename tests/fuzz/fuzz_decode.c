// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the packet decoder and everything behind it in the engine (fragment
 * attribution, flow table, flow records). The first byte picks the link type; the rest is the
 * frame. Seeds: frames of the corpus captures (tools/pcap_seeds.py). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "xdpi/decode.h"
#include "xdpi/engine.h"

static int discard(void *ctx, const char *json, size_t len)
{
	(void)ctx;
	(void)json;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xdpi_engine *eng;
	static uint64_t ts;
	struct xdpi_pkt p = { 0 };
	struct xdpi_decoded d;
	struct xdpi_flow_key k;

	if (!eng) {
		struct xdpi_engine_cfg c = {
			.max_flows = 64, /* small: eviction paths run too */
			.timeouts = { .new_ns = 5, .established_ns = 50, .closed_ns = 1 },
			.emit = discard,
		};

		eng = xdpi_engine__new(&c);
	}
	if (size < 1)
		return 0;
	p.link = (enum xdpi_link)(data[0] % 6);
	p.snippet = data[0] & 0x80;
	p.data = data + 1;
	p.cap_len = (uint32_t)(size - 1);
	p.orig_len = p.cap_len + (data[0] & 0x40 ? 100 : 0);
	p.ts_ns = ++ts;
	if (xdpi_decode(&p, &d) == 0 && d.family)
		xdpi_flow_key_from(&d, &k);
	xdpi_engine__packet(eng, &p);
	if (ts % 64 == 0)
		xdpi_engine__tick(eng, ts);
	return 0;
}
