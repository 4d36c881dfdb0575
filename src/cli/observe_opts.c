// SPDX-License-Identifier: GPL-2.0
/* The options of the API metrics and of the outputs beside EVE, shared by read and run:
 * parsed, opened (every error names the option), wired into the engine's hooks, reported
 * in the stats event and the metrics, and closed with what they could not deliver said. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "opts.h"
#include "xdpi/json.h"
#include "xdpi/log.h"

static int opt_api_alert(void *ctx, const char *arg)
{
	struct cli_observe *o = ctx;
	char err[256];

	if (o->api_cfg.nconds == XDPI_API_CONDS_MAX) {
		cli_error("--api-alert: at most %d conditions", XDPI_API_CONDS_MAX);
		return -1;
	}
	if (xdpi_api_cond_parse(arg, &o->api_cfg.conds[o->api_cfg.nconds], err, sizeof(err))) {
		cli_error("--api-alert:%s in '%s'", err, arg);
		return -1;
	}
	o->api_cfg.nconds++;
	return 0;
}

static int redis_url_ok(const char *arg, char *err, size_t errlen)
{
	return xdpi_redis_check(arg, NULL, err, errlen);
}

static int redis_mode_ok(const char *arg, char *err, size_t errlen)
{
	return xdpi_redis_check(NULL, arg, err, errlen);
}

static const struct cli_opt observe_opts[] = {
	CLI_STR("api-routes", 0, "FILE", struct cli_observe, routes_file,
		"route templates for the per-endpoint API metrics: an OpenAPI\n"
		"document (YAML or JSON) or one pattern per line, such as\n"
		"/users/{id}/orders; other paths are templated by their\n"
		"identifiers ({int}, {uuid}, {hex}, {token})"),
	CLI_U64("api-route-budget", 0, "N", struct cli_observe, route_budget, 1, 100000,
		"endpoints per service before route=\"other\" (default 100)"),
	CLI_FN("api-alert", 0, "COND", opt_api_alert,
	       "an API exception alert per endpoint (repeatable), such as\n"
	       "'error_ratio > 5% for 1m' or 'p99 > 250ms for 30s min 50'\n"
	       "(min: requests in the window before it may fire; default 10)"),
	CLI_STR("api-webhook", 0, "URL", struct cli_observe, webhook_url,
		"POST each API alert (firing and resolved) as JSON to URL,\n"
		"retried with backoff"),
	CLI_CHECKED("redis", 0, "URL", struct cli_observe, redis_url, redis_url_ok,
		    "also send every event to Redis: redis://HOST[:PORT][/KEY]"),
	CLI_CHECKED("redis-mode", 0, "MODE", struct cli_observe, redis_mode, redis_mode_ok,
		    "list (RPUSH, default) or channel (PUBLISH)"),
	CLI_CHECKED("ipfix", 0, "HOST:PORT", struct cli_observe, ipfix_target,
		    xdpi_ipfix_check_target, "export every flow record as IPFIX over UDP (nfcapd, ...)"),
	CLI_STR("pcap-alerts", 0, "DIR", struct cli_observe, pcap_dir,
		"write the packets of alerted flows to DIR/alerts.N.pcap"),
	CLI_U64("pcap-rotate", 0, "MB", struct cli_observe, pcap_rotate_mb, 1, 1u << 20,
		"start a new file past MB megabytes (default 100)"),
	CLI_U64("pcap-keep", 0, "N", struct cli_observe, pcap_keep, 0, 1u << 20,
		"keep the newest N files (default 10; 0: all)"),
};

struct cli_optgroup cli_observe_group(struct cli_observe *o)
{
	return (struct cli_optgroup)CLI_GROUP(observe_opts, o);
}

/* ---- the engine's hooks ---- */

static void hook_flow_record(void *ctx, const struct xdpi_flow *f, enum xdpi_flow_end why)
{
	struct cli_observe *o = ctx;

	if (o->ipfix)
		xdpi_ipfix__flow(o->ipfix, f, why);
}

static void hook_alerted_packet(void *ctx, const struct xdpi_pkt *pkt, const struct xdpi_flow *f)
{
	struct cli_observe *o = ctx;

	(void)f;
	if (o->pcap)
		xdpi_pcap_alerts__packet(o->pcap, pkt);
}

static void hook_api_alert(void *ctx, const struct xdpi_api_alert *a)
{
	struct cli_observe *o = ctx;
	struct xdpi_json j;

	if (!o->webhook)
		return;
	xdpi_json_init(&j);
	xdpi_api_alert_json(&j, a, o->api_cfg.wall_offset_ns);
	if (j.oom || xdpi_webhook__post(o->webhook, j.buf, j.len))
		__atomic_add_fetch(&o->webhook_dropped, 1, __ATOMIC_RELAXED);
	xdpi_json_free(&j);
}

static struct xdpi_proc_ctx *hook_flow_context(void *ctx, const struct xdpi_flow *f)
{
	struct cli_observe *o = ctx;

	return xdpi_sock_ctx__lookup(o->sock_ctx, f);
}

/* ---- open and close ---- */

int cli_observe_check(const struct cli_observe *o)
{
	struct xdpi_api_routes *r;
	char err[512];
	int rc = 0;

	if (!o->routes_file)
		return 0;
	r = xdpi_api_routes__new();
	if (!r || xdpi_api_routes__load(r, o->routes_file, err, sizeof(err))) {
		cli_error("--api-routes: %s", r ? err : "out of memory");
		rc = -1;
	}
	xdpi_api_routes__free(r);
	return rc;
}

static int open_api(struct cli_observe *o, int64_t wall_offset_ns)
{
	char err[512];

	if (o->routes_file) {
		o->routes = xdpi_api_routes__new();
		if (!o->routes || xdpi_api_routes__load(o->routes, o->routes_file, err, sizeof(err))) {
			fprintf(stderr, "xdpi: --api-routes: %s\n", o->routes ? err : "out of memory");
			return -1;
		}
		xdpi_log_info("api: %zu route templates from %s\n",
			      xdpi_api_routes__count(o->routes), o->routes_file);
	}
	o->api_cfg.routes = o->routes;
	o->api_cfg.route_budget = (uint32_t)o->route_budget;
	o->api_cfg.wall_offset_ns = wall_offset_ns;
	o->api = xdpi_api__new(&o->api_cfg);
	if (!o->api) {
		fprintf(stderr, "xdpi: API metrics: out of memory\n");
		return -1;
	}
	if (o->webhook_url && !(o->webhook = xdpi_webhook__new(o->webhook_url, err, sizeof(err)))) {
		fprintf(stderr, "xdpi: --api-webhook: %s\n", err);
		return -1;
	}
	return 0;
}

static int open_outputs(struct cli_observe *o, int64_t wall_offset_ns)
{
	char err[512];

	if (o->redis_url && !(o->redis = xdpi_redis__new(o->redis_url, o->redis_mode, err, sizeof(err)))) {
		fprintf(stderr, "xdpi: --redis: %s\n", err);
		return -1;
	}
	if (!o->redis_url && o->redis_mode) {
		fprintf(stderr, "xdpi: --redis-mode needs --redis\n");
		return -1;
	}
	if (o->ipfix_target &&
	    !(o->ipfix = xdpi_ipfix__new(o->ipfix_target, wall_offset_ns, err, sizeof(err)))) {
		fprintf(stderr, "xdpi: --ipfix: %s\n", err);
		return -1;
	}
	if (o->process_context && !(o->sock_ctx = xdpi_sock_ctx__open(err, sizeof(err)))) {
		fprintf(stderr, "xdpi: --process-context: %s\n", err);
		return -1;
	}
	if (o->pcap_dir &&
	    !(o->pcap = xdpi_pcap_alerts__new(o->pcap_dir, o->pcap_rotate_mb << 20,
					      (uint32_t)o->pcap_keep, wall_offset_ns, err, sizeof(err)))) {
		fprintf(stderr, "xdpi: --pcap-alerts: %s\n", err);
		return -1;
	}
	return 0;
}

int cli_observe_open(struct cli_observe *o, struct xdpi_engine_cfg *ec, struct cli_output *out,
		     bool api_wanted)
{
	if (o->webhook_url && !o->api_cfg.nconds) {
		fprintf(stderr, "xdpi: --api-webhook needs at least one --api-alert\n");
		return -1;
	}
	if ((api_wanted || o->routes_file || o->api_cfg.nconds || o->route_budget) &&
	    open_api(o, ec->wall_offset_ns))
		return -1;
	if (open_outputs(o, ec->wall_offset_ns))
		return -1;
	out->redis = o->redis;
	ec->api = o->api;
	ec->hooks = (struct xdpi_engine_hooks){
		.ctx = o,
		.flow_record = o->ipfix ? hook_flow_record : NULL,
		.alerted_packet = o->pcap ? hook_alerted_packet : NULL,
		.api_alert = o->webhook ? hook_api_alert : NULL,
		.flow_context = o->sock_ctx ? hook_flow_context : NULL,
	};
	return 0;
}

void cli_observe_tick(struct cli_observe *o)
{
	if (o->ipfix)
		xdpi_ipfix__flush(o->ipfix);
	if (o->pcap)
		xdpi_pcap_alerts__flush(o->pcap);
}

/* ---- reports ---- */

static void queue_stats(struct xdpi_json *j, const char *name, const struct xdpi_sendq_stats *st)
{
	xdpi_json_obj_open(j, name);
	xdpi_json_u64(j, "queued", st->queued);
	xdpi_json_u64(j, "delivered", st->delivered);
	xdpi_json_u64(j, "pending", st->pending);
	xdpi_json_u64(j, "dropped_full", st->dropped_full);
	xdpi_json_u64(j, "failed", st->failed);
	xdpi_json_u64(j, "retries", st->retries);
	xdpi_json_bool(j, "connected", st->connected);
	xdpi_json_obj_close(j);
}

void cli_observe_stats(const struct cli_observe *o, struct xdpi_json *j)
{
	struct xdpi_sendq_stats qs;

	if (o->redis) {
		xdpi_redis__stats(o->redis, &qs);
		queue_stats(j, "redis", &qs);
	}
	if (o->webhook) {
		xdpi_webhook__stats(o->webhook, &qs);
		queue_stats(j, "webhook", &qs);
	}
	if (o->ipfix) {
		struct xdpi_ipfix_stats st;

		xdpi_ipfix__stats(o->ipfix, &st);
		xdpi_json_obj_open(j, "ipfix");
		xdpi_json_u64(j, "records", st.records);
		xdpi_json_u64(j, "messages", st.messages);
		xdpi_json_u64(j, "templates", st.templates);
		xdpi_json_u64(j, "send_errors", st.send_errors);
		xdpi_json_u64(j, "records_lost", st.records_lost);
		xdpi_json_obj_close(j);
	}
	if (o->sock_ctx) {
		struct xdpi_sock_ctx_stats st;

		xdpi_sock_ctx__stats(o->sock_ctx, &st);
		xdpi_json_obj_open(j, "process_context");
		xdpi_json_u64(j, "lookups", st.lookups);
		xdpi_json_u64(j, "found", st.found);
		xdpi_json_u64(j, "not_found", st.not_found);
		xdpi_json_u64(j, "errors", st.errors);
		xdpi_json_obj_close(j);
	}
	if (o->pcap) {
		struct xdpi_pcap_alerts_stats st;

		xdpi_pcap_alerts__stats(o->pcap, &st);
		xdpi_json_obj_open(j, "pcap_alerts");
		xdpi_json_u64(j, "packets", st.packets);
		xdpi_json_u64(j, "bytes", st.bytes);
		xdpi_json_u64(j, "files", st.files);
		xdpi_json_u64(j, "rotations", st.rotations);
		xdpi_json_u64(j, "removed", st.removed);
		xdpi_json_u64(j, "errors", st.errors);
		xdpi_json_u64(j, "skipped_link", st.skipped_link);
		xdpi_json_obj_close(j);
	}
}

static void expose_queue(FILE *f, const char *sink, const struct xdpi_sendq_stats *st)
{
	fprintf(f, "xdpi_output_messages_total{sink=\"%s\",result=\"delivered\"} %llu\n", sink,
		(unsigned long long)st->delivered);
	fprintf(f, "xdpi_output_messages_total{sink=\"%s\",result=\"dropped_full\"} %llu\n", sink,
		(unsigned long long)st->dropped_full);
	fprintf(f, "xdpi_output_messages_total{sink=\"%s\",result=\"failed\"} %llu\n", sink,
		(unsigned long long)st->failed);
	fprintf(f, "xdpi_output_retries_total{sink=\"%s\"} %llu\n", sink,
		(unsigned long long)st->retries);
	fprintf(f, "xdpi_output_pending{sink=\"%s\"} %llu\n", sink, (unsigned long long)st->pending);
	fprintf(f, "xdpi_output_connected{sink=\"%s\"} %d\n", sink, st->connected);
}

void cli_observe_expose(const struct cli_observe *o, FILE *f)
{
	struct xdpi_sendq_stats qs;

	if (o->api)
		xdpi_api__expose(o->api, f);
	if (o->sock_ctx) {
		struct xdpi_sock_ctx_stats st;

		xdpi_sock_ctx__stats(o->sock_ctx, &st);
		fprintf(f, "# HELP xdpi_context_lookups_total Flow ends looked up in the socket hooks' map\n"
			"# TYPE xdpi_context_lookups_total counter\n"
			"xdpi_context_lookups_total{result=\"found\"} %llu\n"
			"xdpi_context_lookups_total{result=\"not_found\"} %llu\n"
			"xdpi_context_lookups_total{result=\"error\"} %llu\n",
			(unsigned long long)st.found, (unsigned long long)st.not_found,
			(unsigned long long)st.errors);
	}
	if (o->redis || o->webhook || o->ipfix || o->pcap) {
		fputs("# HELP xdpi_output_messages_total Messages of the network outputs by result\n"
		      "# TYPE xdpi_output_messages_total counter\n"
		      "# HELP xdpi_output_retries_total Deliveries retried after a failure\n"
		      "# TYPE xdpi_output_retries_total counter\n"
		      "# HELP xdpi_output_pending Messages queued, not yet delivered\n"
		      "# TYPE xdpi_output_pending gauge\n"
		      "# HELP xdpi_output_connected 1 when the last delivery went through\n"
		      "# TYPE xdpi_output_connected gauge\n", f);
	}
	if (o->redis) {
		xdpi_redis__stats(o->redis, &qs);
		expose_queue(f, "redis", &qs);
	}
	if (o->webhook) {
		xdpi_webhook__stats(o->webhook, &qs);
		expose_queue(f, "webhook", &qs);
	}
	if (o->ipfix) {
		struct xdpi_ipfix_stats st;

		xdpi_ipfix__stats(o->ipfix, &st);
		fprintf(f, "xdpi_output_messages_total{sink=\"ipfix\",result=\"delivered\"} %llu\n"
			"xdpi_output_messages_total{sink=\"ipfix\",result=\"failed\"} %llu\n"
			"# HELP xdpi_ipfix_records_total IPFIX data records sent, and lost to send errors\n"
			"# TYPE xdpi_ipfix_records_total counter\n"
			"xdpi_ipfix_records_total{result=\"exported\"} %llu\n"
			"xdpi_ipfix_records_total{result=\"lost\"} %llu\n",
			(unsigned long long)st.messages, (unsigned long long)st.send_errors,
			(unsigned long long)st.records, (unsigned long long)st.records_lost);
	}
	if (o->pcap) {
		struct xdpi_pcap_alerts_stats st;

		xdpi_pcap_alerts__stats(o->pcap, &st);
		fprintf(f, "# HELP xdpi_pcap_alerts_packets_total Packets of alerted flows written\n"
			"# TYPE xdpi_pcap_alerts_packets_total counter\n"
			"xdpi_pcap_alerts_packets_total %llu\n"
			"xdpi_output_messages_total{sink=\"pcap\",result=\"failed\"} %llu\n",
			(unsigned long long)st.packets, (unsigned long long)st.errors);
	}
}

static void say_losses(const char *name, const struct xdpi_sendq_stats *st)
{
	if (st->dropped_full || st->failed || st->lost_at_close)
		xdpi_log_warn("%s: %llu delivered, %llu dropped (queue full), %llu given up after "
			      "retries, %llu undelivered at exit\n", name,
			      (unsigned long long)st->delivered, (unsigned long long)st->dropped_full,
			      (unsigned long long)st->failed, (unsigned long long)st->lost_at_close);
}

void cli_observe_close(struct cli_observe *o, struct cli_output *out)
{
	struct xdpi_sendq_stats st;

	if (o->redis) {
		out->redis = NULL;
		xdpi_redis__free(o->redis, &st);
		say_losses("redis", &st);
	}
	if (o->webhook) {
		xdpi_webhook__free(o->webhook, &st);
		say_losses("webhook", &st);
	}
	xdpi_sock_ctx__free(o->sock_ctx);
	o->sock_ctx = NULL;
	xdpi_ipfix__free(o->ipfix);
	xdpi_pcap_alerts__free(o->pcap);
	xdpi_api__free(o->api);
	xdpi_api_routes__free(o->routes);
	o->redis = NULL, o->webhook = NULL, o->ipfix = NULL, o->pcap = NULL, o->api = NULL;
	o->routes = NULL;
}
