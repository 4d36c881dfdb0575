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

#define XDPI_ENOENT 2
#define XDPI_ESTALE 116

/* User space's steering change for one flow (a bypass): made here, in one step on the entry,
 * so that nothing the kernel counts meanwhile is written over, and only on the connection the
 * decision was about (an entry renewed since for a new one is left alone). */
SEC("syscall")
int flow_steer(struct xdpi_flow_steer_args *a)
{
	struct xdpi_flow_value *v;
	struct xdpi_flow_key k;

	__builtin_memcpy(&k, &a->key, sizeof(k));
	v = bpf_map_lookup_elem(&flows, &k);
	if (!v) {
		a->ret = -XDPI_ENOENT;
		return 0;
	}
	if (a->not_after_ns && v->first_ns > a->not_after_ns) {
		a->ret = -XDPI_ESTALE;
		return 0;
	}
	__builtin_memcpy(&a->before, v, sizeof(*v));
	v->steer = a->steer;
	a->ret = 0;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
