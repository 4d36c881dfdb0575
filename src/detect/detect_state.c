// SPDX-License-Identifier: GPL-2.0
/* Detection state: flowbits and the pass mark per flow (allocated when first needed), and
 * threshold / detection_filter trackers in one bounded table shared by all rules (when it is
 * full the oldest tracker of a bucket is recycled and counted, so memory never grows). */
#include <stdlib.h>
#include <string.h>
#include "xdpi/detect.h"

#define THR_BUCKETS 16384
#define THR_WAYS 4

struct detect_flow {
	bool passed;
	uint32_t nbits;
	uint8_t bits[];
};

struct thr_entry {
	uint32_t rule;      /* rule index + 1; 0: free */
	uint8_t family;
	uint8_t addr[32];   /* the tracked address(es) */
	uint32_t count;     /* matches in the window */
	uint32_t alerts;    /* alerts in the window */
	uint64_t start;     /* window start */
	uint64_t last;
};

struct detect_state {
	struct thr_entry t[THR_BUCKETS][THR_WAYS];
};

struct detect_state *detect_state_new(void)
{
	return calloc(1, sizeof(struct detect_state));
}

void detect_state_free(struct detect_state *s)
{
	free(s);
}

/* ---- per flow ---- */

static struct detect_flow *flow_state(struct xdpi_flow *f, uint32_t nbits, uint64_t *nomem)
{
	struct detect_flow *s = f->detect;

	if (s)
		return s;
	s = calloc(1, sizeof(*s) + (nbits + 7) / 8);
	if (!s) {
		(*nomem)++;
		return NULL;
	}
	s->nbits = nbits;
	f->detect = s;
	return s;
}

static bool bit_get(const struct xdpi_flow *f, uint32_t id)
{
	const struct detect_flow *s = f->detect;

	return s && id < s->nbits && (s->bits[id / 8] & (1u << (id % 8)));
}

bool detect_flowbits_ok(struct xdpi_detect *d, const struct xdpi_rule *r,
			const struct xdpi_flow *f)
{
	(void)d;
	for (uint32_t i = 0; i < r->n_fb; i++) {
		const struct xdpi_flowbit_op *op = &r->fb[i];
		bool want = op->op == XDPI_FB_ISSET, all = true, one = false;

		if (op->op != XDPI_FB_ISSET && op->op != XDPI_FB_ISNOTSET)
			continue;
		for (uint16_t k = 0; k < op->n; k++) {
			bool hit = bit_get(f, op->ids[k]) == want;

			all &= hit;
			one |= hit;
		}
		if (!(op->any ? one : all))
			return false;
	}
	return true;
}

void detect_flowbits_apply(struct xdpi_detect *d, const struct xdpi_rule *r, struct xdpi_flow *f,
			   uint32_t nbits, uint64_t *nomem)
{
	(void)d;
	for (uint32_t i = 0; i < r->n_fb; i++) {
		const struct xdpi_flowbit_op *op = &r->fb[i];
		struct detect_flow *s;
		uint32_t id = op->ids[0];

		if (op->op != XDPI_FB_SET && op->op != XDPI_FB_UNSET && op->op != XDPI_FB_TOGGLE)
			continue;
		if (op->op == XDPI_FB_UNSET && !f->detect)
			continue;
		if (!(s = flow_state(f, nbits, nomem)) || id >= s->nbits)
			continue;
		if (op->op == XDPI_FB_SET)
			s->bits[id / 8] |= (uint8_t)(1u << (id % 8));
		else if (op->op == XDPI_FB_UNSET)
			s->bits[id / 8] &= (uint8_t)~(1u << (id % 8));
		else
			s->bits[id / 8] ^= (uint8_t)(1u << (id % 8));
	}
}

bool detect_flow_passed(const struct xdpi_flow *f)
{
	const struct detect_flow *s = f->detect;

	return s && s->passed;
}

void detect_flow_pass(struct xdpi_flow *f, uint32_t nbits, uint64_t *nomem)
{
	struct detect_flow *s = flow_state(f, nbits, nomem);

	if (s)
		s->passed = true;
}

void xdpi_detect__flow_end(struct xdpi_detect *d, struct xdpi_flow *f)
{
	(void)d;
	free(f->detect);
	f->detect = NULL;
}

/* ---- thresholds ---- */

static uint32_t thr_hash(uint32_t rule, const uint8_t *addr, size_t len)
{
	uint32_t h = 2166136261u ^ rule;

	for (size_t i = 0; i < len; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h;
}

static struct thr_entry *thr_get(struct detect_state *s, uint32_t rule, uint8_t family,
				 const uint8_t *addr, uint64_t *evicted)
{
	struct thr_entry *b = s->t[thr_hash(rule, addr, 32) % THR_BUCKETS], *oldest = NULL;

	for (int w = 0; w < THR_WAYS; w++) {
		struct thr_entry *e = &b[w];

		if (e->rule == rule + 1 && e->family == family && !memcmp(e->addr, addr, 32))
			return e;
		if (!oldest || (oldest->rule && (!e->rule || e->last < oldest->last)))
			oldest = e; /* a free way, else the least recently used one */
	}
	if (oldest->rule)
		(*evicted)++;
	memset(oldest, 0, sizeof(*oldest));
	oldest->rule = rule + 1;
	oldest->family = family;
	memcpy(oldest->addr, addr, 32);
	return oldest;
}

/* One tracker's verdict for a match at TS. */
static bool thr_decide(const struct xdpi_threshold *t, struct thr_entry *e, uint64_t ts)
{
	uint64_t window = (uint64_t)t->seconds * 1000000000ull;

	if (!e->start || ts - e->start >= window) { /* a new window */
		e->start = ts;
		e->count = 0;
		e->alerts = 0;
	}
	e->count++;
	e->last = ts;
	switch (t->type) {
	case XDPI_THR_LIMIT: /* the first COUNT matches of each window */
		return e->count <= t->count;
	case XDPI_THR_THRESHOLD: /* every COUNT-th match */
		if (e->count < t->count)
			return false;
		e->count = 0;
		e->start = 0;
		return true;
	case XDPI_THR_BOTH: /* once per window, at the COUNT-th match */
		return e->count == t->count;
	case XDPI_THR_FILTER: /* every match after the COUNT-th */
		return e->count > t->count;
	default:
		return true;
	}
}

static bool tracked(struct detect_state *s, const struct xdpi_threshold *t, uint32_t idx,
		    const uint8_t *src, const uint8_t *dst, uint8_t family, uint64_t ts,
		    uint64_t *evicted)
{
	uint8_t key[32] = { 0 };
	size_t alen = family == 4 ? 4 : 16;

	if (t->track == XDPI_TRACK_SRC || t->track == XDPI_TRACK_BOTH)
		memcpy(key, src, alen);
	if (t->track == XDPI_TRACK_DST)
		memcpy(key, dst, alen);
	if (t->track == XDPI_TRACK_BOTH)
		memcpy(key + 16, dst, alen);
	/* detection_filter and threshold of one rule keep separate trackers */
	return thr_decide(t, thr_get(s, idx * 2 + (t->type == XDPI_THR_FILTER), family, key,
				     evicted), ts);
}

bool detect_threshold_ok(struct detect_state *s, const struct xdpi_rule *r, uint32_t idx,
			 const uint8_t *src, const uint8_t *dst, uint8_t family, uint64_t ts,
			 uint64_t *evicted)
{
	if (r->filter.type && !tracked(s, &r->filter, idx, src, dst, family, ts, evicted))
		return false;
	if (r->threshold.type && !tracked(s, &r->threshold, idx, src, dst, family, ts, evicted))
		return false;
	return true;
}
