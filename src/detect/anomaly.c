// SPDX-License-Identifier: GPL-2.0
/* The anomaly detectors' front: configuration, dispatch to each detector, counters. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/bytes.h"
#include "anomaly_int.h"

struct xdpi_anomaly {
	struct xdpi_anomaly_cfg cfg;
	struct anomaly_out out;
	uint64_t cnt[XDPI_ACNT_MAX];
	struct scan_state *scan;
	struct surge_state *surge;
	struct dns_state *dns;
};

static const char *const counter_names[] = {
#define XDPI_X_NAME(id, name) name,
	XDPI_ANOMALY_COUNTERS(XDPI_X_NAME)
#undef XDPI_X_NAME
};

const char *xdpi_anomaly_counter_name(enum xdpi_anomaly_counter c)
{
	return c < XDPI_ACNT_MAX ? counter_names[c] : "?";
}

void xdpi_anomaly_defaults(struct xdpi_anomaly_cfg *c)
{
	*c = (struct xdpi_anomaly_cfg){
		.window_s = 60, .scan_ports = 50, .scan_hosts = 128, .syn_min = 200,
		.bytes_min = 50u << 20, .factor = 8, .alpha = 0.05, .dns_label = 40,
		.dns_entropy = 4.0, .dns_queries = 20, .dns_txt = 50,
	};
}

/* The settable fields: name, where, bounds. */
static const struct {
	const char *name;
	size_t off;
	bool dbl;
	double min, max;
} fields[] = {
#define U(f, lo, hi) { #f, offsetof(struct xdpi_anomaly_cfg, f), false, lo, hi }
#define D(f, lo, hi) { #f, offsetof(struct xdpi_anomaly_cfg, f), true, lo, hi }
	U(window_s, 1, 86400), U(scan_ports, 2, 65535), U(scan_hosts, 2, 65535),
	U(syn_min, 1, 1e9), U(bytes_min, 1, 4e9), D(factor, 1.5, 1e6), D(alpha, 0.001, 1),
	U(dns_label, 8, 63), D(dns_entropy, 1, 8), U(dns_queries, 1, XDPI_DNS_NAMES_MAX), U(dns_txt, 1, XDPI_DNS_NAMES_MAX),
#undef U
#undef D
};

int xdpi_anomaly_set(struct xdpi_anomaly_cfg *c, const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	char *end;
	double v;

	for (size_t i = 0; eq && i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strlen(fields[i].name) != (size_t)(eq - assignment) ||
		    memcmp(fields[i].name, assignment, (size_t)(eq - assignment)))
			continue;
		v = strtod(eq + 1, &end);
		/* written so that NaN fails too; whole numbers where the field is one */
		if (end == eq + 1 || *end || !(v >= fields[i].min && v <= fields[i].max) ||
		    (!fields[i].dbl && v != (double)(uint64_t)v)) {
			snprintf(err, errlen, "%s: '%s' is not a number in %g..%g", fields[i].name,
				 eq + 1, fields[i].min, fields[i].max);
			return -EINVAL;
		}
		if (fields[i].dbl)
			*(double *)((char *)c + fields[i].off) = v;
		else
			*(uint32_t *)((char *)c + fields[i].off) = (uint32_t)v;
		return 0;
	}
	snprintf(err, errlen, "'%s': expected NAME=VALUE with NAME one of window_s, scan_ports, "
		 "scan_hosts, syn_min, bytes_min, factor, alpha, dns_label, dns_entropy, "
		 "dns_queries, dns_txt", assignment);
	return -EINVAL;
}

struct xdpi_anomaly *xdpi_anomaly__new(const struct xdpi_anomaly_cfg *c, xdpi_anomaly_fn fn,
				       void *ctx)
{
	struct xdpi_anomaly *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cfg = *c;
	a->out = (struct anomaly_out){ &a->cfg, fn, ctx, a->cnt };
	a->scan = scan_new();
	a->surge = surge_new();
	a->dns = dns_new();
	if (!a->scan || !a->surge || !a->dns) {
		xdpi_anomaly__free(a);
		return NULL;
	}
	return a;
}

void xdpi_anomaly__free(struct xdpi_anomaly *a)
{
	if (!a)
		return;
	scan_free(a->scan);
	surge_free(a->surge);
	dns_free(a->dns);
	free(a);
}

void xdpi_anomaly__flow_new(struct xdpi_anomaly *a, const struct xdpi_flow *f, uint64_t ts)
{
	if (!a || (f->key.proto != XDPI_IPPROTO_TCP && f->key.proto != XDPI_IPPROTO_UDP))
		return;
	scan_flow(a->scan, &a->out, f, ts);
	surge_flow(a->surge, &a->out, f, ts);
}

void xdpi_anomaly__bytes(struct xdpi_anomaly *a, const struct xdpi_flow *f, uint64_t bytes,
			 uint64_t ts)
{
	if (a && bytes)
		surge_bytes(a->surge, &a->out, f, bytes, ts);
}

void xdpi_anomaly__dns(struct xdpi_anomaly *a, const struct xdpi_flow *f, const char *name,
		       size_t len, uint16_t qtype, uint64_t ts)
{
	if (a)
		dns_query(a->dns, &a->out, f, name, len, qtype, ts);
}

void xdpi_anomaly__tick(struct xdpi_anomaly *a, uint64_t ts)
{
	if (a)
		surge_tick(a->surge, &a->out, ts);
}

const uint64_t *xdpi_anomaly__counters(const struct xdpi_anomaly *a)
{
	return a->cnt;
}
