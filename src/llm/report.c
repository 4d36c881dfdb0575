// SPDX-License-Identifier: GPL-2.0
/* A finished LLM call: is it one (a JSON request naming a model, or a response shaped like an
 * API's), what it used and cost, how long it took; then its EVE "llm" event, its metrics and
 * its prompt and completion for detection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/dissect.h"
#include "xdpi/eve.h"
#include "xdpi/llm.h"
#include "xdpi/rules.h"
#include "llm_call.h"

#define NS 1e9

/* Close what the body left open: a JSON body, an NDJSON line or an SSE event without its
 * end. */
static void flush_response(struct xdpi_llm_call *c)
{
	if (c->resp_gap)
		return;
	if (c->fmt == LLM_FMT_SSE && c->sse.data_lines) {
		if (!c->sse.is_marker)
			c->events++;
		c->sse.data_lines = 0;
	}
	if (c->doc_fed) {
		if (xdpi_jscan_end(&c->resp) == XDPI_JSCAN_DONE)
			c->docs++;
		else
			c->doc_errors++;
		c->doc_fed = false;
	}
}

/* A request seen whole must be a JSON object naming a model; one not seen (joined late, lost)
 * is believed when its response names a model or reports usage. */
static bool confirmed(const struct xdpi_llm_call *c)
{
	if (c->req_object && !c->req_gap)
		return c->req_model_seen;
	return c->resp_model[0] || c->usage_seen;
}

static bool streaming(const struct xdpi_llm_call *c)
{
	if (c->head_seen && c->status < 300)
		return c->fmt != LLM_FMT_JSON;
	return c->stream == 1 || (c->stream == -1 && c->ep->stream_default);
}

/* error.type: the HTTP status of a failed call; the API's error type when a successful
 * response carried one (a mid-stream error); "aborted" for a response cut short. */
static const char *error_type(const struct xdpi_llm_call *c, bool complete, char *buf, size_t n)
{
	if (c->status >= 400) {
		snprintf(buf, n, "%d", c->status);
		return buf;
	}
	if (c->err_type[0])
		return c->err_type;
	if (c->err_code[0] || c->err_msg[0])
		return "error";
	return complete && c->head_seen ? NULL : "aborted";
}

static double seconds(uint64_t from, uint64_t to)
{
	return from && to >= from ? (double)(to - from) / NS : -1;
}

static double cost(const struct xdpi_llm *l, const struct xdpi_llm_record *r)
{
	const struct xdpi_llm_price *p = xdpi_llm_price_find(llm_cfg(l)->prices,
							     r->response_model ? r->response_model
									       : r->request_model);
	uint64_t plain;

	if (!p || !r->usage_known)
		return -1;
	plain = r->input_tokens - (r->cache_read_tokens + r->cache_write_tokens <= r->input_tokens
					   ? r->cache_read_tokens + r->cache_write_tokens
					   : r->input_tokens);
	return ((double)plain * p->input +
		(double)r->cache_read_tokens * (p->cache_read >= 0 ? p->cache_read : p->input) +
		(double)r->cache_write_tokens * (p->cache_write >= 0 ? p->cache_write : p->input) +
		(double)r->output_tokens * p->output) / 1e6;
}

struct endpoints {
	char server[48], caller[48];
	uint16_t port;
};

static void flow_endpoints(const struct xdpi_flow *f, struct endpoints *e)
{
	const struct xdpi_flow_key *k;
	bool server_b;

	memset(e, 0, sizeof(*e));
	if (!f)
		return; /* a dissector tested on its own */
	k = &f->key;
	server_b = f->initiator == 0;

	xdpi_addr_str(k->family, server_b ? k->addr_b : k->addr_a, e->server, sizeof(e->server));
	xdpi_addr_str(k->family, server_b ? k->addr_a : k->addr_b, e->caller, sizeof(e->caller));
	e->port = __builtin_bswap16(server_b ? k->port_b : k->port_a);
}

static void fill_record(const struct xdpi_llm_call *c, bool complete, const struct endpoints *e,
			char *errbuf, size_t errlen, struct xdpi_llm_record *r)
{
	bool anthropic = c->ep->api == LLM_API_ANTHROPIC;
	uint64_t end = c->t_last > c->t_head ? c->t_last : c->t_head;

	*r = (struct xdpi_llm_record){
		.provider = c->provider, .api = llm_api_name(c->ep->api),
		.operation = c->ep->operation,
		.request_model = c->req_model[0] ? c->req_model : NULL,
		.response_model = c->resp_model[0] ? c->resp_model : NULL,
		.server_address = c->host[0] ? c->host : e->server, .server_port = e->port,
		.caller = e->caller, .streaming = streaming(c), .usage_known = c->usage_seen,
		.status = c->status, .parse_errors = c->doc_errors, .gap = c->req_gap || c->resp_gap,
		.invisible_prompt = c->prompt.invisible > 0,
	};
	r->error_type = error_type(c, complete, errbuf, errlen);
	/* input tokens include those read from or written to a cache: OpenAI counts them in
	 * prompt_tokens already, Anthropic beside input_tokens */
	r->cache_read_tokens = anthropic ? c->cache_read : c->cached;
	r->cache_write_tokens = anthropic ? c->cache_write : 0;
	r->input_tokens = c->in + (anthropic ? c->cache_read + c->cache_write : 0);
	r->output_tokens = c->out;
	r->duration_s = seconds(c->t_start, end);
	r->ttft_s = r->streaming && c->t_first && !r->error_type ? seconds(c->t_start, c->t_first) : -1;
	r->tpot_s = r->streaming && c->t_first && c->out > 1 && !r->error_type
			    ? seconds(c->t_first, end) / (double)(c->out - 1) : -1;
}

/* ---- the event ---- */

static void put_ms(struct xdpi_json *j, const char *key, double s)
{
	if (s >= 0)
		xdpi_json_double(j, key, s * 1000.0);
}

static void put_request(struct xdpi_json *j, const struct xdpi_llm_call *c)
{
	xdpi_json_obj_open(j, "request");
	if (c->req_model[0])
		xdpi_json_str(j, "model", c->req_model);
	if (c->stream >= 0)
		xdpi_json_bool(j, "stream", c->stream == 1);
	if (c->include_usage)
		xdpi_json_bool(j, "include_usage", true);
	if (c->max_tokens >= 0)
		xdpi_json_i64(j, "max_tokens", c->max_tokens);
	if (c->has_temperature)
		xdpi_json_double(j, "temperature", c->temperature);
	xdpi_json_u64(j, "messages", c->messages);
	xdpi_json_u64(j, "tools", c->tools);
	xdpi_json_u64(j, "body_bytes", c->req_bytes);
	if (c->req_gap)
		xdpi_json_bool(j, "gap", true);
	xdpi_json_obj_close(j);
}

static void put_response(struct xdpi_json *j, const struct xdpi_llm_call *c)
{
	static const char *const fmt_name[] = { "json", "sse", "ndjson" };

	xdpi_json_obj_open(j, "response");
	if (c->resp_model[0])
		xdpi_json_str(j, "model", c->resp_model);
	if (c->resp_id[0])
		xdpi_json_str(j, "id", c->resp_id);
	if (c->finish[0])
		xdpi_json_str(j, "finish_reason", c->finish);
	if (c->tool_calls)
		xdpi_json_bool(j, "tool_calls", true);
	if (c->head_seen)
		xdpi_json_str(j, "format", fmt_name[c->fmt]);
	if (c->fmt != LLM_FMT_JSON)
		xdpi_json_u64(j, "events", c->events);
	if (c->done_marker)
		xdpi_json_bool(j, "done_marker", true);
	if (c->doc_errors)
		xdpi_json_u64(j, "parse_errors", c->doc_errors);
	xdpi_json_u64(j, "body_bytes", c->resp_bytes);
	if (c->resp_gap)
		xdpi_json_bool(j, "gap", true);
	xdpi_json_obj_close(j);
}

static void put_usage(struct xdpi_json *j, const struct xdpi_llm_record *r,
		      const struct xdpi_llm_call *c)
{
	if (!r->usage_known) {
		xdpi_json_null(j, "usage"); /* the API said nothing: no estimate */
		return;
	}
	xdpi_json_obj_open(j, "usage");
	if (c->in_seen)
		xdpi_json_u64(j, "input_tokens", r->input_tokens);
	if (c->out_seen)
		xdpi_json_u64(j, "output_tokens", r->output_tokens);
	if (r->cache_read_tokens)
		xdpi_json_u64(j, "cache_read_tokens", r->cache_read_tokens);
	if (r->cache_write_tokens)
		xdpi_json_u64(j, "cache_write_tokens", r->cache_write_tokens);
	xdpi_json_obj_close(j);
}

static void put_error(struct xdpi_json *j, const struct xdpi_llm_record *r,
		      const struct xdpi_llm_call *c)
{
	if (!r->error_type)
		return;
	xdpi_json_obj_open(j, "error");
	xdpi_json_str(j, "type", r->error_type);
	if (c->err_type[0])
		xdpi_json_str(j, "api_type", c->err_type);
	if (c->err_code[0])
		xdpi_json_str(j, "code", c->err_code);
	if (c->err_msg[0])
		xdpi_json_str(j, "message", c->err_msg);
	xdpi_json_obj_close(j);
}

/* The place of byte OFF of the prompt: "messages[2].content" or "prompt". */
static void prompt_place(const struct llm_text *t, uint64_t off, char *buf, size_t n)
{
	const struct llm_seg *s = NULL;

	for (uint32_t i = 0; i < t->nseg && t->seg[i].off <= off; i++)
		s = &t->seg[i];
	if (s && s->in_messages)
		snprintf(buf, n, "messages[%u]", (unsigned)s->msg);
	else
		snprintf(buf, n, "%s", s ? "prompt" : "?");
}

/* The text with what rules found to be secrets replaced by "[REDACTED sid:N]". */
static void put_redacted(struct xdpi_json *j, const struct xdpi_llm_call *c, enum xdpi_buffer b,
			 const struct llm_text *t)
{
	char *out = malloc(t->len + 1 + c->nfindings * 32u), *w = out;
	uint32_t at = 0;

	if (!out)
		return;
	while (at < t->len) {
		const struct llm_finding *f = NULL;

		for (uint32_t i = 0; i < c->nfindings; i++) /* the earliest secret from here on */
			if (c->findings[i].buf == b && c->findings[i].redact && c->findings[i].off >= at &&
			    c->findings[i].off < t->len && (!f || c->findings[i].off < f->off))
				f = &c->findings[i];
		uint32_t end = f ? f->off : t->len;

		memcpy(w, t->buf + at, end - at);
		w += end - at;
		if (!f)
			break;
		w += sprintf(w, "[REDACTED sid:%u]", f->sid);
		at = f->off + f->len < t->len ? f->off + f->len : t->len;
	}
	xdpi_json_strn(j, "text", out, (size_t)(w - out));
	free(out);
}

static void put_text(struct xdpi_json *j, const char *key, const struct xdpi_llm_call *c,
		     enum xdpi_buffer b, bool content)
{
	const struct llm_text *t = b == XDPI_BUF_LLM_PROMPT ? &c->prompt : &c->completion;
	char place[40];

	xdpi_json_obj_open(j, key);
	xdpi_json_u64(j, "bytes", t->total);
	if (t->invisible) {
		xdpi_json_u64(j, "invisible_chars", t->invisible);
		prompt_place(t, t->invisible_at, place, sizeof(place));
		xdpi_json_str(j, "invisible_place", place);
	}
	if (content && t->buf) {
		put_redacted(j, c, b, t);
		if (t->cut)
			xdpi_json_bool(j, "text_cut", true);
	}
	xdpi_json_obj_close(j);
}

static void put_findings(struct xdpi_json *j, const struct xdpi_llm_call *c)
{
	char place[40];

	if (!c->nfindings)
		return;
	xdpi_json_arr_open(j, "findings");
	for (uint32_t i = 0; i < c->nfindings; i++) {
		const struct llm_finding *f = &c->findings[i];

		xdpi_json_obj_open(j, NULL);
		xdpi_json_u64(j, "signature_id", f->sid);
		xdpi_json_str(j, "buffer", f->buf == XDPI_BUF_LLM_PROMPT       ? "llm.prompt"
					   : f->buf == XDPI_BUF_LLM_COMPLETION ? "llm.completion"
									       : "llm.model");
		if (f->buf == XDPI_BUF_LLM_PROMPT) {
			prompt_place(&c->prompt, f->off, place, sizeof(place));
			xdpi_json_str(j, "place", place);
		}
		xdpi_json_u64(j, "offset", f->off);
		xdpi_json_u64(j, "length", f->len);
		if (f->redact)
			xdpi_json_bool(j, "redacted", true);
		xdpi_json_obj_close(j);
	}
	xdpi_json_arr_close(j);
	if (c->findings_lost)
		xdpi_json_u64(j, "findings_not_listed", c->findings_lost);
}

static void write_event(struct xdpi_dissect_ctx *dc, const struct xdpi_llm_call *c,
			const struct xdpi_llm_record *r, bool complete)
{
	struct xdpi_json *j = dc->event_begin(dc, "llm");

	xdpi_json_obj_open(j, "http");
	if (c->host[0])
		xdpi_json_str(j, "hostname", c->host);
	xdpi_json_str(j, "url", c->path);
	xdpi_json_str(j, "http_method", "POST");
	if (c->status)
		xdpi_json_u64(j, "status", (uint64_t)c->status);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_dissect_put_plaintext(dc, j);
	xdpi_json_obj_open(j, "llm");
	xdpi_json_str(j, "provider", r->provider);
	xdpi_json_str(j, "api", r->api);
	xdpi_json_str(j, "operation", r->operation);
	xdpi_json_bool(j, "streaming", r->streaming);
	put_request(j, c);
	put_response(j, c);
	put_usage(j, r, c);
	put_ms(j, "time_to_first_token_ms", r->ttft_s);
	put_ms(j, "time_per_output_token_ms", r->tpot_s);
	put_ms(j, "duration_ms", r->duration_s);
	if (r->cost_usd >= 0)
		xdpi_json_double(j, "cost_usd", r->cost_usd);
	put_error(j, r, c);
	xdpi_json_bool(j, "complete", complete);
	put_text(j, "prompt", c, XDPI_BUF_LLM_PROMPT, llm_cfg(c->l)->content);
	put_text(j, "completion", c, XDPI_BUF_LLM_COMPLETION, llm_cfg(c->l)->content);
	put_findings(j, c);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
	dc->event_end(dc);
}

/* ---- detection ---- */

/* A rule matched the prompt, completion or model: remembered for the llm event. */
static void on_match(void *ctx, const struct xdpi_rule *r, enum xdpi_buffer b, uint32_t off,
		     uint32_t len)
{
	struct xdpi_llm_call *c = ctx;

	if (b < XDPI_BUF_LLM_PROMPT || b > XDPI_BUF_LLM_MODEL)
		return;
	if (c->nfindings == LLM_FINDINGS_MAX) {
		c->findings_lost++;
		return;
	}
	c->findings[c->nfindings++] = (struct llm_finding){
		.sid = r->sid, .buf = (uint8_t)b, .off = off, .len = len,
		.redact = r->metadata && strstr(r->metadata, "xdpi_redact"),
	};
}

static const char *place(const void *ctx, enum xdpi_buffer b, uint32_t off, char *out, size_t n)
{
	const struct xdpi_llm_call *c = ctx;

	if (b == XDPI_BUF_LLM_PROMPT)
		prompt_place(&c->prompt, off, out, n);
	else
		snprintf(out, n, "%s", b == XDPI_BUF_LLM_COMPLETION ? "completion" : "model");
	return out;
}

static void inspect(struct xdpi_dissect_ctx *dc, struct xdpi_llm_call *c)
{
	struct xdpi_inspect in = { .stage = XDPI_STAGE_LLM };

	if (!xdpi_dissect_wants(dc, XDPI_STAGE_LLM))
		return;
	if (c->prompt.buf)
		xdpi_inspect_set(&in, XDPI_BUF_LLM_PROMPT, c->prompt.buf, c->prompt.len);
	if (c->completion.buf)
		xdpi_inspect_set(&in, XDPI_BUF_LLM_COMPLETION, c->completion.buf, c->completion.len);
	if (c->req_model[0])
		xdpi_inspect_set(&in, XDPI_BUF_LLM_MODEL, c->req_model, strlen(c->req_model));
	in.place = place;
	in.place_ctx = c;
	in.matched = on_match;
	in.matched_ctx = c;
	dc->inspect(dc, &in);
}

void xdpi_llm_call__end(struct xdpi_dissect_ctx *dc, struct xdpi_llm_call *c, bool complete)
{
	struct xdpi_llm_record r;
	struct endpoints e;
	char errbuf[16];

	if (!c)
		return;
	llm_response_end(c);
	flush_response(c);
	if (!confirmed(c)) {
		llm_count_unconfirmed(c->l);
		xdpi_llm_call__free(c);
		return;
	}
	flow_endpoints(dc->flow, &e);
	fill_record(c, complete, &e, errbuf, sizeof(errbuf), &r);
	r.cost_usd = cost(c->l, &r);
	inspect(dc, c);
	write_event(dc, c, &r, complete);
	if (dc->llm_done)
		dc->llm_done(dc, &r);
	xdpi_llm__record(c->l, &r);
	xdpi_llm_call__free(c);
}
