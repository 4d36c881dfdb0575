// SPDX-License-Identifier: GPL-2.0
/* Flow ends to processes: the socket hooks' map looked up with each end of a flow as the
 * local side, most exact key first (the whole tuple; any local address; the local port
 * alone), then the owner's cgroup to its container. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpi/bytes.h"
#include "bpf/sock_ctx.skel.h"
#include "xdpi/context.h"
#include "xdpi/flow.h"
#include "xdpi/log.h"

struct xdpi_sock_ctx {
	struct sock_ctx *skel;
	int map_fd;
	pthread_mutex_t lock; /* the counters */
	struct xdpi_sock_ctx_stats st;
};

struct xdpi_sock_ctx *xdpi_sock_ctx__open(char *err, size_t errlen)
{
	struct xdpi_sock_ctx *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->skel = sock_ctx__open_and_load();
	if (!s->skel) {
		snprintf(err, errlen, "loading the socket hooks failed: %s (needs BTF "
			 "tracepoints (tp_btf) and CAP_BPF + CAP_PERFMON)", strerror(errno));
		goto fail;
	}
	rc = sock_ctx__attach(s->skel);
	if (rc) {
		snprintf(err, errlen, "attaching the socket hooks failed: %s", strerror(-rc));
		goto fail;
	}
	s->map_fd = bpf_map__fd(s->skel->maps.sock_ctx);
	pthread_mutex_init(&s->lock, NULL);
	return s;
fail:
	sock_ctx__destroy(s->skel);
	free(s);
	return NULL;
}

void xdpi_sock_ctx__free(struct xdpi_sock_ctx *s)
{
	if (!s)
		return;
	sock_ctx__destroy(s->skel); /* detaches every hook */
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static const char *source_name(uint8_t src)
{
	switch (src) {
	case XDPI_SOCK_TCP_IO: return "tcp_io";
	case XDPI_SOCK_UDP_IO: return "udp_io";
	}
	return "unknown";
}

static void fill_side(struct xdpi_proc_side *p, const struct xdpi_sock_value *v,
		      const char *confidence)
{
	p->valid = true;
	p->pid = v->pid;
	p->uid = v->uid;
	memcpy(p->comm, v->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	p->confidence = confidence;
	p->source = source_name(v->source);
	p->cgroup_id = v->cgroup_id;
	if (xdpi_cgroup_path(v->cgroup_id, p->cgroup, sizeof(p->cgroup)))
		xdpi_container_parse(p->cgroup, p->container_id, sizeof(p->container_id), p->runtime,
				     sizeof(p->runtime));
}

/* Side S of F as the local end: the whole tuple, then any local address, then the port. */
static int lookup_side(struct xdpi_sock_ctx *s, const struct xdpi_flow *f, int side,
		       struct xdpi_proc_side *out)
{
	static const char *const confidence[] = { "high", "medium", "low" };
	const struct xdpi_flow_key *k = &f->key;
	struct xdpi_sock_key key = { .family = k->family, .proto = k->proto };
	struct xdpi_sock_value v;
	size_t alen = k->family == 6 ? 16 : 4;

	memcpy(key.laddr, side ? k->addr_b : k->addr_a, alen);
	memcpy(key.raddr, side ? k->addr_a : k->addr_b, alen);
	key.lport = __builtin_bswap16(side ? k->port_b : k->port_a);
	key.rport = __builtin_bswap16(side ? k->port_a : k->port_b);
	for (int step = 0; step < 3; step++) {
		if (step == 1)
			memset(key.laddr, 0, sizeof(key.laddr));
		if (step == 2) {
			memset(key.raddr, 0, sizeof(key.raddr));
			key.rport = 0;
		}
		if (!bpf_map_lookup_elem(s->map_fd, &key, &v)) {
			fill_side(out, &v, confidence[step]);
			return 1;
		}
		if (errno != ENOENT)
			return -errno;
	}
	return 0;
}

struct xdpi_proc_ctx *xdpi_sock_ctx__lookup(struct xdpi_sock_ctx *s, const struct xdpi_flow *f)
{
	struct xdpi_proc_ctx *p;
	int found = 0, err = 0;

	if (f->key.proto != XDPI_IPPROTO_TCP && f->key.proto != XDPI_IPPROTO_UDP)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	for (int side = 0; side < 2; side++) {
		int rc = lookup_side(s, f, side, &p->side[side]);

		found += rc > 0;
		err |= rc < 0;
	}
	pthread_mutex_lock(&s->lock);
	s->st.lookups++;
	if (err)
		s->st.errors++;
	else if (found)
		s->st.found++;
	else
		s->st.not_found++;
	pthread_mutex_unlock(&s->lock);
	if (!found) {
		free(p);
		return NULL;
	}
	return p;
}

void xdpi_sock_ctx__stats(struct xdpi_sock_ctx *s, struct xdpi_sock_ctx_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->st;
	pthread_mutex_unlock(&s->lock);
}
