// SPDX-License-Identifier: GPL-2.0
/* One LLM API call, read as its bytes pass: the request body (model, stream flag, token limit,
 * messages, tools, the prompt's text), the response body as one JSON document, as
 * Server-Sent Events (OpenAI's chunks and [DONE], Anthropic's typed events) or as NDJSON
 * (Ollama), each event's JSON scanned as it streams. Where each API puts what is a table of
 * paths below; usage is taken from where the API reports it and never estimated.
 * Timing: the call starts with its request's first packet; the first output token is the
 * first response piece carrying text or a tool call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "xdpi/dissect.h"
#include "xdpi/eve.h"
#include "xdpi/http_decode.h"
#include "xdpi/jscan.h"
#include "xdpi/llm.h"
#include "llm_int.h"
#include "llm_call.h"

/* ---- where each API puts things ---- */

enum field {
	F_NONE,
	/* request */
	R_MODEL, R_STREAM, R_INCLUDE_USAGE, R_MAX_TOKENS, R_MESSAGE, R_TOOL, R_TEMPERATURE,
	R_PROMPT,
	/* response */
	A_MODEL, A_ID, A_IN, A_OUT, A_CACHE_READ, A_CACHE_WRITE, A_CACHED, A_FINISH, A_TEXT,
	A_TOOL, A_ERR_TYPE, A_ERR_CODE, A_ERR_MSG, A_ERR_STRING, A_STATUS,
};

struct path_row {
	const char *path;
	uint8_t len;
	enum field f;
};

#define ROW(p, f) { p, sizeof(p) - 1, f }

static const struct path_row request_rows[] = {
	ROW("model", R_MODEL),
	ROW("stream", R_STREAM),
	ROW("stream_options.include_usage", R_INCLUDE_USAGE),
	ROW("max_tokens", R_MAX_TOKENS),
	ROW("max_completion_tokens", R_MAX_TOKENS),
	ROW("max_output_tokens", R_MAX_TOKENS),
	ROW("options.num_predict", R_MAX_TOKENS),
	ROW("messages[]", R_MESSAGE),
	ROW("input[]", R_MESSAGE),
	ROW("tools[]", R_TOOL),
	ROW("functions[]", R_TOOL),
	ROW("temperature", R_TEMPERATURE),
	ROW("options.temperature", R_TEMPERATURE),
	/* the prompt's text: messages, system prompts, raw prompts, embedding inputs */
	ROW("messages[].content", R_PROMPT),
	ROW("messages[].content[].text", R_PROMPT),
	ROW("system", R_PROMPT),
	ROW("system[].text", R_PROMPT),
	ROW("prompt", R_PROMPT),
	ROW("prompt[]", R_PROMPT),
	ROW("input", R_PROMPT),
	ROW("input[]", R_PROMPT),
	ROW("input[].content", R_PROMPT),
	ROW("input[].content[].text", R_PROMPT),
	ROW("instructions", R_PROMPT),
};

static const struct path_row response_rows[] = {
	/* OpenAI chat, completions, embeddings; Ollama */
	ROW("model", A_MODEL),
	ROW("id", A_ID),
	ROW("usage.prompt_tokens", A_IN),
	ROW("usage.completion_tokens", A_OUT),
	ROW("usage.prompt_tokens_details.cached_tokens", A_CACHED),
	ROW("choices[].finish_reason", A_FINISH),
	ROW("choices[].delta.content", A_TEXT),
	ROW("choices[].delta.tool_calls", A_TOOL),
	ROW("choices[].message.content", A_TEXT),
	ROW("choices[].message.tool_calls", A_TOOL),
	ROW("choices[].text", A_TEXT),
	ROW("prompt_eval_count", A_IN),
	ROW("eval_count", A_OUT),
	ROW("done_reason", A_FINISH),
	ROW("message.content", A_TEXT),
	ROW("message.tool_calls", A_TOOL),
	ROW("response", A_TEXT),
	/* Anthropic messages, streamed (message_start, content_block_delta, message_delta) or not */
	ROW("usage.input_tokens", A_IN),
	ROW("usage.output_tokens", A_OUT),
	ROW("usage.cache_read_input_tokens", A_CACHE_READ),
	ROW("usage.cache_creation_input_tokens", A_CACHE_WRITE),
	ROW("message.model", A_MODEL),
	ROW("message.id", A_ID),
	ROW("message.usage.input_tokens", A_IN),
	ROW("message.usage.output_tokens", A_OUT),
	ROW("message.usage.cache_read_input_tokens", A_CACHE_READ),
	ROW("message.usage.cache_creation_input_tokens", A_CACHE_WRITE),
	ROW("stop_reason", A_FINISH),
	ROW("delta.stop_reason", A_FINISH),
	ROW("content[].text", A_TEXT),
	ROW("delta.text", A_TEXT),
	ROW("delta.partial_json", A_TEXT),
	/* OpenAI responses, streamed (response.output_text.delta, response.completed) or not */
	ROW("delta", A_TEXT),
	ROW("output[].content[].text", A_TEXT),
	ROW("response.model", A_MODEL),
	ROW("response.id", A_ID),
	ROW("response.usage.input_tokens", A_IN),
	ROW("response.usage.output_tokens", A_OUT),
	ROW("response.usage.input_tokens_details.cached_tokens", A_CACHED),
	ROW("usage.input_tokens_details.cached_tokens", A_CACHED),
	ROW("response.status", A_STATUS),
	ROW("status", A_STATUS),
	/* errors: OpenAI's and Anthropic's objects, Ollama's string */
	ROW("error.type", A_ERR_TYPE),
	ROW("error.code", A_ERR_CODE),
	ROW("error.message", A_ERR_MSG),
	ROW("error", A_ERR_STRING),
	ROW("response.error.code", A_ERR_CODE),
	ROW("response.error.message", A_ERR_MSG),
};

/* Every value of every streamed event is looked up: lengths first, then bytes. */
static enum field lookup(const struct path_row *rows, size_t n, const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 0; i < n; i++)
		if (rows[i].len == len && !memcmp(rows[i].path, path, len))
			return rows[i].f;
	return F_NONE;
}

#define ROWS(r) (r), sizeof(r) / sizeof((r)[0])

/* ---- kept text: the prompt and the completion, for detection and (opted in) events ---- */

/* Invisible characters: Unicode format characters (Cf) that render as nothing, and the
 * private-use planes, a way to hide instructions from the human reading a prompt. */
static bool invisible(uint32_t cp)
{
	return cp == 0xad || cp == 0x61c || cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
	       (cp >= 0xe0000 && cp <= 0xe007f) || (cp >= 0xe000 && cp <= 0xf8ff) ||
	       cp >= 0xf0000;
}

static void text_scan_utf8(struct llm_text *t, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)p[i];

		if (t->u8_need && (b & 0xc0) == 0x80) {
			t->u8_cp = t->u8_cp << 6 | (b & 0x3f);
			if (--t->u8_need == 0 && invisible(t->u8_cp)) {
				if (!t->invisible++)
					t->invisible_at = t->pos + i;
			}
			continue;
		}
		t->u8_need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
		t->u8_cp = b & (b >= 0xf0 ? 0x07 : b >= 0xe0 ? 0x0f : 0x1f);
	}
}

static void text_add(struct llm_text *t, bool keep, const char *p, size_t n, bool first,
		     uint16_t msg, uint8_t field)
{
	if (first) {
		t->u8_need = 0;
		t->pos += t->pos ? 1 : 0; /* one string per line */
		if (t->nseg < LLM_SEGS_MAX)
			t->seg[t->nseg++] = (struct llm_seg){ (uint32_t)t->pos, msg, field };
		if (keep && t->len && t->len < LLM_TEXT_MAX && t->buf)
			t->buf[t->len++] = '\n';
	}
	text_scan_utf8(t, p, n);
	t->total += n;
	t->pos += n;
	if (!keep)
		return;
	if (!t->buf && !(t->buf = malloc(LLM_TEXT_MAX)))
		return;
	if (n > LLM_TEXT_MAX - t->len) {
		n = LLM_TEXT_MAX - t->len;
		t->cut = true;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += (uint32_t)n;
}

/* ---- the request ---- */

static void copy_val(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int64_t number(enum xdpi_jscan_kind kind, const char *v, size_t n)
{
	char buf[32];

	if (kind != XDPI_JSCAN_NUMBER)
		return -1;
	copy_val(buf, sizeof(buf), v, n);
	return strtoll(buf, NULL, 10);
}

static void request_value(void *ctx, const char *path, enum xdpi_jscan_kind kind, const char *v,
			  size_t n, bool trunc)
{
	struct xdpi_llm_call *c = ctx;

	(void)trunc;
	if (!path[0]) {
		c->req_object = kind == XDPI_JSCAN_OBJECT;
		return;
	}
	switch (lookup(ROWS(request_rows), path)) {
	case R_MODEL:
		if (kind == XDPI_JSCAN_STRING) {
			copy_val(c->req_model, sizeof(c->req_model), v, n);
			c->req_model_seen = true;
		}
		break;
	case R_STREAM:
		c->stream = kind == XDPI_JSCAN_TRUE ? 1 : kind == XDPI_JSCAN_FALSE ? 0 : c->stream;
		break;
	case R_INCLUDE_USAGE:
		c->include_usage = kind == XDPI_JSCAN_TRUE;
		break;
	case R_MAX_TOKENS:
		c->max_tokens = number(kind, v, n);
		break;
	case R_MESSAGE:
		c->messages++;
		break;
	case R_TOOL:
		c->tools++;
		break;
	case R_TEMPERATURE:
		if (kind == XDPI_JSCAN_NUMBER) {
			char buf[32];

			copy_val(buf, sizeof(buf), v, n);
			c->temperature = strtod(buf, NULL);
			c->has_temperature = true;
		}
		break;
	default:
		break;
	}
}

static void request_text(void *ctx, const char *path, const char *p, size_t n, bool first)
{
	struct xdpi_llm_call *c = ctx;

	if (lookup(ROWS(request_rows), path) != R_PROMPT)
		return;
	text_add(&c->prompt, c->keep_text, p, n, first,
		 (uint16_t)(c->messages ? c->messages - 1 : 0), path[0] == 'm' ? 1 : 0);
}

static const struct xdpi_jscan_cb request_cb = { request_value, request_text };

/* ---- the response ---- */

static void first_output(struct xdpi_llm_call *c)
{
	if (!c->t_first)
		c->t_first = c->now;
}

static void response_error(struct xdpi_llm_call *c, enum field f, const char *v, size_t n)
{
	if (f == A_ERR_TYPE)
		copy_val(c->err_type, sizeof(c->err_type), v, n);
	else if (f == A_ERR_CODE)
		copy_val(c->err_code, sizeof(c->err_code), v, n);
	else
		copy_val(c->err_msg, sizeof(c->err_msg), v, n);
}

static void response_usage(struct xdpi_llm_call *c, enum field f, int64_t v)
{
	if (v < 0)
		return;
	c->usage_seen = true;
	switch (f) {
	case A_IN:
		c->in = (uint64_t)v, c->in_seen = true;
		break;
	case A_OUT:
		c->out = (uint64_t)v, c->out_seen = true;
		break;
	case A_CACHE_READ:
		c->cache_read = (uint64_t)v;
		break;
	case A_CACHE_WRITE:
		c->cache_write = (uint64_t)v;
		break;
	default: /* A_CACHED: OpenAI's share of prompt_tokens read from its cache */
		c->cached = (uint64_t)v;
	}
}

static void response_value(void *ctx, const char *path, enum xdpi_jscan_kind kind, const char *v,
			   size_t n, bool trunc)
{
	struct xdpi_llm_call *c = ctx;
	enum field f = lookup(ROWS(response_rows), path);

	(void)trunc;
	switch (f) {
	case A_MODEL:
		if (kind == XDPI_JSCAN_STRING)
			copy_val(c->resp_model, sizeof(c->resp_model), v, n);
		break;
	case A_ID:
		if (kind == XDPI_JSCAN_STRING && !c->resp_id[0])
			copy_val(c->resp_id, sizeof(c->resp_id), v, n);
		break;
	case A_IN:
	case A_OUT:
	case A_CACHE_READ:
	case A_CACHE_WRITE:
	case A_CACHED:
		response_usage(c, f, number(kind, v, n));
		break;
	case A_FINISH:
		if (kind == XDPI_JSCAN_STRING)
			copy_val(c->finish, sizeof(c->finish), v, n);
		break;
	case A_TOOL:
		if (kind == XDPI_JSCAN_ARRAY || kind == XDPI_JSCAN_OBJECT) {
			first_output(c);
			c->tool_calls = true;
		}
		break;
	case A_STATUS: /* the responses API: "failed", "incomplete" */
		if (kind == XDPI_JSCAN_STRING && (n == 6 && !memcmp(v, "failed", 6)))
			copy_val(c->err_type, sizeof(c->err_type), v, n);
		break;
	case A_ERR_TYPE:
	case A_ERR_CODE:
	case A_ERR_MSG:
		if (kind == XDPI_JSCAN_STRING || kind == XDPI_JSCAN_NUMBER)
			response_error(c, f, v, n);
		break;
	case A_ERR_STRING: /* Ollama: {"error": "model 'x' not found"} */
		if (kind == XDPI_JSCAN_STRING) {
			response_error(c, A_ERR_MSG, v, n);
			if (!c->err_type[0])
				copy_val(c->err_type, sizeof(c->err_type), "error", 5);
		}
		break;
	default:
		break;
	}
}

static void response_text(void *ctx, const char *path, const char *p, size_t n, bool first)
{
	struct xdpi_llm_call *c = ctx;

	if (lookup(ROWS(response_rows), path) != A_TEXT)
		return;
	first_output(c);
	text_add(&c->completion, c->keep_text, p, n, first, 0, 0);
}

static const struct xdpi_jscan_cb response_cb = { response_value, response_text };

/* One JSON document of the response ended (the body, an event's data, a line). */
static void doc_end(struct xdpi_llm_call *c)
{
	if (!c->doc_fed)
		return;
	if (xdpi_jscan_end(&c->resp) == XDPI_JSCAN_DONE)
		c->docs++;
	else
		c->doc_errors++;
	c->doc_fed = false;
	xdpi_jscan_init(&c->resp, &response_cb, c);
}

static void doc_feed(struct xdpi_llm_call *c, const char *p, size_t n)
{
	if (!n)
		return;
	c->doc_fed = true;
	xdpi_jscan_feed(&c->resp, p, n);
}

/* ---- Server-Sent Events (the WHATWG framing: field lines, a blank line ends an event) ---- */

enum { L_START, L_FIELD, L_COLON, L_VALUE_START, L_VALUE, L_SKIP };

static bool data_field(const struct llm_sse *s)
{
	return s->flen == 4 && !memcmp(s->field, "data", 4);
}

static void sse_event_end(struct xdpi_llm_call *c)
{
	struct llm_sse *s = &c->sse;

	if (s->is_marker)
		c->done_marker |= s->marker_len == 6 && !memcmp(s->marker, "[DONE]", 6);
	else if (s->data_lines)
		c->events++;
	doc_end(c);
	s->data_lines = 0;
	s->marker_len = 0;
	s->is_marker = false;
}

static void sse_line_end(struct xdpi_llm_call *c)
{
	struct llm_sse *s = &c->sse;

	if (s->state == L_START) { /* a blank line: the event is complete */
		sse_event_end(c);
		return;
	}
	/* "data", "data:" or "data: " alone: an empty data line */
	if ((s->state == L_FIELD || s->state == L_COLON || s->state == L_VALUE_START) &&
	    data_field(s))
		s->data_lines++;
	s->state = L_START;
}

static void sse_data(struct xdpi_llm_call *c, const char *p, size_t n)
{
	struct llm_sse *s = &c->sse;

	if (s->is_marker) {
		for (size_t i = 0; i < n && s->marker_len < sizeof(s->marker); i++)
			s->marker[s->marker_len++] = p[i];
		return;
	}
	doc_feed(c, p, n);
}

/* The first byte of a field's value: data goes to the event's document, the rest is not read. */
static void sse_value_start(struct xdpi_llm_call *c, char first)
{
	struct llm_sse *s = &c->sse;

	if (!data_field(s)) {
		s->state = L_SKIP;
		return;
	}
	if (s->data_lines++ && !s->is_marker)
		doc_feed(c, "\n", 1); /* lines of one event's data join with newlines */
	else if (s->data_lines == 1 && first == '[')
		s->is_marker = true; /* not a JSON object: OpenAI's [DONE] */
	s->state = L_VALUE;
}

/* A line's bytes from p[i] on (no line end among them before END). */
static size_t sse_bytes(struct xdpi_llm_call *c, const char *p, size_t i, size_t end)
{
	struct llm_sse *s = &c->sse;
	char ch = p[i];

	switch (s->state) {
	case L_START:
		s->flen = 0;
		s->state = ch == ':' ? L_SKIP : L_FIELD; /* ':' starts a comment */
		if (ch != ':')
			s->field[s->flen++] = ch;
		return 1;
	case L_FIELD:
		if (ch == ':')
			s->state = L_COLON;
		else if (s->flen < sizeof(s->field))
			s->field[s->flen++] = ch;
		else
			s->state = L_SKIP;
		return 1;
	case L_COLON:
		s->state = L_VALUE_START;
		if (ch == ' ')
			return 1; /* one space after the colon is not the value's */
		/* fall through */
	case L_VALUE_START:
		sse_value_start(c, ch);
		return s->state == L_VALUE ? 0 : 1;
	case L_VALUE:
		sse_data(c, p + i, end - i);
		return end - i;
	default: /* L_SKIP */
		return end - i;
	}
}

static void sse_feed(struct xdpi_llm_call *c, const char *p, size_t n)
{
	struct llm_sse *s = &c->sse;
	size_t i = 0;

	while (i < n) {
		char ch = p[i];
		size_t end = i;

		if (ch == '\n' || ch == '\r') {
			if (!(ch == '\n' && s->after_cr))
				sse_line_end(c);
			s->after_cr = ch == '\r';
			i++;
			continue;
		}
		s->after_cr = false;
		while (end < n && p[end] != '\n' && p[end] != '\r')
			end++;
		while (i < end)
			i += sse_bytes(c, p, i, end);
	}
}

/* ---- NDJSON: one document per line ---- */

static void ndjson_feed(struct xdpi_llm_call *c, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;

		doc_feed(c, p, k);
		if (!nl)
			return;
		c->events++;
		doc_end(c);
		p += k + 1, n -= k + 1;
	}
}

/* ---- the call ---- */

static void response_bytes(struct xdpi_llm_call *c, const uint8_t *p, size_t n);

struct xdpi_llm_call *xdpi_llm_call__start(struct xdpi_llm *l, const char *method,
					   const char *path, const char *host, uint64_t ts)
{
	const struct llm_endpoint *ep;
	struct xdpi_llm_call *c;

	if (!l || !method || strcmp(method, "POST") || !(ep = llm_endpoint_find(path)))
		return NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	c->l = l;
	c->ep = ep;
	c->provider = llm_provider_of(host, ep->api);
	c->t_start = ts;
	c->stream = -1;
	c->max_tokens = -1;
	c->keep_text = llm_keep_text(l);
	copy_val(c->host, sizeof(c->host), host ? host : "", host ? strlen(host) : 0);
	copy_val(c->path, sizeof(c->path), path, strlen(path));
	xdpi_jscan_init(&c->req, &request_cb, c);
	xdpi_jscan_init(&c->resp, &response_cb, c);
	return c;
}

void xdpi_llm_call__request(struct xdpi_llm_call *c, const uint8_t *p, size_t n, uint64_t ts)
{
	if (!c)
		return;
	c->now = ts;
	c->req_bytes += n;
	if (!p) {
		c->req_gap = true;
		return;
	}
	if (!c->req_gap)
		xdpi_jscan_feed(&c->req, (const char *)p, n);
}

/* The response's framing from its Content-Type (media type only, any case). */
static enum llm_format format_of(const char *ctype)
{
	size_t n = ctype ? strcspn(ctype, "; \t") : 0;

	if (n == 17 && !strncasecmp(ctype, "text/event-stream", n))
		return LLM_FMT_SSE;
	if ((n == 20 && !strncasecmp(ctype, "application/x-ndjson", n)) ||
	    (n == 20 && !strncasecmp(ctype, "application/jsonlines", n)) ||
	    (n == 18 && !strncasecmp(ctype, "application/ndjson", n)))
		return LLM_FMT_NDJSON;
	return LLM_FMT_JSON;
}

void xdpi_llm_call__response_head(struct xdpi_llm_call *c, int status, const char *ctype,
				  const char *coding, uint64_t ts)
{
	if (!c)
		return;
	if (coding && !c->dec)
		c->dec = xdpi_http_decoder_new(coding, strlen(coding), xdpi_http_decode_layers());
	xdpi_jscan_end(&c->req);
	c->status = status;
	c->t_head = ts;
	c->fmt = format_of(ctype);
	c->head_seen = true;
}

static bool decoded(void *arg, const uint8_t *p, size_t n)
{
	response_bytes(arg, p, n);
	return true;
}

void xdpi_llm_call__response(struct xdpi_llm_call *c, const uint8_t *p, size_t n, uint64_t ts)
{
	if (!c || !n)
		return;
	c->now = c->t_last = ts;
	c->resp_bytes += n;
	if (!p || c->resp_gap) { /* the stream cannot be followed past a hole */
		c->resp_gap = true;
		return;
	}
	if (c->dec)
		xdpi_http_decode(c->dec, p, n, decoded, c);
	else
		response_bytes(c, p, n);
}

void llm_response_end(struct xdpi_llm_call *c)
{
	if (c->dec && !c->resp_gap)
		xdpi_http_decode_end(c->dec, decoded, c);
	xdpi_http_decoder_free(c->dec);
	c->dec = NULL;
}

/* Decoded response bytes: to the framing of the response's format. */
static void response_bytes(struct xdpi_llm_call *c, const uint8_t *p, size_t n)
{
	if (c->fmt == LLM_FMT_SSE)
		sse_feed(c, (const char *)p, n);
	else if (c->fmt == LLM_FMT_NDJSON)
		ndjson_feed(c, (const char *)p, n);
	else
		doc_feed(c, (const char *)p, n);
}

void xdpi_llm_call__free(struct xdpi_llm_call *c)
{
	if (!c)
		return;
	xdpi_http_decoder_free(c->dec);
	free(c->prompt.buf);
	free(c->completion.buf);
	free(c);
}
