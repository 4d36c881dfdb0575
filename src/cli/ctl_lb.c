// SPDX-License-Identifier: GPL-2.0
/* xdpi ctl's balancer commands, through the pinned lb_* maps: show services and backends, and
 * change a service's backends live. xdpi ctl writes only what an operator configures (a
 * backend, its weight, its removal); the running xdpi sees the change within 100 ms, rebuilds
 * the service's Maglev table and swaps it in, and says so in an `lb` event. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "xdpi/lb.h"
#include "xdpi/pins.h"

struct lb_ctl {
	const struct xdpi_pins *p;
	struct xdpi_lb_maps m;
};

static int find_service(const struct lb_ctl *c, const char *cmd, const char *text,
			struct xdpi_lb_vip_key *vk, uint32_t *svc)
{
	struct xdpi_lb_vip v;

	if (xdpi_lb_vip_parse(text, vk)) {
		fprintf(stderr, "xdpi ctl %s: '%s' is not VIP:PORT, [VIP6]:PORT (/tcp, /udp)\n", cmd,
			text);
		return -2;
	}
	if (bpf_map_lookup_elem(c->m.vips, vk, &v)) {
		fprintf(stderr, "xdpi ctl %s: no service at %s (`xdpi ctl -i IFACE lb` lists them)\n",
			cmd, text);
		return -1;
	}
	*svc = v.service;
	return 0;
}

static int parse_backend(const char *cmd, const char *text, struct xdpi_lb_backend *b)
{
	memset(b, 0, sizeof(*b));
	if (inet_pton(AF_INET, text, b->addr) == 1)
		b->family = 4;
	else if (inet_pton(AF_INET6, text, b->addr) == 1)
		b->family = 6;
	else {
		fprintf(stderr, "xdpi ctl %s: '%s' is not an IPv4 or IPv6 address\n", cmd, text);
		return -2;
	}
	return 0;
}

/* The id of SVC's backend at B's address (state not FREE), or -1. */
static int find_backend(const struct lb_ctl *c, uint32_t svc, const struct xdpi_lb_backend *b,
			struct xdpi_lb_backend *cur)
{
	for (uint32_t id = 0; id < XDPI_LB_BACKENDS_MAX; id++) {
		if (bpf_map_lookup_elem(c->m.backends, &id, cur))
			continue;
		if (cur->state != XDPI_LB_FREE && cur->service == svc &&
		    cur->family == b->family && !memcmp(cur->addr, b->addr, 16))
			return (int)id;
	}
	return -1;
}

static int parse_weight(const char *cmd, const char *text, uint16_t *w)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (!*text || *end || v > 1000) {
		fprintf(stderr, "xdpi ctl %s: weight '%s' is not a number from 0 to 1000\n", cmd,
			text);
		return -2;
	}
	*w = (uint16_t)v;
	return 0;
}

static int usage(const char *cmd, const char *args)
{
	fprintf(stderr, "xdpi ctl %s: expected %s\n", cmd, args);
	return EXIT_USAGE;
}

static int status(int rc)
{
	return rc == -2 ? EXIT_USAGE : rc ? 1 : 0;
}

static int cmd_weight(struct lb_ctl *c, int argc, char **argv)
{
	struct xdpi_lb_vip_key vk;
	struct xdpi_lb_backend b, cur;
	uint32_t svc;
	uint16_t w;
	int id, rc;

	if (argc != 3)
		return usage("lb-weight", "VIP:PORT BACKEND WEIGHT (0: drain)");
	if ((rc = find_service(c, "lb-weight", argv[0], &vk, &svc)) ||
	    (rc = parse_backend("lb-weight", argv[1], &b)) ||
	    (rc = parse_weight("lb-weight", argv[2], &w)))
		return status(rc);
	id = find_backend(c, svc, &b, &cur);
	if (id < 0) {
		fprintf(stderr, "xdpi ctl lb-weight: %s is not a backend of %s\n", argv[1], argv[0]);
		return 1;
	}
	cur.weight = w;
	if (bpf_map_update_elem(c->m.backends, &(uint32_t){ (uint32_t)id }, &cur, BPF_ANY)) {
		fprintf(stderr, "xdpi ctl lb-weight: %s\n", strerror(errno));
		return 1;
	}
	printf("%s %s weight %u%s\n", argv[0], argv[1], w,
	       w ? "" : " (draining: no new connections, established ones stay)");
	return 0;
}

static int cmd_add(struct lb_ctl *c, int argc, char **argv)
{
	struct xdpi_lb_vip_key vk;
	struct xdpi_lb_backend b, cur;
	struct xdpi_lb_cfg k;
	uint32_t svc, zero = 0;
	uint16_t w = 1;
	int rc;

	if (argc != 2 && argc != 3)
		return usage("lb-add", "VIP:PORT BACKEND [WEIGHT]");
	if ((rc = find_service(c, "lb-add", argv[0], &vk, &svc)) ||
	    (rc = parse_backend("lb-add", argv[1], &b)) ||
	    (argc == 3 && (rc = parse_weight("lb-add", argv[2], &w))))
		return status(rc);
	if (find_backend(c, svc, &b, &cur) >= 0) {
		fprintf(stderr, "xdpi ctl lb-add: %s is already a backend of %s\n", argv[1], argv[0]);
		return 1;
	}
	if (!bpf_map_lookup_elem(c->m.cfg, &zero, &k) &&
	    ((b.family == 4 && !k.src4) || (b.family == 6 && !k.src6[0]))) {
		fprintf(stderr, "xdpi ctl lb-add: the balancer has no IPv%u outer-source for %s "
			"(add one to its --lb file and restart it)\n", b.family, argv[1]);
		return 1;
	}
	b.state = XDPI_LB_CONFIGURED;
	b.service = (uint16_t)svc;
	b.weight = w;
	for (uint32_t id = 0; id < XDPI_LB_BACKENDS_MAX; id++) {
		if (bpf_map_lookup_elem(c->m.backends, &id, &cur) || cur.state != XDPI_LB_FREE)
			continue;
		if (bpf_map_update_elem(c->m.backends, &id, &b, BPF_ANY))
			break;
		printf("%s: added backend %s (id %u, weight %u)\n", argv[0], argv[1], id, w);
		return 0;
	}
	fprintf(stderr, "xdpi ctl lb-add: no free backend slot (%d in use)\n", XDPI_LB_BACKENDS_MAX);
	return 1;
}

/* Marks the backend LEAVING and waits (2 s at most) for the daemon to take it out of the
 * table and free it. */
static int cmd_remove(struct lb_ctl *c, int argc, char **argv)
{
	struct xdpi_lb_vip_key vk;
	struct xdpi_lb_backend b, cur;
	struct timespec step = { 0, 20 * 1000000 };
	uint32_t svc, key;
	int id, rc;

	if (argc != 2)
		return usage("lb-remove", "VIP:PORT BACKEND");
	if ((rc = find_service(c, "lb-remove", argv[0], &vk, &svc)) ||
	    (rc = parse_backend("lb-remove", argv[1], &b)))
		return status(rc);
	id = find_backend(c, svc, &b, &cur);
	if (id < 0) {
		fprintf(stderr, "xdpi ctl lb-remove: %s is not a backend of %s\n", argv[1], argv[0]);
		return 1;
	}
	key = (uint32_t)id;
	cur.state = XDPI_LB_LEAVING;
	if (bpf_map_update_elem(c->m.backends, &key, &cur, BPF_ANY)) {
		fprintf(stderr, "xdpi ctl lb-remove: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < 100; i++) {
		if (!bpf_map_lookup_elem(c->m.backends, &key, &cur) && cur.state == XDPI_LB_FREE) {
			printf("%s: removed backend %s\n", argv[0], argv[1]);
			return 0;
		}
		nanosleep(&step, NULL);
	}
	fprintf(stderr, "xdpi ctl lb-remove: the running xdpi did not take %s out within 2 s "
		"(it is marked leaving: its connections are balanced again already)\n", argv[1]);
	return 1;
}

static void show_backend(const struct lb_ctl *c, uint32_t id, const struct xdpi_lb_backend *b)
{
	char a[INET6_ADDRSTRLEN];
	uint64_t bc[XDPI_LB_BC_MAX] = { 0 };

	inet_ntop(b->family == 4 ? AF_INET : AF_INET6, b->addr, a, sizeof(a));
	xdpi_lb_backend_read(&c->m, id, bc);
	printf("  backend %-39s id %-4u weight %-4u %s%s%s%s", a, id, b->weight,
	       b->state == XDPI_LB_LEAVING ? "leaving" : b->health ? "failing:" : "healthy",
	       b->health & XDPI_LB_HEALTH_ACTIVE ? " active" : "",
	       b->health & XDPI_LB_HEALTH_PASSIVE ? " passive" : "",
	       b->health & XDPI_LB_HEALTH_L7 ? " l7" : "");
	for (int k = 0; k < XDPI_LB_BC_MAX; k++)
		printf(" %s=%llu", xdpi_lb_backend_counter_names[k], (unsigned long long)bc[k]);
	printf("\n");
}

static int cmd_show(struct lb_ctl *c)
{
	struct xdpi_lb_vip_key k, next, *prev = NULL;
	struct xdpi_lb_vip v;
	struct xdpi_lb_backend b;
	uint64_t sc[XDPI_LB_SC_MAX];
	char vip[80];
	int n = 0;

	while (!bpf_map_get_next_key(c->m.vips, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(c->m.vips, &k, &v))
			continue;
		xdpi_lb_vip_format(&k, vip, sizeof(vip));
		xdpi_lb_svc_read(&c->m, v.service, sc);
		printf("service %u %s", v.service, vip);
		for (int i = 0; i < XDPI_LB_SC_MAX; i++)
			printf(" %s=%llu", xdpi_lb_svc_counter_names[i], (unsigned long long)sc[i]);
		printf("\n");
		for (uint32_t id = 0; id < XDPI_LB_BACKENDS_MAX; id++)
			if (!bpf_map_lookup_elem(c->m.backends, &id, &b) && b.state != XDPI_LB_FREE &&
			    b.service == v.service)
				show_backend(c, id, &b);
		n++;
	}
	if (!n)
		printf("no virtual services (xdpi runs without --lb)\n");
	return 0;
}

bool ctl_lb_command(const char *cmd)
{
	return !strcmp(cmd, "lb") || !strcmp(cmd, "lb-weight") || !strcmp(cmd, "lb-add") ||
	       !strcmp(cmd, "lb-remove");
}

int ctl_lb(const struct xdpi_pins *p, const char *cmd, int argc, char **argv)
{
	struct lb_ctl c = { .p = p, .m = {
		.vips = p->fd[XDPI_PIN_LB_VIPS], .rings = -1,
		.backends = p->fd[XDPI_PIN_LB_BACKENDS], .cfg = p->fd[XDPI_PIN_LB_CFG],
		.svc_stats = p->fd[XDPI_PIN_LB_SVC_STATS],
		.backend_stats = p->fd[XDPI_PIN_LB_BACKEND_STATS] } };

	if (!strcmp(cmd, "lb")) {
		if (argc)
			return usage("lb", "no arguments");
		return cmd_show(&c);
	}
	if (!strcmp(cmd, "lb-weight"))
		return cmd_weight(&c, argc, argv);
	if (!strcmp(cmd, "lb-add"))
		return cmd_add(&c, argc, argv);
	return cmd_remove(&c, argc, argv);
}
