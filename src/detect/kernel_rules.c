// SPDX-License-Identifier: GPL-2.0
/* Reputation rules the XDP maps count (xdpi_detect__offload): their per-sid counters, read
 * back once a second, become alerts. A rule with "threshold: type limit, ... seconds S" reports
 * at most once per S seconds (the hits of the whole interval in one alert), others at most
 * once per read; no packet of theirs ever reaches user space. */
#include <stdlib.h>
#include "xdpi/detect.h"

struct kernel_rule {
	const struct xdpi_rule *rule;
	uint64_t pkts, bytes;  /* at the last alert */
	uint64_t last_alert;
};

struct xdpi_kernel_rules {
	struct kernel_rule *r;
	size_t n;
};

struct xdpi_kernel_rules *xdpi_kernel_rules__new(const struct xdpi_detect *d)
{
	struct xdpi_kernel_rules *kr = calloc(1, sizeof(*kr));
	const struct xdpi_rule *rules;
	size_t n = xdpi_detect__rules(d, &rules), k = 0;

	if (!kr)
		return NULL;
	for (size_t i = 0; i < n; i++)
		k += rules[i].kernel;
	kr->r = calloc(k ? k : 1, sizeof(*kr->r));
	if (!kr->r) {
		free(kr);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (rules[i].kernel)
			kr->r[kr->n++].rule = &rules[i];
	return kr;
}

void xdpi_kernel_rules__free(struct xdpi_kernel_rules *kr)
{
	if (kr)
		free(kr->r);
	free(kr);
}

size_t xdpi_kernel_rules__count(const struct xdpi_kernel_rules *kr)
{
	return kr ? kr->n : 0;
}

void xdpi_kernel_rules__report(struct xdpi_kernel_rules *kr, uint64_t now,
			       xdpi_rule_counter_fn read, void *rctx, xdpi_alert_fn fn, void *ctx)
{
	for (size_t i = 0; kr && i < kr->n; i++) {
		struct kernel_rule *k = &kr->r[i];
		const struct xdpi_threshold *t = &k->rule->threshold;
		uint64_t window = t->type == XDPI_THR_LIMIT ? t->seconds * 1000000000ull : 0;
		uint64_t pkts, bytes;
		struct xdpi_alert a = { .rule = k->rule, .ts = now };

		if (read(rctx, k->rule->sid, &pkts, &bytes) || pkts <= k->pkts)
			continue;
		if (k->last_alert && now - k->last_alert < window)
			continue;
		a.kernel_hits = pkts - k->pkts;
		a.kernel_bytes = bytes - k->bytes;
		k->pkts = pkts;
		k->bytes = bytes;
		k->last_alert = now;
		fn(ctx, &a);
	}
}
