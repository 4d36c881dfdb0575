/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* XDP/TC context shim: one pipeline, three hooks. The entry file defines XDPI_BUILD_XDP or
 * XDPI_BUILD_TC (with XDPI_TC_INGRESS for the TC ingress program) before including this, so
 * each program gets only its own helpers (the verifier checks ctx types). XDPI_HOOK becomes
 * the matching enum xdpi_hook value; XDPI_INGRESS says the packet is arriving. */
#ifndef XDPI_BPF_CTX_H
#define XDPI_BPF_CTX_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "shared/xdpi_abi.h"

#if defined(XDPI_BUILD_XDP)
#define XDPI_HOOK XDPI_HOOK_XDP
typedef struct xdp_md xdpi_ctx_t;
#define XDPI_ACT_PASS XDP_PASS
#define XDPI_ACT_DROP XDP_DROP

static __always_inline void *ctx_data(xdpi_ctx_t *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *ctx_data_end(xdpi_ctx_t *ctx)
{
	return (void *)(long)ctx->data_end;
}

static __always_inline __u32 ctx_wire_len(xdpi_ctx_t *ctx)
{
	return (__u32)bpf_xdp_get_buff_len(ctx); /* includes multi-buffer fragments */
}

static __always_inline long ctx_load_bytes(xdpi_ctx_t *ctx, __u32 off, void *to, __u32 len)
{
	return bpf_xdp_load_bytes(ctx, off, to, len);
}

static __always_inline __u32 ctx_ifindex(xdpi_ctx_t *ctx)
{
	return ctx->ingress_ifindex;
}

/* XDP sees the frame as the driver built it: nothing to linearise. */
static __always_inline int ctx_prepare(xdpi_ctx_t *ctx)
{
	(void)ctx;
	return 0;
}

#elif defined(XDPI_BUILD_TC)
#ifdef XDPI_TC_INGRESS
#define XDPI_HOOK XDPI_HOOK_TC_INGRESS
#else
#define XDPI_HOOK XDPI_HOOK_TC_EGRESS
#endif
typedef struct __sk_buff xdpi_ctx_t;
/* An observer lets the rest of the chain decide: TC_ACT_UNSPEC (TCX_NEXT for tcx), so that
 * other tcx programs and clsact filters (shaping, mirroring) still run after xdpi's. */
#define XDPI_ACT_PASS (-1)
#define XDPI_ACT_DROP 2 /* TC_ACT_SHOT */
#define XDPI_TC_PULL_LEN 256

static __always_inline void *ctx_data(xdpi_ctx_t *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *ctx_data_end(xdpi_ctx_t *ctx)
{
	return (void *)(long)ctx->data_end;
}

static __always_inline __u32 ctx_wire_len(xdpi_ctx_t *ctx)
{
	return ctx->len;
}

static __always_inline long ctx_load_bytes(xdpi_ctx_t *ctx, __u32 off, void *to, __u32 len)
{
	return bpf_skb_load_bytes(ctx, off, to, len);
}

static __always_inline __u32 ctx_ifindex(xdpi_ctx_t *ctx)
{
	return ctx->ifindex;
}

/* Headers of an skb may sit in paged data (an outgoing one's, a GRO super-packet's); pull enough of them into the linear area
 * for direct access. Failure is not fatal: the parser then sees a short packet and says so. */
static __always_inline int ctx_prepare(xdpi_ctx_t *ctx)
{
	__u32 linear = ctx->data_end - ctx->data;
	__u32 want = ctx->len < XDPI_TC_PULL_LEN ? ctx->len : XDPI_TC_PULL_LEN;

	if (linear >= want)
		return 0;
	return bpf_skb_pull_data(ctx, want) ? -1 : 0;
}
#else
#error "define XDPI_BUILD_XDP or XDPI_BUILD_TC before including lib/ctx.h"
#endif

/* The packet arrives (XDP, TC ingress): the policy looks at its source, the port rules at
 * its destination port; leaving (TC egress), the other way round. */
#define XDPI_INGRESS (XDPI_HOOK != XDPI_HOOK_TC_EGRESS)

#endif /* XDPI_BPF_CTX_H */
