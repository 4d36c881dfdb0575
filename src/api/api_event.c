// SPDX-License-Identifier: GPL-2.0
/* API exception alerts as EVE alerts (gid 9200) and as the webhook's JSON body. */
#include <stdio.h>
#include "xdpi/api.h"
#include "xdpi/eve.h"
#include "xdpi/json.h"

#define XDPI_API_GID 9200

static void put_value(struct xdpi_json *j, const struct xdpi_api_alert *a)
{
	static const char *const names[] = {
		[XDPI_API_ERROR_RATIO] = "error_ratio", [XDPI_API_LLM_TOKENS] = "llm_tokens",
		[XDPI_API_LLM_COST] = "llm_cost", [XDPI_API_LLM_429_RATIO] = "llm_429_ratio",
	};
	char q[24];

	if (a->cond->measure == XDPI_API_LATENCY_Q || a->cond->measure == XDPI_API_LLM_TTFT_Q) {
		snprintf(q, sizeof(q), "%sp%g", a->cond->measure == XDPI_API_LLM_TTFT_Q ? "llm_ttft_" : "",
			 a->cond->quantile * 100);
		xdpi_json_str(j, "measure", q);
	} else {
		xdpi_json_str(j, "measure", names[a->cond->measure]);
	}
	xdpi_json_double(j, "value", a->value);
	xdpi_json_double(j, "threshold", a->cond->threshold);
	xdpi_json_u64(j, "window_s", a->cond->window_ns / 1000000000ull);
	xdpi_json_u64(j, "responses", a->requests);
	xdpi_json_u64(j, "errors", a->errors);
}

static void put_endpoint(struct xdpi_json *j, const struct xdpi_api_alert *a)
{
	xdpi_json_str(j, "service", a->service);
	xdpi_json_str(j, "method", a->method);
	xdpi_json_str(j, "route", a->route);
}

static void signature(const struct xdpi_api_alert *a, char *buf, size_t n)
{
	snprintf(buf, n, "XDPI API %s %s %s: %s", a->service, a->method, a->route, a->cond->text);
}

void xdpi_eve_api_alert(struct xdpi_json *j, const struct xdpi_eve_ctx *c,
			const struct xdpi_api_alert *a)
{
	char sig[512];

	signature(a, sig, sizeof(sig));
	xdpi_eve_begin(j, c, a->ts, "alert", a->flow);
	xdpi_json_obj_open(j, "alert");
	xdpi_json_str(j, "action", "allowed");
	xdpi_json_u64(j, "gid", XDPI_API_GID);
	xdpi_json_u64(j, "signature_id", XDPI_API_GID * 1000ull + 1 + a->cond_index);
	xdpi_json_u64(j, "rev", 1);
	xdpi_json_str(j, "signature", sig);
	xdpi_json_str(j, "category", "API exception");
	xdpi_json_u64(j, "severity", 2);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_json_obj_open(j, "api");
	put_endpoint(j, a);
	xdpi_json_str(j, "condition", a->cond->text);
	put_value(j, a);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
}

void xdpi_api_alert_json(struct xdpi_json *j, const struct xdpi_api_alert *a, int64_t wall_offset_ns)
{
	char ts[40], sig[512];

	signature(a, sig, sizeof(sig));
	xdpi_eve_time(ts, sizeof(ts), (uint64_t)((int64_t)a->ts + wall_offset_ns));
	xdpi_json_obj_open(j, NULL);
	xdpi_json_str(j, "status", a->firing ? "firing" : "resolved");
	xdpi_json_str(j, "timestamp", ts);
	xdpi_json_str(j, "summary", sig);
	xdpi_json_str(j, "condition", a->cond->text);
	put_endpoint(j, a);
	put_value(j, a);
	xdpi_json_obj_close(j);
}
