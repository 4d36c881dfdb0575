// SPDX-License-Identifier: GPL-2.0
/* Per-endpoint API metrics: routes from operator templates (patterns and an OpenAPI file,
 * the most literal match winning) and from identifiers; the cardinality budgets; the
 * exception conditions' grammar and errors; an error-ratio alert that fires once, stays
 * quiet while it holds and resolves when the window clears; a latency quantile alert; the
 * exposition's series; and the delivery queue retrying with backoff and counting losses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "xdpi/api.h"
#include "xdpi/llm.h"
#include "xdpi/sendq.h"

#define SEC 1000000000ull

static const char *route(const struct xdpi_api_routes *r, const char *path)
{
	static char out[160];

	xdpi_api_route(r, path, out, sizeof(out));
	return out;
}

static void test_auto_templates(void **state)
{
	(void)state;
	assert_string_equal(route(NULL, "/users/42/orders?page=2"), "/users/{int}/orders");
	assert_string_equal(route(NULL, "/v1/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
			    "/v1/items/{uuid}");
	assert_string_equal(route(NULL, "/blob/0123456789abcdef0123"), "/blob/{hex}");
	assert_string_equal(route(NULL, "/s/aZ9_kLmN0pQrStUvWxYz12"), "/s/{token}");
	assert_string_equal(route(NULL, "/static/app.css"), "/static/app.css");
	assert_string_equal(route(NULL, "http://example.com/a/7"), "/a/{int}");
	assert_string_equal(route(NULL, "/"), "/");
	assert_string_equal(route(NULL, "*"), "*");
	assert_string_equal(route(NULL, "example.com:443"), "other");
	assert_string_equal(route(NULL, NULL), "unknown");
	assert_string_equal(route(NULL, "/helloworld.Greeter/SayHello"), "/helloworld.Greeter/SayHello");
}

static void test_operator_templates(void **state)
{
	struct xdpi_api_routes *r = xdpi_api_routes__new();
	const char *why = NULL;
	char err[256];
	FILE *f;

	(void)state;
	assert_int_equal(xdpi_api_routes__add(r, "/users/{id}", &why), 0);
	assert_int_equal(xdpi_api_routes__add(r, "/users/me", &why), 0);
	assert_int_equal(xdpi_api_routes__add(r, "/users/{id}/orders/{order}", &why), 0);
	assert_int_equal(xdpi_api_routes__add(r, "users", &why), -1);
	assert_non_null(strstr(why, "starts with '/'"));
	assert_int_equal(xdpi_api_routes__add(r, "/a/x{id}", &why), -1);
	assert_string_equal(route(r, "/users/alice"), "/users/{id}");
	assert_string_equal(route(r, "/users/me"), "/users/me"); /* the literal one wins */
	assert_string_equal(route(r, "/users/7/orders/abc"), "/users/{id}/orders/{order}");
	assert_string_equal(route(r, "/users/7/cart"), "/users/{int}/cart"); /* none: automatic */
	xdpi_api_routes__free(r);

	/* an OpenAPI document under a server's base path */
	f = fopen("/tmp/xdpi-test-openapi.yaml", "w");
	assert_non_null(f);
	fputs("openapi: 3.0.0\ninfo: {title: shop, version: '1'}\n"
	      "servers:\n  - url: https://shop.example/api/v2\n"
	      "paths:\n  /carts/{cartId}:\n    get: {}\n  /carts/{cartId}/items:\n    post: {}\n", f);
	fclose(f);
	r = xdpi_api_routes__new();
	assert_int_equal(xdpi_api_routes__load(r, "/tmp/xdpi-test-openapi.yaml", err, sizeof(err)), 0);
	assert_int_equal(xdpi_api_routes__count(r), 2);
	assert_string_equal(route(r, "/api/v2/carts/c-19/items"), "/api/v2/carts/{cartId}/items");
	xdpi_api_routes__free(r);

	/* a pattern list with a bad line: file:line:col */
	f = fopen("/tmp/xdpi-test-routes.txt", "w");
	fputs("# routes\n/a/{id}\n\n  /b/c{x}\n", f);
	fclose(f);
	r = xdpi_api_routes__new();
	assert_int_equal(xdpi_api_routes__load(r, "/tmp/xdpi-test-routes.txt", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "xdpi-test-routes.txt:4:3: a parameter must be a whole segment"));
	xdpi_api_routes__free(r);

	/* broken YAML, and YAML without paths */
	f = fopen("/tmp/xdpi-test-openapi.yaml", "w");
	fputs("openapi: 3.0.0\npaths:\n  /a: [\n", f);
	fclose(f);
	r = xdpi_api_routes__new();
	assert_int_equal(xdpi_api_routes__load(r, "/tmp/xdpi-test-openapi.yaml", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "xdpi-test-openapi.yaml:4:1:"));
	xdpi_api_routes__free(r);
	f = fopen("/tmp/xdpi-test-openapi.yaml", "w");
	fputs("{\"openapi\": \"3.0.0\"}\n", f);
	fclose(f);
	r = xdpi_api_routes__new();
	assert_int_equal(xdpi_api_routes__load(r, "/tmp/xdpi-test-openapi.yaml", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no \"paths\" mapping"));
	xdpi_api_routes__free(r);
	unlink("/tmp/xdpi-test-openapi.yaml");
	unlink("/tmp/xdpi-test-routes.txt");
}

static void test_conditions(void **state)
{
	struct xdpi_api_cond c;
	char err[128];

	(void)state;
	assert_int_equal(xdpi_api_cond_parse("error_ratio > 5% for 1m", &c, err, sizeof(err)), 0);
	assert_int_equal(c.measure, XDPI_API_ERROR_RATIO);
	assert_true(c.threshold > 0.0499 && c.threshold < 0.0501);
	assert_int_equal(c.window_ns, 60 * SEC);
	assert_int_equal(c.min_requests, 10);
	assert_int_equal(xdpi_api_cond_parse("p99.9>250ms for 30s min 50", &c, err, sizeof(err)), 0);
	assert_int_equal(c.measure, XDPI_API_LATENCY_Q);
	assert_true(c.quantile > 0.9989 && c.quantile < 0.9991);
	assert_true(c.threshold > 0.2499 && c.threshold < 0.2501);
	assert_int_equal(c.min_requests, 50);
	assert_int_equal(xdpi_api_cond_parse("p99 > 20 for 1m", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "9: a latency needs its unit: us, ms or s");
	assert_int_equal(xdpi_api_cond_parse("errors > 5", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "1: expected error_ratio, a latency quantile such as p99, or an llm_ measure");
	assert_int_equal(xdpi_api_cond_parse("error_ratio > 150% for 1m", &c, err, sizeof(err)), -1);
	assert_int_equal(xdpi_api_cond_parse("error_ratio > 0.1 for 5", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "24: a window needs its unit: s, m or h, as in 60s or 1m");
	assert_int_equal(xdpi_api_cond_parse("error_ratio > 0.1 for 1m min 0", &c, err, sizeof(err)), -1);
	assert_int_equal(xdpi_api_cond_parse("error_ratio > 0.1 for 1m x", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "26: unexpected text after the condition");
}

struct seen {
	int firing, resolved;
	double last_value;
	char route[160];
};

static void on_alert(void *ctx, const struct xdpi_api_alert *a)
{
	struct seen *s = ctx;

	if (a->firing)
		s->firing++;
	else
		s->resolved++;
	s->last_value = a->value;
	snprintf(s->route, sizeof(s->route), "%s", a->route);
}

/* LLM conditions watch calls per (client, provider, model), apart from the API endpoints. */
static void test_llm_conditions(void **state)
{
	struct xdpi_api_cfg cfg = { .route_budget = 10 };
	struct xdpi_llm_record r = { .provider = "openai", .request_model = "gpt-x",
				     .caller = "198.18.0.1", .usage_known = true, .input_tokens = 400,
				     .output_tokens = 200, .cost_usd = 0.01, .ttft_s = -1, .status = 200 };
	struct seen s = { 0 };
	struct xdpi_api *a;
	char err[128], *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	assert_int_equal(xdpi_api_cond_parse("llm_tokens > 1000 for 1m", &cfg.conds[0], err, sizeof(err)), 0);
	assert_int_equal(cfg.conds[0].min_requests, 1);
	assert_int_equal(xdpi_api_cond_parse("llm_429_ratio > 30% for 1m min 2", &cfg.conds[1], err, sizeof(err)), 0);
	assert_int_equal(xdpi_api_cond_parse("llm_ttft_p95 > 2s for 5m", &cfg.conds[2], err, sizeof(err)), 0);
	assert_int_equal(cfg.conds[2].measure, XDPI_API_LLM_TTFT_Q);
	assert_int_equal(xdpi_api_cond_parse("llm_cost > 0.5 for 1h", &cfg.conds[3], err, sizeof(err)), 0);
	cfg.nconds = 4;
	assert_int_equal(xdpi_api_cond_parse("llm_price > 1 for 1m", &cfg.conds[4], err, sizeof(err)), -1);
	assert_string_equal(err, "1: expected llm_tokens, llm_cost, llm_429_ratio or llm_ttft_pNN");
	assert_non_null(a = xdpi_api__new(&cfg));
	xdpi_api__record_llm(a, &r, 1 * SEC, NULL, on_alert, &s);
	assert_int_equal(s.firing, 0); /* 600 tokens */
	xdpi_api__record_llm(a, &r, 2 * SEC, NULL, on_alert, &s);
	assert_int_equal(s.firing, 1); /* 1200 tokens in the minute */
	assert_string_equal(s.route, "gpt-x");
	r.status = 429, r.usage_known = false, r.cost_usd = -1;
	xdpi_api__record_llm(a, &r, 3 * SEC, NULL, on_alert, &s);
	assert_int_equal(s.firing, 2); /* one call in three rate limited: 33% > 30% */
	assert_true(s.last_value > 0.33 && s.last_value < 0.34);
	xdpi_api__tick(a, 200 * SEC, on_alert, &s);
	assert_int_equal(s.resolved, 2); /* both windows emptied */
	out = open_memstream(&buf, &len);
	xdpi_api__expose(a, out);
	fclose(out);
	assert_null(strstr(buf, "xdpi_api_requests_total{")); /* no RED series for calls */
	assert_non_null(strstr(buf, "condition=\"llm_tokens > 1000 for 1m\",state=\"firing\"} 1"));
	free(buf);
	xdpi_api__free(a);
}

static void tx_at(struct xdpi_api *a, uint64_t ts, const char *path, int status, uint64_t lat_ns,
		  struct seen *s)
{
	struct xdpi_api_tx tx = { .host = "Shop.Example:8080", .port = 8080, .method = "GET",
				  .path = path, .status = status, .grpc_status = -1,
				  .latency_ns = lat_ns, .ts = ts };

	xdpi_api__record(a, &tx, NULL, on_alert, s);
}

static void test_error_ratio_alert(void **state)
{
	struct xdpi_api_cfg cfg = { .nconds = 1 };
	struct seen s = { 0 };
	struct xdpi_api *a;
	char err[128];

	(void)state;
	assert_int_equal(xdpi_api_cond_parse("error_ratio > 20% for 60s min 10", &cfg.conds[0], err,
					     sizeof(err)), 0);
	a = xdpi_api__new(&cfg);
	for (int i = 0; i < 20; i++) /* healthy: 20 OK over 20 s */
		tx_at(a, (100 + i) * SEC, "/orders/1", 200, 1000000, &s);
	assert_int_equal(s.firing, 0);
	for (int i = 0; i < 9; i++) /* 9 errors of 29: 31% */
		tx_at(a, (120 + i) * SEC, "/orders/2", 503, 1000000, &s);
	assert_int_equal(s.firing, 1);
	assert_string_equal(s.route, "/orders/{int}");
	for (int i = 0; i < 5; i++) /* still bad: no second alert */
		tx_at(a, (130 + i) * SEC, "/orders/3", 500, 1000000, &s);
	assert_int_equal(s.firing, 1);
	assert_int_equal(s.resolved, 0);
	xdpi_api__tick(a, 150 * SEC, on_alert, &s); /* errors still in the window */
	assert_int_equal(s.resolved, 0);
	xdpi_api__tick(a, 200 * SEC, on_alert, &s); /* the window has emptied */
	assert_int_equal(s.resolved, 1);
	xdpi_api__free(a);
}

static void test_latency_alert_and_exposition(void **state)
{
	struct xdpi_api_cfg cfg = { .nconds = 1 };
	struct seen s = { 0 };
	struct xdpi_api *a;
	char err[128], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(xdpi_api_cond_parse("p90 > 100ms for 10s min 5", &cfg.conds[0], err,
					     sizeof(err)), 0);
	a = xdpi_api__new(&cfg);
	for (int i = 0; i < 4; i++)
		tx_at(a, 10 * SEC + i, "/slow", 200, 400000000, &s);
	assert_int_equal(s.firing, 0); /* 4 requests: below min */
	tx_at(a, 11 * SEC, "/slow", 200, 400000000, &s);
	assert_int_equal(s.firing, 1);
	assert_true(s.last_value > 0.25 && s.last_value <= 0.5); /* inside the 0.25..0.5 bucket */
	tx_at(a, 12 * SEC, "/slow", 0, 0, &s); /* unanswered: status "none" */
	f = open_memstream(&text, &len);
	xdpi_api__expose(a, f);
	fclose(f);
	assert_non_null(strstr(text, "xdpi_api_requests_total{service=\"shop.example:8080\","
				     "method=\"GET\",route=\"/slow\",status_class=\"2xx\"} 5\n"));
	assert_non_null(strstr(text, "status_class=\"none\"} 1\n"));
	assert_non_null(strstr(text, "xdpi_api_request_duration_seconds_bucket{service=\"shop.example:8080\","
				     "method=\"GET\",route=\"/slow\",le=\"0.25\"} 0\n"));
	assert_non_null(strstr(text, "le=\"0.5\"} 5\n"));
	assert_non_null(strstr(text, "le=\"+Inf\"} 5\n"));
	assert_non_null(strstr(text, "xdpi_api_request_duration_seconds_count{service=\"shop.example:8080\","
				     "method=\"GET\",route=\"/slow\"} 5\n"));
	assert_non_null(strstr(text, "xdpi_api_alert_firing{service=\"shop.example:8080\",method=\"GET\","
				     "route=\"/slow\",condition=\"p90 > 100ms for 10s min 5\"} 1\n"));
	free(text);
	xdpi_api__free(a);
}

static void test_budgets(void **state)
{
	struct xdpi_api_cfg cfg = { .route_budget = 3, .service_budget = 2 };
	struct xdpi_api_stats st;
	struct xdpi_api *a = xdpi_api__new(&cfg);
	char path[32], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int i = 0; i < 10; i++) { /* ten words: three routes, then "other" */
		snprintf(path, sizeof(path), "/word%c", 'a' + i);
		tx_at(a, SEC, path, 200, 1000, NULL);
	}
	for (int i = 0; i < 3; i++) {
		struct xdpi_api_tx tx = { .server = "198.18.0.9", .port = (uint16_t)(81 + i),
					  .method = "BREW", .path = "/pot", .status = 418,
					  .grpc_status = -1, .ts = SEC };

		xdpi_api__record(a, &tx, NULL, NULL, NULL);
	}
	xdpi_api__stats(a, &st);
	assert_int_equal(st.transactions, 13);
	assert_int_equal(st.route_overflow, 7);
	assert_int_equal(st.service_overflow, 2); /* :82 and :83 */
	assert_int_equal(st.services, 2);
	f = open_memstream(&text, &len);
	xdpi_api__expose(a, f);
	fclose(f);
	assert_non_null(strstr(text, "route=\"other\",status_class=\"2xx\"} 7\n"));
	assert_non_null(strstr(text, "xdpi_api_route_overflow_total{service=\"shop.example:8080\"} 7\n"));
	assert_non_null(strstr(text, "service=\"198.18.0.9:81\",method=\"OTHER\""));
	assert_non_null(strstr(text, "service=\"other\",method=\"OTHER\""));
	assert_non_null(strstr(text, "xdpi_api_service_overflow_total 2\n"));
	free(text);
	xdpi_api__free(a);
}

/* ---- the delivery queue ---- */

struct fake_peer {
	int fail_first;   /* deliveries that fail before the peer answers */
	int refuse_every; /* every Nth message refused for what it is (0: never) */
	int calls, resets, got;
	char last[32];
};

static int fake_deliver(void *priv, const struct iovec *msg, size_t n)
{
	struct fake_peer *p = priv;

	p->calls++;
	if (p->fail_first > 0) {
		p->fail_first--;
		return -ECONNREFUSED;
	}
	if (p->refuse_every && !strncmp(msg[0].iov_base, "bad", 3))
		return -EBADMSG;
	snprintf(p->last, sizeof(p->last), "%.*s", (int)msg[n - 1].iov_len,
		 (const char *)msg[n - 1].iov_base);
	p->got += (int)n;
	return (int)n;
}

static void fake_reset(void *priv)
{
	((struct fake_peer *)priv)->resets++;
}

static const struct xdpi_sendq_ops fake_ops = { .deliver = fake_deliver, .reset = fake_reset };

static void wait_delivered(struct xdpi_sendq *q, uint64_t want)
{
	struct xdpi_sendq_stats st;

	for (int i = 0; i < 2000; i++) { /* 10 s deadline */
		xdpi_sendq__stats(q, &st);
		if (st.delivered + st.failed >= want)
			return;
		usleep(5000);
	}
	fail_msg("only %llu of %llu delivered", (unsigned long long)st.delivered,
		 (unsigned long long)want);
}

static void test_sendq_retries(void **state)
{
	struct xdpi_sendq_cfg cfg = { .name = "test", .capacity = 8, .batch = 4,
				      .backoff_min_ms = 10, .backoff_max_ms = 40 };
	struct fake_peer peer = { .fail_first = 3 };
	struct xdpi_sendq_stats st;
	struct xdpi_sendq *q = xdpi_sendq__new(&cfg, &fake_ops, &peer);
	char msg[16];

	(void)state;
	for (int i = 0; i < 8; i++) {
		snprintf(msg, sizeof(msg), "m%d", i);
		assert_int_equal(xdpi_sendq__push(q, msg, strlen(msg)), 0);
	}
	wait_delivered(q, 8);
	xdpi_sendq__free(q, &st);
	assert_int_equal(st.delivered, 8);
	assert_int_equal(st.retries, 3);
	assert_int_equal(peer.resets, 3);
	assert_int_equal(peer.got, 8);
	assert_string_equal(peer.last, "m7"); /* in order */
}

static void test_sendq_full_and_refused(void **state)
{
	struct xdpi_sendq_cfg cfg = { .name = "test", .capacity = 4, .max_attempts = 2,
				      .backoff_min_ms = 10, .drain_ms = 100 };
	struct fake_peer peer = { .fail_first = 1000000, .refuse_every = 1 };
	struct xdpi_sendq_stats st;
	struct xdpi_sendq *q = xdpi_sendq__new(&cfg, &fake_ops, &peer);
	int refused = 0;

	(void)state;
	for (int i = 0; i < 50; i++) /* a dead peer: the queue fills, pushes are refused */
		refused += xdpi_sendq__push(q, "x", 1) == -ENOBUFS;
	assert_true(refused >= 40);
	wait_delivered(q, 4); /* each given up after 2 attempts */
	xdpi_sendq__stats(q, &st);
	assert_int_equal(st.dropped_full, (uint64_t)refused);
	assert_true(st.failed >= 4);
	assert_int_equal(st.delivered, 0);
	peer.fail_first = 0; /* the peer is back; it refuses a bad message outright */
	assert_int_equal(xdpi_sendq__push(q, "bad", 3), 0);
	assert_int_equal(xdpi_sendq__push(q, "good", 4), 0);
	wait_delivered(q, 1);
	xdpi_sendq__free(q, &st);
	assert_int_equal(st.delivered, 1);
	assert_string_equal(peer.last, "good");
	assert_int_equal(st.queued + st.dropped_full, 52);
	assert_int_equal(st.queued, st.delivered + st.failed + st.lost_at_close);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_templates),
		cmocka_unit_test(test_operator_templates),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_llm_conditions),
		cmocka_unit_test(test_error_ratio_alert),
		cmocka_unit_test(test_latency_alert_and_exposition),
		cmocka_unit_test(test_budgets),
		cmocka_unit_test(test_sendq_retries),
		cmocka_unit_test(test_sendq_full_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
