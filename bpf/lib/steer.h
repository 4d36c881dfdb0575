/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Steering: decide whether a packet of a flow is copied to user space, and copy it. */
#ifndef XDPI_BPF_STEER_H
#define XDPI_BPF_STEER_H

#include "lib/ctx.h"
#include "lib/flow.h"

struct xdpi_capture {
	__u32 cap_len;
	__u32 skip;  /* payload bytes left out after the headers (a message head inside) */
	__u8 reason; /* enum xdpi_cap_reason, 0: not captured */
	__u8 wake;   /* wake the consumer now: a message head whose length user space is
		      * to read and answer with a skip, the sooner the more it saves */
	__u8 walk;   /* XDPI_MSG_H2: the kernel walks the packet's frame headers */
};

/* Mid-packet copies: the headers (at most this long) and then the payload from the skip, at
 * most XDPI_MID_MAX bytes a record (a GSO skb's rest takes two); short stretches (an HTTP/2
 * frame header) in a record class of their own, so they do not hold 32 kB of the ring. */
#define XDPI_MID_HDR_MAX 255
#define XDPI_MID_MAX 32767
#define XDPI_MID_CLASS (XDPI_MID_MAX + 256)
#define XDPI_SHORT_MAX 511
#define XDPI_SHORT_CLASS (XDPI_SHORT_MAX + 256)

static __always_inline void msg_skipped(struct xdpi_counters *cs, __u32 bytes, __u32 pkts)
{
	cnt_add(cs, XDPI_CNT_MSG_SKIPPED_PKTS, pkts);
	cnt_add(cs, XDPI_CNT_MSG_SKIPPED_BYTES, bytes);
}

/* A MSG flow's payload packet: what the direction's hint (H, may be NULL) asks of it. */
/* Where the head's budget of direction D counts from: the hint's X, or, when this side's
 * first packet after the other side last spoke (a request) came later, that packet: the
 * answer's head, which user space has not seen yet, so its hint may still be older. */
static __always_inline __u32 budget_base(struct xdpi_flow_value *v, __u8 d, __u32 x, __u32 s)
{
	if (v->rearmed[d] == 1) {
		v->rearmed[d] = 2;
		v->rearm_base[d] = s;
	}
	if (v->rearmed[d] == 2 && (__s32)(v->rearm_base[d] - x) > 0)
		return v->rearm_base[d];
	return x;
}

static __always_inline struct xdpi_capture msg_decide(struct xdpi_flow_value *v,
						      const struct xdpi_meta *m, __u8 dir,
						      const struct xdpi_msg_hint *h,
						      struct xdpi_counters *cs)
{
	/* whatever is copied is copied whole: a GSO skb cut at a snap length would lose the
	 * heads of the messages that follow in it */
	struct xdpi_capture cap = { .reason = XDPI_CAP_MSG, .cap_len = XDPI_COPY_MAX };
	__u8 mode = h ? h->mode[dir & 1] : XDPI_MSG_NONE;
	__u32 x, b, base, off;

	if (mode == XDPI_MSG_SEQ && m->proto != IPPROTO_TCP)
		mode = XDPI_MSG_COPY; /* a datagram is its own message */
	if (mode == XDPI_MSG_H2 && m->proto != IPPROTO_TCP)
		mode = XDPI_MSG_COPY;
	switch (mode) {
	case XDPI_MSG_COPY: /* a stream that needs every byte: no hurry to hear back */
		return cap;
	case XDPI_MSG_H2: /* the flow stage walks the frames, with the packet at hand */
		cap.walk = 1;
		return cap;
	case XDPI_MSG_SKIP:
		msg_skipped(cs, m->payload_len, m->segs ? m->segs : 1);
		cap.reason = 0;
		return cap;
	case XDPI_MSG_SEQ:
		x = h->seq[dir & 1];
		b = h->budget[dir & 1];
		base = b ? budget_base(v, dir & 1, x, m->tcp_seq) : x;
		if (b && (__s32)(m->tcp_seq - base) >= 0 && m->tcp_seq - base >= b) {
			/* past the head's budget, before user space's next word: a mark of
			 * where it ends (a body's end, a response's latency) */
			cnt_add(cs, XDPI_CNT_MSG_OVER_BUDGET_PKTS, m->segs ? m->segs : 1);
			cnt_add(cs, XDPI_CNT_MSG_OVER_BUDGET_BYTES, m->payload_len);
			if (!m->payload_off) {
				cap.reason = 0;
				return cap;
			}
			cap.skip = m->payload_len;
			cap.cap_len = m->payload_off;
			return cap;
		}
		if ((__s32)(m->tcp_seq + m->payload_len - x) < 0) {
			msg_skipped(cs, m->payload_len, m->segs ? m->segs : 1); /* wholly before the next head */
			cap.reason = 0;
			return cap;
		}
		if (m->tcp_seq + m->payload_len == x && m->payload_off) {
			/* it ends the skipped bytes: its headers alone, so user space knows when
			 * the message ended (a response's latency) */
			msg_skipped(cs, m->payload_len, m->segs ? m->segs : 1);
			cap.skip = m->payload_len;
			cap.cap_len = m->payload_off;
			return cap;
		}
		cap.wake = 1;
		if ((__s32)(m->tcp_seq - x) >= 0) { /* from the head on: copied as it comes */
			if (b && (__s32)(base + b - m->tcp_seq) > 0)
				cap.cap_len = m->payload_off + (base + b - m->tcp_seq);
			return cap;
		}
		off = x - m->tcp_seq; /* the head is inside: copy from it */
		if (b)
			cap.cap_len = m->payload_off + b;
		if (!m->payload_off || m->payload_off > XDPI_MID_HDR_MAX || m->payload_len < 17)
			return cap; /* headers too long to splice (or a tiny frame): from its start */
		cap.skip = off;
		msg_skipped(cs, off, 0);
		cnt_add(cs, XDPI_CNT_MSG_MID_COPIES, 1);
		return cap;
	}
	if (m->proto != IPPROTO_TCP)
		return cap; /* a datagram is its own message: copied whole without a word, as COPY
			     * would (so user space need not say COPY for one: a syscall per
			     * flow), and without a wake-up (one for each would also outrun
			     * the socket hooks that name its process) */
	/* no word yet: copied. The race goes toward copying: the next message head may pass
	 * before user space has read this one's length (under load it falls behind by many
	 * packets: a head budget here lost whole responses in bench/steering.sh). */
	cnt_add(cs, XDPI_CNT_MSG_UNHINTED, 1);
	cap.wake = 1; /* a stream's skip is worth hearing soon */
	return cap;
}

/* A later fragment has no L4 header to steer by: it goes up whole while its flow is watched
 * (unless a message flow skips its direction), so that user space can reassemble the
 * datagram its first fragment began (a DNSSEC answer, a QUIC Initial past the MTU); copying
 * the first fragment alone lost every such answer through the kernel. */
static __always_inline struct xdpi_capture later_fragment(__u8 st, const struct xdpi_meta *m,
							   __u8 dir, __u32 frame_len,
							   const struct xdpi_msg_hint *h)
{
	struct xdpi_capture cap = {};

	if (!m->payload_len || (st == XDPI_STEER_MSG && h && h->mode[dir & 1] == XDPI_MSG_SKIP))
		return cap;
	cap.reason = st == XDPI_STEER_MSG  ? XDPI_CAP_MSG
		     : st == XDPI_STEER_SNIP ? XDPI_CAP_SNIP
					     : XDPI_CAP_HEAD;
	cap.cap_len = frame_len;
	return cap;
}

/* Which packets of a flow user space gets, by its steering state. H: the MSG hint of the
 * flow, when it has one. */
static __always_inline struct xdpi_capture steer_decide(struct xdpi_flow_value *v,
							const struct xdpi_meta *m, __u8 dir,
							__u32 frame_len,
							const struct xdpi_msg_hint *h,
							struct xdpi_counters *cs)
{
	struct xdpi_capture cap = {};
	__u8 st = v->steer;

	if (st != XDPI_STEER_HEAD && st != XDPI_STEER_SNIP && st != XDPI_STEER_MSG)
		return cap;
	if (m->frag == XDPI_FRAG_LATER)
		return later_fragment(st, m, dir, frame_len, h);
	if (m->payload_len == 0) {
		if (m->proto == IPPROTO_TCP && (m->tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST)))
			cap.reason = XDPI_CAP_CTRL;
		cap.cap_len = XDPI_CTRL_SNAPLEN;
	} else if (st == XDPI_STEER_MSG) {
		cap = msg_decide(v, m, dir, h, cs);
	} else if (st == XDPI_STEER_SNIP) {
		cap.reason = XDPI_CAP_SNIP;
		cap.cap_len = cfg_snaplen;
	} else if ((int)v->head_left[dir & 1] > 0 &&
		   (int)__sync_fetch_and_add(&v->head_left[dir & 1], -1) > 0) {
		cap.reason = XDPI_CAP_HEAD;
		cap.cap_len = cfg_snaplen;
	}
	if (cap.skip && m->payload_off + cap.skip > frame_len) {
		cap.reason = 0; /* the head lies past the frame's captured end (replay) */
		cap.cap_len = 0;
		cap.skip = 0;
	} else if (cap.skip) {
		/* the headers, then the frame from the head on (none: the end marker) */
		__u32 rest = frame_len - m->payload_off - cap.skip;

		if (cap.cap_len > m->payload_off + rest)
			cap.cap_len = m->payload_off + rest;
	} else if (cap.cap_len > frame_len) {
		cap.cap_len = frame_len;
	}
	return cap;
}

/* A record that asks to wake the consumer (a message head, an unhinted stream) does so only
 * if no such wake-up came in the last cfg_wake_gap_ns (its stamp, NOW, on the precise clock):
 * the consumer, woken, drains everything there, so one wake-up serves a burst. */
static __always_inline __u8 wake_due(__u64 now)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&wake_last, &zero);

	if (!last || now - *last < cfg_wake_gap_ns)
		return 0;
	*last = now;
	return 1;
}

static __always_inline void emit_submit(struct xdpi_event_hdr *h, __u32 cap_len, __u8 wake)
{
	__u64 avail, flags;

	h->cap_len = cap_len;
	h->len = sizeof(*h) + cap_len;
	avail = bpf_ringbuf_query(&events_rb, BPF_RB_AVAIL_DATA);
	flags = avail >= cfg_wakeup_bytes || (wake && wake_due(h->ts_ns)) ? BPF_RB_FORCE_WAKEUP
									 : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(h, flags);
}

/* Reserves a record of a fixed size class (the verifier wants constant reservations) and
 * copies the frame's first bytes into it. 0 when submitted; losses are counted here. */
static __always_inline int emit_class(xdpi_ctx_t *ctx, const struct xdpi_event_hdr *tmpl,
				      __u32 cap_len, const __u32 klass, __u8 wake,
				      struct xdpi_counters *cs)
{
	struct xdpi_event_hdr *h;
	__u64 n;

	if (cap_len > klass)
		cap_len = klass;
	if (cap_len == 0)
		return -1;
	h = bpf_ringbuf_reserve(&events_rb, sizeof(*h) + klass, 0);
	if (!h) {
		cnt_add(cs, XDPI_CNT_LOSS_RINGBUF_FULL, 1);
		return -1;
	}
	*h = *tmpl;
	n = cap_len;
	/* an opaque mask: clang may hand over a 64-bit register whose upper half the verifier
	 * cannot bound; this keeps the value (<= the class) and gives it bounds in 64 bits */
	if (klass > 4095)
		asm volatile("%[n] &= 0xffff" : [n] "+r"(n));
	else
		asm volatile("%[n] &= 0xfff" : [n] "+r"(n));
	if (!n || ctx_load_bytes(ctx, 0, h + 1, n)) {
		cnt_add(cs, XDPI_CNT_LOSS_LOAD_BYTES, 1);
		bpf_ringbuf_discard(h, BPF_RB_NO_WAKEUP);
		return -1;
	}
	emit_submit(h, cap_len, wake);
	return 0;
}

/* A stretch of the payload: the headers (HDR bytes), then N payload bytes from SKIP on,
 * spliced into one record of class KLASS (XDPI_SHORT_CLASS or XDPI_MID_CLASS, a constant at
 * each call site); counted as captured. */
static __always_inline int emit_spliced(xdpi_ctx_t *ctx, const struct xdpi_event_hdr *tmpl,
					__u32 hdr, __u32 skip, __u32 n, const __u32 klass,
					__u8 wake, struct xdpi_counters *cs)
{
	struct xdpi_event_hdr *h;
	__u64 n1 = hdr, n2 = n;

	if (hdr > XDPI_MID_HDR_MAX || !n || n > klass - 256)
		return -1;
	h = bpf_ringbuf_reserve(&events_rb, sizeof(*h) + klass, 0);
	if (!h) {
		cnt_add(cs, XDPI_CNT_LOSS_RINGBUF_FULL, 1);
		return -1;
	}
	*h = *tmpl;
	h->payload_skip = skip;
	asm volatile("%[n] &= 0xff" : [n] "+r"(n1));
	if (klass > XDPI_SHORT_CLASS)
		asm volatile("%[n] &= 0x7fff" : [n] "+r"(n2));
	else
		asm volatile("%[n] &= 0x1ff" : [n] "+r"(n2));
	if (!n1 || !n2 || ctx_load_bytes(ctx, 0, h + 1, n1) ||
	    ctx_load_bytes(ctx, n1 + skip, (__u8 *)(h + 1) + n1, n2)) {
		cnt_add(cs, XDPI_CNT_LOSS_LOAD_BYTES, 1);
		bpf_ringbuf_discard(h, BPF_RB_NO_WAKEUP);
		return -1;
	}
	emit_submit(h, n1 + n2, wake);
	cnt_add(cs, XDPI_CNT_CAPTURED, 1);
	cnt_add(cs, XDPI_CNT_CAPTURED_BYTES, n1 + n2);
	return 0;
}

static __always_inline void steer_emit(xdpi_ctx_t *ctx, struct xdpi_capture cap, __u8 steer,
				       __u8 dir, __u32 wire_len, __u64 now,
				       struct xdpi_counters *cs)
{
	struct xdpi_event_hdr tmpl = {
		.type = XDPI_EVENT_PACKET,
		.hook = XDPI_HOOK,
		.reason = cap.reason,
		.ifindex = ctx_ifindex(ctx),
		.orig_len = wire_len,
		.ts_ns = now,
		.flow_dir = dir,
		.steer = steer,
	};
	__u32 len = cap.cap_len;
	int err;

	if (len > XDPI_SNAPLEN_MAX && cap.reason == XDPI_CAP_MSG) {
		if (len > XDPI_COPY_MAX) {
			len = XDPI_COPY_MAX;
			cnt_add(cs, XDPI_CNT_CAPTURE_TRUNCATED, 1);
		}
		if (len <= XDPI_MSG_HEAD_BUDGET + 256) /* a head's budget: a smaller class */
			err = emit_class(ctx, &tmpl, len, XDPI_MSG_HEAD_BUDGET + 256, cap.wake, cs);
		else
			err = emit_class(ctx, &tmpl, len, XDPI_COPY_MAX, cap.wake, cs);
		goto out;
	}
	if (len > XDPI_SNAPLEN_MAX) {
		len = XDPI_SNAPLEN_MAX;
		cnt_add(cs, XDPI_CNT_CAPTURE_TRUNCATED, 1);
	}
	if (len <= 128)
		err = emit_class(ctx, &tmpl, len, 128, cap.wake, cs);
	else if (len <= 512)
		err = emit_class(ctx, &tmpl, len, 512, cap.wake, cs);
	else if (len <= 1024)
		err = emit_class(ctx, &tmpl, len, 1024, cap.wake, cs);
	else if (len <= 1536)
		err = emit_class(ctx, &tmpl, len, 1536, cap.wake, cs);
	else
		err = emit_class(ctx, &tmpl, len, XDPI_SNAPLEN_MAX, cap.wake, cs);
out:
	if (!err) {
		cnt_add(cs, XDPI_CNT_CAPTURED, 1);
		cnt_add(cs, XDPI_CNT_CAPTURED_BYTES, len);
	}
}

#endif /* XDPI_BPF_STEER_H */
