// SPDX-License-Identifier: GPL-2.0
/* A capture file through the pipeline: the pcap source, optionally each packet through the
 * real XDP program first (BPF_PROG_TEST_RUN) with the ring buffer source after it, into the
 * engine or workers, out to the outputs; flow timeouts on the capture's own clock. With
 * --workers (not through the kernel) every worker reads the file itself and keeps its own
 * flows (core/workers.c says why). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app_int.h"
#include "xdpi/heap.h"
#include "xdpi/log.h"

struct offline;

/* A reading of the file: the one, or each worker's own. */
struct reading {
	struct offline *o;
	uint32_t worker;
	void *file;
	uint64_t next_tick, last_ts, packets;
};

struct offline {
	struct xdpi_offline_cfg *c;
	struct xdpi_outputs outputs;
	struct xdpi_app_report report;
	struct xdpi_sink sink;
	struct xdpi_loader *loader;
	struct xdpi_replay *replay;
	const struct xdpi_source_ops *file_ops, *rb_ops;
	void *rb;
	struct reading *readings; /* one, or one per worker (each_reads) */
	uint32_t nreadings;
	bool each_reads;
	bool gone; /* the output's reader went away (worker 0's reading sees it; the other
		    * readings read it: atomically, output_gone()) */
};

static int to_sink(void *ctx, const struct xdpi_pkt *pkt)
{
	struct offline *o = ctx;

	return xdpi_sink_packet(&o->sink, pkt);
}

static void to_engines(struct reading *r, const struct xdpi_pkt *pkt)
{
	struct offline *o = r->o;

	if (o->replay) {
		xdpi_replay__run(o->replay, pkt); /* refusals are counted in the stats */
		o->rb_ops->drain(o->rb);
	} else if (o->each_reads) {
		xdpi_workers__offer(o->sink.workers, r->worker, pkt);
	} else {
		xdpi_sink_packet(&o->sink, pkt);
	}
}

/* Has the output's reader gone (`xdpi read ... | head`)? Every reading asks; worker 0's sets it. */
static bool output_gone(struct offline *o)
{
	return __atomic_load_n(&o->gone, __ATOMIC_RELAXED);
}

static void outputs_tick(struct offline *o)
{
	if (xdpi_outputs_tick(&o->outputs) == -EPIPE)
		__atomic_store_n(&o->gone, true, __ATOMIC_RELAXED);
}

static void tick(struct reading *r, uint64_t now)
{
	if (!r->o->each_reads) {
		xdpi_sink_tick(&r->o->sink, now);
		return;
	}
	if (r->worker == 0) /* the main heap's: once */
		xdpi_heap_advise();
	xdpi_workers__tick_one(r->o->sink.workers, r->worker, now);
}

static int one_packet(void *ctx, const struct xdpi_pkt *pkt)
{
	struct reading *r = ctx;
	struct offline *o = r->o;

	to_engines(r, pkt);
	r->packets++;
	if (pkt->ts_ns > r->last_ts)
		r->last_ts = pkt->ts_ns;
	/* flow timeouts run on the capture's clock, once per captured second; the outputs are
	 * asked every 4096 packets too, so that `xdpi read ... | head` stops soon (by the first
	 * reading: the others stop when it has seen the reader go) */
	if (pkt->ts_ns >= r->next_tick) {
		tick(r, pkt->ts_ns);
		r->next_tick = pkt->ts_ns + XDPI_NS_PER_SEC;
		if (r->worker == 0)
			outputs_tick(o);
	} else if (!(r->packets & 4095) && r->worker == 0) {
		outputs_tick(o);
	}
	return 0;
}

static int setup_kernel(struct offline *o)
{
	struct xdpi_app_common *c = &o->c->common;
	struct xdpi_loader_cfg lc = {
		.replay_clock = true,
		.default_steer = c->steer,
		.head_pkts = (uint32_t)c->head_pkts,
		.snaplen = (uint32_t)c->snaplen,
		.tun_ignore = c->decode.tun_ignore,
		.vxlan_port = c->decode.vxlan_port,
		.max_flows = (uint32_t)c->max_flows,
		.ringbuf_bytes = XDPI_RINGBUF_DEFAULT,
		.ports = c->ports,
		.nports = c->nports,
	};
	char err[256];

	o->loader = xdpi_loader__open(&lc, err, sizeof(err));
	if (!o->loader) {
		xdpi_log_error("%s\n", err);
		return -1;
	}
	o->replay = xdpi_replay__new(xdpi_loader__xdp_prog_fd(o->loader),
				     xdpi_loader__map_fd(o->loader, XDPI_MAP_REPLAY_CLOCK));
	o->rb_ops = xdpi_source_find("ringbuf");
	o->rb = o->rb_ops->open(&(struct xdpi_source_cfg){
					.deliver = to_sink, .ctx = o,
					.ringbuf_fd = xdpi_loader__map_fd(o->loader, XDPI_MAP_EVENTS_RB) },
				err, sizeof(err));
	if (!o->replay || !o->rb) {
		xdpi_log_error("setting up the replay failed: %s\n", o->rb ? strerror(errno) : err);
		return -1;
	}
	o->report.replay = o->replay;
	o->report.sources[1] = o->rb;
	o->report.source_ops[1] = o->rb_ops;
	return 0;
}

static int setup_engine(struct offline *o)
{
	struct xdpi_app_common *c = &o->c->common;
	struct xdpi_engine_cfg ec = {
		.max_flows = c->max_flows,
		.timeouts = c->timeouts,
		.kops = o->loader ? &xdpi_loader_kernel_ops : NULL,
		.msg_head_budget = (uint32_t)c->head_budget,
		.kctx = o->loader,
		.emit = xdpi_outputs_event,
		.emit_ctx = &o->outputs,
		.stats_extra = xdpi_app_stats_extra,
		.stats_ctx = &o->report,
		.detect = c->rules.d,
		.drop_ttl_ns = c->rules.drop_ttl_s * XDPI_NS_PER_SEC,
		.anomaly = &c->rules.anomaly,
	};

	o->report.outputs = &o->outputs;
	o->report.observe = &c->observe;
	if (xdpi_app_observe_open(&c->observe, &o->outputs, &ec, false))
		return -1;
	return xdpi_sink_open(&o->sink, &ec, &c->rules, (uint32_t)c->workers,
			      o->each_reads ? XDPI_SINK_FILE_EACH : XDPI_SINK_FILE);
}

/* Opens the file for every reading (the first says what it finds: damage, a short snap
 * length; the others read quietly). 0, or -ENOENT when it could not be opened at all. */
static int open_readings(struct offline *o)
{
	char err[512];

	o->file_ops = xdpi_source_find("pcap");
	for (uint32_t i = 0; i < o->nreadings; i++) {
		struct reading *r = &o->readings[i];

		r->o = o;
		r->worker = i;
		r->file = o->file_ops->open(&(struct xdpi_source_cfg){ .deliver = one_packet, .ctx = r,
								      .path = o->c->path, .quiet = i > 0 },
					    err, sizeof(err));
		if (!r->file) {
			xdpi_log_error("%s\n", err);
			return -ENOENT; /* nothing read: no events at all */
		}
	}
	o->report.sources[0] = o->readings[0].file;
	o->report.source_ops[0] = o->file_ops;
	return 0;
}

/* 0 when the file was read (damage after some packets is said, not fatal), -1 when no packet
 * could be. */
static int read_through(struct reading *r)
{
	int n = 0;

	while (!output_gone(r->o) && (n = r->o->file_ops->poll(r->file, 0)) > 0)
		;
	return !output_gone(r->o) && n < 0 && !r->packets ? -1 : 0;
}

/* A worker's reading (xdpi_workers_read_fn), in its own thread. */
static int worker_reads(void *ctx, uint32_t worker, uint64_t *last_ts)
{
	struct offline *o = ctx;
	int rc = read_through(&o->readings[worker]);

	*last_ts = o->readings[worker].last_ts;
	return rc;
}

/* Reads the file: 0, -1 (no packet could be read) or -ENOENT (not opened). With each_reads
 * every worker has also ended its flows when this returns. */
static int read_file(struct offline *o)
{
	int err = open_readings(o);

	if (err)
		return err;
	if (o->each_reads)
		return xdpi_workers__read_each(o->sink.workers, worker_reads, o, !o->c->no_stats);
	return read_through(&o->readings[0]);
}

int xdpi_offline_run(struct xdpi_offline_cfg *c)
{
	struct xdpi_app_common *cm = &c->common;
	struct offline o = { .c = c, .report = { .rule_stats = { -1, -1 } } };
	int rc = 1, err;

	xdpi_decode_set_opts(&cm->decode);
	cm->observe.out.pcap_rotate_bytes = cm->observe.pcap_rotate_mb << 20;
	cm->observe.out.pcap_keep = (uint32_t)cm->observe.pcap_keep;
	if (xdpi_outputs_open(&o.outputs, &cm->observe.out))
		return 1;
	if (xdpi_app_rules_load(&cm->rules, NULL, NULL))
		goto out;
	if (c->through_kernel && setup_kernel(&o))
		goto out;
	o.each_reads = cm->workers > 1 && !c->through_kernel;
	o.nreadings = o.each_reads ? (uint32_t)cm->workers : 1;
	if (!(o.readings = calloc(o.nreadings, sizeof(*o.readings)))) {
		xdpi_log_error("out of memory\n");
		goto out;
	}
	if (setup_engine(&o))
		goto out;
	err = read_file(&o);
	if (err == -ENOENT)
		goto out;
	if (o.rb)
		o.rb_ops->drain(o.rb);
	xdpi_sink_finish(&o.sink, o.readings[0].last_ts, !c->no_stats);
	rc = err ? 1 : 0;
out:
	xdpi_sink_free(&o.sink);
	xdpi_app_observe_close(&cm->observe);
	for (uint32_t i = 0; o.readings && i < o.nreadings; i++)
		if (o.readings[i].file)
			o.file_ops->close(o.readings[i].file);
	free(o.readings);
	if (o.rb)
		o.rb_ops->close(o.rb);
	xdpi_replay__free(o.replay);
	xdpi_loader__free(o.loader);
	if (xdpi_outputs_close(&o.outputs))
		rc = 1; /* events lost: said by the output */
	xdpi_app_rules_free(&cm->rules);
	return rc;
}
