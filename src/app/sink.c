// SPDX-License-Identifier: GPL-2.0
/* Where the application sends packets: one engine in the reader's thread, or --workers N engines
 * in their own threads (core/workers.c). Either way the same five calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "app_int.h"
#include "xdpi/heap.h"
#include "xdpi/log.h"

int xdpi_sink_open(struct xdpi_sink *s, const struct xdpi_engine_cfg *ec, struct xdpi_app_rules *cd,
		  uint32_t workers, enum xdpi_sink_from from)
{
	struct xdpi_workers_cfg wc = { .n = workers, .engine = *ec, .emit = ec->emit,
				       .emit_ctx = ec->emit_ctx };

	if (from != XDPI_SINK_LIVE) {
		wc.ring_bytes = wc.event_ring_bytes = XDPI_WORKER_RING_FILE;
		wc.reader_works = true;
		wc.each_reads = from == XDPI_SINK_FILE_EACH;
	}

	memset(s, 0, sizeof(*s));
	if (workers <= 1) {
		s->engine = xdpi_engine__new(ec);
		if (!s->engine)
			xdpi_log_error("cannot create the engine: %s\n", strerror(errno));
		return s->engine ? 0 : -1;
	}
	if (cd->d) {
		s->detects = calloc(workers, sizeof(*s->detects));
		if (!s->detects)
			return -1;
		s->ndetects = workers;
		s->detects[0] = cd->d;
		for (uint32_t i = 1; i < workers; i++) /* one compiled rule set, a matcher each */
			if (!(s->detects[i] = xdpi_detect__clone(cd->d))) {
				xdpi_log_error("no memory for worker %u's matcher\n", i);
				return -1;
			}
		wc.detect = s->detects;
	}
	s->workers = xdpi_workers__new(&wc);
	if (!s->workers)
		xdpi_log_error("cannot start %u workers: %s\n", workers, strerror(errno));
	return s->workers ? 0 : -1;
}

int xdpi_sink_packet(void *ctx, const struct xdpi_pkt *pkt)
{
	struct xdpi_sink *s = ctx;

	return s->workers ? xdpi_workers__packet(s->workers, pkt) : xdpi_engine__packet(s->engine, pkt);
}

void xdpi_sink_flush(struct xdpi_sink *s)
{
	if (s->workers)
		xdpi_workers__flush(s->workers);
}

void xdpi_sink_tick(struct xdpi_sink *s, uint64_t now)
{
	xdpi_heap_advise();
	if (s->workers)
		xdpi_workers__tick(s->workers, now);
	else
		xdpi_engine__tick(s->engine, now);
}

void xdpi_sink_stats(struct xdpi_sink *s, uint64_t now)
{
	if (s->workers)
		xdpi_workers__emit_stats(s->workers, now);
	else
		xdpi_engine__emit_stats(s->engine, now);
}

/* Ends every flow and writes the last stats (all of it written when this returns). */
void xdpi_sink_finish(struct xdpi_sink *s, uint64_t now, bool stats)
{
	if (s->workers) {
		xdpi_workers__finish(s->workers, now, stats);
		return;
	}
	xdpi_engine__finish(s->engine);
	if (stats)
		xdpi_engine__emit_stats(s->engine, now);
}

void xdpi_sink_free(struct xdpi_sink *s)
{
	xdpi_workers__free(s->workers);
	xdpi_engine__free(s->engine);
	for (uint32_t i = 1; i < s->ndetects; i++) /* clones; [0] is the cli_detect's own */
		xdpi_detect__free(s->detects[i]);
	free(s->detects);
	memset(s, 0, sizeof(*s));
}
