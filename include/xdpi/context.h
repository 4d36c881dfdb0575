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

/* TLS plaintext (src/context/tls_plain.c, bpf/tls_probe.bpf.c): uprobes on OpenSSL 3 and
 * GnuTLS in every process; each record is what one library call read or wrote, tied to its
 * socket (struct xdpi_plain_hdr, then `copied` bytes). */
struct xdpi_plain_hdr;
typedef void (*xdpi_tls_plain_fn)(void *ctx, const struct xdpi_plain_hdr *h, const uint8_t *data);

struct xdpi_tls_plain_cfg {
	uint32_t copy_max; /* the most of one call copied (0: XDPI_PLAIN_COPY_MAX) */
	xdpi_tls_plain_fn fn;
	void *ctx;
};

struct xdpi_tls_plain_stats {
	uint64_t files;          /* library files (or executables) probed */
	uint64_t files_refused;  /* past the bounds (64 probed, 4096 looked into) */
	uint64_t attach_errors;
	uint64_t scans;          /* looks through /proc */
	uint64_t execs_looked_at;      /* started processes looked at (the exec tracepoint) */
	uint64_t execs_left_to_rescan; /* ... too many at once: left to the next look */
	uint64_t records, bad_records;
	uint64_t kernel[16];     /* the probes' counters, by enum xdpi_plain_counter */
};

struct xdpi_tls_plain;
/* Loads the probes, attaches them to every TLS library found. NULL with the reason in ERR. */
struct xdpi_tls_plain *xdpi_tls_plain__open(const struct xdpi_tls_plain_cfg *cfg, char *err,
					     size_t errlen);
/* Hands what the ring holds to the callback; looks for new library files every few seconds
 * (NOW: CLOCK_MONOTONIC ns). Returns records handled or -errno. */
int xdpi_tls_plain__drain(struct xdpi_tls_plain *t, uint64_t now);
void xdpi_tls_plain__stats(const struct xdpi_tls_plain *t, struct xdpi_tls_plain_stats *st);
void xdpi_tls_plain__free(struct xdpi_tls_plain *t);
const char *xdpi_plain_lib_name(uint8_t lib);

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
