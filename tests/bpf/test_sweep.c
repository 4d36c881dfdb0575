// SPDX-License-Identifier: GPL-2.0
/* The kernel sweep in steps, on the real flow map (a loader opened as replay opens it): a
 * pass under a budget stops after about that many flows and goes on from there at the next
 * call, each flow visited exactly once a pass; a whole pass (no sweep state) visits all;
 * flows the visitor ends are deleted from the map. Exits 77 (skip) without privileges
 * outside CI; under CI that is a failure. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "shared/xdpi_abi.h"
#include "xdpi/engine.h"
#include "xdpi/loader.h"
#include "../lib/check.h"

#define NFLOWS 40000
#define BUDGET 16384

struct tally {
	uint16_t seen[NFLOWS]; /* visits of flow i (its key's port_a) in this pass */
	uint32_t visits;
	uint32_t end_below; /* the visitor ends flows whose index is below this */
	bool odd;           /* a flow outside the ones put in was visited */
};

static void key_of(uint32_t i, struct xdpi_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = 6;
	k->addr_a[0] = htobe32(0xc6120001);
	k->addr_b[0] = htobe32(0xc6120002 + i / 60000);
	k->port_a = (uint16_t)(i % 60000);
	k->port_b = htobe16(80);
}

static bool visit(void *ctx, const struct xdpi_flow_key *k, const struct xdpi_flow_value *v)
{
	struct tally *t = ctx;
	uint32_t i = k->port_a;

	(void)v;
	t->visits++;
	if (i >= NFLOWS) {
		t->odd = true;
		return false;
	}
	t->seen[i]++;
	return i < t->end_below;
}

static void pass_reset(struct tally *t)
{
	memset(t->seen, 0, sizeof(t->seen));
	t->visits = 0;
}

static uint32_t visited_once(const struct tally *t, uint32_t from)
{
	uint32_t once = 0;

	for (uint32_t i = from; i < NFLOWS; i++)
		once += t->seen[i] == 1;
	return once;
}

static void test_steps_then_whole_pass(struct xdpi_loader *l)
{
	int fd = xdpi_loader__map_fd(l, XDPI_MAP_FLOWS);
	struct xdpi_kflow_sweep s = { .budget = BUDGET };
	struct tally *t = calloc(1, sizeof(*t));
	struct xdpi_flow_value v = { .pkts = { 1, 0 } };
	struct xdpi_flow_key k;
	int r, steps = 0, stopped = 0;
	uint32_t in_map = 0;

	for (uint32_t i = 0; i < NFLOWS; i++) {
		key_of(i, &k);
		in_map += !bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST);
	}
	CHECK(in_map == NFLOWS, "%u of %u flows put in the map", in_map, NFLOWS);

	/* in steps: each one visits at least the budget (whole batches), the last one the rest */
	do {
		uint32_t before = t->visits;

		r = xdpi_loader_kernel_ops.sweep_flows(l, visit, NULL, t, &s);
		steps++;
		if (r == 0) {
			stopped++;
			CHECK(t->visits - before >= BUDGET, "a step stopped after %u flows, before its budget",
			      t->visits - before);
			CHECK(s.midway, "a stopped step leaves the pass midway");
		}
	} while (r == 0 && steps < 100);
	CHECK(r == 1, "the pass reached the map's end (%d)", r);
	CHECK(!s.midway, "a pass at its end is not midway");
	CHECK(stopped >= 1 && stopped <= NFLOWS / BUDGET, "%d steps stopped on the budget", stopped);
	CHECK(visited_once(t, 0) == NFLOWS, "%u of %u flows visited exactly once", visited_once(t, 0),
	      NFLOWS);
	CHECK(!t->odd, "nothing else visited");

	/* the next pass starts over; the visitor ends the first 1000 flows */
	pass_reset(t);
	t->end_below = 1000;
	do
		r = xdpi_loader_kernel_ops.sweep_flows(l, visit, NULL, t, &s);
	while (r == 0);
	CHECK(r == 1 && visited_once(t, 0) == NFLOWS, "a second pass visits all %u once (%u)",
	      NFLOWS, visited_once(t, 0));

	/* a whole pass without sweep state: the ended flows are gone from the map */
	pass_reset(t);
	t->end_below = 0;
	r = xdpi_loader_kernel_ops.sweep_flows(l, visit, NULL, t, NULL);
	CHECK(r == 1, "a whole pass ends at the map's end (%d)", r);
	CHECK(t->visits == NFLOWS - 1000 && visited_once(t, 1000) == NFLOWS - 1000,
	      "it visits the %u flows left, each once (%u visits)", NFLOWS - 1000, t->visits);
	key_of(5, &k);
	CHECK(bpf_map_lookup_elem(fd, &k, &v) && errno == ENOENT, "an ended flow is deleted");
	free(t);
}

int main(void)
{
	struct xdpi_loader_cfg cfg = { .replay_clock = true, .max_flows = 65536,
				       .ringbuf_bytes = 1u << 20 };
	struct xdpi_loader *l;
	char err[256];

	if (geteuid() != 0) {
		fprintf(stderr, "test_sweep: needs root (BPF maps)\n");
		return getenv("CI") && !strcmp(getenv("CI"), "true") ? 1 : 77;
	}
	libbpf_set_print(NULL);
	l = xdpi_loader__open(&cfg, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "test_sweep: loading failed: %s\n", err);
		return 1;
	}
	test_steps_then_whole_pass(l);
	xdpi_loader__free(l);
	printf("test_sweep: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
