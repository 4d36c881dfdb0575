// SPDX-License-Identifier: GPL-2.0
/* Engine: user-space counting, and the kernel-backed mode through a fake fast path. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>
#include "xdpi/decode.h"
#include "xdpi/engine.h"
#include "../lib/pktbuild.h"

#define S XDPI_NS_PER_SEC

struct events {
	json_t *ev[32];
	int n;
};

static int collect(void *ctx, const char *json, size_t len)
{
	struct events *e = ctx;
	json_error_t err;

	assert_true(e->n < 32);
	e->ev[e->n] = json_loadb(json, len, 0, &err);
	if (!e->ev[e->n])
		fail_msg("bad event JSON: %s", err.text);
	e->n++;
	return 0;
}

static void events_free(struct events *e)
{
	for (int i = 0; i < e->n; i++)
		json_decref(e->ev[i]);
}

static json_int_t flow_field(json_t *ev, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(ev, "flow"), k));
}

static struct xdpi_engine_cfg cfg(struct events *e)
{
	struct xdpi_engine_cfg c = {
		.max_flows = 64,
		.timeouts = { .new_ns = 30 * S, .established_ns = 300 * S, .closed_ns = 10 * S },
		.emit = collect,
		.emit_ctx = e,
	};

	return c;
}

/* A packet; KERNEL: copied by the kernel, its flow steered STEER. */
static void feed_as(struct xdpi_engine *eng, const struct pkt_spec *s, uint64_t ts, bool kernel,
		    uint8_t steer)
{
	uint8_t buf[512];
	struct xdpi_pkt p = { .data = buf, .ts_ns = ts, .kernel_seen = kernel, .steer = steer };

	p.cap_len = p.orig_len = (uint32_t)pkt_build(s, buf, sizeof(buf));
	xdpi_engine__packet(eng, &p);
}

static void feed(struct xdpi_engine *eng, const struct pkt_spec *s, uint64_t ts, bool kernel)
{
	feed_as(eng, s, ts, kernel, 0);
}

static void feed_steered(struct xdpi_engine *eng, const struct pkt_spec *s, uint64_t ts, uint8_t steer)
{
	feed_as(eng, s, ts, true, steer);
}

static void test_engine_counts_flows_in_user_space(void **state)
{
	struct events e = { 0 };
	struct xdpi_engine_cfg c = cfg(&e);
	struct xdpi_engine *eng = xdpi_engine__new(&c);
	struct pkt_spec q = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 3333, .dport = 53, .payload = "query", .plen = 5 };
	struct pkt_spec r = q;

	(void)state;
	r.src = q.dst, r.dst = q.src, r.sport = 53, r.dport = 3333;
	feed(eng, &q, 1 * S, false);
	feed(eng, &r, 2 * S, false);
	feed(eng, &q, 3 * S, false);
	xdpi_engine__tick(eng, 100 * S);
	assert_int_equal(e.n, 0); /* established UDP: 300 s */
	xdpi_engine__tick(eng, 303 * S);
	assert_int_equal(e.n, 1);
	assert_string_equal(json_string_value(json_object_get(e.ev[0], "src_ip")), "198.18.0.1");
	assert_int_equal(json_integer_value(json_object_get(e.ev[0], "dest_port")), 53);
	assert_int_equal(flow_field(e.ev[0], "pkts_toserver"), 2);
	assert_int_equal(flow_field(e.ev[0], "pkts_toclient"), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e.ev[0], "flow"), "reason")), "timeout");
	xdpi_engine__free(eng);
	events_free(&e);
}

/* ---- a fake fast path ---- */
struct fake_kernel {
	struct xdpi_flow_key key[4];
	struct xdpi_flow_value val[4];
	bool live[4];
	int n;
	int step; /* entries a sweep step visits at most (0: all) */
	uint32_t budget; /* the last step's budget the engine asked for */
	/* the last block_addr call */
	uint8_t block_family;
	uint8_t block_addr[16];
	uint64_t block_expires;
	uint32_t block_rule;
	/* the last msg_hint call */
	struct xdpi_msg_hint hint;
	int hints;
};

static int fake_counters(void *kctx, uint64_t out[XDPI_CNT_MAX])
{
	(void)kctx;
	memset(out, 0, sizeof(uint64_t) * XDPI_CNT_MAX);
	out[XDPI_CNT_PKTS] = 1234;
	out[XDPI_CNT_LOSS_RINGBUF_FULL] = 5;
	return 0;
}

/* A pass from where the last stopped; with k->step, a step visits at most that many entries
 * (a map too large for one tick's step, in small). */
static int fake_sweep(void *kctx, xdpi_kflow_fn fn, xdpi_kflow_ahead_fn ahead, void *ctx,
		      struct xdpi_kflow_sweep *s)
{
	struct fake_kernel *k = kctx;
	int from = 0, visited = 0;

	if (s)
		k->budget = s->budget;
	if (s && s->midway)
		memcpy(&from, s->cursor, sizeof(from));
	for (int i = from; i < k->n; i++)
		if (ahead && k->live[i])
			ahead(ctx, &k->key[i], i & 1); /* both stages, on keys present or not */
	for (int i = from; i < k->n; i++) {
		if (s && k->step && visited == k->step) {
			memcpy(s->cursor, &i, sizeof(i));
			s->midway = true;
			return 0;
		}
		if (!k->live[i])
			continue;
		visited++;
		if (fn(ctx, &k->key[i], &k->val[i]))
			k->live[i] = false;
	}
	if (s)
		s->midway = false;
	return 1;
}

static int fake_block(void *kctx, uint8_t family, const uint8_t *addr, uint64_t expires_ns,
		      uint32_t rule_id)
{
	struct fake_kernel *k = kctx;

	k->block_family = family;
	memcpy(k->block_addr, addr, 16);
	k->block_expires = expires_ns;
	k->block_rule = rule_id;
	return 0;
}

static int fake_bypass(void *kctx, const struct xdpi_flow_key *key, uint64_t not_after_ns,
		       struct xdpi_flow_value *before)
{
	struct fake_kernel *k = kctx;

	for (int i = 0; i < k->n; i++)
		if (!memcmp(&k->key[i], key, sizeof(*key))) {
			if (not_after_ns && k->val[i].first_ns > not_after_ns)
				return -ESTALE;
			*before = k->val[i];
			k->val[i].steer = XDPI_STEER_BYPASS;
			return 0;
		}
	return -ENOENT;
}

static int fake_hint(void *kctx, const struct xdpi_flow_key *key, const struct xdpi_msg_hint *h)
{
	struct fake_kernel *k = kctx;

	(void)key;
	k->hint = *h;
	k->hints++;
	return 0;
}

static const struct xdpi_kernel_ops fake_ops = {
	.read_counters = fake_counters,
	.sweep_flows = fake_sweep,
	.block_addr = fake_block,
	.bypass_flow = fake_bypass,
	.msg_hint = fake_hint,
};

/* The test configuration with the fake kernel K behind it. */
static struct xdpi_engine_cfg kernel_cfg(struct events *e, struct fake_kernel *k)
{
	struct xdpi_engine_cfg c = cfg(e);

	c.kops = &fake_ops;
	c.kctx = k;
	return c;
}

/* A client's packet of a kernel flow (what the fake kernel's entries are made from). */
static const struct pkt_spec HTTP_GET = { .family = 4, .proto = 6, .src = "198.18.0.1",
					  .dst = "198.18.0.2", .sport = 4000, .dport = 80,
					  .tcp_flags = 0x18, .payload = "GET", .plen = 3 };

static void add_kflow(struct fake_kernel *k, const struct pkt_spec *s, uint64_t last, uint64_t pkts)
{
	uint8_t buf[512];
	struct xdpi_pkt p = { .data = buf };
	struct xdpi_decoded d;
	int i = k->n++;

	p.cap_len = p.orig_len = (uint32_t)pkt_build(s, buf, sizeof(buf));
	xdpi_decode(&p, &d);
	k->val[i].initiator = xdpi_flow_key_from(&d, &k->key[i]);
	k->val[i].pkts[0] = pkts;
	k->val[i].pkts[1] = pkts + 1;
	k->val[i].bytes[0] = pkts * 100;
	k->val[i].bytes[1] = (pkts + 1) * 100;
	k->val[i].first_ns = 1 * S;
	k->val[i].last_ns = last;
	k->val[i].tcp_flags[0] = k->val[i].tcp_flags[1] = 0x1b;
	k->val[i].steer = XDPI_STEER_HEAD;
	k->live[i] = true;
}

static void test_engine_kernel_flows_end_with_kernel_counters(void **state)
{
	struct events e = { 0 };
	struct fake_kernel k = { 0 };
	struct xdpi_engine_cfg c = kernel_cfg(&e, &k);
	struct xdpi_engine *eng;
	struct pkt_spec a = HTTP_GET;
	struct pkt_spec b = a;
	json_t *st;

	(void)state;
	b.sport = 4001;
	add_kflow(&k, &a, 2 * S, 10);  /* closed (FIN both ways): ends after 10 s */
	add_kflow(&k, &b, 50 * S, 3);
	eng = xdpi_engine__new(&c);
	feed(eng, &a, 2 * S, true); /* a snippet of flow a reached user space */
	xdpi_engine__tick(eng, 20 * S);
	assert_int_equal(e.n, 1);
	assert_false(k.live[0]);
	assert_true(k.live[1]);
	assert_int_equal(flow_field(e.ev[0], "pkts_toserver"), 10);
	assert_int_equal(flow_field(e.ev[0], "pkts_toclient"), 11);
	assert_int_equal(flow_field(e.ev[0], "bytes_toclient"), 1100);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e.ev[0], "xdpi"), "counted_by")), "kernel");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e.ev[0], "xdpi"), "pkts_inspected")), 1);
	xdpi_engine__finish(eng);
	assert_int_equal(e.n, 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e.ev[1], "flow"), "reason")), "shutdown");
	xdpi_engine__emit_stats(eng, 60 * S);
	st = json_object_get(e.ev[2], "stats");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "capture"), "kernel_drops")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(st, "xdpi"), "kernel"), "pkts")), 1234);
	xdpi_engine__free(eng);
	events_free(&e);
}

static void feed_flow_ended(struct xdpi_engine *eng, const struct fake_kernel *k, int i, uint64_t ts)
{
	struct xdpi_flow_ended r = { .key = k->key[i], .val = k->val[i] };
	struct xdpi_pkt p = { .data = (const uint8_t *)&r, .cap_len = sizeof(r), .ts_ns = ts,
			      .kernel_seen = true, .flow_ended = true };

	xdpi_engine__packet(eng, &p);
}

static const char *flow_reason(json_t *ev)
{
	return json_string_value(json_object_get(json_object_get(ev, "flow"), "reason"));
}

/* A sweep that takes more than a tick (a large map, in small: a step of one entry): idle
 * flows end as their step reaches them, and a flow gone from the kernel's map ends only when
 * a whole pass has not seen it, not at a step that never looked. */
static void test_engine_sweep_in_steps(void **state)
{
	struct events e = { 0 };
	struct fake_kernel k = { .step = 1 };
	struct xdpi_engine_cfg c = kernel_cfg(&e, &k);
	struct xdpi_engine *eng;
	struct pkt_spec a = HTTP_GET, b = HTTP_GET, gone = HTTP_GET;

	(void)state;
	b.sport = 4001;
	gone.sport = 4002;
	add_kflow(&k, &a, 2 * S, 10);  /* closed: ends 10 s after its last packet */
	add_kflow(&k, &b, 2 * S, 3);
	add_kflow(&k, &gone, 2 * S, 1);
	eng = xdpi_engine__new(&c);
	feed(eng, &gone, 2 * S, true); /* user space holds it ... */
	k.live[2] = false;            /* ... and the kernel's LRU took its entry */
	xdpi_engine__tick(eng, 20 * S); /* step 1: a */
	assert_int_equal(e.n, 1);
	assert_false(k.live[0]);
	assert_true(k.live[1]);
	xdpi_engine__tick(eng, 21 * S); /* step 2: b; the pass is not over */
	assert_int_equal(e.n, 2);
	assert_false(k.live[1]);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_KERNEL_FLOWS_MISSING], 0);
	xdpi_engine__tick(eng, 22 * S); /* the map's end: now the missing flow ends */
	assert_int_equal(e.n, 3);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_KERNEL_FLOWS_MISSING], 1);
	assert_int_equal(flow_field(e.ev[2], "pkts_toserver"), 1);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_KERNEL_FLOWS_ENDED], 2);
	xdpi_engine__finish(eng);
	assert_int_equal(e.n, 3);
	xdpi_engine__free(eng);
	events_free(&e);
}

/* A step's budget: an eighth of the map's size until a pass has counted the entries, then a
 * quarter of that count where smaller, never under XDPI_SWEEP_MIN; the engine asks the kernel
 * for it and counts every entry a pass visits (a finishing pass has none: it is whole). */
static void test_engine_sweep_budget_follows_the_flows(void **state)
{
	struct events e = { 0 };
	struct fake_kernel k = { 0 };
	struct xdpi_engine_cfg c = kernel_cfg(&e, &k);
	struct xdpi_engine *eng;
	struct pkt_spec a = HTTP_GET, b = HTTP_GET;

	(void)state;
	assert_int_equal(xdpi_kflow_sweep_budget(262144, 0), 32768);      /* no pass yet */
	assert_int_equal(xdpi_kflow_sweep_budget(262144, 62000), XDPI_SWEEP_MIN);
	assert_int_equal(xdpi_kflow_sweep_budget(262144, 100000), 25000);
	assert_int_equal(xdpi_kflow_sweep_budget(262144, 262144), 32768); /* never above size's */
	assert_int_equal(xdpi_kflow_sweep_budget(4096, 0), XDPI_SWEEP_MIN);
	assert_int_equal(xdpi_kflow_sweep_budget(1u << 20, 300000), 75000);
	b.sport = 4001;
	add_kflow(&k, &a, 2 * S, 3);
	add_kflow(&k, &b, 2 * S, 3);
	c.max_flows = 1u << 20;
	eng = xdpi_engine__new(&c);
	xdpi_engine__tick(eng, 3 * S); /* both live: a whole pass counts 2 */
	assert_int_equal(k.budget, (1u << 20) / 8);
	xdpi_engine__tick(eng, 4 * S);
	assert_int_equal(k.budget, XDPI_SWEEP_MIN);
	xdpi_engine__finish(eng);
	assert_int_equal(k.budget, 0);
	xdpi_engine__free(eng);
	events_free(&e);
}

/* The kernel renewed a closed flow's entry for a new connection on its tuple: the old
 * connection's record ends at once with the counts the kernel sent, the new one starts
 * apart (its own record, from what the entry holds now); a flow user space never saw gets
 * its record too. */
static void test_engine_renewed_kernel_flow_ends_with_old_counts(void **state)
{
	struct events e = { 0 };
	struct fake_kernel k = { 0 };
	struct xdpi_engine_cfg c = kernel_cfg(&e, &k);
	struct xdpi_engine *eng;
	struct pkt_spec a = HTTP_GET;
	struct pkt_spec syn = a, b = a;

	(void)state;
	syn.tcp_flags = 0x02, syn.payload = NULL, syn.plen = 0;
	b.sport = 4001;
	add_kflow(&k, &a, 2 * S, 10); /* closed (FIN both ways) */
	add_kflow(&k, &b, 2 * S, 4);
	eng = xdpi_engine__new(&c);
	feed(eng, &a, 2 * S, true);
	feed_flow_ended(eng, &k, 0, 3 * S);
	assert_int_equal(e.n, 1);
	assert_string_equal(flow_reason(e.ev[0]), "tcp_reuse");
	assert_int_equal(flow_field(e.ev[0], "pkts_toserver"), 10);
	assert_int_equal(flow_field(e.ev[0], "pkts_toclient"), 11);
	memset(k.val[0].pkts, 0, sizeof(k.val[0].pkts) + sizeof(k.val[0].bytes));
	k.val[0].pkts[k.val[0].initiator] = 1; /* the entry now: the new connection's SYN */
	k.val[0].bytes[k.val[0].initiator] = 54;
	k.val[0].tcp_flags[0] = k.val[0].tcp_flags[1] = 0;
	k.val[0].tcp_flags[k.val[0].initiator] = 0x02;
	k.val[0].first_ns = k.val[0].last_ns = 3 * S;
	feed(eng, &syn, 3 * S, true);
	feed_flow_ended(eng, &k, 1, 3 * S); /* never seen in user space */
	assert_int_equal(e.n, 2);
	assert_string_equal(flow_reason(e.ev[1]), "tcp_reuse");
	assert_int_equal(flow_field(e.ev[1], "pkts_toserver"), 4);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_KERNEL_FLOWS_RENEWED], 2);
	k.live[1] = false; /* its new connection's entry since gone (evicted) */
	xdpi_engine__finish(eng);
	assert_int_equal(e.n, 3); /* the new connection, apart */
	assert_string_equal(flow_reason(e.ev[2]), "shutdown");
	assert_int_equal(flow_field(e.ev[2], "pkts_toserver"), 1);
	assert_int_equal(flow_field(e.ev[2], "pkts_toclient"), 0);
	xdpi_engine__free(eng);
	events_free(&e);
}

/* A bulk flow's bypass, decided at the sweep, is refused by a kernel entry that a new
 * connection on the tuple took over meanwhile (its first_ns later than the flow user space
 * holds): the new connection stays steered, the decision counted as failed. */
static void test_engine_bypass_spares_a_renewed_entry(void **state)
{
	struct events e = { 0 };
	struct fake_kernel k = { 0 };
	struct xdpi_engine_cfg c = kernel_cfg(&e, &k);
	struct xdpi_engine *eng;
	struct pkt_spec a = HTTP_GET;

	(void)state;
	add_kflow(&k, &a, 50 * S, 10); /* 2100 bytes */
	k.val[0].tcp_flags[0] = k.val[0].tcp_flags[1] = 0x18;
	c.bypass_bytes = 1000;
	eng = xdpi_engine__new(&c);
	feed(eng, &a, 2 * S, true); /* user space's flow: from 2 s */
	k.val[0].first_ns = 3 * S;  /* the entry: a connection since 3 s */
	xdpi_engine__tick(eng, 20 * S);
	assert_int_equal(k.val[0].steer, XDPI_STEER_HEAD);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_BYPASS_FAILED], 1);
	k.val[0].first_ns = 2 * S; /* its own connection: bypassed at the next sweep */
	xdpi_engine__tick(eng, 21 * S);
	assert_int_equal(k.val[0].steer, XDPI_STEER_BYPASS);
	xdpi_engine__free(eng);
	events_free(&e);
}

/* The slow path's verdicts reach the fast path: a block with its deadline on the fast path's
 * clock and the engine's rule; a bulk flow bypassed at the sweep, whose record then reports
 * what came after under flow.bypassed; an engine without a kernel says it cannot. */
static void test_engine_verdicts_reach_the_kernel(void **state)
{
	struct events e = { 0 };
	struct fake_kernel k = { 0 };
	struct xdpi_engine_cfg c = kernel_cfg(&e, &k);
	struct xdpi_engine *eng, *offline;
	struct pkt_spec a = HTTP_GET;
	const uint8_t src[16] = { 198, 18, 0, 9 };
	json_t *flow;

	(void)state;
	add_kflow(&k, &a, 50 * S, 10); /* 2100 bytes so far */
	k.val[0].tcp_flags[0] = k.val[0].tcp_flags[1] = 0x18; /* still open */
	c.bypass_bytes = 1000;
	eng = xdpi_engine__new(&c);
	feed(eng, &a, 2 * S, true);
	assert_int_equal(xdpi_engine__block_source(eng, 4, src, 30 * S, 0), 0);
	assert_int_equal(k.block_family, 4);
	assert_memory_equal(k.block_addr, src, 16);
	assert_int_equal(k.block_expires, 32 * S);
	assert_int_equal(k.block_rule, XDPI_RULE_ENGINE);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_BLOCKS], 1);
	xdpi_engine__tick(eng, 20 * S); /* the sweep sees 2100 bytes >= 1000: bypass */
	assert_int_equal(k.val[0].steer, XDPI_STEER_BYPASS);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_BYPASSES], 1);
	k.val[0].pkts[1] += 40; /* what the kernel counts while bypassed */
	k.val[0].bytes[1] += 40000;
	xdpi_engine__finish(eng);
	flow = json_object_get(e.ev[e.n - 1], "flow");
	assert_string_equal(json_string_value(json_object_get(flow, "bypass")), "capture");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(flow, "bypassed"),
							     "pkts_toclient")), 40);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(flow, "bypassed"),
							     "bytes_toclient")), 40000);
	assert_int_equal(flow_field(e.ev[e.n - 1], "pkts_toclient"), 51);
	xdpi_engine__free(eng);
	c.kops = NULL;
	offline = xdpi_engine__new(&c);
	assert_int_equal(xdpi_engine__block_source(offline, 4, src, 0, 0), -EOPNOTSUPP);
	assert_int_equal(xdpi_engine__counters(offline)[XDPI_ECNT_BLOCK_FAILED], 1);
	xdpi_engine__free(offline);
	events_free(&e);
}

static void test_engine_counts_malformed_by_reason(void **state)
{
	struct events e = { 0 };
	struct xdpi_engine_cfg c = cfg(&e);
	struct xdpi_engine *eng = xdpi_engine__new(&c);
	uint8_t junk[20] = { 0 };
	struct xdpi_pkt p = { .data = junk, .cap_len = 20, .orig_len = 20 };

	(void)state;
	junk[12] = 0x08; /* IPv4 ethertype, then only 6 bytes */
	assert_int_equal(xdpi_engine__packet(eng, &p), -EINVAL);
	assert_int_equal(xdpi_engine__counters(eng)[XDPI_ECNT_INVALID], 1);
	assert_int_equal(xdpi_engine__reasons(eng)[XDPI_REASON_IPV4_TRUNC], 1);
	xdpi_engine__free(eng);
}

/* h2c: an HTTP/1.1 Upgrade answered by 101, the server's HTTP/2 frames in the same segment as
 * the 101: http hands the flow over at the right byte and http2 reads the response. */
static void test_engine_h2c_upgrade_hands_over_mid_segment(void **state)
{
	static const char req[] = "GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
				  "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n";
	static const char resp101[] = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
				      "Upgrade: h2c\r\n\r\n";
	/* SETTINGS (empty), then HEADERS on stream 1: END_STREAM|END_HEADERS, ":status: 200" */
	static const uint8_t h2[] = { 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5, 0, 0, 0, 1, 0x88 };
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0";
	uint8_t server[sizeof(resp101) - 1 + sizeof(h2)];
	struct events e = { 0 };
	struct xdpi_engine_cfg c = cfg(&e);
	struct xdpi_engine *eng = xdpi_engine__new(&c);
	struct pkt_spec a = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 40000, .dport = 8080, .tcp_flags = 0x18, .seq = 1000, .ack = 5000,
			      .payload = req, .plen = sizeof(req) - 1 };
	struct pkt_spec b = { .family = 4, .proto = 6, .src = "198.18.0.2", .dst = "198.18.0.1",
			      .sport = 8080, .dport = 40000, .tcp_flags = 0x18, .seq = 5000,
			      .ack = 1000 + sizeof(req) - 1, .payload = server, .plen = sizeof(server) };
	int h1 = -1, h2s = -1;

	(void)state;
	memcpy(server, resp101, sizeof(resp101) - 1);
	memcpy(server + sizeof(resp101) - 1, h2, sizeof(h2));
	feed(eng, &a, 1 * S, false);
	feed(eng, &b, 2 * S, false);
	a.seq += sizeof(req) - 1, a.payload = preface, a.plen = sizeof(preface) - 1;
	feed(eng, &a, 3 * S, false);
	xdpi_engine__finish(eng);
	for (int i = 0; i < e.n; i++) {
		json_t *h = json_object_get(e.ev[i], "http");
		const char *proto = json_string_value(json_object_get(h, "protocol"));

		if (proto && !strcmp(proto, "HTTP/1.1"))
			h1 = i;
		else if (proto && !strcmp(proto, "HTTP/2"))
			h2s = i;
	}
	assert_true(h1 >= 0 && h2s >= 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e.ev[h1], "http"), "status")), 101);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e.ev[h2s], "http"), "status")), 200);
	assert_string_equal(json_string_value(json_object_get(e.ev[e.n - 1], "app_proto")), "http2");
	xdpi_engine__free(eng);
	events_free(&e);
}

/* Port reuse: SYN, FIN both ways, then a new SYN on the same tuple: two flow records. */
/* One TLS library record as the probes write it: the header, then the bytes. */
static void plain(struct xdpi_engine *eng, uint32_t pid, uint8_t dir, bool server_side,
		  const char *text, uint32_t len, uint64_t ts)
{
	uint8_t buf[sizeof(struct xdpi_plain_hdr) + 512];
	struct xdpi_plain_hdr h = { .pid = pid, .dir = dir, .lib = XDPI_PLAIN_OPENSSL,
				    .len = len, .copied = (uint32_t)strlen(text), .ts_ns = ts };
	struct xdpi_pkt p = { .data = buf, .ts_ns = ts, .plaintext = true };
	uint32_t cli = htonl(0xc6120001), srv = htonl(0xc6120002); /* 198.18.0.1, .2 */

	h.sk.family = 4, h.sk.proto = 6;
	h.sk.laddr[0] = server_side ? srv : cli, h.sk.raddr[0] = server_side ? cli : srv;
	h.sk.lport = server_side ? 443 : 40000, h.sk.rport = server_side ? 40000 : 443;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), text, h.copied);
	p.cap_len = p.orig_len = (uint32_t)(sizeof(h) + h.copied);
	xdpi_engine__packet(eng, &p);
}

/* TLS plaintext: the client's records make an HTTP transaction on the TLS flow (the flow the
 * wire showed: its SYN), marked with their origin; the server's process, probed too, is the
 * other end and left out (counted); a record without a socket is counted, not guessed. */
static void test_engine_tls_plaintext(void **state)
{
	struct events e = { 0 };
	struct xdpi_engine_cfg c = cfg(&e);
	struct xdpi_engine *eng = xdpi_engine__new(&c);
	struct pkt_spec syn = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
				.sport = 40000, .dport = 443, .tcp_flags = 0x02, .seq = 1 };
	static const char req[] = "GET /api/v1 HTTP/1.1\r\nHost: lab\r\n\r\n";
	static const char resp[] = "HTTP/1.1 204 No Content\r\n\r\n";
	const uint64_t *cnt;
	json_t *http = NULL;

	(void)state;
	feed(eng, &syn, 1 * S, false);
	plain(eng, 11, 0, false, req, sizeof(req) - 1, 2 * S);   /* the client writes */
	plain(eng, 22, 1, true, req, sizeof(req) - 1, 2 * S);    /* the server reads it too */
	plain(eng, 11, 1, false, resp, sizeof(resp) - 1, 3 * S); /* the client reads */
	xdpi_engine__finish(eng);
	for (int i = 0; i < e.n; i++)
		if (!strcmp(json_string_value(json_object_get(e.ev[i], "event_type")), "http"))
			http = e.ev[i];
	assert_non_null(http);
	assert_string_equal(json_string_value(json_object_get(json_object_get(http, "http"), "url")),
			    "/api/v1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(http, "http"), "status")),
			 204);
	{
		json_t *o = json_object_get(json_object_get(http, "xdpi"), "plaintext");

		assert_string_equal(json_string_value(json_object_get(o, "source")), "openssl");
		assert_int_equal(json_integer_value(json_object_get(o, "pid")), 11);
		assert_null(json_object_get(o, "midway")); /* the wire showed its SYN */
	}
	assert_int_equal(json_integer_value(json_object_get(http, "src_port")), 40000);
	cnt = xdpi_engine__counters(eng);
	assert_int_equal(cnt[XDPI_ECNT_PLAIN_CHUNKS], 3);
	assert_int_equal(cnt[XDPI_ECNT_PLAIN_OTHER_END], 1);
	assert_int_equal(cnt[XDPI_ECNT_PLAIN_FLOW_UNSEEN], 0);
	xdpi_engine__free(eng);
	events_free(&e);
}

static void test_engine_tcp_reuse_starts_a_new_record(void **state)
{
	struct events e = { 0 };
	struct xdpi_engine_cfg c = cfg(&e);
	struct xdpi_engine *eng = xdpi_engine__new(&c);
	struct pkt_spec cl = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
			       .sport = 40000, .dport = 80, .tcp_flags = 0x02 };
	struct pkt_spec sv = cl;
	int flows = 0;

	(void)state;
	sv.src = cl.dst, sv.dst = cl.src, sv.sport = 80, sv.dport = 40000;
	feed(eng, &cl, 1 * S, false);
	sv.tcp_flags = 0x12, feed(eng, &sv, 1 * S, false);
	cl.tcp_flags = 0x11, feed(eng, &cl, 2 * S, false);
	sv.tcp_flags = 0x11, feed(eng, &sv, 2 * S, false);
	cl.tcp_flags = 0x02, feed(eng, &cl, 3 * S, false); /* the same tuple, a new connection */
	xdpi_engine__finish(eng);
	for (int i = 0; i < e.n; i++) {
		if (strcmp(json_string_value(json_object_get(e.ev[i], "event_type")), "flow"))
			continue;
		if (++flows == 1) {
			assert_string_equal(json_string_value(json_object_get(json_object_get(e.ev[i], "flow"), "reason")), "tcp_reuse");
			assert_int_equal(flow_field(e.ev[i], "pkts_toserver"), 2);
		} else {
			assert_int_equal(flow_field(e.ev[i], "pkts_toserver"), 1);
		}
	}
	assert_int_equal(flows, 2);
	xdpi_engine__free(eng);
	events_free(&e);
}

/* A datagram stream nobody understands (both sides heard): the kernel is told to copy
 * neither direction any more, as for a stream; it goes on counting. */
static void test_engine_unknown_datagrams_stop_being_copied(void **state)
{
	struct events e = { 0 };
	struct fake_kernel k = { 0 };
	struct xdpi_engine_cfg c = kernel_cfg(&e, &k);
	struct pkt_spec a = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 40000, .dport = 40001, .plen = 40 };
	struct pkt_spec b = a;
	uint8_t junk[40];
	struct xdpi_engine *eng;
	int dns;

	(void)state;
	memset(junk, 0xee, sizeof(junk));
	a.payload = b.payload = (const char *)junk;
	b.src = a.dst, b.dst = a.src, b.sport = a.dport, b.dport = a.sport;
	eng = xdpi_engine__new(&c);
	feed_steered(eng, &a, 1 * S, XDPI_STEER_MSG);
	assert_int_equal(k.hints, 0); /* one side heard: undecided */
	feed_steered(eng, &b, 2 * S, XDPI_STEER_MSG);
	assert_int_equal(k.hints, 2);
	assert_int_equal(k.hint.mode[0], XDPI_MSG_SKIP);
	assert_int_equal(k.hint.mode[1], XDPI_MSG_SKIP);
	assert_int_equal(k.hint.not_after_ns, 1 * S); /* about the connection from 1 s */
	xdpi_engine__finish(eng);
	assert_string_equal(json_string_value(json_object_get(e.ev[e.n - 1], "app_proto")), "failed");
	xdpi_engine__free(eng);
	events_free(&e);
	/* DNS asks for every byte: a datagram flow is copied whole without a word, none sent */
	memset(&e, 0, sizeof(e));
	k.hints = 0;
	eng = xdpi_engine__new(&c);
	a.dport = 53;
	a.payload = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01" "a\x00\x00\x01\x00\x01";
	a.plen = 19;
	feed_steered(eng, &a, 1 * S, XDPI_STEER_MSG);
	assert_int_equal(k.hints, 0);
	xdpi_engine__finish(eng);
	for (dns = 0; dns < e.n; dns++)
		if (!strcmp(json_string_value(json_object_get(e.ev[dns], "event_type")), "dns"))
			break;
	assert_true(dns < e.n); /* and read as DNS */
	xdpi_engine__free(eng);
	events_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_counts_flows_in_user_space),
		cmocka_unit_test(test_engine_kernel_flows_end_with_kernel_counters),
		cmocka_unit_test(test_engine_sweep_in_steps),
		cmocka_unit_test(test_engine_sweep_budget_follows_the_flows),
		cmocka_unit_test(test_engine_renewed_kernel_flow_ends_with_old_counts),
		cmocka_unit_test(test_engine_bypass_spares_a_renewed_entry),
		cmocka_unit_test(test_engine_counts_malformed_by_reason),
		cmocka_unit_test(test_engine_verdicts_reach_the_kernel),
		cmocka_unit_test(test_engine_h2c_upgrade_hands_over_mid_segment),
		cmocka_unit_test(test_engine_tcp_reuse_starts_a_new_record),
		cmocka_unit_test(test_engine_tls_plaintext),
		cmocka_unit_test(test_engine_unknown_datagrams_stop_being_copied),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
