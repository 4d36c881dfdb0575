// SPDX-License-Identifier: GPL-2.0
/* TCP reassembly of one direction. Policy for overlaps: the first copy of a byte wins (what
 * was delivered, or buffered, stays). Out-of-order segments wait in a sorted list within a
 * per-direction and a global bound; past the bound, or when the flow ends, the hole is
 * accepted as a gap and delivery goes on. Snippets (a segment cut by a snap length) deliver
 * what was captured and report the rest as a gap. */
#include <stdlib.h>
#include <string.h>
#include "xdpi/reassembly.h"

#define TCP_SYN 0x02
#define OOO_MAX_SEGMENTS 64

struct xdpi_seg {
	struct xdpi_seg *next;
	uint32_t seq;
	uint32_t cap;
	uint32_t wire;
	uint8_t data[];
};

static int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* The consumer's unneeded bytes from next_seq up to SEQ (at most), which never came: handed
 * over as skipped. True when next_seq moved. */
static bool skip_hole(struct xdpi_reasm *r, struct xdpi_stream *s, uint32_t seq,
		      xdpi_stream_fn fn, void *ctx)
{
	uint32_t to = seq;
	bool moved = false;

	if (!s->skipping || seq_diff(seq, s->next_seq) <= 0)
		return false;
	if (seq_diff(to, s->skip_to) > 0)
		to = s->skip_to;
	if (seq_diff(to, s->next_seq) > 0) {
		uint32_t n = (uint32_t)seq_diff(to, s->next_seq);

		s->given_to = to;
		fn(ctx, NULL, n, false);
		r->st.skipped_bytes += n;
		s->next_seq = to;
		moved = true;
	}
	if (seq_diff(s->next_seq, s->skip_to) >= 0)
		s->skipping = false;
	return moved;
}

/* Delivers a segment that starts at or before next_seq. */
static void deliver(struct xdpi_reasm *r, struct xdpi_stream *s, uint32_t seq,
		    const uint8_t *data, uint32_t cap, uint32_t wire, xdpi_stream_fn fn, void *ctx)
{
	uint32_t skip = (uint32_t)seq_diff(s->next_seq, seq);

	if (skip >= wire) {
		r->st.retransmitted++;
		return;
	}
	if (skip)
		r->st.overlaps++;
	if (skip < cap) {
		s->given_to = seq + cap;
		fn(ctx, data + skip, cap - skip, s->gap_pending);
		r->st.delivered_bytes += cap - skip;
		s->gap_pending = false;
	}
	if (wire > cap) { /* the end of this segment was never captured */
		uint32_t from = skip > cap ? skip : cap;

		s->next_seq = seq + from;
		skip_hole(r, s, seq + wire, fn, ctx); /* not needed: not a gap */
		if (seq_diff(seq + wire, s->next_seq) > 0) {
			r->st.gaps++;
			r->st.gap_bytes += (uint32_t)seq_diff(seq + wire, s->next_seq);
			s->gap_pending = true;
		}
	}
	s->next_seq = seq + wire;
	if (s->skipping && seq_diff(s->next_seq, s->skip_to) >= 0)
		s->skipping = false;
}

static void pop_ooo(struct xdpi_reasm *r, struct xdpi_stream *s, xdpi_stream_fn fn, void *ctx,
		    bool accept_hole)
{
	while (s->ooo) {
		struct xdpi_seg *g = s->ooo;
		int32_t d = seq_diff(g->seq, s->next_seq);

		if (d > 0) {
			if (!accept_hole)
				return;
			r->st.gaps++;
			r->st.gap_bytes += (uint32_t)d;
			s->gap_pending = true;
			s->next_seq = g->seq;
		}
		s->ooo = g->next;
		s->ooo_bytes -= g->cap;
		r->st.ooo_bytes_now -= g->cap;
		deliver(r, s, g->seq, g->data, g->cap, g->wire, fn, ctx);
		free(g);
		accept_hole = false; /* one hole at a time; then only what follows in order */
	}
}

/* Inserts in seq order; a segment starting where a buffered one starts is a retransmission
 * of it (the buffered copy wins). Returns 0, or -1 if it was not buffered. */
static int buffer_ooo(struct xdpi_reasm *r, struct xdpi_stream *s, uint32_t seq,
		      const uint8_t *data, uint32_t cap, uint32_t wire)
{
	struct xdpi_seg **pp = &s->ooo, *g;
	int n = 0;

	for (; *pp && seq_diff((*pp)->seq, seq) < 0; pp = &(*pp)->next)
		n++;
	if (*pp && (*pp)->seq == seq) {
		r->st.retransmitted++;
		return 0;
	}
	if (s->ooo_bytes + cap > r->lim.flow_ooo_bytes || n >= OOO_MAX_SEGMENTS) {
		r->st.flow_cap_drops++;
		return -1;
	}
	if (r->st.ooo_bytes_now + cap > r->lim.global_ooo_bytes) {
		r->st.global_cap_drops++;
		return -1;
	}
	g = malloc(sizeof(*g) + cap);
	if (!g) {
		r->st.global_cap_drops++;
		return -1;
	}
	g->seq = seq, g->cap = cap, g->wire = wire;
	memcpy(g->data, data, cap);
	g->next = *pp;
	*pp = g;
	s->ooo_bytes += cap;
	r->st.ooo_bytes_now += cap;
	r->st.ooo_segments++;
	return 0;
}

void xdpi_stream_segment(struct xdpi_reasm *r, struct xdpi_stream *s, uint32_t seq,
			 const uint8_t *data, uint32_t cap, uint32_t wire, uint8_t flags,
			 xdpi_stream_fn fn, void *ctx)
{
	if (flags & TCP_SYN) {
		seq++; /* data of a SYN (fast open) starts after it */
		if (!s->started) {
			s->next_seq = seq;
			s->started = true;
		}
	}
	if (!s->started && wire == 0)
		return;
	if (!s->started) { /* joined mid-stream: start here */
		s->next_seq = seq;
		s->started = true;
	}
	if (skip_hole(r, s, seq, fn, ctx)) /* what the kernel skipped before these bytes */
		pop_ooo(r, s, fn, ctx, false);
	if (wire == 0)
		return; /* the kernel's mark of where skipped bytes ended: nothing more */
	if (seq_diff(seq, s->next_seq) <= 0) {
		deliver(r, s, seq, data, cap, wire, fn, ctx);
		pop_ooo(r, s, fn, ctx, false);
		return;
	}
	if (buffer_ooo(r, s, seq, data, cap, wire) == 0)
		return;
	/* no room to wait for the hole: accept it, deliver what waits, then this segment */
	pop_ooo(r, s, fn, ctx, true);
	if (seq_diff(seq, s->next_seq) > 0) {
		r->st.gaps++;
		r->st.gap_bytes += (uint32_t)seq_diff(seq, s->next_seq);
		s->gap_pending = true;
		s->next_seq = seq;
	}
	deliver(r, s, seq, data, cap, wire, fn, ctx);
	pop_ooo(r, s, fn, ctx, false);
}

void xdpi_stream_acked(struct xdpi_reasm *r, struct xdpi_stream *s, uint32_t ack,
		       xdpi_stream_fn fn, void *ctx)
{
	if (!s->started || !s->ooo || seq_diff(ack, s->next_seq) <= 0)
		return;
	if (seq_diff(ack, s->ooo->seq) < 0)
		return; /* the hole is not acknowledged in full yet */
	pop_ooo(r, s, fn, ctx, true);
}

void xdpi_stream_flush(struct xdpi_reasm *r, struct xdpi_stream *s, xdpi_stream_fn fn, void *ctx)
{
	while (s->ooo)
		pop_ooo(r, s, fn, ctx, true);
}

void xdpi_stream_skip_to(struct xdpi_stream *s, uint32_t seq)
{
	if (!s->started || seq_diff(seq, s->next_seq) <= 0)
		return;
	s->skip_to = seq;
	s->skipping = true;
}

void xdpi_stream_free(struct xdpi_reasm *r, struct xdpi_stream *s)
{
	while (s->ooo) {
		struct xdpi_seg *g = s->ooo;

		s->ooo = g->next;
		r->st.ooo_bytes_now -= g->cap;
		free(g);
	}
	s->ooo_bytes = 0;
}
