// SPDX-License-Identifier: GPL-2.0
/* Port and host scans: per source (the client of new flows), the distinct (host, port) pairs it
 * tried within the window, counted per host (a vertical scan: many ports on one host) and per
 * port (a horizontal one: one port on many hosts). One alert per kind, source and window, with
 * the first flows that made it. Sources live in a fixed table; the least recently seen one
 * makes room for a new one (counted). */
#include <stdlib.h>
#include <string.h>
#include "xdpi/bytes.h"
#include "xdpi/eve.h"
#include "anomaly_int.h"

#define SOURCES 1024  /* slots */
#define PAIRS 1024    /* distinct (host, port) pairs remembered per source and window */
#define TARGETS 32    /* hosts and ports counted per source */
#define EVIDENCE 16   /* flows listed in an alert */

struct counted {
	uint8_t addr[16]; /* a host (ports: the port in the first two bytes) */
	uint32_t n;
};

struct evidence_flow {
	uint8_t addr[16];
	uint16_t port;
	uint8_t proto;
	uint64_t flow_id, ts;
};

struct scan_src {
	struct anomaly_entry e;     /* key: the family, then the address */
	uint8_t family;
	uint8_t addr[16];
	uint64_t window_start;
	uint32_t n_pairs;
	uint64_t pairs[PAIRS];      /* pair hashes, open addressing; 0: free */
	struct counted hosts[TARGETS], ports[TARGETS];
	uint32_t n_hosts, n_ports;
	struct evidence_flow ev[EVIDENCE];
	uint32_t n_ev;
	bool reported[2];           /* port scan, host scan: this window */
};

struct scan_state {
	struct anomaly_table t;
};

/* What the evidence writer needs. */
struct scan_report {
	const struct scan_src *s;
	const struct counted *target;
	bool vertical;
	uint32_t threshold, window_s;
};

struct scan_state *scan_new(void)
{
	struct scan_state *s = calloc(1, sizeof(*s));

	if (s && anomaly_table_init(&s->t, SOURCES, sizeof(struct scan_src))) {
		free(s);
		return NULL;
	}
	return s;
}

void scan_free(struct scan_state *s)
{
	if (s)
		anomaly_table_free(&s->t);
	free(s);
}

static uint64_t hash_bytes(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The source's tracker, a new one starting its window now if need be. */
static struct scan_src *source(struct scan_state *st, const struct anomaly_out *o,
			       const struct flow_ends *e, uint64_t ts)
{
	uint8_t key[32] = { e->family };
	struct scan_src *s;
	bool created;

	memcpy(key + 1, e->client, 16);
	s = (struct scan_src *)anomaly_table_get(&st->t, key, ts, &o->cnt[XDPI_ACNT_SOURCES_EVICTED],
						 &created);
	if (s && created) {
		s->family = e->family;
		memcpy(s->addr, e->client, 16);
		s->window_start = ts;
	}
	return s;
}

/* Adds the pair; false if it was there already (or there is no room to tell). */
static bool pair_new(struct scan_src *s, const uint8_t *host, uint16_t port)
{
	uint64_t h = hash_bytes(host, 16, 0xcbf29ce484222325ull ^ port) | 1;

	if (s->n_pairs >= PAIRS * 3 / 4)
		return false; /* full for this window: the thresholds are well below */
	for (uint32_t i = 0;; i++) {
		uint64_t *p = &s->pairs[(h + i) % PAIRS];

		if (*p == h)
			return false;
		if (!*p) {
			*p = h;
			s->n_pairs++;
			return true;
		}
	}
}

static struct counted *count(struct counted *t, uint32_t *n, const uint8_t *key)
{
	for (uint32_t i = 0; i < *n; i++)
		if (!memcmp(t[i].addr, key, 16))
			return &t[i];
	if (*n == TARGETS)
		return NULL; /* a source this spread out: hosts beyond the 32nd are not counted */
	memcpy(t[*n].addr, key, 16);
	t[*n].n = 0;
	return &t[(*n)++];
}

static void evidence(const void *obj, struct xdpi_json *j)
{
	const struct scan_report *r = obj;
	const struct scan_src *s = r->s;

	xdpi_json_str(j, "detector", r->vertical ? "port_scan" : "host_scan");
	anomaly_put_addr(j, "scanner", s->family, s->addr);
	if (r->vertical)
		anomaly_put_addr(j, "target", s->family, r->target->addr);
	else
		xdpi_json_u64(j, "target_port", (uint64_t)(r->target->addr[0] << 8 | r->target->addr[1]));
	xdpi_json_u64(j, r->vertical ? "distinct_ports" : "distinct_hosts", r->target->n);
	xdpi_json_u64(j, "threshold", r->threshold);
	xdpi_json_u64(j, "window_s", r->window_s);
	xdpi_json_u64(j, "distinct_pairs", s->n_pairs);
	xdpi_json_arr_open(j, "flows");
	for (uint32_t i = 0; i < s->n_ev; i++) {
		xdpi_json_obj_open(j, NULL);
		xdpi_json_u64(j, "flow_id", s->ev[i].flow_id);
		anomaly_put_addr(j, "dest_ip", s->family, s->ev[i].addr);
		xdpi_json_u64(j, "dest_port", s->ev[i].port);
		xdpi_json_str(j, "proto", s->ev[i].proto == XDPI_IPPROTO_TCP ? "TCP" : "UDP");
		xdpi_json_obj_close(j);
	}
	xdpi_json_arr_close(j);
}

static void report(const struct anomaly_out *o, struct scan_src *s, const struct flow_ends *e,
		   const struct counted *target, bool vertical, uint64_t ts)
{
	struct scan_report r = { s, target, vertical,
				 vertical ? o->cfg->scan_ports : o->cfg->scan_hosts, o->cfg->window_s };
	struct xdpi_anomaly_alert a = {
		.kind = vertical ? XDPI_ANOM_PORT_SCAN : XDPI_ANOM_HOST_SCAN,
		.signature = vertical ? "XDPI ANOMALY port scan: many ports of one host"
				      : "XDPI ANOMALY host scan: one port on many hosts",
		.category = "Detection of a Network Scan",
		.family = e->family, .src = s->addr, .dst = vertical ? target->addr : e->server,
		.sport = 0, .dport = vertical ? 0 : e->sport, .proto = e->proto, .ts = ts,
		.evidence = evidence, .obj = &r,
	};

	s->reported[!vertical] = true;
	anomaly_emit(o, &a);
}

void scan_flow(struct scan_state *st, const struct anomaly_out *o, const struct xdpi_flow *f,
	       uint64_t ts)
{
	struct flow_ends e = anomaly_flow_ends(f);
	struct scan_src *s = source(st, o, &e, ts);
	uint8_t pkey[16] = { (uint8_t)(e.sport >> 8), (uint8_t)e.sport };
	struct counted *host, *port;

	if (!s)
		return;
	s->e.last_seen = ts;
	if (ts - s->window_start >= (uint64_t)o->cfg->window_s * XDPI_NS_PER_SEC) {
		struct scan_src keep = *s; /* a new window: only who it is stays */

		memset(s, 0, sizeof(*s));
		s->e = keep.e;
		s->family = keep.family;
		memcpy(s->addr, keep.addr, 16);
		s->window_start = ts;
	}
	if (!pair_new(s, e.server, e.sport))
		return;
	if (s->n_ev < EVIDENCE) {
		struct evidence_flow *ev = &s->ev[s->n_ev++];

		memcpy(ev->addr, e.server, 16);
		ev->port = e.sport;
		ev->proto = e.proto;
		ev->flow_id = xdpi_eve_flow_id(f);
		ev->ts = ts;
	}
	host = count(s->hosts, &s->n_hosts, e.server);
	port = count(s->ports, &s->n_ports, pkey);
	if (host && ++host->n >= o->cfg->scan_ports && !s->reported[0])
		report(o, s, &e, host, true, ts);
	if (port && ++port->n >= o->cfg->scan_hosts && !s->reported[1])
		report(o, s, &e, port, false, ts);
}
