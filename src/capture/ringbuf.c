// SPDX-License-Identifier: GPL-2.0
/* The kernel's ring buffer: each record is an xdpi_event_hdr and a frame's first bytes. The
 * kernel produces without wake-ups (see bpf/lib/consts.h); we drain on a short timer, in
 * batches, which is what keeps the cross-core cost per record low. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "xdpi/capture.h"
#include "shared/xdpi_abi.h"

struct xdpi_rb {
	struct ring_buffer *rb;
	xdpi_pkt_fn fn;
	void *ctx;
	struct xdpi_rb_stats st;
};

/* A renewed flow's old counts: handed on, in ring order, ahead of the new connection. */
static int flow_ended(struct xdpi_rb_stats *st, xdpi_pkt_fn fn, void *ctx,
		      const struct xdpi_event_hdr *h)
{
	struct xdpi_pkt pkt = { 0 };

	if (h->cap_len != sizeof(struct xdpi_flow_ended)) {
		xdpi_count_add(&st->bad_records, 1);
		return 0;
	}
	xdpi_count_add(&st->flow_ended_records, 1);
	pkt.data = (const uint8_t *)(h + 1);
	pkt.cap_len = h->cap_len;
	pkt.ts_ns = h->ts_ns;
	pkt.kernel_seen = true;
	pkt.hook = h->hook;
	pkt.flow_ended = true;
	fn(ctx, &pkt);
	return 0;
}

int xdpi_rb_record(struct xdpi_rb_stats *st, xdpi_pkt_fn fn, void *ctx, const void *data,
		   size_t size)
{
	const struct xdpi_event_hdr *h = data;
	struct xdpi_pkt pkt = { 0 };

	xdpi_count_add(&st->records, 1);
	xdpi_count_add(&st->bytes, size);
	if (size < sizeof(*h) || h->len > size || h->len < sizeof(*h) ||
	    (size_t)h->cap_len + sizeof(*h) > h->len) {
		xdpi_count_add(&st->bad_records, 1);
		return 0;
	}
	if (h->type == XDPI_EVENT_FLOW_ENDED)
		return flow_ended(st, fn, ctx, h);
	if (h->type != XDPI_EVENT_PACKET && h->type != XDPI_EVENT_DROP) {
		xdpi_count_add(&st->unknown_type, 1); /* a newer kernel side: skip what we do not know */
		return 0;
	}
	pkt.data = (const uint8_t *)(h + 1);
	pkt.cap_len = h->cap_len;
	pkt.orig_len = h->orig_len;
	pkt.ts_ns = h->ts_ns;
	pkt.link = XDPI_LINK_ETHERNET;
	pkt.ifindex = h->ifindex;
	pkt.snippet = h->cap_len < h->orig_len;
	pkt.kernel_seen = true;
	pkt.hook = h->hook;
	pkt.steer = h->steer;
	if (h->type == XDPI_EVENT_DROP) {
		xdpi_count_add(&st->drop_records, 1);
		pkt.drop_reason = h->reason ? h->reason : XDPI_DROP_POLICY;
		pkt.drop_rule = h->rule_id;
		pkt.snippet = false; /* a sample's cut is not a steering cut */
	} else {
		pkt.cap_reason = h->reason;
		if (h->reason == XDPI_CAP_MSG || h->reason == XDPI_CAP_SLICE)
			pkt.payload_skip = h->payload_skip;
	}
	fn(ctx, &pkt);
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct xdpi_rb *rb = ctx;

	return xdpi_rb_record(&rb->st, rb->fn, rb->ctx, data, size);
}

struct xdpi_rb *xdpi_rb__new(int map_fd, xdpi_pkt_fn fn, void *ctx)
{
	struct xdpi_rb *rb = calloc(1, sizeof(*rb));

	if (!rb)
		return NULL;
	rb->fn = fn;
	rb->ctx = ctx;
	rb->rb = ring_buffer__new(map_fd, on_record, rb, NULL);
	if (!rb->rb) {
		int err = errno;

		free(rb);
		errno = err;
		return NULL;
	}
	return rb;
}

int xdpi_rb__poll(struct xdpi_rb *rb, int timeout_ms)
{
	int n = ring_buffer__poll(rb->rb, timeout_ms);

	return n < 0 ? (errno ? -errno : n) : n;
}

int xdpi_rb__consume(struct xdpi_rb *rb)
{
	return ring_buffer__consume(rb->rb);
}

void xdpi_rb__stats(const struct xdpi_rb *rb, struct xdpi_rb_stats *st)
{
	*st = rb->st;
}

void xdpi_rb__free(struct xdpi_rb *rb)
{
	if (!rb)
		return;
	ring_buffer__free(rb->rb);
	free(rb);
}

/* ---- as a source ---- */

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("records", struct xdpi_rb_stats, records, XDPI_STAT_COUNTER,
		      "xdpi_ringbuf_records_total", NULL, "Ring buffer records read."),
	XDPI_STAT_ROW("bytes", struct xdpi_rb_stats, bytes, XDPI_STAT_COUNTER, NULL, NULL, NULL),
	XDPI_STAT_ROW("bad_records", struct xdpi_rb_stats, bad_records, XDPI_STAT_COUNTER,
		      "xdpi_ringbuf_bad_records_total", NULL, "Ring buffer records skipped as bad."),
	XDPI_STAT_ROW("unknown_type", struct xdpi_rb_stats, unknown_type, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("drop_records", struct xdpi_rb_stats, drop_records, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("flow_ended_records", struct xdpi_rb_stats, flow_ended_records,
		      XDPI_STAT_COUNTER, NULL, NULL, NULL),
};

static void *rb_open(const struct xdpi_source_cfg *c, char *err, size_t errlen)
{
	struct xdpi_rb *rb = xdpi_rb__new(c->ringbuf_fd, c->deliver, c->ctx);

	if (!rb)
		snprintf(err, errlen, "the ring buffer: %s", strerror(errno));
	return rb;
}

/* The kernel wakes us only past its threshold: a poll that times out drains anyway. */
static int rb_poll(void *priv, int timeout_ms)
{
	int n = xdpi_rb__poll(priv, timeout_ms);

	return n >= 0 || n == -EINTR ? xdpi_rb__consume(priv) : n;
}

static int rb_drain(void *priv)
{
	return xdpi_rb__consume(priv);
}

static void rb_stats(void *priv, struct xdpi_json *j)
{
	xdpi_stats_json(j, "ringbuf", rows, XDPI_NSTATS(rows), &((struct xdpi_rb *)priv)->st);
}

static void rb_expose(void *priv, struct xdpi_prom *p)
{
	xdpi_stats_expose(p, rows, XDPI_NSTATS(rows), &((struct xdpi_rb *)priv)->st, NULL);
}

static void rb_close(void *priv)
{
	xdpi_rb__free(priv);
}

const struct xdpi_source_ops xdpi_source_ringbuf = {
	.name = "ringbuf",
	.open = rb_open,
	.poll = rb_poll,
	.drain = rb_drain,
	.stats = rb_stats,
	.expose = rb_expose,
	.close = rb_close,
};
