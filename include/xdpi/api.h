/* SPDX-License-Identifier: GPL-2.0 */
/* Per-API-endpoint metrics (requests, errors, latency: RED) from the HTTP/1.x, HTTP/2 and
 * gRPC transactions the dissectors complete, and the exception alerts that watch them.
 *
 * An endpoint is (service, method, route): service is the Host (or :authority, or the server
 * address) and the server port; route is the path through the operator's templates (an
 * OpenAPI file or path patterns), else through automatic templating of identifiers
 * (numbers, UUIDs, long hex, opaque tokens). Each service has a budget of routes; the
 * overflow is counted under route="other". One table serves every worker (it locks). */
#ifndef XDPI_API_H
#define XDPI_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct xdpi_flow;
struct xdpi_json;

/* One completed (or abandoned) transaction, as a dissector saw it. */
struct xdpi_api_tx {
	const char *host;     /* Host header or :authority, may carry ":port"; NULL: none */
	uint16_t port;        /* the server's port */
	const char *server;   /* the server's address as text, when there is no host */
	const char *method;   /* NULL: the request was not seen */
	const char *path;     /* the request target; a query string is dropped */
	int status;           /* HTTP status; 0: no response */
	int grpc_status;      /* -1: not gRPC (or no status) */
	uint64_t latency_ns;  /* request to response head; 0: unknown */
	uint64_t ts;          /* flow clock of the response (or of the end) */
};

/* ---- route templates (api/route.c) ---- */

struct xdpi_api_routes;

/* Adds one pattern such as "/users/{id}/orders" (a "{...}" segment matches any one
 * segment). Returns 0, or -1 with *why set. */
struct xdpi_api_routes *xdpi_api_routes__new(void);
void xdpi_api_routes__free(struct xdpi_api_routes *r);
int xdpi_api_routes__add(struct xdpi_api_routes *r, const char *pattern, const char **why);
/* Loads FILE: an OpenAPI document (YAML or JSON, its "paths" keys) or a text file with one
 * pattern per line ('#' comments). Errors name FILE:LINE:COL in ERR. 0 or -1. */
int xdpi_api_routes__load(struct xdpi_api_routes *r, const char *file, char *err, size_t errlen);
size_t xdpi_api_routes__count(const struct xdpi_api_routes *r);
/* The route of PATH into OUT (at most N bytes): a configured template when one matches,
 * else PATH with identifiers replaced ({int}, {uuid}, {hex}, {token}). Returns true when a
 * configured template matched. */
bool xdpi_api_route(const struct xdpi_api_routes *r, const char *path, char *out, size_t n);

/* ---- exception alert conditions (api/api_alert.c) ---- */

enum xdpi_api_measure {
	XDPI_API_ERROR_RATIO, /* 5xx (and gRPC non-OK) responses / responses */
	XDPI_API_LATENCY_Q,   /* a latency quantile (pNN) */
	/* LLM calls (the LLM view), per calling client and model: */
	XDPI_API_LLM_TOKENS,  /* input and output tokens in the window */
	XDPI_API_LLM_COST,    /* USD in the window (a price table) */
	XDPI_API_LLM_429_RATIO, /* calls answered 429 / calls */
	XDPI_API_LLM_TTFT_Q,  /* a time-to-first-token quantile (llm_ttft_pNN) */
};

struct xdpi_api_cond {
	char text[128];        /* as the operator wrote it, for events and webhooks */
	enum xdpi_api_measure measure;
	double quantile;       /* 0.99 for p99 */
	double threshold;      /* a ratio, or seconds */
	uint64_t window_ns;
	uint64_t min_requests; /* fewer requests (calls) in the window: never fires */
};

static inline bool xdpi_api_cond_is_llm(const struct xdpi_api_cond *c)
{
	return c->measure >= XDPI_API_LLM_TOKENS;
}

/* Parses "error_ratio > 5% for 1m", "p99 > 250ms for 30s min 20", and for LLM calls
 * "llm_tokens > 100000 for 1m", "llm_cost > 5 for 1h", "llm_429_ratio > 10% for 5m",
 * "llm_ttft_p95 > 2s for 5m". On error returns -1 and writes "COL: why" into ERR. */
int xdpi_api_cond_parse(const char *text, struct xdpi_api_cond *c, char *err, size_t errlen);

/* ---- the latency histogram (api/api.c), shared with its readers (xdpi top) ---- */

#define XDPI_API_BUCKETS 14 /* 13 finite upper bounds, then +Inf */
extern const double xdpi_api_bucket_le[XDPI_API_BUCKETS - 1]; /* seconds */
/* The Q quantile of per-bucket COUNTS (XDPI_API_BUCKETS of them), interpolated inside its
 * bucket as Prometheus' histogram_quantile() does; the +Inf bucket answers with the largest
 * finite bound. NAN when the histogram is empty. */
double xdpi_api_quantile(const double *counts, double q);

/* ---- the endpoint table (api/api.c) ---- */

#define XDPI_API_CONDS_MAX 8

struct xdpi_api_cfg {
	const struct xdpi_api_routes *routes; /* NULL: automatic templating only */
	uint32_t route_budget;                /* routes per service (0: 100) */
	uint32_t service_budget;              /* services (0: 200) */
	struct xdpi_api_cond conds[XDPI_API_CONDS_MAX];
	uint32_t nconds;
	int64_t wall_offset_ns;               /* wall clock = flow clock + this */
};

/* An alert that starts (firing) or ends (resolved). */
struct xdpi_api_alert {
	const struct xdpi_api_cond *cond;
	uint32_t cond_index;
	bool firing;
	const char *service, *method, *route;
	double value;            /* the measured ratio, or seconds */
	uint64_t requests, errors;
	uint64_t ts;             /* flow clock */
	const struct xdpi_flow *flow; /* the transaction's flow that tipped it; NULL on a tick */
};

typedef void (*xdpi_api_alert_fn)(void *ctx, const struct xdpi_api_alert *a);

struct xdpi_api;
struct xdpi_api *xdpi_api__new(const struct xdpi_api_cfg *cfg);
void xdpi_api__free(struct xdpi_api *a);
/* Counts TX and evaluates the conditions of its endpoint; FN is called (with the table
 * unlocked) for each alert that changes state. */
struct xdpi_llm_record;
/* An LLM call, for the llm_* conditions (nothing without one): its "endpoint" is the calling
 * client (service), the provider (method) and the model (route), kept out of the RED
 * series. */
void xdpi_api__record_llm(struct xdpi_api *a, const struct xdpi_llm_record *r, uint64_t ts,
			  const struct xdpi_flow *f, xdpi_api_alert_fn fn, void *ctx);
void xdpi_api__record(struct xdpi_api *a, const struct xdpi_api_tx *tx,
		      const struct xdpi_flow *f, xdpi_api_alert_fn fn, void *ctx);
/* Time passes: conditions over windows that emptied may resolve. */
void xdpi_api__tick(struct xdpi_api *a, uint64_t now, xdpi_api_alert_fn fn, void *ctx);
/* The Prometheus exposition of every endpoint, appended to OUT. */
void xdpi_api__expose(struct xdpi_api *a, FILE *out);
/* Summary counters for the stats event. */
struct xdpi_api_stats {
	uint64_t transactions, endpoints, services, route_overflow, service_overflow;
	uint64_t alerts_firing, alerts_resolved;
};
void xdpi_api__stats(struct xdpi_api *a, struct xdpi_api_stats *st);

/* The EVE alert for an API exception (gid 9200, sid 9200001 + condition index). */
struct xdpi_eve_ctx;
void xdpi_eve_api_alert(struct xdpi_json *j, const struct xdpi_eve_ctx *c,
			const struct xdpi_api_alert *a);
/* The webhook's JSON body for A (no trailing newline), into J. */
void xdpi_api_alert_json(struct xdpi_json *j, const struct xdpi_api_alert *a, int64_t wall_offset_ns);

#endif /* XDPI_API_H */
