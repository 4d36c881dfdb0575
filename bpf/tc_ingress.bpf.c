// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TC ingress (tcx): the ingress pipeline at TC instead of XDP (`--xdp-mode tc`). On veth and
 * other links whose packets arrive as skbs the stack built (containers' links), native XDP
 * first copies each skb into a page of its own; here the skb is read where it is. */
#define XDPI_BUILD_TC
#define XDPI_TC_INGRESS
#include "lib/pipeline.h"

SEC("tc")
int tc_ingress(struct __sk_buff *ctx)
{
	return xdpi_process(ctx, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
