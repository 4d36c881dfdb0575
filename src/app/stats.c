// SPDX-License-Identifier: GPL-2.0
/* What the stats event carries beside the engines': the sources' counters, the kernel's
 * per-rule counters with what each rule id stands for, the outputs', API and process
 * context's. */
#include <stdlib.h>
#include <bpf/bpf.h>
#include "app_int.h"
#include "xdpi/policy.h"

/* What a rule id stands for in the stats event. */
static void describe_rule(const struct xdpi_app_report *s, uint32_t id, struct xdpi_json *j)
{
	if (id >= XDPI_RULE_LIST_FIRST && id - XDPI_RULE_LIST_FIRST < s->nrules) {
		const struct xdpi_app_rule *r = &s->rules[id - XDPI_RULE_LIST_FIRST];

		xdpi_json_str(j, "action", r->action);
		xdpi_json_str(j, "source", r->source);
		xdpi_json_u64(j, "entries", r->entries);
	} else if (id >= XDPI_RULE_PORT_FIRST && id - XDPI_RULE_PORT_FIRST < s->nport_rules) {
		xdpi_json_str(j, "source", "port rule");
		xdpi_json_str(j, "rule", s->port_rules[id - XDPI_RULE_PORT_FIRST]);
	} else if (id == XDPI_RULE_CTL) {
		xdpi_json_str(j, "source", "xdpi ctl");
	} else if (id == XDPI_RULE_ENGINE) {
		xdpi_json_str(j, "source", "engine");
	} else if (id >= XDPI_RULE_RATE_PKTS && id <= XDPI_RULE_EGRESS_ICMP) {
		static const char *const names[] = { "rate_limit_pkts", "rate_limit_bytes",
						     "syn_flood", "icmp_flood",
						     "egress_rate_limit_pkts",
						     "egress_rate_limit_bytes",
						     "egress_icmp_limit" };

		xdpi_json_str(j, "source", names[id - XDPI_RULE_RATE_PKTS]);
	}
}

/* Rule ids to report: every list given at start (counted or not) and every id the kernel has
 * counted (`xdpi ctl` and engine entries included), sorted, each once. */
static size_t rule_ids(const struct xdpi_app_report *s, uint32_t *ids, size_t cap)
{
	size_t n = 0;
	int all;

	for (size_t i = 0; i < s->nrules && n < cap; i++)
		ids[n++] = (uint32_t)(XDPI_RULE_LIST_FIRST + i);
	all = xdpi_policy_rule_ids(&s->rule_stats, ids, n, cap);
	return all >= 0 ? (size_t)all : n; /* unreadable: the lists alone */
}

/* Each rule's kernel counters: which list or entry matched how much. */
static void write_rule_stats(const struct xdpi_app_report *s, struct xdpi_json *j)
{
	static uint32_t ids[XDPI_RULE_STATS_MAX];
	size_t n = rule_ids(s, ids, XDPI_RULE_STATS_MAX);

	xdpi_json_arr_open(j, "rules");
	for (size_t i = 0; i < n; i++) {
		struct xdpi_rule_stats rs;
		int err = xdpi_policy_rule_stats(&s->rule_stats, ids[i], &rs);

		xdpi_json_obj_open(j, NULL);
		xdpi_json_u64(j, "rule_id", ids[i]);
		describe_rule(s, ids[i], j);
		if (!err) {
			xdpi_json_u64(j, "pkts", rs.pkts);
			xdpi_json_u64(j, "bytes", rs.bytes);
		}
		xdpi_json_obj_close(j);
	}
	xdpi_json_arr_close(j);
}

void xdpi_app_stats_extra(void *ctx, struct xdpi_json *j)
{
	const struct xdpi_app_report *s = ctx;

	for (size_t i = 0; i < 2; i++)
		if (s->sources[i] && s->source_ops[i]->stats)
			s->source_ops[i]->stats(s->sources[i], j);
	if (s->replay)
		xdpi_replay__stats_json(s->replay, j);
	if (s->rule_stats.low_fd >= 0) /* live only */
		write_rule_stats(s, j);
	if (s->outputs)
		xdpi_outputs_stats(s->outputs, j);
	if (s->observe)
		xdpi_app_observe_stats(s->observe, j);
}
