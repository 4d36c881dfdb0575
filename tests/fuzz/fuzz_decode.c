// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the packet decoder and everything behind it in the engine (fragment
 * attribution, flow table, flow records). The first byte picks the link type; the rest is the
 * frame. Seeds: frames of the corpus captures (tools/pcap_seeds.py). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "xdpi/decode.h"
#include "xdpi/detect.h"
#include "xdpi/engine.h"

/* Rules at every inspection point, so that fuzzed traffic runs detection too. */
static const char rules[] =
	"alert tcp any any -> any any (msg:\"p\"; content:\"GET\"; pcre:\"/^\\w+/R\"; sid:1;)\n"
	"alert tcp any any -> any any (msg:\"f\"; flags:S; dsize:0; sid:2;)\n"
	"alert udp any any -> any any (msg:\"u\"; byte_test:1,>,0,0; sid:3;)\n"
	"alert http any any -> any any (msg:\"h\"; http.uri; content:\"/\"; flowbits:set,x; sid:4;)\n"
	"alert http any any -> any any (msg:\"r\"; flow:to_client; http.stat_code; content:\"2\"; "
	"flowbits:isset,x; file_data; isdataat:1; sid:5;)\n"
	"alert dns any any -> any any (msg:\"d\"; dns.query; content:\".\"; threshold:type limit,"
	"track by_src,count 1,seconds 1; sid:6;)\n"
	"alert tls any any -> any any (msg:\"t\"; tls.sni; content:\".\"; sid:7;)\n"
	"alert tls any any -> any any (msg:\"c\"; tls.cert_subject; content:\"CN\"; sid:8;)\n"
	"drop ip [10.0.0.0/8] any -> any any (msg:\"i\"; sid:9;)\n";

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
		static struct xdpi_anomaly_cfg anomaly;
		struct xdpi_rule_vars *vars = xdpi_rule_vars_new();
		struct xdpi_detect *det = xdpi_detect__new();
		char err[256];

		xdpi_anomaly_defaults(&anomaly);
		anomaly.scan_ports = 4; /* low: the detectors' alert paths run too */
		anomaly.dns_queries = 2;
		if (xdpi_detect__load_text(det, "fuzz.rules", rules, sizeof(rules) - 1, vars, NULL,
					   NULL) ||
		    xdpi_detect__report(det)->loaded != 9 || xdpi_detect__compile(det, err, sizeof(err)))
			__builtin_trap();
		xdpi_rule_vars_free(vars);
		struct xdpi_engine_cfg c = {
			.max_flows = 64, /* small: eviction paths run too */
			.timeouts = { .new_ns = 5, .established_ns = 50, .closed_ns = 1 },
			.emit = discard,
			.detect = det, /* lives as long as the fuzzer */
			.anomaly = &anomaly,
		};

		eng = xdpi_engine__new(&c);
	}
	if (size < 1)
		return 0;
	p.link = (enum xdpi_link)(data[0] % XDPI_LINK_MAX); /* every link type xdpi reads */
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
