// SPDX-License-Identifier: GPL-2.0
/* The Prometheus text exposition of everything xdpi counts: the kernel's counters (by name,
 * malformed by reason, per rule), every engine's counters summed over the workers, flow-table
 * occupancy, events by type, detection and anomaly counters, the capture sources' losses, the
 * output, and the process's CPU and memory. Names are xdpi_..., counters end in _total. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "app_int.h"
#include "xdpi/appid.h"
#include "xdpi/lb.h"
#include "xdpi/policy.h"
#include "xdpi/decode.h"
#include "xdpi/dissect.h"
#include "xdpi/loader.h"

static void family(struct xdpi_prom *p, const char *name, const char *type, const char *help)
{
	xdpi_prom_family(p, name, !strcmp(type, "gauge"), help);
}

static void one(struct xdpi_prom *p, const char *name, const char *type, const char *help,
		uint64_t v)
{
	family(p, name, type, help);
	xdpi_prom_sample(p, name, NULL, NULL, v);
}

static void process(struct xdpi_prom *p)
{
	struct rusage ru;
	long pages = 0, resident = 0;
	FILE *statm = fopen("/proc/self/statm", "r");

	getrusage(RUSAGE_SELF, &ru);
	if (statm) {
		if (fscanf(statm, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(statm);
	}
	family(p, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
	fprintf(p->f, "process_cpu_seconds_total %.3f\n",
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	one(p, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
	    (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE));
}

static void kernel(struct xdpi_prom *p, struct xdpi_loader *l)
{
	uint64_t kc[XDPI_CNT_MAX];
	char name[96];

	if (xdpi_loader_kernel_ops.read_counters(l, kc))
		return;
	for (int i = 0; i < XDPI_CNT_REASON_BASE; i++) {
		snprintf(name, sizeof(name), "xdpi_kernel_%s_total", xdpi_kernel_counter_name(i));
		one(p, name, "counter", "A fast-path counter (stats.xdpi.kernel), summed over CPUs.",
		    kc[i]);
	}
	family(p, "xdpi_kernel_malformed_packets_total", "counter",
	       "Packets the fast path found malformed, by reason.");
	for (int i = XDPI_CNT_REASON_BASE + 1; i < XDPI_CNT_MAX; i++)
		fprintf(p->f, "xdpi_kernel_malformed_packets_total{reason=\"%s\"} %llu\n",
			xdpi_reason_name(i - XDPI_CNT_REASON_BASE), (unsigned long long)kc[i]);
}

static void rule_row(uint32_t id, const struct xdpi_rule_stats *st, void *ctx)
{
	struct xdpi_prom *p = ctx;

	fprintf(p->f, "xdpi_rule_packets_total{rule=\"%u\"} %llu\n", id, (unsigned long long)st->pkts);
	fprintf(p->f, "xdpi_rule_bytes_total{rule=\"%u\"} %llu\n", id, (unsigned long long)st->bytes);
}

static void rules(struct xdpi_prom *p, struct xdpi_rule_stats_maps maps)
{
	family(p, "xdpi_rule_packets_total", "counter",
	       "Packets the fast path counted under a rule (lists, ctl, limits, port rules, sids).");
	family(p, "xdpi_rule_bytes_total", "counter", "Bytes the fast path counted under a rule.");
	xdpi_policy_rule_each(&maps, rule_row, p);
}


/* Every engine's counters as of its last tick (the workers move theirs while this runs),
 * summed over the workers. */
static void engine_totals(struct xdpi_sink *s, struct xdpi_engine_totals *sum)
{
	uint32_t n = s->workers ? XDPI_WORKERS_MAX : 1;
	struct xdpi_engine_totals t;

	memset(sum, 0, sizeof(*sum));
	for (uint32_t w = 0; w < n; w++) {
		struct xdpi_engine *e = s->workers ? xdpi_workers__engine(s->workers, w) : s->engine;

		if (!e)
			break;
		xdpi_engine__totals(e, &t);
		for (int k = 0; k < XDPI_ECNT_MAX; k++)
			sum->cnt[k] += t.cnt[k];
		for (size_t d = 0; d < XDPI_ENGINE_APPS; d++)
			sum->app[d] += t.app[d];
		for (size_t i = 0; i < XDPI_IDENTS_MAX; i++)
			sum->ident[i] += t.ident[i];
		for (size_t r = 0; r < XDPI_RISK_MAX; r++)
			sum->risk[r] += t.risk[r];
		for (int k = 0; k < XDPI_DCNT_MAX; k++)
			sum->detect[k] += t.detect[k];
		sum->flows.active += t.flows.active, sum->flows.max += t.flows.max;
		sum->flows.created += t.flows.created, sum->flows.evicted += t.flows.evicted;
	}
}

/* Flows the identifiers named, by protocol (rows sharing a name summed), and flow records by
 * risk, all workers. */
static void put_appid(struct xdpi_prom *p, const struct xdpi_engine_totals *sum)
{
	size_t ni = xdpi_idents_count() < XDPI_IDENTS_MAX ? xdpi_idents_count() : XDPI_IDENTS_MAX;

	family(p, "xdpi_app_identified_flows_total", "counter",
	       "Flows an identifier named by content, by protocol.");
	for (size_t i = 0; i < ni; i++) {
		const char *name = xdpi_ident_at(i)->name;
		uint64_t total = 0;
		size_t first = 0;

		while (strcmp(xdpi_ident_at(first)->name, name))
			first++;
		if (first != i)
			continue; /* already written with the first row of its name */
		for (size_t k = i; k < ni; k++)
			if (!strcmp(xdpi_ident_at(k)->name, name))
				total += sum->ident[k];
		fprintf(p->f, "xdpi_app_identified_flows_total{proto=\"%s\"} %llu\n", name,
			(unsigned long long)total);
	}
	family(p, "xdpi_flow_risks_total", "counter", "Flow records that carried a risk, by risk.");
	for (size_t r = 0; r < XDPI_RISK_MAX; r++)
		fprintf(p->f, "xdpi_flow_risks_total{risk=\"%s\"} %llu\n", xdpi_risk_name((enum xdpi_risk)r),
			(unsigned long long)sum->risk[r]);
}

static void engines(struct xdpi_prom *p, const struct xdpi_engine_totals *sum)
{
	const uint64_t *c = sum->cnt;
	size_t nd = xdpi_dissectors_count();
	char name[96];

	for (int k = 0; k < XDPI_ECNT_MAX; k++) {
		snprintf(name, sizeof(name), "xdpi_engine_%s_total", xdpi_engine_counter_name(k));
		one(p, name, "counter", "A user-space counter (stats.xdpi.engine), all workers.", c[k]);
	}
	one(p, "xdpi_flows_active", "gauge", "Flows in the user-space flow tables.", sum->flows.active);
	one(p, "xdpi_flows_max", "gauge", "The flow tables' bound.", sum->flows.max);
	one(p, "xdpi_flows_created_total", "counter", "Flows the user-space tables created.",
	    sum->flows.created);
	one(p, "xdpi_flows_evicted_total", "counter", "Flows ended early to stay within the bound.",
	    sum->flows.evicted);
	family(p, "xdpi_events_total", "counter", "EVE events written, by type.");
	fprintf(p->f, "xdpi_events_total{type=\"flow\"} %llu\nxdpi_events_total{type=\"stats\"} %llu\n"
		   "xdpi_events_total{type=\"drop\"} %llu\nxdpi_events_total{type=\"alert\"} %llu\n",
		(unsigned long long)c[XDPI_ECNT_EVENTS_FLOW],
		(unsigned long long)c[XDPI_ECNT_EVENTS_STATS],
		(unsigned long long)c[XDPI_ECNT_EVENTS_DROP],
		(unsigned long long)(c[XDPI_ECNT_EVENTS_ALERT] + c[XDPI_ECNT_EVENTS_ANOMALY] +
				     c[XDPI_ECNT_EVENTS_API_ALERT]));
	family(p, "xdpi_app_flows_total", "counter", "Flows by application protocol (dissector).");
	for (size_t d = 0; d < nd && d < XDPI_ENGINE_APPS; d++)
		fprintf(p->f, "xdpi_app_flows_total{proto=\"%s\"} %llu\n", xdpi_dissector_at(d)->name,
			(unsigned long long)sum->app[d]);
	put_appid(p, sum);
}

static void detection(struct xdpi_prom *p, const struct xdpi_engine_totals *sum,
		      struct xdpi_detect *first)
{
	char name[96];

	if (!first)
		return;
	for (int k = 0; k < XDPI_DCNT_MAX; k++) {
		snprintf(name, sizeof(name), "xdpi_detect_%s_total", xdpi_detect_counter_name(k));
		one(p, name, "counter", "Detection (stats.xdpi.detect), all workers.", sum->detect[k]);
	}
	one(p, "xdpi_rules_loaded", "gauge", "Rules loaded.", xdpi_detect__report(first)->loaded);
}

static void sources(struct xdpi_prom *p, const struct xdpi_app_report *r, struct xdpi_sink *s)
{
	for (size_t i = 0; i < 2; i++)
		if (r->sources[i] && r->source_ops[i]->expose)
			r->source_ops[i]->expose(r->sources[i], p);
	if (s->workers) {
		struct xdpi_workers_stats st;
		char label[32];

		xdpi_workers__stats(s->workers, &st);
		family(p, "xdpi_worker_packets_total", "counter", "Packets handed to each worker.");
		for (uint32_t i = 0; i < st.n && i < XDPI_WORKERS_MAX; i++) {
			snprintf(label, sizeof(label), "worker=\"%u\"", i);
			xdpi_prom_sample(p, "xdpi_worker_packets_total", label, NULL, st.dispatched[i]);
		}
		one(p, "xdpi_worker_events_dropped_total", "counter",
		    "Events a worker's output ring had no room for.", st.events_dropped);
	}
	if (r->outputs)
		xdpi_outputs_expose(r->outputs, p);
}

int xdpi_app_metrics_compose(struct xdpi_sink *s, const struct xdpi_app_report *src,
			     struct xdpi_loader *l, struct xdpi_detect *first, char **text,
			     size_t *len)
{
	FILE *f = open_memstream(text, len);
	struct xdpi_prom pr = { .f = f }, *p = &pr;
	struct xdpi_engine_totals sum;

	if (!f)
		return -1;
	process(p);
	if (l) {
		kernel(p, l);
		rules(p, xdpi_loader__rule_stats(l));
	}
	engine_totals(s, &sum);
	engines(p, &sum);
	detection(p, &sum, first);
	sources(p, src, s);
	if (src->observe)
		xdpi_app_observe_expose(src->observe, p);
	if (src->lb)
		xdpi_lb__expose(src->lb, p);
	return fclose(f) ? -1 : 0;
}
