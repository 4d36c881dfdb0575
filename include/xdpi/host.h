/* SPDX-License-Identifier: GPL-2.0 */
/* What the host must offer xdpi, checked rather than assumed: capabilities, bpffs (mounted by
 * xdpi when missing, as bpftool and the Cilium agent do), kernel BTF, and probes of each
 * kernel feature (XDP modes, tcx, AF_XDP, ring buffer, test runs, BTF tracepoints, uprobes).
 * `xdpi run` checks what its options need before it loads anything; `xdpi doctor` runs all. */
#ifndef XDPI_HOST_H
#define XDPI_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xdpi_host_status {
	XDPI_HOST_OK = 0,
	XDPI_HOST_SETUP, /* missing, and xdpi set it up itself (bpffs) */
	XDPI_HOST_INFO,  /* not needed by what was asked; said for completeness */
	XDPI_HOST_WARN,  /* works, with less (generic XDP, copy-mode AF_XDP, no JIT) */
	XDPI_HOST_FAIL,  /* what was asked cannot work until the fix is applied */
};

struct xdpi_host_check {
	const char *name;
	enum xdpi_host_status status;
	char what[256]; /* the finding */
	char fix[256];  /* what to do about it; "" when nothing */
};

/* Capability bits (linux/capability.h numbers) xdpi may need. */
enum xdpi_cap {
	XDPI_CAP_NET_ADMIN = 12,
	XDPI_CAP_NET_RAW = 13,
	XDPI_CAP_IPC_LOCK = 14,
	XDPI_CAP_SYS_ADMIN = 21,
	XDPI_CAP_PERFMON = 38,
	XDPI_CAP_BPF = 39,
};
#define XDPI_CAPBIT(c) (1ull << (c))

/* What each use of xdpi needs (why, in xdpi_host_cap_why). */
#define XDPI_CAPS_RUN                                                                          \
	(XDPI_CAPBIT(XDPI_CAP_BPF) | XDPI_CAPBIT(XDPI_CAP_NET_ADMIN) |                         \
	 XDPI_CAPBIT(XDPI_CAP_PERFMON) | XDPI_CAPBIT(XDPI_CAP_SYS_ADMIN))
#define XDPI_CAPS_TAP (XDPI_CAPS_RUN | XDPI_CAPBIT(XDPI_CAP_NET_RAW))
#define XDPI_CAPS_REPLAY (XDPI_CAPS_RUN)
#define XDPI_CAPS_CTL (XDPI_CAPBIT(XDPI_CAP_BPF) | XDPI_CAPBIT(XDPI_CAP_SYS_ADMIN))

const char *xdpi_host_cap_name(enum xdpi_cap c);
const char *xdpi_host_cap_why(enum xdpi_cap c);
/* The effective capability set of this process (0 when it cannot be read). */
uint64_t xdpi_host_caps_effective(void);
/* Capabilities: NEEDED against the effective set; FAIL names each missing one and why. */
void xdpi_host_check_caps(uint64_t needed, struct xdpi_host_check *r);

#define XDPI_BPFFS "/sys/fs/bpf"
/* bpffs at /sys/fs/bpf. With MOUNT, a missing one is mounted (status SETUP, said once by the
 * caller); without, its absence is a FAIL with the command that fixes it. */
void xdpi_host_check_bpffs(bool mount, struct xdpi_host_check *r);
bool xdpi_host_bpffs_mounted(void);
/* Kernel BTF (/sys/kernel/btf/vmlinux): the socket hooks need it. */
void xdpi_host_check_btf(bool needed, struct xdpi_host_check *r);

/* Probes that load a tiny program or map and remove it again. IFINDEX 0: no interface. */
void xdpi_host_probe_xdp(int ifindex, const char *ifname, struct xdpi_host_check *r);
void xdpi_host_probe_tcx(int ifindex, const char *ifname, struct xdpi_host_check *r);
void xdpi_host_probe_afxdp(int ifindex, const char *ifname, struct xdpi_host_check *r);
void xdpi_host_probe_ringbuf(struct xdpi_host_check *r);
void xdpi_host_probe_test_run(struct xdpi_host_check *r);
void xdpi_host_probe_tp_btf(struct xdpi_host_check *r);
void xdpi_host_probe_uprobe(struct xdpi_host_check *r);
void xdpi_host_check_tracefs(struct xdpi_host_check *r);
void xdpi_host_check_jit(struct xdpi_host_check *r);
/* The libraries xdpi loads on first use (libcurl, libmicrohttpd): two checks, r[0] and r[1]. */
void xdpi_host_check_optional_libs(struct xdpi_host_check *r);

/* The name of the program attached at XDP on IFINDEX ("" when none) and whether it is xdpi's. */
bool xdpi_host_xdp_attached(int ifindex, char *name, size_t len, uint32_t *prog_id);
/* The ids of the programs that see IFINDEX's arriving packets: its XDP program, then its tcx
 * ingress programs; at most MAX, their number returned. */
int xdpi_host_ingress_progs(int ifindex, uint32_t *ids, int max);

#endif /* XDPI_HOST_H */
