// SPDX-License-Identifier: GPL-2.0
/* Port groups: a rule bound to a few destination ports is in the group of each of them and of
 * no other port; ports with the same rules share a group; ports with few rules share one group
 * of their transport; a rule with many ports, any port or only negations is in none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/detect/port_groups.h"

#define RULES 40

static struct xdpi_rule rules[RULES];
static bool tcp[RULES]; /* which rules the transport-0 groups take */

static void dport(int i, const char *text, bool is_tcp)
{
	char err[128];

	memset(&rules[i], 0, sizeof(rules[i]));
	assert_int_equal(xdpi_port_parse(NULL, text, strlen(text), &rules[i].dport, err,
					 sizeof(err)), 0);
	tcp[i] = is_tcp;
}

static bool taken(const struct xdpi_rule *r, unsigned cl, void *ctx)
{
	(void)ctx;
	return (cl == 0) == tcp[r - rules];
}

/* Group G's rules, as a bit per rule. */
static uint64_t members(const struct port_groups *pg, uint32_t g)
{
	uint64_t m = 0;

	for (uint32_t k = pg->first[g - 1]; k < pg->first[g]; k++)
		m |= 1ull << pg->rule[k];
	return m;
}

static uint64_t at_port(const struct port_groups *pg, unsigned cl, uint16_t port)
{
	uint32_t g = port_groups_find(pg, cl, port);

	return g ? members(pg, g) : 0;
}

static void test_groups_by_destination_port(void **state)
{
	struct port_groups pg;
	uint64_t many = 0;
	uint32_t g;
	int n = 0;

	(void)state;
	/* rules 0..15 all name 445, so it has PORT_GROUP_MIN of them: a group of its own */
	for (; n < PORT_GROUP_MIN; n++)
		dport(n, n % 2 ? "[139,445]" : "445", true);
	dport(n++, "3306", true);              /* 16: a rare port */
	dport(n++, "[3306,11211]", true);      /* 17: rare ports: one group with 16 */
	dport(n++, "1024:", true);             /* 18: too many ports: in no group */
	dport(n++, "any", true);               /* 19 */
	dport(n++, "!80", true);               /* 20: a negation only: any port but one */
	dport(n++, "[8000:8003,!8001]", true); /* 21: 8000, 8002, 8003 */
	dport(n++, "53", false);               /* 22: the other transport's */
	assert_int_equal(port_groups_build(&pg, rules, (uint32_t)n, taken, NULL), 0);
	for (int i = 0; i < PORT_GROUP_MIN; i++)
		many |= 1ull << i;
	assert_int_equal(at_port(&pg, 0, 445), many);
	assert_int_equal(at_port(&pg, 0, 139), 0xaaaaull | 1ull << 16 | 1ull << 17 | 1ull << 21);
	/* every rare port of TCP shares one group: the union of their rules */
	assert_int_equal(port_groups_find(&pg, 0, 3306), port_groups_find(&pg, 0, 11211));
	assert_int_equal(port_groups_find(&pg, 0, 3306), port_groups_find(&pg, 0, 8000));
	assert_int_equal(at_port(&pg, 0, 8002), at_port(&pg, 0, 139));
	assert_int_equal(port_groups_find(&pg, 0, 8001), 0); /* negated inside the list */
	assert_int_equal(port_groups_find(&pg, 0, 80), 0);
	assert_int_equal(port_groups_find(&pg, 0, 2000), 0); /* only 1024: covers it */
	assert_int_equal(port_groups_find(&pg, 0, 53), 0);
	assert_int_equal(at_port(&pg, 1, 53), 1ull << 22);
	assert_int_equal(port_groups_find(&pg, 1, 445), 0);
	assert_int_equal(pg.n, 3); /* 445's, TCP's rare ports', UDP's rare ports' */
	for (g = 1; g <= pg.n; g++) /* each group's rules ascending, each once */
		for (uint32_t k = pg.first[g - 1] + 1; k < pg.first[g]; k++)
			assert_true(pg.rule[k - 1] < pg.rule[k]);
	g = port_groups_find(&pg, 0, 3306);
	assert_int_equal(pg.first[g] - pg.first[g - 1], 11); /* 8 of 139's, 16, 17 and 21 */
	assert_true(port_groups_narrow(&rules[0].dport));
	assert_false(port_groups_narrow(&rules[18].dport));
	assert_false(port_groups_narrow(&rules[19].dport));
	assert_false(port_groups_narrow(&rules[20].dport));
	port_groups_free(&pg);
	for (int i = 0; i < n; i++)
		xdpi_port_group_free(&rules[i].dport);
}

/* Ports whose rules are the same share one group, each rule once in it. */
static void test_same_rules_share_a_group(void **state)
{
	struct port_groups pg;
	int n = 0;

	(void)state;
	for (; n < PORT_GROUP_MIN + 2; n++) /* each names 80, 8080 and 80 again */
		dport(n, "[80,8080,80]", true);
	assert_int_equal(port_groups_build(&pg, rules, (uint32_t)n, taken, NULL), 0);
	assert_int_equal(pg.n, 1);
	assert_int_equal(port_groups_find(&pg, 0, 80), 1);
	assert_int_equal(port_groups_find(&pg, 0, 8080), 1);
	assert_int_equal(pg.first[1], (uint32_t)n);
	port_groups_free(&pg);
	for (int i = 0; i < n; i++)
		xdpi_port_group_free(&rules[i].dport);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_by_destination_port),
		cmocka_unit_test(test_same_rules_share_a_group),
	};

	return cmocka_run_group_tests_name("port_groups", tests, NULL, NULL);
}
