// SPDX-License-Identifier: GPL-2.0
/* Anomaly detectors on synthetic flows: a scan alerts once at its threshold and names its
 * flows, a new window starts over, many clients on one port are not a scan; a SYN rate far
 * above its learnt baseline alerts once per surge; DNS names with long random labels alert
 * for their domain, ordinary names never; every table stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "xdpi/anomaly.h"

#define S 1000000000ull

struct got {
	int n[XDPI_ANOM_MAX];
	int last_kind;
	struct xdpi_json j;
};

static void collect(void *ctx, const struct xdpi_anomaly_alert *a)
{
	struct got *g = ctx;

	g->n[a->kind]++;
	g->last_kind = a->kind;
	xdpi_json_reset(&g->j);
	xdpi_json_obj_open(&g->j, NULL);
	a->evidence(a->obj, &g->j);
	xdpi_json_obj_close(&g->j);
}

static void flow(struct xdpi_flow *f, uint32_t client, uint32_t server, uint16_t port, uint8_t proto)
{
	memset(f, 0, sizeof(*f));
	f->key.family = 4;
	f->key.proto = proto;
	f->key.addr_a[0] = htonl(client);
	f->key.addr_b[0] = htonl(server);
	f->key.port_a = htons(40000);
	f->key.port_b = htons(port);
}

static struct xdpi_anomaly *make(struct got *g, struct xdpi_anomaly_cfg *c)
{
	xdpi_anomaly_defaults(c);
	memset(g, 0, sizeof(*g));
	xdpi_json_init(&g->j);
	return xdpi_anomaly__new(c, collect, g);
}

static void test_port_scan(void **state)
{
	struct xdpi_anomaly_cfg c;
	struct got g;
	struct xdpi_anomaly *a = make(&g, &c);
	struct xdpi_flow f;

	(void)state;
	for (uint16_t p = 1; p <= 200; p++) { /* 200 ports of 198.18.0.2 from 198.18.0.1 */
		flow(&f, 0xc6120001, 0xc6120002, p, 6);
		xdpi_anomaly__flow_new(a, &f, S + p);
		if (p == 49)
			assert_int_equal(g.n[XDPI_ANOM_PORT_SCAN], 0);
	}
	assert_int_equal(g.n[XDPI_ANOM_PORT_SCAN], 1); /* once per window */
	assert_non_null(strstr(g.j.buf, "\"scanner\":\"198.18.0.1\""));
	assert_non_null(strstr(g.j.buf, "\"distinct_ports\":50"));
	assert_non_null(strstr(g.j.buf, "\"dest_port\":1,"));
	/* the same ports again in the same window: nothing new */
	for (uint16_t p = 1; p <= 200; p++) {
		flow(&f, 0xc6120001, 0xc6120002, p, 6);
		xdpi_anomaly__flow_new(a, &f, 2 * S + p);
	}
	assert_int_equal(g.n[XDPI_ANOM_PORT_SCAN], 1);
	/* a new window: a new alert */
	for (uint16_t p = 1; p <= 60; p++) {
		flow(&f, 0xc6120001, 0xc6120002, p, 6);
		xdpi_anomaly__flow_new(a, &f, 70 * S + p);
	}
	assert_int_equal(g.n[XDPI_ANOM_PORT_SCAN], 2);
	/* 500 clients each opening one flow to port 443 of one server: not a scan */
	for (uint32_t cl = 0; cl < 500; cl++) {
		flow(&f, 0xc6121000 + cl, 0xc6120003, 443, 6);
		xdpi_anomaly__flow_new(a, &f, 80 * S + cl);
	}
	assert_int_equal(g.n[XDPI_ANOM_PORT_SCAN] + g.n[XDPI_ANOM_HOST_SCAN], 2);
	/* 2000 scanners: the table stays bounded and counts what it forgot */
	for (uint32_t cl = 0; cl < 2000; cl++) {
		flow(&f, 0xc6130000 + cl, 0xc6120003, 22, 6);
		xdpi_anomaly__flow_new(a, &f, 90 * S + cl);
	}
	assert_true(xdpi_anomaly__counters(a)[XDPI_ACNT_SOURCES_EVICTED] > 0);
	xdpi_anomaly__free(a);
	xdpi_json_free(&g.j);
}

static void test_host_scan(void **state)
{
	struct xdpi_anomaly_cfg c;
	struct got g;
	struct xdpi_anomaly *a = make(&g, &c);
	struct xdpi_flow f;

	(void)state;
	for (uint32_t h = 0; h < 300; h++) {
		flow(&f, 0xc6120001, 0xc6120100 + h, 22, 6);
		xdpi_anomaly__flow_new(a, &f, S + h);
	}
	assert_int_equal(g.n[XDPI_ANOM_HOST_SCAN], 1);
	assert_non_null(strstr(g.j.buf, "\"target_port\":22"));
	xdpi_anomaly__free(a);
	xdpi_json_free(&g.j);
}

static void test_syn_flood_against_baseline(void **state)
{
	struct xdpi_anomaly_cfg c;
	struct got g;
	struct xdpi_anomaly *a = make(&g, &c);
	struct xdpi_flow f;
	uint64_t t = S;
	uint32_t cl = 0;

	(void)state;
	/* 30 s of 100 new flows/s: under the 200/s floor, learnt as the baseline */
	for (int sec = 0; sec < 30; sec++, t += S) {
		for (int i = 0; i < 100; i++, cl++) {
			flow(&f, 0xc6140000 + cl, 0xc6120002, 80, 6);
			xdpi_anomaly__flow_new(a, &f, t + (uint64_t)i);
		}
		xdpi_anomaly__tick(a, t + S - 1);
	}
	assert_int_equal(g.n[XDPI_ANOM_SYN_FLOOD], 0);
	/* 3 s of 5000/s from one source: 50x the baseline */
	for (int sec = 0; sec < 3; sec++, t += S) {
		for (int i = 0; i < 5000; i++) {
			flow(&f, 0xc6150001, 0xc6120002, 80, 6);
			f.key.port_a = htons((uint16_t)(1024 + i));
			xdpi_anomaly__flow_new(a, &f, t + (uint64_t)i);
		}
		xdpi_anomaly__tick(a, t + S - 1);
	}
	assert_int_equal(g.n[XDPI_ANOM_SYN_FLOOD], 1); /* one alert for the whole surge */
	assert_non_null(strstr(g.j.buf, "\"ip\":\"198.21.0.1\""));
	assert_non_null(strstr(g.j.buf, "\"baseline_per_s\":100"));
	xdpi_anomaly__free(a);
	xdpi_json_free(&g.j);
}

static void test_dns_tunnel(void **state)
{
	struct xdpi_anomaly_cfg c;
	struct got g;
	struct xdpi_anomaly *a = make(&g, &c);
	struct xdpi_flow f;
	char name[200];

	(void)state;
	flow(&f, 0xc6120001, 0xc6120053, 53, 17);
	for (int i = 0; i < 200; i++) { /* ordinary names: never */
		snprintf(name, sizeof(name), "www%d.images.example.com", i);
		xdpi_anomaly__dns(a, &f, name, strlen(name), 1, S + (uint64_t)i);
	}
	assert_int_equal(g.n[XDPI_ANOM_DNS_TUNNEL], 0);
	for (int i = 0; i < 25; i++) { /* hex-encoded data in 60-character labels */
		snprintf(name, sizeof(name), "%08x%052d.t.evil.co.uk", (unsigned)(i * 2654435761u), i);
		xdpi_anomaly__dns(a, &f, name, strlen(name), 16, 2 * S + (uint64_t)i);
	}
	assert_int_equal(g.n[XDPI_ANOM_DNS_TUNNEL], 1);
	assert_non_null(strstr(g.j.buf, "\"domain\":\"evil.co.uk\""));
	assert_non_null(strstr(g.j.buf, "\"longest_label\":60"));
	xdpi_anomaly__free(a);
	xdpi_json_free(&g.j);
}

/* A benign mix: the same TXT names again and again, mDNS service discovery. No alert. A
 * tunnel's names change every query: alert, clients of both families printed as such. */
static void test_dns_tunnel_counts_distinct_names(void **state)
{
	struct xdpi_anomaly_cfg c;
	struct got g;
	struct xdpi_anomaly *a = make(&g, &c);
	struct xdpi_flow f, f6, mdns;
	char name[200];

	(void)state;
	flow(&f, 0xc6120002, 0xc6120053, 53, 17);
	flow(&mdns, 0xc6120002, 0xe00000fb, 5353, 17);
	memset(&f6, 0, sizeof(f6));
	f6.key.family = 6, f6.key.proto = 17, f6.key.port_a = htons(40000), f6.key.port_b = htons(53);
	inet_pton(AF_INET6, "fd00::1", f6.key.addr_a);
	inet_pton(AF_INET6, "fd00::53", f6.key.addr_b);
	for (int i = 0; i < 200; i++) { /* two TXT names per round, 100 rounds */
		xdpi_anomaly__dns(a, &f, "lab.example.test", 16, 16, S + (uint64_t)i);
		xdpi_anomaly__dns(a, &f, "_dmarc.example.test", 19, 16, S + (uint64_t)i);
		xdpi_anomaly__dns(a, &mdns, "_googlecast._tcp.local", 22, 12, S + (uint64_t)i);
		snprintf(name, sizeof(name), "inst%d-9f3a2c7d1e8b4a6f0c2d._airplay._tcp.local", i);
		xdpi_anomaly__dns(a, &mdns, name, strlen(name), 16, S + (uint64_t)i);
	}
	assert_int_equal(g.n[XDPI_ANOM_DNS_TUNNEL], 0);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "q%d.tunnel.example.test", i);
		xdpi_anomaly__dns(a, i & 1 ? &f6 : &f, name, strlen(name), 16, 2 * S + (uint64_t)i);
	}
	assert_int_equal(g.n[XDPI_ANOM_DNS_TUNNEL], 1);
	assert_non_null(strstr(g.j.buf, "{\"ip\":\"198.18.0.2\"}"));
	assert_non_null(strstr(g.j.buf, "{\"ip\":\"fd00::1\"}"));
	xdpi_anomaly__free(a);
	xdpi_json_free(&g.j);
}

static void test_config(void **state)
{
	struct xdpi_anomaly_cfg c;
	char err[256];

	(void)state;
	xdpi_anomaly_defaults(&c);
	assert_int_equal(xdpi_anomaly_set(&c, "scan_ports=10", err, sizeof(err)), 0);
	assert_int_equal(c.scan_ports, 10);
	assert_int_equal(xdpi_anomaly_set(&c, "factor=3.5", err, sizeof(err)), 0);
	assert_true(c.factor > 3.4 && c.factor < 3.6);
	assert_int_not_equal(xdpi_anomaly_set(&c, "scan_ports=1", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "scan_ports: '1' is not a number in 2..65535"));
	assert_int_not_equal(xdpi_anomaly_set(&c, "nope=1", err, sizeof(err)), 0);
	assert_int_not_equal(xdpi_anomaly_set(&c, "alpha=x", err, sizeof(err)), 0);
	assert_int_not_equal(xdpi_anomaly_set(&c, "factor=nan", err, sizeof(err)), 0);
	assert_int_not_equal(xdpi_anomaly_set(&c, "factor=inf", err, sizeof(err)), 0);
	assert_int_not_equal(xdpi_anomaly_set(&c, "scan_ports=2.5", err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_scan),
		cmocka_unit_test(test_host_scan),
		cmocka_unit_test(test_syn_flood_against_baseline),
		cmocka_unit_test(test_dns_tunnel),
		cmocka_unit_test(test_dns_tunnel_counts_distinct_names),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
