/* SPDX-License-Identifier: GPL-2.0 */
/* The AI-gateway view: LLM API calls read from the HTTP/1.1 and HTTP/2 transactions that carry
 * them (OpenAI-compatible, Anthropic, Ollama), streams included (Server-Sent Events, NDJSON),
 * each parsed as it passes with bounded memory. One EVE "llm" event per call; metrics named
 * after the OpenTelemetry GenAI conventions; cost from a user's price table; the prompt and
 * the completion as detection buffers (llm.prompt, llm.completion).
 *
 * A dissector asks xdpi_llm_call__start() at each request head; a call exists only for a POST
 * to a known LLM path, and is reported only when its request body has the shape of one (a
 * JSON object naming a model). */
#ifndef XDPI_LLM_H
#define XDPI_LLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct xdpi_dissect_ctx;
struct xdpi_flow;

/* ---- prices (llm/prices.c) ---- */

struct xdpi_llm_price {
	char model[96];   /* a model name, '*' matching any run of characters */
	double input, output, cache_read, cache_write; /* USD per million tokens; <0: as input */
};

struct xdpi_llm_prices {
	struct xdpi_llm_price *rows;
	size_t n;
};

/* Loads FILE: one "MODEL INPUT OUTPUT [CACHE_READ [CACHE_WRITE]]" per line (USD per million
 * tokens, '#' comments); the first matching line wins. Errors name FILE:LINE:COL in ERR.
 * Returns 0 or -1. */
int xdpi_llm_prices_load(struct xdpi_llm_prices *p, const char *file, char *err, size_t errlen);
void xdpi_llm_prices_free(struct xdpi_llm_prices *p);
const struct xdpi_llm_price *xdpi_llm_price_find(const struct xdpi_llm_prices *p,
						 const char *model);

/* ---- the view: configuration, metrics (llm/metrics.c) ---- */

struct xdpi_llm_cfg {
	bool content;             /* prompt and completion text in events (off: lengths only) */
	const struct xdpi_llm_prices *prices; /* NULL: no cost */
	uint32_t model_budget;    /* distinct model names in metrics (0: 100), then "other" */
	uint32_t caller_budget;   /* distinct callers (0: 200), then "other" */
};

struct xdpi_llm_stats {
	uint64_t calls, streamed, usage_missing, errors, aborted, unconfirmed;
	uint64_t parse_errors, body_gaps, series_overflow, invisible_prompts;
};

struct xdpi_llm;
struct xdpi_llm *xdpi_llm__new(const struct xdpi_llm_cfg *cfg);
void xdpi_llm__free(struct xdpi_llm *l);
/* The Prometheus exposition of the gen_ai metrics, appended to OUT. */
void xdpi_llm__expose(struct xdpi_llm *l, FILE *out);
void xdpi_llm__stats(struct xdpi_llm *l, struct xdpi_llm_stats *st);
/* Keep the prompt's and completion's text (detection has rules on llm buffers); with
 * cfg.content it is kept anyway. */
void xdpi_llm__keep_text(struct xdpi_llm *l, bool keep);

/* ---- one call (llm/call.c) ---- */

struct xdpi_llm_call;

/* A request head: a call for a POST to an LLM API path, else NULL. HOST may be NULL. */
struct xdpi_llm_call *xdpi_llm_call__start(struct xdpi_llm *l, const char *method,
					   const char *path, const char *host, uint64_t ts);
/* Request body bytes (decoded), at flow time TS; NULL P: N bytes went by unseen. */
void xdpi_llm_call__request(struct xdpi_llm_call *c, const uint8_t *p, size_t n, uint64_t ts);
/* The response head: status, its Content-Type and Content-Encoding (each may be NULL; the
 * body is decoded through gzip, deflate as the coding says). */
void xdpi_llm_call__response_head(struct xdpi_llm_call *c, int status, const char *ctype,
				  const char *coding, uint64_t ts);
/* Response body bytes (as framed, still encoded), as they arrive; NULL P: N bytes went by
 * unseen. */
void xdpi_llm_call__response(struct xdpi_llm_call *c, const uint8_t *p, size_t n, uint64_t ts);
/* The call is over (COMPLETE: its response ended as framed): the llm event through the
 * dissector's context, the metrics, detection of the prompt and the completion; frees C. */
void xdpi_llm_call__end(struct xdpi_dissect_ctx *dc, struct xdpi_llm_call *c, bool complete);
/* Frees C without a report (a dissector torn down). */
void xdpi_llm_call__free(struct xdpi_llm_call *c);

/* What a finished call says, for metrics and tests (llm/call.c fills it). */
struct xdpi_llm_record {
	const char *provider, *api, *operation;
	const char *request_model, *response_model;
	const char *server_address;
	uint16_t server_port;
	const char *caller;
	const char *error_type;    /* NULL: no error */
	bool streaming, usage_known;
	uint64_t input_tokens, output_tokens, cache_read_tokens, cache_write_tokens;
	double duration_s, ttft_s, tpot_s; /* <0: not known */
	double cost_usd;                   /* <0: no price */
	int status;
	uint32_t parse_errors;     /* JSON documents of the response that did not parse */
	bool gap;                  /* bytes of a body went by unseen */
	bool invisible_prompt;     /* the prompt holds invisible characters */
};
void xdpi_llm__record(struct xdpi_llm *l, const struct xdpi_llm_record *r);

#endif /* XDPI_LLM_H */
