// SPDX-License-Identifier: GPL-2.0
/* Worker threads. The reader (ring buffer, AF_XDP or a capture file) hands each packet to the
 * worker that owns its flow: a symmetric hash of the canonical flow key, so both directions
 * meet in one engine, which has its own flow table, dissector and detection state (no lock
 * on the per-packet path). Reading a file (reader_works), worker 0 is the reader's own
 * thread: its packets are not copied and it works instead of waiting for room (on two CPUs
 * a reader that only handed packets over spent its time yielding, and two workers were
 * slower than one). Live, the reader only reads: it must keep the kernel's rings drained.
 * The others' packets travel as copies through one SPSC ring per worker; ticks, stats and
 * the final flush travel in the same rings, so they stay in order with the packets.
 * Each worker's events go through its own SPSC ring to one output thread. Live, a slow
 * output fills those rings and the events that do not fit are counted: the workers never
 * wait. Reading a file, a worker waits for room (nothing waits on it, nothing may be lost).
 *
 * A file can also be read by every worker (each_reads): each reads the whole file itself and
 * keeps the packets of its own flows. The reading is done N times, in parallel, and nothing
 * is copied between threads: on two CPUs the reader that decoded every packet, handed half of
 * them over and inspected the other half was the bottleneck (the other worker idle 45% of its
 * time), and two workers were slower than one without rules. Reading and decoding a packet
 * costs less than copying it to another thread and waking that thread, so N readers beat one
 * reader that feeds N. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "xdpi/appid.h"
#include "xdpi/decode.h"
#include "xdpi/frag_memo.h"
#include "xdpi/stats.h"
#include "xdpi/workers.h"
#include "spsc.h"

enum rec_type { REC_PKT = 1, REC_TICK, REC_STATS, REC_FINISH };

struct rec {
	uint32_t type;
	uint32_t pad;
	uint64_t now;
	struct xdpi_pkt pkt; /* data follows the record */
};

struct worker {
	struct xdpi_workers *w;
	uint32_t id;
	pthread_t thread;
	bool started;
	bool in_reader;      /* worker 0: its engine runs in the reader's thread, no ring in */
	struct spsc in;      /* reader -> worker */
	struct spsc out;     /* worker -> output thread */
	struct xdpi_engine *engine;
	uint64_t dispatched, waits, events_dropped; /* xdpi_count_*: stats read them elsewhere */
	volatile int done;   /* the worker has finished its flows */
	uint32_t sleeping;   /* the worker waits on `wake` (futex) for the next record */
	uint32_t wake;
	uint32_t unwoken;    /* reader: records posted since the last wake-up */
	struct xdpi_frag_memo *frags; /* each_reads: the routes its own reading learnt */
	xdpi_workers_read_fn read;    /* each_reads: reads the file, offering every packet */
	void *read_ctx;
	int read_rc;
};

#define WAKE_BATCH 64 /* the reader wakes a sleeping worker once per this many records, or at
		       * the end of its own batch (xdpi_workers__flush): one system call per
		       * burst, not per packet */

/* Later IP fragments carry no ports: they go where their datagram's first fragment went. */
#define FRAG_ROUTES 1024

struct xdpi_workers {
	struct xdpi_workers_cfg cfg;
	struct xdpi_frag_memo *frags;
	struct worker *wk;
	uint32_t n;
	pthread_t output;
	bool output_started;
	int stop_output; /* atomic: the output thread's last drain, then its end */
	bool each_stats; /* each_reads: a stats event after each worker's flows */
	pthread_mutex_t anomaly_lock;
	struct xdpi_anomaly *anomaly;
	struct xdpi_dns_names *dns_names; /* shared by the engines (NULL: --no-dns-names) */
};

/* ---- the output thread ---- */

static int worker_emit(void *ctx, const char *json, size_t len)
{
	struct worker *wk = ctx;
	void *p;

	while (!(p = spsc_reserve(&wk->out, len))) {
		/* live, the output is behind: count, never wait; reading a file, nothing waits
		 * on us and nothing may be lost: wait for the output thread (an event larger
		 * than half the ring can never fit: counted) */
		if (!wk->w->cfg.reader_works || len + 16 > wk->out.size / 2) {
			xdpi_count_add(&wk->events_dropped, 1);
			return -ENOBUFS;
		}
		sched_yield();
	}
	memcpy(p, json, len);
	spsc_commit(&wk->out);
	return 0;
}

static bool drain_events(struct xdpi_workers *w)
{
	bool any = false;

	for (uint32_t i = 0; i < w->n; i++) {
		size_t len;
		void *p;

		while ((p = spsc_peek(&w->wk[i].out, &len))) {
			w->cfg.emit(w->cfg.emit_ctx, p, len);
			spsc_release(&w->wk[i].out, len);
			any = true;
		}
	}
	return any;
}

static void *output_main(void *arg)
{
	struct xdpi_workers *w = arg;

	while (!__atomic_load_n(&w->stop_output, __ATOMIC_ACQUIRE))
		if (!drain_events(w))
			usleep(1000); /* events wait at most a millisecond */
	drain_events(w);
	return NULL;
}

/* ---- the workers ---- */

static void handle(struct worker *wk, struct rec *r)
{
	switch (r->type) {
	case REC_PKT:
		r->pkt.data = (const uint8_t *)(r + 1);
		xdpi_engine__packet(wk->engine, &r->pkt);
		break;
	case REC_TICK:
		xdpi_engine__tick(wk->engine, r->now);
		break;
	case REC_STATS:
		xdpi_engine__emit_stats(wk->engine, r->now);
		break;
	case REC_FINISH: /* pad: write a last stats event after the flows */
		xdpi_engine__finish(wk->engine);
		if (r->pad)
			xdpi_engine__emit_stats(wk->engine, r->now);
		__atomic_store_n(&wk->done, 1, __ATOMIC_RELEASE);
		break;
	}
}

/* Sleeps until the reader posts (it wakes us only when we say we sleep), at most 10 ms. */
static void idle_wait(struct worker *wk)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };
	uint32_t seen = __atomic_load_n(&wk->wake, __ATOMIC_ACQUIRE);
	size_t len;

	__atomic_store_n(&wk->sleeping, 1, __ATOMIC_SEQ_CST);
	if (!spsc_peek(&wk->in, &len)) /* nothing came in meanwhile */
		syscall(SYS_futex, &wk->wake, FUTEX_WAIT_PRIVATE, seen, &t, NULL, 0);
	__atomic_store_n(&wk->sleeping, 0, __ATOMIC_SEQ_CST);
}

static void wake_worker(struct worker *wk)
{
	if (__atomic_load_n(&wk->sleeping, __ATOMIC_SEQ_CST)) {
		__atomic_add_fetch(&wk->wake, 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &wk->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	unsigned idle = 0;

	while (!__atomic_load_n(&wk->done, __ATOMIC_ACQUIRE)) {
		size_t len;
		struct rec *r = spsc_peek(&wk->in, &len);

		if (!r) { /* yield a little, then sleep until woken: no busy wait when quiet */
			if (++idle <= 32)
				sched_yield();
			else
				idle_wait(wk);
			continue;
		}
		idle = 0;
		handle(wk, r);
		spsc_release(&wk->in, len);
	}
	return NULL;
}

/* ---- the reader's side ---- */

/* Puts a record into worker I's ring, waiting (counted) while it is full: the workers are
 * behind, and it is the kernel side's ring that then absorbs (and counts) the excess. */
static void post(struct xdpi_workers *w, uint32_t i, const struct rec *r, const void *data,
		 size_t dlen)
{
	struct worker *wk = &w->wk[i];
	void *p;

	if (wk->in_reader) { /* ticks, stats and the end: at once, in order with its packets */
		struct rec now = *r;

		handle(wk, &now);
		return;
	}
	while (!(p = spsc_reserve(&wk->in, sizeof(*r) + dlen))) {
		xdpi_count_add(&wk->waits, 1);
		wake_worker(wk); /* full: it must be awake to drain */
		sched_yield();
	}
	memcpy(p, r, sizeof(*r));
	if (dlen)
		memcpy((uint8_t *)p + sizeof(*r), data, dlen);
	spsc_commit(&wk->in);
	if (++wk->unwoken >= WAKE_BATCH || r->type != REC_PKT) {
		wk->unwoken = 0;
		wake_worker(wk);
	}
}

void xdpi_workers__flush(struct xdpi_workers *w)
{
	for (uint32_t i = 0; i < w->n; i++) {
		if (w->wk[i].unwoken) {
			w->wk[i].unwoken = 0;
			wake_worker(&w->wk[i]);
		}
	}
}

/* owner()'s answer: the worker, and this bit when D holds the packet's decoding (what its
 * engine would otherwise decode again). */
#define OWNER_DECODED 0x80000000u

/* The worker of PKT's flow, with OWNER_DECODED when it was decoded into D on the way. */
static uint32_t owner(struct xdpi_workers *w, struct xdpi_frag_memo *frags,
		      const struct xdpi_pkt *pkt, struct xdpi_decoded *d)
{
	struct xdpi_flow_key k;
	uint32_t i;

	if (pkt->plaintext) { /* the worker of its socket's flow */
		struct xdpi_plain_hdr h;

		if (pkt->cap_len < sizeof(h))
			return 0;
		memcpy(&h, pkt->data, sizeof(h));
		xdpi_flow_key_from_sock(&h.sk, &k);
		return xdpi_flow_worker(&k, w->n);
	}
	if (pkt->flow_ended) { /* the worker of the renewed flow */
		struct xdpi_flow_ended r;

		if (pkt->cap_len < sizeof(r))
			return 0;
		memcpy(&r, pkt->data, sizeof(r));
		return xdpi_flow_worker(&r.key, w->n);
	}
	if (pkt->drop_reason || xdpi_decode(pkt, d) || !d->family)
		return 0; /* drop samples, non-IP and malformed: worker 0 counts them */
	if (d->frag == XDPI_DFRAG_LATER && xdpi_frag_ported(d)) /* its first fragment's worker;
								    * unknown: worker 0's */
		return (xdpi_frag_memo__get(frags, d, &i) ? i : 0) | OWNER_DECODED;
	xdpi_flow_key_from(d, &k);
	i = xdpi_flow_worker(&k, w->n);
	if (d->frag == XDPI_DFRAG_FIRST && xdpi_frag_ported(d))
		xdpi_frag_memo__put(frags, d, i);
	return i | OWNER_DECODED;
}

int xdpi_workers__packet(struct xdpi_workers *w, const struct xdpi_pkt *pkt)
{
	struct rec r = { .type = REC_PKT };
	struct xdpi_decoded d;
	uint32_t o = owner(w, w->frags, pkt, &d), i = o & ~OWNER_DECODED;

	if (w->wk[i].in_reader) { /* its own engine: the decoding is at hand */
		xdpi_count_add(&w->wk[i].dispatched, 1);
		xdpi_engine__packet_decoded(w->wk[i].engine, pkt, o & OWNER_DECODED ? &d : NULL);
		return 0;
	}
	r.pkt = *pkt;
	r.pkt.data = NULL;
	post(w, i, &r, pkt->data, pkt->cap_len);
	xdpi_count_add(&w->wk[i].dispatched, 1);
	return 0;
}

int xdpi_workers__offer(struct xdpi_workers *w, uint32_t worker, const struct xdpi_pkt *pkt)
{
	struct worker *wk = &w->wk[worker];
	struct xdpi_decoded d;
	uint32_t o = owner(w, wk->frags, pkt, &d);

	if ((o & ~OWNER_DECODED) != worker)
		return 0; /* another worker's: it reads this packet too */
	xdpi_count_add(&wk->dispatched, 1);
	return xdpi_engine__packet_decoded(wk->engine, pkt, o & OWNER_DECODED ? &d : NULL);
}

void xdpi_workers__tick_one(struct xdpi_workers *w, uint32_t worker, uint64_t now)
{
	xdpi_engine__tick(w->wk[worker].engine, now);
}

/* A reading worker's thread: the whole file, then its flows end (a stats event after them
 * if asked: pad), at the capture's last moment as this worker read it. */
static void read_all(struct worker *wk)
{
	uint64_t last = 0;
	struct rec fin = { .type = REC_FINISH, .pad = wk->w->each_stats };

	wk->read_rc = wk->read(wk->read_ctx, wk->id, &last);
	fin.now = last;
	handle(wk, &fin);
}

static void *reader_main(void *arg)
{
	read_all(arg);
	return NULL;
}

int xdpi_workers__read_each(struct xdpi_workers *w, xdpi_workers_read_fn fn, void *ctx, bool stats)
{
	int rc = 0;

	if (!w->cfg.each_reads)
		return -EINVAL;
	w->each_stats = stats;
	for (uint32_t i = 0; i < w->n; i++) {
		w->wk[i].read = fn;
		w->wk[i].read_ctx = ctx;
	}
	for (uint32_t i = 1; i < w->n; i++) {
		if (pthread_create(&w->wk[i].thread, NULL, reader_main, &w->wk[i])) {
			rc = -errno;
			break;
		}
		w->wk[i].started = true;
	}
	if (!rc)
		read_all(&w->wk[0]); /* worker 0 reads in the caller's thread */
	for (uint32_t i = 1; i < w->n; i++)
		if (w->wk[i].started) {
			pthread_join(w->wk[i].thread, NULL);
			w->wk[i].started = false;
		}
	for (uint32_t i = 0; i < w->n && !rc; i++)
		rc = w->wk[i].read_rc;
	return rc;
}

static void broadcast(struct xdpi_workers *w, uint32_t type, uint64_t now, uint32_t flag)
{
	struct rec r = { .type = type, .pad = flag, .now = now };

	for (uint32_t i = 0; i < w->n; i++)
		if (w->wk[i].started || (w->wk[i].in_reader && !w->wk[i].done))
			post(w, i, &r, NULL, 0);
}

void xdpi_workers__tick(struct xdpi_workers *w, uint64_t now)
{
	broadcast(w, REC_TICK, now, 0);
}

void xdpi_workers__emit_stats(struct xdpi_workers *w, uint64_t now)
{
	broadcast(w, REC_STATS, now, 0);
}

void xdpi_workers__finish(struct xdpi_workers *w, uint64_t now, bool stats)
{
	broadcast(w, REC_FINISH, now, stats);
	for (uint32_t i = 0; i < w->n; i++)
		if (w->wk[i].started)
			pthread_join(w->wk[i].thread, NULL);
	for (uint32_t i = 0; i < w->n; i++)
		w->wk[i].started = false;
	if (w->output_started) {
		__atomic_store_n(&w->stop_output, 1, __ATOMIC_RELEASE);
		pthread_join(w->output, NULL);
		w->output_started = false;
	}
}

void xdpi_workers__stats(const struct xdpi_workers *w, struct xdpi_workers_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->n = w->n;
	for (uint32_t i = 0; i < w->n && i < XDPI_WORKERS_MAX; i++) {
		st->dispatched[i] = xdpi_count_get(&w->wk[i].dispatched);
		st->waits += xdpi_count_get(&w->wk[i].waits);
		st->events_dropped += xdpi_count_get(&w->wk[i].events_dropped);
	}
}

struct xdpi_workers *xdpi_workers__new(const struct xdpi_workers_cfg *c)
{
	struct xdpi_workers *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->cfg = *c;
	w->n = c->n ? c->n : 1;
	w->wk = calloc(w->n, sizeof(*w->wk));
	w->frags = xdpi_frag_memo__new(FRAG_ROUTES);
	pthread_mutex_init(&w->anomaly_lock, NULL);
	if (!w->wk || !w->frags)
		goto fail;
	if (c->engine.anomaly && !c->engine.anomaly->off &&
	    !(w->anomaly = xdpi_anomaly__new(c->engine.anomaly, xdpi_engine_shared_anomaly_alert,
					     NULL)))
		goto fail;
	if (!c->engine.no_dns_names && !(w->dns_names = xdpi_dns_names_new(16384)))
		goto fail;
	for (uint32_t i = 0; i < w->n; i++) {
		struct worker *wk = &w->wk[i];
		struct xdpi_engine_cfg ec = c->engine;

		wk->w = w;
		wk->id = i;
		ec.worker = i;
		ec.nworkers = w->n;
		ec.emit = worker_emit;
		ec.emit_ctx = wk;
		ec.detect = c->detect ? c->detect[i] : NULL;
		ec.shared_anomaly = w->anomaly;
		ec.shared_lock = w->anomaly ? &w->anomaly_lock : NULL;
		ec.shared_dns_names = w->dns_names;
		if (c->each_reads && !(wk->frags = xdpi_frag_memo__new(FRAG_ROUTES)))
			goto fail;
		/* the reader's own worker, and workers that read for themselves, take no ring in */
		if ((!c->each_reads && (!c->reader_works || i) &&
		     spsc_init(&wk->in, c->ring_bytes ? c->ring_bytes : XDPI_WORKER_RING)) ||
		    spsc_init(&wk->out, c->event_ring_bytes ? c->event_ring_bytes
							    : XDPI_WORKER_EVENT_RING) ||
		    !(wk->engine = xdpi_engine__new(&ec)))
			goto fail;
	}
	w->wk[0].in_reader = c->reader_works;
	for (uint32_t i = c->reader_works ? 1 : 0; i < w->n && !c->each_reads; i++) {
		if (pthread_create(&w->wk[i].thread, NULL, worker_main, &w->wk[i]))
			goto fail;
		w->wk[i].started = true;
	}
	if (pthread_create(&w->output, NULL, output_main, w))
		goto fail;
	w->output_started = true;
	return w;
fail:
	xdpi_workers__free(w);
	errno = errno ? errno : ENOMEM;
	return NULL;
}

void xdpi_workers__free(struct xdpi_workers *w)
{
	if (!w)
		return;
	if (w->wk) {
		xdpi_workers__finish(w, 0, false); /* a no-op after an earlier finish */
		for (uint32_t i = 0; i < w->n; i++) {
			xdpi_engine__free(w->wk[i].engine);
			spsc_free(&w->wk[i].in);
			spsc_free(&w->wk[i].out);
			xdpi_frag_memo__free(w->wk[i].frags);
		}
	}
	xdpi_anomaly__free(w->anomaly);
	xdpi_dns_names_free(w->dns_names);
	xdpi_frag_memo__free(w->frags);
	pthread_mutex_destroy(&w->anomaly_lock);
	free(w->wk);
	free(w);
}

struct xdpi_engine *xdpi_workers__engine(struct xdpi_workers *w, uint32_t i)
{
	return i < w->n ? w->wk[i].engine : NULL;
}
