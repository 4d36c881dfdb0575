// SPDX-License-Identifier: GPL-2.0
/* The options of the API metrics and of the outputs beside EVE, shared by read and run; what
 * they open is the application's (src/app/observe.c, the output registry). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "xdpi/outputs.h"
#include "opts.h"
#include "xdpi/json.h"
#include "xdpi/log.h"

static int opt_api_alert(void *ctx, const char *arg)
{
	struct xdpi_app_observe *o = ctx;
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
	CLI_STR("api-routes", 0, "FILE", struct xdpi_app_observe, routes_file,
		"route templates for the per-endpoint API metrics: an OpenAPI\n"
		"document (YAML or JSON) or one pattern per line, such as\n"
		"/users/{id}/orders; other paths are templated by their\n"
		"identifiers ({int}, {uuid}, {hex}, {token})"),
	CLI_U64("api-route-budget", 0, "N", struct xdpi_app_observe, route_budget, 1, 100000,
		"endpoints per service before route=\"other\" (default 100)"),
	CLI_FN("api-alert", 0, "COND", opt_api_alert,
	       "an API exception alert per endpoint (repeatable), such as\n"
	       "'error_ratio > 5% for 1m' or 'p99 > 250ms for 30s min 50'\n"
	       "(per endpoint); per LLM client and model: llm_tokens,\n"
	       "llm_cost (USD), llm_429_ratio, llm_ttft_pNN, as in\n"
	       "'llm_cost > 5 for 1h'\n"
	       "(min: requests in the window before it may fire; default 10)"),
	CLI_FLAG("no-llm", 0, struct xdpi_app_observe, no_llm,
		 "no LLM view: requests to LLM API paths are plain HTTP"),
	CLI_STR("llm-prices", 0, "FILE", struct xdpi_app_observe, llm_prices_file,
		"a price table: 'MODEL INPUT OUTPUT [CACHE_READ [CACHE_WRITE]]'\n"
		"per line, USD per million tokens ('*' in MODEL matches any\n"
		"text): each llm event's cost_usd and the cost metrics"),
	CLI_FLAG("llm-content", 0, struct xdpi_app_observe, llm_content,
		 "put prompt and completion text (16 KiB each) in llm events;\n"
		 "without it, events carry their lengths only"),
	CLI_U64("llm-model-budget", 0, "N", struct xdpi_app_observe, llm_model_budget, 1, 100000,
		"distinct model names in the gen_ai metrics before \"other\"\n(default 100)"),
	CLI_STR("apps", 0, "FILE", struct xdpi_app_observe, apps_file,
		"application names: 'SUFFIX APPLICATION [CATEGORY]' per line\n"
		"(as googlevideo.com YouTube Media), over the built-in table;\n"
		"flows are named from their SNI, Host, certificate or DNS"),
	CLI_FLAG("no-dns-names", 0, struct xdpi_app_observe, no_dns_names,
		 "name no flow from an earlier DNS answer for its server (the\n"
		 "one naming that crosses flows, hence workers)"),
	CLI_STR("api-webhook", 0, "URL", struct xdpi_app_observe, out.webhook_url,
		"POST each API alert (firing and resolved) as JSON to URL,\n"
		"retried with backoff"),
	CLI_CHECKED("redis", 0, "URL", struct xdpi_app_observe, out.redis_url, redis_url_ok,
		    "also send every event to Redis: redis://HOST[:PORT][/KEY]"),
	CLI_CHECKED("redis-mode", 0, "MODE", struct xdpi_app_observe, out.redis_mode, redis_mode_ok,
		    "list (RPUSH, default) or channel (PUBLISH)"),
	CLI_CHECKED("ipfix", 0, "HOST:PORT", struct xdpi_app_observe, out.ipfix_target,
		    xdpi_ipfix_check_target, "export every flow record as IPFIX over UDP (nfcapd, ...)"),
	CLI_STR("pcap-alerts", 0, "DIR", struct xdpi_app_observe, out.pcap_dir,
		"write the packets of alerted flows to DIR/alerts.N.pcap"),
	CLI_U64("pcap-rotate", 0, "MB", struct xdpi_app_observe, pcap_rotate_mb, 1, 1u << 20,
		"start a new file past MB megabytes (default 100)"),
	CLI_U64("pcap-keep", 0, "N", struct xdpi_app_observe, pcap_keep, 0, 1u << 20,
		"keep the newest N files (default 10; 0: all)"),
};

struct cli_optgroup cli_observe_group(struct xdpi_app_observe *o)
{
	return (struct cli_optgroup)CLI_GROUP(observe_opts, o);
}
