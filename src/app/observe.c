// SPDX-License-Identifier: GPL-2.0
/* API metrics (routes, the endpoint table, alert conditions) and process context (the socket
 * hooks), wired with the outputs into the engine's hooks: flow records, packets of alerted
 * flows and API alerts reach every output that takes them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app_int.h"
#include "xdpi/appid.h"
#include "xdpi/context.h"
#include "shared/xdpi_abi.h"
#include "xdpi/json.h"
#include "xdpi/log.h"

/* The engine's hooks get the observe state; it knows the outputs. */
static struct xdpi_outputs *outputs_of(void *ctx)
{
	return ((struct xdpi_app_observe *)ctx)->outputs;
}

static void hook_flow_record(void *ctx, const struct xdpi_flow *f, enum xdpi_flow_end why)
{
	xdpi_outputs_flow_record(outputs_of(ctx), f, why);
}

static void hook_alerted_packet(void *ctx, const struct xdpi_pkt *pkt, const struct xdpi_flow *f)
{
	(void)f;
	xdpi_outputs_packet(outputs_of(ctx), pkt);
}

/* An API alert as the JSON document the webhook (and any output taking them) sends. */
static void hook_api_alert(void *ctx, const struct xdpi_api_alert *a)
{
	struct xdpi_app_observe *o = ctx;
	struct xdpi_json j;

	xdpi_json_init(&j);
	xdpi_api_alert_json(&j, a, o->api_cfg.wall_offset_ns);
	if (!j.oom)
		xdpi_outputs_api_alert(o->outputs, j.buf, j.len);
	xdpi_json_free(&j);
}

static struct xdpi_proc_ctx *hook_flow_context(void *ctx, const struct xdpi_flow *f)
{
	return xdpi_sock_ctx__lookup(((struct xdpi_app_observe *)ctx)->sock_ctx, f);
}

/* The application table: the built-in one, then the user's file over it. */
static int load_apps(const struct xdpi_app_observe *o)
{
	char err[512];

	xdpi_apps_clear();
	if (xdpi_apps_load_default(err, sizeof(err))) {
		xdpi_log_error("built-in application table: %s\n", err);
		return -1;
	}
	if (o->apps_file && xdpi_apps_load(o->apps_file, err, sizeof(err))) {
		xdpi_log_error("--apps: %s\n", err);
		return -1;
	}
	return 0;
}

int xdpi_app_observe_check(const struct xdpi_app_observe *o)
{
	struct xdpi_api_routes *r;
	char err[512];
	int rc = 0;

	if (o->llm_prices_file) {
		struct xdpi_llm_prices p;

		if (xdpi_llm_prices_load(&p, o->llm_prices_file, err, sizeof(err))) {
			xdpi_log_error("--llm-prices: %s\n", err);
			return -1;
		}
		xdpi_llm_prices_free(&p);
	}
	if (load_apps(o))
		return -1;
	if (!o->routes_file)
		return 0;
	r = xdpi_api_routes__new();
	if (!r || xdpi_api_routes__load(r, o->routes_file, err, sizeof(err))) {
		xdpi_log_error("--api-routes: %s\n", r ? err : "out of memory");
		rc = -1;
	}
	xdpi_api_routes__free(r);
	return rc;
}

static int open_api(struct xdpi_app_observe *o, int64_t wall_offset_ns)
{
	char err[512];

	if (o->routes_file) {
		o->routes = xdpi_api_routes__new();
		if (!o->routes || xdpi_api_routes__load(o->routes, o->routes_file, err, sizeof(err))) {
			xdpi_log_error("--api-routes: %s\n", o->routes ? err : "out of memory");
			return -1;
		}
		xdpi_log_info("api: %zu route templates from %s\n",
			      xdpi_api_routes__count(o->routes), o->routes_file);
	}
	o->api_cfg.routes = o->routes;
	o->api_cfg.route_budget = (uint32_t)o->route_budget;
	o->api_cfg.wall_offset_ns = wall_offset_ns;
	o->api = xdpi_api__new(&o->api_cfg);
	if (!o->api)
		xdpi_log_error("API metrics: out of memory\n");
	return o->api ? 0 : -1;
}

static int open_llm(struct xdpi_app_observe *o)
{
	struct xdpi_llm_cfg cfg = { .content = o->llm_content,
				    .model_budget = (uint32_t)o->llm_model_budget };
	char err[512];

	if (o->no_llm)
		return 0;
	if (o->llm_prices_file) {
		if (xdpi_llm_prices_load(&o->llm_prices, o->llm_prices_file, err, sizeof(err))) {
			xdpi_log_error("--llm-prices: %s\n", err);
			return -1;
		}
		cfg.prices = &o->llm_prices;
		xdpi_log_info("llm: %zu prices from %s\n", o->llm_prices.n, o->llm_prices_file);
	}
	if (!(o->llm = xdpi_llm__new(&cfg)))
		xdpi_log_error("LLM view: out of memory\n");
	return o->llm ? 0 : -1;
}

static int open_apps(struct xdpi_app_observe *o)
{
	if (load_apps(o))
		return -1;
	if (o->apps_file)
		xdpi_log_info("apps: %zu applications with %s\n", xdpi_apps_count(), o->apps_file);
	return 0;
}

/* Combinations no single option can check. */
static int check_combinations(const struct xdpi_app_observe *o)
{
	if (o->out.webhook_url && !o->api_cfg.nconds) {
		xdpi_log_error("--api-webhook needs at least one --api-alert\n");
		return -1;
	}
	if (!o->out.redis_url && o->out.redis_mode) {
		xdpi_log_error("--redis-mode needs --redis\n");
		return -1;
	}
	return 0;
}

int xdpi_app_observe_open(struct xdpi_app_observe *o, struct xdpi_outputs *out,
			  struct xdpi_engine_cfg *ec, bool api_wanted)
{
	char err[512];

	o->outputs = out;
	if (check_combinations(o))
		return -1;
	if (o->no_llm && (o->llm_content || o->llm_prices_file || o->llm_model_budget)) {
		xdpi_log_error("--no-llm leaves no LLM view for --llm-content, --llm-prices or "
			       "--llm-model-budget\n");
		return -1;
	}
	if (open_llm(o) || open_apps(o))
		return -1;
	if ((api_wanted || o->routes_file || o->api_cfg.nconds || o->route_budget) &&
	    open_api(o, ec->wall_offset_ns))
		return -1;
	if (o->process_context && !(o->sock_ctx = xdpi_sock_ctx__open(err, sizeof(err)))) {
		xdpi_log_error("--process-context: %s\n", err);
		return -1;
	}
	ec->api = o->api;
	ec->llm = o->llm;
	ec->no_dns_names = o->no_dns_names;
	ec->hooks = (struct xdpi_engine_hooks){
		.ctx = o,
		.flow_record = xdpi_outputs_take_flow_records(out) ? hook_flow_record : NULL,
		.alerted_packet = xdpi_outputs_take_packets(out) ? hook_alerted_packet : NULL,
		.api_alert = xdpi_outputs_take_api_alerts(out) ? hook_api_alert : NULL,
		.flow_context = o->sock_ctx ? hook_flow_context : NULL,
	};
	return 0;
}

int xdpi_app_observe_open_plaintext(struct xdpi_app_observe *o, xdpi_tls_plain_fn fn, void *ctx)
{
	struct xdpi_tls_plain_cfg cfg = { .copy_max = o->tls_plaintext_bytes ? (uint32_t)o->tls_plaintext_bytes : 4096, .fn = fn,
					  .ctx = ctx };
	char err[512];

	if (!o->tls_plaintext)
		return 0;
	if (!(o->tls_plain = xdpi_tls_plain__open(&cfg, err, sizeof(err)))) {
		xdpi_log_error("--tls-plaintext: %s\n", err);
		return -1;
	}
	return 0;
}

#define PLAIN_ROW(k, field, m, l, h) \
	XDPI_STAT_ROW(k, struct xdpi_tls_plain_stats, field, XDPI_STAT_COUNTER, m, l, h)
#define PLAIN_KROW(k, idx, m, l, h) PLAIN_ROW(k, kernel[idx], m, l, h)
#define LOST "TLS plaintext lost, by reason"
#define LOST_KROW(k, idx) \
	PLAIN_KROW(k, idx, "xdpi_tls_plaintext_lost_total", "reason=\"" k "\"", LOST)
#define JOINED "TLS plaintext records by how their socket was found"
static const struct xdpi_stat plain_rows[] = {
	PLAIN_ROW("files", files, "xdpi_tls_plaintext_files", NULL,
		  "Library files (and executables) whose TLS calls are probed"),
	PLAIN_ROW("files_refused", files_refused, "xdpi_tls_plaintext_files_refused_total", NULL,
		  "Files past the probing bounds"),
	PLAIN_ROW("attach_errors", attach_errors, "xdpi_tls_plaintext_attach_errors_total", NULL,
		  "Uprobes that would not attach"),
	PLAIN_ROW("execs_looked_at", execs_looked_at, NULL, NULL, NULL),
	PLAIN_ROW("execs_left_to_rescan", execs_left_to_rescan, NULL, NULL, NULL),
	PLAIN_ROW("records", records, "xdpi_tls_plaintext_records_total", NULL,
		  "Library calls whose plaintext reached xdpi"),
	PLAIN_KROW("calls", XDPI_PLAIN_CNT_CALLS, NULL, NULL, NULL),
	PLAIN_KROW("bytes", XDPI_PLAIN_CNT_BYTES, "xdpi_tls_plaintext_bytes_total", NULL,
		   "Plaintext bytes the probed calls read or wrote"),
	LOST_KROW("truncated_bytes", XDPI_PLAIN_CNT_TRUNCATED),
	LOST_KROW("ring_full", XDPI_PLAIN_CNT_RING_FULL),
	LOST_KROW("read_fault", XDPI_PLAIN_CNT_READ_FAULT),
	LOST_KROW("no_entry", XDPI_PLAIN_CNT_NO_ENTRY),
	LOST_KROW("no_socket", XDPI_PLAIN_CNT_NO_SOCKET),
	PLAIN_ROW("bad_records", bad_records, "xdpi_tls_plaintext_lost_total",
		  "reason=\"bad_record\"", LOST),
	PLAIN_KROW("joined_in_call", XDPI_PLAIN_CNT_JOIN_CALL, "xdpi_tls_plaintext_joined_total",
		   "by=\"call\"", JOINED),
	PLAIN_KROW("joined_by_session", XDPI_PLAIN_CNT_JOIN_SESSION,
		   "xdpi_tls_plaintext_joined_total", "by=\"session\"", JOINED),
	PLAIN_KROW("joined_by_thread", XDPI_PLAIN_CNT_JOIN_THREAD,
		   "xdpi_tls_plaintext_joined_total", "by=\"thread\"", JOINED),
};

static const struct xdpi_stat ctx_rows[] = {
	XDPI_STAT_ROW("lookups", struct xdpi_sock_ctx_stats, lookups, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("found", struct xdpi_sock_ctx_stats, found, XDPI_STAT_COUNTER,
		      "xdpi_context_lookups_total", "result=\"found\"",
		      "Flow ends looked up in the socket hooks' map"),
	XDPI_STAT_ROW("not_found", struct xdpi_sock_ctx_stats, not_found, XDPI_STAT_COUNTER,
		      "xdpi_context_lookups_total", "result=\"not_found\"",
		      "Flow ends looked up in the socket hooks' map"),
	XDPI_STAT_ROW("errors", struct xdpi_sock_ctx_stats, errors, XDPI_STAT_COUNTER,
		      "xdpi_context_lookups_total", "result=\"error\"",
		      "Flow ends looked up in the socket hooks' map"),
};

#define LLM_ROW(k, field, m, l, h) \
	XDPI_STAT_ROW(k, struct xdpi_llm_stats, field, XDPI_STAT_COUNTER, m, l, h)
#define LLM_CALLS "LLM API calls by what the wire showed of them"
static const struct xdpi_stat llm_rows[] = {
	LLM_ROW("calls", calls, "xdpi_llm_calls_total", "kind=\"all\"", LLM_CALLS),
	LLM_ROW("streamed", streamed, "xdpi_llm_calls_total", "kind=\"streamed\"", LLM_CALLS),
	LLM_ROW("errors", errors, "xdpi_llm_calls_total", "kind=\"error\"", LLM_CALLS),
	LLM_ROW("aborted", aborted, "xdpi_llm_calls_total", "kind=\"aborted\"", LLM_CALLS),
	LLM_ROW("usage_missing", usage_missing, "xdpi_llm_calls_total", "kind=\"usage_missing\"",
		LLM_CALLS),
	LLM_ROW("invisible_prompts", invisible_prompts, "xdpi_llm_calls_total",
		"kind=\"invisible_prompt\"", LLM_CALLS),
	LLM_ROW("body_gaps", body_gaps, "xdpi_llm_calls_total", "kind=\"body_gap\"", LLM_CALLS),
	LLM_ROW("parse_errors", parse_errors, "xdpi_llm_parse_errors_total", NULL,
		"Response documents (bodies, stream events) that were not JSON"),
	LLM_ROW("unconfirmed", unconfirmed, "xdpi_llm_unconfirmed_total", NULL,
		"Requests to an LLM API path whose body was not an API call (no event)"),
	LLM_ROW("label_overflow", series_overflow, "xdpi_llm_label_overflow_total", NULL,
		"Model names, callers or series past their budget, counted as \"other\""),
};

void xdpi_app_observe_stats(const struct xdpi_app_observe *o, struct xdpi_json *j)
{
	struct xdpi_sock_ctx_stats st;

	if (o->tls_plain) {
		struct xdpi_tls_plain_stats ps;

		xdpi_tls_plain__stats(o->tls_plain, &ps);
		xdpi_stats_json(j, "tls_plaintext", plain_rows, XDPI_NSTATS(plain_rows), &ps);
	}
	if (o->llm) {
		struct xdpi_llm_stats ls;

		xdpi_llm__stats(o->llm, &ls);
		xdpi_stats_json(j, "llm", llm_rows, XDPI_NSTATS(llm_rows), &ls);
	}
	if (!o->sock_ctx)
		return;
	xdpi_sock_ctx__stats(o->sock_ctx, &st);
	xdpi_stats_json(j, "process_context", ctx_rows, XDPI_NSTATS(ctx_rows), &st);
}

void xdpi_app_observe_expose(const struct xdpi_app_observe *o, struct xdpi_prom *p)
{
	struct xdpi_sock_ctx_stats st;

	if (o->api)
		xdpi_api__expose(o->api, p->f);
	if (o->llm) {
		struct xdpi_llm_stats ls;

		xdpi_llm__stats(o->llm, &ls);
		xdpi_stats_expose(p, llm_rows, XDPI_NSTATS(llm_rows), &ls, NULL);
		xdpi_llm__expose(o->llm, p->f);
	}
	if (o->tls_plain) {
		struct xdpi_tls_plain_stats ps;

		xdpi_tls_plain__stats(o->tls_plain, &ps);
		xdpi_stats_expose(p, plain_rows, XDPI_NSTATS(plain_rows), &ps, NULL);
	}
	if (!o->sock_ctx)
		return;
	xdpi_sock_ctx__stats(o->sock_ctx, &st);
	xdpi_stats_expose(p, ctx_rows, XDPI_NSTATS(ctx_rows), &st, NULL);
}

void xdpi_app_observe_close(struct xdpi_app_observe *o)
{
	xdpi_tls_plain__free(o->tls_plain); /* every probe detached */
	o->tls_plain = NULL;
	xdpi_sock_ctx__free(o->sock_ctx);
	xdpi_api__free(o->api);
	xdpi_llm__free(o->llm);
	xdpi_llm_prices_free(&o->llm_prices);
	o->llm = NULL;
	xdpi_api_routes__free(o->routes);
	xdpi_apps_clear();
	o->sock_ctx = NULL;
	o->api = NULL;
	o->routes = NULL;
}
