// SPDX-License-Identifier: GPL-2.0
/* IP reassembly: a small table of datagrams in progress, each a list of fragments sorted by
 * offset. A datagram is whole when its last fragment (no "more" flag) has come and the
 * fragments cover every byte before it. */
#include <stdlib.h>
#include <string.h>
#include "xdpi/defrag.h"

#define DGRAM_MAX 65535u

struct piece {
	struct piece *next;
	uint32_t off, len;
	uint8_t data[];
};

struct dgram {
	bool used;
	uint8_t family, proto;
	uint8_t saddr[16], daddr[16];
	uint32_t id;
	uint64_t first_ns;
	uint32_t total; /* known once the last fragment came; 0 before */
	struct piece *pieces;
};

struct xdpi_defrag {
	struct dgram *slots;
	uint32_t nslots;
	uint64_t timeout_ns;
	struct xdpi_defrag_stats st;
	uint8_t *out;
};

struct xdpi_defrag *xdpi_defrag__new(uint32_t max_datagrams, uint64_t timeout_ns)
{
	struct xdpi_defrag *df = calloc(1, sizeof(*df));

	if (!df)
		return NULL;
	df->slots = calloc(max_datagrams, sizeof(*df->slots));
	df->out = malloc(DGRAM_MAX);
	if (!df->slots || !df->out) {
		free(df->slots);
		free(df->out);
		free(df);
		return NULL;
	}
	df->nslots = max_datagrams;
	df->timeout_ns = timeout_ns;
	return df;
}

static void drop(struct xdpi_defrag *df, struct dgram *g)
{
	while (g->pieces) {
		struct piece *p = g->pieces;

		g->pieces = p->next;
		free(p);
	}
	g->used = false;
	df->st.pending--;
}

void xdpi_defrag__free(struct xdpi_defrag *df)
{
	if (!df)
		return;
	for (uint32_t i = 0; i < df->nslots; i++)
		if (df->slots[i].used)
			drop(df, &df->slots[i]);
	free(df->slots);
	free(df->out);
	free(df);
}

static bool same(const struct dgram *g, const struct xdpi_decoded *d)
{
	return g->used && g->id == d->frag_id && g->proto == d->proto && g->family == d->family &&
	       !memcmp(g->saddr, d->saddr, 16) && !memcmp(g->daddr, d->daddr, 16);
}

/* The datagram of d, or a free slot for it (the oldest is given up when none is free). */
static struct dgram *find(struct xdpi_defrag *df, const struct xdpi_decoded *d, uint64_t now)
{
	struct dgram *free_slot = NULL, *oldest = NULL;

	for (uint32_t i = 0; i < df->nslots; i++) {
		struct dgram *g = &df->slots[i];

		if (same(g, d))
			return g;
		if (!g->used && !free_slot)
			free_slot = g;
		else if (g->used && (!oldest || g->first_ns < oldest->first_ns))
			oldest = g;
	}
	if (!free_slot && !oldest)
		return NULL; /* no slots at all */
	if (!free_slot) {
		df->st.evicted++;
		drop(df, oldest);
		free_slot = oldest;
	}
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->family = d->family;
	free_slot->proto = d->proto;
	memcpy(free_slot->saddr, d->saddr, 16);
	memcpy(free_slot->daddr, d->daddr, 16);
	free_slot->id = d->frag_id;
	free_slot->first_ns = now;
	df->st.pending++;
	return free_slot;
}

/* Inserts [off, off+len) unless it overlaps what is held (first copy wins). */
/* Returns false when the fragment overlaps what is held (and is left out). */
static bool insert(struct xdpi_defrag *df, struct dgram *g, const struct xdpi_decoded *d)
{
	struct piece **pp = &g->pieces, *p;

	for (; *pp && (*pp)->off + (*pp)->len <= d->frag_off; pp = &(*pp)->next)
		;
	if (*pp && (*pp)->off < d->frag_off + d->frag_len) {
		df->st.overlaps++;
		return false;
	}
	p = malloc(sizeof(*p) + d->frag_len);
	if (!p)
		return true;
	p->off = d->frag_off;
	p->len = d->frag_len;
	memcpy(p->data, d->frag_data, d->frag_len);
	p->next = *pp;
	*pp = p;
	return true;
}

/* Copies the datagram out if every byte up to its end is held. */
static bool assemble(struct xdpi_defrag *df, struct dgram *g)
{
	uint32_t at = 0;

	if (!g->total)
		return false;
	for (struct piece *p = g->pieces; p; p = p->next) {
		if (p->off != at)
			return false;
		memcpy(df->out + at, p->data, p->len);
		at += p->len;
	}
	return at == g->total;
}

int xdpi_defrag__add(struct xdpi_defrag *df, const struct xdpi_decoded *d, uint64_t now,
		     const uint8_t **l4, uint32_t *len)
{
	struct dgram *g;

	df->st.fragments++;
	if (d->frag_off + d->frag_wire > DGRAM_MAX) {
		df->st.too_big++;
		return 0;
	}
	g = find(df, d, now);
	if (d->frag_len < d->frag_wire) {
		df->st.cut++; /* bytes we never saw: this datagram cannot be made whole */
		drop(df, g);
		return 0;
	}
	if (!insert(df, g, d))
		return XDPI_DEFRAG_OVERLAP;
	if (!d->frag_more)
		g->total = d->frag_off + d->frag_wire;
	if (!assemble(df, g))
		return 0;
	*l4 = df->out;
	*len = g->total;
	df->st.reassembled++;
	drop(df, g);
	return 1;
}

void xdpi_defrag__expire(struct xdpi_defrag *df, uint64_t now)
{
	for (uint32_t i = 0; i < df->nslots; i++) {
		struct dgram *g = &df->slots[i];

		if (g->used && g->first_ns + df->timeout_ns <= now) {
			df->st.timeouts++;
			drop(df, g);
		}
	}
}

void xdpi_defrag__stats(const struct xdpi_defrag *df, struct xdpi_defrag_stats *st)
{
	*st = df->st;
}
