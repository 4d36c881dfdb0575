/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The fast path's two clocks: the packet's (coarse live, the capture's in replay) and the
 * precise one for stamps user space reads. */
#ifndef XDPI_BPF_CLOCK_H
#define XDPI_BPF_CLOCK_H

#include "lib/maps.h"
#include "lib/consts.h"

/* The packet's clock; in replay also the length to count (*wire_len) and the length the
 * parser may assume for the frame (*frame_len grows by what the capture's snap length cut).
 * Live it is the coarse clock (the last tick's time, as conntrack's jiffies): reading
 * kvm-clock took about a quarter of the pass path (issue 18's profile), and flow ages, rate
 * limits (a second's burst) and expiries need no finer grain. What user space reads as a
 * moment (a record's time, a flow's or a rule's first packet) takes clock_precise(). */
static __always_inline __u64 now_ns(__u32 *wire_len, __u32 *frame_len)
{
	if (cfg_replay_clock) {
		__u32 zero = 0;
		struct xdpi_replay_ctx *rc = bpf_map_lookup_elem(&replay_clock, &zero);

		if (!rc)
			return 0;
		if (rc->wire_len)
			*wire_len = rc->wire_len;
		if (rc->snap_cut < 65536)
			*frame_len += rc->snap_cut;
		return rc->ts_ns;
	}
	return bpf_ktime_get_coarse_ns();
}

/* The precise moment for a stamp user space reads: NOW itself in replay (the capture's
 * time), else the clock read again. It runs at or after the tick NOW came from. */
static __always_inline __u64 clock_precise(__u64 now)
{
	return cfg_replay_clock ? now : bpf_ktime_get_ns();
}

#endif /* XDPI_BPF_CLOCK_H */
