// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the subcommands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "common.h"
#include "opts.h"
#include "xdpi/policy.h"
#include "xdpi/log.h"

void cli_common_defaults(struct cli_common *c)
{
	memset(c, 0, sizeof(*c));
	c->output = "-";
	c->timeouts.new_ns = 30 * XDPI_NS_PER_SEC;
	c->timeouts.established_ns = 300 * XDPI_NS_PER_SEC;
	c->timeouts.closed_ns = 10 * XDPI_NS_PER_SEC;
	c->timeouts.active_ns = 3600 * XDPI_NS_PER_SEC;
	c->max_flows = XDPI_FLOWS_DEFAULT;
	c->steer = XDPI_STEER_HEAD;
	c->head_pkts = XDPI_HEAD_PKTS_DEFAULT;
	c->snaplen = XDPI_SNAPLEN_DEFAULT;
	c->detect.drop_ttl_s = 600;
	c->workers = 1;
	c->observe.pcap_rotate_mb = 100;
	c->observe.pcap_keep = 10;
	xdpi_anomaly_defaults(&c->detect.anomaly);
}

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
	static const struct {
		const char *name;
		uint8_t v;
	} states[] = { { "pass", XDPI_STEER_PASS }, { "head", XDPI_STEER_HEAD },
		       { "snip", XDPI_STEER_SNIP }, { "bypass", XDPI_STEER_BYPASS } };
	struct cli_common *c = ctx;

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (!strcmp(arg, states[i].name)) {
			c->steer = states[i].v;
			return 0;
		}
	}
	cli_error("--steer: '%s' is not one of pass, head, snip, bypass", arg);
	return -1;
}

static int opt_snip_port(void *ctx, const char *arg)
{
	struct cli_common *c = ctx;
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
	struct cli_common *c = ctx;
	uint64_t v;

	if (cli_parse_u64("flow-timeout", arg, 1, 86400, &v))
		return -1;
	c->timeouts.new_ns = c->timeouts.established_ns = c->timeouts.closed_ns =
		v * XDPI_NS_PER_SEC;
	return 0;
}

static int opt_verbose(void *ctx, const char *arg)
{
	struct cli_common *c = ctx;

	(void)arg;
	c->verbose++;
	c->detect.verbose = true;
	return 0;
}

static const struct cli_opt common_opts[] = {
	CLI_STR("output", 'o', "PATH", struct cli_common, output,
		"append EVE JSON lines to PATH (default: standard output)"),
	CLI_FN("flow-timeout", 0, "SEC", opt_flow_timeout,
	       "end a flow after SEC idle, whatever its state\n"
	       "(default: 30 new, 300 established, 10 closed)"),
	CLI_U64("max-flows", 0, "N", struct cli_common, max_flows, 16, 1u << 26,
		"flows kept at once; the least recent is ended (default 262144)"),
	CLI_FN("steer", 0, "STATE", opt_steer,
	       "kernel steering of new flows: pass, head, snip (default head)"),
	CLI_U64("head-pkts", 0, "N", struct cli_common, head_pkts, 1, 1u << 20,
		"payload packets per direction copied in `head` (default 8)"),
	CLI_U64("snaplen", 0, "N", struct cli_common, snaplen, 64, XDPI_SNAPLEN_MAX,
		"bytes copied per packet, 64..2048 (default 1536)"),
	CLI_FN("snip-port", 0, "P[/udp]", opt_snip_port,
	       "flows on port P start in `snip` (repeatable; default tcp)"),
	CLI_U64("workers", 0, "N", struct cli_common, workers, 1, XDPI_WORKERS_MAX,
		"N inspection threads, each owning the flows that hash to\n"
		"it (both directions), sharing one compiled rule set\n"
		"(default 1: inspection in the reading thread)"),
	CLI_FN("verbose", 'v', NULL, opt_verbose, "more diagnostics (repeat for debug)"),
};

struct cli_optgroup cli_common_group(struct cli_common *c)
{
	return (struct cli_optgroup)CLI_GROUP(common_opts, c);
}

int cli_output_open(struct cli_output *o, const char *target)
{
	memset(o, 0, sizeof(*o));
	o->ops = xdpi_output_find("eve");
	o->priv = o->ops ? o->ops->open(target) : NULL;
	if (!o->priv) {
		fprintf(stderr, "xdpi: cannot open output '%s': %s\n", target, strerror(errno));
		return -1;
	}
	return 0;
}

void cli_output_stats(const struct cli_output *o, struct xdpi_output_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (o->ops && o->priv)
		o->ops->stats(o->priv, st);
}

/* Says that events are being lost: at the first loss, then at most once a minute. */
static void report_losses(struct cli_output *o, bool final)
{
	struct xdpi_output_stats st;
	uint64_t now = cli_monotonic_ns();

	cli_output_stats(o, &st);
	if (st.errors == o->reported_errors || st.last_errno == EPIPE)
		return;
	if (!final && o->reported_errors && now - o->reported_ns < 60 * XDPI_NS_PER_SEC)
		return;
	fprintf(stderr, "xdpi: writing events to %s failed: %s; %llu event%s lost so far "
		"(xdpi_output_errors_total)\n", o->ops->target(o->priv), strerror(st.last_errno),
		(unsigned long long)st.errors, st.errors == 1 ? "" : "s");
	o->reported_errors = st.errors;
	o->reported_ns = now;
}

int cli_output_flush(struct cli_output *o)
{
	struct xdpi_output_stats st;

	o->ops->flush(o->priv);
	report_losses(o, false);
	cli_output_stats(o, &st);
	return st.last_errno == EPIPE ? -EPIPE : 0;
}

int cli_output_reopen(struct cli_output *o)
{
	int err = o->ops->reopen(o->priv);

	if (err)
		fprintf(stderr, "xdpi: reopening %s: %s; still writing to the old file\n",
			o->ops->target(o->priv), strerror(-err));
	return err;
}

uint64_t cli_output_close(struct cli_output *o)
{
	struct xdpi_output_stats st = { 0 };

	if (o->ops && o->priv) {
		o->ops->flush(o->priv);
		report_losses(o, true);
		cli_output_stats(o, &st);
		o->ops->close(o->priv);
	}
	o->priv = NULL;
	return st.last_errno == EPIPE ? 0 : st.errors;
}

int cli_emit(void *ctx, const char *json, size_t len)
{
	struct cli_output *o = ctx;
	int err = o->ops->write_event(o->priv, json, len);

	if (o->redis && xdpi_redis__write(o->redis, json, len))
		o->redis_dropped++; /* counted by its queue too: never wait for Redis */
	return err;
}

/* What a rule id stands for in the stats event. */
static void describe_rule(const struct cli_sources *s, uint32_t id, struct xdpi_json *j)
{
	if (id >= XDPI_RULE_LIST_FIRST && id - XDPI_RULE_LIST_FIRST < s->nrules) {
		const struct cli_rule *r = &s->rules[id - XDPI_RULE_LIST_FIRST];

		xdpi_json_str(j, "action", r->action);
		xdpi_json_str(j, "source", r->source);
		xdpi_json_u64(j, "entries", r->entries);
	} else if (id >= XDPI_RULE_PORT_FIRST && id - XDPI_RULE_PORT_FIRST < s->nport_rules) {
		xdpi_json_str(j, "source", "port rule");
		xdpi_json_str(j, "rule", s->port_rules[id - XDPI_RULE_PORT_FIRST]);
	} else if (id == XDPI_RULE_CTL) {
		xdpi_json_str(j, "source", "xdpi ctl");
	} else if (id == XDPI_RULE_ENGINE) {
		xdpi_json_str(j, "source", "engine");
	} else if (id >= XDPI_RULE_RATE_PKTS && id <= XDPI_RULE_EGRESS_ICMP) {
		static const char *const names[] = { "rate_limit_pkts", "rate_limit_bytes",
						     "syn_flood", "icmp_flood",
						     "egress_rate_limit_pkts",
						     "egress_rate_limit_bytes",
						     "egress_icmp_limit" };

		xdpi_json_str(j, "source", names[id - XDPI_RULE_RATE_PKTS]);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Rule ids to report: every list given at start (counted or not) and every id the kernel has
 * counted (`xdpi ctl` and engine entries included), sorted, each once. */
static size_t rule_ids(const struct cli_sources *s, uint32_t *ids, size_t cap)
{
	uint32_t key, next;
	size_t n = 0, out = 0;
	bool first = true;

	for (size_t i = 0; i < s->nrules && n < cap; i++)
		ids[n++] = (uint32_t)(XDPI_RULE_LIST_FIRST + i);
	while (n < cap && !bpf_map_get_next_key(s->rule_stats_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		ids[n++] = key;
	}
	qsort(ids, n, sizeof(*ids), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (!out || ids[out - 1] != ids[i])
			ids[out++] = ids[i];
	return out;
}

/* Each rule's kernel counters: which list or entry matched how much. */
static void write_rule_stats(const struct cli_sources *s, struct xdpi_json *j)
{
	static uint32_t ids[XDPI_RULE_STATS_MAX];
	size_t n = rule_ids(s, ids, XDPI_RULE_STATS_MAX);

	xdpi_json_arr_open(j, "rules");
	for (size_t i = 0; i < n; i++) {
		struct xdpi_rule_stats rs;
		int err = xdpi_policy_rule_stats(s->rule_stats_fd, ids[i], &rs);

		xdpi_json_obj_open(j, NULL);
		xdpi_json_u64(j, "rule_id", ids[i]);
		describe_rule(s, ids[i], j);
		if (!err) {
			xdpi_json_u64(j, "pkts", rs.pkts);
			xdpi_json_u64(j, "bytes", rs.bytes);
		}
		xdpi_json_obj_close(j);
	}
	xdpi_json_arr_close(j);
}

void cli_stats_extra(void *ctx, struct xdpi_json *j)
{
	const struct cli_sources *s = ctx;

	if (s->rb) {
		struct xdpi_rb_stats st;

		xdpi_rb__stats(s->rb, &st);
		xdpi_json_obj_open(j, "ringbuf");
		xdpi_json_u64(j, "records", st.records);
		xdpi_json_u64(j, "bytes", st.bytes);
		xdpi_json_u64(j, "bad_records", st.bad_records);
		xdpi_json_u64(j, "unknown_type", st.unknown_type);
		xdpi_json_u64(j, "drop_records", st.drop_records);
		xdpi_json_obj_close(j);
	}
	if (s->afxdp) {
		struct xdpi_afxdp_stats st;

		xdpi_afxdp__stats(s->afxdp, &st);
		xdpi_json_obj_open(j, "afxdp");
		xdpi_json_u64(j, "queues", st.queues);
		xdpi_json_bool(j, "zerocopy", st.zerocopy);
		xdpi_json_u64(j, "received", st.received);
		xdpi_json_u64(j, "umem_frames", st.umem_frames);
		xdpi_json_u64(j, "frames_in_kernel", st.frames_in_kernel);
		xdpi_json_u64(j, "frames_stashed", st.frames_stashed);
		xdpi_json_u64(j, "fill_short", st.fill_short);
		xdpi_json_u64(j, "wakeups", st.wakeups);
		xdpi_json_u64(j, "rx_dropped", st.rx_dropped);
		xdpi_json_u64(j, "rx_invalid_descs", st.rx_invalid_descs);
		xdpi_json_u64(j, "rx_ring_full", st.rx_ring_full);
		xdpi_json_u64(j, "rx_fill_ring_empty", st.rx_fill_ring_empty);
		xdpi_json_obj_close(j);
	}
	if (s->replay) {
		struct xdpi_replay_stats st;

		xdpi_replay__stats(s->replay, &st);
		xdpi_json_obj_open(j, "replay");
		xdpi_json_u64(j, "runs", st.runs);
		xdpi_json_u64(j, "errors", st.errors);
		xdpi_json_u64(j, "too_short", st.too_short);
		xdpi_json_u64(j, "relinked", st.relinked);
		xdpi_json_u64(j, "verdict_pass", st.verdict_pass);
		xdpi_json_u64(j, "verdict_drop", st.verdict_drop);
		xdpi_json_u64(j, "verdict_other", st.verdict_other);
		xdpi_json_obj_close(j);
	}
	xdpi_json_u64(j, "pcap_errors", s->pcap_errors);
	if (s->rule_stats_fd > 0) /* live only */
		write_rule_stats(s, j);
	if (s->out) {
		struct xdpi_output_stats st;

		cli_output_stats(s->out, &st);
		xdpi_json_obj_open(j, "output");
		xdpi_json_u64(j, "events", st.events);
		xdpi_json_u64(j, "bytes", st.bytes);
		xdpi_json_u64(j, "errors", st.errors);
		xdpi_json_obj_close(j);
	}
	if (s->observe)
		cli_observe_stats(s->observe, j);
}

void cli_set_verbosity(int verbose)
{
	int level = XDPI_LOG_WARN + verbose;

	xdpi_log_set_level(level > XDPI_LOG_DEBUG ? XDPI_LOG_DEBUG : (enum xdpi_log_level)level);
	xdpi_log_route_libbpf();
}

uint64_t cli_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * XDPI_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

int64_t cli_wall_offset_ns(void)
{
	struct timespec rt;
	uint64_t mono = cli_monotonic_ns();

	clock_gettime(CLOCK_REALTIME, &rt);
	return (int64_t)((uint64_t)rt.tv_sec * XDPI_NS_PER_SEC + (uint64_t)rt.tv_nsec) -
	       (int64_t)mono;
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
			fprintf(f, "%-13s off\n", limit_opts[i].name);
		else
			fprintf(f, "%-13s %llu %s\n", limit_opts[i].name, (unsigned long long)
				(scale ? (scale + raw / 2) / raw : raw / XDPI_NS_PER_SEC),
				limit_opts[i].unit);
	}
}
