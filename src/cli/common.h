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

#define EXIT_USAGE 2

struct cli_output {
	const struct xdpi_output_ops *ops;
	void *priv;
	struct xdpi_redis *redis; /* every event also goes there (NULL: no) */
	uint64_t redis_dropped;   /* its queue was full */
	uint64_t reported_errors; /* losses said so far, and when */
	uint64_t reported_ns;
};

/* API metrics and the outputs beside EVE (observe_opts.c), values 0x1c0.. */
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

int cli_observe_option(struct cli_observe *o, int opt, const char *arg);
/* Opens what the options ask for and wires it into EC and OUT; the API table is made when
 * API_WANTED (run --metrics) or any --api- option asks for it. 0, or -1 (reported). */
int cli_observe_open(struct cli_observe *o, struct xdpi_engine_cfg *ec, struct cli_output *out,
		     bool api_wanted);
void cli_observe_tick(struct cli_observe *o);   /* sends what is batched */
void cli_observe_stats(const struct cli_observe *o, struct xdpi_json *j);
void cli_observe_expose(const struct cli_observe *o, FILE *f); /* Prometheus text */
void cli_observe_close(struct cli_observe *o, struct cli_output *out);

#define CLI_OBSERVE_LONGOPTS                                                                   \
	{ "api-routes", required_argument, NULL, 0x1c0 },                                      \
	{ "api-route-budget", required_argument, NULL, 0x1c1 },                                \
	{ "api-alert", required_argument, NULL, 0x1c2 },                                       \
	{ "api-webhook", required_argument, NULL, 0x1c3 },                                     \
	{ "redis", required_argument, NULL, 0x1c5 },                                           \
	{ "redis-mode", required_argument, NULL, 0x1c6 },                                      \
	{ "ipfix", required_argument, NULL, 0x1c7 },                                           \
	{ "pcap-alerts", required_argument, NULL, 0x1c8 },                                     \
	{ "pcap-rotate", required_argument, NULL, 0x1c9 },                                     \
	{ "pcap-keep", required_argument, NULL, 0x1ca }

#define CLI_OBSERVE_HELP                                                                       \
	"      --api-routes FILE   route templates for the per-endpoint API metrics: an OpenAPI\n" \
	"                          document (YAML or JSON) or one pattern per line, such as\n"  \
	"                          /users/{id}/orders; other paths are templated by their\n"    \
	"                          identifiers ({int}, {uuid}, {hex}, {token})\n"               \
	"      --api-route-budget N  endpoints per service before route=\"other\" (default 100)\n" \
	"      --api-alert COND    an API exception alert per endpoint (repeatable), such as\n"  \
	"                          'error_ratio > 5% for 1m' or 'p99 > 250ms for 30s min 50'\n" \
	"                          (min: requests in the window before it may fire; default 10)\n" \
	"      --api-webhook URL   POST each API alert (firing and resolved) as JSON to URL,\n" \
	"                          retried with backoff\n"                                       \
	"      --redis URL         also send every event to Redis: redis://HOST[:PORT][/KEY]\n" \
	"      --redis-mode MODE   list (RPUSH, default) or channel (PUBLISH)\n"                 \
	"      --ipfix HOST:PORT   export every flow record as IPFIX over UDP (nfcapd, ...)\n"  \
	"      --pcap-alerts DIR   write the packets of alerted flows to DIR/alerts.N.pcap\n"   \
	"      --pcap-rotate MB    start a new file past MB megabytes (default 100)\n"         \
	"      --pcap-keep N       keep the newest N files (default 10; 0: all)\n"


/* Detection options (detect_opts.c), values 0x140.. */
struct cli_detect {
	const char *files[64];
	size_t nfiles;
	struct xdpi_rule_vars *vars;
	uint64_t drop_ttl_s;
	bool verbose;
	struct xdpi_anomaly_cfg anomaly;
	struct xdpi_detect *d; /* after cli_detect_load, when rules were given */
};

int cli_detect_option(struct cli_detect *cd, int opt, const char *arg);
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
	CLI_LIMIT_N,
};

struct cli_limits {
	uint64_t v[CLI_LIMIT_N];
	bool given[CLI_LIMIT_N];
};

/* Handles a rate-limit option (0x180 + enum cli_limit). Returns 1 if it was one, 0 if not,
 * -1 on a bad value (reported). */
int cli_limits_option(struct cli_limits *l, int opt, const char *arg);
/* Writes the given options into K, as the time one unit costs (0: off). */
void cli_limits_apply(const struct cli_limits *l, struct xdpi_limits *k);
/* K as the options that would set it, one per line. */
void cli_limits_print(const struct xdpi_limits *k, FILE *f);

#define CLI_LIMITS_LONGOPTS                                                                    \
	{ "rate-limit", required_argument, NULL, 0x180 + CLI_LIMIT_RATE },                     \
	{ "byte-limit", required_argument, NULL, 0x180 + CLI_LIMIT_BYTES },                    \
	{ "icmp-limit", required_argument, NULL, 0x180 + CLI_LIMIT_ICMP },                     \
	{ "syn-dst-rate", required_argument, NULL, 0x180 + CLI_LIMIT_SYN_DST },                \
	{ "syn-src-rate", required_argument, NULL, 0x180 + CLI_LIMIT_SYN_SRC },                \
	{ "syn-block", required_argument, NULL, 0x180 + CLI_LIMIT_SYN_BLOCK },                 \
	{ "drop-samples", required_argument, NULL, 0x180 + CLI_LIMIT_SAMPLES }

#define CLI_LIMITS_HELP                                                                        \
	"      --rate-limit PPS    drop a source's packets past PPS per second (1 s burst)\n"     \
	"      --byte-limit BPS    drop a source's packets past BPS bytes per second\n"           \
	"      --icmp-limit PPS    drop a source's ICMP past PPS per second\n"                    \
	"      --syn-dst-rate N    SYN flood defence: a destination taking more than N SYN/s is\n" \
	"                          under attack; while it is, a source sending more than\n"      \
	"      --syn-src-rate N    N SYN/s to it (default 10) is dropped and blocked for\n"      \
	"      --syn-block S       S seconds (default 60; 0: drop only)\n"                       \
	"      --drop-samples N    drop events per second per CPU that report what the fast path\n" \
	"                          dropped and why (default 100; 0: none). 0 turns any of these\n" \
	"                          off; allowed sources (--allow) are never rate-limited\n"

void cli_common_defaults(struct cli_common *c);
/* Handles an option shared by read and run. Returns 1 if it was one, 0 if not, -1 on a bad
 * value (reported). */
int cli_common_option(struct cli_common *c, int opt, const char *arg);
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

/* Long options shared by read and run; their values start at 0x100. */
#define CLI_COMMON_LONGOPTS                                                                    \
	{ "output", required_argument, NULL, 'o' },                                            \
	{ "flow-timeout", required_argument, NULL, 0x100 },                                    \
	{ "max-flows", required_argument, NULL, 0x101 },                                       \
	{ "steer", required_argument, NULL, 0x102 },                                           \
	{ "head-pkts", required_argument, NULL, 0x103 },                                       \
	{ "snaplen", required_argument, NULL, 0x104 },                                         \
	{ "snip-port", required_argument, NULL, 0x105 },                                       \
	{ "rules", required_argument, NULL, 0x140 },                                           \
	{ "rule-var", required_argument, NULL, 0x141 },                                        \
	{ "drop-ttl", required_argument, NULL, 0x142 },                                        \
	{ "anomaly", required_argument, NULL, 0x143 },                                         \
	{ "workers", required_argument, NULL, 0x145 },                                         \
	{ "no-anomaly", no_argument, NULL, 0x144 },                                            \
	CLI_OBSERVE_LONGOPTS,                                                                  \
	{ "verbose", no_argument, NULL, 'v' }

#define CLI_COMMON_HELP                                                                        \
	"  -o, --output PATH       write EVE JSON lines to PATH (default: standard output)\n"     \
	"      --flow-timeout SEC  end a flow after SEC idle, whatever its state\n"               \
	"                          (default: 30 new, 300 established, 10 closed)\n"                \
	"      --max-flows N       flows kept at once; the least recent is ended (default 262144)\n" \
	"      --steer STATE       kernel steering of new flows: pass, head, snip (default head)\n" \
	"      --head-pkts N       payload packets per direction copied in `head` (default 8)\n"  \
	"      --snaplen N         bytes copied per packet, 64..2048 (default 1536)\n"            \
	"      --snip-port P[/udp] flows on port P start in `snip` (repeatable; default tcp)\n"  \
	"      --rules FILE       Suricata-style rules to match (repeatable; `xdpi rules check`\n" \
	"                          tells what a file uses that xdpi does not support)\n"     \
	"      --rule-var NAME=VALUE  $HOME_NET, $HTTP_PORTS, ... (Suricata's defaults)\n"    \
	"      --drop-ttl SEC      how long a `drop` rule's match blocks its sender in XDP\n"  \
	"                          (default 600; 0: until removed)\n"                        \
	"      --anomaly NAME=V    tune an anomaly detector (repeatable): window_s (60),\n"   \
	"                          scan_ports (50), scan_hosts (128), syn_min (200/s),\n"    \
	"                          bytes_min (52428800/s), factor (8), alpha (0.05),\n"      \
	"                          dns_label (40), dns_entropy (4.0), dns_queries (20),\n"   \
	"                          dns_txt (50)\n"                                           \
	"      --no-anomaly        no scan, flood, surge or DNS tunnel detection\n"          \
	"      --workers N         N inspection threads, each owning the flows that hash to\n" \
	"                          it (both directions), sharing one compiled rule set\n"    \
	"                          (default 1: inspection in the reading thread)\n"          \
	CLI_OBSERVE_HELP                                                                       \
	"  -v, --verbose           more diagnostics (repeat for debug)\n"

#endif /* XDPI_CLI_COMMON_H */
