// SPDX-License-Identifier: GPL-2.0
/* The rule set: loading, ordering, the prefilter, and the inspection points. Each stage's
 * candidates come from three places: Hyperscan over each buffer (the rule's fast pattern),
 * an address index (header-only rules with written-out address lists, as in the ip_*.rules
 * reputation files), and the few rules that have neither (checked at every inspection of
 * their stage). Candidates are verified in rule order: pass, drop, alert; flowbit setters
 * before their readers. */
#define _GNU_SOURCE /* memmem, memrchr, qsort_r, asprintf */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <hs/hs.h>
#include "xdpi/bytes.h"
#include "xdpi/detect.h"
#include "xdpi/text_file.h"
#include "detect_int.h"
#include "port_groups.h"
#include "prefilter.h"

struct addr_entry {
	uint8_t family;
	uint8_t lo[16], hi[16];
	uint32_t rule;
};

struct addr_index {
	struct addr_entry *e;
	uint8_t (*maxhi)[16]; /* running maximum of hi over e[0..i], per family run */
	uint32_t n, cap;
};

enum l4_class { L4_TCP, L4_UDP, L4_OTHER, L4_CLASSES };

/* Rules without a pattern found through their few ports: (port, rule) sorted by port. */
struct port_entry {
	uint16_t port;
	uint32_t rule;
};

struct port_index {
	struct port_entry *e;
	uint32_t n;
};

#define PORT_INDEX_SPAN 64 /* rules naming at most this many ports are indexed by them */

struct xdpi_detect {
	struct xdpi_rule *rules;
	uint32_t n, cap;
	struct xdpi_names flowbits;
	struct xdpi_rules_report rep;
	bool compiled;
	bool has_events;     /* some rule has a decode-event (invalid packets are inspected) */
	/* one prefilter database per stage, buffer and transport: a packet or message is
	 * scanned only for the patterns of the rules that could apply to it */
	hs_database_t *db[XDPI_STAGE_MAX][XDPI_BUF_MAX][L4_CLASSES];
	/* the packet stage's payload rules bound to a few destination ports are in none of
	 * those: in the database of their port's group instead, scanned after the packet
	 * stage's own for a packet to that port (port_groups.c) */
	struct port_groups pg;
	hs_database_t **pg_db; /* by group, from 1 */
	hs_scratch_t *scratch;
	uint32_t *unfiltered[XDPI_STAGE_MAX];
	uint32_t n_unfiltered[XDPI_STAGE_MAX];
	struct addr_index by_src, by_dst;
	struct port_index by_sport, by_dport;
	uint32_t *sid_order; /* rule indexes sorted by sid */
	uint64_t *sid_set;   /* gid:sid loaded, open addressing (0: free) */
	uint32_t sid_slots, n_sids;
	/* per inspection */
	uint32_t *seen;      /* inspection stamp per rule */
	uint32_t stamp;
	uint32_t *cand;      /* this inspection's candidates (n), then the sort's room (n) */
	uint32_t n_cand;
	enum xdpi_stage cur_stage;
	uint64_t cnt[XDPI_DCNT_MAX];
	struct detect_state *state;
	const struct xdpi_detect *parent; /* a clone: the rules, databases and indexes are the
					    * parent's (read-only); the rest is its own */
	FILE *errs; /* where load and compile name the rules they refuse */
};

/* Is D->db[S][B][CL] a database of its own (not another class's, shared)? */
static bool db_owned(const struct xdpi_detect *d, int s, int b, int cl)
{
	return cl == 0 || d->db[s][b][cl] != d->db[s][b][0];
}

/* detect_state.c */
struct detect_state *detect_state_new(void);
void detect_state_free(struct detect_state *s);
bool detect_flowbits_ok(struct xdpi_detect *d, const struct xdpi_rule *r,
			const struct xdpi_flow *f);
void detect_flowbits_apply(struct xdpi_detect *d, const struct xdpi_rule *r, struct xdpi_flow *f,
			   uint32_t nbits, uint64_t *nomem);
bool detect_flow_passed(const struct xdpi_flow *f);
void detect_flow_pass(struct xdpi_flow *f, uint32_t nbits, uint64_t *nomem);
bool detect_threshold_ok(struct detect_state *s, const struct xdpi_rule *r, uint32_t idx,
			 const uint8_t *src, const uint8_t *dst, uint8_t family, uint64_t ts,
			 uint64_t *evicted);

static const char *const counter_names[] = {
#define XDPI_X_NAME(id, name) name,
	XDPI_DETECT_COUNTERS(XDPI_X_NAME)
#undef XDPI_X_NAME
};

const char *xdpi_detect_counter_name(enum xdpi_detect_counter c)
{
	return c < XDPI_DCNT_MAX ? counter_names[c] : "?";
}

struct xdpi_detect *xdpi_detect__new(void)
{
	struct xdpi_detect *d = calloc(1, sizeof(*d));

	if (d && !(d->state = detect_state_new())) {
		free(d);
		return NULL;
	}
	return d;
}

void xdpi_detect__free(struct xdpi_detect *d)
{
	if (!d)
		return;
	if (d->parent) {
		hs_free_scratch(d->scratch);
		free(d->seen);
		free(d->cand);
		detect_state_free(d->state);
		free(d);
		return;
	}
	for (uint32_t i = 0; i < d->n; i++)
		xdpi_rule_free(&d->rules[i]);
	free(d->rules);
	xdpi_names_free(&d->flowbits);
	free(d->rep.skips);
	for (int s = 0; s < XDPI_STAGE_MAX; s++)
		for (int b = 0; b < XDPI_BUF_MAX; b++)
			for (int c = 0; c < L4_CLASSES; c++)
				if (db_owned(d, s, b, c))
					hs_free_database(d->db[s][b][c]);
	for (uint32_t g = 1; d->pg_db && g <= d->pg.n; g++)
		hs_free_database(d->pg_db[g]);
	free(d->pg_db);
	port_groups_free(&d->pg);
	hs_free_scratch(d->scratch);
	for (int s = 0; s < XDPI_STAGE_MAX; s++)
		free(d->unfiltered[s]);
	free(d->by_src.e), free(d->by_src.maxhi);
	free(d->by_dst.e), free(d->by_dst.maxhi);
	free(d->by_sport.e), free(d->by_dport.e);
	free(d->sid_order);
	free(d->sid_set);
	free(d->seen);
	free(d->cand);
	detect_state_free(d->state);
	free(d);
}

/* ---- loading ---- */

static void count_skip(struct xdpi_rules_report *rep, const char *what)
{
	for (uint32_t i = 0; i < rep->n_skips; i++) {
		if (!strcmp(rep->skips[i].what, what)) {
			rep->skips[i].rules++;
			return;
		}
	}
	struct xdpi_rules_skip *g = realloc(rep->skips, (rep->n_skips + 1) * sizeof(*g));

	if (!g)
		return;
	rep->skips = g;
	snprintf(g[rep->n_skips].what, sizeof(g[0].what), "%s", what);
	g[rep->n_skips++].rules = 1;
}

static bool is_rule_line(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	return len && *s != '#';
}

static int add_rule(struct xdpi_detect *d, struct xdpi_rule *r)
{
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 256;
		struct xdpi_rule *g = realloc(d->rules, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		d->rules = g;
		d->cap = cap;
	}
	d->rules[d->n++] = *r;
	return 0;
}

/* Whether GID:SID was loaded before; remembers it if not. */
static bool sid_seen(struct xdpi_detect *d, uint32_t gid, uint32_t sid)
{
	uint64_t key = (uint64_t)gid << 32 | sid;

	if (d->n_sids * 2 >= d->sid_slots) {
		uint32_t slots = d->sid_slots ? d->sid_slots * 2 : 1024;
		uint64_t *g = calloc(slots, sizeof(*g)), *old = d->sid_set;

		if (!g)
			return false;
		d->sid_set = g;
		d->sid_slots = slots;
		d->n_sids = 0;
		for (uint32_t i = 0; old && i < slots / 2; i++)
			if (old[i])
				sid_seen(d, (uint32_t)(old[i] >> 32), (uint32_t)old[i]);
		free(old);
	}
	for (uint32_t h = (uint32_t)(key * 0x9e3779b97f4a7c15ull >> 40) & (d->sid_slots - 1);;
	     h = (h + 1) & (d->sid_slots - 1)) {
		if (d->sid_set[h] == key)
			return true;
		if (!d->sid_set[h]) {
			d->sid_set[h] = key;
			d->n_sids++;
			return false;
		}
	}
}

/* A sid loaded again with a higher rev replaces the one loaded before (Suricata's rule); true
 * when R took its place (and is owned by the set). */
static bool replace_older(struct xdpi_detect *d, struct xdpi_rule *r)
{
	for (uint32_t i = 0; i < d->n; i++) {
		struct xdpi_rule *old = &d->rules[i];

		if (old->sid != r->sid || old->gid != r->gid)
			continue;
		if (r->rev <= old->rev)
			return false;
		xdpi_rule_free(old);
		*old = *r;
		return true;
	}
	return false;
}

struct load_out {
	FILE *errs, *skips;
};

static void load_one(struct xdpi_detect *d, struct xdpi_rule_parse_ctx *pc, const char *s,
		     size_t len, const struct load_out *o)
{
	struct xdpi_rule r = { 0 };

	d->rep.rules++;
	switch (xdpi_rule_parse(pc, s, len, &r)) {
	case XDPI_RULE_OK:
		break;
	case XDPI_RULE_SKIPPED:
		d->rep.skipped++;
		count_skip(&d->rep, pc->what);
		if (o->skips)
			fprintf(o->skips, "%s:%u: sid %u: unsupported '%s', rule skipped\n", pc->file,
				pc->line, pc->sid, pc->what);
		return;
	default:
		d->rep.errors++;
		if (o->errs)
			fprintf(o->errs, "%s\n", pc->err);
		return;
	}
	if (sid_seen(d, r.gid, r.sid)) {
		d->rep.duplicates++;
		if (replace_older(d, &r)) {
			if (o->errs)
				fprintf(o->errs, "%s:%u: sid %u: rev %u replaces the one loaded before\n",
					pc->file, pc->line, r.sid, r.rev);
			return;
		}
		if (o->errs)
			fprintf(o->errs, "%s:%u: sid %u: loaded before, this one ignored\n", pc->file,
				pc->line, r.sid);
		xdpi_rule_free(&r);
		return;
	}
	if (add_rule(d, &r)) {
		d->rep.errors++;
		xdpi_rule_free(&r);
		return;
	}
	d->rep.loaded++;
}

int xdpi_detect__load_text(struct xdpi_detect *d, const char *name, const char *text, size_t len,
			   const struct xdpi_rule_vars *vars, FILE *errs, FILE *skips)
{
	struct load_out o = { errs, skips };

	d->errs = errs;
	struct xdpi_rule_parse_ctx pc = { .file = name, .vars = vars, .flowbits = &d->flowbits };
	char err[512], *joined = NULL;
	size_t jlen = 0, i = 0;
	uint32_t line = 0, first = 0;

	if (d->compiled)
		return -EBUSY;
	pc.err = err;
	pc.errlen = sizeof(err);
	d->rep.files++;
	while (i < len) {
		const char *s = text + i, *nl = memchr(s, '\n', len - i);
		size_t l = nl ? (size_t)(nl - s) : len - i;

		i += l + 1;
		line++;
		if (l && s[l - 1] == '\r')
			l--;
		if (!joined && !is_rule_line(s, l))
			continue;
		if (l && s[l - 1] == '\\') { /* continued on the next line */
			char *g = realloc(joined, jlen + l);

			if (!g)
				break;
			joined = g;
			if (!jlen)
				first = line;
			memcpy(joined + jlen, s, l - 1);
			jlen += l - 1;
			continue;
		}
		pc.line = jlen ? first : line;
		if (jlen) {
			char *g = realloc(joined, jlen + l);

			if (!g)
				break;
			joined = g;
			memcpy(joined + jlen, s, l);
			load_one(d, &pc, joined, jlen + l, &o);
			jlen = 0;
		} else {
			load_one(d, &pc, s, l, &o);
		}
	}
	if (jlen) {
		pc.line = first;
		load_one(d, &pc, joined, jlen, &o);
	}
	free(joined);
	return 0;
}

int xdpi_detect__load(struct xdpi_detect *d, const char *path, const struct xdpi_rule_vars *vars,
		      FILE *errs, FILE *skips)
{
	char err[256], *text;
	size_t len;
	int rc = xdpi_text_read(path, &text, &len, err, sizeof(err));

	if (rc) {
		if (errs)
			fprintf(errs, "%s\n", err);
		return rc;
	}
	rc = xdpi_detect__load_text(d, path, text, len, vars, errs, skips);
	free(text);
	return rc;
}

const struct xdpi_rules_report *xdpi_detect__report(const struct xdpi_detect *d)
{
	return &d->rep;
}

size_t xdpi_detect__rules(const struct xdpi_detect *d, const struct xdpi_rule **out)
{
	*out = d->rules;
	return d->n;
}

/* ---- reputation rules into the kernel ---- */

static bool kernel_eligible(const struct xdpi_rule *r, bool *by_source)
{
	bool src_list = r->src.literal, dst_list = r->dst.literal;

	if (r->stage != XDPI_STAGE_PACKET || r->proto != XDPI_RP_IP || r->n_sm || r->bidir ||
	    r->family || r->more || r->decode_event ||
	    r->action == XDPI_RA_PASS || !r->sport.any || r->sport.n_out || !r->dport.any ||
	    r->dport.n_out || r->flow || r->dsize.op || r->itype.op || r->icode.op ||
	    r->ip_proto >= 0 || r->has_flags || r->app || r->filter.type ||
	    src_list == dst_list)
		return false;
	for (uint32_t i = 0; i < r->n_fb; i++)
		if (r->fb[i].op != XDPI_FB_SET) /* setting bits is lost; reading them is not */
			return false;
	*by_source = src_list;
	return true;
}

void xdpi_detect__offload(struct xdpi_detect *d, xdpi_kernel_rule_fn fn, void *ctx)
{
	for (uint32_t i = 0; i < d->n && !d->compiled; i++) {
		struct xdpi_rule *r = &d->rules[i];
		bool by_source;

		if (!r->kernel && kernel_eligible(r, &by_source) && fn(ctx, r, by_source)) {
			r->kernel = true;
			d->rep.kernel++;
		}
	}
}

/* ---- compile ---- */

static int rule_rank(const struct xdpi_rule *r)
{
	int rank = r->action == XDPI_RA_PASS ? 0 : r->action == XDPI_RA_DROP ? 2 : 4;

	for (uint32_t i = 0; i < r->n_fb; i++)
		if (r->fb[i].op == XDPI_FB_ISSET || r->fb[i].op == XDPI_FB_ISNOTSET)
			return rank + 1; /* after the rules that may set what it reads */
	return rank;
}

static int sort_rules(struct xdpi_detect *d)
{
	struct xdpi_rule *sorted = malloc((d->n ? d->n : 1) * sizeof(*sorted));
	uint32_t at = 0;

	if (!sorted)
		return -ENOMEM;
	for (int rank = 0; rank <= 5; rank++) /* stable: file order within a rank */
		for (uint32_t i = 0; i < d->n; i++)
			if (rule_rank(&d->rules[i]) == rank)
				sorted[at++] = d->rules[i];
	free(d->rules);
	d->rules = sorted;
	d->cap = d->n;
	return 0;
}

static int push_u32(uint32_t **arr, uint32_t *n, uint32_t v)
{
	uint32_t *g = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!g)
		return -ENOMEM;
	g[(*n)++] = v;
	*arr = g;
	return 0;
}

static int index_add(struct addr_index *x, const struct xdpi_addr_group *g, uint32_t rule)
{
	for (uint32_t i = 0; i < g->n_in; i++) {
		if (x->n == x->cap) {
			uint32_t cap = x->cap ? x->cap * 2 : 1024;
			struct addr_entry *e = realloc(x->e, cap * sizeof(*e));

			if (!e)
				return -ENOMEM;
			x->e = e;
			x->cap = cap;
		}
		struct addr_entry *e = &x->e[x->n++];

		e->family = g->in[i].family;
		memcpy(e->lo, g->in[i].lo, 16);
		memcpy(e->hi, g->in[i].hi, 16);
		e->rule = rule;
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct addr_entry *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	return memcmp(x->lo, y->lo, 16);
}

static int index_finish(struct addr_index *x)
{
	if (x->n)
		qsort(x->e, x->n, sizeof(*x->e), entry_cmp);
	x->maxhi = malloc((x->n ? x->n : 1) * sizeof(*x->maxhi));
	if (!x->maxhi)
		return -ENOMEM;
	for (uint32_t i = 0; i < x->n; i++) {
		bool restart = !i || x->e[i - 1].family != x->e[i].family;

		memcpy(x->maxhi[i], x->e[i].hi, 16);
		if (!restart && memcmp(x->maxhi[i - 1], x->maxhi[i], 16) > 0)
			memcpy(x->maxhi[i], x->maxhi[i - 1], 16);
	}
	return 0;
}

static int sid_cmp_ctx(const void *a, const void *b, void *ctx)
{
	const struct xdpi_detect *d = ctx;
	uint32_t x = d->rules[*(const uint32_t *)a].sid, y = d->rules[*(const uint32_t *)b].sid;

	return x < y ? -1 : x > y;
}

/* How many ports G names, if it is a short plain list (no "any", no exclusion); else 0. */
static uint32_t port_span(const struct xdpi_port_group *g)
{
	uint32_t span = 0;

	if (g->any || g->n_out || !g->n_in)
		return 0;
	for (uint32_t i = 0; i < g->n_in; i++)
		span += (uint32_t)(g->in[i].hi - g->in[i].lo) + 1;
	return span <= PORT_INDEX_SPAN ? span : 0;
}

static int port_index_add(struct port_index *x, const struct xdpi_port_group *g, uint32_t rule)
{
	struct port_entry *e = realloc(x->e, (x->n + port_span(g)) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	x->e = e;
	for (uint32_t i = 0; i < g->n_in; i++)
		for (uint32_t p = g->in[i].lo; p <= g->in[i].hi; p++)
			x->e[x->n++] = (struct port_entry){ (uint16_t)p, rule };
	return 0;
}

static int port_entry_cmp(const void *a, const void *b)
{
	const struct port_entry *x = a, *y = b;

	return x->port != y->port ? x->port - y->port : (x->rule > y->rule) - (x->rule < y->rule);
}

/* Is rule R inspected at stage S? */
static bool rule_at(const struct xdpi_rule *r, int s)
{
	return r->stage == s || (r->also_response && s == (int)xdpi_stage_answer(r->stage));
}

/* Where a packet-stage rule without a pattern is found: its address list, its ports, or
 * every time. */
static int place_unfiltered(struct xdpi_detect *d, const struct xdpi_rule *r, uint32_t i)
{
	bool packet = r->stage == XDPI_STAGE_PACKET && !r->bidir;

	if (packet && (r->src.literal || r->dst.literal)) {
		d->rep.addr_indexed++;
		return index_add(r->src.literal ? &d->by_src : &d->by_dst,
				 r->src.literal ? &r->src : &r->dst, i);
	}
	if (packet && (port_span(&r->dport) || port_span(&r->sport))) {
		d->rep.port_indexed++;
		return port_span(&r->dport) ? port_index_add(&d->by_dport, &r->dport, i)
					    : port_index_add(&d->by_sport, &r->sport, i);
	}
	d->rep.unfiltered++;
	if (r->also_response &&
	    push_u32(&d->unfiltered[xdpi_stage_answer(r->stage)],
		     &d->n_unfiltered[xdpi_stage_answer(r->stage)], i))
		return -ENOMEM;
	return push_u32(&d->unfiltered[r->stage], &d->n_unfiltered[r->stage], i);
}

/* Where each rule's candidates come from. */
static int place_rules(struct xdpi_detect *d)
{
	for (uint32_t i = 0; i < d->n; i++) {
		const struct xdpi_rule *r = &d->rules[i];
		int rc = 0;

		if (r->kernel)
			continue;
		d->rep.by_stage[r->stage]++;
		if (r->also_response)
			d->rep.by_stage[xdpi_stage_answer(r->stage)]++;
		if (r->prefilter >= 0)
			d->rep.prefiltered++;
		else
			rc = place_unfiltered(d, r, i);
		if (rc)
			return rc;
	}
	if (index_finish(&d->by_src) || index_finish(&d->by_dst))
		return -ENOMEM;
	if (d->by_sport.n)
		qsort(d->by_sport.e, d->by_sport.n, sizeof(*d->by_sport.e), port_entry_cmp);
	if (d->by_dport.n)
		qsort(d->by_dport.e, d->by_dport.n, sizeof(*d->by_dport.e), port_entry_cmp);
	return 0;
}

/* The transports a rule's protocol runs on (bit per enum l4_class). */
static unsigned rule_l4(const struct xdpi_rule *r)
{
	switch (r->proto) {
	case XDPI_RP_TCP: case XDPI_RP_TLS: return 1u << L4_TCP;
	case XDPI_RP_UDP: return 1u << L4_UDP;
	case XDPI_RP_ICMP: return 1u << L4_OTHER;
	case XDPI_RP_HTTP: case XDPI_RP_DNS: return 1u << L4_TCP | 1u << L4_UDP;
	default: return 7;
	}
}

static enum l4_class l4_class(uint8_t proto)
{
	return proto == XDPI_IPPROTO_TCP ? L4_TCP : proto == XDPI_IPPROTO_UDP ? L4_UDP : L4_OTHER;
}

static void refuse_rule(struct xdpi_detect *d, uint32_t idx, size_t len, const char *why)
{
	struct xdpi_rule *r = &d->rules[idx];

	r->refused = true;
	d->rep.loaded--;
	d->rep.errors++;
	d->rep.prefiltered--;
	d->rep.by_stage[r->stage]--;
	if (r->also_response)
		d->rep.by_stage[xdpi_stage_answer(r->stage)]--;
	if (d->errs)
		fprintf(d->errs, "%s:%u: sid %u: the prefilter (Hyperscan) refuses its %zu-byte "
			"pattern: %s; rule not loaded\n", r->file ? r->file : "?", r->line, r->sid,
			len, why);
}

/* The database of stage S, buffer B, transport class CL. The packet stage has one per
 * transport (a UDP payload is scanned for UDP rules' patterns alone); an application buffer
 * holds the same bytes whichever transport carried it, so its stage has one for all (a
 * candidate of another transport fails verify()'s first check), which halves what loading
 * compiles where HTTP and DNS rules name both. */
static uint32_t db_group(int s, int b, int cl)
{
	return ((uint32_t)s * XDPI_BUF_MAX + (uint32_t)b) * L4_CLASSES +
	       (s == XDPI_STAGE_PACKET ? (uint32_t)cl : 0);
}

#define DB_GROUPS ((uint32_t)XDPI_STAGE_MAX * XDPI_BUF_MAX * L4_CLASSES)

static bool has_prefilter(const struct xdpi_rule *r)
{
	return !r->kernel && !r->refused && r->prefilter >= 0;
}

_Static_assert(L4_TCP == 0 && L4_UDP == 1 && PORT_GROUP_CLASSES == 2,
	       "port groups are kept for the first two transport classes");

/* Does rule R's fast pattern go in port groups for transport class CL instead of the packet
 * stage's database? A packet-stage TCP rule on the payload, one way, to a few destination
 * ports: verify() passes it only for a packet whose destination port is one of them. Not UDP:
 * most UDP payload rules are DNS's (1,304 of ET's 2,149 on port 53), so a DNS packet scans
 * them all anyway, and Hyperscan compiled the 634 left without them in 350-470 ms where it
 * compiles all 2,149 in 40-85 (a small set of mixed-case literals; measured apart). */
static bool port_grouped(const struct xdpi_rule *r, unsigned cl, void *ctx)
{
	(void)ctx;
	return cl == L4_TCP && has_prefilter(r) && r->stage == XDPI_STAGE_PACKET &&
	       !r->also_response && !r->bidir && r->sm[r->prefilter].buf == XDPI_BUF_PAYLOAD &&
	       (rule_l4(r) & (1u << cl)) && port_groups_narrow(&r->dport);
}

/* Calls FN for each database group rule R's fast pattern goes in (its stage, its answer's,
 * and per transport in the packet stage, unless port groups take it there). */
static void rule_groups(const struct xdpi_rule *r, void (*fn)(void *, uint32_t), void *ctx)
{
	int b = r->sm[r->prefilter].buf;

	for (int s = 0; s < XDPI_STAGE_MAX; s++) {
		if (!rule_at(r, s))
			continue;
		for (int cl = 0; cl < (s == XDPI_STAGE_PACKET ? L4_CLASSES : 1); cl++)
			if (s != XDPI_STAGE_PACKET ||
			    ((rule_l4(r) & (1u << cl)) && !port_grouped(r, (unsigned)cl, NULL)))
				fn(ctx, db_group(s, b, cl));
	}
}

struct pat_fill {
	uint32_t *at;  /* per group: counted, then the next free slot */
	struct prefilter_pat *pats;
	const struct xdpi_rule *r;
	uint32_t idx;
};

static void group_count(void *ctx, uint32_t g)
{
	((struct pat_fill *)ctx)->at[g]++;
}

static void group_place(void *ctx, uint32_t g)
{
	struct pat_fill *f = ctx;
	const struct xdpi_content *c = &f->r->sm[f->r->prefilter].c;
	struct prefilter_pat *p = &f->pats[f->at[g]++];

	p->pat = (const char *)c->pat + c->fp_off;
	p->len = c->fp_len ? c->fp_len : c->len;
	p->flags = HS_FLAG_SINGLEMATCH | (c->flags & XDPI_CT_NOCASE ? HS_FLAG_CASELESS : 0);
	p->id = f->idx;
	p->group = g;
}

/* Every prefiltered rule's fast pattern, once per group, sorted by group (a counting sort);
 * *N set. Port group g is group DB_GROUPS + g - 1. */
static struct prefilter_pat *collect_patterns(const struct xdpi_detect *d, uint32_t *n)
{
	uint32_t groups = DB_GROUPS + d->pg.n, total = 0;
	struct pat_fill f = { .at = calloc(groups, sizeof(uint32_t)) };

	if (!f.at)
		return NULL;
	for (uint32_t i = 0; i < d->n; i++)
		if (has_prefilter(&d->rules[i]))
			rule_groups(&d->rules[i], group_count, &f);
	for (uint32_t g = 1; g <= d->pg.n; g++)
		f.at[DB_GROUPS + g - 1] = d->pg.first[g] - d->pg.first[g - 1];
	for (uint32_t g = 0; g < groups; g++) {
		uint32_t c = f.at[g];

		f.at[g] = total;
		total += c;
	}
	if ((f.pats = calloc(total ? total : 1, sizeof(*f.pats)))) {
		for (f.idx = 0; f.idx < d->n; f.idx++) {
			f.r = &d->rules[f.idx];
			if (has_prefilter(f.r))
				rule_groups(f.r, group_place, &f);
		}
		for (uint32_t g = 1; g <= d->pg.n; g++)
			for (uint32_t k = d->pg.first[g - 1]; k < d->pg.first[g]; k++) {
				f.idx = d->pg.rule[k];
				f.r = &d->rules[f.idx];
				group_place(&f, DB_GROUPS + g - 1);
			}
	}
	free(f.at);
	*n = total;
	return f.pats;
}

static void on_refused(void *ctx, uint32_t idx, const char *why)
{
	struct xdpi_detect *d = ctx;
	const struct xdpi_rule *r = &d->rules[idx];
	const struct xdpi_content *c = &r->sm[r->prefilter].c;

	if (!r->refused) /* once, whatever the groups that refused it */
		refuse_rule(d, idx, c->fp_len ? c->fp_len : c->len, why);
}

/* Each group's database in its place: a stage's own for all transports, or per transport
 * (the packet stage), then the port groups'. */
static void place_databases(struct xdpi_detect *d, hs_database_t **db)
{
	for (int s = 0; s < XDPI_STAGE_MAX; s++)
		for (int b = 0; b < XDPI_BUF_MAX; b++)
			for (int cl = 0; cl < L4_CLASSES; cl++)
				d->db[s][b][cl] = db[db_group(s, b, cl)];
	for (uint32_t g = 1; g <= d->pg.n; g++)
		d->pg_db[g] = db[DB_GROUPS + g - 1];
}

static int alloc_scratch(struct xdpi_detect *d, char *err, size_t errlen)
{
	for (int s = 0; s < XDPI_STAGE_MAX; s++)
		for (int b = 0; b < XDPI_BUF_MAX; b++)
			for (int cl = 0; cl < L4_CLASSES; cl++)
				if (d->db[s][b][cl] && db_owned(d, s, b, cl) &&
				    hs_alloc_scratch(d->db[s][b][cl], &d->scratch) != HS_SUCCESS)
					goto fail;
	for (uint32_t g = 1; g <= d->pg.n; g++)
		if (d->pg_db[g] && hs_alloc_scratch(d->pg_db[g], &d->scratch) != HS_SUCCESS)
			goto fail;
	return 0;
fail:
	snprintf(err, errlen, "hyperscan: cannot allocate scratch space");
	return -ENOMEM;
}

/* The report's port-group counts: rules, each once, that compiled in a group. */
static void count_port_grouped(struct xdpi_detect *d)
{
	d->rep.port_grouped = 0;
	for (uint32_t i = 0; i < d->n; i++)
		d->rep.port_grouped += port_grouped(&d->rules[i], L4_TCP, NULL);
	d->rep.port_groups = d->pg.n;
}

static int build_prefilter(struct xdpi_detect *d, char *err, size_t errlen)
{
	hs_database_t **db = NULL;
	struct prefilter_pat *pats = NULL;
	uint32_t n = 0, bad = 0;
	int rc;

	if (!port_groups_build(&d->pg, d->rules, d->n, port_grouped, NULL) &&
	    (d->pg_db = calloc(d->pg.n + 1, sizeof(*d->pg_db))) &&
	    (db = calloc(DB_GROUPS + d->pg.n, sizeof(*db))))
		pats = collect_patterns(d, &n);
	if (!pats) {
		free(db);
		snprintf(err, errlen, "out of memory while compiling the rules");
		return -ENOMEM;
	}
	rc = xdpi_prefilter_compile(pats, n, d->n, db, on_refused, d, &bad, err, errlen);
	place_databases(d, db);
	count_port_grouped(d);
	if (rc == -EINVAL) {
		size_t len = strlen(err);

		snprintf(err + len, errlen - len, " (buffer %s)",
			 xdpi_buffer_name(bad >= DB_GROUPS ? XDPI_BUF_PAYLOAD
				: (enum xdpi_buffer)(bad / L4_CLASSES % XDPI_BUF_MAX)));
	}
	if (!rc)
		rc = alloc_scratch(d, err, errlen);
	free(pats);
	free(db);
	return rc;
}

int xdpi_detect__compile(struct xdpi_detect *d, char *err, size_t errlen)
{
	struct xdpi_rules_jit jit;
	int rc;

	if (d->compiled)
		return 0;
	if ((rc = sort_rules(d)) || (rc = place_rules(d)))
		goto nomem;
	xdpi_rules_jit_start(&jit, d->rules, d->n); /* reads the rules; the prefilter only
						     * marks refused ones */
	rc = build_prefilter(d, err, errlen);
	xdpi_rules_jit_wait(&jit);
	if (rc)
		return rc;
	d->seen = calloc(d->n ? d->n : 1, sizeof(*d->seen));
	d->cand = calloc(d->n ? 2 * d->n : 1, sizeof(*d->cand)); /* the sort's room after */
	d->sid_order = calloc(d->n ? d->n : 1, sizeof(*d->sid_order));
	if (!d->seen || !d->cand || !d->sid_order) {
		rc = -ENOMEM;
		goto nomem;
	}
	for (uint32_t i = 0; i < d->n; i++) {
		d->sid_order[i] = i;
		d->has_events |= d->rules[i].decode_event != 0;
	}
	if (d->n)
		qsort_r(d->sid_order, d->n, sizeof(uint32_t), sid_cmp_ctx, d);
	d->compiled = true;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory while compiling the rules");
	return rc;
}

struct xdpi_detect *xdpi_detect__clone(const struct xdpi_detect *d)
{
	struct xdpi_detect *c;

	if (!d->compiled || !(c = malloc(sizeof(*c))))
		return NULL;
	*c = *d; /* the shared parts by pointer */
	c->parent = d;
	c->scratch = NULL;
	c->stamp = 0;
	c->n_cand = 0;
	memset(c->cnt, 0, sizeof(c->cnt));
	c->seen = calloc(d->n ? d->n : 1, sizeof(*c->seen));
	c->cand = calloc(d->n ? 2 * d->n : 1, sizeof(*c->cand));
	c->state = detect_state_new();
	if (!c->seen || !c->cand || !c->state ||
	    (d->scratch && hs_clone_scratch(d->scratch, &c->scratch) != HS_SUCCESS)) {
		xdpi_detect__free(c);
		return NULL;
	}
	return c;
}

const struct xdpi_rule *xdpi_detect__by_sid(const struct xdpi_detect *d, uint32_t sid)
{
	uint32_t lo = 0, hi = d->compiled ? d->n : 0;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2, s = d->rules[d->sid_order[mid]].sid;

		if (s == sid)
			return &d->rules[d->sid_order[mid]];
		if (s < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t xdpi_detect__stages(const struct xdpi_detect *d)
{
	uint32_t m = 0;

	for (int s = 0; s < XDPI_STAGE_MAX; s++)
		if (d->rep.by_stage[s])
			m |= 1u << s;
	return m;
}

const uint64_t *xdpi_detect__counters(const struct xdpi_detect *d)
{
	return d->cnt;
}

/* ---- inspection ---- */

static void candidate(struct xdpi_detect *d, uint32_t idx)
{
	if (d->seen[idx] == d->stamp || !rule_at(&d->rules[idx], d->cur_stage))
		return;
	d->seen[idx] = d->stamp;
	d->cand[d->n_cand++] = idx;
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		  void *ctx)
{
	(void)from, (void)to, (void)flags;
	candidate(ctx, id);
	return 0;
}

static void index_lookup(struct xdpi_detect *d, const struct addr_index *x, uint8_t family,
			 const uint8_t *addr)
{
	uint8_t key[16] = { 0 };
	uint32_t lo = 0, hi = x->n;

	memcpy(key, addr, family == 4 ? 4 : 16);
	while (lo < hi) { /* first entry past (family, key) */
		uint32_t mid = (lo + hi) / 2;
		const struct addr_entry *e = &x->e[mid];

		if (e->family < family || (e->family == family && memcmp(e->lo, key, 16) <= 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo; i-- > 0;) {
		const struct addr_entry *e = &x->e[i];

		if (e->family != family || memcmp(x->maxhi[i], key, 16) < 0)
			break;
		if (memcmp(e->hi, key, 16) >= 0)
			candidate(d, e->rule);
	}
}

static void port_lookup(struct xdpi_detect *d, const struct port_index *x, uint16_t port)
{
	uint32_t lo = 0, hi = x->n;

	while (lo < hi) { /* the first entry of PORT */
		uint32_t mid = (lo + hi) / 2;

		if (x->e[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < x->n && x->e[lo].port == port; lo++)
		candidate(d, x->e[lo].rule);
}

static void begin(struct xdpi_detect *d, enum xdpi_stage stage)
{
	d->n_cand = 0;
	d->cur_stage = stage;
	if (++d->stamp == 0) { /* wrapped: forget every old stamp */
		memset(d->seen, 0, d->n * sizeof(*d->seen));
		d->stamp = 1;
	}
	for (uint32_t i = 0; i < d->n_unfiltered[stage]; i++)
		candidate(d, d->unfiltered[stage][i]);
}

static void scan(struct xdpi_detect *d, const hs_database_t *db, const uint8_t *buf, uint32_t len)
{
	if (hs_scan(db, (const char *)buf, len, 0, d->scratch, on_hit, d) != HS_SUCCESS)
		d->cnt[XDPI_DCNT_SCAN_ERRORS]++;
}

/* IN's buffers for the patterns of its stage's rules of transport PROTO; in the packet stage,
 * the payload for those of the port group of DPORT (the packet's destination port) too. */
static void scan_buffers(struct xdpi_detect *d, const struct xdpi_inspect *in, uint8_t proto,
			 uint16_t dport)
{
	enum l4_class cl = l4_class(proto);
	uint32_t g;

	for (int b = 0; b < XDPI_BUF_MAX; b++) {
		hs_database_t *db = d->db[in->stage][b][cl];

		if (db && in->buf[b])
			scan(d, db, in->buf[b], in->len[b]);
	}
	if (in->stage == XDPI_STAGE_PACKET && in->buf[XDPI_BUF_PAYLOAD] && cl < PORT_GROUP_CLASSES &&
	    (g = port_groups_find(&d->pg, cl, dport)) && d->pg_db[g])
		scan(d, d->pg_db[g], in->buf[XDPI_BUF_PAYLOAD], in->len[XDPI_BUF_PAYLOAD]);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Candidates in rule order. An inspection has a dozen or so (ET's payload patterns are short
 * and many), some hundreds (a common pattern of many rules): qsort's calls through a
 * comparator were 4% of inspecting with the ET snapshot. A short list is sorted in place by
 * insertion, a long one by two counting passes over a byte of the index each (TMP: room for
 * N), or by qsort in a set of more than 65,536 rules. */
#define CAND_INSERTION_MAX 32
#define CAND_RADIX_RULES 65536u

static void radix_pass(const uint32_t *in, uint32_t *out, uint32_t n, unsigned shift)
{
	uint32_t at[256] = { 0 }, sum = 0;

	for (uint32_t i = 0; i < n; i++)
		at[(in[i] >> shift) & 255]++;
	for (unsigned b = 0; b < 256; b++) {
		uint32_t k = at[b];

		at[b] = sum;
		sum += k;
	}
	for (uint32_t i = 0; i < n; i++)
		out[at[(in[i] >> shift) & 255]++] = in[i];
}

static void sort_candidates(uint32_t *c, uint32_t n, uint32_t *tmp, uint32_t rules)
{
	if (n > CAND_INSERTION_MAX && rules <= CAND_RADIX_RULES) {
		radix_pass(c, tmp, n, 0);
		radix_pass(tmp, c, n, 8);
		return;
	}
	if (n > CAND_INSERTION_MAX) {
		qsort(c, n, sizeof(*c), u32_cmp);
		return;
	}
	for (uint32_t i = 1; i < n; i++) {
		uint32_t v = c[i], j = i;

		for (; j && c[j - 1] > v; j--)
			c[j] = c[j - 1];
		c[j] = v;
	}
}

/* The header as the rule sees it: the sender of this packet or message is "src". */
struct hdr {
	uint8_t family, proto;
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint8_t dir;
	const struct xdpi_decoded *pkt; /* packet stage only */
};

static bool proto_ok(const struct xdpi_rule *r, const struct hdr *h, const struct xdpi_flow *f)
{
	if (r->family && h->family != r->family)
		return false;
	switch (r->proto) {
	case XDPI_RP_TCP: return h->proto == XDPI_IPPROTO_TCP;
	case XDPI_RP_UDP: return h->proto == XDPI_IPPROTO_UDP;
	case XDPI_RP_ICMP: return h->proto == XDPI_IPPROTO_ICMP || h->proto == XDPI_IPPROTO_ICMPV6;
	case XDPI_RP_IP: return true;
	default: /* an application protocol: the flow must have been found to speak it */
		return h->proto == XDPI_IPPROTO_TCP || h->proto == XDPI_IPPROTO_UDP;
	}
	(void)f;
}

/* "http" names HTTP/1 and HTTP/2 alike, "http1" HTTP/1 only (a rule's header protocol);
 * DNS over HTTP/2 (doh2) is HTTP/2, and DNS, too (as Suricata's names are). EXACT: none of
 * that, the flow's protocol itself (xdpi's HTTP/1 dissector is "http"). */
static bool app_is(const char *ap, const char *name, bool exact)
{
	if (ap && !strcmp(name, "http1"))
		return !strcmp(ap, "http");
	if (exact)
		return ap && !strcmp(ap, name);
	if (ap && !strcmp(ap, "doh2"))
		return !strcmp(name, "doh2") || !strcmp(name, "http2") || !strcmp(name, "http") ||
		       !strcmp(name, "dns");
	return ap && (!strcmp(ap, name) || (!strcmp(name, "http") && !strcmp(ap, "http2")));
}

/* app-layer-protocol: a negated name matches only once the flow's protocol is known (a
 * dissector claimed it, or none could: "failed"), as Suricata's. */
static bool app_ok(const struct xdpi_rule *r, const struct xdpi_flow *f,
		   const struct xdpi_inspect *in)
{
	const char *ap = in && in->app_proto ? in->app_proto /* HTTP inside TLS */
			 : r->app_original && f->app_proto_orig ? f->app_proto_orig : f->app_proto;

	if (!r->app)
		return true;
	if ((r->app_negated && !ap) || (r->app_only && !f->app_changed))
		return false;
	for (uint8_t i = 0; i < r->n_app_not; i++)
		if (app_is(ap, r->app_not[i], r->app_exact))
			return false;
	return app_is(ap, r->app, r->app_exact) != r->app_negated;
}

static bool addrs_ok(const struct xdpi_rule *r, const struct hdr *h)
{
	if (xdpi_addr_match(&r->src, h->family, h->src) && xdpi_addr_match(&r->dst, h->family, h->dst) &&
	    xdpi_port_match(&r->sport, h->sport) && xdpi_port_match(&r->dport, h->dport))
		return true;
	return r->bidir && xdpi_addr_match(&r->src, h->family, h->dst) &&
	       xdpi_addr_match(&r->dst, h->family, h->src) && xdpi_port_match(&r->sport, h->dport) &&
	       xdpi_port_match(&r->dport, h->sport);
}

static bool established(const struct xdpi_flow *f)
{
	if (f->key.proto == XDPI_IPPROTO_TCP)
		return f->tcp_state >= XDPI_TCP_ESTABLISHED;
	return f->pkts[0] && f->pkts[1];
}

static bool flow_ok(const struct xdpi_rule *r, const struct hdr *h, const struct xdpi_flow *f)
{
	if ((r->flow & XDPI_FLOW_TO_SERVER) && h->dir != 0)
		return false;
	if ((r->flow & XDPI_FLOW_TO_CLIENT) && h->dir != 1)
		return false;
	if (!h->pkt) /* a transaction: its connection is established */
		return !(r->flow & XDPI_FLOW_NOT_ESTABLISHED);
	if ((r->flow & XDPI_FLOW_ESTABLISHED) && !established(f))
		return false;
	if ((r->flow & XDPI_FLOW_NOT_ESTABLISHED) && established(f))
		return false;
	return true;
}

/* vlan.id: one tag (by layer), every tag, or any tag meets the condition. */
static bool vlan_ok(const struct xdpi_vlan_cond *c, const struct xdpi_decoded *p)
{
	int i;

	if (!p->nvlan)
		return false;
	if (c->which == XDPI_VLAN_LAYER) {
		i = c->layer >= 0 ? c->layer : p->nvlan + c->layer;
		return i >= 0 && i < p->nvlan && xdpi_num_cmp_match(&c->id, p->vlan[i]);
	}
	for (i = 0; i < p->nvlan; i++)
		if (xdpi_num_cmp_match(&c->id, p->vlan[i]) != (c->which == XDPI_VLAN_ALL))
			return c->which != XDPI_VLAN_ALL;
	return c->which == XDPI_VLAN_ALL;
}

/* The MSS option of a TCP header (0: none). */
static uint32_t tcp_mss(const struct xdpi_decoded *p)
{
	const uint8_t *o = p->l4_hdr;

	for (uint32_t i = 20; o && i + 1 < p->l4_hlen;) {
		if (o[i] == 0)
			break;
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (o[i] == 2 && o[i + 1] == 4 && i + 4 <= p->l4_hlen)
			return (uint32_t)o[i + 2] << 8 | o[i + 3];
		if (o[i + 1] < 2)
			break;
		i += o[i + 1];
	}
	return 0;
}

static bool icmp_echo(const struct xdpi_decoded *p)
{
	return (p->proto == XDPI_IPPROTO_ICMP && (p->icmp_type == 0 || p->icmp_type == 8)) ||
	       (p->proto == XDPI_IPPROTO_ICMPV6 && (p->icmp_type == 128 || p->icmp_type == 129));
}

/* IPv4 protocols Suricata's decoder reads (others raise ipv4.unknown_protocol). */
static bool ipv4_proto_known(uint8_t proto)
{
	static const uint8_t known[] = { 1, 4, 6, 17, 41, 47, 50, 58, 132, 136, 143 };

	return memchr(known, proto, sizeof(known)) != NULL;
}

/* decode-event: the decoder's reason, or an event on a sound packet. A packet the decoder
 * refused is seen by decode-event rules only. */
static bool event_ok(const struct xdpi_rule *r, const struct xdpi_decoded *p)
{
	if (r->decode_event == XDPI_EVENT_PROTO_UNKNOWN)
		return !p->reason && p->family == 4 && !ipv4_proto_known(p->proto);
	if (r->decode_event >= XDPI_EVENT_BIT) /* on a packet refused for another reason too */
		return p->events & (1u << (r->decode_event - XDPI_EVENT_BIT));
	return r->decode_event ? p->reason == r->decode_event : !p->reason;
}

/* The rarer packet conditions: vlan.id, icmp_id, tcp.mss. */
static bool packet_more_ok(const struct xdpi_rule_more *x, const struct xdpi_decoded *p)
{
	if (x->vlan.id.op && !vlan_ok(&x->vlan, p))
		return false;
	if (x->icmp_id.op && (!icmp_echo(p) || !xdpi_num_cmp_match(&x->icmp_id, p->sport)))
		return false;
	if (x->tcp_mss.op) {
		uint32_t mss = p->proto == XDPI_IPPROTO_TCP ? tcp_mss(p) : 0;

		if (!mss || !xdpi_num_cmp_match(&x->tcp_mss, mss))
			return false;
	}
	return true;
}

static bool packet_ok(const struct xdpi_rule *r, const struct xdpi_decoded *p)
{
	bool icmp = p->proto == XDPI_IPPROTO_ICMP || p->proto == XDPI_IPPROTO_ICMPV6;

	if (!event_ok(r, p))
		return false;
	if (p->frag != XDPI_DFRAG_NONE && r->proto != XDPI_RP_IP)
		return false; /* a fragment is IP only: its datagram, whole, is the TCP/UDP packet */
	if (r->dsize.op && !xdpi_num_cmp_match(&r->dsize, p->payload_wire))
		return false;
	if ((r->itype.op || r->icode.op) && !icmp)
		return false;
	if (r->itype.op && !xdpi_num_cmp_match(&r->itype, p->icmp_type))
		return false;
	if (r->icode.op && !xdpi_num_cmp_match(&r->icode, p->icmp_code))
		return false;
	if (r->ip_proto >= 0 && p->proto != r->ip_proto)
		return false;
	if (r->more && !packet_more_ok(r->more, p))
		return false;
	if (r->has_flags) { /* not a default: a rule without flags: is not a TCP rule */
		uint8_t fl = p->tcp_flags & r->flags_mask;

		if (p->proto != XDPI_IPPROTO_TCP)
			return false;
		switch (r->flags_mod) {
		case '+': return (fl & r->flags_set) == r->flags_set;
		case '*': return (fl & r->flags_set) != 0;
		case '!': return (fl & r->flags_set) == 0;
		default: return fl == r->flags_set;
		}
	}
	return true;
}

/* stream_size: a side's sequence space so far (its payload, 1 for its SYN). */
static bool stream_size_ok(const struct xdpi_rule_more *r, const struct xdpi_flow *f)
{
	bool any = false, all = true;

	if (!r->stream_size[0].op && !r->stream_size[1].op)
		return true;
	if (f->key.proto != XDPI_IPPROTO_TCP)
		return false;
	for (int dir = 0; dir < 2; dir++) {
		uint8_t side = dir ? !f->initiator : f->initiator;
		uint64_t size = f->payload[side] + !!(f->tcp_flags[side] & 0x02);
		bool ok;

		if (!r->stream_size[dir].op)
			continue;
		ok = xdpi_num_cmp_match(&r->stream_size[dir], size);
		any |= ok, all &= ok;
	}
	return r->stream_size_either ? any : all;
}

/* flow.pkts and flow.bytes: the flow's counters so far, by direction. */
static bool counters_ok(const struct xdpi_rule_more *r, const struct xdpi_flow *f)
{
	if (!stream_size_ok(r, f))
		return false;
	for (int dir = 0; dir < 2; dir++) {
		uint8_t side = dir ? !f->initiator : f->initiator;

		if (r->flow_pkts[dir].op && !xdpi_num_cmp_match(&r->flow_pkts[dir], f->pkts[side]))
			return false;
		if (r->flow_bytes[dir].op && !xdpi_num_cmp_match(&r->flow_bytes[dir], f->bytes[side]))
			return false;
	}
	return true;
}

/* ssl_version: the version's bit among the rule's (drafts of 1.3 count as 1.3); a version
 * outside the six never matches, negated or not (as Suricata's). */
static bool ssl_version_ok(const struct xdpi_rule_more *r, uint16_t v)
{
	int bit = v == 0x0200 ? 0 : v >= 0x0300 && v <= 0x0304 ? 1 + (v & 0xff)
		: (v >> 8) == 0x7f ? 5 : -1;

	return bit >= 0 && (!!(r->ssl_versions & (1u << bit)) != r->ssl_negated);
}

/* Conditions on a transaction's numbers (not buffers). */
static bool numbers_ok(const struct xdpi_rule_more *r, const struct xdpi_inspect *in)
{
	bool type = !r->dns_rrtype.op;

	if (r->tls_chain_len.op && (in->stage != XDPI_STAGE_TLS_SERVER ||
				    !xdpi_num_cmp_match(&r->tls_chain_len, in->tls_chain_len)))
		return false;
	if (r->ssl_versions && !ssl_version_ok(r, in->tls_version))
		return false;
	if (r->h2_frametype.op && (in->stage != XDPI_STAGE_HTTP2_FRAME ||
				   !xdpi_num_cmp_match(&r->h2_frametype, in->h2_frame_type)))
		return false;
	if ((r->dns_rcode.op || r->dns_opcode.op || r->dns_rrtype.op) && !in->dns)
		return false;
	for (uint8_t i = 0; !type && i < in->dns_ntypes; i++)
		type = xdpi_num_cmp_match(&r->dns_rrtype, in->dns_types[i]);
	return type && (!r->dns_rcode.op || xdpi_num_cmp_match(&r->dns_rcode, in->dns_rcode)) &&
	       (!r->dns_opcode.op || xdpi_num_cmp_match(&r->dns_opcode, in->dns_opcode));
}

static bool verify(struct xdpi_detect *d, const struct xdpi_rule *r, const struct hdr *h,
		   struct xdpi_flow *f, const struct xdpi_inspect *in)
{
	/* the cheap checks first */
	return proto_ok(r, h, f) && flow_ok(r, h, f) && (!h->pkt || packet_ok(r, h->pkt)) &&
	       app_ok(r, f, in) && (!r->risks || (f && (f->risks & r->risks))) && addrs_ok(r, h) &&
	       (!r->numbers || (numbers_ok(r->more, in) && counters_ok(r->more, f))) &&
	       xdpi_rule_match_buffers(r, in) &&
	       detect_flowbits_ok(d, r, f);
}

/* What a match does: flowbits, then pass / threshold / alert. Returns false once a pass rule
 * matched (nothing more is inspected for the flow). */
static bool act(struct xdpi_detect *d, uint32_t idx, const struct hdr *h, struct xdpi_flow *f,
		const struct xdpi_inspect *in, uint64_t ts, xdpi_alert_fn fn, void *ctx)
{
	const struct xdpi_rule *r = &d->rules[idx];
	struct xdpi_alert a = { .rule = r, .flow = f, .dir = h->dir, .in = in, .ts = ts,
				.where_buf = -1 };

	d->cnt[XDPI_DCNT_MATCHES]++;
	detect_flowbits_apply(d, r, f, d->flowbits.n, &d->cnt[XDPI_DCNT_FLOWBITS_NOMEM]);
	if (r->action == XDPI_RA_PASS) {
		d->cnt[XDPI_DCNT_PASSES]++;
		detect_flow_pass(f, d->flowbits.n, &d->cnt[XDPI_DCNT_FLOWBITS_NOMEM]);
		return false;
	}
	if (r->noalert)
		return true;
	if (!detect_threshold_ok(d->state, r, idx, h->src, h->dst, h->family, ts,
				 &d->cnt[XDPI_DCNT_THRESHOLD_EVICTED])) {
		d->cnt[XDPI_DCNT_SUPPRESSED]++;
		return true;
	}
	d->cnt[XDPI_DCNT_ALERTS]++;
	if (in && xdpi_rule_match_where(&a.where_buf, &a.where_off, &a.where_len) && in->matched)
		in->matched(in->matched_ctx, r, (enum xdpi_buffer)a.where_buf, a.where_off,
			    a.where_len);
	if (fn(ctx, &a) && r->action == XDPI_RA_DROP)
		d->cnt[XDPI_DCNT_DROPS]++;
	return true;
}

static void run(struct xdpi_detect *d, const struct hdr *h, struct xdpi_flow *f,
		const struct xdpi_inspect *in, uint64_t ts, xdpi_alert_fn fn, void *ctx)
{
	d->cnt[XDPI_DCNT_CANDIDATES] += d->n_cand;
	sort_candidates(d->cand, d->n_cand, d->cand + d->n, d->n);
	for (uint32_t i = 0; i < d->n_cand; i++) {
		const struct xdpi_rule *r = &d->rules[d->cand[i]];

		if (verify(d, r, h, f, in) && !act(d, d->cand[i], h, f, in, ts, fn, ctx))
			return;
	}
}

/* ipv4.hdr / ipv6.hdr and tcp.hdr / udp.hdr: the headers as captured, options included. */
static void set_header_buffers(struct xdpi_inspect *in, const struct xdpi_decoded *p)
{
	if (p->l3_hdr && p->l3_hlen)
		xdpi_inspect_set(in, p->family == 4 ? XDPI_BUF_IPV4_HDR : XDPI_BUF_IPV6_HDR,
				 p->l3_hdr, p->l3_hlen);
	if (p->l4_hdr && p->l4_hlen && p->proto == XDPI_IPPROTO_TCP)
		xdpi_inspect_set(in, XDPI_BUF_TCP_HDR, p->l4_hdr, p->l4_hlen);
	if (p->l4_hdr && p->l4_hlen && p->proto == XDPI_IPPROTO_UDP)
		xdpi_inspect_set(in, XDPI_BUF_UDP_HDR, p->l4_hdr, p->l4_hlen);
}

void xdpi_detect__packet(struct xdpi_detect *d, struct xdpi_flow *f, const struct xdpi_decoded *p,
			 uint8_t dir, uint64_t ts, xdpi_alert_fn fn, void *ctx)
{
	struct xdpi_inspect in = { .stage = XDPI_STAGE_PACKET };
	struct hdr h = { .family = p->family, .proto = p->proto, .src = p->saddr, .dst = p->daddr,
			 .sport = p->sport, .dport = p->dport, .dir = dir, .pkt = p };

	if (!d->compiled || !d->rep.by_stage[XDPI_STAGE_PACKET] || detect_flow_passed(f))
		return; /* no packet rules (they may all be in the kernel): nothing to do per packet */
	d->cnt[XDPI_DCNT_INSPECTED_PKTS]++;
	if (p->payload_len)
		xdpi_inspect_set(&in, XDPI_BUF_PAYLOAD, p->payload, p->payload_len);
	set_header_buffers(&in, p);
	begin(d, XDPI_STAGE_PACKET);
	scan_buffers(d, &in, p->proto, p->dport);
	index_lookup(d, &d->by_src, p->family, p->saddr);
	index_lookup(d, &d->by_dst, p->family, p->daddr);
	if (p->proto == XDPI_IPPROTO_TCP || p->proto == XDPI_IPPROTO_UDP || p->proto == XDPI_IPPROTO_SCTP) {
		port_lookup(d, &d->by_sport, p->sport);
		port_lookup(d, &d->by_dport, p->dport);
	}
	run(d, &h, f, &in, ts, fn, ctx);
	f->app_changed = false; /* seen by this packet's rules: app_only ones wait for the next */
}

void xdpi_detect__invalid_packet(struct xdpi_detect *d, const struct xdpi_decoded *p, uint64_t ts,
				 xdpi_alert_fn fn, void *ctx)
{
	struct xdpi_flow f;

	if (!d->compiled || !d->has_events || !p->family)
		return;
	memset(&f, 0, sizeof(f));
	f.initiator = xdpi_flow_key_from(p, &f.key); /* the sender is the client */
	xdpi_detect__packet(d, &f, p, 0, ts, fn, ctx);
	xdpi_detect__flow_end(d, &f);
}

void xdpi_detect__tx(struct xdpi_detect *d, struct xdpi_flow *f, uint8_t dir, uint64_t ts,
		     const struct xdpi_inspect *in, xdpi_alert_fn fn, void *ctx)
{
	const struct xdpi_flow_key *k = &f->key;
	const uint8_t *a = (const uint8_t *)k->addr_a, *b = (const uint8_t *)k->addr_b;
	uint16_t pa = __builtin_bswap16(k->port_a), pb = __builtin_bswap16(k->port_b);
	bool from_a = (f->initiator == 0) == (dir == 0); /* the sender is side a */
	struct hdr h = { .family = k->family, .proto = k->proto, .dir = dir,
			 .src = from_a ? a : b, .dst = from_a ? b : a,
			 .sport = from_a ? pa : pb, .dport = from_a ? pb : pa };

	if (!d->compiled || !d->n || detect_flow_passed(f))
		return;
	d->cnt[XDPI_DCNT_INSPECTED_TX]++;
	begin(d, in->stage);
	scan_buffers(d, in, k->proto, h.dport);
	run(d, &h, f, in, ts, fn, ctx);
}
