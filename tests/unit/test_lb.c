// SPDX-License-Identifier: GPL-2.0
/* The balancer's user-space half: its file parses to what it says and each mistake names its
 * place; the weighted Maglev table gives each backend its weight's share (to within one slot
 * per weight unit), does not depend on the order backends are given in, and moves few of the
 * other backends' connections when one backend leaves. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/lb.h"

static char err[256];
static struct xdpi_lb_conf conf;

static int parse(const char *text)
{
	err[0] = '\0';
	return xdpi_lb_conf_parse("lb.conf", text, strlen(text), &conf, err, sizeof(err));
}

static void test_lb_conf_forms(void **state)
{
	const char *text = "# the API tier\n"
			   "outer-source 198.18.21.0/24\n"
			   "outer-source fd00:21::/112\n"
			   "mtu 9000\n"
			   "connections 100000\n"
			   "service api 198.18.100.10:80   # v4\n"
			   "  check http /healthz interval 500ms timeout 200ms rise 1 fall 2\n"
			   "  passive syn-retrans 40% min 10 window 2s eject 5s\n"
			   "  l7 server-errors 0.5\n"
			   "  backend 198.18.30.11\n"
			   "  backend 198.18.30.12 weight 3 metrics http://198.18.30.12:9469/metrics\n"
			   "service dns [fd00:100::53]:53/udp\n"
			   "  check none\n"
			   "  backend fd00:30::53 weight 0\n";
	char vip[80];

	(void)state;
	assert_int_equal(parse(text), 0);
	assert_int_equal(conf.nservices, 2);
	assert_int_equal(conf.nbackends, 3);
	assert_int_equal(conf.kernel.mtu, 9000);
	assert_int_equal(conf.conns, 100000);
	assert_int_equal(conf.kernel.src4, inet_addr("198.18.21.0"));
	assert_int_equal(conf.kernel.src4_host, htonl(0xff));
	assert_int_equal(conf.kernel.src6_host, htonl(0xffff));
	assert_true(conf.kernel.on);
	assert_string_equal(conf.services[0].name, "api");
	xdpi_lb_vip_format(&conf.services[0].vip, vip, sizeof(vip));
	assert_string_equal(vip, "198.18.100.10:80/tcp");
	xdpi_lb_vip_format(&conf.services[1].vip, vip, sizeof(vip));
	assert_string_equal(vip, "[fd00:100::53]:53/udp");
	assert_int_equal(conf.services[0].check.kind, XDPI_LB_CHECK_HTTP);
	assert_string_equal(conf.services[0].check.path, "/healthz");
	assert_int_equal(conf.services[0].check.interval_ms, 500);
	assert_int_equal(conf.services[0].check.timeout_ms, 200);
	assert_int_equal(conf.services[0].check.rise, 1);
	assert_int_equal(conf.services[0].check.fall, 2);
	assert_true(conf.services[0].passive.on);
	assert_true(conf.services[0].passive.ratio > 0.39 && conf.services[0].passive.ratio < 0.41);
	assert_int_equal(conf.services[0].passive.min, 10);
	assert_int_equal(conf.services[0].passive.window_ms, 2000);
	assert_int_equal(conf.services[0].passive.eject_ms, 5000);
	assert_true(conf.services[0].l7.on);
	assert_int_equal(conf.services[0].l7.window_ms, 5000); /* the default */
	assert_int_equal(conf.services[1].check.kind, XDPI_LB_CHECK_NONE);
	assert_int_equal(conf.backends[1].weight, 3);
	assert_string_equal(conf.backends[1].metrics, "http://198.18.30.12:9469/metrics");
	assert_int_equal(conf.backends[2].service, 1);
	assert_int_equal(conf.backends[2].family, 6);
	assert_int_equal(conf.backends[2].weight, 0);
}

static void test_lb_conf_errors_name_the_place(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "outer-source 198.18.21.0/24\nbackend 198.18.30.1\n", "lb.conf:2:1: 'backend' belongs to a service" },
		{ "service a 198.18.100.1\n", "lb.conf:1:11: expected VIP:PORT" },
		{ "service a 198.18.100.1:99999\n", "lb.conf:1:11: expected VIP:PORT" },
		{ "service a 198.18.100.1:80/sctp\n", "lb.conf:1:11: expected VIP:PORT" },
		{ "service a 198.18.100.1:80\nservice b 198.18.100.1:80\n", "lb.conf:2:11: 198.18.100.1:80 is already service 'a'" },
		{ "service a 198.18.100.1:80\nservice a 198.18.100.2:80\n", "lb.conf:2:9: service 'a' is defined twice" },
		{ "outer-source 198.18.21.0/24\nservice a 198.18.100.1:80\n backend 198.18.30.1 weight 1001\n", "lb.conf:3:29: expected a number from 0 to 1000" },
		{ "outer-source 198.18.21.0/24\nservice a 198.18.100.1:80\n backend 198.18.30.1 wait 1\n", "lb.conf:3:22: expected weight or metrics" },
		{ "outer-source 198.18.21.0/24\nservice a 198.18.100.1:80\n backend 198.18.30.1\n backend 198.18.30.1\n", "lb.conf:4:10: backend 198.18.30.1 is already in service 'a' (line 3)" },
		{ "outer-source 198.18.21.0/24\nservice a 198.18.100.1:80\n backend 300.18.30.1\n", "lb.conf:3:10: expected a backend's IPv4 or IPv6 address" },
		{ "service a 198.18.100.1:80\n backend 198.18.30.1\n", "lb.conf:2:1: backend 198.18.30.1 is IPv4: add an 'outer-source'" },
		{ "service a 198.18.100.1:80\n check http healthz\n", "lb.conf:2:13: an http check needs a path" },
		{ "service a 198.18.100.1:80\n check tcp interval 5\n", "lb.conf:2:21: expected a duration with its unit" },
		{ "service a 198.18.100.1:80\n check tcp interval 1s timeout 2s\n", "lb.conf:2:2: a check's timeout (2000ms) is longer than its interval (1000ms)" },
		{ "service a 198.18.100.1:80\n check tcp interval\n", "lb.conf:2:20: 'interval' needs a value" },
		{ "service a 198.18.100.1:53/udp\n check tcp\n", "lb.conf:2:8: service 'a' is UDP: its active check is none" },
		{ "service a 198.18.100.1:80\n passive syn-retrans 2\n", "lb.conf:2:22: expected a ratio above 0 and at most 1" },
		{ "service a 198.18.100.1:80\n l7 errors 0.5\n", "lb.conf:2:5: expected 'l7 server-errors RATIO" },
		{ "outer-source 192.0.0.0/4\n", "lb.conf:1:14: an outer-source prefix is /8 or longer" },
		{ "outer-source 198.18.21.1/24\n", "lb.conf:1:14:" },
		{ "mtu 100\n", "lb.conf:1:5: expected a number from 576 to 9216" },
		{ "frobnicate\n", "lb.conf:1:1: unknown directive 'frobnicate'" },
		{ "# nothing\n", "lb.conf:1:1: no service defined" },
		{ "service a 198.18.100.1:80\x01\n", "lb.conf:1:26: unexpected byte 0x01" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].text);

		if (rc != -22 || strncmp(err, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: rc %d, message '%s', want '%s...'", i, rc, err,
				 cases[i].want);
	}
}

static uint32_t table[XDPI_LB_RING_SIZE], other[XDPI_LB_RING_SIZE];

static struct xdpi_lb_member member(uint32_t id, const char *addr, uint32_t weight)
{
	struct xdpi_lb_member m = { .id = id, .family = 4, .weight = weight };

	inet_pton(AF_INET, addr, m.addr);
	return m;
}

static void count(const uint32_t *t, uint32_t *per, size_t n)
{
	memset(per, 0, n * sizeof(*per));
	for (uint32_t i = 0; i < XDPI_LB_RING_SIZE; i++) {
		assert_true(t[i] < n);
		per[t[i]]++;
	}
}

/* Slots per backend are k*w..(k+1)*w for one k: within one slot per weight unit. */
static void test_maglev_weights(void **state)
{
	struct xdpi_lb_member m[4] = { member(0, "198.18.30.1", 1), member(1, "198.18.30.2", 2),
				       member(2, "198.18.30.3", 3), member(3, "198.18.30.4", 10) };
	uint32_t per[4], k = UINT32_MAX;

	(void)state;
	assert_int_equal(xdpi_maglev_build(m, 4, table), 0);
	count(table, per, 4);
	for (int i = 0; i < 4; i++)
		k = per[i] / m[i].weight < k ? per[i] / m[i].weight : k;
	for (int i = 0; i < 4; i++) {
		assert_true(per[i] >= k * m[i].weight);
		assert_true(per[i] <= (k + 1) * m[i].weight);
	}
	m[0].weight = 0; /* draining: no slot */
	assert_int_equal(xdpi_maglev_build(m, 4, table), 0);
	count(table, per, 4);
	assert_int_equal(per[0], 0);
	for (int i = 0; i < 4; i++)
		m[i].weight = 0;
	assert_int_equal(xdpi_maglev_build(m, 4, table), 0);
	for (uint32_t i = 0; i < XDPI_LB_RING_SIZE; i++)
		assert_int_equal(table[i], XDPI_LB_NONE);
}

static void test_maglev_order_does_not_matter(void **state)
{
	struct xdpi_lb_member a[3] = { member(0, "198.18.30.1", 1), member(1, "198.18.30.2", 2),
				       member(2, "198.18.30.3", 1) };
	struct xdpi_lb_member b[3] = { a[2], a[0], a[1] };

	(void)state;
	assert_int_equal(xdpi_maglev_build(a, 3, table), 0);
	assert_int_equal(xdpi_maglev_build(b, 3, other), 0);
	assert_memory_equal(table, other, sizeof(table));
}

/* One of ten backends leaves: its slots go to the others, and the others' slots mostly stay. */
static void test_maglev_removal_moves_little(void **state)
{
	struct xdpi_lb_member m[10];
	char addr[32];
	uint32_t others = 0, moved = 0;

	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		snprintf(addr, sizeof(addr), "198.18.30.%u", 11 + i);
		m[i] = member(i, addr, 1);
	}
	assert_int_equal(xdpi_maglev_build(m, 10, table), 0);
	m[4].weight = 0;
	assert_int_equal(xdpi_maglev_build(m, 10, other), 0);
	for (uint32_t i = 0; i < XDPI_LB_RING_SIZE; i++) {
		assert_int_not_equal(other[i], 4);
		if (table[i] == 4)
			continue;
		others++;
		moved += other[i] != table[i];
	}
	printf("  maglev: removing 1 of 10 backends moved %u of %u other slots (%.2f%%)\n", moved,
	       others, 100.0 * moved / others);
	assert_true(moved * 100 < others); /* under 1% */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lb_conf_forms),
		cmocka_unit_test(test_lb_conf_errors_name_the_place),
		cmocka_unit_test(test_maglev_weights),
		cmocka_unit_test(test_maglev_order_does_not_matter),
		cmocka_unit_test(test_maglev_removal_moves_little),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
