/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The per-packet pipeline shared by every hook: parse, apply policy and rate limits, account
 * the flow, steer, finish. */
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
 * and has no ring-buffer steering (a separate program keeps the host-mode one's verifier
 * budget intact). */
static __always_inline int xdpi_process(xdpi_ctx_t *ctx, const int tap)
{
	struct xdpi_counters *cs = counters_get();
	struct xdpi_flow_value *v;
	struct xdpi_flow_key k = {};
	struct xdpi_meta m = {};
	struct xdpi_capture cap;
	__u32 frame_len = ctx_wire_len(ctx), wire_len = frame_len, parse_len = frame_len;
	__u32 rule = 0;
	__u64 now;
	int err, action;
	__u8 dir;

	(void)tap; /* used by the XDP build only */
	now = now_ns(&wire_len, &parse_len);
	cnt_add(cs, XDPI_CNT_PKTS, 1);
	cnt_add(cs, XDPI_CNT_BYTES, wire_len);
	if (ctx_prepare(ctx))
		cnt_add(cs, XDPI_CNT_TC_PULL_FAIL, 1);
	err = parse_packet(ctx_data(ctx), ctx_data_end(ctx), parse_len, &m);
	if (err < 0)
		return finish(cs, XDPI_ACT_PASS, -err);
	count_layers(cs, &m);
	if (m.family == 0)
		return finish(cs, XDPI_ACT_PASS, 0);
	action = policy_decide(&m, now, wire_len, &rule, cs);
	if (action == XDPI_POLICY_DROP)
		return drop_packet(ctx, XDPI_DROP_POLICY, rule, frame_len, wire_len, now, cs);
	if (!action) {
		action = port_decide(&m, now, wire_len, &rule, cs);
		if (action == XDPI_POLICY_DROP)
			return drop_packet(ctx, XDPI_DROP_PORT_RULE, rule, frame_len, wire_len,
					   now, cs);
	}
	if (action != XDPI_POLICY_ALLOW) { /* the allow list is exempt from rate limits */
		err = limits_decide(&m, now, wire_len, &rule, cs);
		if (err)
			return drop_packet(ctx, err, rule, frame_len, wire_len, now, cs);
	}
	if (frag_attribute(&m, cs))
		return finish(cs, XDPI_ACT_PASS, 0);

	dir = flow_key_make(&m, &k);
	v = flow_lookup_or_create(&k, &m, dir, now, cs);
	if (!v)
		return finish(cs, XDPI_ACT_PASS, 0);
	flow_account(v, &m, dir, wire_len, now);
#ifdef XDPI_BUILD_XDP
	if (tap)
		return v->steer == XDPI_STEER_FULL ? tap_redirect(ctx, cs)
						   : finish(cs, XDPI_ACT_PASS, 0);
#endif
	cap = steer_decide(v, &m, dir, frame_len);
	if (cap.reason)
		steer_emit(ctx, cap, &k, v, dir, wire_len, now, cs);
	return finish(cs, XDPI_ACT_PASS, 0);
}

#endif /* XDPI_BPF_PIPELINE_H */
