// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* XDP ingress: every received packet is parsed, counted into its flow and steered (host mode,
 * xdp_ingress), or redirected whole to AF_XDP (tap mode, xdp_tap). The loader loads one. */
#define XDPI_BUILD_XDP
#include "lib/pipeline.h"

SEC("xdp.frags")
int xdp_ingress(struct xdp_md *ctx)
{
	return xdpi_process(ctx, 0);
}

/* Tap mode, for a mirror port: packets of flows in the FULL state go whole to the AF_XDP
 * socket of their receive queue (the `xsks` map); every other packet is counted and dropped,
 * the port carrying only a copy of the traffic. */
SEC("xdp")
int xdp_tap(struct xdp_md *ctx)
{
	int verdict = xdpi_process(ctx, 1);

	if (verdict == XDP_PASS) { /* not redirected: a copy nobody needs (counted) */
		struct xdpi_counters *cs = counters_get();

		cnt_add(cs, XDPI_CNT_TAP_NOT_STEERED, 1);
		cnt_add(cs, XDPI_CNT_VERDICT_PASS, (__u64)-1); /* finish() counted a pass */
		cnt_add(cs, XDPI_CNT_VERDICT_DROP, 1);
		return XDP_DROP;
	}
	return verdict;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
