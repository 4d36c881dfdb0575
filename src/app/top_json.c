// SPDX-License-Identifier: GPL-2.0
/* /top.json: the largest flows and the busiest addresses, read from the kernel's flow map
 * (every flow the fast path counts, steered to user space or not), for `xdpi top`. Totals
 * since each flow began; the viewer turns them into rates between two reads. */
#include <stdlib.h>
#include <string.h>
#include "app_int.h"
#include "xdpi/eve.h"
#include "xdpi/json.h"

#define TOP_N 10
#define TALKER_SLOTS 4096

struct top_flow {
	struct xdpi_flow_key k;
	struct xdpi_flow_value v;
	uint64_t bytes;
};

struct talker {
	uint8_t family;
	uint32_t addr[4];
	uint64_t bytes_out, bytes_in, flows;
};

struct top_ctx {
	struct top_flow flows[TOP_N];
	size_t nflows;
	uint64_t total_flows, talkers_untracked;
	struct talker *talkers; /* open addressing, TALKER_SLOTS */
};

static void keep_flow(struct top_ctx *t, const struct xdpi_flow_key *k,
		      const struct xdpi_flow_value *v)
{
	uint64_t bytes = v->bytes[0] + v->bytes[1];
	size_t at;

	if (t->nflows < TOP_N)
		at = t->nflows++;
	else if (bytes <= t->flows[TOP_N - 1].bytes)
		return;
	else
		at = TOP_N - 1; /* the smallest kept goes */
	while (at > 0 && t->flows[at - 1].bytes < bytes) { /* insertion, largest first */
		t->flows[at] = t->flows[at - 1];
		at--;
	}
	t->flows[at] = (struct top_flow){ .k = *k, .v = *v, .bytes = bytes };
}

static void count_talker(struct top_ctx *t, uint8_t family, const uint32_t *addr, uint64_t out,
			 uint64_t in)
{
	uint32_t h = (addr[0] ^ addr[1] * 31u ^ addr[2] * 131u ^ addr[3] * 1031u) * 2654435761u;

	for (uint32_t i = 0; i < 64; i++) { /* a short probe: a full table counts, never loops */
		struct talker *s = &t->talkers[(h + i) % TALKER_SLOTS];

		if (!s->family) {
			s->family = family;
			memcpy(s->addr, addr, sizeof(s->addr));
		} else if (s->family != family || memcmp(s->addr, addr, sizeof(s->addr))) {
			continue;
		}
		s->bytes_out += out, s->bytes_in += in, s->flows++;
		return;
	}
	t->talkers_untracked++;
}

static bool visit(void *ctx, const struct xdpi_flow_key *k, const struct xdpi_flow_value *v)
{
	struct top_ctx *t = ctx;

	t->total_flows++;
	keep_flow(t, k, v);
	count_talker(t, k->family, k->addr_a, v->bytes[0], v->bytes[1]);
	count_talker(t, k->family, k->addr_b, v->bytes[1], v->bytes[0]);
	return false; /* a read: nothing is deleted */
}

static int cmp_talker(const void *a, const void *b)
{
	const struct talker *x = a, *y = b;
	uint64_t bx = x->bytes_out + x->bytes_in, by = y->bytes_out + y->bytes_in;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

static void write_flow(struct xdpi_json *j, const struct top_flow *f)
{
	bool a_client = f->v.initiator == 0;
	const uint32_t *src = a_client ? f->k.addr_a : f->k.addr_b, *dst = a_client ? f->k.addr_b : f->k.addr_a;
	char buf[64];

	xdpi_json_obj_open(j, NULL);
	xdpi_json_str(j, "src", xdpi_addr_str(f->k.family, src, buf, sizeof(buf)));
	xdpi_json_u64(j, "sport", __builtin_bswap16(a_client ? f->k.port_a : f->k.port_b));
	xdpi_json_str(j, "dst", xdpi_addr_str(f->k.family, dst, buf, sizeof(buf)));
	xdpi_json_u64(j, "dport", __builtin_bswap16(a_client ? f->k.port_b : f->k.port_a));
	xdpi_json_str(j, "proto", xdpi_proto_name(f->k.proto, buf, sizeof(buf)));
	xdpi_json_u64(j, "pkts", f->v.pkts[0] + f->v.pkts[1]);
	xdpi_json_u64(j, "bytes", f->bytes);
	xdpi_json_u64(j, "first_ns", f->v.first_ns);
	xdpi_json_obj_close(j);
}

static void write_talkers(struct xdpi_json *j, struct top_ctx *t)
{
	size_t n = 0;
	char buf[64];

	for (size_t i = 0; i < TALKER_SLOTS; i++) /* pack the used slots, then sort */
		if (t->talkers[i].family)
			t->talkers[n++] = t->talkers[i];
	qsort(t->talkers, n, sizeof(*t->talkers), cmp_talker);
	xdpi_json_arr_open(j, "talkers");
	for (size_t i = 0; i < n && i < TOP_N; i++) {
		xdpi_json_obj_open(j, NULL);
		xdpi_json_str(j, "addr", xdpi_addr_str(t->talkers[i].family, t->talkers[i].addr, buf,
							sizeof(buf)));
		xdpi_json_u64(j, "bytes_out", t->talkers[i].bytes_out);
		xdpi_json_u64(j, "bytes_in", t->talkers[i].bytes_in);
		xdpi_json_u64(j, "flows", t->talkers[i].flows);
		xdpi_json_obj_close(j);
	}
	xdpi_json_arr_close(j);
}

int xdpi_app_top_compose(struct xdpi_loader *l, char **text, size_t *len)
{
	struct top_ctx t = { .nflows = 0 };
	struct xdpi_json j;
	int rc = -1;

	t.talkers = calloc(TALKER_SLOTS, sizeof(*t.talkers));
	if (!t.talkers)
		return -1;
	xdpi_json_init(&j);
	if (xdpi_loader_kernel_ops.sweep_flows(l, visit, NULL, &t, NULL) == 1) {
		xdpi_json_obj_open(&j, NULL);
		xdpi_json_u64(&j, "flows_total", t.total_flows);
		xdpi_json_u64(&j, "talkers_untracked", t.talkers_untracked);
		xdpi_json_arr_open(&j, "flows");
		for (size_t i = 0; i < t.nflows; i++)
			write_flow(&j, &t.flows[i]);
		xdpi_json_arr_close(&j);
		write_talkers(&j, &t);
		xdpi_json_obj_close(&j);
		if (!j.oom && (*text = malloc(j.len + 1))) {
			memcpy(*text, j.buf, j.len);
			(*text)[j.len] = '\0';
			*len = j.len;
			rc = 0;
		}
	}
	xdpi_json_free(&j);
	free(t.talkers);
	return rc;
}
