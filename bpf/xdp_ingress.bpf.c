// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* XDP ingress: every received packet is parsed, counted into its flow and steered. */
#define XDPI_BUILD_XDP
#include "lib/pipeline.h"

SEC("xdp.frags")
int xdp_ingress(struct xdp_md *ctx)
{
	return xdpi_process(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
