// SPDX-License-Identifier: GPL-2.0
/* Flow table: lookup, timeouts by state, TCP states, the memory bound, active cuts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/flow.h"

#define S XDPI_NS_PER_SEC

struct ended {
	int n;
	enum xdpi_flow_end why[16];
	uint64_t pkts[16];
};

static void on_end(void *ctx, struct xdpi_flow *f, enum xdpi_flow_end why)
{
	struct ended *e = ctx;

	if (e->n < 16) {
		e->why[e->n] = why;
		e->pkts[e->n] = f->pkts[0] + f->pkts[1] - xdpi_flow_base_pkts(f, 0) -
				 xdpi_flow_base_pkts(f, 1);
	}
	e->n++;
	if (why == XDPI_FLOW_END_ACTIVE) {
		memcpy(xdpi_flow_extra_get(f)->base_pkts, f->pkts, sizeof(f->pkts));
		f->record_start_ns = f->last_ns;
	}
}

static const struct xdpi_flow_timeouts timeouts = {
	.new_ns = 30 * S, .established_ns = 300 * S, .closed_ns = 10 * S,
};

static struct xdpi_flow_key key(uint8_t proto, uint16_t port)
{
	struct xdpi_flow_key k = { .proto = proto, .family = 4 };

	k.addr_a[0] = 0x010012c6;
	k.addr_b[0] = 0x020012c6;
	k.port_a = __builtin_bswap16(port);
	k.port_b = __builtin_bswap16(80);
	return k;
}

static void test_flow_table_lookup_and_create(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table__new(8, &timeouts, on_end, &e);
	struct xdpi_flow_key k = key(6, 1000);
	struct xdpi_flow *f, *g;
	bool created;

	(void)state;
	assert_non_null(ft);
	assert_null(flow_table__lookup(ft, &k));
	f = flow_table__get(ft, &k, 1 * S, &created);
	assert_true(created);
	g = flow_table__get(ft, &k, 2 * S, &created);
	assert_false(created);
	assert_ptr_equal(f, g);
	assert_ptr_equal(flow_table__lookup(ft, &k), f);
	flow_table__free(ft);
	assert_int_equal(e.n, 0);
}

static void test_flow_table_tcp_states(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table__new(8, &timeouts, on_end, &e);
	struct xdpi_flow_key k = key(6, 1000);
	bool created;
	struct xdpi_flow *f = flow_table__get(ft, &k, 0, &created);

	(void)state;
	f->initiator = 0;
	flow_table__account(ft, f, 0, 60, 0x02, 1);
	assert_int_equal(f->tcp_state, XDPI_TCP_SYN_SENT);
	flow_table__account(ft, f, 1, 60, 0x12, 2);
	assert_int_equal(f->tcp_state, XDPI_TCP_SYN_RECV);
	flow_table__account(ft, f, 0, 60, 0x10, 3);
	assert_int_equal(f->tcp_state, XDPI_TCP_ESTABLISHED);
	flow_table__account(ft, f, 0, 60, 0x11, 4);
	assert_int_equal(f->tcp_state, XDPI_TCP_FIN_WAIT1);
	flow_table__account(ft, f, 1, 60, 0x11, 5);
	assert_int_equal(f->tcp_state, XDPI_TCP_CLOSED);
	assert_string_equal(xdpi_tcp_state_name(f->tcp_state), "closed");
	flow_table__free(ft);
}

static void test_flow_table_timeouts_follow_state(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table__new(8, &timeouts, on_end, &e);
	struct xdpi_flow_key k1 = key(17, 1), k2 = key(17, 2);
	bool created;
	struct xdpi_flow *one_way = flow_table__get(ft, &k1, 0, &created);
	struct xdpi_flow *two_way = flow_table__get(ft, &k2, 0, &created);

	(void)state;
	flow_table__account(ft, one_way, 0, 60, 0, 0);
	flow_table__account(ft, two_way, 0, 60, 0, 0);
	flow_table__account(ft, two_way, 1, 60, 0, 0);
	flow_table__expire(ft, 29 * S);
	assert_int_equal(e.n, 0);
	flow_table__expire(ft, 30 * S);
	assert_int_equal(e.n, 1); /* only the one-way flow: "new" times out first */
	assert_int_equal(e.why[0], XDPI_FLOW_END_TIMEOUT);
	flow_table__expire(ft, 300 * S);
	assert_int_equal(e.n, 2);
	flow_table__free(ft);
}

/* Kernel flows are the kernel's to time out: the expiry ends none of them, whether or not
 * user-space flows share the table, and a flow handed back to user space times out again. */
static void test_flow_table_kernel_flows_left_to_the_kernel(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table__new(8, &timeouts, on_end, &e);
	struct xdpi_flow_key k1 = key(17, 1), k2 = key(17, 2), k3 = key(17, 3);
	bool created;
	struct xdpi_flow *a = flow_table__get(ft, &k1, 0, &created);
	struct xdpi_flow *b = flow_table__get(ft, &k2, 0, &created);
	struct xdpi_flow *user;

	(void)state;
	flow_table__set_kernel(ft, a, true);
	flow_table__set_kernel(ft, b, true);
	flow_table__set_kernel(ft, b, true); /* said twice: counted once */
	flow_table__expire(ft, 100 * S);
	assert_int_equal(e.n, 0);
	user = flow_table__get(ft, &k3, 100 * S, &created); /* a user-space flow among them */
	flow_table__expire(ft, 200 * S);
	assert_int_equal(e.n, 1);
	assert_ptr_not_equal(flow_table__lookup(ft, &k1), NULL);
	(void)user;
	flow_table__set_kernel(ft, a, false); /* the kernel lost it: user space times it out */
	flow_table__expire(ft, 201 * S);
	assert_int_equal(e.n, 2);
	assert_null(flow_table__lookup(ft, &k1));
	assert_ptr_not_equal(flow_table__lookup(ft, &k2), NULL);
	flow_table__end(ft, b, XDPI_FLOW_END_TIMEOUT);
	user = flow_table__get(ft, &k3, 300 * S, &created); /* no kernel flow left: counted so */
	flow_table__expire(ft, 400 * S);
	assert_int_equal(e.n, 4);
	flow_table__free(ft);
}

static void test_flow_table_bound_evicts_least_recent(void **state)
{
	struct ended e = { 0 };
	struct flow_table *ft = flow_table__new(2, &timeouts, on_end, &e);
	struct xdpi_flow_key k1 = key(17, 1), k2 = key(17, 2), k3 = key(17, 3);
	struct flow_table_stats st;
	bool created;

	(void)state;
	flow_table__get(ft, &k1, 1, &created);
	flow_table__get(ft, &k2, 2, &created);
	flow_table__get(ft, &k1, 3, &created); /* k1 becomes the most recent */
	flow_table__get(ft, &k3, 4, &created);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.why[0], XDPI_FLOW_END_FORCED);
	assert_null(flow_table__lookup(ft, &k2));
	assert_non_null(flow_table__lookup(ft, &k1));
	flow_table__stats(ft, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.active, 2);
	flow_table__flush(ft, XDPI_FLOW_END_SHUTDOWN);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.why[2], XDPI_FLOW_END_SHUTDOWN);
	flow_table__free(ft);
}

static void test_flow_table_active_timeout_cuts_records(void **state)
{
	struct xdpi_flow_timeouts t = timeouts;
	struct ended e = { 0 };
	struct flow_table *ft;
	struct xdpi_flow_key k = key(17, 7);
	struct xdpi_flow *f;
	bool created;

	(void)state;
	t.active_ns = 60 * S;
	ft = flow_table__new(8, &t, on_end, &e);
	f = flow_table__get(ft, &k, 0, &created);
	for (uint64_t s = 0; s <= 100; s += 10) {
		flow_table__account(ft, f, (uint8_t)(s / 10 % 2), 100, 0, s * S);
		flow_table__expire(ft, s * S);
	}
	assert_int_equal(e.n, 1);
	assert_int_equal(e.why[0], XDPI_FLOW_END_ACTIVE);
	assert_int_equal(e.pkts[0], 7); /* packets at 0..60 s */
	assert_non_null(flow_table__lookup(ft, &k));
	flow_table__flush(ft, XDPI_FLOW_END_SHUTDOWN);
	assert_int_equal(e.pkts[1], 4); /* the rest, in the final record */
	flow_table__free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_table_lookup_and_create),
		cmocka_unit_test(test_flow_table_tcp_states),
		cmocka_unit_test(test_flow_table_timeouts_follow_state),
		cmocka_unit_test(test_flow_table_kernel_flows_left_to_the_kernel),
		cmocka_unit_test(test_flow_table_bound_evicts_least_recent),
		cmocka_unit_test(test_flow_table_active_timeout_cuts_records),
	};

	return cmocka_run_group_tests_name("flow_table", tests, NULL, NULL);
}
