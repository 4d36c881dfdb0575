/* SPDX-License-Identifier: GPL-2.0 */
/* Process and container context of flows (src/context/): the socket hooks of
 * bpf/sock_ctx.bpf.c say which process owns each local socket; a flow's two ends are looked
 * up there, and the owner's cgroup names its container. EVE events of the flow then carry
 * xdpi.process{pid, comm, uid, side, confidence, source, cgroup} and
 * xdpi.container{id, runtime} (and xdpi.peer{...} when both ends are local). */
#ifndef XDPI_CONTEXT_H
#define XDPI_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdpi_flow;
struct xdpi_json;

struct xdpi_proc_side {
	bool valid;
	uint32_t pid, uid;
	char comm[16];
	const char *confidence; /* "high": the socket's exact tuple, seen in its owner;
				 * "medium": any local address; "low": the local port only */
	const char *source;     /* "tcp_io", "udp_io": the hook that saw the owner */
	uint64_t cgroup_id;
	char cgroup[192];       /* the cgroup v2 path; "" when unknown */
	char container_id[72];  /* "" when not in a container */
	char runtime[16];       /* docker, containerd, cri-o, podman, systemd */
};

/* By canonical side of the flow: [0] the key's a side, [1] its b side. */
struct xdpi_proc_ctx {
	struct xdpi_proc_side side[2];
};

struct xdpi_sock_ctx_stats {
	uint64_t lookups, found, not_found, errors;
};

struct xdpi_sock_ctx;
/* Loads and attaches the socket hooks. NULL with the reason in ERR. */
struct xdpi_sock_ctx *xdpi_sock_ctx__open(char *err, size_t errlen);
/* The owners of F's ends (malloc'd; the caller frees), NULL when neither is known.
 * Thread-safe. */
struct xdpi_proc_ctx *xdpi_sock_ctx__lookup(struct xdpi_sock_ctx *s, const struct xdpi_flow *f);
void xdpi_sock_ctx__stats(struct xdpi_sock_ctx *s, struct xdpi_sock_ctx_stats *st);
void xdpi_sock_ctx__free(struct xdpi_sock_ctx *s);

/* The container a cgroup path belongs to: runtime and id from the path's last container-like
 * component (docker-<id>.scope, /docker/<id>, cri-containerd-<id>.scope, crio-<id>.scope,
 * libpod-<id>.scope, /kubepods/.../<id>, a systemd unit). false: none. */
bool xdpi_container_parse(const char *path, char *id, size_t idlen, char *runtime, size_t rlen);
/* The cgroup v2 path of cgroup ID, from a cache or a walk of the cgroup2 mount. */
bool xdpi_cgroup_path(uint64_t id, char *path, size_t n);

/* Writes process, container and peer into the open xdpi object; INITIATOR: the client's
 * canonical side. */
void xdpi_proc_ctx_json(struct xdpi_json *j, const struct xdpi_proc_ctx *p, uint8_t initiator);

#endif /* XDPI_CONTEXT_H */
