// SPDX-License-Identifier: GPL-2.0
/* The gen_ai metrics: the OpenTelemetry GenAI semantic conventions' client and server
 * histograms, with their units and bucket advice, per (operation, provider, request model,
 * response model, server, error type); and per calling client, tokens and cost by model.
 * The conventions still move: every name is in the table below and nowhere else. Model names
 * and callers are whatever clients send: each has a budget, then "other" (counted). One table
 * serves every worker (it locks). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/llm.h"
#include "xdpi/stats.h"
#include "llm_call.h"

#define HIST_MAX 17 /* finite bounds, then +Inf */
#define SERIES_MAX 4096
#define CALLERS_MAX 4096
#define LABEL_MAX 96

/* ---- the names (OpenTelemetry semantic conventions 1.37, GenAI; Prometheus spelling) ---- */

enum hist_kind { H_TOKENS, H_DURATION, H_TTFT, H_TPOT, H_KINDS };

struct metric_def {
	const char *otel, *prom, *unit, *help;
	double le[HIST_MAX - 1];
	int n;
};

static const struct metric_def defs[H_KINDS] = {
	[H_TOKENS] = { "gen_ai.client.token.usage", "gen_ai_client_token_usage", "{token}",
		       "Input and output tokens per call, as the API reported them",
		       { 1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
			 16777216, 67108864 }, 14 },
	[H_DURATION] = { "gen_ai.client.operation.duration",
			 "gen_ai_client_operation_duration_seconds", "s",
			 "Call duration: the request's first packet to the response's last",
			 { 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
			   40.96, 81.92 }, 14 },
	[H_TTFT] = { "gen_ai.server.time_to_first_token", "gen_ai_server_time_to_first_token_seconds",
		     "s", "Streamed calls: the request's first packet to the first output token",
		     { 0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
		       5.0, 7.5, 10.0 }, 16 },
	[H_TPOT] = { "gen_ai.server.time_per_output_token",
		     "gen_ai_server_time_per_output_token_seconds", "s",
		     "Streamed calls: time per output token after the first",
		     { 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5 }, 13 },
};

/* Attribute names, and the one xdpi adds. */
#define A_OPERATION "gen_ai_operation_name"
#define A_PROVIDER "gen_ai_provider_name"
#define A_REQ_MODEL "gen_ai_request_model"
#define A_RESP_MODEL "gen_ai_response_model"
#define A_TOKEN_TYPE "gen_ai_token_type"
#define A_SERVER "server_address"
#define A_PORT "server_port"
#define A_ERROR "error_type"
#define A_CALLER "caller" /* the client's container, process or address */

struct hist {
	uint64_t b[HIST_MAX], count;
	double sum;
};

struct series {
	struct series *next;
	const char *operation, *provider;
	char req_model[LABEL_MAX], resp_model[LABEL_MAX], server[LABEL_MAX], error[48];
	uint16_t port;
	struct hist h[H_KINDS], out_tokens; /* h[H_TOKENS]: input */
	uint64_t usage_missing;
};

struct caller {
	struct caller *next;
	char name[48], model[LABEL_MAX];
	uint64_t calls, in, out;
	double cost;
	bool priced;
};

struct name_set {
	char (*v)[LABEL_MAX];
	uint32_t n, cap;
};

struct xdpi_llm {
	struct xdpi_llm_cfg cfg;
	pthread_mutex_t lock;
	struct series *series;
	struct caller *callers;
	uint32_t nseries, ncallers;
	struct name_set models, caller_names;
	struct xdpi_llm_stats st;
	bool keep_text;
};

struct xdpi_llm *xdpi_llm__new(const struct xdpi_llm_cfg *cfg)
{
	struct xdpi_llm *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->cfg = *cfg;
	l->cfg.model_budget = cfg->model_budget ? cfg->model_budget : 100;
	l->cfg.caller_budget = cfg->caller_budget ? cfg->caller_budget : 200;
	l->keep_text = cfg->content;
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void xdpi_llm__keep_text(struct xdpi_llm *l, bool keep)
{
	if (l)
		l->keep_text = keep || l->cfg.content;
}

void xdpi_llm__free(struct xdpi_llm *l)
{
	if (!l)
		return;
	for (struct series *s = l->series, *n; s; s = n) {
		n = s->next;
		free(s);
	}
	for (struct caller *c = l->callers, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(l->models.v);
	free(l->caller_names.v);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

bool llm_keep_text(const struct xdpi_llm *l)
{
	return l->keep_text;
}

const struct xdpi_llm_cfg *llm_cfg(const struct xdpi_llm *l)
{
	return &l->cfg;
}

void llm_count_unconfirmed(struct xdpi_llm *l)
{
	pthread_mutex_lock(&l->lock);
	l->st.unconfirmed++;
	pthread_mutex_unlock(&l->lock);
}

/* ---- labels within budget ---- */

static void label_copy(char *dst, size_t n, const char *src)
{
	xdpi_prom_label_clean(dst, n, src ? src : "", src ? strlen(src) : 0);
}

/* V itself while the set has room or holds it already, else "other". */
static const char *budgeted(struct xdpi_llm *l, struct name_set *s, uint32_t budget, const char *v)
{
	char clean[LABEL_MAX];

	if (!v)
		return "";
	label_copy(clean, sizeof(clean), v);
	for (uint32_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], clean))
			return v;
	if (s->n >= budget) {
		l->st.series_overflow++;
		return "other";
	}
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 16;
		void *p = realloc(s->v, cap * sizeof(*s->v));

		if (!p)
			return "other";
		s->v = p;
		s->cap = cap;
	}
	memcpy(s->v[s->n++], clean, LABEL_MAX);
	return v;
}

/* ---- recording ---- */

static void observe(struct hist *h, const struct metric_def *d, double v)
{
	int i = 0;

	while (i < d->n && v > d->le[i])
		i++;
	h->b[i]++;
	h->count++;
	h->sum += v;
}

static struct series *series_get(struct xdpi_llm *l, const struct xdpi_llm_record *r,
				 const char *req_model, const char *resp_model)
{
	struct series key = { .operation = r->operation, .provider = r->provider, .port = r->server_port };

	label_copy(key.req_model, sizeof(key.req_model), req_model);
	label_copy(key.resp_model, sizeof(key.resp_model), resp_model);
	label_copy(key.server, sizeof(key.server), r->server_address);
	label_copy(key.error, sizeof(key.error), r->error_type);
	for (struct series *s = l->series; s; s = s->next)
		if (s->operation == key.operation && s->provider == key.provider &&
		    s->port == key.port && !strcmp(s->req_model, key.req_model) &&
		    !strcmp(s->resp_model, key.resp_model) && !strcmp(s->server, key.server) &&
		    !strcmp(s->error, key.error))
			return s;
	if (l->nseries >= SERIES_MAX) {
		l->st.series_overflow++;
		return NULL;
	}
	struct series *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	*s = key;
	s->next = l->series;
	l->series = s;
	l->nseries++;
	return s;
}

static struct caller *caller_get(struct xdpi_llm *l, const char *name, const char *model)
{
	char n[48], m[LABEL_MAX];

	label_copy(n, sizeof(n), name);
	label_copy(m, sizeof(m), model);
	for (struct caller *c = l->callers; c; c = c->next)
		if (!strcmp(c->name, n) && !strcmp(c->model, m))
			return c;
	if (l->ncallers >= CALLERS_MAX) {
		l->st.series_overflow++;
		return NULL;
	}
	struct caller *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	memcpy(c->name, n, sizeof(n));
	memcpy(c->model, m, sizeof(m));
	c->next = l->callers;
	l->callers = c;
	l->ncallers++;
	return c;
}

static void count_call(struct xdpi_llm *l, const struct xdpi_llm_record *r)
{
	l->st.calls++;
	l->st.streamed += r->streaming;
	l->st.usage_missing += !r->usage_known;
	l->st.errors += r->error_type != NULL;
	l->st.aborted += r->error_type && !strcmp(r->error_type, "aborted");
	l->st.parse_errors += r->parse_errors;
	l->st.body_gaps += r->gap;
	l->st.invisible_prompts += r->invisible_prompt;
}

static void record_series(struct series *s, const struct xdpi_llm_record *r)
{
	if (r->usage_known) {
		observe(&s->h[H_TOKENS], &defs[H_TOKENS], (double)r->input_tokens);
		observe(&s->out_tokens, &defs[H_TOKENS], (double)r->output_tokens);
	} else {
		s->usage_missing++;
	}
	if (r->duration_s >= 0)
		observe(&s->h[H_DURATION], &defs[H_DURATION], r->duration_s);
	if (r->ttft_s >= 0)
		observe(&s->h[H_TTFT], &defs[H_TTFT], r->ttft_s);
	if (r->tpot_s >= 0)
		observe(&s->h[H_TPOT], &defs[H_TPOT], r->tpot_s);
}

void xdpi_llm__record(struct xdpi_llm *l, const struct xdpi_llm_record *r)
{
	const char *req_model, *resp_model, *model;
	struct series *s;
	struct caller *c;

	pthread_mutex_lock(&l->lock);
	count_call(l, r);
	req_model = budgeted(l, &l->models, l->cfg.model_budget, r->request_model);
	resp_model = budgeted(l, &l->models, l->cfg.model_budget, r->response_model);
	if ((s = series_get(l, r, req_model, resp_model)))
		record_series(s, r);
	model = r->response_model ? resp_model : req_model;
	if ((c = caller_get(l, budgeted(l, &l->caller_names, l->cfg.caller_budget, r->caller),
			    model))) {
		c->calls++;
		c->in += r->usage_known ? r->input_tokens : 0;
		c->out += r->usage_known ? r->output_tokens : 0;
		if (r->cost_usd >= 0) {
			c->cost += r->cost_usd;
			c->priced = true;
		}
	}
	pthread_mutex_unlock(&l->lock);
}

void xdpi_llm__stats(struct xdpi_llm *l, struct xdpi_llm_stats *st)
{
	pthread_mutex_lock(&l->lock);
	*st = l->st;
	pthread_mutex_unlock(&l->lock);
}

/* ---- exposition ---- */

static void series_labels(FILE *out, const struct series *s)
{
	char port[8];

	xdpi_prom_label(out, A_OPERATION, s->operation, false);
	xdpi_prom_label(out, A_PROVIDER, s->provider, true);
	xdpi_prom_label(out, A_REQ_MODEL, s->req_model, true);
	xdpi_prom_label(out, A_RESP_MODEL, s->resp_model, true);
	xdpi_prom_label(out, A_SERVER, s->server, true);
	snprintf(port, sizeof(port), "%u", s->port);
	xdpi_prom_label(out, A_PORT, port, true);
	if (s->error[0])
		xdpi_prom_label(out, A_ERROR, s->error, true);
}

static void header(FILE *out, const struct metric_def *d, const char *type)
{
	fprintf(out, "# HELP %s %s (%s, %s)\n# TYPE %s %s\n", d->prom, d->help, d->otel, d->unit,
		d->prom, type);
}

static void hist_lines(FILE *out, const struct metric_def *d, const struct series *s,
		       const struct hist *h, const char *token_type)
{
	uint64_t cum = 0;

	for (int i = 0; i <= d->n; i++) {
		char le[32];

		cum += h->b[i];
		if (i < d->n)
			snprintf(le, sizeof(le), "%g", d->le[i]);
		fprintf(out, "%s_bucket{", d->prom);
		series_labels(out, s);
		if (token_type)
			xdpi_prom_label(out, A_TOKEN_TYPE, token_type, true);
		xdpi_prom_label(out, "le", i < d->n ? le : "+Inf", true);
		fprintf(out, "} %llu\n", (unsigned long long)cum);
	}
	fprintf(out, "%s_sum{", d->prom);
	series_labels(out, s);
	if (token_type)
		xdpi_prom_label(out, A_TOKEN_TYPE, token_type, true);
	fprintf(out, "} %.9g\n%s_count{", h->sum, d->prom);
	series_labels(out, s);
	if (token_type)
		xdpi_prom_label(out, A_TOKEN_TYPE, token_type, true);
	fprintf(out, "} %llu\n", (unsigned long long)h->count);
}

static void expose_hist(struct xdpi_llm *l, FILE *out, enum hist_kind k)
{
	header(out, &defs[k], "histogram");
	for (struct series *s = l->series; s; s = s->next) {
		if (k == H_TOKENS) {
			if (!s->h[k].count)
				continue;
			hist_lines(out, &defs[k], s, &s->h[k], "input");
			hist_lines(out, &defs[k], s, &s->out_tokens, "output");
		} else if (s->h[k].count) {
			hist_lines(out, &defs[k], s, &s->h[k], NULL);
		}
	}
}

static void expose_callers(struct xdpi_llm *l, FILE *out)
{
	fputs("# HELP xdpi_gen_ai_calls_total LLM API calls by calling client and model\n"
	      "# TYPE xdpi_gen_ai_calls_total counter\n", out);
	for (struct caller *c = l->callers; c; c = c->next) {
		fputs("xdpi_gen_ai_calls_total{", out);
		xdpi_prom_label(out, A_CALLER, c->name, false);
		xdpi_prom_label(out, A_REQ_MODEL, c->model, true);
		fprintf(out, "} %llu\n", (unsigned long long)c->calls);
	}
	fputs("# HELP xdpi_gen_ai_tokens_total Tokens the APIs reported, by calling client and model\n"
	      "# TYPE xdpi_gen_ai_tokens_total counter\n", out);
	for (struct caller *c = l->callers; c; c = c->next) {
		for (int t = 0; t < 2; t++) {
			fputs("xdpi_gen_ai_tokens_total{", out);
			xdpi_prom_label(out, A_CALLER, c->name, false);
			xdpi_prom_label(out, A_REQ_MODEL, c->model, true);
			xdpi_prom_label(out, A_TOKEN_TYPE, t ? "output" : "input", true);
			fprintf(out, "} %llu\n", (unsigned long long)(t ? c->out : c->in));
		}
	}
	fputs("# HELP xdpi_gen_ai_cost_usd_total What the calls cost by the price table (USD)\n"
	      "# TYPE xdpi_gen_ai_cost_usd_total counter\n", out);
	for (struct caller *c = l->callers; c; c = c->next) {
		if (!c->priced)
			continue;
		fputs("xdpi_gen_ai_cost_usd_total{", out);
		xdpi_prom_label(out, A_CALLER, c->name, false);
		xdpi_prom_label(out, A_REQ_MODEL, c->model, true);
		fprintf(out, "} %.9g\n", c->cost);
	}
}

static void expose_missing(struct xdpi_llm *l, FILE *out)
{
	fputs("# HELP xdpi_gen_ai_usage_missing_total Calls whose response reported no usage "
	      "(no tokens counted, none estimated)\n# TYPE xdpi_gen_ai_usage_missing_total counter\n",
	      out);
	for (struct series *s = l->series; s; s = s->next) {
		if (!s->usage_missing)
			continue;
		fputs("xdpi_gen_ai_usage_missing_total{", out);
		series_labels(out, s);
		fprintf(out, "} %llu\n", (unsigned long long)s->usage_missing);
	}
}

void xdpi_llm__expose(struct xdpi_llm *l, FILE *out)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	for (int k = 0; k < H_KINDS; k++)
		expose_hist(l, out, (enum hist_kind)k);
	expose_missing(l, out);
	expose_callers(l, out);
	pthread_mutex_unlock(&l->lock);
}
