/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The per-packet pipeline shared by every hook: parse, apply policy and rate limits, account
 * the flow, steer, finish. Each stage is a global function (a BPF-to-BPF call the verifier
 * checks once, on its own, against its argument types), so the program's verification cost is
 * the sum of its stages rather than the product of their paths: room for the stages to grow.
 * The entry function keeps what must stay in the program itself (the clock, pulling TC
 * headers, the AF_XDP redirect) and the single exit. */
#ifndef XDPI_BPF_PIPELINE_H
#define XDPI_BPF_PIPELINE_H

#include "lib/ctx.h"
#include "lib/parse.h"
#include "lib/flow.h"
#include "lib/policy.h"
#include "lib/limits.h"
#include "lib/drop.h"
#include "lib/steer.h"
#include "lib/verdict.h"

/* What the flow stage tells the entry about the packet's flow. */
struct xdpi_flow_out {
	__u32 cap_len;
	__u32 skip;      /* payload bytes left out before the copied ones (a message head) */
	__u16 hdr;       /* the frame's L2..L4 header bytes, copied before those */
	__u8 cap_reason; /* enum xdpi_cap_reason; 0: not copied */
	__u8 dir;
	__u8 steer;      /* the flow's steering state */
	__u8 wake;       /* see struct xdpi_capture */
	__u8 pad[2];
};

static __always_inline void count_layers(struct xdpi_counters *cs, const struct xdpi_meta *m)
{
	if (m->nvlan)
		cnt_add(cs, m->nvlan > 1 ? XDPI_CNT_QINQ : XDPI_CNT_VLAN, 1);
	if (m->family == 0) {
		cnt_add(cs, XDPI_CNT_NON_IP, 1);
		return;
	}
	cnt_add(cs, m->family == 4 ? XDPI_CNT_IPV4 : XDPI_CNT_IPV6, 1);
	switch (m->proto) {
	case IPPROTO_TCP:
		cnt_add(cs, XDPI_CNT_TCP, 1);
		break;
	case IPPROTO_UDP:
		cnt_add(cs, XDPI_CNT_UDP, 1);
		break;
	case IPPROTO_ICMP:
		cnt_add(cs, XDPI_CNT_ICMP, 1);
		break;
	case IPPROTO_ICMPV6:
		cnt_add(cs, XDPI_CNT_ICMPV6, 1);
		break;
	default:
		cnt_add(cs, XDPI_CNT_OTHER_L4, 1);
	}
}

/* Stage 1: L2..L4 into M, layers counted. 0: an IP packet to go on with; otherwise the packet
 * just passes (not IP, or malformed: its reason counted here). */
__noinline int xdpi_stage_parse(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 parse_len)
{
	struct xdpi_counters *cs = counters_get();
	int err;

	if (!m) /* pointer arguments of a global function may be NULL, as far as it knows */
		return 1;
	err = parse_packet(ctx_data(ctx), ctx_data_end(ctx), parse_len, m);
	if (err < 0) {
		cnt_reason(cs, -err);
		return 1;
	}
	count_layers(cs, m);
	if ((m->proto == IPPROTO_TCP || m->proto == IPPROTO_UDP) && m->frag != XDPI_FRAG_LATER &&
	    parse_len > m->payload_len)
		m->payload_off = (__u16)(parse_len - m->payload_len);
	return m->family == 0;
}

/* Stage 2: the address policy (with its verdict cache) and the port rules. The drop reason
 * (enum xdpi_drop_reason) with *RULE set, 0 to go on, -1 for an allowed address (exempt from
 * rate limits). */
__noinline int xdpi_stage_policy(struct xdpi_meta *m, __u64 now, __u32 wire_len, __u32 *rule)
{
	struct xdpi_counters *cs = counters_get();
	int action;

	if (!m || !rule)
		return 0;
	action = policy_decide(m, now, wire_len, rule, cs);
	if (action == XDPI_POLICY_DROP)
		return XDPI_DROP_POLICY;
	if (action == XDPI_POLICY_ALLOW)
		return -1;
	action = port_decide(m, now, wire_len, rule, cs);
	if (action == XDPI_POLICY_DROP)
		return XDPI_DROP_PORT_RULE;
	return action == XDPI_POLICY_ALLOW ? -1 : 0;
}

/* Stage 3: rate limits and the SYN flood defence: the drop reason with *RULE set, or 0. */
__noinline int xdpi_stage_limits(struct xdpi_meta *m, __u64 now, __u32 wire_len, __u32 *rule)
{
	return m && rule ? limits_decide(m, now, wire_len, rule, counters_get()) : 0;
}

/* The one way a packet is dropped: counted, sampled to user space; returns the drop verdict.
 * (Five arguments at most: the frame's length is the context's.) */
__noinline int xdpi_stage_drop(xdpi_ctx_t *ctx, int reason, __u32 rule, __u32 wire_len, __u64 now)
{
	return drop_packet(ctx, reason, rule, ctx_wire_len(ctx), wire_len, now, counters_get());
}

/* Stage 4: the packet's flow (later IP fragments through their first), found or created,
 * counted, and what of the packet user space gets. 0, or 1 when it has no flow (it passes). */
__noinline int xdpi_stage_flow(struct xdpi_meta *m, __u64 now, __u32 wire_len, __u32 frame_len,
			       struct xdpi_flow_out *out)
{
	struct xdpi_counters *cs = counters_get();
	struct xdpi_flow_value *v;
	struct xdpi_flow_key k = {};
	struct xdpi_capture cap;

	if (!m || !out || frag_attribute(m, cs))
		return 1;
	out->dir = flow_key_make(m, &k);
	v = flow_lookup_or_create(&k, m, out->dir, now, cs);
	if (!v)
		return 1;
	flow_account(v, m, out->dir, wire_len, now);
	if (v->steer == XDPI_STEER_MSG && (m->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		bpf_map_delete_elem(&msg_hints, &k); /* a new connection: no old hints */
	cap = steer_decide(v, m, out->dir, frame_len,
			   v->steer == XDPI_STEER_MSG && m->payload_len ?
			   bpf_map_lookup_elem(&msg_hints, &k) : NULL, cs);
	out->steer = v->steer;
	out->cap_len = cap.cap_len;
	out->cap_reason = cap.reason;
	out->skip = cap.skip;
	out->wake = cap.wake;
	out->hdr = m->payload_off;
	return 0;
}

/* Stage 5: the copy to user space through the ring buffer (losses counted there). */
__noinline int xdpi_stage_emit(xdpi_ctx_t *ctx, struct xdpi_flow_out *out, __u32 wire_len,
			       __u64 now)
{
	struct xdpi_capture cap;

	if (!out)
		return 0;
	cap.cap_len = out->cap_len;
	cap.reason = out->cap_reason;
	cap.skip = 0;
	cap.wake = out->wake;
	steer_emit(ctx, cap, out->steer, out->dir, wire_len, now, counters_get());
	return 0;
}

/* Stage 5, a message head inside the packet: the headers spliced to the bytes from the head
 * on (a stage of its own: two variable-offset copies). */
__noinline int xdpi_stage_emit_mid(xdpi_ctx_t *ctx, struct xdpi_flow_out *out, __u32 wire_len,
				   __u64 now)
{
	struct xdpi_counters *cs = counters_get();
	struct xdpi_event_hdr tmpl = {
		.type = XDPI_EVENT_PACKET,
		.hook = XDPI_HOOK,
		.reason = XDPI_CAP_MSG,
		.orig_len = wire_len,
		.ts_ns = now,
	};

	if (!out)
		return 0;
	tmpl.ifindex = ctx_ifindex(ctx);
	tmpl.flow_dir = out->dir;
	tmpl.steer = out->steer;
	tmpl.payload_skip = out->skip;
	if (out->cap_len <= out->hdr) { /* the end of skipped bytes: headers only */
		if (!emit_class(ctx, &tmpl, out->hdr, 512, 1, cs)) {
			cnt_add(cs, XDPI_CNT_CAPTURED, 1);
			cnt_add(cs, XDPI_CNT_CAPTURED_BYTES, out->hdr);
		}
		return 0;
	}
	/* the rest of the packet from the head on, in records of at most XDPI_MID_MAX bytes
	 * after the headers (two hold a GSO skb's 64 KB) */
	__u32 left = out->cap_len - out->hdr, skip = out->skip;

	for (int i = 0; i < 2 && left; i++) {
		__u32 n = left < XDPI_MID_MAX ? left : XDPI_MID_MAX;

		tmpl.payload_skip = skip;
		if (emit_spliced(ctx, &tmpl, out->hdr + n, out->hdr, skip, cs))
			return 0;
		cnt_add(cs, XDPI_CNT_CAPTURED, 1);
		cnt_add(cs, XDPI_CNT_CAPTURED_BYTES, out->hdr + n);
		skip += n;
		left -= n;
	}
	return 0;
}

#ifdef XDPI_BUILD_TC
/* A GSO/TSO skb leaves as gso_segs packets, each with its own copy of the headers: counted as
 * what the wire carries, so flow records match a capture of the link. */
static __always_inline void gso_wire(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 *wire_len,
				     struct xdpi_counters *cs)
{
	__u32 segs = ctx->gso_segs, size = ctx->gso_size;

	if (segs <= 1 && size && m->payload_len > size)
		segs = (m->payload_len + size - 1) / size; /* not filled in by every path */
	if (segs <= 1 || segs > 65535 || m->frag != XDPI_FRAG_NONE)
		return;
	m->segs = (__u16)segs;
	*wire_len += (segs - 1) * m->payload_off;
	cnt_add(cs, XDPI_CNT_GSO_SKBS, 1);
	cnt_add(cs, XDPI_CNT_GSO_EXTRA_SEGS, segs - 1);
}
#endif

#ifdef XDPI_BUILD_XDP
/* Tap mode (xdp_tap): the whole packet to the AF_XDP socket of its queue; without one,
 * dropped (and counted: the queue is not served). */
static __always_inline int tap_redirect(xdpi_ctx_t *ctx, struct xdpi_counters *cs)
{
	if (bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_DROP) == XDP_REDIRECT) {
		cnt_add(cs, XDPI_CNT_TAP_REDIRECTED, 1);
		return XDP_REDIRECT;
	}
	cnt_add(cs, XDPI_CNT_TAP_NO_SOCKET, 1);
	return finish(cs, XDPI_ACT_DROP, 0);
}
#endif

/* TAP (a constant at each call site): the tap program, which hands FULL flows to AF_XDP
 * and has no ring-buffer steering. */
static __always_inline int xdpi_process(xdpi_ctx_t *ctx, const int tap)
{
	struct xdpi_counters *cs = counters_get();
	struct xdpi_meta m = {};
	struct xdpi_flow_out fo = {};
	__u32 frame_len = ctx_wire_len(ctx), wire_len = frame_len, parse_len = frame_len;
	__u32 rule = 0;
	__u64 now;
	int r;

	(void)tap; /* used by the XDP build only */
	now = now_ns(&wire_len, &parse_len);
	cnt_add(cs, XDPI_CNT_PKTS, 1);
	cnt_add(cs, XDPI_CNT_BYTES, wire_len);
	if (ctx_prepare(ctx))
		cnt_add(cs, XDPI_CNT_TC_PULL_FAIL, 1);
	if (xdpi_stage_parse(ctx, &m, parse_len))
		return finish(cs, XDPI_ACT_PASS, 0);
#ifdef XDPI_BUILD_TC
	gso_wire(ctx, &m, &wire_len, cs);
#endif
	r = xdpi_stage_policy(&m, now, wire_len, &rule);
	if (r == 0) /* an allowed address (-1) is exempt from rate limits */
		r = xdpi_stage_limits(&m, now, wire_len, &rule);
	if (r > 0)
		return xdpi_stage_drop(ctx, r, rule, wire_len, now);
	if (xdpi_stage_flow(&m, now, wire_len, frame_len, &fo))
		return finish(cs, XDPI_ACT_PASS, 0);
#ifdef XDPI_BUILD_XDP
	if (tap)
		return fo.steer == XDPI_STEER_FULL ? tap_redirect(ctx, cs)
						   : finish(cs, XDPI_ACT_PASS, 0);
#endif
	if (fo.cap_reason && fo.skip)
		xdpi_stage_emit_mid(ctx, &fo, wire_len, now);
	else if (fo.cap_reason)
		xdpi_stage_emit(ctx, &fo, wire_len, now);
	return finish(cs, XDPI_ACT_PASS, 0);
}

#endif /* XDPI_BPF_PIPELINE_H */
