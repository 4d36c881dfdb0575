/* SPDX-License-Identifier: GPL-2.0 */
/* TCP reassembly, one direction at a time: in-order delivery, out-of-order segments buffered
 * within a bound, retransmissions and overlaps trimmed (the first copy of a byte wins), and
 * gaps (lost segments, steering, snap lengths) reported to the consumer and survived. Bytes
 * the consumer said it does not need (xdpi_stream_skip_to: a body the kernel skips) are not a
 * gap: a hole within them is handed over as skipped, at once and in order. */
#ifndef XDPI_REASSEMBLY_H
#define XDPI_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdpi_seg;

struct xdpi_stream {
	uint32_t next_seq;   /* the next byte to deliver */
	uint32_t skip_to;    /* while skipping: bytes before this one are not needed */
	uint32_t given_to;   /* the byte after the last one handed to the consumer */
	bool started;
	bool skipping;
	bool gap_pending;    /* bytes were skipped: the next delivery says so */
	struct xdpi_seg *ooo; /* out-of-order segments, sorted by seq */
	uint32_t ooo_bytes;
};

struct xdpi_reasm_stats {
	uint64_t delivered_bytes;
	uint64_t gaps;            /* holes skipped (bytes never seen) */
	uint64_t gap_bytes;
	uint64_t retransmitted;   /* segments wholly delivered before */
	uint64_t overlaps;        /* segments partly delivered before (trimmed) */
	uint64_t ooo_segments;    /* buffered out of order */
	uint64_t flow_cap_drops;  /* segments not buffered: per-flow bound */
	uint64_t global_cap_drops;/* segments not buffered: global bound */
	uint64_t ooo_bytes_now;   /* bytes buffered, all flows */
	uint64_t skipped_bytes;   /* not needed and never seen (the kernel skipped them) */
};

struct xdpi_reasm_limits {
	uint32_t flow_ooo_bytes;   /* per direction */
	uint64_t global_ooo_bytes;
};

/* Receives in-order bytes; gap: bytes are missing before these. DATA NULL: LEN bytes the
 * consumer did not need went by unseen (see xdpi_stream_skip_to). */
typedef void (*xdpi_stream_fn)(void *ctx, const uint8_t *data, size_t len, bool gap);

struct xdpi_reasm {
	struct xdpi_reasm_limits lim;
	struct xdpi_reasm_stats st;
};

/* One TCP segment of this direction: seq, its payload as captured (cap bytes) and its length
 * on the wire (wire >= cap: the rest was cut by a snap length), and its flags. */
void xdpi_stream_segment(struct xdpi_reasm *r, struct xdpi_stream *s, uint32_t seq,
			 const uint8_t *data, uint32_t cap, uint32_t wire, uint8_t flags,
			 xdpi_stream_fn fn, void *ctx);
/* The peer acknowledged up to ack: bytes of this direction before ack that we still wait for
 * were received by the peer and lost to us (capture loss, steering): accept the hole and
 * deliver what waits behind it. */
void xdpi_stream_acked(struct xdpi_reasm *r, struct xdpi_stream *s, uint32_t ack,
		       xdpi_stream_fn fn, void *ctx);
/* Delivers what is buffered, skipping holes (the flow ends, or a gap must be accepted). */
void xdpi_stream_flush(struct xdpi_reasm *r, struct xdpi_stream *s, xdpi_stream_fn fn, void *ctx);
void xdpi_stream_free(struct xdpi_reasm *r, struct xdpi_stream *s);
/* The consumer does not need the bytes before SEQ: a hole that ends at or before it is
 * handed over as skipped rather than as a gap. */
void xdpi_stream_skip_to(struct xdpi_stream *s, uint32_t seq);

#endif /* XDPI_REASSEMBLY_H */
