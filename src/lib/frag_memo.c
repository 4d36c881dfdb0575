// SPDX-License-Identifier: GPL-2.0
/* The fragment memory of xdpi/frag_memo.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/flow.h"
#include "xdpi/frag_memo.h"

struct memo_slot {
	struct xdpi_frag_key key;
	uint32_t value;
	bool used;
};

struct xdpi_frag_memo {
	uint32_t n;
	struct memo_slot slots[];
};

struct xdpi_frag_memo *xdpi_frag_memo__new(uint32_t slots)
{
	struct xdpi_frag_memo *m = calloc(1, sizeof(*m) + (size_t)slots * sizeof(m->slots[0]));

	if (m)
		m->n = slots ? slots : 1;
	return m;
}

void xdpi_frag_memo__free(struct xdpi_frag_memo *m)
{
	free(m);
}

static void key_of(const struct xdpi_decoded *d, struct xdpi_frag_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, d->saddr, 16);
	memcpy(k->daddr, d->daddr, 16);
	k->id = d->frag_id;
	k->proto = d->proto;
	k->family = d->family;
}

static uint32_t slot_of(const struct xdpi_frag_memo *m, const struct xdpi_frag_key *k)
{
	struct xdpi_flow_key as_flow = { 0 };

	_Static_assert(sizeof(*k) <= sizeof(as_flow), "hashed as a flow key");
	memcpy(&as_flow, k, sizeof(*k));
	return xdpi_flow_key_hash(&as_flow) % m->n;
}

void xdpi_frag_memo__put(struct xdpi_frag_memo *m, const struct xdpi_decoded *d, uint32_t value)
{
	struct xdpi_frag_key k;
	struct memo_slot *s;

	key_of(d, &k);
	s = &m->slots[slot_of(m, &k)];
	s->key = k;
	s->value = value;
	s->used = true;
}

bool xdpi_frag_memo__get(const struct xdpi_frag_memo *m, const struct xdpi_decoded *d,
			 uint32_t *value)
{
	struct xdpi_frag_key k;
	const struct memo_slot *s;

	key_of(d, &k);
	s = &m->slots[slot_of(m, &k)];
	if (!s->used || memcmp(&s->key, &k, sizeof(k)))
		return false;
	*value = s->value;
	return true;
}
