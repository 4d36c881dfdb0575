/* SPDX-License-Identifier: GPL-2.0 */
/* The application's own parts, shared by its files: where packets go (one engine or the
 * workers), the open outputs, what the stats event and the metrics report beside the engine. */
#ifndef XDPI_APP_INT_H
#define XDPI_APP_INT_H

#include "xdpi/app.h"
#include "xdpi/context.h"
#include "xdpi/metrics.h"
#include "xdpi/stats.h"

/* ---- one engine, or --workers N of them (sink.c) ---- */
struct xdpi_sink {
	struct xdpi_engine *engine;
	struct xdpi_workers *workers;
	struct xdpi_detect **detects; /* per worker; [0] belongs to the rules */
	uint32_t ndetects;
};
/* Where packets come from. */
enum xdpi_sink_from {
	XDPI_SINK_LIVE,
	XDPI_SINK_FILE,      /* one reader of a capture file (through the kernel): small rings */
	XDPI_SINK_FILE_EACH, /* a capture file that every worker reads (xdpi_workers__read_each) */
};
int xdpi_sink_open(struct xdpi_sink *s, const struct xdpi_engine_cfg *ec,
		   struct xdpi_app_rules *r, uint32_t workers, enum xdpi_sink_from from);
int xdpi_sink_packet(void *ctx, const struct xdpi_pkt *pkt); /* ctx: the sink */
void xdpi_sink_tick(struct xdpi_sink *s, uint64_t now);
void xdpi_sink_flush(struct xdpi_sink *s); /* after each batch a source hands over */
void xdpi_sink_stats(struct xdpi_sink *s, uint64_t now);
void xdpi_sink_finish(struct xdpi_sink *s, uint64_t now, bool stats);
void xdpi_sink_free(struct xdpi_sink *s);

/* ---- the open outputs (outputs.c) ---- */
#define XDPI_OUTPUTS_MAX 16
struct xdpi_outputs {
	const struct xdpi_output_ops *ops[XDPI_OUTPUTS_MAX];
	void *priv[XDPI_OUTPUTS_MAX];
	size_t n;
};
/* Opens every output the configuration asks for. 0, or -1 after saying which failed and why
 * (nothing stays open). */
int xdpi_outputs_open(struct xdpi_outputs *o, const struct xdpi_output_cfg *c);
int xdpi_outputs_event(void *ctx, const char *json, size_t len); /* an xdpi_emit_fn */
void xdpi_outputs_flow_record(struct xdpi_outputs *o, const struct xdpi_flow *f,
			      enum xdpi_flow_end why);
void xdpi_outputs_packet(struct xdpi_outputs *o, const struct xdpi_pkt *pkt);
void xdpi_outputs_api_alert(struct xdpi_outputs *o, const char *json, size_t len);
bool xdpi_outputs_take_api_alerts(const struct xdpi_outputs *o);
bool xdpi_outputs_take_flow_records(const struct xdpi_outputs *o);
bool xdpi_outputs_take_packets(const struct xdpi_outputs *o);
/* Once a second; -EPIPE when an output's reader went away. */
int xdpi_outputs_tick(struct xdpi_outputs *o);
void xdpi_outputs_reopen(struct xdpi_outputs *o);
void xdpi_outputs_stats(const struct xdpi_outputs *o, struct xdpi_json *j);
void xdpi_outputs_expose(const struct xdpi_outputs *o, struct xdpi_prom *p);
/* Closes every output; returns what the user asked to be written and was lost. */
uint64_t xdpi_outputs_close(struct xdpi_outputs *o);

/* ---- API metrics and process context (observe.c) ---- */
/* Opens what the configuration asks for and wires it, with the outputs, into EC's hooks; the
 * API table is made when API_WANTED (run --metrics) or an --api- option asks. 0 or -1. */
int xdpi_app_observe_open(struct xdpi_app_observe *o, struct xdpi_outputs *out,
			  struct xdpi_engine_cfg *ec, bool api_wanted);
/* --tls-plaintext: the library probes, their records to FN (live: the sink). 0 or -1 (said). */
int xdpi_app_observe_open_plaintext(struct xdpi_app_observe *o, xdpi_tls_plain_fn fn, void *ctx);
void xdpi_app_observe_stats(const struct xdpi_app_observe *o, struct xdpi_json *j);
void xdpi_app_observe_expose(const struct xdpi_app_observe *o, struct xdpi_prom *p);
void xdpi_app_observe_close(struct xdpi_app_observe *o);

/* ---- what the stats event and the metrics report beside the engines (stats.c) ---- */
/* A --block/--allow list, or a port rule, by the rule id the kernel counts it under. */
struct xdpi_app_rule {
	const char *source;
	const char *action; /* "block" or "allow" */
	size_t entries;
};
struct xdpi_app_report {
	void *sources[2];                      /* open sources (NULL: none) */
	const struct xdpi_source_ops *source_ops[2];
	const struct xdpi_replay *replay;
	struct xdpi_outputs *outputs;
	const struct xdpi_app_observe *observe;
	const struct xdpi_app_rule *rules;     /* rule id i + 1 is rules[i] */
	size_t nrules;
	char (*port_rules)[96];                /* rule id XDPI_RULE_PORT_FIRST + i */
	size_t nport_rules;
	struct xdpi_rule_stats_maps rule_stats; /* live only; -1s otherwise */
	struct xdpi_lb *lb;                    /* live with --lb; NULL otherwise */
};
void xdpi_app_stats_extra(void *ctx, struct xdpi_json *j); /* ctx: the report */

/* The Prometheus exposition of every counter into a malloc'd *TEXT (metrics.c). */
int xdpi_app_metrics_compose(struct xdpi_sink *s, const struct xdpi_app_report *r,
			     struct xdpi_loader *l, struct xdpi_detect *first, char **text,
			     size_t *len);
/* The largest flows and talkers of the kernel's flow map as JSON (top_json.c). */
int xdpi_app_top_compose(struct xdpi_loader *l, char **text, size_t *len);

/* Clocks (common.c). */
uint64_t xdpi_app_monotonic_ns(void);
int64_t xdpi_app_wall_offset_ns(void);

#endif /* XDPI_APP_INT_H */
