// SPDX-License-Identifier: GPL-2.0
/* The defaults read and run start from, and the clocks. */
#include <string.h>
#include <time.h>
#include "app_int.h"

void xdpi_app_defaults(struct xdpi_app_common *c)
{
	memset(c, 0, sizeof(*c));
	c->observe.out.eve = "-";
	c->timeouts.new_ns = 30 * XDPI_NS_PER_SEC;
	c->timeouts.established_ns = 300 * XDPI_NS_PER_SEC;
	c->timeouts.closed_ns = 10 * XDPI_NS_PER_SEC;
	c->timeouts.active_ns = 3600 * XDPI_NS_PER_SEC;
	c->max_flows = XDPI_FLOWS_DEFAULT;
	c->steer = XDPI_STEER_MSG;
	c->head_pkts = XDPI_HEAD_PKTS_DEFAULT;
	c->head_budget = XDPI_MSG_HEAD_BUDGET;
	c->snaplen = XDPI_SNAPLEN_DEFAULT;
	c->rules.drop_ttl_s = 600;
	c->workers = 1;
	c->observe.pcap_rotate_mb = 100;
	c->observe.pcap_keep = 10;
	xdpi_anomaly_defaults(&c->rules.anomaly);
}

uint64_t xdpi_app_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * XDPI_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

int64_t xdpi_app_wall_offset_ns(void)
{
	struct timespec rt;
	uint64_t mono = xdpi_app_monotonic_ns();

	clock_gettime(CLOCK_REALTIME, &rt);
	return (int64_t)((uint64_t)rt.tv_sec * XDPI_NS_PER_SEC + (uint64_t)rt.tv_nsec) -
	       (int64_t)mono;
}
