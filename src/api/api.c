// SPDX-License-Identifier: GPL-2.0
/* The endpoint table: RED counters and latency histograms per (service, method, route,
 * status class), and, per exception condition, a sliding window of twelve slices that says
 * whether the endpoint is in trouble now. Cardinality is bounded twice: services by
 * service_budget (then service="other"), endpoints of a service by route_budget (then
 * route="other"); both overflows are counted. */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/api.h"
#include "xdpi/llm.h"
#include "xdpi/stats.h"

#define HASH_BUCKETS 4096
#define SLICES 12
#define ROUTE_MAX 160
#define SERVICE_MAX 160
#define ALERTS_PER_CALL 16

/* Latency histogram upper bounds, seconds (Prometheus' usual spread, plus 1 ms). */
const double xdpi_api_bucket_le[XDPI_API_BUCKETS - 1] = { 0.001, 0.0025, 0.005, 0.01, 0.025,
							 0.05,  0.1,    0.25,  0.5,  1,
							 2.5,   5,      10 };
#define NB XDPI_API_BUCKETS

enum status_class { SC_1XX, SC_2XX, SC_3XX, SC_4XX, SC_5XX, SC_NONE, SC_MAX };
static const char *const class_name[SC_MAX] = { "1xx", "2xx", "3xx", "4xx", "5xx", "none" };

struct slice {
	uint64_t responses, errors;
	double sum; /* LLM conditions: tokens or USD */
	uint32_t hist[NB];
};

struct window {
	uint64_t cur; /* the newest slice's number (ts / slice_ns) */
	struct slice s[SLICES];
	bool firing;
};

struct service {
	char name[SERVICE_MAX];
	uint32_t endpoints;
	uint64_t overflow;
};

struct endpoint {
	struct endpoint *next, *all_next;
	uint32_t service;
	char method[16];
	char route[ROUTE_MAX];
	uint64_t by_class[SC_MAX];
	uint64_t errors;
	uint64_t hist[NB], timed;
	double sum_s;
	bool llm;         /* an LLM call's (client, provider, model): its conditions only */
	struct window *w; /* one per condition */
};

struct xdpi_api {
	struct xdpi_api_cfg cfg;
	pthread_mutex_t lock;
	struct endpoint *hash[HASH_BUCKETS];
	struct endpoint *all, **all_tail;
	struct service *svc;
	uint32_t nsvc;
	struct xdpi_api_stats st;
	uint64_t fired[XDPI_API_CONDS_MAX], resolved[XDPI_API_CONDS_MAX];
};

struct pending {
	struct xdpi_api_alert a[ALERTS_PER_CALL];
	uint32_t n;
};

struct xdpi_api *xdpi_api__new(const struct xdpi_api_cfg *cfg)
{
	struct xdpi_api *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cfg = *cfg;
	if (!a->cfg.route_budget)
		a->cfg.route_budget = 100;
	if (!a->cfg.service_budget)
		a->cfg.service_budget = 200;
	a->svc = calloc(a->cfg.service_budget + 1, sizeof(*a->svc)); /* + "other" */
	if (!a->svc) {
		free(a);
		return NULL;
	}
	a->all_tail = &a->all;
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void xdpi_api__free(struct xdpi_api *a)
{
	if (!a)
		return;
	for (struct endpoint *e = a->all, *n; e; e = n) {
		n = e->all_next;
		free(e->w);
		free(e);
	}
	pthread_mutex_destroy(&a->lock);
	free(a->svc);
	free(a);
}

/* ---- labels ---- */

static void service_name(const struct xdpi_api_tx *tx, char *out, size_t n)
{
	char host[128];
	const char *h = tx->host && *tx->host ? tx->host : NULL;
	size_t len;

	if (h) {
		const char *colon = h[0] == '[' ? strstr(h, "]:") : strchr(h, ':');

		len = colon ? (size_t)(colon - h + (h[0] == '[')) : strlen(h);
		xdpi_prom_label_clean(host, sizeof(host), h, len);
		for (char *p = host; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else {
		snprintf(host, sizeof(host), "%s", tx->server ? tx->server : "unknown");
	}
	snprintf(out, n, "%s:%u", host, tx->port);
}

static void method_name(const char *m, char *out, size_t n)
{
	static const char *const known[] = { "GET",     "HEAD",  "POST",  "PUT",  "DELETE",
					     "CONNECT", "OPTIONS", "TRACE", "PATCH" };

	if (!m) {
		snprintf(out, n, "unknown");
		return;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!strcmp(m, known[i])) {
			snprintf(out, n, "%s", m);
			return;
		}
	}
	snprintf(out, n, "OTHER"); /* any token is a method: keep the label set small */
}

static enum status_class status_class(int status)
{
	return status >= 100 && status < 600 ? (enum status_class)(status / 100 - 1) : SC_NONE;
}

static bool is_error(const struct xdpi_api_tx *tx)
{
	return (tx->status >= 500 && tx->status < 600) || tx->grpc_status > 0;
}

/* ---- the table ---- */

static uint32_t hash_str(uint32_t h, const char *s)
{
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static uint32_t service_index(struct xdpi_api *a, const char *name)
{
	for (uint32_t i = 0; i < a->nsvc; i++)
		if (!strcmp(a->svc[i].name, name))
			return i;
	if (a->nsvc < a->cfg.service_budget) {
		snprintf(a->svc[a->nsvc].name, SERVICE_MAX, "%s", name);
		return a->nsvc++;
	}
	a->st.service_overflow++;
	snprintf(a->svc[a->cfg.service_budget].name, SERVICE_MAX, "other");
	return a->cfg.service_budget;
}

static struct endpoint *lookup(struct xdpi_api *a, uint32_t svc, const char *method,
			       const char *route, uint32_t h)
{
	for (struct endpoint *e = a->hash[h % HASH_BUCKETS]; e; e = e->next)
		if (e->service == svc && !strcmp(e->method, method) && !strcmp(e->route, route))
			return e;
	return NULL;
}

static struct endpoint *endpoint_new(struct xdpi_api *a, uint32_t svc, const char *method,
				     const char *route, uint32_t h)
{
	struct endpoint *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	if (a->cfg.nconds && !(e->w = calloc(a->cfg.nconds, sizeof(*e->w)))) {
		free(e);
		return NULL;
	}
	e->service = svc;
	snprintf(e->method, sizeof(e->method), "%s", method);
	snprintf(e->route, sizeof(e->route), "%s", route);
	e->next = a->hash[h % HASH_BUCKETS];
	a->hash[h % HASH_BUCKETS] = e;
	*a->all_tail = e;
	a->all_tail = &e->all_next;
	a->st.endpoints++;
	a->svc[svc].endpoints++;
	return e;
}

/* The endpoint of (svc, method, route); past the service's budget, its "other" route. */
static struct endpoint *endpoint_get(struct xdpi_api *a, uint32_t svc, const char *method,
				     const char *route)
{
	uint32_t h = hash_str(hash_str(2166136261u ^ svc, method), route);
	struct endpoint *e = lookup(a, svc, method, route, h);

	if (e)
		return e;
	if (a->svc[svc].endpoints >= a->cfg.route_budget) {
		a->svc[svc].overflow++;
		a->st.route_overflow++;
		route = "other";
		h = hash_str(hash_str(2166136261u ^ svc, method), route);
		if ((e = lookup(a, svc, method, route, h)))
			return e;
		a->svc[svc].endpoints--; /* "other" itself does not count against the budget */
	}
	return endpoint_new(a, svc, method, route, h);
}

static uint32_t bucket_of(double s)
{
	uint32_t i = 0;

	while (i < NB - 1 && s > xdpi_api_bucket_le[i])
		i++;
	return i;
}

/* ---- windows and conditions ---- */

static uint64_t slice_ns(const struct xdpi_api_cond *c)
{
	uint64_t ns = c->window_ns / SLICES;

	return ns ? ns : 1;
}

static void window_advance(struct window *w, uint64_t idx)
{
	if (idx <= w->cur)
		return;
	if (idx - w->cur >= SLICES) {
		memset(w->s, 0, sizeof(w->s));
	} else {
		for (uint64_t i = w->cur + 1; i <= idx; i++)
			memset(&w->s[i % SLICES], 0, sizeof(w->s[0]));
	}
	w->cur = idx;
}

static void window_sum(const struct window *w, struct slice *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < SLICES; i++) {
		sum->responses += w->s[i].responses;
		sum->errors += w->s[i].errors;
		sum->sum += w->s[i].sum;
		for (size_t b = 0; b < NB; b++)
			sum->hist[b] += w->s[i].hist[b];
	}
}

double xdpi_api_quantile(const double *counts, double q)
{
	double total = 0, seen = 0, rank;

	for (size_t b = 0; b < NB; b++)
		total += counts[b];
	if (total <= 0)
		return NAN;
	rank = q * total;
	for (size_t b = 0; b < NB; b++) {
		double lo = b ? xdpi_api_bucket_le[b - 1] : 0;

		if (seen + counts[b] >= rank && counts[b] > 0) {
			if (b == NB - 1)
				return xdpi_api_bucket_le[NB - 2];
			return lo + (xdpi_api_bucket_le[b] - lo) * (rank - seen) / counts[b];
		}
		seen += counts[b];
	}
	return xdpi_api_bucket_le[NB - 2];
}

/* The window's quantile; an empty window reads 0. */
static double window_quantile(const struct slice *sum, double q)
{
	double counts[NB], v;

	for (size_t b = 0; b < NB; b++)
		counts[b] = sum->hist[b];
	v = xdpi_api_quantile(counts, q);
	return isnan(v) ? 0 : v;
}

static void evaluate(struct xdpi_api *a, struct endpoint *e, uint32_t ci, uint64_t ts,
		     const struct xdpi_flow *f, struct pending *out)
{
	const struct xdpi_api_cond *c = &a->cfg.conds[ci];
	struct window *w = &e->w[ci];
	struct slice sum;
	double v;
	bool bad;

	if (xdpi_api_cond_is_llm(c) != e->llm)
		return; /* API conditions watch endpoints, LLM conditions calls */
	window_sum(w, &sum);
	if (c->measure == XDPI_API_ERROR_RATIO || c->measure == XDPI_API_LLM_429_RATIO)
		v = sum.responses ? (double)sum.errors / (double)sum.responses : 0;
	else if (c->measure == XDPI_API_LLM_TOKENS || c->measure == XDPI_API_LLM_COST)
		v = sum.sum;
	else
		v = window_quantile(&sum, c->quantile);
	/* fires with enough requests in the window; resolves once the value is back (an empty
	 * window reads 0) */
	bad = v > c->threshold;
	if ((w->firing ? bad : bad && sum.responses >= c->min_requests) == w->firing)
		return;
	w->firing = !w->firing;
	if (w->firing)
		a->fired[ci]++, a->st.alerts_firing++;
	else
		a->resolved[ci]++, a->st.alerts_resolved++;
	if (out->n == ALERTS_PER_CALL)
		return;
	out->a[out->n++] = (struct xdpi_api_alert){
		.cond = c, .cond_index = ci, .firing = w->firing,
		.service = a->svc[e->service].name, .method = e->method, .route = e->route,
		.value = v, .requests = sum.responses, .errors = sum.errors, .ts = ts, .flow = f,
	};
}

/* What one transaction or call adds to a condition's window. */
struct sample {
	uint64_t ts;
	bool error, timed;
	uint32_t bucket;
	double tokens, usd; /* LLM calls */
};

static void window_add(struct xdpi_api *a, struct endpoint *e, const struct sample *x)
{
	for (uint32_t ci = 0; ci < a->cfg.nconds; ci++) {
		const struct xdpi_api_cond *c = &a->cfg.conds[ci];
		struct window *w = &e->w[ci];
		uint64_t idx = x->ts / slice_ns(c);
		struct slice *s;

		if (xdpi_api_cond_is_llm(c) != e->llm)
			continue;
		window_advance(w, idx);
		if (w->cur - idx >= SLICES)
			continue; /* older than the window (another worker's late one) */
		s = &w->s[idx % SLICES];
		s->responses++;
		s->errors += x->error;
		s->sum += c->measure == XDPI_API_LLM_COST ? x->usd : x->tokens;
		if (x->timed)
			s->hist[x->bucket]++;
	}
}

static void flush_alerts(struct pending *p, xdpi_api_alert_fn fn, void *ctx)
{
	for (uint32_t i = 0; fn && i < p->n; i++)
		fn(ctx, &p->a[i]);
}

void xdpi_api__record(struct xdpi_api *a, const struct xdpi_api_tx *tx,
		      const struct xdpi_flow *f, xdpi_api_alert_fn fn, void *ctx)
{
	char svc[SERVICE_MAX], method[16], route[ROUTE_MAX], clean[ROUTE_MAX];
	struct pending p = { .n = 0 };
	struct endpoint *e;
	double s = (double)tx->latency_ns / 1e9;
	bool timed = tx->status && tx->latency_ns;
	uint32_t b = bucket_of(s);

	service_name(tx, svc, sizeof(svc));
	method_name(tx->method, method, sizeof(method));
	xdpi_api_route(a->cfg.routes, tx->path, route, sizeof(route));
	xdpi_prom_label_clean(clean, sizeof(clean), route, strlen(route));
	pthread_mutex_lock(&a->lock);
	a->st.transactions++;
	e = endpoint_get(a, service_index(a, svc), method, clean);
	if (e) {
		e->by_class[status_class(tx->status)]++;
		e->errors += is_error(tx);
		if (timed) {
			e->hist[b]++;
			e->timed++;
			e->sum_s += s;
		}
		if (tx->status) {
			struct sample x = { .ts = tx->ts, .error = is_error(tx), .timed = timed,
					    .bucket = b };

			window_add(a, e, &x);
			for (uint32_t ci = 0; ci < a->cfg.nconds; ci++)
				evaluate(a, e, ci, tx->ts, f, &p);
		}
	}
	pthread_mutex_unlock(&a->lock);
	flush_alerts(&p, fn, ctx);
}

static bool has_llm_conds(const struct xdpi_api *a)
{
	for (uint32_t ci = 0; ci < a->cfg.nconds; ci++)
		if (xdpi_api_cond_is_llm(&a->cfg.conds[ci]))
			return true;
	return false;
}

void xdpi_api__record_llm(struct xdpi_api *a, const struct xdpi_llm_record *r, uint64_t ts,
			  const struct xdpi_flow *f, xdpi_api_alert_fn fn, void *ctx)
{
	const char *model = r->request_model ? r->request_model : r->response_model;
	char svc[SERVICE_MAX], prov[16], route[ROUTE_MAX];
	struct pending p = { .n = 0 };
	struct sample x = {
		.ts = ts, .error = r->status == 429, .timed = r->ttft_s >= 0,
		.bucket = bucket_of(r->ttft_s), .usd = r->cost_usd > 0 ? r->cost_usd : 0,
		.tokens = r->usage_known ? (double)(r->input_tokens + r->output_tokens) : 0,
	};
	struct endpoint *e;

	if (!a || !has_llm_conds(a))
		return;
	xdpi_prom_label_clean(svc, sizeof(svc), r->caller ? r->caller : "", r->caller ? strlen(r->caller) : 0);
	xdpi_prom_label_clean(prov, sizeof(prov), r->provider, strlen(r->provider));
	xdpi_prom_label_clean(route, sizeof(route), model ? model : "", model ? strlen(model) : 0);
	pthread_mutex_lock(&a->lock);
	e = endpoint_get(a, service_index(a, svc), prov, route);
	if (e) {
		e->llm = true;
		window_add(a, e, &x);
		for (uint32_t ci = 0; ci < a->cfg.nconds; ci++)
			evaluate(a, e, ci, ts, f, &p);
	}
	pthread_mutex_unlock(&a->lock);
	flush_alerts(&p, fn, ctx);
}

void xdpi_api__tick(struct xdpi_api *a, uint64_t now, xdpi_api_alert_fn fn, void *ctx)
{
	struct pending p = { .n = 0 };

	if (!a->cfg.nconds)
		return;
	pthread_mutex_lock(&a->lock);
	for (struct endpoint *e = a->all; e; e = e->all_next) {
		for (uint32_t ci = 0; ci < a->cfg.nconds; ci++) {
			if (!e->w[ci].firing)
				continue;
			window_advance(&e->w[ci], now / slice_ns(&a->cfg.conds[ci]));
			evaluate(a, e, ci, now, NULL, &p);
		}
	}
	pthread_mutex_unlock(&a->lock);
	flush_alerts(&p, fn, ctx);
}

void xdpi_api__stats(struct xdpi_api *a, struct xdpi_api_stats *st)
{
	pthread_mutex_lock(&a->lock);
	*st = a->st;
	st->services = a->nsvc;
	pthread_mutex_unlock(&a->lock);
}

/* ---- exposition ---- */

static void endpoint_labels(FILE *out, const struct xdpi_api *a, const struct endpoint *e)
{
	xdpi_prom_label(out, "service", a->svc[e->service].name, false);
	xdpi_prom_label(out, "method", e->method, true);
	xdpi_prom_label(out, "route", e->route, true);
}

/* NAME{service=..,method=..,route=..[,K="V"]} and the value's leading blank. */
static void series(FILE *out, const char *name, const struct xdpi_api *a, const struct endpoint *e,
		   const char *k, const char *v)
{
	fprintf(out, "%s{", name);
	endpoint_labels(out, a, e);
	if (k)
		xdpi_prom_label(out, k, v, true);
	fputs("} ", out);
}

static void header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void expose_requests(struct xdpi_api *a, FILE *out)
{
	header(out, "xdpi_api_requests_total", "counter",
	       "HTTP/1.x, HTTP/2 and gRPC requests by endpoint and status class (none: no response)");
	for (struct endpoint *e = a->all; e; e = e->all_next) {
		if (e->llm)
			continue;
		for (int c = 0; c < SC_MAX; c++) {
			if (!e->by_class[c])
				continue;
			series(out, "xdpi_api_requests_total", a, e, "status_class", class_name[c]);
			fprintf(out, "%llu\n", (unsigned long long)e->by_class[c]);
		}
	}
	header(out, "xdpi_api_errors_total", "counter",
	       "Responses that are errors: HTTP 5xx, or a gRPC status other than OK");
	for (struct endpoint *e = a->all; e; e = e->all_next) {
		if (e->llm)
			continue;
		series(out, "xdpi_api_errors_total", a, e, NULL, NULL);
		fprintf(out, "%llu\n", (unsigned long long)e->errors);
	}
}

static void expose_latency(struct xdpi_api *a, FILE *out)
{
	header(out, "xdpi_api_request_duration_seconds", "histogram",
	       "Time from the request head to the end of the response, as seen on the wire");
	for (struct endpoint *e = a->all; e; e = e->all_next) {
		uint64_t cum = 0;

		if (!e->timed)
			continue;
		for (size_t b = 0; b < NB; b++) {
			char le[16];

			cum += e->hist[b];
			if (b < NB - 1)
				snprintf(le, sizeof(le), "%g", xdpi_api_bucket_le[b]);
			else
				snprintf(le, sizeof(le), "+Inf");
			series(out, "xdpi_api_request_duration_seconds_bucket", a, e, "le", le);
			fprintf(out, "%llu\n", (unsigned long long)cum);
		}
		series(out, "xdpi_api_request_duration_seconds_sum", a, e, NULL, NULL);
		fprintf(out, "%.9f\n", e->sum_s);
		series(out, "xdpi_api_request_duration_seconds_count", a, e, NULL, NULL);
		fprintf(out, "%llu\n", (unsigned long long)e->timed);
	}
}

static void expose_budget(struct xdpi_api *a, FILE *out)
{
	header(out, "xdpi_api_route_overflow_total", "counter",
	       "Requests counted under route=\"other\" because their service's route budget was spent");
	for (uint32_t i = 0; i <= a->cfg.service_budget; i++)
		if (a->svc[i].name[0]) {
			fputs("xdpi_api_route_overflow_total{", out);
			xdpi_prom_label(out, "service", a->svc[i].name, false);
			fprintf(out, "} %llu\n", (unsigned long long)a->svc[i].overflow);
		}
	header(out, "xdpi_api_service_overflow_total", "counter",
	       "Requests counted under service=\"other\" because the service budget was spent");
	fprintf(out, "xdpi_api_service_overflow_total %llu\n",
		(unsigned long long)a->st.service_overflow);
}

static void expose_alerts(struct xdpi_api *a, FILE *out)
{
	header(out, "xdpi_api_alert_firing", "gauge",
	       "1 while an API exception condition holds for an endpoint");
	for (struct endpoint *e = a->all; e; e = e->all_next)
		for (uint32_t ci = 0; ci < a->cfg.nconds; ci++)
			if (e->w[ci].firing) {
				series(out, "xdpi_api_alert_firing", a, e, "condition",
				       a->cfg.conds[ci].text);
				fputs("1\n", out);
			}
	header(out, "xdpi_api_alerts_total", "counter",
	       "API exception alerts by condition and state (firing, resolved)");
	for (uint32_t ci = 0; ci < a->cfg.nconds; ci++) {
		fputs("xdpi_api_alerts_total{", out);
		xdpi_prom_label(out, "condition", a->cfg.conds[ci].text, false);
		fprintf(out, ",state=\"firing\"} %llu\n", (unsigned long long)a->fired[ci]);
		fputs("xdpi_api_alerts_total{", out);
		xdpi_prom_label(out, "condition", a->cfg.conds[ci].text, false);
		fprintf(out, ",state=\"resolved\"} %llu\n", (unsigned long long)a->resolved[ci]);
	}
}

void xdpi_api__expose(struct xdpi_api *a, FILE *out)
{
	pthread_mutex_lock(&a->lock);
	expose_requests(a, out);
	expose_latency(a, out);
	expose_budget(a, out);
	expose_alerts(a, out);
	pthread_mutex_unlock(&a->lock);
}
