/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one way the fast path drops a packet: the verdict is counted, and a sample of drops (at
 * most one record per limits.drop_sample_ns per CPU) goes to user space with its rule and
 * reason, so an operator can see what was dropped and why. A full ring loses the sample,
 * never the drop decision. */
#ifndef XDPI_BPF_DROP_H
#define XDPI_BPF_DROP_H

#include "lib/ctx.h"
#include "lib/limits.h"
#include "lib/steer.h"
#include "lib/verdict.h"

static __always_inline int drop_sample_admit(__u64 now)
{
	const struct xdpi_limits *l = limits_get();
	__u32 zero = 0;
	__u64 *tat = bpf_map_lookup_elem(&drop_sample_tat, &zero);

	return l && tat && l->drop_sample_ns && gcra_admit(tat, now, l->drop_sample_ns);
}

static __always_inline int drop_packet(xdpi_ctx_t *ctx, int reason, __u32 rule,
				       __u32 wire_len, __u64 now, struct xdpi_counters *cs)
{
	if (!drop_sample_admit(now)) {
		cnt_add(cs, XDPI_CNT_DROP_NOT_SAMPLED, 1);
		return finish(cs, XDPI_ACT_DROP, 0);
	}
	/* a sample only: a flood's drops read no clock, nor the frame's length (a helper call
	 * at XDP) */
	struct xdpi_event_hdr tmpl = {
		.type = XDPI_EVENT_DROP,
		.hook = XDPI_HOOK,
		.reason = (__u8)reason,
		.ifindex = ctx_ifindex(ctx),
		.orig_len = wire_len,
		.rule_id = rule,
		.ts_ns = clock_precise(now),
	};
	__u32 frame_len = ctx_wire_len(ctx);

	if (!emit_class(ctx, &tmpl, frame_len < XDPI_DROP_SAMPLE_LEN ? frame_len :
			     XDPI_DROP_SAMPLE_LEN, XDPI_DROP_SAMPLE_LEN, 0, cs))
		cnt_add(cs, XDPI_CNT_DROP_SAMPLED, 1);
	return finish(cs, XDPI_ACT_DROP, 0);
}

#endif /* XDPI_BPF_DROP_H */
