// SPDX-License-Identifier: GPL-2.0
/* SYN floods and volumetric surges: per destination, new flows per second (per address and
 * port) and bytes per second (per address), each against its own baseline, an exponentially
 * weighted moving average of the past seconds. A second at least `factor` times the baseline
 * and above the floor (syn_min, bytes_min) starts a surge: one alert with the rate, the
 * baseline and the top senders of that second; the baseline does not learn from a surge, and
 * the surge ends when a second falls back under both bounds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "anomaly_int.h"

#define DESTS 2048
#define TOP 4      /* senders tracked per second (Misra-Gries heavy hitters) */

struct sender {
	uint8_t addr[16];
	uint64_t n;
};

struct series {
	struct anomaly_entry e;  /* key: kind, family, address, port */
	uint8_t kind;            /* XDPI_ANOM_SYN_FLOOD or XDPI_ANOM_VOLUME */
	uint8_t family, proto;
	uint8_t addr[16];
	uint16_t port;
	uint64_t cur;            /* this second's count */
	double ewma;             /* per second */
	uint32_t seconds;        /* seconds of history in the baseline */
	bool surging;
	struct sender top[TOP];
};

struct surge_state {
	struct anomaly_table t;
	uint64_t last_tick;
};

struct surge_report {
	const struct series *s;
	double rate, factor;
	uint32_t floor;
};

struct surge_state *surge_new(void)
{
	struct surge_state *s = calloc(1, sizeof(*s));

	if (s && anomaly_table_init(&s->t, DESTS, sizeof(struct series))) {
		free(s);
		return NULL;
	}
	return s;
}

void surge_free(struct surge_state *s)
{
	if (s)
		anomaly_table_free(&s->t);
	free(s);
}

static void count_sender(struct series *s, const uint8_t *addr, uint64_t n)
{
	struct sender *min = &s->top[0];

	for (int i = 0; i < TOP; i++) {
		if (!memcmp(s->top[i].addr, addr, 16) && s->top[i].n) {
			s->top[i].n += n;
			return;
		}
		if (s->top[i].n < min->n)
			min = &s->top[i];
	}
	if (!min->n) {
		memcpy(min->addr, addr, 16);
		min->n = n;
		return;
	}
	for (int i = 0; i < TOP; i++) /* no room: everyone loses as much as the least */
		s->top[i].n -= s->top[i].n < n ? s->top[i].n : n;
}

static struct series *series(struct surge_state *st, const struct anomaly_out *o, uint8_t kind,
			     const struct flow_ends *e, bool with_port, uint64_t ts)
{
	uint8_t key[32] = { kind, e->family };
	struct series *s;
	bool created;

	memcpy(key + 2, e->server, 16);
	if (with_port) {
		key[18] = (uint8_t)(e->sport >> 8);
		key[19] = (uint8_t)e->sport;
	}
	s = (struct series *)anomaly_table_get(&st->t, key, ts, &o->cnt[XDPI_ACNT_DESTS_EVICTED],
					       &created);
	if (!s)
		return NULL;
	if (created) {
		s->kind = kind;
		s->family = e->family;
		s->proto = e->proto;
		memcpy(s->addr, e->server, 16);
		s->port = with_port ? e->sport : 0;
	}
	s->e.last_seen = ts;
	return s;
}

void surge_flow(struct surge_state *st, const struct anomaly_out *o, const struct xdpi_flow *f,
		uint64_t ts)
{
	struct flow_ends e = anomaly_flow_ends(f);
	struct series *s = series(st, o, XDPI_ANOM_SYN_FLOOD, &e, true, ts);

	if (s) {
		s->cur++;
		count_sender(s, e.client, 1);
	}
}

void surge_bytes(struct surge_state *st, const struct anomaly_out *o, const struct xdpi_flow *f,
		 uint64_t bytes, uint64_t ts)
{
	struct flow_ends e = anomaly_flow_ends(f);
	struct series *s = series(st, o, XDPI_ANOM_VOLUME, &e, false, ts);

	if (s) {
		s->cur += bytes;
		count_sender(s, e.client, bytes);
	}
}

static void evidence(const void *obj, struct xdpi_json *j)
{
	const struct surge_report *r = obj;
	const struct series *s = r->s;
	bool syn = s->kind == XDPI_ANOM_SYN_FLOOD;

	xdpi_json_str(j, "detector", syn ? "syn_flood" : "volume_surge");
	anomaly_put_addr(j, "target", s->family, s->addr);
	if (syn)
		xdpi_json_u64(j, "target_port", s->port);
	xdpi_json_double(j, syn ? "new_flows_per_s" : "bytes_per_s", r->rate);
	xdpi_json_double(j, "baseline_per_s", s->ewma);
	xdpi_json_u64(j, "baseline_seconds", s->seconds);
	xdpi_json_double(j, "factor", r->factor);
	xdpi_json_u64(j, "floor_per_s", r->floor);
	xdpi_json_arr_open(j, "top_sources");
	for (int i = 0; i < TOP; i++) {
		if (!s->top[i].n)
			continue;
		xdpi_json_obj_open(j, NULL);
		anomaly_put_addr(j, "ip", s->family, s->top[i].addr);
		xdpi_json_u64(j, syn ? "new_flows_at_least" : "bytes_at_least", s->top[i].n);
		xdpi_json_obj_close(j);
	}
	xdpi_json_arr_close(j);
}

static int sender_cmp(const void *a, const void *b)
{
	const struct sender *x = a, *y = b;

	return (x->n < y->n) - (x->n > y->n); /* the most first */
}

/* One closed second of S at RATE per second: a surge starts, goes on or ends. */
static void judge(const struct anomaly_out *o, struct series *s, double rate, uint64_t ts)
{
	bool syn = s->kind == XDPI_ANOM_SYN_FLOOD;
	uint32_t floor = syn ? o->cfg->syn_min : o->cfg->bytes_min;
	bool over = rate >= floor && rate > o->cfg->factor * s->ewma;

	if (over && !s->surging) {
		struct surge_report r = { s, rate, o->cfg->factor, floor };

		qsort(s->top, TOP, sizeof(s->top[0]), sender_cmp);
		struct xdpi_anomaly_alert a = {
			.kind = s->kind,
			.signature = syn ? "XDPI ANOMALY SYN flood: new flows far above the baseline"
					 : "XDPI ANOMALY volumetric surge: bytes far above the baseline",
			.category = "Detection of a Denial of Service Attack",
			.family = s->family, .src = s->top[0].n ? s->top[0].addr : NULL,
			.dst = s->addr, .dport = s->port, .proto = s->proto, .ts = ts,
			.evidence = evidence, .obj = &r,
		};

		s->surging = true;
		anomaly_emit(o, &a);
	} else if (!over) {
		s->surging = false;
	}
	if (!s->surging) { /* the baseline learns normal seconds only */
		s->ewma = s->seconds ? o->cfg->alpha * rate + (1 - o->cfg->alpha) * s->ewma : rate;
		s->seconds++;
	}
}

void surge_tick(struct surge_state *st, const struct anomaly_out *o, uint64_t ts)
{
	double secs = st->last_tick && ts > st->last_tick
			      ? (double)(ts - st->last_tick) / XDPI_NS_PER_SEC : 1.0;

	if (secs < 0.5) /* too short a second to judge: wait for the next tick */
		return;
	st->last_tick = ts;
	for (uint32_t i = 0; i < st->t.n; i++) { /* the series seen in this second */
		struct series *s = (struct series *)st->t.slot[i];

		if (!s || !s->cur)
			continue;
		judge(o, s, (double)s->cur / secs, ts);
		s->cur = 0;
		memset(s->top, 0, sizeof(s->top));
	}
}
