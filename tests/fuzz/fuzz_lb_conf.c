// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the balancer's file. An accepted file is consistent (every backend belongs to a
 * defined service, weights and counts within bounds, each VIP formats to text that parses back
 * to the same key) and every service's Maglev table holds only that service's weighted
 * backends; a rejected file says where (file:line:col). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/lb.h"

static struct xdpi_lb_conf conf;
static uint32_t table[XDPI_LB_RING_SIZE];
static struct xdpi_lb_member members[XDPI_LB_BACKENDS_MAX];

static void check_service(uint32_t svc)
{
	struct xdpi_lb_vip_key again;
	char text[80];
	size_t n = 0;

	xdpi_lb_vip_format(&conf.services[svc].vip, text, sizeof(text));
	if (xdpi_lb_vip_parse(text, &again) || memcmp(&again, &conf.services[svc].vip, sizeof(again)))
		abort();
	for (uint32_t id = 0; id < conf.nbackends; id++) {
		const struct xdpi_lb_backend_conf *b = &conf.backends[id];

		if (b->service >= conf.nservices || b->weight > 1000 ||
		    (b->family != 4 && b->family != 6))
			abort();
		if (b->service != svc)
			continue;
		members[n] = (struct xdpi_lb_member){ .id = id, .family = b->family,
						      .weight = b->weight };
		memcpy(members[n].addr, b->addr, 16);
		n++;
	}
	if (n > 64) /* the table's cost grows with members: enough to check a few */
		return;
	if (xdpi_maglev_build(members, n, table))
		abort();
	for (uint32_t i = 0; i < XDPI_LB_RING_SIZE; i++) {
		if (table[i] == XDPI_LB_NONE)
			continue;
		if (table[i] >= conf.nbackends || conf.backends[table[i]].service != svc ||
		    !conf.backends[table[i]].weight)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	int rc = xdpi_lb_conf_parse("in", (const char *)data, size, &conf, err, sizeof(err));

	if (rc) {
		if (strncmp(err, "in:", 3)) /* every error names its place */
			abort();
		return 0;
	}
	if (!conf.nservices || conf.nservices > XDPI_LB_SERVICES_MAX ||
	    conf.nbackends > XDPI_LB_BACKENDS_MAX || !conf.kernel.on)
		abort();
	for (uint32_t s = 0; s < conf.nservices && s < 4; s++)
		check_service(s);
	return 0;
}
