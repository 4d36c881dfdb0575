/* SPDX-License-Identifier: GPL-2.0 */
/* Worker threads, each with its own engine; packets go to the worker that owns their flow
 * (a symmetric hash of the canonical key), events to one output thread (core/workers.c). */
#ifndef XDPI_WORKERS_H
#define XDPI_WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include "xdpi/detect.h"
#include "xdpi/engine.h"

#define XDPI_WORKERS_MAX 64

struct xdpi_workers_cfg {
	uint32_t n;                     /* worker threads */
	struct xdpi_engine_cfg engine;  /* each worker's engine: this, with its id, its detect
					 * and the shared anomaly detectors */
	struct xdpi_detect **detect;    /* one per worker (a rule set is not shared), or NULL */
	xdpi_emit_fn emit;              /* the output, called from the output thread only */
	void *emit_ctx;
	size_t ring_bytes;              /* each worker's packet ring (0: XDPI_WORKER_RING) */
	size_t event_ring_bytes;        /* each worker's event ring (0: XDPI_WORKER_EVENT_RING) */
	bool reader_works;              /* a file: worker 0's engine runs in the reader's thread,
					 * and events wait for room instead of being dropped
					 * (nothing waits on the reader) */
	bool each_reads;                /* a file read by every worker for itself
					 * (xdpi_workers__read_each): no reader, no rings in */
};

/* Reads the file for WORKER, offering every packet to xdpi_workers__offer() and ticking
 * its engine with xdpi_workers__tick_one(); *LAST_TS: the capture's last moment. 0 or -errno. */
typedef int (*xdpi_workers_read_fn)(void *ctx, uint32_t worker, uint64_t *last_ts);

/* Live, a worker's rings are where a burst waits that the source cannot hold (AF_XDP's
 * umem is a few thousand frames): 16 and 4 MiB. Reading a file, the reader simply waits
 * for room, and a ring larger than the caches is memory that every lap brings in again;
 * memory touched for the first time is dear here (16 MiB rings cost an offline run 4,096
 * page faults per worker, more than its packets): XDPI_WORKER_RING_FILE for both. */
#define XDPI_WORKER_RING (16u << 20)      /* packets in */
#define XDPI_WORKER_EVENT_RING (4u << 20) /* events out: the output thread drains it every
					   * millisecond; an event that finds it full is counted */
#define XDPI_WORKER_RING_FILE (1u << 20)

struct xdpi_workers_stats {
	uint32_t n;
	uint64_t dispatched[XDPI_WORKERS_MAX];
	uint64_t waits;          /* the reader waited for a worker's ring */
	uint64_t events_dropped; /* events that found a worker's output ring full */
};

struct xdpi_workers;
struct xdpi_workers *xdpi_workers__new(const struct xdpi_workers_cfg *c);
/* The reader's side: a packet (copied), a tick, a stats request, the end. */
int xdpi_workers__packet(struct xdpi_workers *w, const struct xdpi_pkt *pkt);
void xdpi_workers__tick(struct xdpi_workers *w, uint64_t now);
/* The reader's batch is over: wake the workers that have records waiting. */
void xdpi_workers__flush(struct xdpi_workers *w);
void xdpi_workers__emit_stats(struct xdpi_workers *w, uint64_t now);
/* Every worker ends its flows (then writes a stats event at NOW if STATS) and stops; the
 * output thread writes everything and stops. */
void xdpi_workers__finish(struct xdpi_workers *w, uint64_t now, bool stats);
void xdpi_workers__stats(const struct xdpi_workers *w, struct xdpi_workers_stats *st);
/* cfg.each_reads: runs FN once per worker, each in a thread of its own (worker 0 in the
 * caller's), and returns when all have read and ended their flows (each then writes a stats
 * event if STATS); the first failure, or 0. xdpi_workers__finish still stops the output. */
int xdpi_workers__read_each(struct xdpi_workers *w, xdpi_workers_read_fn fn, void *ctx, bool stats);
/* From WORKER's reading: PKT is inspected if its flow is WORKER's, else left to its owner. */
int xdpi_workers__offer(struct xdpi_workers *w, uint32_t worker, const struct xdpi_pkt *pkt);
void xdpi_workers__tick_one(struct xdpi_workers *w, uint32_t worker, uint64_t now);
struct xdpi_engine *xdpi_workers__engine(struct xdpi_workers *w, uint32_t i);
void xdpi_workers__free(struct xdpi_workers *w);

#endif /* XDPI_WORKERS_H */
