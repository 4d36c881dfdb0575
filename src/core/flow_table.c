// SPDX-License-Identifier: GPL-2.0
/* Flow table: chained hash on the canonical key plus an LRU list (most recent at the tail),
 * so that expiry walks from the oldest and the memory bound evicts the least recently seen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/bytes.h"
#include "xdpi/flow.h"
#include "shared/xdpi_flow_rules.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

struct flow_table {
	struct xdpi_flow **buckets;
	size_t nbuckets; /* power of two */
	size_t max;
	struct xdpi_flow *lru_head, *lru_tail;
	struct xdpi_flow_timeouts to;
	xdpi_flow_end_fn on_end;
	void *ctx;
	struct flow_table_stats st;
	size_t nkernel; /* flows the kernel counts (and times out): the expiry walk skips them */
};

struct flow_table *flow_table__new(size_t max_flows, const struct xdpi_flow_timeouts *t,
				   xdpi_flow_end_fn on_end, void *ctx)
{
	struct flow_table *ft;
	size_t nb = 1024;

	if (max_flows == 0 || !t) {
		errno = EINVAL;
		return NULL;
	}
	while (nb < max_flows && nb < (1u << 26))
		nb <<= 1;
	ft = calloc(1, sizeof(*ft));
	if (!ft)
		return NULL;
	ft->buckets = calloc(nb, sizeof(*ft->buckets));
	if (!ft->buckets) {
		free(ft);
		errno = ENOMEM;
		return NULL;
	}
	ft->nbuckets = nb;
	ft->max = max_flows;
	ft->to = *t;
	ft->on_end = on_end;
	ft->ctx = ctx;
	ft->st.max = max_flows;
	return ft;
}

static void lru_unlink(struct flow_table *ft, struct xdpi_flow *f)
{
	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		ft->lru_head = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		ft->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct flow_table *ft, struct xdpi_flow *f)
{
	f->lru_prev = ft->lru_tail;
	f->lru_next = NULL;
	if (ft->lru_tail)
		ft->lru_tail->lru_next = f;
	else
		ft->lru_head = f;
	ft->lru_tail = f;
}

static void hash_unlink(struct flow_table *ft, struct xdpi_flow *f)
{
	struct xdpi_flow **pp = &ft->buckets[f->hash & (ft->nbuckets - 1)];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
}

void flow_table__end(struct flow_table *ft, struct xdpi_flow *f, enum xdpi_flow_end why)
{
	if (ft->on_end)
		ft->on_end(ft->ctx, f, why);
	hash_unlink(ft, f);
	lru_unlink(ft, f);
	ft->st.ended++;
	if (why == XDPI_FLOW_END_FORCED)
		ft->st.evicted++;
	ft->st.active--;
	ft->nkernel -= f->kernel;
	free(f->extra);
	free(f);
}

void flow_table__set_kernel(struct flow_table *ft, struct xdpi_flow *f, bool kernel)
{
	ft->nkernel += (size_t)kernel - (size_t)f->kernel;
	f->kernel = kernel;
}

struct xdpi_flow_extra *xdpi_flow_extra_get(struct xdpi_flow *f)
{
	if (!f->extra)
		f->extra = calloc(1, sizeof(*f->extra));
	return f->extra;
}

void flow_table__free(struct flow_table *ft)
{
	struct xdpi_flow *f, *next;

	if (!ft)
		return;
	for (f = ft->lru_head; f; f = next) {
		next = f->lru_next;
		free(f->extra);
		free(f);
	}
	free(ft->buckets);
	free(ft);
}

struct xdpi_flow *flow_table__lookup(struct flow_table *ft, const struct xdpi_flow_key *k)
{
	uint32_t h = xdpi_flow_key_hash(k);
	struct xdpi_flow *f = ft->buckets[h & (ft->nbuckets - 1)];

	for (; f; f = f->hnext)
		if (f->hash == h && !memcmp(&f->key, k, sizeof(*k)))
			return f;
	return NULL;
}

void flow_table__prefetch(const struct flow_table *ft, const struct xdpi_flow_key *k, int stage)
{
	struct xdpi_flow *const *b = &ft->buckets[xdpi_flow_key_hash(k) & (ft->nbuckets - 1)];

	if (stage == 0) {
		__builtin_prefetch(b);
		return;
	}
	if (*b) {
		__builtin_prefetch(&(*b)->hash);
		__builtin_prefetch(&(*b)->key);
	}
}

struct xdpi_flow *flow_table__get(struct flow_table *ft, const struct xdpi_flow_key *k,
				  uint64_t now, bool *created)
{
	struct xdpi_flow *f = flow_table__lookup(ft, k);
	size_t b;

	*created = false;
	if (f) {
		lru_unlink(ft, f);
		lru_append(ft, f);
		return f;
	}
	if (ft->st.active >= ft->max && ft->lru_head)
		flow_table__end(ft, ft->lru_head, XDPI_FLOW_END_FORCED);
	f = calloc(1, sizeof(*f));
	if (!f) {
		ft->st.alloc_failed++;
		return NULL;
	}
	f->key = *k;
	f->hash = xdpi_flow_key_hash(k);
	f->first_ns = f->last_ns = f->record_start_ns = now;
	b = f->hash & (ft->nbuckets - 1);
	f->hnext = ft->buckets[b];
	ft->buckets[b] = f;
	lru_append(ft, f);
	ft->st.created++;
	ft->st.active++;
	*created = true;
	return f;
}

uint8_t xdpi_flow_guess_initiator(const struct xdpi_flow_key *k, uint8_t dir, uint8_t proto,
				  uint8_t tcp_flags)
{
	uint16_t pa = __builtin_bswap16(k->port_a), pb = __builtin_bswap16(k->port_b);

	return xdpi_guess_initiator(proto, tcp_flags, dir ? pb : pa, dir ? pa : pb, dir);
}

enum xdpi_tcp_state xdpi_tcp_next_state(const struct xdpi_flow *f, uint8_t dir, uint8_t flags)
{
	bool from_client = dir == f->initiator;
	uint8_t cl = f->tcp_flags[f->initiator] | (from_client ? flags : 0);
	uint8_t sv = f->tcp_flags[!f->initiator] | (from_client ? 0 : flags);
	enum xdpi_tcp_state s = f->tcp_state;

	if ((cl | sv) & TCP_RST)
		return XDPI_TCP_CLOSED;
	if ((cl & TCP_FIN) && (sv & TCP_FIN))
		return XDPI_TCP_CLOSED;
	if (cl & TCP_FIN)
		return XDPI_TCP_FIN_WAIT1;
	if (sv & TCP_FIN)
		return XDPI_TCP_CLOSE_WAIT;
	if (s == XDPI_TCP_NONE && (flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return XDPI_TCP_SYN_SENT;
	if ((s == XDPI_TCP_NONE || s == XDPI_TCP_SYN_SENT) &&
	    (flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return XDPI_TCP_SYN_RECV;
	if (s == XDPI_TCP_SYN_RECV && from_client && (flags & TCP_ACK))
		return XDPI_TCP_ESTABLISHED;
	/* joined mid-stream: traffic both ways with no handshake seen */
	if (s == XDPI_TCP_NONE && f->pkts[0] && f->pkts[1])
		return XDPI_TCP_ESTABLISHED;
	return s;
}

void flow_table__account(struct flow_table *ft, struct xdpi_flow *f, uint8_t dir,
			 uint32_t wire_len, uint8_t tcp_flags, uint64_t now)
{
	(void)ft;
	dir &= 1;
	f->pkts[dir]++;
	f->bytes[dir] += wire_len;
	f->user_pkts++;
	if (f->key.proto == XDPI_IPPROTO_TCP) {
		f->tcp_state = (uint8_t)xdpi_tcp_next_state(f, dir, tcp_flags);
		f->tcp_flags[dir] |= tcp_flags;
	}
	if (now > f->last_ns)
		f->last_ns = now;
}

static uint64_t idle_timeout(const struct flow_table *ft, const struct xdpi_flow *f)
{
	if (f->key.proto == XDPI_IPPROTO_TCP) {
		if (f->tcp_state == XDPI_TCP_CLOSED)
			return ft->to.closed_ns;
		if (f->tcp_state == XDPI_TCP_ESTABLISHED || f->tcp_state >= XDPI_TCP_FIN_WAIT1)
			return ft->to.established_ns;
		return ft->to.new_ns;
	}
	return f->pkts[0] && f->pkts[1] ? ft->to.established_ns : ft->to.new_ns;
}

void flow_table__expire(struct flow_table *ft, uint64_t now)
{
	uint64_t shortest = ft->to.new_ns;
	struct xdpi_flow *f, *next;

	if (ft->nkernel == ft->st.active)
		return; /* host mode: every flow is the kernel's to time out, and a walk past all
			 * of them (pointer chasing, a cache miss each) is what this spares */
	if (ft->to.established_ns < shortest)
		shortest = ft->to.established_ns;
	if (ft->to.closed_ns < shortest)
		shortest = ft->to.closed_ns;
	for (f = ft->lru_head; f; f = next) {
		next = f->lru_next;
		if (f->kernel)
			continue; /* the kernel's flow map decides when these end */
		/* the LRU is ordered by last activity: once a flow is younger than the shortest
		 * timeout, so is every flow after it */
		if (f->last_ns + shortest > now && !ft->to.active_ns)
			break;
		if (f->last_ns + idle_timeout(ft, f) <= now)
			flow_table__end(ft, f, XDPI_FLOW_END_TIMEOUT);
		else if (ft->to.active_ns && f->record_start_ns + ft->to.active_ns <= now)
			ft->on_end(ft->ctx, f, XDPI_FLOW_END_ACTIVE), ft->st.active_cuts++;
	}
}

void flow_table__flush(struct flow_table *ft, enum xdpi_flow_end why)
{
	struct xdpi_flow *f, *next;

	for (f = ft->lru_head; f; f = next) { /* on_end emits events; it ends no other flow */
		next = f->lru_next;
		flow_table__end(ft, f, why);
	}
}

void flow_table__stats(const struct flow_table *ft, struct flow_table_stats *st)
{
	*st = ft->st;
}

void flow_table__foreach(struct flow_table *ft, xdpi_flow_visit_fn fn, void *ctx)
{
	struct xdpi_flow *f, *next;

	for (f = ft->lru_head; f; f = next) {
		next = f->lru_next;
		fn(ctx, f);
	}
}

const char *xdpi_tcp_state_name(enum xdpi_tcp_state s)
{
	static const char *const names[] = {
		[XDPI_TCP_NONE] = "none",
		[XDPI_TCP_SYN_SENT] = "syn_sent",
		[XDPI_TCP_SYN_RECV] = "syn_recv",
		[XDPI_TCP_ESTABLISHED] = "established",
		[XDPI_TCP_FIN_WAIT1] = "fin_wait1",
		[XDPI_TCP_CLOSE_WAIT] = "close_wait",
		[XDPI_TCP_CLOSED] = "closed",
	};

	return s <= XDPI_TCP_CLOSED ? names[s] : "unknown";
}

const char *xdpi_flow_end_name(enum xdpi_flow_end why)
{
	switch (why) {
	case XDPI_FLOW_END_TIMEOUT:
		return "timeout";
	case XDPI_FLOW_END_ACTIVE:
		return "active_timeout";
	case XDPI_FLOW_END_FORCED:
		return "forced";
	case XDPI_FLOW_END_SHUTDOWN:
		return "shutdown";
	case XDPI_FLOW_END_REUSE:
		return "tcp_reuse";
	}
	return "unknown";
}
