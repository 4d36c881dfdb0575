// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bench-only programs: a trivial XDP_PASS baseline, and the xdpi pipeline behind a prologue
 * that rewrites the source port so that one BPF_PROG_TEST_RUN call with a large repeat walks
 * over many flows (the packet buffer persists across repetitions). rotate_only measures the
 * prologue alone, to subtract it. The floor of a flow-keeping program (flow_floor) puts
 * xdpi's cost beside what keeping flows costs at all. A live-frame generator and a drop-everything ceiling serve
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

/* The balancer's cost: the pipeline over rotating connections, then the frame put back as the
 * client sent it (one adjust_head and the ethertype), since a test run's repetitions share one
 * buffer and each must see the client's packet, not the last one's encapsulation. */
SEC("xdp")
int rotate_lb(struct xdp_md *ctx)
{
	void *data, *end;
	__u8 *eth;
	int r;

	rotate_port(ctx);
	r = xdpi_process(ctx, 0);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 34) > end || eth[12] != 0x08 || eth[13] != 0x00 || eth[14] != 0x45 ||
	    eth[23] != IPPROTO_IPIP || bpf_xdp_adjust_head(ctx, 20))
		return r;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 14) > end)
		return r;
	eth[12] = 0x08;
	eth[13] = 0x00;
	return r;
}

/* The floor of any flow-keeping program: the least a packet's flow costs in xdpi's own map
 * (its 48-byte canonical key, its value, exact counts), with nothing else of the pipeline.
 * Untagged IPv4 TCP or UDP only; the rest passes untouched. What xdpi's pass path costs
 * above this is its parse of every other case, policy, limits, steering and counters. */
static __always_inline int flow_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct xdpi_meta m = {};
	struct xdpi_flow_key k = {};
	struct xdpi_flow_value *v, nv = {};
	struct iphdr *ip = data + 14;
	__be16 *ports = data + 34;
	__u8 dir;

	if ((void *)(ports + 2) > end || ((__u8 *)data)[12] != 0x08 || ((__u8 *)data)[13] ||
	    ip->ihl != 5 || (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
		return XDP_PASS;
	m.family = 4;
	m.proto = ip->protocol;
	m.saddr[0] = ip->saddr;
	m.daddr[0] = ip->daddr;
	m.sport = ports[0];
	m.dport = ports[1];
	dir = flow_key_make(&m, &k) & 1;
	v = bpf_map_lookup_elem(&flows, &k);
	if (!v) {
		bpf_map_update_elem(&flows, &k, &nv, BPF_NOEXIST);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&v->pkts[dir], 1);
	__sync_fetch_and_add(&v->bytes[dir], (__u64)(end - data));
	return XDP_PASS;
}

SEC("xdp")
int flow_floor_one(struct xdp_md *ctx)
{
	return flow_floor(ctx);
}

SEC("xdp")
int rotate_floor(struct xdp_md *ctx)
{
	rotate_port(ctx);
	return flow_floor(ctx);
}

/* The generator: run with BPF_F_TEST_XDP_LIVE_FRAMES, each repetition transmits the frame
 * out of the run's interface (the receiver's XDP program sees it on the veth peer). */
/* The generator's frame, written again before each send when cfg_gen_restore: a receiver that
 * rewrites a live frame in place (the balancer's encapsulation) hands back a page whose bytes
 * the page pool does not reset, and the next send would carry those. */
const volatile __u8 cfg_gen_restore = 0;
__u8 gen_frame[64];

static __always_inline void restore_frame(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (data + 54 > end)
		return;
	__builtin_memcpy(data, gen_frame, 54); /* Ethernet, IPv4, TCP: the SYN as built */
}

SEC("xdp")
int xdp_tx_gen(struct xdp_md *ctx)
{
	if (cfg_gen_restore)
		restore_frame(ctx);
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
