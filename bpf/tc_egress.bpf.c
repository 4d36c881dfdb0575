// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TC egress (tcx or clsact): the same pipeline for packets the host sends. */
#define XDPI_BUILD_TC
#include "lib/pipeline.h"

SEC("tc")
int tc_egress(struct __sk_buff *ctx)
{
	return xdpi_process(ctx, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
