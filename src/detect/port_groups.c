// SPDX-License-Identifier: GPL-2.0
/* Rules bound to a few destination ports, in groups by port: Suricata's rule grouping by
 * port, for the packet stage's payload patterns. ET's snapshot has ~1,300 TCP and ~1,500 UDP
 * payload rules bound to a service's ports (SMB, MySQL, RPC, finger, DNS...), many with one- or
 * two-byte patterns; scanned with every packet's payload they made three quarters of that
 * stage's candidates on the corpus, each failing its ports in verify(). In groups, a packet's
 * payload is scanned for them only when it goes to one of their ports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "port_groups.h"

struct pair {
	uint16_t port;
	uint32_t rule;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

bool port_groups_narrow(const struct xdpi_port_group *p)
{
	uint32_t ports = 0;

	if (p->any || !p->n_in)
		return false;
	for (uint32_t i = 0; i < p->n_in; i++)
		ports += (uint32_t)p->in[i].hi - p->in[i].lo + 1;
	return ports <= PORT_GROUP_SPAN;
}

/* Growable arrays of the build. */
struct build {
	struct pair *pairs;
	uint32_t n_pairs, cap_pairs;
	uint32_t *slot;     /* dedupe table: group numbers (0: free), by the hash of their rules */
	uint32_t n_slots;   /* a power of two */
	uint32_t cap_rule, cap_first;
	struct pair *rare; /* the rules of ports with few (place_class) */
	uint32_t n_rare;
};

static int push_pair(struct build *b, uint16_t port, uint32_t rule)
{
	if (b->n_pairs == b->cap_pairs) {
		uint32_t cap = b->cap_pairs ? 2 * b->cap_pairs : 1024;
		struct pair *p = realloc(b->pairs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		b->pairs = p;
		b->cap_pairs = cap;
	}
	b->pairs[b->n_pairs++] = (struct pair){ port, rule };
	return 0;
}

static uint32_t list_hash(const struct pair *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i].rule) * 16777619u;
	return h;
}

static bool same_rules(const struct port_groups *pg, uint32_t g, const struct pair *p, uint32_t n)
{
	uint32_t from = pg->first[g - 1];

	if (pg->first[g] - from != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (pg->rule[from + i] != p[i].rule)
			return false;
	return true;
}

static int new_group(struct port_groups *pg, struct build *b, const struct pair *p, uint32_t n)
{
	uint32_t used = pg->first[pg->n];

	if (used + n > b->cap_rule) {
		uint32_t cap = b->cap_rule ? b->cap_rule : 1024;
		uint32_t *r;

		while (cap < used + n)
			cap *= 2;
		if (!(r = realloc(pg->rule, cap * sizeof(*r))))
			return -ENOMEM;
		pg->rule = r;
		b->cap_rule = cap;
	}
	if (pg->n + 2 > b->cap_first) {
		uint32_t cap = 2 * b->cap_first, *f = realloc(pg->first, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		pg->first = f;
		b->cap_first = cap;
	}
	for (uint32_t i = 0; i < n; i++)
		pg->rule[used + i] = p[i].rule;
	pg->n++;
	pg->first[pg->n] = used + n;
	return (int)pg->n;
}

/* The group of the N rules at P (one port's, ascending): an equal group's, or a new one. */
static int group_of(struct port_groups *pg, struct build *b, const struct pair *p, uint32_t n)
{
	uint32_t mask = b->n_slots - 1, i = list_hash(p, n) & mask;
	int g;

	for (; b->slot[i]; i = (i + 1) & mask)
		if (same_rules(pg, b->slot[i], p, n))
			return (int)b->slot[i];
	if ((g = new_group(pg, b, p, n)) > 0)
		b->slot[i] = (uint32_t)g;
	return g;
}

static int collect(struct build *b, const struct xdpi_rule *rules, uint32_t n, unsigned cl,
		   bool (*in)(const struct xdpi_rule *, unsigned, void *), void *ctx)
{
	b->n_pairs = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct xdpi_port_group *d = &rules[i].dport;

		if (!in(&rules[i], cl, ctx) || !port_groups_narrow(d))
			continue;
		for (uint32_t k = 0; k < d->n_in; k++)
			for (uint32_t p = d->in[k].lo; p <= d->in[k].hi; p++)
				if (xdpi_port_match(d, (uint16_t)p) && push_pair(b, (uint16_t)p, i))
					return -ENOMEM;
	}
	if (b->n_pairs)
		qsort(b->pairs, b->n_pairs, sizeof(*b->pairs), pair_cmp);
	return 0;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* The rules of the rare ports' runs, gathered in B->rare: sorted, each once. */
static uint32_t rare_rules(struct build *b)
{
	uint32_t kept = 0;

	if (!b->n_rare)
		return 0;
	qsort(b->rare, b->n_rare, sizeof(*b->rare), rule_cmp);
	for (uint32_t i = 0; i < b->n_rare; i++)
		if (!kept || b->rare[i].rule != b->rare[kept - 1].rule)
			b->rare[kept++] = b->rare[i];
	return kept;
}

/* The ports of the sorted pairs, each with its group, into PG->at[CL]. A port with fewer than
 * PORT_GROUP_MIN rules shares one group with every such port of its transport (the union of
 * their rules): a database of a few patterns costs its compile more than it saves a scan, and
 * each port of its own made ET's load 0.14 s longer for 146 groups. */
static int place_class(struct port_groups *pg, struct build *b, unsigned cl)
{
	uint32_t ports = 0, rare_group = 0, n_rare;
	struct pair *rare;
	int g;

	b->n_rare = 0;
	for (uint32_t i = 0; i < b->n_pairs; i++) /* a rule may name a port twice: once */
		ports += !i || b->pairs[i].port != b->pairs[i - 1].port;
	if (!ports)
		return 0;
	if (!(pg->at[cl] = malloc(ports * sizeof(*pg->at[cl]))))
		return -ENOMEM;
	if (!(rare = realloc(b->rare, b->n_pairs * sizeof(*b->rare))))
		return -ENOMEM; /* the old block stays in B, freed with it */
	b->rare = rare;
	for (uint32_t i = 0, end; i < b->n_pairs; i = end) {
		uint32_t kept = 0;

		for (end = i; end < b->n_pairs && b->pairs[end].port == b->pairs[i].port; end++)
			if (end == i || b->pairs[end].rule != b->pairs[end - 1].rule)
				b->pairs[i + kept++] = b->pairs[end];
		g = 0; /* a rare port's: set below, once the union is known */
		if (kept < PORT_GROUP_MIN) {
			memcpy(b->rare + b->n_rare, b->pairs + i, kept * sizeof(*b->rare));
			b->n_rare += kept;
		} else if ((g = group_of(pg, b, &b->pairs[i], kept)) < 0) {
			return g;
		}
		pg->at[cl][pg->n_at[cl]++] = (struct port_group_at){ b->pairs[i].port, (uint32_t)g };
	}
	if ((n_rare = rare_rules(b))) {
		if ((g = group_of(pg, b, b->rare, n_rare)) < 0)
			return g;
		rare_group = (uint32_t)g;
	}
	for (uint32_t i = 0; i < pg->n_at[cl]; i++)
		if (!pg->at[cl][i].group)
			pg->at[cl][i].group = rare_group;
	return 0;
}

int port_groups_build(struct port_groups *pg, const struct xdpi_rule *rules, uint32_t n,
		      bool (*in)(const struct xdpi_rule *r, unsigned cl, void *ctx), void *ctx)
{
	struct build b = { .n_slots = 1u << 18, .cap_first = 64 }; /* 2 x 65,536 ports at most */
	int rc = -ENOMEM;

	memset(pg, 0, sizeof(*pg));
	b.slot = calloc(b.n_slots, sizeof(*b.slot));
	pg->first = calloc(b.cap_first, sizeof(*pg->first));
	if (!b.slot || !pg->first)
		goto out;
	for (unsigned cl = 0; cl < PORT_GROUP_CLASSES; cl++)
		if ((rc = collect(&b, rules, n, cl, in, ctx)) || (rc = place_class(pg, &b, cl)))
			goto out;
	rc = 0;
out:
	free(b.pairs);
	free(b.rare);
	free(b.slot);
	if (rc)
		port_groups_free(pg);
	return rc;
}

uint32_t port_groups_find(const struct port_groups *pg, unsigned cl, uint16_t port)
{
	const struct port_group_at *at = pg->at[cl];
	uint32_t lo = 0, hi = pg->n_at[cl];

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (at[mid].port == port)
			return at[mid].group;
		if (at[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void port_groups_free(struct port_groups *pg)
{
	free(pg->first);
	free(pg->rule);
	for (unsigned cl = 0; cl < PORT_GROUP_CLASSES; cl++)
		free(pg->at[cl]);
	memset(pg, 0, sizeof(*pg));
}
