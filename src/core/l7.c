// SPDX-License-Identifier: GPL-2.0
/* Application layer of a flow: TCP reassembly per direction, detection by content (the
 * dissectors whose port hints match are asked first, then the others; a NOT_MINE answer
 * excludes a dissector for the flow), then parsing by the chosen dissector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"
#include "xdpi/bytes.h"
#include "l7.h"
#include "xdpi/context.h"
#include "xdpi/grow.h"

#define PROBE_BUF 16384   /* bytes kept per direction while no dissector can decide */
#define PROBE_CHUNKS 8    /* deliveries without a decision before giving up */

/* Ordered by size, so that no field pads another: a flow with payload holds one. The TCP
 * streams come last: a UDP flow's is allocated without them (l7_flow_size), 64 bytes of
 * every DNS flow's state that nothing would read. */
struct l7_flow {
	const struct xdpi_dissector *d;
	void *state;
	struct l7_probe *probe; /* bytes kept while no dissector is chosen, NULL: none */
	struct l7_plain *plain; /* the TLS plaintext's own state beside the wire's, NULL: none */
	char *risk_notes;  /* "risk\tevidence\n" for each risk a dissector raised, NULL: none */
	uint32_t excluded;
	uint8_t didx;      /* d's registry row (< XDPI_MAX_DISSECTORS) */
	uint8_t chunks;
	bool failed;       /* nothing to parse: no dissector claimed it (or an identifier named it) */
	bool done;         /* the dissector said it has nothing more to learn */
	uint8_t dirs_seen; /* 1 << direction: bytes of it were shown to the dissectors */
	uint8_t prelude_left; /* datagrams still watched after a prelude (STUN before DTLS) */
	uint8_t prelude_row;  /* ... and the prelude's identifier (registry row), counted when
			       * the watch ends without another name */
	bool pcut[2];      /* the probe buffer overflowed: what follows it is not contiguous */
	bool gap_next[2];  /* the next bytes parsed in a direction follow a hole */
	struct xdpi_stream tcp[2]; /* TCP flows only: not allocated for the others */
};
/* 120 and 56 bytes: heap chunks of 128 and 64 */
_Static_assert(sizeof(struct l7_flow) <= 120, "a flow's application layer grew past 120 bytes");
_Static_assert(offsetof(struct l7_flow, tcp) <= 56, "a UDP flow's application layer: 56 bytes");

/* What a flow's directions sent before a dissector took it (PROBE_BUF bytes at most each):
 * apart from the flow, as most flows are decided on their first bytes. */
struct l7_probe {
	uint8_t *buf[2];
	uint32_t len[2], cap[2];
};

static size_t l7_flow_size(const struct xdpi_flow *f)
{
	return f->key.proto == XDPI_IPPROTO_TCP ? sizeof(struct l7_flow)
						 : offsetof(struct l7_flow, tcp);
}

/* The TLS plaintext of a flow: its application layer, and whose it is (the first process
 * seen). Apart from the wire's, so that flows without any pay nothing for it. */
struct l7_plain {
	struct l7_flow l;
	struct xdpi_plain_origin origin;
};

struct l7_call {
	struct l7_engine *le;
	struct xdpi_flow *f;
	struct l7_flow *l;
	uint8_t cdir; /* 0: from the client */
	uint64_t ts;
	uint64_t pcap_cnt; /* the capture's packet number (read mode), 0 otherwise */
	bool plain;        /* bytes a TLS library read or wrote, not the wire's */
	const struct xdpi_plain_origin *origin; /* ... and where they came from */
	struct xdpi_dissect_ctx ctx;
};

static struct xdpi_json *event_begin(struct xdpi_dissect_ctx *c, const char *type)
{
	struct l7_call *call = c->engine;
	struct xdpi_json *j = call->le->json;

	if (call->le->before_event)
		call->le->before_event(call->le->before_event_ctx, call->f);
	xdpi_json_reset(j);
	xdpi_eve_begin(j, call->le->eve, c->ts, type, c->flow);
	if (call->pcap_cnt)
		xdpi_json_u64(j, "pcap_cnt", call->pcap_cnt);
	xdpi_json_str(j, "direction", c->dir ? "to_client" : "to_server");
	return j;
}

static void event_end(struct xdpi_dissect_ctx *c)
{
	struct l7_call *call = c->engine;

	xdpi_json_obj_close(call->le->json);
	call->le->emit(call->le->emit_ctx);
	call->le->events[call->l->didx]++;
}

/* The dissector named a more specific protocol for the flow (doh2): from now on. (Not the
 * plaintext's: the flow stays what the wire says, tls.) */
static void take_app_proto(struct l7_call *call)
{
	if (!call->plain && call->ctx.app_proto && call->f->app_proto != call->ctx.app_proto) {
		call->f->app_proto_orig = call->l->d->name;
		call->f->app_proto = call->ctx.app_proto;
		call->f->app_changed = true;
	}
}

static void inspect(struct xdpi_dissect_ctx *c, const struct xdpi_inspect *in)
{
	struct l7_call *call = c->engine;

	uint8_t dir = in->stage == XDPI_STAGE_HTTP2_FRAME ? in->h2_from_server
						       : xdpi_stage_from_server(in->stage);

	take_app_proto(call); /* what is inspected now is already of that protocol */
	if (call->plain) { /* TLS plaintext: its rules see the protocol inside, not tls */
		struct xdpi_inspect inner = *in;

		inner.app_proto = c->app_proto ? c->app_proto : call->l->d->name;
		call->le->inspect(call->le->inspect_ctx, call->f, dir, c->ts, &inner);
		return;
	}
	call->le->inspect(call->le->inspect_ctx, call->f, dir, c->ts, in);
}

static void transaction(struct xdpi_dissect_ctx *c, struct xdpi_api_tx *tx)
{
	struct l7_call *call = c->engine;

	call->le->transaction(call->le->transaction_ctx, call->f, tx);
}

static void llm_done(struct xdpi_dissect_ctx *c, struct xdpi_llm_record *r)
{
	struct l7_call *call = c->engine;

	call->le->llm_done(call->le->transaction_ctx, call->f, c->ts, r);
}

/* The dissector's wish, with BUDGET bytes past the sequence number copied before it speaks
 * again (SEQ; 0: no limit). */
static void steer_budget(struct xdpi_dissect_ctx *c, uint8_t mode, uint64_t n, uint32_t budget)
{
	struct l7_call *call = c->engine;
	struct xdpi_stream *s;
	uint32_t seq;

	if (call->f->key.proto != XDPI_IPPROTO_TCP) {
		if (mode != XDPI_MSG_SEQ) /* datagrams: all of them, or none */
			call->le->steer(call->le->steer_ctx, call->f, c->dir & 1, mode, 0, 0);
		return;
	}
	s = &call->l->tcp[c->dir & 1]; /* a TCP flow's: others have none */
	seq = s->given_to;
	if (!s->started)
		return;
	if (mode == XDPI_MSG_SEQ || mode == XDPI_MSG_H2) {
		if ((mode == XDPI_MSG_SEQ && !n) || n > (1u << 30))
			return;
		seq += (uint32_t)n;
		if (mode == XDPI_MSG_SEQ)
			xdpi_stream_skip_to(s, seq);
	}
	call->le->steer(call->le->steer_ctx, call->f, c->dir & 1, mode, seq, budget);
}

static void ctx_steer(struct xdpi_dissect_ctx *c, uint8_t mode, uint64_t n)
{
	steer_budget(c, mode, n, 0);
}

static void ctx_steer_head(struct xdpi_dissect_ctx *c, uint64_t n)
{
	steer_budget(c, XDPI_MSG_SEQ, n, ((struct l7_call *)c->engine)->le->head_budget);
}

static void ctx_skip_next(struct xdpi_dissect_ctx *c, uint64_t n)
{
	struct l7_call *call = c->engine;
	struct xdpi_stream *s;

	if (call->f->key.proto != XDPI_IPPROTO_TCP)
		return;
	s = &call->l->tcp[c->dir & 1];
	if (s->started && n && n <= (1u << 30))
		xdpi_stream_skip_to(s, s->given_to + (uint32_t)n);
}

#define RISK_NOTES_MAX 1024 /* evidence kept per flow; past it the risk is still flagged */

/* Flags RISK on F once, keeping its evidence for the flow record (on the wire's state). */
static void add_risk(struct l7_engine *le, struct xdpi_flow *f, uint8_t risk, const char *ev)
{
	struct l7_flow *wire = f->l7;
	size_t have, add;
	char *n;

	if (risk >= XDPI_RISK_MAX || (f->risks & (1u << risk)))
		return;
	f->risks |= (uint16_t)(1u << risk);
	if (!wire)
		return;
	have = wire->risk_notes ? strlen(wire->risk_notes) : 0;
	add = strlen(xdpi_risk_name(risk)) + strlen(ev) + 2;
	if (have + add + 1 > RISK_NOTES_MAX || !(n = realloc(wire->risk_notes, have + add + 1)))
		return;
	if (!wire->risk_notes)
		le->state_bytes += RISK_NOTES_MAX; /* counted at its bound: it only grows to it */
	snprintf(n + have, add + 1, "%s\t%s\n", xdpi_risk_name(risk), ev);
	wire->risk_notes = n;
}

static void ctx_risk(struct xdpi_dissect_ctx *c, uint8_t risk, const char *evidence)
{
	struct l7_call *call = c->engine;

	add_risk(call->le, call->f, risk, evidence);
}

/* A better source than the flow's so far (SNI before Host before certificate before DNS)
 * names its application. */
static void ctx_server_name(struct xdpi_dissect_ctx *c, const char *name, size_t len, uint8_t source)
{
	struct l7_call *call = c->engine;
	struct xdpi_flow *f = call->f;
	const struct xdpi_app *app;

	if (f->app_from && f->app_from <= source)
		return;
	if ((app = xdpi_apps_lookup(name, len))) {
		f->app_name = (uint16_t)(xdpi_apps_index(app) + 1);
		f->app_from = source;
	}
}

static void ctx_dns_answer(struct xdpi_dissect_ctx *c, const char *name, const uint8_t *addr, size_t alen)
{
	struct l7_call *call = c->engine;
	const struct xdpi_app *app;

	if (call->le->dns_names && (app = xdpi_apps_lookup(name, strlen(name))))
		xdpi_dns_names_put(call->le->dns_names, addr, alen, xdpi_apps_index(app));
}

/* What naming the protocol by content tells at once: a protocol that carries logins in the
 * clear, or one found on none of its registered ports. */
static void ident_risks(struct l7_call *call, const struct xdpi_ident *id, uint16_t server_port)
{
	char ev[96];

	if (id->flags & XDPI_IDENT_CLEAR) {
		snprintf(ev, sizeof(ev), "app_proto=%s", id->name);
		add_risk(call->le, call->f, XDPI_RISK_UNSAFE_PROTOCOL, ev);
	}
	if (id->ports[0] && !xdpi_ident_port_in(id->ports, server_port, server_port)) {
		snprintf(ev, sizeof(ev), "app_proto=%s dest_port=%u", id->name, server_port);
		add_risk(call->le, call->f, XDPI_RISK_NON_STANDARD_PORT, ev);
	}
}

static void ctx_init(struct l7_call *call, bool gap)
{
	memset(&call->ctx, 0, sizeof(call->ctx));
	call->ctx.flow = call->f;
	call->ctx.dir = call->cdir;
	call->ctx.l4 = call->f->key.proto == XDPI_IPPROTO_TCP ? XDPI_L4_TCP : XDPI_L4_UDP;
	call->ctx.gap = gap;
	call->ctx.ts = call->ts;
	call->ctx.wall_ns = call->ts + (uint64_t)call->le->eve->wall_offset_ns;
	call->ctx.pcap_cnt = call->pcap_cnt;
	call->ctx.state = call->l->state;
	call->ctx.event_begin = event_begin;
	call->ctx.event_end = event_end;
	call->ctx.inspect = call->le->inspect ? inspect : NULL;
	call->ctx.inspect_stages = call->le->inspect_stages;
	call->ctx.transaction = call->le->transaction ? transaction : NULL;
	call->ctx.steer = call->le->steer && !call->plain ? ctx_steer : NULL;
	call->ctx.skip_next = call->le->steer && !call->plain ? ctx_skip_next : NULL;
	call->ctx.steer_head = call->le->steer && !call->plain ? ctx_steer_head : NULL;
	call->ctx.plaintext = call->origin;
	call->ctx.llm = call->le->llm;
	call->ctx.llm_done = call->le->llm_done ? llm_done : NULL;
	call->ctx.server_name = ctx_server_name;
	call->ctx.dns_answer = ctx_dns_answer;
	call->ctx.risk = ctx_risk;
	call->ctx.engine = call;
}

static bool port_hinted(const struct xdpi_dissector *d, const struct xdpi_flow *f)
{
	uint16_t pa = __builtin_bswap16(f->key.port_a), pb = __builtin_bswap16(f->key.port_b);

	for (size_t i = 0; i < sizeof(d->ports) / sizeof(d->ports[0]) && d->ports[i]; i++)
		if (d->ports[i] == pa || d->ports[i] == pb)
			return true;
	return false;
}

static void choose(struct l7_call *call, int idx)
{
	struct l7_flow *l = call->l;

	l->d = xdpi_dissector_at((size_t)idx);
	l->didx = (uint8_t)idx;
	l->state = calloc(1, l->d->state_size ? l->d->state_size : 1);
	if (!l->state) {
		l->d = NULL;
		l->failed = true;
		return;
	}
	call->le->state_bytes += l->d->state_size;
	call->le->flows[idx]++;
	if (call->plain)
		return; /* the flow is what the wire says (tls) */
	call->f->app_proto = l->d->name;
	call->f->app_by = XDPI_APP_BY_CONTENT;
	call->f->app_changed = true;
}

#define PRELUDE_DATAGRAMS 16 /* after STUN: how long to wait for DTLS */

/* What an identifier is shown of these bytes. */
static void ident_input(const struct l7_call *call, const uint8_t *buf, size_t len,
			struct xdpi_ident_in *in)
{
	const struct xdpi_flow *f = call->f;
	bool from_a = call->cdir == 0 ? f->initiator == 0 : f->initiator != 0;
	uint16_t pa = __builtin_bswap16(f->key.port_a), pb = __builtin_bswap16(f->key.port_b);

	*in = (struct xdpi_ident_in){
		.buf = buf, .len = len, .dir = call->cdir,
		.l4 = f->key.proto == XDPI_IPPROTO_TCP ? XDPI_IDENT_TCP : XDPI_IDENT_UDP,
		.sport = from_a ? pa : pb, .dport = from_a ? pb : pa,
	};
}

/* The flow is ID's: named, its risks noted, the kernel told it copies no more (unless ID
 * is a prelude: then what follows is watched a while). */
/* A flow's name is final: counted for its identifier. */
static void count_named(struct l7_engine *le, size_t row)
{
	le->identified++;
	if (row < XDPI_IDENTS_MAX)
		le->ident_flows[row]++;
}

/* Both directions of F: copied no more (the kernel goes on counting them). */
static void steer_skip(struct l7_engine *le, struct xdpi_flow *f)
{
	le->steer(le->steer_ctx, f, 0, XDPI_MSG_SKIP, 0, 0);
	le->steer(le->steer_ctx, f, 1, XDPI_MSG_SKIP, 0, 0);
}

static void label(struct l7_call *call, const struct xdpi_ident *id, const struct xdpi_ident_in *in)
{
	struct xdpi_flow *f = call->f;
	size_t row = xdpi_ident_index(id);

	if (id->flags & XDPI_IDENT_PRELUDE) {
		call->l->prelude_left = PRELUDE_DATAGRAMS;
		call->l->prelude_row = (uint8_t)(row < XDPI_IDENTS_MAX ? row : XDPI_IDENTS_MAX);
	} else {
		call->l->failed = true;
		call->l->prelude_left = 0;
		count_named(call->le, row);
	}
	ident_risks(call, id, call->cdir == 0 ? in->dport : in->sport);
	f->app_proto = id->name;
	f->app_by = XDPI_APP_BY_CONTENT;
	f->app_changed = true;
	if (call->l->failed && call->le->steer) /* named: the kernel copies no more (a
						  * datagram stream too: a call, a game) */
		steer_skip(call->le, f);
}

/* A flow named by a prelude protocol (STUN's connectivity checks) is watched a while longer:
 * the protocol the prelude opened the way for (DTLS, whose keys then protect the media)
 * names it when it comes; else the prelude's name stays, counted when the watch ends. */
static void after_prelude(struct l7_call *call, const uint8_t *buf, size_t len)
{
	struct xdpi_ident_in in;
	const struct xdpi_ident *id;
	bool more;

	ident_input(call, buf, len, &in);
	id = xdpi_ident_run(&in, &more);
	if (id && !(id->flags & XDPI_IDENT_PRELUDE)) {
		label(call, id, &in);
		return;
	}
	if (!--call->l->prelude_left) {
		call->l->failed = true;
		count_named(call->le, call->l->prelude_row);
	}
}

/* No dissector claims the bytes: a light identifier may name the protocol. Returns true when
 * one did; sets *undecided when one may on more bytes. */
static bool identify(struct l7_call *call, const uint8_t *buf, size_t len, bool *undecided)
{
	struct xdpi_ident_in in;
	const struct xdpi_ident *id;
	bool more;

	ident_input(call, buf, len, &in);
	id = xdpi_ident_run(&in, &more);
	*undecided |= more;
	if (id)
		label(call, id, &in);
	return id != NULL;
}

/* Asks the dissectors about buf: hinted ones first. Returns true once one is chosen. */
static bool detect(struct l7_call *call, const uint8_t *buf, size_t len)
{
	struct l7_flow *l = call->l;
	uint8_t l4 = call->f->key.proto == XDPI_IPPROTO_TCP ? XDPI_L4_TCP : XDPI_L4_UDP;
	size_t n = xdpi_dissectors_count();
	bool undecided = false;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n && i < XDPI_MAX_DISSECTORS; i++) {
			const struct xdpi_dissector *d = xdpi_dissector_at(i);
			enum xdpi_dissect_status st;

			if ((l->excluded & (1u << i)) || !(d->l4 & l4) ||
			    port_hinted(d, call->f) != (pass == 0))
				continue;
			st = d->probe(buf, len, l4, call->cdir);
			if (st == XDPI_DISSECT_OK) {
				choose(call, (int)i);
				return l->d != NULL;
			}
			/* on its own port a dissector gets a few chances: one odd message
			 * (or a fuzzer's) does not make a port-53 flow "not DNS" */
			if (st == XDPI_DISSECT_NOT_MINE && pass == 1)
				l->excluded |= 1u << i;
			else
				undecided = true;
		}
	}
	if (!call->plain && identify(call, buf, len, &undecided))
		return false;
	l->dirs_seen |= 1u << call->cdir;
	/* both directions get their say (a server's greeting may be what tells) */
	if ((!undecided && l->dirs_seen == 3) || ++l->chunks >= PROBE_CHUNKS) {
		l->failed = true;
		call->le->failed_flows++;
		if (call->plain)
			return false;
		if (call->f->app_by != XDPI_APP_BY_CONTENT) { /* after a switch (a WebSocket's frames)
								* the flow stays what it was */
			call->f->app_proto = "failed";
			call->f->app_changed = true;
		}
		if (call->le->steer) /* nobody understands it: the kernel keeps counting, copies
				      * no more, stream or datagrams */
			steer_skip(call->le, call->f);
	}
	return false;
}

/* The dissector says another protocol follows: it reports what it has and goes; the flow
 * is detected again (without it) from the next bytes on. */
static void switch_protocol(struct l7_call *call)
{
	struct l7_flow *l = call->l;

	if (l->d->flow_end)
		l->d->flow_end(&call->ctx);
	call->le->state_bytes -= l->d->state_size;
	free(l->state);
	l->state = NULL;
	l->excluded |= 1u << l->didx;
	l->d = NULL;
	l->chunks = 0;
	call->le->switched++;
}

static void on_data(struct l7_call *call, const uint8_t *buf, size_t len, bool gap);

static void parse(struct l7_call *call, const uint8_t *buf, size_t len, bool gap)
{
	size_t at;

	ctx_init(call, gap);
	if (call->l->d->parse(&call->ctx, buf, len) == XDPI_DISSECT_MALFORMED)
		call->le->malformed[call->l->didx]++;
	take_app_proto(call);
	if (call->ctx.done && !call->l->done) {
		call->l->done = true;
		if (call->plain)
			return; /* the wire's steering and bypass are the wire dissector's */
		if (call->le->steer) /* nothing more to learn: the kernel copies no more */
			steer_skip(call->le, call->f);
		if (call->le->flow_done)
			call->le->flow_done(call->le->done_ctx, call->f);
	}
	if (!call->ctx.switched)
		return;
	at = call->ctx.switched_at;
	switch_protocol(call);
	if (at < len) /* the new protocol began inside these bytes (h2c after its 101) */
		on_data(call, buf + at, len - at, false);
}

static void free_probe(struct l7_flow *l)
{
	for (int d = 0; d < 2; d++) {
		l->gap_next[d] |= l->pcut[d]; /* bytes after the buffer were dropped */
		if (l->probe)
			free(l->probe->buf[d]);
	}
	free(l->probe);
	l->probe = NULL;
}

static uint32_t probe_len(const struct l7_flow *l, uint8_t d)
{
	return l->probe ? l->probe->len[d] : 0;
}

/* A dissector was just chosen on direction call->cdir: what the other direction had waiting
 * came first (a request before its response), so it is parsed first. */
static void parse_waiting_other(struct l7_call *call)
{
	struct l7_flow *l = call->l;
	struct l7_call other = *call;

	other.cdir = !call->cdir;
	if (probe_len(l, other.cdir))
		parse(&other, l->probe->buf[other.cdir], l->probe->len[other.cdir], false);
}

/* Bytes of one direction, in order. Until a dissector is chosen they are kept (bounded) so
 * that a decision on more bytes still parses from the start. */
static void on_data(struct l7_call *call, const uint8_t *buf, size_t len, bool gap)
{
	struct l7_flow *l = call->l;
	uint8_t d = call->cdir;
	struct l7_probe *p;
	uint32_t keep;

	if (l->failed || !len)
		return;
	if (l->prelude_left) {
		after_prelude(call, buf, len);
		return;
	}
	if (l->d) {
		parse(call, buf, len, gap || l->gap_next[d]);
		l->gap_next[d] = false;
		return;
	}
	if (call->f->key.proto == XDPI_IPPROTO_UDP) { /* a datagram is judged on its own, never glued */
		if (detect(call, buf, len))
			parse(call, buf, len, gap);
		return;
	}
	if (gap && l->probe)
		l->probe->len[d] = 0;
	if (!probe_len(l, d) && detect(call, buf, len)) {
		parse_waiting_other(call);
		parse(call, buf, len, gap);
		free_probe(l);
		return;
	}
	if (l->failed || l->pcut[d])
		return;
	if (!l->probe && !(l->probe = calloc(1, sizeof(*l->probe))))
		return;
	p = l->probe;
	keep = len < PROBE_BUF - p->len[d] ? (uint32_t)len : PROBE_BUF - p->len[d];
	if (keep && !xdpi_grow(&p->buf[d], &p->cap[d], p->len[d] + keep, PROBE_BUF))
		return;
	if (keep)
		memcpy(p->buf[d] + p->len[d], buf, keep);
	p->len[d] += keep;
	l->pcut[d] = keep < len;
	if (p->len[d] > len && detect(call, p->buf[d], p->len[d])) {
		parse_waiting_other(call); /* which may end the probe (a switch inside it) */
		p = l->probe;
		parse(call, p ? p->buf[d] : NULL, p ? p->len[d] : 0, false);
		free_probe(l);
	}
}

/* Bytes the dissector said it did not need went by unseen. */
static void on_skipped(struct l7_call *call, size_t len)
{
	struct l7_flow *l = call->l;

	if (l->failed)
		return;
	if (!l->d || !l->d->skip) { /* not asked for by this dissector: a hole like any */
		l->gap_next[call->cdir] = true;
		return;
	}
	ctx_init(call, false);
	l->d->skip(&call->ctx, len);
}

static void on_stream(void *ctx, const uint8_t *data, size_t len, bool gap)
{
	if (!data)
		on_skipped(ctx, len);
	else
		on_data(ctx, data, len, gap);
}

static struct l7_flow *l7_get(struct l7_engine *le, struct xdpi_flow *f)
{
	if (!f->l7) {
		f->l7 = calloc(1, l7_flow_size(f));
		if (f->l7)
			le->state_bytes += l7_flow_size(f);
	}
	return f->l7;
}

void l7_packet(struct l7_engine *le, struct xdpi_flow *f, const struct xdpi_decoded *d,
	       uint8_t dir, uint64_t ts, uint64_t pcap_cnt)
{
	struct l7_call call; /* ctx is left to ctx_init: zeroing it per packet costs more */

	call.le = le, call.f = f, call.l = NULL, call.cdir = 0, call.ts = ts;
	call.pcap_cnt = pcap_cnt, call.plain = false, call.origin = NULL;
	if (d->proto != XDPI_IPPROTO_TCP && d->proto != XDPI_IPPROTO_UDP)
		return;
	if (d->proto == XDPI_IPPROTO_UDP && !d->payload_wire)
		return;
	if (d->proto == XDPI_IPPROTO_TCP && !d->payload_wire && !(d->tcp_flags & 0x02)) {
		/* no bytes: unless it may end bytes a dissector did not need (the kernel's
		 * end-of-skip mark, a FIN there), nothing for the application layer */
		struct l7_flow *l = f->l7;

		if (!l || l->failed || !l->tcp[dir == f->initiator ? 0 : 1].skipping)
			return;
	}
	call.l = l7_get(le, f);
	if (!call.l || call.l->failed)
		return;
	call.cdir = dir == f->initiator ? 0 : 1;
	if (d->proto == XDPI_IPPROTO_TCP && call.l->done) {
		/* its dissector has nothing more to learn (TLS past its handshake): no stream to
		 * put in order, nothing to hold for holes that may never fill */
		xdpi_stream_free(&le->reasm, &call.l->tcp[call.cdir]);
		return;
	}
	if (d->proto == XDPI_IPPROTO_UDP) {
		on_data(&call, d->payload, d->payload_len, d->payload_len < d->payload_wire);
		return;
	}
	if (d->tcp_flags & 0x10) { /* the ACK may confirm a hole in the other direction */
		call.cdir = !call.cdir; /* the same call turned round, not a copy of it */
		xdpi_stream_acked(&le->reasm, &call.l->tcp[call.cdir], d->tcp_ack, on_stream, &call);
		call.cdir = !call.cdir;
	}
	xdpi_stream_segment(&le->reasm, &call.l->tcp[call.cdir], d->tcp_seq, d->payload,
			    d->payload_len, d->payload_wire, d->tcp_flags, on_stream, &call);
}

/* What a TLS library of one process read or wrote on F, in order per direction, parsed as
 * the wire's bytes are (one parser, two sources). The first process seen owns the flow's
 * plaintext: the other end's, when both are probed here, is left out (returns true). */
bool l7_plaintext(struct l7_engine *le, struct xdpi_flow *f, uint8_t cdir,
		  const struct xdpi_plain_hdr *h, const uint8_t *data, uint64_t ts)
{
	struct l7_call call = { .le = le, .f = f, .ts = ts, .cdir = cdir, .plain = true };
	struct l7_flow *wire = l7_get(le, f);
	struct l7_plain *p = wire ? wire->plain : NULL;

	if (!wire)
		return false;
	if (!p) {
		if (!(p = wire->plain = calloc(1, sizeof(*p))))
			return false;
		le->state_bytes += sizeof(*p);
		p->origin.source = xdpi_plain_lib_name(h->lib);
		p->origin.pid = h->pid;
		/* the wire never showed this connection's start: an HTTP/2 preface and header
		 * table, or a request's first bytes, may be behind us */
		p->origin.midway = !((f->tcp_flags[0] | f->tcp_flags[1]) & 0x02);
	}
	if (p->origin.pid != h->pid)
		return true;
	call.l = &p->l;
	call.origin = &p->origin;
	on_data(&call, data, h->copied, false);
	if (h->len > h->copied)
		p->l.gap_next[cdir] = true; /* the bytes past the copied prefix are missing */
	return false;
}

static void flow_end_one(struct l7_engine *le, struct xdpi_flow *f, struct l7_flow *l,
			 const struct xdpi_plain_origin *origin, uint64_t ts);

void l7_flow_end(struct l7_engine *le, struct xdpi_flow *f, uint64_t ts)
{
	struct l7_flow *wire = f->l7;

	if (!wire)
		return;
	if (wire->plain) {
		flow_end_one(le, f, &wire->plain->l, &wire->plain->origin, ts);
		le->state_bytes -= sizeof(*wire->plain);
		free(wire->plain);
		wire->plain = NULL;
	}
	flow_end_one(le, f, wire, NULL, ts);
	if (wire->risk_notes)
		le->state_bytes -= RISK_NOTES_MAX;
	free(wire->risk_notes);
	le->state_bytes -= l7_flow_size(f);
	free(wire);
	f->l7 = NULL;
}

const char *l7_risk_notes(const struct xdpi_flow *f)
{
	return f->l7 ? ((const struct l7_flow *)f->l7)->risk_notes : NULL;
}

bool l7_has_plaintext(const struct xdpi_flow *f)
{
	return f->l7 && ((const struct l7_flow *)f->l7)->plain;
}

/* Flushes and ends one application layer of F (ORIGIN: the plaintext's), freeing what it
 * holds but not itself. */
static void flow_end_one(struct l7_engine *le, struct xdpi_flow *f, struct l7_flow *l,
			 const struct xdpi_plain_origin *origin, uint64_t ts)
{
	struct l7_call call = { .le = le, .f = f, .l = l, .ts = ts, .plain = origin != NULL,
				.origin = origin };

	for (uint8_t d = 0; d < 2 && f->key.proto == XDPI_IPPROTO_TCP; d++) {
		call.cdir = d;
		xdpi_stream_flush(&le->reasm, &l->tcp[d], on_stream, &call);
		xdpi_stream_free(&le->reasm, &l->tcp[d]);
	}
	free_probe(l);
	if (l->prelude_left) /* ended while watched: the prelude's name stays */
		count_named(le, l->prelude_row);
	if (!l->d && !l->failed && l->dirs_seen && !origin && f->app_by != XDPI_APP_BY_CONTENT) {
		/* bytes came and nothing claimed or named them before the end: detection gave up */
		le->failed_flows++;
		f->app_proto = "failed";
	}
	if (l->d) {
		call.cdir = 0;
		ctx_init(&call, false);
		if (l->d->flow_end)
			l->d->flow_end(&call.ctx);
		le->state_bytes -= l->d->state_size;
		free(l->state);
	}
}

void l7_stats(struct l7_engine *le, struct xdpi_json *j)
{
	const struct xdpi_reasm_stats *r = &le->reasm.st;

	xdpi_json_obj_open(j, "app_layer");
	for (size_t i = 0; i < xdpi_dissectors_count() && i < XDPI_MAX_DISSECTORS; i++) {
		xdpi_json_obj_open(j, xdpi_dissector_at(i)->name);
		xdpi_json_u64(j, "flows", le->flows[i]);
		xdpi_json_u64(j, "events", le->events[i]);
		xdpi_json_u64(j, "malformed", le->malformed[i]);
		xdpi_json_obj_close(j);
	}
	xdpi_json_u64(j, "failed_flows", le->failed_flows);
	xdpi_json_u64(j, "identified_flows", le->identified);
	xdpi_json_u64(j, "switched", le->switched);
	xdpi_json_u64(j, "state_bytes", le->state_bytes);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "reassembly");
	xdpi_json_u64(j, "delivered_bytes", r->delivered_bytes);
	xdpi_json_u64(j, "gaps", r->gaps);
	xdpi_json_u64(j, "gap_bytes", r->gap_bytes);
	xdpi_json_u64(j, "retransmitted", r->retransmitted);
	xdpi_json_u64(j, "overlaps", r->overlaps);
	xdpi_json_u64(j, "ooo_segments", r->ooo_segments);
	xdpi_json_u64(j, "flow_cap_drops", r->flow_cap_drops);
	xdpi_json_u64(j, "global_cap_drops", r->global_cap_drops);
	xdpi_json_u64(j, "ooo_bytes_now", r->ooo_bytes_now);
	xdpi_json_u64(j, "skipped_bytes", r->skipped_bytes);
	xdpi_json_obj_close(j);
}
