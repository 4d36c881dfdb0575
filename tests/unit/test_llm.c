// SPDX-License-Identifier: GPL-2.0
/* The LLM view: the streaming JSON scanner (paths, escapes, any split of its input, errors);
 * calls read through the HTTP dissector as the wire carries them: an OpenAI stream with its
 * usage chunk and [DONE], an Anthropic stream whose input tokens include the cache, Ollama's
 * NDJSON cut into small pieces, a stream without usage (null, counted, never estimated), an
 * error, a client that went away; what is not a call (another path, a body that is no API
 * request); invisible characters in a prompt; the price table's errors and the cost; the
 * gen_ai exposition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>
#include "../lib/dissect_harness.h"
#include "xdpi/jscan.h"
#include "xdpi/llm.h"
#include "xdpi/rules.h"

#define MS 1000000ull

/* ---- the scanner ---- */

struct seen {
	char out[4096];
	size_t len;
	char text[512];
	size_t tlen;
};

static void on_value(void *ctx, const char *path, enum xdpi_jscan_kind kind, const char *v,
		     size_t n, bool trunc)
{
	struct seen *s = ctx;

	s->len += (size_t)snprintf(s->out + s->len, sizeof(s->out) - s->len, "%s=%d:%.*s%s;", path,
				   (int)kind, (int)n, v ? v : "", trunc ? "~" : "");
}

static void on_text(void *ctx, const char *path, const char *p, size_t n, bool first)
{
	struct seen *s = ctx;

	(void)path;
	if (first && s->tlen)
		s->text[s->tlen++] = '|';
	memcpy(s->text + s->tlen, p, n);
	s->tlen += n;
	s->text[s->tlen] = '\0';
}

static const struct xdpi_jscan_cb cb = { on_value, on_text };

static enum xdpi_jscan_state_kind scan(const char *doc, size_t piece, struct seen *s)
{
	struct xdpi_jscan j;
	size_t n = strlen(doc);

	memset(s, 0, sizeof(*s));
	xdpi_jscan_init(&j, &cb, s);
	for (size_t i = 0; i < n; i += piece)
		xdpi_jscan_feed(&j, doc + i, n - i < piece ? n - i : piece);
	return xdpi_jscan_end(&j);
}

static void test_jscan_paths_and_splits(void **state)
{
	const char *doc = "{\"model\":\"gpt\",\"usage\":{\"prompt_tokens\":12,\"x\":[1,true,null]},"
			  "\"choices\":[{\"delta\":{\"content\":\"h\\u00e9\\n\\ud83d\\ude00\"}}],"
			  "\"n\":-1.5e3}";
	struct seen whole, bytes;

	(void)state;
	assert_int_equal(scan(doc, 1 << 20, &whole), XDPI_JSCAN_DONE);
	assert_non_null(strstr(whole.out, "model=0:gpt;"));
	assert_non_null(strstr(whole.out, "usage.prompt_tokens=1:12;"));
	assert_non_null(strstr(whole.out, "usage.x[]=2:true;"));
	assert_non_null(strstr(whole.out, "usage.x[]=4:null;"));
	assert_non_null(strstr(whole.out, "choices[]=5:;"));
	assert_non_null(strstr(whole.out, "n=1:-1.5e3;"));
	assert_string_equal(whole.text, "gpt|h\xc3\xa9\n\xf0\x9f\x98\x80");
	for (size_t piece = 1; piece < 9; piece++) { /* any split reads the same */
		assert_int_equal(scan(doc, piece, &bytes), XDPI_JSCAN_DONE);
		assert_string_equal(bytes.out, whole.out);
		assert_string_equal(bytes.text, whole.text);
	}
}

static void test_jscan_errors(void **state)
{
	struct seen s;
	char deep[128];

	(void)state;
	assert_int_equal(scan("{\"a\":1} x", 64, &s), XDPI_JSCAN_ERROR);
	assert_int_equal(scan("{\"a\":tru}", 64, &s), XDPI_JSCAN_ERROR);
	assert_int_equal(scan("{\"a\":\"\\q\"}", 64, &s), XDPI_JSCAN_ERROR);
	assert_int_equal(scan("{\"a\":[1,2}", 64, &s), XDPI_JSCAN_ERROR);
	assert_int_equal(scan("{\"a\":\"x\n\"}", 64, &s), XDPI_JSCAN_ERROR);
	assert_int_equal(scan("{\"a\":\"open", 64, &s), XDPI_JSCAN_OK);
	assert_int_equal(scan("42", 64, &s), XDPI_JSCAN_DONE); /* a number ends with the input */
	memset(deep, '[', 60);
	deep[60] = '\0';
	assert_int_equal(scan(deep, 64, &s), XDPI_JSCAN_ERROR); /* deeper than any API body */
	assert_int_equal(scan("\"\\ud800x\"", 64, &s), XDPI_JSCAN_DONE);
	assert_string_equal(s.text, "\xef\xbf\xbdx"); /* a lone surrogate: U+FFFD */
}

/* ---- calls through the HTTP dissector ---- */

struct call_test {
	struct harness *h;
	struct xdpi_llm *l;
	uint64_t ts;
};

static void start(struct call_test *t, const struct xdpi_llm_cfg *cfg)
{
	struct xdpi_llm_cfg none = { 0 };

	t->h = harness_new("http", XDPI_L4_TCP);
	t->l = xdpi_llm__new(cfg ? cfg : &none);
	assert_non_null(t->h);
	assert_non_null(t->l);
	t->h->ctx.llm = t->l;
	t->ts = 1000 * MS;
}

static void request(struct call_test *t, const char *path, const char *body)
{
	char head[512];

	snprintf(head, sizeof(head),
		 "POST %s HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\n\r\n", path, strlen(body));
	harness_feed(t->h, 0, head, strlen(head), t->ts, false);
	harness_feed(t->h, 0, body, strlen(body), t->ts, false);
}

/* A chunked response of CTYPE: each piece one chunk, 10 ms apart after a first 100 ms. */
static void respond(struct call_test *t, int status, const char *ctype, const char *const *pieces,
		    size_t n, size_t split)
{
	char buf[4096];
	int len = snprintf(buf, sizeof(buf), "HTTP/1.1 %d X\r\nContent-Type: %s\r\n"
				"Transfer-Encoding: chunked\r\n\r\n", status, ctype);

	harness_feed(t->h, 1, buf, (size_t)len, t->ts += MS, false);
	t->ts += 99 * MS;
	for (size_t i = 0; i < n; i++, t->ts += 10 * MS) {
		len = snprintf(buf, sizeof(buf), "%zx\r\n%s\r\n", strlen(pieces[i]), pieces[i]);
		for (int off = 0; off < len; off += (int)split)
			harness_feed(t->h, 1, buf + off,
				     (size_t)(len - off) < split ? (size_t)(len - off) : split, t->ts,
				     false);
	}
	harness_feed(t->h, 1, "0\r\n\r\n", 5, t->ts, false);
}

static json_t *llm_event(struct harness *h)
{
	for (int i = 0; i < h->n; i++)
		if (!strcmp(json_string_value(json_object_get(h->ev[i], "event_type")), "llm"))
			return json_object_get(json_object_get(h->ev[i], "xdpi"), "llm");
	return NULL;
}

/* O's member at PATH ("usage.input_tokens"), NULL when absent. */
static json_t *at(json_t *o, const char *path)
{
	char buf[128], *save, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	return o;
}

static json_int_t num(json_t *o, const char *path)
{
	o = at(o, path);
	assert_non_null(o);
	return json_is_real(o) ? (json_int_t)json_real_value(o) : json_integer_value(o);
}

static const char *str(json_t *o, const char *path)
{
	o = at(o, path);
	return o ? json_string_value(o) : NULL;
}

static void finish(struct call_test *t)
{
	harness_free(t->h);
	xdpi_llm__free(t->l);
}

static void test_openai_stream(void **state)
{
	static const char *const sse[] = {
		"data: {\"id\":\"c1\",\"model\":\"gpt-4o-2024\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
		"data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n",
		"data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n",
		"data: {\"id\":\"c1\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
		"data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}\r\n\r\n",
		"data: [DONE]\n\n",
	};
	struct call_test t;
	struct xdpi_llm_stats st;
	json_t *e;

	(void)state;
	for (size_t split = 1; split <= 64; split *= 4) {
		start(&t, NULL);
		request(&t, "/v1/chat/completions",
			"{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
			"\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
		respond(&t, 200, "text/event-stream; charset=utf-8", sse, 5, split);
		assert_non_null(e = llm_event(t.h));
		assert_string_equal(str(e, "provider"), "openai");
		assert_string_equal(str(e, "operation"), "chat");
		assert_string_equal(str(e, "request.model"), "gpt-4o");
		assert_string_equal(str(e, "response.model"), "gpt-4o-2024");
		assert_string_equal(str(e, "response.finish_reason"), "stop");
		assert_int_equal(num(e, "request.max_tokens"), 50);
		assert_int_equal(num(e, "usage.input_tokens"), 9);
		assert_int_equal(num(e, "usage.output_tokens"), 3);
		assert_int_equal(num(e, "response.events"), 5);
		assert_true(json_is_true(json_object_get(json_object_get(e, "response"), "done_marker")));
		/* the first text came in the second chunk: 1 + 99 + 10 ms after the request */
		assert_int_equal(num(e, "time_to_first_token_ms"), 110);
		xdpi_llm__stats(t.l, &st);
		assert_int_equal(st.calls, 1);
		assert_int_equal(st.streamed, 1);
		finish(&t);
	}
}

static void test_anthropic_stream_counts_the_cache(void **state)
{
	static const char *const sse[] = {
		"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
		"\"model\":\"claude-x\",\"usage\":{\"input_tokens\":20,\"output_tokens\":1,"
		"\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":7}}}\n\n",
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
		"\"delta\":{\"type\":\"text_delta\",\"text\":\"Yes\"}}\n\n",
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
		"\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\nevent: message_stop\n"
		"data: {\"type\":\"message_stop\"}\n\n",
	};
	struct call_test t;
	json_t *e;

	(void)state;
	start(&t, NULL);
	request(&t, "/v1/messages", "{\"model\":\"claude-x\",\"max_tokens\":64,\"stream\":true,"
		    "\"system\":[{\"type\":\"text\",\"text\":\"be kind\"}],"
		    "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"q\"}]}]}");
	respond(&t, 200, "text/event-stream", sse, 3, 7);
	assert_non_null(e = llm_event(t.h));
	assert_string_equal(str(e, "api"), "anthropic");
	assert_int_equal(num(e, "usage.input_tokens"), 127);
	assert_int_equal(num(e, "usage.cache_read_tokens"), 100);
	assert_int_equal(num(e, "usage.cache_write_tokens"), 7);
	assert_int_equal(num(e, "usage.output_tokens"), 15);
	assert_string_equal(str(e, "response.finish_reason"), "end_turn");
	assert_int_equal(num(e, "prompt.bytes"), 8); /* "be kind" and "q" */
	finish(&t);
}

static void test_ollama_ndjson_in_small_pieces(void **state)
{
	static const char *const nd[] = {
		"{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"A\"},\"done\":false}\n"
		"{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"B\"},\"done\":false}\n",
		"{\"model\":\"llama3\",\"message\":{\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\","
		"\"prompt_eval_count\":26,\"eval_count\":298}\n",
	};
	struct call_test t;
	json_t *e;

	(void)state;
	start(&t, NULL);
	request(&t, "/api/chat", "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
	respond(&t, 200, "application/x-ndjson", nd, 2, 3);
	assert_non_null(e = llm_event(t.h));
	assert_true(json_is_true(json_object_get(e, "streaming"))); /* Ollama's default */
	assert_int_equal(num(e, "usage.input_tokens"), 26);
	assert_int_equal(num(e, "usage.output_tokens"), 298);
	assert_int_equal(num(e, "response.events"), 3);
	finish(&t);
}

static void test_no_usage_error_and_abort(void **state)
{
	static const char *const sse[] = {
		"data: {\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n",
		"data: [DONE]\n\n",
	};
	static const char *const err[] = {
		"{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"code\":\"rate_limit_exceeded\"}}",
	};
	struct call_test t;
	struct xdpi_llm_stats st;
	json_t *e;
	const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
			   "data: {\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n";

	(void)state;
	start(&t, NULL);
	request(&t, "/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,\"messages\":[]}");
	respond(&t, 200, "text/event-stream", sse, 2, 100);
	assert_non_null(e = llm_event(t.h));
	assert_true(json_is_null(json_object_get(e, "usage"))); /* said so, not estimated */
	finish(&t);

	start(&t, NULL);
	request(&t, "/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}");
	respond(&t, 429, "application/json", err, 1, 100);
	assert_non_null(e = llm_event(t.h));
	assert_string_equal(str(e, "error.type"), "429");
	assert_string_equal(str(e, "error.api_type"), "rate_limit_error");
	assert_string_equal(str(e, "error.code"), "rate_limit_exceeded");
	finish(&t);

	start(&t, NULL); /* read until close, and the client went away first */
	request(&t, "/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,\"messages\":[]}");
	harness_feed(t.h, 1, head, strlen(head), t.ts + 5 * MS, false);
	harness_end(t.h);
	assert_non_null(e = llm_event(t.h));
	assert_true(json_is_true(json_object_get(e, "complete")));
	xdpi_llm__stats(t.l, &st);
	assert_int_equal(st.usage_missing, 1);
	finish(&t);

	start(&t, NULL); /* a chunked stream cut short */
	request(&t, "/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,\"messages\":[]}");
	head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
	harness_feed(t.h, 1, head, strlen(head), t.ts + 5 * MS, false);
	harness_end(t.h);
	assert_non_null(e = llm_event(t.h));
	assert_string_equal(str(e, "error.type"), "aborted");
	xdpi_llm__stats(t.l, &st);
	assert_int_equal(st.aborted, 1);
	finish(&t);
}

/* OpenAI's Responses API streamed: typed events, the usage inside response.completed. */
static void test_responses_api_stream(void **state)
{
	static const char *const sse[] = {
		"event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\","
		"\"model\":\"gpt-5\",\"status\":\"in_progress\",\"usage\":null}}\n\n",
		"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hel\"}\n\n",
		"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"lo\"}\n\n",
		"event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\","
		"\"model\":\"gpt-5\",\"status\":\"completed\",\"usage\":{\"input_tokens\":17,\"output_tokens\":2,"
		"\"input_tokens_details\":{\"cached_tokens\":5}}}}\n\n",
	};
	struct call_test t;
	json_t *e;

	(void)state;
	start(&t, NULL);
	request(&t, "/v1/responses", "{\"model\":\"gpt-5\",\"stream\":true,\"input\":\"say hello\","
		    "\"max_output_tokens\":20}");
	respond(&t, 200, "text/event-stream", sse, 4, 9);
	assert_non_null(e = llm_event(t.h));
	assert_string_equal(str(e, "response.model"), "gpt-5");
	assert_string_equal(str(e, "response.id"), "resp_1");
	assert_int_equal(num(e, "usage.input_tokens"), 17);
	assert_int_equal(num(e, "usage.cache_read_tokens"), 5);
	assert_int_equal(num(e, "usage.output_tokens"), 2);
	assert_int_equal(num(e, "request.max_tokens"), 20);
	assert_int_equal(num(e, "completion.bytes"), 5);
	assert_int_equal(num(e, "time_to_first_token_ms"), 110);
	assert_null(json_object_get(e, "error"));
	finish(&t);
}

/* A response body under Content-Encoding (deflate: zlib's format), as hosted APIs send JSON. */
static void test_encoded_response(void **state)
{
	const char *json = "{\"model\":\"gpt-z\",\"usage\":{\"prompt_tokens\":41,\"completion_tokens\":2}}";
	unsigned char z[256];
	uLongf zlen = sizeof(z);
	char head[256];
	struct call_test t;
	json_t *e;
	int n;

	(void)state;
	assert_int_equal(compress2(z, &zlen, (const Bytef *)json, strlen(json), 9), Z_OK);
	start(&t, NULL);
	request(&t, "/v1/chat/completions", "{\"model\":\"gpt-z\",\"messages\":[]}");
	n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
					 "Content-Encoding: deflate\r\nContent-Length: %lu\r\n\r\n",
		     (unsigned long)zlen);
	harness_feed(t.h, 1, head, (size_t)n, t.ts + MS, false);
	for (uLongf off = 0; off < zlen; off += 5) /* in pieces */
		harness_feed(t.h, 1, z + off, zlen - off < 5 ? zlen - off : 5, t.ts + 2 * MS, false);
	assert_non_null(e = llm_event(t.h));
	assert_int_equal(num(e, "usage.input_tokens"), 41);
	assert_string_equal(str(e, "response.model"), "gpt-z");
	finish(&t);
}

static void test_what_is_not_a_call(void **state)
{
	static const char *const body[] = { "{\"ok\":true}" };
	struct call_test t;
	struct xdpi_llm_stats st;

	(void)state;
	start(&t, NULL);
	request(&t, "/v1/chat/completions-export", "{\"model\":\"m\"}"); /* another path */
	respond(&t, 200, "application/json", body, 1, 100);
	request(&t, "/v1/chat/completions", "[1,2,3]"); /* not an API request */
	respond(&t, 200, "application/json", body, 1, 100);
	request(&t, "/api/generate", "{\"prompt\":\"no model named\"}");
	respond(&t, 200, "application/json", body, 1, 100);
	assert_null(llm_event(t.h));
	xdpi_llm__stats(t.l, &st);
	assert_int_equal(st.calls, 0);
	assert_int_equal(st.unconfirmed, 2);
	finish(&t);
}

static void test_invisible_characters_and_content(void **state)
{
	static const char *const body[] = { "{\"model\":\"m\",\"choices\":[{\"message\":{\"content\":\"ok\"}}]}" };
	struct xdpi_llm_cfg cfg = { .content = true };
	struct call_test t;
	json_t *e;

	(void)state;
	start(&t, &cfg);
	/* a zero-width space (escaped) and a tag character (raw UTF-8) in the second message */
	request(&t, "/v1/chat/completions",
		"{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"plain\"},"
		"{\"role\":\"user\",\"content\":\"hi\\u200bthere \xf3\xa0\x81\x81\"}]}");
	respond(&t, 200, "application/json", body, 1, 5);
	assert_non_null(e = llm_event(t.h));
	assert_int_equal(num(e, "prompt.invisible_chars"), 2);
	assert_string_equal(str(e, "prompt.invisible_place"), "messages[1]");
	assert_string_equal(str(e, "completion.text"), "ok");
	assert_non_null(strstr(str(e, "prompt.text"), "plain\nhi"));
	finish(&t);
}

/* ---- prices, cost, exposition ---- */

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/xdpi-llm-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_prices_and_cost(void **state)
{
	struct xdpi_llm_prices p;
	char err[256];
	char *path;
	static const char *const body[] = {
		"{\"model\":\"gpt-4o-mini-2024\",\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":500000,"
		"\"prompt_tokens_details\":{\"cached_tokens\":200000}}}" };
	struct call_test t;
	json_t *e;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	path = write_tmp("# model in out\ngpt-4o-mini* 0.15 0.60 0.075\n\nclaude-* 3 15 0.3 3.75\n");
	assert_int_equal(xdpi_llm_prices_load(&p, path, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(p.n, 2);
	assert_non_null(xdpi_llm_price_find(&p, "claude-sonnet-4"));
	assert_null(xdpi_llm_price_find(&p, "llama3"));

	struct xdpi_llm_cfg cfg = { .prices = &p };

	start(&t, &cfg);
	request(&t, "/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[]}");
	respond(&t, 200, "application/json", body, 1, 50);
	assert_non_null(e = llm_event(t.h));
	/* 800k plain input at 0.15, 200k cached at 0.075, 500k output at 0.60 */
	assert_float_equal(json_real_value(json_object_get(e, "cost_usd")), 0.12 + 0.015 + 0.30, 1e-9);
	out = open_memstream(&buf, &len);
	xdpi_llm__expose(t.l, out);
	fclose(out);
	assert_non_null(strstr(buf, "gen_ai_client_token_usage_bucket{gen_ai_operation_name=\"chat\","
				    "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o-mini\","
				    "gen_ai_response_model=\"gpt-4o-mini-2024\",server_address=\"api.openai.com\""));
	assert_non_null(strstr(buf, "gen_ai_token_type=\"output\",le=\"+Inf\"} 1\n"));
	assert_non_null(strstr(buf, "gen_ai_client_operation_duration_seconds_count{"));
	assert_non_null(strstr(buf, "xdpi_gen_ai_cost_usd_total{caller=\"\","
				    "gen_ai_request_model=\"gpt-4o-mini-2024\"} 0.435\n"));
	free(buf);
	finish(&t);
	xdpi_llm_prices_free(&p);

	path = write_tmp("gpt-4o 0.15\n");
	assert_int_equal(xdpi_llm_prices_load(&p, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1:12: missing output price"));
	unlink(path);
	path = write_tmp("\n  gpt-4o 0.15 -1\n");
	assert_int_equal(xdpi_llm_prices_load(&p, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2:15: output price '-1' is not a non-negative number"));
	unlink(path);
	path = write_tmp("gpt-4o 1 2 3 4 5\n");
	assert_int_equal(xdpi_llm_prices_load(&p, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1:16: unexpected text after the prices"));
	unlink(path);
}

static void test_luhn(void **state)
{
	(void)state;
	assert_true(xdpi_luhn_ok((const uint8_t *)"4111 1111 1111 1111", 19));
	assert_true(xdpi_luhn_ok((const uint8_t *)"378282246310005", 15));
	assert_false(xdpi_luhn_ok((const uint8_t *)"4111 1111 1111 1112", 19));
	assert_false(xdpi_luhn_ok((const uint8_t *)"5678 9012 3456", 14)); /* too short for a card */
	assert_false(xdpi_luhn_ok((const uint8_t *)"4111x1111 1111 1111", 19));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jscan_paths_and_splits),
		cmocka_unit_test(test_jscan_errors),
		cmocka_unit_test(test_openai_stream),
		cmocka_unit_test(test_anthropic_stream_counts_the_cache),
		cmocka_unit_test(test_ollama_ndjson_in_small_pieces),
		cmocka_unit_test(test_no_usage_error_and_abort),
		cmocka_unit_test(test_responses_api_stream),
		cmocka_unit_test(test_encoded_response),
		cmocka_unit_test(test_what_is_not_a_call),
		cmocka_unit_test(test_invisible_characters_and_content),
		cmocka_unit_test(test_prices_and_cost),
		cmocka_unit_test(test_luhn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
