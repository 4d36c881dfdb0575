// SPDX-License-Identifier: GPL-2.0
/* The engine: decode, fragment attribution, flow table, flow records; and, when the kernel
 * counts packets, the sweep that ends flows from the kernel's flow map. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "xdpi/bytes.h"
#include "xdpi/decode.h"
#include "xdpi/defrag.h"
#include "xdpi/context.h"
#include "xdpi/engine.h"
#include "xdpi/frag_memo.h"
#include "xdpi/eve.h"
#include "xdpi/log.h"
#include "l7.h"
#include "xdpi/appid.h"
#include "shared/xdpi_flow_rules.h"

#define FRAG_CACHE_SIZE 4096 /* direct-mapped: a collision only loses an attribution */
#define TCP_SYN 0x02
#define TCP_FIN 0x01
#define TCP_RST 0x04
#define TCP_ACK 0x10

struct xdpi_engine {
	struct xdpi_engine_cfg cfg;
	struct flow_table *ft;
	struct xdpi_eve_ctx eve;
	struct xdpi_json json;
	uint64_t cnt[XDPI_ECNT_MAX];
	uint64_t reasons[XDPI_REASON_MAX];
	uint64_t risk_flows[XDPI_RISK_MAX]; /* flow records that carried each risk */
	uint64_t max_pkt_size;
	uint64_t first_ts, now;
	uint32_t sweep_gen;     /* the kernel sweep's pass (a flow it visited carries it) */
	struct xdpi_kflow_sweep sweep;
	uint32_t pass_visits;   /* entries the pass under way has visited so far */
	uint32_t pass_flows;    /* entries the last whole pass visited (0: none done yet) */
	bool finishing;
	struct l7_engine l7;
	struct xdpi_kernel_rules *kernel_rules; /* detection rules the XDP maps count */
	struct xdpi_anomaly *anomaly;
	struct xdpi_defrag *defrag;
	struct xdpi_frag_memo *frags; /* later IP fragments' ports */
	pthread_mutex_t totals_lock;
	struct xdpi_engine_totals totals; /* the counters as of the last tick, for other threads */
};

_Static_assert(XDPI_MAX_DISSECTORS <= XDPI_ENGINE_APPS, "every dissector's flows in the totals");

static void emit(struct xdpi_engine *e)
{
	if (e->json.oom || !e->cfg.emit || e->cfg.emit(e->cfg.emit_ctx, e->json.buf, e->json.len))
		e->cnt[XDPI_ECNT_EVENTS_FAILED]++;
}

static int emit_json(void *ctx)
{
	emit(ctx);
	return 0;
}

/* ---- verdicts into the fast path ---- */

int xdpi_engine__block_source(struct xdpi_engine *e, uint8_t family, const uint8_t *src,
			      uint64_t ttl_ns, uint32_t rule_id)
{
	const struct xdpi_kernel_ops *k = e->cfg.kops;
	int err = k && k->block_addr ? k->block_addr(e->cfg.kctx, family, src, ttl_ns ?
			e->now + ttl_ns : 0, rule_id ? rule_id : XDPI_RULE_ENGINE) : -EOPNOTSUPP;

	e->cnt[err ? XDPI_ECNT_BLOCK_FAILED : XDPI_ECNT_BLOCKS]++;
	return err;
}

int xdpi_engine__bypass_flow(struct xdpi_engine *e, struct xdpi_flow *f)
{
	const struct xdpi_kernel_ops *k = e->cfg.kops;
	struct xdpi_flow_value before;
	int err;

	if (f->bypassed)
		return 0;
	if (!xdpi_flow_extra_get(f)) { /* no room to count from: leave the flow as it is */
		e->cnt[XDPI_ECNT_BYPASS_FAILED]++;
		return -ENOMEM;
	}
	/* F's own connection: not one that took its tuple over since (the kernel renewed the
	 * entry; F's record ends when the old counts arrive) */
	err = k && k->bypass_flow ? k->bypass_flow(e->cfg.kctx, &f->key, f->first_ns, &before)
				  : -EOPNOTSUPP;
	if (err) {
		e->cnt[XDPI_ECNT_BYPASS_FAILED]++;
		return err;
	}
	f->bypassed = true;
	memcpy(f->extra->bypass_pkts, before.pkts, sizeof(f->extra->bypass_pkts));
	memcpy(f->extra->bypass_bytes, before.bytes, sizeof(f->extra->bypass_bytes));
	e->cnt[XDPI_ECNT_BYPASSES]++;
	return 0;
}

/* ---- process context ---- */

#define CONTEXT_TRIES 4

static bool context_complete(const struct xdpi_flow *f)
{
	return f->proc && f->proc->side[0].valid && f->proc->side[1].valid;
}

/* Before an event of F: who owns its ends, asked until both are known or CONTEXT_TRIES asks
 * went by (an owner's first send or receive may come after the first packets: a server's
 * after the request's event, when the client's side was already known), and once more at
 * its end. A side once known is kept. */
static void flow_context(struct xdpi_engine *e, struct xdpi_flow *f, bool ending)
{
	struct xdpi_proc_ctx *p;

	if (!f || context_complete(f) || !e->cfg.hooks.flow_context ||
	    (f->proc_tries >= CONTEXT_TRIES && !ending))
		return;
	f->proc_tries++;
	p = e->cfg.hooks.flow_context(e->cfg.hooks.ctx, f);
	if (!p)
		return;
	if (!f->proc) {
		f->proc = p;
		return;
	}
	for (int side = 0; side < 2; side++)
		if (!f->proc->side[side].valid && p->side[side].valid)
			f->proc->side[side] = p->side[side];
	free(p);
}

static void on_event_flow(void *ctx, struct xdpi_flow *f)
{
	flow_context(ctx, f, false);
}

/* ---- detection ---- */

/* An alert: a drop rule first blocks the sender in the fast path, then the event says so. */
static bool on_alert(void *ctx, struct xdpi_alert *a)
{
	struct xdpi_engine *e = ctx;
	bool blocked = false;

	if (a->rule->action == XDPI_RA_DROP && a->flow && e->cfg.kops) {
		const struct xdpi_flow_key *k = &a->flow->key;
		bool sender_a = (a->flow->initiator == 0) == (a->dir == 0);

		blocked = xdpi_engine__block_source(e, k->family,
						    (const uint8_t *)(sender_a ? k->addr_a : k->addr_b),
						    e->cfg.drop_ttl_ns, a->rule->sid) == 0;
	}
	if (a->flow)
		a->flow->alerted = true;
	flow_context(e, a->flow, false);
	xdpi_json_reset(&e->json);
	xdpi_eve_alert(&e->json, &e->eve, a, blocked);
	emit(e);
	e->cnt[XDPI_ECNT_EVENTS_ALERT]++;
	return blocked;
}

static void on_anomaly(void *ctx, const struct xdpi_anomaly_alert *a)
{
	struct xdpi_engine *e = ctx;

	xdpi_json_reset(&e->json);
	xdpi_eve_anomaly(&e->json, &e->eve, a);
	emit(e);
	e->cnt[XDPI_ECNT_EVENTS_ANOMALY]++;
}

/* ---- API metrics ---- */

static void on_api_alert(void *ctx, const struct xdpi_api_alert *a)
{
	struct xdpi_engine *e = ctx;

	if (a->firing) {
		xdpi_json_reset(&e->json);
		xdpi_eve_api_alert(&e->json, &e->eve, a);
		emit(e);
		e->cnt[XDPI_ECNT_EVENTS_API_ALERT]++;
	}
	if (e->cfg.hooks.api_alert)
		e->cfg.hooks.api_alert(e->cfg.hooks.ctx, a);
}

static void on_transaction(void *ctx, struct xdpi_flow *f, struct xdpi_api_tx *tx)
{
	struct xdpi_engine *e = ctx;
	const struct xdpi_flow_key *k = &f->key;
	bool server_b = f->initiator == 0;
	char addr[INET6_ADDRSTRLEN], bracketed[INET6_ADDRSTRLEN + 2];

	tx->port = __builtin_bswap16(server_b ? k->port_b : k->port_a);
	xdpi_addr_str(k->family, server_b ? k->addr_b : k->addr_a, addr, sizeof(addr));
	snprintf(bracketed, sizeof(bracketed), k->family == 6 ? "[%s]" : "%s", addr);
	tx->server = bracketed;
	xdpi_api__record(e->cfg.api, tx, f, on_api_alert, e);
}

/* The caller of an LLM call is its client's container ("docker:51e6a502b1c3") or process
 * ("python3") when the socket hooks know it, else the client's address (as it came). */
static void on_llm_done(void *ctx, struct xdpi_flow *f, uint64_t ts, struct xdpi_llm_record *r)
{
	static _Thread_local char caller[48];
	struct xdpi_engine *e = ctx;
	const struct xdpi_proc_side *p;

	flow_context(e, f, false);
	p = f->proc ? &f->proc->side[f->initiator & 1] : NULL;
	if (p && p->valid && p->container_id[0])
		snprintf(caller, sizeof(caller), "%s:%.12s", p->runtime[0] ? p->runtime : "container",
			 p->container_id);
	else if (p && p->valid && p->comm[0])
		snprintf(caller, sizeof(caller), "%s", p->comm);
	if (p && p->valid && (p->container_id[0] || p->comm[0]))
		r->caller = caller;
	if (e->cfg.api)
		xdpi_api__record_llm(e->cfg.api, r, ts, f, on_api_alert, e);
}

/* Shared detectors (workers): whoever holds the lock reports through its own engine. */
static _Thread_local struct xdpi_engine *anomaly_caller;

void xdpi_engine_shared_anomaly_alert(void *unused, const struct xdpi_anomaly_alert *a)
{
	(void)unused;
	if (anomaly_caller)
		on_anomaly(anomaly_caller, a);
}

static void anomaly_enter(struct xdpi_engine *e)
{
	if (e->cfg.shared_lock)
		pthread_mutex_lock(e->cfg.shared_lock);
	anomaly_caller = e;
}

static void anomaly_leave(struct xdpi_engine *e)
{
	anomaly_caller = NULL;
	if (e->cfg.shared_lock)
		pthread_mutex_unlock(e->cfg.shared_lock);
}

static void on_inspect(void *ctx, struct xdpi_flow *f, uint8_t dir, uint64_t ts,
		       const struct xdpi_inspect *in)
{
	struct xdpi_engine *e = ctx;

	if (e->cfg.detect)
		xdpi_detect__tx(e->cfg.detect, f, dir, ts, in, on_alert, e);
	if (e->anomaly && in->stage == XDPI_STAGE_DNS_QUERY && in->buf[XDPI_BUF_DNS_QUERY]) {
		anomaly_enter(e);
		xdpi_anomaly__dns(e->anomaly, f, (const char *)in->buf[XDPI_BUF_DNS_QUERY],
				  in->len[XDPI_BUF_DNS_QUERY], in->dns_qtype, ts);
		anomaly_leave(e);
	}
}

/* Bytes towards the server, for the volumetric surge detector: each packet when user space
 * counts, the kernel's new bytes at each sweep when the kernel does. */
static void anomaly_bytes(struct xdpi_engine *e, struct xdpi_flow *f, uint64_t to_server)
{
	if (e->anomaly && to_server > f->vol_bytes) {
		anomaly_enter(e);
		xdpi_anomaly__bytes(e->anomaly, f, to_server - f->vol_bytes, e->now);
		anomaly_leave(e);
		f->vol_bytes = to_server;
	}
}

static int read_rule(void *ctx, uint32_t sid, uint64_t *pkts, uint64_t *bytes)
{
	struct xdpi_engine *e = ctx;

	return e->cfg.kops->rule_counters(e->cfg.kctx, sid, pkts, bytes);
}

static void report_kernel_rules(struct xdpi_engine *e)
{
	if (e->kernel_rules && e->cfg.worker == 0) /* one report, whatever the workers */
		xdpi_kernel_rules__report(e->kernel_rules, e->now, read_rule, e, on_alert, e);
}

static void detect_packet(struct xdpi_engine *e, struct xdpi_flow *f, const struct xdpi_decoded *d,
			  uint8_t dir, uint64_t ts)
{
	if (e->cfg.detect)
		xdpi_detect__packet(e->cfg.detect, f, d, dir == f->initiator ? 0 : 1, ts, on_alert, e);
}

/* A dissector's wish for one direction of a MSG flow, into the kernel's hint (written only
 * when it changes: a body asks the same on every packet). */
static void on_steer(void *ctx, struct xdpi_flow *f, uint8_t cdir, uint8_t mode, uint32_t seq,
		     uint32_t budget)
{
	struct xdpi_engine *e = ctx;
	const struct xdpi_kernel_ops *k = e->cfg.kops;
	uint8_t kdir = (cdir ? !f->initiator : f->initiator) & 1;
	struct xdpi_msg_hint h;

	if (!f->kernel || !k || !k->msg_hint || f->steer != XDPI_STEER_MSG || f->bypassed)
		return;
	if (!xdpi_flow_extra_get(f)) {
		e->cnt[XDPI_ECNT_MSG_HINT_FAILED]++; /* the kernel goes on copying: nothing lost */
		return;
	}
	if (mode == XDPI_MSG_COPY && f->key.proto != XDPI_IPPROTO_TCP)
		mode = XDPI_MSG_NONE; /* the kernel copies a datagram whole without a word: said
				       * as none, a flow never told otherwise costs no call */
	h = f->extra->hint;
	if (mode == XDPI_MSG_COPY && h.mode[kdir] == XDPI_MSG_SEQ &&
	    (int32_t)(seq - h.seq[kdir]) >= 0 &&
	    (!h.budget[kdir] || seq - h.seq[kdir] < h.budget[kdir]))
		return; /* past its skip, SEQ copies what comes (within its budget) already */
	h.mode[kdir] = mode;
	h.seq[kdir] = mode == XDPI_MSG_SEQ || mode == XDPI_MSG_H2 ? seq : 0;
	h.budget[kdir] = mode == XDPI_MSG_SEQ ? budget : 0;
	if (!memcmp(&h, &f->extra->hint, sizeof(h)))
		return;
	h.not_after_ns = f->first_ns; /* this connection's: not one that takes the tuple over */
	if (k->msg_hint(e->cfg.kctx, &f->key, &h)) {
		e->cnt[XDPI_ECNT_MSG_HINT_FAILED]++; /* the kernel goes on copying: nothing lost */
		return;
	}
	f->extra->hint = h;
	e->cnt[XDPI_ECNT_MSG_HINTS]++;
}

/* The bypass policy's "nothing more to learn" half. */
static void on_flow_done(void *ctx, struct xdpi_flow *f)
{
	struct xdpi_engine *e = ctx;

	if (e->cfg.bypass_done && f->kernel)
		xdpi_engine__bypass_flow(e, f);
}

/* The flow ends: what its record says about it beyond the application layer's words. An
 * application from a DNS answer for its server when it named none itself; payload one way
 * only (the other side never answered). */
static void flow_end_appid(struct xdpi_engine *e, struct xdpi_flow *f)
{
	uint8_t sv = !f->initiator;
	size_t alen = f->key.family == 6 ? 16 : 4;
	const uint8_t *server = (const uint8_t *)(sv ? f->key.addr_b : f->key.addr_a);
	const struct xdpi_app *app;

	if (!f->app_name && (app = xdpi_dns_names_get(e->l7.dns_names, server, alen))) {
		f->app_name = (uint16_t)(xdpi_apps_index(app) + 1);
		f->app_from = XDPI_APP_DNS;
	}
	if ((f->key.proto == XDPI_IPPROTO_TCP || f->key.proto == XDPI_IPPROTO_UDP) &&
	    f->pkts[f->initiator] && !f->pkts[sv])
		f->risks |= 1u << XDPI_RISK_UNIDIRECTIONAL;
}

static void on_flow_end(void *ctx, struct xdpi_flow *f, enum xdpi_flow_end why)
{
	struct xdpi_engine *e = ctx;

	/* the application layer reports first: its events precede the flow record */
	flow_context(e, f, true);
	if (e->cfg.tls_plaintext && why != XDPI_FLOW_END_ACTIVE && !l7_has_plaintext(f) && f->app_proto &&
	    !strcmp(f->app_proto, "tls"))
		e->cnt[XDPI_ECNT_PLAIN_TLS_WIRE_ONLY]++; /* its TLS library is not one probed */
	char *notes = NULL;

	if (why != XDPI_FLOW_END_ACTIVE) {
		flow_end_appid(e, f);
		if (l7_risk_notes(f)) /* kept past the application layer, for the record */
			notes = strdup(l7_risk_notes(f));
		l7_flow_end(&e->l7, f, f->last_ns);
		xdpi_detect__flow_end(e->cfg.detect, f);
	}
	xdpi_json_reset(&e->json);
	xdpi_eve_flow(&e->json, &e->eve, f, why, notes ? notes : l7_risk_notes(f));
	free(notes);
	for (int r = 0; r < XDPI_RISK_MAX && why != XDPI_FLOW_END_ACTIVE; r++)
		e->risk_flows[r] += (f->risks >> r) & 1;
	emit(e);
	e->cnt[XDPI_ECNT_EVENTS_FLOW]++;
	if (e->cfg.hooks.flow_record)
		e->cfg.hooks.flow_record(e->cfg.hooks.ctx, f, why);
	if (why == XDPI_FLOW_END_ACTIVE) {
		/* the flow goes on: the next record reports what comes after this cut */
		if (xdpi_flow_extra_get(f)) { /* without: the next record counts from the start */
			memcpy(f->extra->base_pkts, f->pkts, sizeof(f->pkts));
			memcpy(f->extra->base_bytes, f->bytes, sizeof(f->bytes));
		}
		f->record_start_ns = f->last_ns;
		return;
	}
	free(f->proc);
	f->proc = NULL;
	if (f->extra) {
		free(f->extra->tun);
		f->extra->tun = NULL;
	}
}

static void put_process(void *ctx, struct xdpi_json *j)
{
	const struct xdpi_flow *f = ctx;

	xdpi_proc_ctx_json(j, f->proc, f->initiator);
}

struct xdpi_engine *xdpi_engine__new(const struct xdpi_engine_cfg *cfg)
{
	struct xdpi_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->eve.wall_offset_ns = cfg->wall_offset_ns;
	e->eve.in_iface = cfg->in_iface;
	e->eve.process_json = put_process;
	xdpi_json_init(&e->json);
	e->l7.reasm.lim.flow_ooo_bytes = 256 * 1024;
	e->l7.reasm.lim.global_ooo_bytes = 256ull << 20;
	e->l7.eve = &e->eve;
	e->l7.json = &e->json;
	e->l7.emit = emit_json;
	e->l7.emit_ctx = e;
	e->l7.flow_done = on_flow_done;
	if (cfg->kops && cfg->kops->msg_hint) { /* offline, every byte is there anyway */
		e->l7.steer = on_steer;
		e->l7.steer_ctx = e;
		e->l7.head_budget = cfg->msg_head_budget ? cfg->msg_head_budget : XDPI_MSG_HEAD_BUDGET;
	}
	e->l7.done_ctx = e;
	if (cfg->shared_anomaly)
		e->anomaly = cfg->shared_anomaly;
	else if (cfg->anomaly && !cfg->anomaly->off &&
		 !(e->anomaly = xdpi_anomaly__new(cfg->anomaly, on_anomaly, e)))
		xdpi_log_warn("anomaly detectors off: out of memory\n");
	e->l7.inspect_stages = (cfg->detect ? xdpi_detect__stages(cfg->detect) : 0) |
			       (e->anomaly ? 1u << XDPI_STAGE_DNS_QUERY : 0);
	e->l7.inspect = e->l7.inspect_stages ? on_inspect : NULL;
	e->l7.inspect_ctx = e;
	e->l7.transaction = cfg->api ? on_transaction : NULL;
	e->l7.llm = cfg->llm;
	e->l7.llm_done = cfg->llm && (cfg->api || cfg->hooks.flow_context) ? on_llm_done : NULL;
	if (cfg->llm && (e->l7.inspect_stages & (1u << XDPI_STAGE_LLM)))
		xdpi_llm__keep_text(cfg->llm, true); /* rules read llm.prompt, llm.completion */
	e->l7.before_event = cfg->hooks.flow_context ? on_event_flow : NULL;
	e->l7.before_event_ctx = e;
	e->l7.transaction_ctx = e;
	if (!cfg->no_dns_names)
		e->l7.dns_names = cfg->shared_dns_names ? cfg->shared_dns_names : xdpi_dns_names_new(4096);
	if (cfg->detect && cfg->kops && cfg->kops->rule_counters)
		e->kernel_rules = xdpi_kernel_rules__new(cfg->detect); /* NULL: no reports, only */
	pthread_mutex_init(&e->totals_lock, NULL);
	e->ft = flow_table__new(cfg->max_flows, &cfg->timeouts, on_flow_end, e);
	e->defrag = xdpi_defrag__new(256, 30 * XDPI_NS_PER_SEC);
	e->frags = xdpi_frag_memo__new(FRAG_CACHE_SIZE);
	if (!e->ft || !e->defrag || !e->frags) {
		int err = errno ? errno : ENOMEM;

		flow_table__free(e->ft);
		xdpi_defrag__free(e->defrag);
		xdpi_frag_memo__free(e->frags);
		pthread_mutex_destroy(&e->totals_lock);
		free(e);
		errno = err;
		return NULL;
	}
	return e;
}

static void free_l7(void *ctx, struct xdpi_flow *f)
{
	struct xdpi_engine *e = ctx;

	l7_flow_end(&e->l7, f, f->last_ns);
	xdpi_detect__flow_end(e->cfg.detect, f);
	free(f->proc);
	f->proc = NULL;
}

void xdpi_engine__free(struct xdpi_engine *e)
{
	if (!e)
		return;
	flow_table__foreach(e->ft, free_l7, e);
	flow_table__free(e->ft);
	xdpi_defrag__free(e->defrag);
	xdpi_frag_memo__free(e->frags);
	xdpi_kernel_rules__free(e->kernel_rules);
	if (!e->cfg.shared_anomaly)
		xdpi_anomaly__free(e->anomaly);
	xdpi_json_free(&e->json);
	pthread_mutex_destroy(&e->totals_lock);
	if (!e->cfg.shared_dns_names)
		xdpi_dns_names_free(e->l7.dns_names);
	free(e);
}

static void count_link(struct xdpi_engine *e, enum xdpi_link link)
{
	static const enum xdpi_engine_counter map[] = {
		[XDPI_LINK_ETHERNET] = XDPI_ECNT_ETHERNET, [XDPI_LINK_SLL] = XDPI_ECNT_SLL,
		[XDPI_LINK_SLL2] = XDPI_ECNT_SLL2,	   [XDPI_LINK_RAW] = XDPI_ECNT_RAW,
		[XDPI_LINK_NULL] = XDPI_ECNT_NULL_LINK,	   [XDPI_LINK_LOOP] = XDPI_ECNT_NULL_LINK,
		[XDPI_LINK_PPP] = XDPI_ECNT_PPP,	   [XDPI_LINK_PPPOE] = XDPI_ECNT_PPP,
		[XDPI_LINK_CHDLC] = XDPI_ECNT_CHDLC,	   [XDPI_LINK_IEEE80211] = XDPI_ECNT_IEEE80211,
		[XDPI_LINK_RADIOTAP] = XDPI_ECNT_IEEE80211,
	};

	if ((size_t)link < sizeof(map) / sizeof(map[0]))
		e->cnt[map[link]]++;
}

/* Each tunnel a packet came through, by type; IP in IP by the two families. */
static void count_tunnels(struct xdpi_engine *e, const struct xdpi_decoded *d)
{
	static const enum xdpi_engine_counter by_type[XDPI_TUN_MAX] = {
		[XDPI_TUN_VXLAN] = XDPI_ECNT_TUN_VXLAN,	  [XDPI_TUN_GENEVE] = XDPI_ECNT_TUN_GENEVE,
		[XDPI_TUN_GRE] = XDPI_ECNT_TUN_GRE,	  [XDPI_TUN_ERSPAN] = XDPI_ECNT_TUN_ERSPAN,
		[XDPI_TUN_GTPU] = XDPI_ECNT_TUN_GTPU,	  [XDPI_TUN_TEREDO] = XDPI_ECNT_TUN_TEREDO,
	};

	if (d->mpls)
		e->cnt[XDPI_ECNT_MPLS]++;
	if (d->gtpc)
		e->cnt[XDPI_ECNT_GTP_SIGNALLING]++;
	for (unsigned t = 1; t < XDPI_TUN_MAX; t++)
		if ((d->tun_seen & (1u << t)) && t != XDPI_TUN_IPIP)
			e->cnt[by_type[t]]++;
	if (d->tun_seen & (1u << XDPI_TUN_IPIP))
		e->cnt[d->outer.family == 4 ? (d->family == 4 ? XDPI_ECNT_IPV4_IN_IPV4 : XDPI_ECNT_IPV6_IN_IPV4)
					    : (d->family == 4 ? XDPI_ECNT_IPV4_IN_IPV6 : XDPI_ECNT_IPV6_IN_IPV6)]++;
}

static void count_layers(struct xdpi_engine *e, const struct xdpi_decoded *d)
{
	count_tunnels(e, d);
	if (d->nvlan)
		e->cnt[d->nvlan > 1 ? XDPI_ECNT_VLAN_QINQ : XDPI_ECNT_VLAN]++;
	e->cnt[d->family == 4 ? XDPI_ECNT_IPV4 : XDPI_ECNT_IPV6]++;
	switch (d->proto) {
	case 6:
		e->cnt[XDPI_ECNT_TCP]++;
		break;
	case 17:
		e->cnt[XDPI_ECNT_UDP]++;
		break;
	case 1:
		e->cnt[XDPI_ECNT_ICMPV4]++;
		break;
	case 58:
		e->cnt[XDPI_ECNT_ICMPV6]++;
		break;
	default:
		e->cnt[XDPI_ECNT_OTHER_L4]++;
	}
}

/* Later fragments carry no ports: take them from their datagram's first fragment. */
static int frag_attribute(struct xdpi_engine *e, struct xdpi_decoded *d)
{
	uint32_t ports;

	if (!xdpi_frag_ported(d))
		return 0;
	if (d->frag == XDPI_DFRAG_FIRST) {
		xdpi_frag_memo__put(e->frags, d, (uint32_t)d->sport << 16 | d->dport);
		return 0;
	}
	e->cnt[XDPI_ECNT_FRAG_LATER]++;
	if (!xdpi_frag_memo__get(e->frags, d, &ports)) {
		e->cnt[XDPI_ECNT_FRAG_UNATTRIBUTED]++;
		return -ENOENT;
	}
	d->sport = (uint16_t)(ports >> 16);
	d->dport = (uint16_t)ports;
	return 0;
}

static void count_new_flow(struct xdpi_engine *e, uint8_t proto)
{
	if (proto == XDPI_IPPROTO_TCP)
		e->cnt[XDPI_ECNT_FLOW_TCP]++;
	else if (proto == XDPI_IPPROTO_UDP)
		e->cnt[XDPI_ECNT_FLOW_UDP]++;
	else if (proto == XDPI_IPPROTO_ICMP)
		e->cnt[XDPI_ECNT_FLOW_ICMPV4]++;
	else if (proto == XDPI_IPPROTO_ICMPV6)
		e->cnt[XDPI_ECNT_FLOW_ICMPV6]++;
}

static void detect_packet(struct xdpi_engine *e, struct xdpi_flow *f, const struct xdpi_decoded *d,
			  uint8_t dir, uint64_t ts);

/* The application layer and the packet rules see whole datagrams: a fragment waits for the
 * rest of its own; one over bytes already held is marked (frag_overlap). */
static void l7_fragment(struct xdpi_engine *e, struct xdpi_flow *f, struct xdpi_decoded *d,
			uint8_t dir, uint64_t ts, uint64_t pcap_cnt)
{
	struct xdpi_decoded whole = *d;
	const uint8_t *l4;
	uint32_t len;
	int rc = xdpi_defrag__add(e->defrag, d, ts, &l4, &len);

	if (rc == XDPI_DEFRAG_OVERLAP)
		d->events |= d->family == 6 ? XDPI_DEV_IPV6_FRAG_OVERLAP : XDPI_DEV_IPV4_FRAG_OVERLAP;
	if (rc != 1)
		return;
	if (xdpi_decode_l4(&whole, l4, len)) {
		e->cnt[XDPI_ECNT_INVALID]++;
		e->reasons[whole.reason < XDPI_REASON_MAX ? whole.reason : 0]++;
		return;
	}
	l7_packet(&e->l7, f, &whole, dir, ts, pcap_cnt);
	whole.l3_hdr = NULL; /* the IP header is the last fragment's, not the datagram's */
	detect_packet(e, f, &whole, dir, ts);
}

/* The tunnel a flow came through, as its first packet seen showed it (events name the outer
 * endpoints; a failed allocation leaves the flow with its key's type and id only). */
static void flow_remember_tunnel(struct xdpi_flow *f, const struct xdpi_decoded *d)
{
	struct xdpi_flow_extra *x = xdpi_flow_extra_get(f);

	if (!x || !(x->tun = malloc(sizeof(*x->tun))))
		return;
	x->tun->outer = d->outer;
	x->tun->id = d->tun_id;
	x->tun->depth = d->tun_depth;
}

/* A SYN (without ACK) on a TCP flow that is closed opens a new connection. Flows counted by
 * the kernel end through its map, whatever user space sees. */
static bool tcp_reuse(const struct xdpi_flow *f, const struct xdpi_decoded *d)
{
	return d->proto == XDPI_IPPROTO_TCP && !f->kernel && f->tcp_state == XDPI_TCP_CLOSED &&
	       (d->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

/* A sample of a packet the fast path dropped: reported, never inspected or counted as seen. */
static int drop_event(struct xdpi_engine *e, const struct xdpi_pkt *pkt)
{
	struct xdpi_decoded d;

	if (xdpi_decode(pkt, &d) || d.family == 0) {
		e->cnt[XDPI_ECNT_DROP_UNDECODED]++;
		return -EINVAL;
	}
	xdpi_json_reset(&e->json);
	xdpi_eve_drop(&e->json, &e->eve, pkt, &d);
	emit(e);
	e->cnt[XDPI_ECNT_EVENTS_DROP]++;
	return 0;
}

/* What a TLS library read or wrote, to the application layer of its socket's flow: the
 * flow the wire made (so the plaintext's events share its flow_id, and its tls event), or one
 * made for it when the wire never showed it (counted). */
static int plaintext_chunk(struct xdpi_engine *e, const struct xdpi_pkt *pkt)
{
	struct xdpi_plain_hdr h;
	struct xdpi_flow_key k;
	struct xdpi_flow *f;
	uint8_t local;
	bool created;

	if (pkt->cap_len < sizeof(h)) {
		e->cnt[XDPI_ECNT_PLAIN_BAD]++;
		return -EINVAL;
	}
	memcpy(&h, pkt->data, sizeof(h));
	if (h.copied > pkt->cap_len - sizeof(h) || (h.sk.family && h.sk.proto != XDPI_IPPROTO_TCP)) {
		e->cnt[XDPI_ECNT_PLAIN_BAD]++;
		return -EINVAL;
	}
	if (!h.sk.family) { /* no socket known for the call: nothing to tie it to */
		e->cnt[XDPI_ECNT_PLAIN_NO_SOCKET]++;
		return 0;
	}
	if (h.join == XDPI_PLAIN_JOIN_THREAD) {
		/* only the thread's last socket: a guess (libraries writing through memory BIOs,
		 * node's and grpcio's, never touch the socket inside the call), never data */
		e->cnt[XDPI_ECNT_PLAIN_UNATTRIBUTED]++;
		return 0;
	}
	if (pkt->ts_ns > e->now)
		e->now = pkt->ts_ns;
	local = xdpi_flow_key_from_sock(&h.sk, &k);
	f = flow_table__get(e->ft, &k, pkt->ts_ns, &created);
	if (!f) {
		e->cnt[XDPI_ECNT_NO_FLOW]++;
		return 0;
	}
	if (created) { /* the connection never crossed what xdpi watches (or before it) */
		f->initiator = xdpi_flow_guess_initiator(&k, local, XDPI_IPPROTO_TCP, 0);
		f->sweep_gen = e->sweep_gen;
		e->cnt[XDPI_ECNT_PLAIN_FLOW_UNSEEN]++;
	}
	e->cnt[XDPI_ECNT_PLAIN_CHUNKS]++;
	e->cnt[XDPI_ECNT_PLAIN_BYTES] += h.len;
	/* who sent these bytes, as the flow's client (0) or server (1): the process wrote them,
	 * or read what its peer sent */
	if (l7_plaintext(&e->l7, f, (local == f->initiator ? 0 : 1) ^ h.dir, &h,
			 pkt->data + sizeof(h), pkt->ts_ns))
		e->cnt[XDPI_ECNT_PLAIN_OTHER_END]++;
	return 0;
}

static int kflow_renewed(struct xdpi_engine *e, const struct xdpi_pkt *pkt);

int xdpi_engine__packet(struct xdpi_engine *e, const struct xdpi_pkt *pkt)
{
	return xdpi_engine__packet_decoded(e, pkt, NULL);
}

int xdpi_engine__packet_decoded(struct xdpi_engine *e, const struct xdpi_pkt *pkt,
				const struct xdpi_decoded *decoded)
{
	struct xdpi_decoded d;
	struct xdpi_flow_key k;
	struct xdpi_flow *f;
	bool created;
	uint8_t dir;

	if (pkt->drop_reason)
		return drop_event(e, pkt);
	if (pkt->plaintext)
		return plaintext_chunk(e, pkt);
	if (pkt->flow_ended)
		return kflow_renewed(e, pkt);
	e->cnt[XDPI_ECNT_PKTS]++;
	e->cnt[XDPI_ECNT_BYTES] += pkt->orig_len;
	if (pkt->snippet)
		e->cnt[XDPI_ECNT_SNIPPETS]++;
	if (pkt->orig_len > e->max_pkt_size)
		e->max_pkt_size = pkt->orig_len;
	if (!e->first_ts)
		e->first_ts = pkt->ts_ns;
	if (pkt->ts_ns > e->now)
		e->now = pkt->ts_ns;
	count_link(e, pkt->link);
	if (decoded)
		d = *decoded;
	else if (xdpi_decode(pkt, &d)) {
		e->cnt[XDPI_ECNT_INVALID]++;
		e->reasons[d.reason < XDPI_REASON_MAX ? d.reason : 0]++;
		if (e->cfg.detect) /* decode-event rules are about exactly these */
			xdpi_detect__invalid_packet(e->cfg.detect, &d, pkt->ts_ns, on_alert, e);
		return -EINVAL;
	}
	if (pkt->payload_skip && d.proto == XDPI_IPPROTO_TCP) {
		/* the kernel copied from a message head inside the payload: these bytes start
		 * that far into the segment */
		d.tcp_seq += pkt->payload_skip;
		d.payload_wire = d.payload_wire > pkt->payload_skip ? d.payload_wire - pkt->payload_skip : 0;
	}
	if (pkt->cap_reason == XDPI_CAP_SLICE && d.proto == XDPI_IPPROTO_TCP &&
	    d.payload_wire > d.payload_len)
		d.payload_wire = d.payload_len; /* the rest of the segment is another record's */
	if (d.family == 0) {
		e->cnt[XDPI_ECNT_NON_IP]++;
		count_tunnels(e, &d);
		return 0;
	}
	count_layers(e, &d);
	if (d.l4_cut)
		e->cnt[XDPI_ECNT_L4_CUT]++;
	if (d.pppoe)
		e->cnt[XDPI_ECNT_PPPOE]++;
	if (frag_attribute(e, &d)) {
		e->cnt[XDPI_ECNT_NO_FLOW]++;
		return 0;
	}
	dir = xdpi_flow_key_from(&d, &k);
	f = flow_table__get(e->ft, &k, pkt->ts_ns, &created);
	if (f && !created && tcp_reuse(f, &d)) { /* a new connection on a closed one's tuple */
		flow_table__end(e->ft, f, XDPI_FLOW_END_REUSE);
		f = flow_table__get(e->ft, &k, pkt->ts_ns, &created);
	}
	if (!f) {
		e->cnt[XDPI_ECNT_NO_FLOW]++;
		return 0;
	}
	if (created) {
		f->initiator = xdpi_flow_guess_initiator(&k, dir, d.proto, d.tcp_flags);
		f->icmp_type = d.icmp_type;
		f->icmp_code = d.icmp_code;
		flow_table__set_kernel(e->ft, f, pkt->kernel_seen && e->cfg.kops);
		f->sweep_gen = e->sweep_gen;
		count_new_flow(e, d.proto);
		if (e->anomaly) {
			anomaly_enter(e);
			xdpi_anomaly__flow_new(e->anomaly, f, pkt->ts_ns);
			anomaly_leave(e);
		}
	}
	if (pkt->kernel_seen)
		f->steer = pkt->steer;
	if (d.tun_depth && !(f->extra && f->extra->tun))
		flow_remember_tunnel(f, &d);
	flow_table__account(e->ft, f, dir, pkt->orig_len, d.tcp_flags, pkt->ts_ns);
	if (d.proto == XDPI_IPPROTO_TCP)
		f->payload[dir & 1] += d.payload_wire;
	if (!f->kernel)
		anomaly_bytes(e, f, f->bytes[f->initiator]);
	if (d.frag != XDPI_DFRAG_NONE)
		l7_fragment(e, f, &d, dir, pkt->ts_ns, pkt->index);
	else if (!d.l4_cut) /* a header cut by the snap length: nothing after it to read */
		l7_packet(&e->l7, f, &d, dir, pkt->ts_ns, pkt->index);
	detect_packet(e, f, &d, dir, pkt->ts_ns); /* after L7: app_proto may be known now */
	if (f->alerted && e->cfg.hooks.alerted_packet)
		e->cfg.hooks.alerted_packet(e->cfg.hooks.ctx, pkt, f);
	return 0;
}

/* ---- kernel-backed flows ---- */

static uint64_t kflow_timeout(const struct xdpi_engine *e, const struct xdpi_flow_key *k,
			      const struct xdpi_flow_value *v)
{
	const struct xdpi_flow_timeouts *t = &e->cfg.timeouts;

	if (k->proto == XDPI_IPPROTO_TCP && xdpi_flow_closed(v->tcp_flags[0], v->tcp_flags[1]))
		return t->closed_ns;
	return v->pkts[0] && v->pkts[1] ? t->established_ns : t->new_ns;
}

/* The kernel keeps only the union of flags per direction: the state follows from it. */
static void kflow_tcp_state(struct xdpi_flow *f, const struct xdpi_flow_value *v)
{
	uint8_t cf = (uint8_t)v->tcp_flags[f->initiator], sf = (uint8_t)v->tcp_flags[!f->initiator];
	enum xdpi_tcp_state s = XDPI_TCP_NONE;

	if ((cf | sf) & TCP_RST || ((cf & TCP_FIN) && (sf & TCP_FIN)))
		s = XDPI_TCP_CLOSED;
	else if (cf & TCP_FIN)
		s = XDPI_TCP_FIN_WAIT1;
	else if (sf & TCP_FIN)
		s = XDPI_TCP_CLOSE_WAIT;
	else if ((cf & TCP_SYN) && (sf & TCP_SYN))
		s = (cf & TCP_ACK) ? XDPI_TCP_ESTABLISHED : XDPI_TCP_SYN_RECV;
	else if (cf & TCP_SYN)
		s = XDPI_TCP_SYN_SENT;
	else if (v->pkts[0] && v->pkts[1])
		s = XDPI_TCP_ESTABLISHED;
	f->tcp_flags[f->initiator] = cf;
	f->tcp_flags[!f->initiator] = sf;
	f->tcp_state = (uint8_t)s;
}

/* F (the table's, or a stand-in) takes kernel entry V's counts and state. */
static void kflow_merge(struct xdpi_engine *e, struct xdpi_flow *f, const struct xdpi_flow_value *v)
{
	memcpy(f->pkts, v->pkts, sizeof(f->pkts));
	memcpy(f->bytes, v->bytes, sizeof(f->bytes));
	if (f->record_start_ns == f->first_ns || !f->record_start_ns)
		f->record_start_ns = v->first_ns;
	/* first_ns names the flow (its flow_id): a flow made from its first copied packet keeps
	 * that packet's time, so its events and its record join; the record starts at the
	 * kernel's first packet (record_start_ns), which may not have been copied */
	if (!f->first_ns)
		f->first_ns = v->first_ns;
	f->last_ns = v->last_ns;
	f->initiator = v->initiator & 1;
	f->icmp_type = v->icmp_type;
	f->icmp_code = v->icmp_code;
	if (v->steer == XDPI_STEER_BYPASS && !f->bypassed && xdpi_flow_extra_get(f)) {
		/* bypassed from outside (xdpi ctl): what came after is counted from here */
		f->bypassed = true;
		memcpy(f->extra->bypass_pkts, v->pkts, sizeof(f->extra->bypass_pkts));
		memcpy(f->extra->bypass_bytes, v->bytes, sizeof(f->extra->bypass_bytes));
	}
	f->steer = v->steer;
	if (!f->kernel) /* a stand-in is one already, and in no table's count */
		flow_table__set_kernel(e->ft, f, true);
	if (f->key.proto == XDPI_IPPROTO_TCP)
		kflow_tcp_state(f, v);
}

/* The sweep visits tens of thousands of flows a second, each a lookup in a table far larger
 * than the cache: their buckets, then their entries, are fetched ahead (stages 0 and 1). Each
 * stage hashes the key again: far cheaper than the cache miss it saves. */
static void kflow_ahead(void *ctx, const struct xdpi_flow_key *k, int stage)
{
	struct xdpi_engine *e = ctx;

	flow_table__prefetch(e->ft, k, stage);
}

/* A record of kernel counts for a flow user space has no table entry for: ends with them. */
static struct xdpi_flow *kflow_standin(struct xdpi_flow *tmp, const struct xdpi_flow_key *k)
{
	memset(tmp, 0, sizeof(*tmp));
	tmp->key = *k;
	tmp->kernel = true;
	return tmp;
}

/* Ends the record of kernel flow K with V, its entry's last counts: F, its table flow, or a
 * stand-in when user space never had one. */
static void kflow_end(struct xdpi_engine *e, struct xdpi_flow *f, const struct xdpi_flow_key *k,
		      const struct xdpi_flow_value *v, enum xdpi_flow_end why)
{
	struct xdpi_flow tmp;

	if (!f)
		f = kflow_standin(&tmp, k);
	f->sweep_gen = e->sweep_gen;
	kflow_merge(e, f, v);
	if (f != &tmp) {
		flow_table__end(e->ft, f, why);
		return;
	}
	on_flow_end(e, f, why);
	free(tmp.extra); /* a record without a table flow: its extra ends with it */
}

/* An active timeout: a record of what the flow did since its last, and the flow goes on
 * (in the table from now, so the next record counts from this one). */
static void kflow_cut(struct xdpi_engine *e, struct xdpi_flow *f, const struct xdpi_flow_key *k,
		      const struct xdpi_flow_value *v)
{
	struct xdpi_flow tmp;
	bool created;

	if (!f)
		f = flow_table__get(e->ft, k, v->first_ns, &created);
	if (!f)
		f = kflow_standin(&tmp, k);
	f->sweep_gen = e->sweep_gen;
	kflow_merge(e, f, v);
	on_flow_end(e, f, XDPI_FLOW_END_ACTIVE);
	if (f == &tmp)
		free(tmp.extra);
}

static bool kflow_visit(void *ctx, const struct xdpi_flow_key *k, const struct xdpi_flow_value *v)
{
	struct xdpi_engine *e = ctx;
	struct xdpi_flow *f;
	bool expired, cut;

	e->pass_visits++; /* the map's entries, every worker's: each costs the copy */
	if (e->cfg.nworkers > 1 && xdpi_flow_worker(k, e->cfg.nworkers) != e->cfg.worker)
		return false; /* another worker's flow */
	f = flow_table__lookup(e->ft, k);
	expired = e->finishing || v->last_ns + kflow_timeout(e, k, v) <= e->now;
	cut = !expired && e->cfg.timeouts.active_ns &&
	      (f ? f->record_start_ns : v->first_ns) + e->cfg.timeouts.active_ns <= e->now;
	if (f) {
		f->sweep_gen = e->sweep_gen;
		anomaly_bytes(e, f, v->bytes[v->initiator & 1]);
	}
	if (f && !expired && e->cfg.bypass_bytes && !f->bypassed &&
	    (v->steer == XDPI_STEER_HEAD || v->steer == XDPI_STEER_SNIP ||
	     v->steer == XDPI_STEER_MSG) &&
	    v->bytes[0] + v->bytes[1] >= e->cfg.bypass_bytes)
		xdpi_engine__bypass_flow(e, f); /* a bulk transfer: nothing more worth copying */
	if (cut)
		kflow_cut(e, f, k, v);
	if (!expired)
		return false;
	e->cnt[XDPI_ECNT_KERNEL_FLOWS_ENDED]++;
	kflow_end(e, f, k, v, e->finishing ? XDPI_FLOW_END_SHUTDOWN : XDPI_FLOW_END_TIMEOUT);
	return true;
}

/* A kernel flow's entry taken over by a new connection on its tuple (a SYN after the old one
 * closed): the old connection's record ends with the counts the entry held, ahead of any
 * record of the new one (the ring keeps the order). */
static int kflow_renewed(struct xdpi_engine *e, const struct xdpi_pkt *pkt)
{
	struct xdpi_flow_ended r;

	if (pkt->cap_len != sizeof(r)) {
		e->cnt[XDPI_ECNT_INVALID]++;
		return -EINVAL;
	}
	memcpy(&r, pkt->data, sizeof(r));
	e->cnt[XDPI_ECNT_KERNEL_FLOWS_RENEWED]++;
	kflow_end(e, flow_table__lookup(e->ft, &r.key), &r.key, &r.val, XDPI_FLOW_END_REUSE);
	return 0;
}

/* User-space flows whose kernel entry vanished (LRU eviction in the kernel map) end with what
 * user space saw of them. */
static void end_if_missing(void *ctx, struct xdpi_flow *f)
{
	struct xdpi_engine *e = ctx;

	if (!f->kernel || f->sweep_gen == e->sweep_gen)
		return;
	e->cnt[XDPI_ECNT_KERNEL_FLOWS_MISSING]++;
	flow_table__set_kernel(e->ft, f, false);
	flow_table__end(e->ft, f, e->finishing ? XDPI_FLOW_END_SHUTDOWN : XDPI_FLOW_END_TIMEOUT);
}

/* A tick's step of the kernel sweep: see xdpi_kflow_sweep_budget. Each flow visited costs the
 * kernel's copy and a lookup here: a whole pass at every tick was two fifths of xdpi's own CPU
 * in host mode on the corpus mix (62,000 flows, bench/efficiency.sh), and grows with the flows
 * held, not the traffic (bench/sweep.c). An idle flow then ends, and a long one is cut, up to
 * XDPI_SWEEP_STEPS seconds late (their records keep their own times), and a flow gone from
 * the kernel (LRU) is found missing at the end of a whole pass. */
uint32_t xdpi_kflow_sweep_budget(size_t max_flows, uint32_t last_pass)
{
	size_t by_size = max_flows / XDPI_SWEEP_STEPS;
	size_t by_flows = last_pass / (XDPI_SWEEP_STEPS / 2); /* room for the flows to double */
	size_t step = last_pass && by_flows < by_size ? by_flows : by_size;

	if (step < XDPI_SWEEP_MIN)
		step = XDPI_SWEEP_MIN;
	return step > UINT32_MAX ? UINT32_MAX : (uint32_t)step;
}

static void kernel_sweep(struct xdpi_engine *e)
{
	struct xdpi_kflow_sweep *s = &e->sweep;
	int r;

	if (!e->cfg.kops || !e->cfg.kops->sweep_flows)
		return;
	if (e->finishing)
		s->midway = false; /* the end: one whole pass, from the start */
	if (!s->midway) {
		e->sweep_gen++;
		e->pass_visits = 0;
	}
	s->budget = e->finishing ? 0 : xdpi_kflow_sweep_budget(e->cfg.max_flows, e->pass_flows);
	r = e->cfg.kops->sweep_flows(e->cfg.kctx, kflow_visit, kflow_ahead, e, s);
	if (r < 0) {
		e->cnt[XDPI_ECNT_KERNEL_SWEEP_ERRORS]++;
		return;
	}
	if (r == 0)
		return; /* the pass goes on at the next tick */
	e->pass_flows = e->pass_visits;
	flow_table__foreach(e->ft, end_if_missing, e);
}

/* The engine's thread copies its counters for other threads (xdpi_engine__totals): built
 * outside the lock, which is held for the copy alone. */
static void publish_totals(struct xdpi_engine *e)
{
	struct xdpi_engine_totals t;

	memcpy(t.cnt, e->cnt, sizeof(t.cnt));
	for (size_t d = 0; d < XDPI_ENGINE_APPS; d++)
		t.app[d] = d < XDPI_MAX_DISSECTORS ? e->l7.flows[d] : 0;
	memcpy(t.ident, e->l7.ident_flows, sizeof(t.ident));
	memcpy(t.risk, e->risk_flows, sizeof(t.risk));
	if (e->cfg.detect)
		memcpy(t.detect, xdpi_detect__counters(e->cfg.detect), sizeof(t.detect));
	else
		memset(t.detect, 0, sizeof(t.detect));
	flow_table__stats(e->ft, &t.flows);
	pthread_mutex_lock(&e->totals_lock);
	e->totals = t;
	pthread_mutex_unlock(&e->totals_lock);
}

void xdpi_engine__totals(struct xdpi_engine *e, struct xdpi_engine_totals *out)
{
	pthread_mutex_lock(&e->totals_lock);
	*out = e->totals;
	pthread_mutex_unlock(&e->totals_lock);
}

void xdpi_engine__tick(struct xdpi_engine *e, uint64_t now)
{
	if (now > e->now)
		e->now = now;
	kernel_sweep(e);
	report_kernel_rules(e);
	if (e->anomaly) {
		anomaly_enter(e);
		xdpi_anomaly__tick(e->anomaly, e->now);
		anomaly_leave(e);
	}
	if (e->cfg.api && e->cfg.worker == 0) /* one clock for the shared table */
		xdpi_api__tick(e->cfg.api, e->now, on_api_alert, e);
	flow_table__expire(e->ft, e->now);
	xdpi_defrag__expire(e->defrag, e->now);
	publish_totals(e);
}

void xdpi_engine__finish(struct xdpi_engine *e)
{
	e->finishing = true;
	kernel_sweep(e);
	report_kernel_rules(e);
	flow_table__flush(e->ft, XDPI_FLOW_END_SHUTDOWN);
	e->finishing = false;
	publish_totals(e);
}

const uint64_t *xdpi_engine__counters(const struct xdpi_engine *e)
{
	return e->cnt;
}

const uint64_t *xdpi_engine__reasons(const struct xdpi_engine *e)
{
	return e->reasons;
}

uint64_t xdpi_engine__app_flows(const struct xdpi_engine *e, size_t d)
{
	return d < XDPI_MAX_DISSECTORS ? e->l7.flows[d] : 0;
}

uint64_t xdpi_engine__ident_flows(const struct xdpi_engine *e, size_t i)
{
	return i < XDPI_IDENTS_MAX ? e->l7.ident_flows[i] : 0;
}

uint64_t xdpi_engine__risk_flows(const struct xdpi_engine *e, size_t r)
{
	return r < XDPI_RISK_MAX ? e->risk_flows[r] : 0;
}

void xdpi_engine__flow_stats(const struct xdpi_engine *e, struct flow_table_stats *st)
{
	flow_table__stats(e->ft, st);
}

const char *xdpi_engine_counter_name(enum xdpi_engine_counter c)
{
	static const char *const names[] = {
#define XDPI_X_NAME(id, name) [XDPI_ECNT_##id] = name,
		XDPI_ENGINE_COUNTERS(XDPI_X_NAME)
#undef XDPI_X_NAME
	};

	return c < XDPI_ECNT_MAX ? names[c] : "unknown";
}

const char *xdpi_kernel_counter_name(enum xdpi_counter c)
{
	static const char *const names[] = {
#define XDPI_X_NAME(id, name) [XDPI_CNT_##id] = name,
		XDPI_COUNTERS(XDPI_X_NAME)
#undef XDPI_X_NAME
	};

	if (c < XDPI_CNT_REASON_BASE)
		return names[c];
	if (c < XDPI_CNT_MAX)
		return xdpi_reason_name((enum xdpi_reason)(c - XDPI_CNT_REASON_BASE));
	return "unknown";
}

/* ---- stats event ---- */

static void stats_decoder(struct xdpi_engine *e, struct xdpi_json *j)
{
	const uint64_t *c = e->cnt;

	xdpi_json_obj_open(j, "decoder");
	xdpi_json_u64(j, "pkts", c[XDPI_ECNT_PKTS]);
	xdpi_json_u64(j, "bytes", c[XDPI_ECNT_BYTES]);
	xdpi_json_u64(j, "invalid", c[XDPI_ECNT_INVALID]);
	xdpi_json_u64(j, "ethernet", c[XDPI_ECNT_ETHERNET]);
	xdpi_json_u64(j, "sll", c[XDPI_ECNT_SLL]);
	xdpi_json_u64(j, "sll2", c[XDPI_ECNT_SLL2]);
	xdpi_json_u64(j, "raw", c[XDPI_ECNT_RAW]);
	xdpi_json_u64(j, "null", c[XDPI_ECNT_NULL_LINK]);
	xdpi_json_u64(j, "ppp", c[XDPI_ECNT_PPP]);
	xdpi_json_u64(j, "pppoe", c[XDPI_ECNT_PPPOE]);
	xdpi_json_u64(j, "chdlc", c[XDPI_ECNT_CHDLC]);
	xdpi_json_u64(j, "vlan", c[XDPI_ECNT_VLAN]);
	xdpi_json_u64(j, "vlan_qinq", c[XDPI_ECNT_VLAN_QINQ]);
	xdpi_json_u64(j, "mpls", c[XDPI_ECNT_MPLS]);
	xdpi_json_u64(j, "vxlan", c[XDPI_ECNT_TUN_VXLAN]);
	xdpi_json_u64(j, "geneve", c[XDPI_ECNT_TUN_GENEVE]);
	xdpi_json_u64(j, "gre", c[XDPI_ECNT_TUN_GRE]);
	xdpi_json_u64(j, "erspan", c[XDPI_ECNT_TUN_ERSPAN]);
	xdpi_json_u64(j, "teredo", c[XDPI_ECNT_TUN_TEREDO]);
	xdpi_json_u64(j, "ipv4_in_ipv4", c[XDPI_ECNT_IPV4_IN_IPV4]);
	xdpi_json_u64(j, "ipv6_in_ipv4", c[XDPI_ECNT_IPV6_IN_IPV4]);
	xdpi_json_u64(j, "ipv4_in_ipv6", c[XDPI_ECNT_IPV4_IN_IPV6]);
	xdpi_json_u64(j, "ipv6_in_ipv6", c[XDPI_ECNT_IPV6_IN_IPV6]);
	xdpi_json_u64(j, "too_many_layers", e->reasons[XDPI_REASON_TUNNEL_TOO_DEEP]);
	xdpi_json_u64(j, "ipv4", c[XDPI_ECNT_IPV4]);
	xdpi_json_u64(j, "ipv6", c[XDPI_ECNT_IPV6]);
	xdpi_json_u64(j, "tcp", c[XDPI_ECNT_TCP]);
	xdpi_json_u64(j, "udp", c[XDPI_ECNT_UDP]);
	xdpi_json_u64(j, "icmpv4", c[XDPI_ECNT_ICMPV4]);
	xdpi_json_u64(j, "icmpv6", c[XDPI_ECNT_ICMPV6]);
	xdpi_json_u64(j, "avg_pkt_size", c[XDPI_ECNT_PKTS] ? c[XDPI_ECNT_BYTES] / c[XDPI_ECNT_PKTS] : 0);
	xdpi_json_u64(j, "max_pkt_size", e->max_pkt_size);
	xdpi_json_obj_close(j);
}

static void stats_flow(struct xdpi_engine *e, struct xdpi_json *j)
{
	struct flow_table_stats st;

	flow_table__stats(e->ft, &st);
	xdpi_json_obj_open(j, "flow");
	xdpi_json_u64(j, "total", st.created);
	xdpi_json_u64(j, "active", st.active);
	xdpi_json_u64(j, "tcp", e->cnt[XDPI_ECNT_FLOW_TCP]);
	xdpi_json_u64(j, "udp", e->cnt[XDPI_ECNT_FLOW_UDP]);
	xdpi_json_u64(j, "icmpv4", e->cnt[XDPI_ECNT_FLOW_ICMPV4]);
	xdpi_json_u64(j, "icmpv6", e->cnt[XDPI_ECNT_FLOW_ICMPV6]);
	xdpi_json_obj_close(j);
}

static void stats_defrag(struct xdpi_engine *e, struct xdpi_json *j)
{
	struct xdpi_defrag_stats st;

	xdpi_defrag__stats(e->defrag, &st);
	xdpi_json_obj_open(j, "defrag");
	xdpi_json_u64(j, "fragments", st.fragments);
	xdpi_json_u64(j, "reassembled", st.reassembled);
	xdpi_json_u64(j, "timeouts", st.timeouts);
	xdpi_json_u64(j, "overlaps", st.overlaps);
	xdpi_json_u64(j, "evicted", st.evicted);
	xdpi_json_u64(j, "cut", st.cut);
	xdpi_json_u64(j, "too_big", st.too_big);
	xdpi_json_u64(j, "pending", st.pending);
	xdpi_json_obj_close(j);
}

static void stats_api(struct xdpi_engine *e, struct xdpi_json *j)
{
	struct xdpi_api_stats st;

	if (!e->cfg.api)
		return;
	xdpi_api__stats(e->cfg.api, &st);
	xdpi_json_obj_open(j, "api");
	xdpi_json_u64(j, "transactions", st.transactions);
	xdpi_json_u64(j, "endpoints", st.endpoints);
	xdpi_json_u64(j, "services", st.services);
	xdpi_json_u64(j, "route_overflow", st.route_overflow);
	xdpi_json_u64(j, "service_overflow", st.service_overflow);
	xdpi_json_u64(j, "alerts_firing", st.alerts_firing);
	xdpi_json_u64(j, "alerts_resolved", st.alerts_resolved);
	xdpi_json_obj_close(j);
}

static void stats_xdpi(struct xdpi_engine *e, struct xdpi_json *j, const uint64_t *kc)
{
	struct flow_table_stats st;

	flow_table__stats(e->ft, &st);
	xdpi_json_obj_open(j, "xdpi");
	if (e->cfg.nworkers > 1) { /* each worker writes its own stats event */
		xdpi_json_u64(j, "worker", e->cfg.worker);
		xdpi_json_u64(j, "workers", e->cfg.nworkers);
	}
	xdpi_json_obj_open(j, "engine");
	for (int i = 0; i < XDPI_ECNT_MAX; i++)
		xdpi_json_u64(j, xdpi_engine_counter_name(i), e->cnt[i]);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "malformed_reasons");
	for (int i = 1; i < XDPI_REASON_MAX; i++)
		xdpi_json_u64(j, xdpi_reason_name(i), e->reasons[i]);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "flow_table");
	xdpi_json_u64(j, "created", st.created);
	xdpi_json_u64(j, "ended", st.ended);
	xdpi_json_u64(j, "evicted", st.evicted);
	xdpi_json_u64(j, "active_cuts", st.active_cuts);
	xdpi_json_u64(j, "alloc_failed", st.alloc_failed);
	xdpi_json_u64(j, "active", st.active);
	xdpi_json_u64(j, "max", st.max);
	xdpi_json_obj_close(j);
	if (e->anomaly) {
		uint64_t ac[XDPI_ACNT_MAX];

		anomaly_enter(e); /* the workers share the detectors: their counters move */
		memcpy(ac, xdpi_anomaly__counters(e->anomaly), sizeof(ac));
		anomaly_leave(e);
		xdpi_json_obj_open(j, "anomaly");
		for (int i = 0; i < XDPI_ACNT_MAX; i++)
			xdpi_json_u64(j, xdpi_anomaly_counter_name(i), ac[i]);
		xdpi_json_obj_close(j);
	}
	if (e->cfg.detect) {
		const uint64_t *dc = xdpi_detect__counters(e->cfg.detect);

		xdpi_json_obj_open(j, "detect");
		for (int i = 0; i < XDPI_DCNT_MAX; i++)
			xdpi_json_u64(j, xdpi_detect_counter_name(i), dc[i]);
		xdpi_json_obj_close(j);
	}
	if (kc) {
		xdpi_json_obj_open(j, "kernel");
		for (int i = 0; i < XDPI_CNT_REASON_BASE; i++)
			xdpi_json_u64(j, xdpi_kernel_counter_name(i), kc[i]);
		xdpi_json_obj_open(j, "malformed_reasons");
		for (int i = XDPI_CNT_REASON_BASE + 1; i < XDPI_CNT_MAX; i++)
			xdpi_json_u64(j, xdpi_kernel_counter_name(i), kc[i]);
		xdpi_json_obj_close(j);
		xdpi_json_obj_close(j);
	}
	l7_stats(&e->l7, j);
	stats_defrag(e, j);
	stats_api(e, j);
	if (e->cfg.stats_extra)
		e->cfg.stats_extra(e->cfg.stats_ctx, j);
	xdpi_json_obj_close(j);
}

void xdpi_engine__emit_stats(struct xdpi_engine *e, uint64_t now)
{
	uint64_t kc[XDPI_CNT_MAX] = { 0 };
	bool have_k = false;
	struct xdpi_json *j = &e->json;

	if (now < e->now)
		now = e->now;
	if (e->cfg.kops && e->cfg.kops->read_counters)
		have_k = e->cfg.kops->read_counters(e->cfg.kctx, kc) == 0;
	xdpi_json_reset(j);
	xdpi_eve_begin(j, &e->eve, now, "stats", NULL);
	xdpi_json_obj_open(j, "stats");
	xdpi_json_u64(j, "uptime", e->first_ts && now > e->first_ts ? (now - e->first_ts) / XDPI_NS_PER_SEC : 0);
	if (have_k) {
		xdpi_json_obj_open(j, "capture");
		xdpi_json_u64(j, "kernel_packets", kc[XDPI_CNT_PKTS]);
		xdpi_json_u64(j, "kernel_drops", kc[XDPI_CNT_LOSS_RINGBUF_FULL] + kc[XDPI_CNT_LOSS_LOAD_BYTES]);
		xdpi_json_obj_close(j);
	}
	stats_decoder(e, j);
	stats_flow(e, j);
	stats_xdpi(e, j, have_k ? kc : NULL);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
	e->cnt[XDPI_ECNT_EVENTS_STATS]++;
	emit(e);
}
