// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bench-only programs: a trivial XDP_PASS baseline, and the xdpi pipeline behind a prologue
 * that rewrites the source port so that one BPF_PROG_TEST_RUN call with a large repeat walks
 * over many flows (the packet buffer persists across repetitions). rotate_only measures the
 * prologue alone, to subtract it. A live-frame generator and a drop-everything ceiling serve
 * bench/enforce.sh. */
#define XDPI_BUILD_XDP
#include "lib/pipeline.h" /* the shipped pipeline, verdict cache and all */

const volatile __u32 cfg_nflows = 1;
__u32 rot_counter;

static __always_inline void rotate_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__be16 *sport = data + 14 + 20; /* untagged IPv4 without options */

	if ((void *)(sport + 1) > end)
		return;
	*sport = bpf_htons(10000 + (rot_counter++ % cfg_nflows));
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("xdp")
int rotate_only(struct xdp_md *ctx)
{
	rotate_port(ctx);
	return XDP_PASS;
}

SEC("xdp")
int rotate_xdpi(struct xdp_md *ctx)
{
	rotate_port(ctx);
	return xdpi_process(ctx, 0);
}

/* The generator: run with BPF_F_TEST_XDP_LIVE_FRAMES, each repetition transmits the frame
 * out of the run's interface (the receiver's XDP program sees it on the veth peer). */
SEC("xdp")
int xdp_tx_gen(struct xdp_md *ctx)
{
	if (cfg_nflows > 1) /* many flows: each repetition its own source port */
		rotate_port(ctx);
	return XDP_TX;
}

/* The ceiling: the cheapest program that drops. */
SEC("xdp")
int xdp_drop_all(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
