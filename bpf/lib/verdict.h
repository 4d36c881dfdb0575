/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Counters and the single exit path: every packet leaves through finish(), which counts its
 * verdict (and its malformed reason, if any). */
#ifndef XDPI_BPF_VERDICT_H
#define XDPI_BPF_VERDICT_H

#include "lib/maps.h"

static __always_inline struct xdpi_counters *counters_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline void cnt_add(struct xdpi_counters *cs, __u32 id, __u64 n)
{
	if (cs && id < XDPI_CNT_MAX)
		cs->c[id] += n;
}

static __always_inline void cnt_reason(struct xdpi_counters *cs, int reason)
{
	__u32 r = (__u32)reason;

	/* one unsigned test the compiler cannot fold into a form the verifier loses the
	 * bounds of (a reason from a global function is any scalar to it) */
	barrier_var(r);
	if (r - 1 >= XDPI_REASON_MAX - 1)
		return;
	barrier_var(r);
	if (r >= XDPI_REASON_MAX)
		return;
	cnt_add(cs, XDPI_CNT_MALFORMED, 1);
	cnt_add(cs, XDPI_CNT_REASON_BASE + r, 1);
}

static __always_inline int finish(struct xdpi_counters *cs, int action, int reason)
{
	cnt_reason(cs, reason);
	cnt_add(cs, action == XDPI_ACT_DROP ? XDPI_CNT_VERDICT_DROP : XDPI_CNT_VERDICT_PASS, 1);
	return action;
}

#endif /* XDPI_BPF_VERDICT_H */
