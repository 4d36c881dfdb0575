/* SPDX-License-Identifier: GPL-2.0 */
/* What the subcommands share: number parsing with clear errors, the output, the engine's
 * defaults, and the extra stats each source adds. */
#ifndef XDPI_CLI_COMMON_H
#define XDPI_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "xdpi/capture.h"
#include "xdpi/detect.h"
#include "xdpi/engine.h"
#include "xdpi/loader.h"
#include "xdpi/output.h"
#include "xdpi/outputs.h"
#include "xdpi/context.h"
#include "xdpi/workers.h"
#include "opts.h"

#define EXIT_USAGE 2

struct cli_output {
	const struct xdpi_output_ops *ops;
	void *priv;
	struct xdpi_redis *redis; /* every event also goes there (NULL: no) */
	uint64_t redis_dropped;   /* its queue was full */
	uint64_t reported_errors; /* losses said so far, and when */
	uint64_t reported_ns;
};

/* API metrics and the outputs beside EVE (observe_opts.c) */
struct cli_observe {
	const char *routes_file;
	uint64_t route_budget;
	struct xdpi_api_cfg api_cfg;
	const char *webhook_url;
	const char *redis_url, *redis_mode;
	const char *ipfix_target;
	const char *pcap_dir;
	uint64_t pcap_rotate_mb, pcap_keep;
	bool process_context; /* run --process-context */
	/* after cli_observe_open */
	struct xdpi_sock_ctx *sock_ctx;
	struct xdpi_api_routes *routes;
	struct xdpi_api *api;
	struct xdpi_webhook *webhook;
	struct xdpi_ipfix *ipfix;
	struct xdpi_pcap_alerts *pcap;
	struct xdpi_redis *redis;
	uint64_t webhook_dropped;
};

struct cli_optgroup cli_observe_group(struct cli_observe *o);
/* Reads the files the options name (--api-routes), as --check-config does. 0 or -1 (said). */
int cli_observe_check(const struct cli_observe *o);
/* Opens what the options ask for and wires it into EC and OUT; the API table is made when
 * API_WANTED (run --metrics) or any --api- option asks for it. 0, or -1 (reported). */
int cli_observe_open(struct cli_observe *o, struct xdpi_engine_cfg *ec, struct cli_output *out,
		     bool api_wanted);
void cli_observe_tick(struct cli_observe *o);   /* sends what is batched */
void cli_observe_stats(const struct cli_observe *o, struct xdpi_json *j);
void cli_observe_expose(const struct cli_observe *o, FILE *f); /* Prometheus text */
void cli_observe_close(struct cli_observe *o, struct cli_output *out);



/* Detection options (detect_opts.c) */
struct cli_detect {
	const char *files[64];
	size_t nfiles;
	struct xdpi_rule_vars *vars;
	uint64_t drop_ttl_s;
	bool verbose;
	struct xdpi_anomaly_cfg anomaly;
	struct xdpi_detect *d; /* after cli_detect_load, when rules were given */
};

struct cli_optgroup cli_detect_group(struct cli_detect *cd);
/* Loads and compiles the --rules files (nothing without any); OFFLOAD (may be NULL) may take
 * header-only reputation rules into the kernel. Prints a one-line summary. 0 or -1. */
int cli_detect_load(struct cli_detect *cd, xdpi_kernel_rule_fn offload, void *octx);
void cli_detect_free(struct cli_detect *cd);

/* One engine, or --workers N of them (sink.c). */
struct cli_sink {
	struct xdpi_engine *engine;
	struct xdpi_workers *workers;
	struct xdpi_detect **detects; /* per worker; [0] belongs to the cli_detect */
	uint32_t ndetects;
};

int cli_sink_open(struct cli_sink *s, const struct xdpi_engine_cfg *ec, struct cli_detect *cd,
		  uint32_t workers);
int cli_sink_packet(void *ctx, const struct xdpi_pkt *pkt); /* ctx: the sink */
void cli_sink_tick(struct cli_sink *s, uint64_t now);
void cli_sink_flush(struct cli_sink *s); /* after each batch a source hands over */
void cli_sink_stats(struct cli_sink *s, uint64_t now);
void cli_sink_finish(struct cli_sink *s, uint64_t now, bool stats);
void cli_sink_free(struct cli_sink *s);
/* The Prometheus exposition of every counter (metrics_text.c) into a malloc'd *TEXT. */
struct xdpi_loader;
struct cli_sources;
int cli_metrics_compose(struct cli_sink *s, const struct cli_sources *src, struct xdpi_loader *l,
			struct xdpi_detect *first, char **text, size_t *len);

/* The largest flows (by bytes) and talkers (by bytes sent and received) in the kernel's
 * flow map, as JSON (top_json.c), for /top.json. */
int cli_top_compose(struct xdpi_loader *l, char **text, size_t *len);

/* Options read and run have in common. */
struct cli_common {
	const char *output;
	struct xdpi_flow_timeouts timeouts;
	uint64_t max_flows;
	uint8_t steer;
	uint64_t head_pkts;
	uint64_t snaplen;
	struct xdpi_steer_port ports[64];
	size_t nports;
	int verbose;
	uint64_t workers;
	struct cli_detect detect;
	struct cli_observe observe;
};

/* The sources whose counters the stats event carries. */
/* A --block/--allow list, for the stats event. */
struct cli_rule {
	const char *source;
	const char *action; /* "block" or "allow" */
	size_t entries;
};

struct cli_sources {
	const struct xdpi_rb *rb;
	const struct xdpi_afxdp *afxdp;
	const struct xdpi_replay *replay;
	uint64_t pcap_errors;
	const struct cli_output *out;
	const struct cli_observe *observe;
	const struct cli_rule *rules; /* rule id i + 1 is rules[i] */
	size_t nrules;
	char (*port_rules)[96];       /* rule id XDPI_RULE_PORT_FIRST + i is port_rules[i] */
	size_t nport_rules;
	int rule_stats_fd;
};

/* Rate-limit options, shared by `run` and `ctl limits`; only given ones are applied. */
enum cli_limit {
	CLI_LIMIT_RATE,      /* --rate-limit PPS */
	CLI_LIMIT_BYTES,     /* --byte-limit BPS */
	CLI_LIMIT_ICMP,      /* --icmp-limit PPS */
	CLI_LIMIT_SYN_DST,   /* --syn-dst-rate N */
	CLI_LIMIT_SYN_SRC,   /* --syn-src-rate N */
	CLI_LIMIT_SYN_BLOCK, /* --syn-block S */
	CLI_LIMIT_SAMPLES,   /* --drop-samples N */
	CLI_LIMIT_EGRESS_RATE,  /* --egress-rate-limit PPS */
	CLI_LIMIT_EGRESS_BYTES, /* --egress-byte-limit BPS */
	CLI_LIMIT_EGRESS_ICMP,  /* --egress-icmp-limit PPS */
	CLI_LIMIT_N,
};

struct cli_limits {
	uint64_t v[CLI_LIMIT_N];
	bool given[CLI_LIMIT_N];
};

/* The rate-limit options (--rate-limit, ...), for run and ctl limits. */
struct cli_optgroup cli_limits_group(struct cli_limits *l);
/* Writes the given options into K, as the time one unit costs (0: off). */
void cli_limits_apply(const struct cli_limits *l, struct xdpi_limits *k);
/* K as the options that would set it, one per line. */
void cli_limits_print(const struct xdpi_limits *k, FILE *f);


void cli_common_defaults(struct cli_common *c);
/* The options read and run share (output, timeouts, steering, workers, -v). */
struct cli_optgroup cli_common_group(struct cli_common *c);
/* Parses an unsigned number in [min, max] for option `name`; reports and returns -1 if not. */
int cli_parse_u64(const char *name, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
int cli_output_open(struct cli_output *o, const char *target);
/* Writes out what is buffered and says (once a minute) when events are being lost. Returns
 * -EPIPE once the reader of the output went away (stop), else 0. */
int cli_output_flush(struct cli_output *o);
int cli_output_reopen(struct cli_output *o); /* SIGHUP: logrotate */
void cli_output_stats(const struct cli_output *o, struct xdpi_output_stats *st);
/* Flushes, says what was lost, closes. Returns the number of events lost (not counting a
 * reader that went away: that is a way to stop, not a failure). */
uint64_t cli_output_close(struct cli_output *o);
int cli_emit(void *ctx, const char *json, size_t len);
void cli_stats_extra(void *ctx, struct xdpi_json *j);
void cli_set_verbosity(int verbose);
uint64_t cli_monotonic_ns(void);
int64_t cli_wall_offset_ns(void);


#endif /* XDPI_CLI_COMMON_H */
