/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Steering: decide whether a packet of a flow is copied to user space, and copy it. */
#ifndef XDPI_BPF_STEER_H
#define XDPI_BPF_STEER_H

#include "lib/ctx.h"
#include "lib/flow.h"

struct xdpi_capture {
	__u32 cap_len;
	__u8 reason; /* enum xdpi_cap_reason, 0: not captured */
};

/* Which packets of a flow user space gets, by its steering state. */
static __always_inline struct xdpi_capture steer_decide(struct xdpi_flow_value *v,
							const struct xdpi_meta *m, __u8 dir,
							__u32 frame_len)
{
	struct xdpi_capture cap = {};
	__u8 st = v->steer;

	if (st != XDPI_STEER_HEAD && st != XDPI_STEER_SNIP)
		return cap;
	if (m->frag == XDPI_FRAG_LATER)
		return cap; /* no L4 header: user space gets the first fragment only */
	if (m->payload_len == 0) {
		if (m->proto == IPPROTO_TCP && (m->tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST)))
			cap.reason = XDPI_CAP_CTRL;
		cap.cap_len = XDPI_CTRL_SNAPLEN;
	} else if (st == XDPI_STEER_SNIP) {
		cap.reason = XDPI_CAP_SNIP;
		cap.cap_len = cfg_snaplen;
	} else if ((int)v->head_left[dir & 1] > 0 &&
		   (int)__sync_fetch_and_add(&v->head_left[dir & 1], -1) > 0) {
		cap.reason = XDPI_CAP_HEAD;
		cap.cap_len = cfg_snaplen;
	}
	if (cap.cap_len > frame_len)
		cap.cap_len = frame_len;
	return cap;
}

/* Reserves a record of a fixed size class (the verifier wants constant reservations) and
 * copies the frame's first bytes into it. 0 when submitted; losses are counted here. */
static __always_inline int emit_class(xdpi_ctx_t *ctx, const struct xdpi_event_hdr *tmpl,
				      __u32 cap_len, const __u32 klass, struct xdpi_counters *cs)
{
	struct xdpi_event_hdr *h;
	__u64 avail, flags, n;

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
	 * cannot bound; this keeps the value (<= 2048) and gives it bounds in 64 bits */
	asm volatile("%[n] &= 0xfff" : [n] "+r"(n));
	if (!n || ctx_load_bytes(ctx, 0, h + 1, n)) {
		cnt_add(cs, XDPI_CNT_LOSS_LOAD_BYTES, 1);
		bpf_ringbuf_discard(h, BPF_RB_NO_WAKEUP);
		return -1;
	}
	h->cap_len = cap_len;
	h->len = sizeof(*h) + cap_len;
	avail = bpf_ringbuf_query(&events_rb, BPF_RB_AVAIL_DATA);
	flags = avail >= cfg_wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(h, flags);
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

	if (len > XDPI_SNAPLEN_MAX) {
		len = XDPI_SNAPLEN_MAX;
		cnt_add(cs, XDPI_CNT_CAPTURE_TRUNCATED, 1);
	}
	if (len <= 128)
		err = emit_class(ctx, &tmpl, len, 128, cs);
	else if (len <= 512)
		err = emit_class(ctx, &tmpl, len, 512, cs);
	else if (len <= 1024)
		err = emit_class(ctx, &tmpl, len, 1024, cs);
	else if (len <= 1536)
		err = emit_class(ctx, &tmpl, len, 1536, cs);
	else
		err = emit_class(ctx, &tmpl, len, XDPI_SNAPLEN_MAX, cs);
	if (!err) {
		cnt_add(cs, XDPI_CNT_CAPTURED, 1);
		cnt_add(cs, XDPI_CNT_CAPTURED_BYTES, len);
	}
}

#endif /* XDPI_BPF_STEER_H */
