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

#define APP_MAX 32 /* dissectors counted (the registry holds fewer) */

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


/* Flows the identifiers named, by protocol (rows sharing a name summed), and flow records by
 * risk, all workers. */
static void put_appid(struct xdpi_prom *p, struct xdpi_sink *s)
{
	uint64_t ident[XDPI_IDENTS_MAX] = { 0 }, risk[XDPI_RISK_MAX] = { 0 };
	uint32_t n = s->workers ? XDPI_WORKERS_MAX : 1;
	size_t ni = xdpi_idents_count() < XDPI_IDENTS_MAX ? xdpi_idents_count() : XDPI_IDENTS_MAX;

	for (uint32_t w = 0; w < n; w++) {
		struct xdpi_engine *e = s->workers ? xdpi_workers__engine(s->workers, w) : s->engine;

		if (!e)
			break;
		for (size_t i = 0; i < ni; i++)
			ident[i] += xdpi_engine__ident_flows(e, i);
		for (size_t r = 0; r < XDPI_RISK_MAX; r++)
			risk[r] += xdpi_engine__risk_flows(e, r);
	}
	family(p, "xdpi_app_identified_flows_total", "counter",
	       "Flows an identifier named by content, by protocol.");
	for (size_t i = 0; i < ni; i++) {
		const char *name = xdpi_ident_at(i)->name;
		uint64_t sum = 0;
		size_t first = 0;

		while (strcmp(xdpi_ident_at(first)->name, name))
			first++;
		if (first != i)
			continue; /* already written with the first row of its name */
		for (size_t k = i; k < ni; k++)
			if (!strcmp(xdpi_ident_at(k)->name, name))
				sum += ident[k];
		fprintf(p->f, "xdpi_app_identified_flows_total{proto=\"%s\"} %llu\n", name,
			(unsigned long long)sum);
	}
	family(p, "xdpi_flow_risks_total", "counter", "Flow records that carried a risk, by risk.");
	for (size_t r = 0; r < XDPI_RISK_MAX; r++)
		fprintf(p->f, "xdpi_flow_risks_total{risk=\"%s\"} %llu\n", xdpi_risk_name((enum xdpi_risk)r),
			(unsigned long long)risk[r]);
}

static void engines(struct xdpi_prom *p, struct xdpi_sink *s)
{
	uint64_t sum[XDPI_ECNT_MAX] = { 0 }, active = 0, max = 0, created = 0, evicted = 0;
	uint64_t app[APP_MAX] = { 0 };
	uint32_t n = s->workers ? XDPI_WORKERS_MAX : 1;
	size_t nd = xdpi_dissectors_count();
	char name[96];

	for (uint32_t i = 0; i < n; i++) {
		struct xdpi_engine *e = s->workers ? xdpi_workers__engine(s->workers, i) : s->engine;
		struct flow_table_stats st;
		const uint64_t *c;

		if (!e)
			break;
		c = xdpi_engine__counters(e);
		for (int k = 0; k < XDPI_ECNT_MAX; k++)
			sum[k] += c[k];
		for (size_t d = 0; d < nd && d < APP_MAX; d++)
			app[d] += xdpi_engine__app_flows(e, d);
		xdpi_engine__flow_stats(e, &st);
		active += st.active, max += st.max, created += st.created, evicted += st.evicted;
	}
	for (int k = 0; k < XDPI_ECNT_MAX; k++) {
		snprintf(name, sizeof(name), "xdpi_engine_%s_total", xdpi_engine_counter_name(k));
		one(p, name, "counter", "A user-space counter (stats.xdpi.engine), all workers.", sum[k]);
	}
	one(p, "xdpi_flows_active", "gauge", "Flows in the user-space flow tables.", active);
	one(p, "xdpi_flows_max", "gauge", "The flow tables' bound.", max);
	one(p, "xdpi_flows_created_total", "counter", "Flows the user-space tables created.", created);
	one(p, "xdpi_flows_evicted_total", "counter", "Flows ended early to stay within the bound.",
	    evicted);
	family(p, "xdpi_events_total", "counter", "EVE events written, by type.");
	fprintf(p->f, "xdpi_events_total{type=\"flow\"} %llu\nxdpi_events_total{type=\"stats\"} %llu\n"
		   "xdpi_events_total{type=\"drop\"} %llu\nxdpi_events_total{type=\"alert\"} %llu\n",
		(unsigned long long)sum[XDPI_ECNT_EVENTS_FLOW],
		(unsigned long long)sum[XDPI_ECNT_EVENTS_STATS],
		(unsigned long long)sum[XDPI_ECNT_EVENTS_DROP],
		(unsigned long long)(sum[XDPI_ECNT_EVENTS_ALERT] + sum[XDPI_ECNT_EVENTS_ANOMALY] +
				     sum[XDPI_ECNT_EVENTS_API_ALERT]));
	family(p, "xdpi_app_flows_total", "counter", "Flows by application protocol (dissector).");
	for (size_t d = 0; d < nd && d < APP_MAX; d++)
		fprintf(p->f, "xdpi_app_flows_total{proto=\"%s\"} %llu\n", xdpi_dissector_at(d)->name,
			(unsigned long long)app[d]);
	put_appid(p, s);
}

static void detection(struct xdpi_prom *p, struct xdpi_sink *s, struct xdpi_detect *first)
{
	uint64_t sum[XDPI_DCNT_MAX] = { 0 };
	char name[96];

	if (!first)
		return;
	for (uint32_t i = 0; i < (s->ndetects ? s->ndetects : 1); i++) {
		const uint64_t *c = xdpi_detect__counters(s->ndetects ? s->detects[i] : first);

		for (int k = 0; k < XDPI_DCNT_MAX; k++)
			sum[k] += c[k];
	}
	for (int k = 0; k < XDPI_DCNT_MAX; k++) {
		snprintf(name, sizeof(name), "xdpi_detect_%s_total", xdpi_detect_counter_name(k));
		one(p, name, "counter", "Detection (stats.xdpi.detect), all workers.", sum[k]);
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

	if (!f)
		return -1;
	process(p);
	if (l) {
		kernel(p, l);
		rules(p, xdpi_loader__rule_stats(l));
	}
	engines(p, s);
	detection(p, s, first);
	sources(p, src, s);
	if (src->observe)
		xdpi_app_observe_expose(src->observe, p);
	if (src->lb)
		xdpi_lb__expose(src->lb, p);
	return fclose(f) ? -1 : 0;
}
