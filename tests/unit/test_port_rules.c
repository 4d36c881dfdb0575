// SPDX-License-Identifier: GPL-2.0
/* Port and protocol rules: every form of the text parses to the rule it says and formats back
 * to the same text; each kind of mistake gets file:line:col and leaves loaded rules alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "shared/xdpi_abi.h"
#include "xdpi/policy.h"
#include "xdpi/port_rules.h"

static char err[256];

static int parse(const char *text, struct xdpi_port_rules *r)
{
	err[0] = '\0';
	return xdpi_port_rules_parse("ports.txt", text, strlen(text), r, err, sizeof(err));
}

static const char *fmt(const struct xdpi_port_rules *r, size_t i)
{
	static char buf[96];

	xdpi_port_rule_format(&r->rules[i], buf, sizeof(buf));
	return buf;
}

static void test_port_rules_forms(void **state)
{
	struct xdpi_port_rules r = { 0 };
	const char *text = "# inbound policy\n"
			   "drop tcp/23\n"
			   "allow tcp/22 from 198.18.5.0/24   # the admins\n"
			   "\n"
			   "block udp/1900-1901\r\n"
			   "drop icmp from fd00:9::/32\n"
			   "pass 47\n"
			   "drop udp\n";

	(void)state;
	assert_int_equal(parse(text, &r), 0);
	assert_int_equal(r.count, 6);
	assert_string_equal(fmt(&r, 0), "drop tcp/23");
	assert_string_equal(fmt(&r, 1), "allow tcp/22 from 198.18.5.0/24");
	assert_string_equal(fmt(&r, 2), "drop udp/1900-1901");
	assert_string_equal(fmt(&r, 3), "drop icmp from fd00:9::/32");
	assert_string_equal(fmt(&r, 4), "allow 47");
	assert_string_equal(fmt(&r, 5), "drop udp");
	assert_int_equal(r.rules[0].action, XDPI_POLICY_DROP);
	assert_int_equal(r.rules[1].action, XDPI_POLICY_ALLOW);
	assert_int_equal(r.rules[2].port_lo, 1900);
	assert_int_equal(r.rules[2].port_hi, 1901);
	assert_int_equal(r.rules[3].line, 6);
	assert_false(r.rules[5].has_ports);
	xdpi_port_rules_free(&r);
}

static void test_port_rules_errors_name_the_place(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "reject tcp/23\n", "ports.txt:1:1: 'reject' is not an action" },
		{ "drop tcpx/23\n", "ports.txt:1:6: 'tcpx' is not a protocol" },
		{ "drop tcp/65536\n", "ports.txt:1:10: '65536' is not a port" },
		{ "drop tcp/30-20\n", "ports.txt:1:10: port range 30-20 is backwards" },
		{ "drop tcp/1-2000\n", "ports.txt:1:10: port range 1-2000 is over 1024 ports" },
		{ "drop icmp/8\n", "ports.txt:1:10: only tcp, udp and sctp have ports" },
		{ "drop 256\n", "ports.txt:1:6: '256' is not a protocol" },
		{ "drop\n", "ports.txt:1:1: a rule is ACTION PROTO[/PORT[-PORT]] [from CIDR]" },
		{ "drop tcp/23 to 1.2.3.4\n", "ports.txt:1:13: expected 'from CIDR'" },
		{ "drop tcp/23 from\n", "ports.txt:1:13: unexpected text" },
		{ "drop tcp from 1.2.3.0/24\n", "ports.txt:1:10: a tcp, udp or sctp rule with a CIDR needs a port" },
		{ "drop tcp/23 from 1.2.3.4/33\n", "ports.txt:1:26: prefix length over 32" },
		{ "\ndrop tcp/23 from 1.2.3.0/24 x\n", "ports.txt:2:29: unexpected text" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xdpi_port_rules r = { 0 };

		assert_int_not_equal(parse(cases[i].text, &r), 0);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)))
			fail_msg("'%s': got '%s', want '%s...'", cases[i].text, err, cases[i].want);
		assert_int_equal(r.count, 0);
		xdpi_port_rules_free(&r);
	}
}

static void test_port_rules_all_or_nothing(void **state)
{
	struct xdpi_port_rules r = { 0 };

	(void)state;
	assert_int_equal(parse("drop tcp/23\n", &r), 0);
	assert_int_not_equal(parse("drop tcp/24\ndrop tcp/x\n", &r), 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(fmt(&r, 0), "drop tcp/23");
	xdpi_port_rules_free(&r);
}

/* A rule's stats are a per-CPU hash: the CPU that drops first creates the element and stamps
 * it; another CPU's slot starts at zero. The sum takes the earliest real stamp, never a
 * zero (a rule that dropped on two CPUs once read "first hit at 0"). */
static void test_rule_stats_sum_across_cpus(void **state)
{
	const struct xdpi_rule_stats cpus[3] = {
		{ .pkts = 5, .bytes = 300, .first_ns = 0, .last_ns = 9000 }, /* not stamped (old kernel
									       * side): no first */
		{ .pkts = 7, .bytes = 420, .first_ns = 4000, .last_ns = 8000 },
		{ 0 },
	};
	struct xdpi_rule_stats out;

	(void)state;
	xdpi_rule_stats_sum(cpus, 3, &out);
	assert_int_equal(out.pkts, 12);
	assert_int_equal(out.bytes, 720);
	assert_int_equal(out.first_ns, 4000);
	assert_int_equal(out.last_ns, 9000);
	xdpi_rule_stats_sum(cpus + 2, 1, &out);
	assert_int_equal(out.pkts, 0);
	assert_int_equal(out.first_ns, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_rules_forms),
		cmocka_unit_test(test_port_rules_errors_name_the_place),
		cmocka_unit_test(test_port_rules_all_or_nothing),
		cmocka_unit_test(test_rule_stats_sum_across_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
