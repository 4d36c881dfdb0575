// SPDX-License-Identifier: GPL-2.0
/* The kernel sweep's cost per tick (the engine reads the kernel's flow map once a second to
 * end idle flows, cut long ones and find evicted ones): N live kernel flows, none due to end,
 * an engine over the real map (a loader opened as replay opens it). Rows: the kernel's part of
 * a whole pass (the batched copy alone), of one tick's step, and the engine's tick (a step,
 * user space's lookups, which miss (its table is empty), and the pass's end included), the
 * mean of TICKS ticks.
 * usage: sweep [N...] (default: 1000 in the default map, 100000, 1000000) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "shared/xdpi_abi.h"
#include "xdpi/engine.h"
#include "xdpi/loader.h"

#define S 1000000000ull
#define TICKS 8

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool keep(void *ctx, const struct xdpi_flow_key *k, const struct xdpi_flow_value *v)
{
	(void)k, (void)v;
	++*(uint64_t *)ctx;
	return false;
}

static int discard(void *ctx, const char *json, size_t len)
{
	(void)ctx, (void)json, (void)len;
	return 0;
}

static int fill(struct xdpi_loader *l, uint32_t n)
{
	int fd = xdpi_loader__map_fd(l, XDPI_MAP_FLOWS);
	struct xdpi_flow_value v = { .pkts = { 3, 2 }, .bytes = { 300, 200 }, .first_ns = 1 * S,
				     .last_ns = 10 * S, .steer = XDPI_STEER_HEAD };
	struct xdpi_flow_key k = { .family = 4, .proto = 6, .port_b = 0x5000 };

	for (uint32_t i = 0; i < n; i++) {
		k.addr_a[0] = 0x000012c6 | (i >> 16) << 24; /* 198.18.0.0/15, network order */
		k.addr_b[0] = 0x010012c6;
		k.port_a = (uint16_t)i;
		if (bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

/* N flows in a map of MAP entries (0: 1.25 N) */
static void row(uint32_t n, uint32_t map)
{
	struct xdpi_loader_cfg lc = { .replay_clock = true, .max_flows = map ? map : n + n / 4,
				      .ringbuf_bytes = 1u << 20 };
	struct xdpi_engine_cfg ec = { .max_flows = 1024, .emit = discard,
				      .timeouts = { .new_ns = 30 * S, .established_ns = 300 * S,
						    .closed_ns = 10 * S },
				      .kops = &xdpi_loader_kernel_ops };
	struct xdpi_kflow_sweep s = { .budget = 0 };
	struct xdpi_loader *l;
	struct xdpi_engine *e;
	double t0, whole, step, tick;
	uint64_t seen = 0, seen_step = 0;
	char err[256];

	if (!(l = xdpi_loader__open(&lc, err, sizeof(err))) || fill(l, n)) {
		printf("%-9u %9u not measured: %s\n", n, lc.max_flows, l ? strerror(errno) : err);
		xdpi_loader__free(l);
		return;
	}
	t0 = mono_ms();
	xdpi_loader_kernel_ops.sweep_flows(l, keep, NULL, &seen, NULL);
	whole = mono_ms() - t0;
	s.budget = lc.max_flows / 8 > 16384 ? lc.max_flows / 8 : 16384; /* the engine's rule */
	t0 = mono_ms();
	xdpi_loader_kernel_ops.sweep_flows(l, keep, NULL, &seen_step, &s);
	step = mono_ms() - t0;
	ec.kctx = l;
	ec.max_flows = lc.max_flows;
	e = xdpi_engine__new(&ec);
	xdpi_engine__tick(e, 11 * S); /* the user-space table's first touches, not timed */
	t0 = mono_ms();
	for (int i = 1; i <= TICKS; i++)
		xdpi_engine__tick(e, (11 + (uint64_t)i) * S);
	tick = (mono_ms() - t0) / TICKS;
	printf("%-9u %9u %8.1f %9lu %8.1f %9lu %10.1f\n", n, lc.max_flows, whole, (unsigned long)seen, step,
	       (unsigned long)seen_step, tick);
	xdpi_engine__free(e);
	xdpi_loader__free(l);
}

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	printf("# kernel sweep, ms: N live flows in a map (default 1.25 N); a whole pass's copy, one tick's\n"
	       "# step (max(16384, map/8) flows), and the engine's tick (a step with user space's\n"
	       "# part; its own flow table is empty, so each lookup misses), mean of %d ticks\n",
	       TICKS);
	printf("%-9s %9s %8s %9s %8s %9s %10s\n", "flows", "map", "whole_ms", "visited", "step_ms", "visited",
	       "tick_ms");
	if (argc < 2) {
		row(1000, 262144); /* a quiet host, the default map */
		row(100000, 0);
		row(1000000, 0);
	}
	for (int i = 1; i < argc; i++)
		row((uint32_t)strtoul(argv[i], NULL, 10), 0);
	return 0;
}
