// SPDX-License-Identifier: GPL-2.0
/* What the subcommands share: numbers parsed with clear errors, the option groups of read and
 * run (common, rate limits), the verbosity. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "common.h"
#include "opts.h"
#include "xdpi/eve.h"
#include "xdpi/policy.h"
#include "xdpi/log.h"

int cli_parse_u64(const char *name, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-') {
		cli_error("--%s: '%s' is not a number", name, arg);
		return -1;
	}
	if (v < min || v > max) {
		cli_error("--%s: %llu is out of range (%llu..%llu)", name, v,
			  (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/* ---- the options read and run share ---- */

static int opt_steer(void *ctx, const char *arg)
{
	struct xdpi_app_common *c = ctx;
	int v = xdpi_steer_from_name(arg);

	/* full (tap mode) and drop (policy) are not a choice for new flows */
	if (v < 0 || v == XDPI_STEER_FULL || v == XDPI_STEER_DROP) {
		cli_error("--steer: '%s' is not one of msg, head, snip, pass, bypass", arg);
		return -1;
	}
	c->steer = (uint8_t)v;
	return 0;
}

static int opt_snip_port(void *ctx, const char *arg)
{
	struct xdpi_app_common *c = ctx;
	char buf[32], *slash;
	uint64_t port;
	uint8_t proto = 6;

	if (c->nports == sizeof(c->ports) / sizeof(c->ports[0])) {
		cli_error("--snip-port: at most %zu ports", c->nports);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (!strcmp(slash, "udp"))
			proto = 17;
		else if (strcmp(slash, "tcp")) {
			cli_error("--snip-port: '%s': protocol must be tcp or udp", arg);
			return -1;
		}
	}
	if (cli_parse_u64("snip-port", buf, 1, 65535, &port))
		return -1;
	c->ports[c->nports++] = (struct xdpi_steer_port){
		.port = (uint16_t)port, .proto = proto, .steer = XDPI_STEER_SNIP
	};
	return 0;
}

static int opt_flow_timeout(void *ctx, const char *arg)
{
	struct xdpi_app_common *c = ctx;
	uint64_t v;

	if (cli_parse_u64("flow-timeout", arg, 1, 86400, &v))
		return -1;
	c->timeouts.new_ns = c->timeouts.established_ns = c->timeouts.closed_ns =
		v * XDPI_NS_PER_SEC;
	return 0;
}

static int opt_verbose(void *ctx, const char *arg)
{
	struct xdpi_app_common *c = ctx;

	(void)arg;
	c->verbose++;
	c->rules.verbose = true;
	return 0;
}

static int opt_tunnel_ignore(void *ctx, const char *arg)
{
	struct xdpi_app_common *c = ctx;
	size_t at;

	if (xdpi_tunnel_list_parse(arg, &c->decode.tun_ignore, &at)) {
		cli_error("--tunnel-ignore: '%s' at column %zu: not a tunnel type (vxlan, geneve, "
			  "gre, erspan, gtpu, ipip, teredo)", arg + at, at + 1);
		return -1;
	}
	return 0;
}

static int opt_vxlan_port(void *ctx, const char *arg)
{
	struct xdpi_app_common *c = ctx;
	uint64_t port;

	if (cli_parse_u64("vxlan-port", arg, 1, 65535, &port))
		return -1;
	c->decode.vxlan_port = (uint16_t)port;
	return 0;
}

static const struct cli_opt common_opts[] = {
	CLI_STR("output", 'o', "PATH", struct xdpi_app_common, observe.out.eve,
		"append EVE JSON lines to PATH (default: standard output)"),
	CLI_FN("flow-timeout", 0, "SEC", opt_flow_timeout,
	       "end a flow after SEC idle, whatever its state\n"
	       "(default: 30 new, 300 established, 10 closed)"),
	CLI_U64("max-flows", 0, "N", struct xdpi_app_common, max_flows, 16, 1u << 26,
		"flows kept at once; the least recent is ended (default 262144)"),
	CLI_FN("steer", 0, "STATE", opt_steer,
	       "kernel steering of new flows: msg (default: every message's\n"
	       "head, bodies skipped in the kernel), head, snip, pass"),
	CLI_U64("head-pkts", 0, "N", struct xdpi_app_common, head_pkts, 1, 1u << 20,
		"payload packets per direction copied in `head` (default 8)"),
	CLI_U64("head-budget", 0, "N", struct xdpi_app_common, head_budget, 512, 1u << 20,
		"`msg`: bytes copied from where an HTTP/1 message starts\n"
		"before its head is read (a head, and the body's first\n"
		"bytes detection inspects; default 8192)"),
	CLI_U64("snaplen", 0, "N", struct xdpi_app_common, snaplen, 64, XDPI_SNAPLEN_MAX,
		"bytes copied per packet, 64..2048 (default 1536)"),
	CLI_FN("tunnel-ignore", 0, "LIST", opt_tunnel_ignore,
	       "read these tunnels as plain UDP/GRE flows (the outer view),\n"
	       "comma-separated: vxlan,geneve,gre,erspan,gtpu,ipip,teredo"),
	CLI_FN("vxlan-port", 0, "P", opt_vxlan_port,
	       "also read UDP port P as VXLAN (4789 and 8472 always are)"),
	CLI_FN("snip-port", 0, "P[/udp]", opt_snip_port,
	       "flows on port P start in `snip` (repeatable; default tcp)"),
	CLI_U64("workers", 0, "N", struct xdpi_app_common, workers, 1, XDPI_WORKERS_MAX,
		"N inspection threads, each owning the flows that hash to\n"
		"it (both directions), sharing one compiled rule set\n"
		"(default 1: inspection in the reading thread)"),
	CLI_FN("verbose", 'v', NULL, opt_verbose, "more diagnostics (repeat for debug)"),
};

struct cli_optgroup cli_common_group(struct xdpi_app_common *c)
{
	return (struct cli_optgroup)CLI_GROUP(common_opts, c);
}

void cli_set_verbosity(int verbose)
{
	int level = XDPI_LOG_NOTE + verbose;

	xdpi_log_set_level(level > XDPI_LOG_DEBUG ? XDPI_LOG_DEBUG : (enum xdpi_log_level)level);
	xdpi_log_route_libbpf();
}

/* ---- rate limits ---- */

static const struct {
	const char *name;
	uint64_t max;
	uint64_t scale; /* the kernel field is scale / value; 0: value * 1e9 (seconds) */
	const char *unit;
} limit_opts[CLI_LIMIT_N] = {
	[CLI_LIMIT_RATE] = { "rate-limit", 1000000000, XDPI_NS_PER_SEC, "packets/s" },
	[CLI_LIMIT_BYTES] = { "byte-limit", 1000000000000ull, 1000 * XDPI_NS_PER_SEC, "bytes/s" },
	[CLI_LIMIT_ICMP] = { "icmp-limit", 1000000000, XDPI_NS_PER_SEC, "packets/s" },
	[CLI_LIMIT_SYN_DST] = { "syn-dst-rate", 1000000000, XDPI_NS_PER_SEC, "SYN/s" },
	[CLI_LIMIT_SYN_SRC] = { "syn-src-rate", 1000000000, XDPI_NS_PER_SEC, "SYN/s" },
	[CLI_LIMIT_SYN_BLOCK] = { "syn-block", 86400 * 365, 0, "s" },
	[CLI_LIMIT_SAMPLES] = { "drop-samples", 1000000, XDPI_NS_PER_SEC, "records/s/CPU" },
	[CLI_LIMIT_EGRESS_RATE] = { "egress-rate-limit", 1000000000, XDPI_NS_PER_SEC, "packets/s" },
	[CLI_LIMIT_EGRESS_BYTES] = { "egress-byte-limit", 1000000000000ull, 1000 * XDPI_NS_PER_SEC,
				     "bytes/s" },
	[CLI_LIMIT_EGRESS_ICMP] = { "egress-icmp-limit", 1000000000, XDPI_NS_PER_SEC, "packets/s" },
};

static int limit_set(struct cli_limits *l, int i, const char *arg)
{
	if (cli_parse_u64(limit_opts[i].name, arg, 0, limit_opts[i].max, &l->v[i]))
		return -1;
	l->given[i] = true;
	return 0;
}

#define LIMIT_FN(i) static int lim_##i(void *ctx, const char *arg) { return limit_set(ctx, i, arg); }
LIMIT_FN(CLI_LIMIT_RATE)
LIMIT_FN(CLI_LIMIT_BYTES)
LIMIT_FN(CLI_LIMIT_ICMP)
LIMIT_FN(CLI_LIMIT_SYN_DST)
LIMIT_FN(CLI_LIMIT_SYN_SRC)
LIMIT_FN(CLI_LIMIT_SYN_BLOCK)
LIMIT_FN(CLI_LIMIT_SAMPLES)
LIMIT_FN(CLI_LIMIT_EGRESS_RATE)
LIMIT_FN(CLI_LIMIT_EGRESS_BYTES)
LIMIT_FN(CLI_LIMIT_EGRESS_ICMP)
#undef LIMIT_FN

static const struct cli_opt limits_opts[] = {
	CLI_FN("rate-limit", 0, "PPS", lim_CLI_LIMIT_RATE,
	       "drop a source's packets past PPS per second (1 s burst)"),
	CLI_FN("byte-limit", 0, "BPS", lim_CLI_LIMIT_BYTES,
	       "drop a source's packets past BPS bytes per second"),
	CLI_FN("icmp-limit", 0, "PPS", lim_CLI_LIMIT_ICMP, "drop a source's ICMP past PPS per second"),
	CLI_FN("syn-dst-rate", 0, "N", lim_CLI_LIMIT_SYN_DST,
	       "SYN flood defence: a destination taking more than N SYN/s is\n"
	       "under attack; while it is, a source sending more than"),
	CLI_FN("syn-src-rate", 0, "N", lim_CLI_LIMIT_SYN_SRC,
	       "N SYN/s to it (default 10) is dropped and blocked for"),
	CLI_FN("syn-block", 0, "S", lim_CLI_LIMIT_SYN_BLOCK, "S seconds (default 60; 0: drop only)"),
	CLI_FN("egress-rate-limit", 0, "PPS", lim_CLI_LIMIT_EGRESS_RATE,
	       "at TC egress: drop what the host sends one destination past\n"
	       "PPS per second (a reflector, a compromised host; 1 s burst)"),
	CLI_FN("egress-byte-limit", 0, "BPS", lim_CLI_LIMIT_EGRESS_BYTES,
	       "at TC egress: the same in bytes per second per destination"),
	CLI_FN("egress-icmp-limit", 0, "PPS", lim_CLI_LIMIT_EGRESS_ICMP,
	       "at TC egress: ICMP per second per destination"),
	CLI_FN("drop-samples", 0, "N", lim_CLI_LIMIT_SAMPLES,
	       "drop events per second per CPU that report what the fast path\n"
	       "dropped and why (default 100; 0: none). 0 turns any of these\n"
	       "off; allowed sources (--allow) are never rate-limited"),
};

struct cli_optgroup cli_limits_group(struct cli_limits *l)
{
	return (struct cli_optgroup)CLI_GROUP(limits_opts, l);
}

static __u64 *limit_field(struct xdpi_limits *k, int i)
{
	__u64 *fields[CLI_LIMIT_N] = {
		&k->src_pkt_ns, &k->src_byte_ps, &k->icmp_ns, &k->syn_dst_ns, &k->syn_src_ns,
		&k->syn_block_ns, &k->drop_sample_ns, &k->dst_pkt_ns, &k->dst_byte_ps,
		&k->dst_icmp_ns,
	};

	return fields[i];
}

void cli_limits_apply(const struct cli_limits *l, struct xdpi_limits *k)
{
	for (int i = 0; i < CLI_LIMIT_N; i++) {
		uint64_t v = l->v[i], scale = limit_opts[i].scale;

		if (l->given[i])
			*limit_field(k, i) = scale ? (v ? scale / v : 0) : v * XDPI_NS_PER_SEC;
	}
}

void cli_limits_print(const struct xdpi_limits *k, FILE *f)
{
	struct xdpi_limits copy = *k;

	for (int i = 0; i < CLI_LIMIT_N; i++) {
		uint64_t raw = *limit_field(&copy, i), scale = limit_opts[i].scale;

		if (!raw)
			fprintf(f, "%-18s off\n", limit_opts[i].name);
		else
			fprintf(f, "%-18s %llu %s\n", limit_opts[i].name, (unsigned long long)
				(scale ? (scale + raw / 2) / raw : raw / XDPI_NS_PER_SEC),
				limit_opts[i].unit);
	}
}
