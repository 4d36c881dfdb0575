// SPDX-License-Identifier: GPL-2.0
/* The balancer's maps, written from user space: services, backends, the kernel settings, and
 * each service's Maglev table as a whole new inner map swapped into lb_rings in one update. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpi/lb.h"

const char *const xdpi_lb_svc_counter_names[XDPI_LB_SC_MAX] = {
#define XDPI_X_NAME(id, name) [XDPI_LB_SC_##id] = name,
	XDPI_LB_SVC_COUNTERS(XDPI_X_NAME)
#undef XDPI_X_NAME
};

const char *const xdpi_lb_backend_counter_names[XDPI_LB_BC_MAX] = {
#define XDPI_X_NAME(id, name) [XDPI_LB_BC_##id] = name,
	XDPI_LB_BACKEND_COUNTERS(XDPI_X_NAME)
#undef XDPI_X_NAME
};

int xdpi_lb_table_swap(const struct xdpi_lb_maps *m, uint32_t svc, const uint32_t *table)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	uint32_t *keys = malloc(XDPI_LB_RING_SIZE * sizeof(*keys));
	uint32_t count = XDPI_LB_RING_SIZE;
	int fd, err = 0;

	if (!keys)
		return -ENOMEM;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_ring", sizeof(uint32_t), sizeof(uint32_t),
			    XDPI_LB_RING_SIZE, NULL);
	if (fd < 0) {
		free(keys);
		return -errno;
	}
	for (uint32_t i = 0; i < XDPI_LB_RING_SIZE; i++)
		keys[i] = i;
	if (bpf_map_update_batch(fd, keys, table, &count, &bo) || count != XDPI_LB_RING_SIZE)
		err = errno ? -errno : -EIO;
	if (!err && bpf_map_update_elem(m->rings, &svc, &fd, BPF_ANY))
		err = -errno;
	close(fd); /* the outer map holds it now; the old table goes when its last reader does */
	free(keys);
	return err;
}

int xdpi_lb_install(const struct xdpi_lb_maps *m, const struct xdpi_lb_conf *c)
{
	if (xdpi_lb_enable(m, c, false)) /* services first, then the switch */
		return -errno;
	for (uint32_t i = 0; i < c->nbackends; i++) {
		const struct xdpi_lb_backend_conf *b = &c->backends[i];
		struct xdpi_lb_backend v = { .family = b->family, .state = XDPI_LB_CONFIGURED,
					     .service = b->service, .weight = b->weight };

		memcpy(v.addr, b->addr, sizeof(v.addr));
		if (bpf_map_update_elem(m->backends, &i, &v, BPF_ANY))
			return -errno;
	}
	for (uint32_t i = 0; i < c->nservices; i++) {
		struct xdpi_lb_vip v = { .service = i };

		if (bpf_map_update_elem(m->vips, &c->services[i].vip, &v, BPF_ANY))
			return -errno;
	}
	return 0; /* still off: xdpi_lb_enable, once the tables are in */
}

int xdpi_lb_enable(const struct xdpi_lb_maps *m, const struct xdpi_lb_conf *c, bool on)
{
	uint32_t zero = 0;
	struct xdpi_lb_cfg k = c->kernel;

	k.on = on;
	return bpf_map_update_elem(m->cfg, &zero, &k, BPF_ANY) ? -errno : 0;
}

/* The per-CPU values of KEY in FD, summed into OUT[N]. */
static int percpu_sum(int fd, uint32_t key, uint64_t *out, size_t n)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *v;

	memset(out, 0, n * sizeof(*out));
	if (ncpus <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpus, n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -errno;
	}
	for (int c = 0; c < ncpus; c++)
		for (size_t i = 0; i < n; i++)
			out[i] += v[(size_t)c * n + i];
	free(v);
	return 0;
}

int xdpi_lb_svc_read(const struct xdpi_lb_maps *m, uint32_t svc, uint64_t out[XDPI_LB_SC_MAX])
{
	return percpu_sum(m->svc_stats, svc, out, XDPI_LB_SC_MAX);
}

int xdpi_lb_backend_read(const struct xdpi_lb_maps *m, uint32_t id, uint64_t out[XDPI_LB_BC_MAX])
{
	return percpu_sum(m->backend_stats, id, out, XDPI_LB_BC_MAX);
}
