// SPDX-License-Identifier: GPL-2.0
/* Host preconditions and kernel feature probes. Each probe loads the smallest program or map
 * that answers its question for real (no version tables) and removes it again. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/perf_event.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "xdpi/curl_dl.h"
#include "xdpi/host.h"
#include "xdpi/mhd_dl.h"

#define BPF_FS_MAGIC_ 0xcafe4a11
#define TRACEFS_MAGIC_ 0x74726163
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif
#define TCX_EGRESS_ 47 /* BPF_TCX_EGRESS: Debian's UAPI headers predate it */

static void set(struct xdpi_host_check *r, const char *name, enum xdpi_host_status st,
		const char *fix, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set(struct xdpi_host_check *r, const char *name, enum xdpi_host_status st,
		const char *fix, const char *fmt, ...)
{
	va_list ap;

	r->name = name;
	r->status = st;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
	snprintf(r->fix, sizeof(r->fix), "%s", fix ? fix : "");
}

/* ---- capabilities ---- */

static const struct {
	enum xdpi_cap cap;
	const char *name;
	const char *why;
} caps[] = {
	{ XDPI_CAP_BPF, "CAP_BPF", "load BPF programs and maps" },
	{ XDPI_CAP_PERFMON, "CAP_PERFMON", "the verifier's pointer checks, ring buffer and tracing hooks" },
	{ XDPI_CAP_NET_ADMIN, "CAP_NET_ADMIN", "attach XDP and TC programs" },
	{ XDPI_CAP_SYS_ADMIN, "CAP_SYS_ADMIN", "open the policy tries by id, mount bpffs" },
	{ XDPI_CAP_NET_RAW, "CAP_NET_RAW", "AF_XDP sockets (tap mode)" },
	{ XDPI_CAP_IPC_LOCK, "CAP_IPC_LOCK", "lock AF_XDP memory past RLIMIT_MEMLOCK" },
};

const char *xdpi_host_cap_name(enum xdpi_cap c)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (caps[i].cap == c)
			return caps[i].name;
	return "CAP_?";
}

const char *xdpi_host_cap_why(enum xdpi_cap c)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (caps[i].cap == c)
			return caps[i].why;
	return "";
}

uint64_t xdpi_host_caps_effective(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return (uint64_t)data[1].effective << 32 | data[0].effective;
}

void xdpi_host_check_caps(uint64_t needed, struct xdpi_host_check *r)
{
	uint64_t have = xdpi_host_caps_effective(), missing = needed & ~have;
	char names[160] = "", whys[200] = "";
	size_t n = 0, w = 0;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (!(missing & XDPI_CAPBIT(caps[i].cap)))
			continue;
		n += (size_t)snprintf(names + n, n < sizeof(names) ? sizeof(names) - n : 0, "%s%s",
				      n ? " " : "", caps[i].name);
		w += (size_t)snprintf(whys + w, w < sizeof(whys) ? sizeof(whys) - w : 0, "%s%s",
				      w ? "; " : "", caps[i].why);
	}
	if (!missing) {
		set(r, "capabilities", XDPI_HOST_OK, NULL, "held: every one needed");
		return;
	}
	set(r, "capabilities", XDPI_HOST_FAIL, "run as root, or grant them (the systemd unit "
	    "contrib/systemd/xdpi@.service lists them: CapabilityBoundingSet, AmbientCapabilities)",
	    "missing %s (%s)", names, whys);
}

/* ---- bpffs, BTF, tracefs, JIT ---- */

bool xdpi_host_bpffs_mounted(void)
{
	struct statfs st;

	return !statfs(XDPI_BPFFS, &st) && (unsigned long)st.f_type == BPF_FS_MAGIC_;
}

static unsigned long long ns_inode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (unsigned long long)st.st_ino;
}

/* A mount made in a private mount namespace (`ip netns exec`, `unshare -m`, a container) is
 * seen only by processes in that namespace. */
static bool private_mount_ns(void)
{
	unsigned long long self = ns_inode("/proc/self/ns/mnt"), init = ns_inode("/proc/1/ns/mnt");

	return self && init && self != init;
}

static const char *mount_fix(int err)
{
	switch (err) {
	case EROFS:
		return "/sys is read-only here (a container?): give it the host's bpffs, e.g. "
		       "`docker run -v /sys/fs/bpf:/sys/fs/bpf`, or `mount -o remount,rw /sys`";
	case EPERM:
	case EACCES:
		return "mounting needs CAP_SYS_ADMIN: run `mount -t bpf bpf /sys/fs/bpf` as root";
	default:
		return "mount -t bpf bpf /sys/fs/bpf";
	}
}

void xdpi_host_check_bpffs(bool mount_it, struct xdpi_host_check *r)
{
	struct statvfs vfs;

	if (xdpi_host_bpffs_mounted()) {
		set(r, "bpffs", XDPI_HOST_OK, NULL, "mounted at " XDPI_BPFFS);
		return;
	}
	if (!mount_it) {
		bool ro = !statvfs("/sys", &vfs) && (vfs.f_flag & ST_RDONLY);

		set(r, "bpffs", ro ? XDPI_HOST_FAIL : XDPI_HOST_INFO, ro ? mount_fix(EROFS) : "",
		    "not mounted at " XDPI_BPFFS "%s", ro ? ", and /sys is read-only: `xdpi ctl` "
		    "cannot reach a running xdpi" : "; `xdpi run` mounts it when it starts");
		return;
	}
	if (mount("bpf", XDPI_BPFFS, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME,
		  "mode=0700")) {
		int err = errno;

		set(r, "bpffs", XDPI_HOST_FAIL, mount_fix(err), "not mounted at " XDPI_BPFFS
		    ", and mounting it failed: %s", strerror(err));
		return;
	}
	set(r, "bpffs", XDPI_HOST_SETUP, NULL, "mounted bpffs at " XDPI_BPFFS " (it was missing)%s",
	    private_mount_ns() ? " in this mount namespace only: run `xdpi ctl` in the same one "
	    "(nsenter --net=..., not ip netns exec)" : "");
}

void xdpi_host_check_btf(bool needed, struct xdpi_host_check *r)
{
	struct stat st;

	if (!stat("/sys/kernel/btf/vmlinux", &st)) {
		set(r, "kernel BTF", XDPI_HOST_OK, NULL, "/sys/kernel/btf/vmlinux (%lld KiB)",
		    (long long)st.st_size / 1024);
		return;
	}
	set(r, "kernel BTF", needed ? XDPI_HOST_FAIL : XDPI_HOST_WARN,
	    "a kernel built with CONFIG_DEBUG_INFO_BTF=y (every major distribution's is)",
	    "/sys/kernel/btf/vmlinux is missing: no socket hooks (--process-context)");
}

void xdpi_host_check_tracefs(struct xdpi_host_check *r)
{
	struct statfs st;

	if (!statfs("/sys/kernel/tracing", &st) && (unsigned long)st.f_type == TRACEFS_MAGIC_)
		set(r, "tracefs", XDPI_HOST_OK, NULL, "mounted at /sys/kernel/tracing (not needed)");
	else
		set(r, "tracefs", XDPI_HOST_INFO, NULL, "not mounted; not needed: xdpi uses BTF "
		    "tracepoints and the uprobe PMU, which do without it");
}

/* Libraries loaded on first use (xdpi/dl.h): a host without one runs everything but the
 * features that need it, which fail when asked for, naming it. */
static void optional_lib(struct xdpi_host_check *r, const char *name, bool loads, const char *err,
			 const char *users, const char *package)
{
	char fix[64];

	snprintf(fix, sizeof(fix), "apt-get install %s", package);
	if (loads)
		set(r, name, XDPI_HOST_OK, NULL, "loads (used by %s)", users);
	else
		set(r, name, XDPI_HOST_WARN, fix, "%s: %s cannot work", err, users);
}

void xdpi_host_check_optional_libs(struct xdpi_host_check *r)
{
	char err[256];
	bool loads = xdpi_curl(err, sizeof(err)) != NULL;

	optional_lib(&r[0], "libcurl", loads, err, "--api-webhook, the health checks of --lb, xdpi top",
		     "libcurl4");
	loads = xdpi_mhd(err, sizeof(err)) != NULL;
	optional_lib(&r[1], "libmicrohttpd", loads, err, "--metrics", "libmicrohttpd12");
}

void xdpi_host_check_jit(struct xdpi_host_check *r)
{
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	if (v == 0)
		set(r, "BPF JIT", XDPI_HOST_WARN, "sysctl -w net.core.bpf_jit_enable=1",
		    "off: programs run in the interpreter, several times slower");
	else
		set(r, "BPF JIT", XDPI_HOST_OK, NULL, "%s", v < 0 ? "always on" : "on");
}

/* ---- probes ---- */

#define INSN(op, d, s, o, i) \
	((struct bpf_insn){ .code = (op), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* r0 = RET; exit */
static int load_trivial(enum bpf_prog_type type, int ret, struct bpf_prog_load_opts *opts)
{
	const struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, ret),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd = bpf_prog_load(type, "xdpi_probe", "GPL", insns, 2, opts);

	return fd < 0 ? -errno : fd;
}

static void driver_name(const char *ifname, char *out, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(out, len, "?");
	if (s < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	if (!ioctl(s, SIOCETHTOOL, &ifr))
		snprintf(out, len, "%s", info.driver);
	close(s);
}

bool xdpi_host_xdp_attached(int ifindex, char *name, size_t len, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = { 0 };
	__u32 ilen = sizeof(info);
	int fd;

	if (len)
		name[0] = '\0';
	if (prog_id)
		*prog_id = 0;
	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return false;
	if (prog_id)
		*prog_id = q.prog_id;
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	if (fd >= 0)
		close(fd);
	return true;
}

int xdpi_host_ingress_progs(int ifindex, uint32_t *ids, int max)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q);
	__u32 tcx[16];
	int n = 0;

	if (max > 0 && xdpi_host_xdp_attached(ifindex, NULL, 0, &ids[0]))
		n = 1;
	q.prog_ids = tcx;
	q.prog_cnt = 16;
	/* tcx ingress (46; Debian's UAPI headers predate its name): --xdp-mode tc */
	if (!bpf_prog_query_opts(ifindex, (enum bpf_attach_type)46, &q))
		for (__u32 i = 0; i < q.prog_cnt && i < 16 && n < max; i++)
			ids[n++] = tcx[i];
	return n;
}

static int try_xdp_link(int prog, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = flags);
	int fd = bpf_link_create(prog, ifindex, BPF_XDP, &o);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

void xdpi_host_probe_xdp(int ifindex, const char *ifname, struct xdpi_host_check *r)
{
	LIBBPF_OPTS(bpf_prog_load_opts, po, .prog_flags = BPF_F_XDP_HAS_FRAGS);
	char drv[32], prog[BPF_OBJ_NAME_LEN];
	uint32_t id;
	int fd, err;

	if (!ifindex) {
		set(r, "XDP", XDPI_HOST_INFO, "xdpi doctor -i IFACE", "no interface given");
		return;
	}
	driver_name(ifname, drv, sizeof(drv));
	if (xdpi_host_xdp_attached(ifindex, prog, sizeof(prog), &id)) {
		bool ours = !strcmp(prog, "xdp_ingress") || !strcmp(prog, "xdp_tap");

		set(r, "XDP", XDPI_HOST_FAIL, ours ? "stop it, or use `xdpi ctl` on it" :
		    "detach it first (ip link set dev IFACE xdp off), or run xdpi elsewhere",
		    "%s (driver %s) already has an XDP program: %s%s (id %u)", ifname, drv,
		    ours ? "xdpi's " : "", prog[0] ? prog : "?", id);
		return;
	}
	fd = load_trivial(BPF_PROG_TYPE_XDP, XDP_PASS, &po);
	if (fd < 0) {
		set(r, "XDP", XDPI_HOST_FAIL, fd == -EPERM ? "run as root (CAP_BPF, CAP_NET_ADMIN)" :
		    "a kernel with XDP (5.18+ for multi-buffer)", "cannot load an XDP program: %s",
		    strerror(-fd));
		return;
	}
	err = try_xdp_link(fd, ifindex, XDP_FLAGS_DRV_MODE);
	if (!err) {
		set(r, "XDP", XDPI_HOST_OK, NULL, "native mode on %s (driver %s)", ifname, drv);
	} else if (!(err = try_xdp_link(fd, ifindex, XDP_FLAGS_SKB_MODE))) {
		set(r, "XDP", XDPI_HOST_WARN, "a NIC whose driver has native XDP is several times "
		    "faster", "generic mode only on %s (driver %s has no native XDP)", ifname, drv);
	} else {
		set(r, "XDP", XDPI_HOST_FAIL, err == -EPERM ? "CAP_NET_ADMIN" : "",
		    "cannot attach XDP to %s: %s", ifname, strerror(-err));
	}
	close(fd);
}

void xdpi_host_probe_tcx(int ifindex, const char *ifname, struct xdpi_host_check *r)
{
	int fd, link;

	if (!ifindex) {
		set(r, "TC egress", XDPI_HOST_INFO, "xdpi doctor -i IFACE", "no interface given");
		return;
	}
	fd = load_trivial(BPF_PROG_TYPE_SCHED_CLS, -1 /* TCX_NEXT */, NULL);
	if (fd < 0) {
		set(r, "TC egress", XDPI_HOST_FAIL, "", "cannot load a TC program: %s",
		    strerror(-fd));
		return;
	}
	link = bpf_link_create(fd, ifindex, (enum bpf_attach_type)TCX_EGRESS_, NULL);
	if (link >= 0) {
		close(link);
		set(r, "TC egress", XDPI_HOST_OK, NULL, "tcx link on %s (detached with xdpi)", ifname);
	} else {
		set(r, "TC egress", XDPI_HOST_WARN, "Linux 6.6+ for tcx",
		    "no tcx (%s): a clsact filter is used, which stays if xdpi is killed",
		    strerror(errno));
	}
	close(fd);
}

/* Binds an AF_XDP socket with a small UMEM to queue 0 of IFINDEX, zero-copy or copy. */
static int try_xsk(int ifindex, __u16 mode)
{
	const size_t frames = 64, size = frames * 4096;
	void *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct xdp_umem_reg reg = { .addr = (__u64)(unsigned long)area, .len = size,
				    .chunk_size = 4096 };
	struct sockaddr_xdp sa = { .sxdp_family = AF_XDP, .sxdp_flags = mode,
				   .sxdp_ifindex = (__u32)ifindex, .sxdp_queue_id = 0 };
	int s = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0), ring = 64, err = 0;

	if (area == MAP_FAILED || s < 0)
		err = -errno;
	else if (setsockopt(s, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
		 setsockopt(s, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
		 setsockopt(s, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring, sizeof(ring)) ||
		 setsockopt(s, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring)) ||
		 bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	if (s >= 0)
		close(s);
	if (area != MAP_FAILED)
		munmap(area, size);
	return err;
}

void xdpi_host_probe_afxdp(int ifindex, const char *ifname, struct xdpi_host_check *r)
{
	int s = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0), err;

	if (s < 0) {
		err = errno;
		set(r, "AF_XDP", XDPI_HOST_WARN, err == EPERM || err == EACCES ? "CAP_NET_RAW" :
		    "a kernel with CONFIG_XDP_SOCKETS=y", "no AF_XDP socket (%s): tap mode cannot run",
		    strerror(err));
		return;
	}
	close(s);
	if (!ifindex) {
		set(r, "AF_XDP", XDPI_HOST_OK, NULL, "sockets available (xdpi doctor -i IFACE "
		    "tells zero-copy from copy mode)");
		return;
	}
	if (!try_xsk(ifindex, XDP_ZEROCOPY))
		set(r, "AF_XDP", XDPI_HOST_OK, NULL, "zero-copy on %s queue 0", ifname);
	else if (!(err = try_xsk(ifindex, XDP_COPY)))
		set(r, "AF_XDP", XDPI_HOST_WARN, "a driver with AF_XDP zero-copy (veth has none)",
		    "copy mode only on %s (tap mode works, with a copy per packet)", ifname);
	else
		set(r, "AF_XDP", XDPI_HOST_WARN, err == -EBUSY ? "another socket holds the queue" :
		    "", "cannot bind to %s queue 0: %s: tap mode cannot run there", ifname,
		    strerror(-err));
}

void xdpi_host_probe_ringbuf(struct xdpi_host_check *r)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xdpi_probe", 0, 0, 4096, NULL);

	if (fd < 0) {
		set(r, "ring buffer", XDPI_HOST_FAIL, errno == EPERM ? "CAP_BPF" : "Linux 5.8+",
		    "cannot create a BPF ring buffer: %s", strerror(errno));
		return;
	}
	close(fd);
	set(r, "ring buffer", XDPI_HOST_OK, NULL, "BPF ring buffer available");
}

void xdpi_host_probe_test_run(struct xdpi_host_check *r)
{
	uint8_t pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);
	int fd = load_trivial(BPF_PROG_TYPE_XDP, XDP_PASS, NULL), err;

	if (fd < 0) {
		set(r, "test run", XDPI_HOST_FAIL, "CAP_BPF and CAP_NET_ADMIN",
		    "cannot load an XDP program: %s (read --through-kernel)", strerror(-fd));
		return;
	}
	err = bpf_prog_test_run_opts(fd, &t) ? -errno : 0;
	close(fd);
	if (err || t.retval != XDP_PASS)
		set(r, "test run", XDPI_HOST_FAIL, "", "BPF_PROG_TEST_RUN failed: %s",
		    err ? strerror(-err) : "unexpected verdict");
	else
		set(r, "test run", XDPI_HOST_OK, NULL, "BPF_PROG_TEST_RUN works (read --through-kernel)");
}

void xdpi_host_probe_tp_btf(struct xdpi_host_check *r)
{
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = BPF_TRACE_RAW_TP);
	struct btf *vm = btf__load_vmlinux_btf();
	int id = vm ? btf__find_by_name_kind(vm, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF)
		    : -ENOENT;
	int fd, link;

	btf__free(vm);
	if (id < 0) {
		set(r, "BTF tracepoints", XDPI_HOST_WARN, "kernel BTF (CONFIG_DEBUG_INFO_BTF)",
		    "sock_send_length not found in kernel BTF: no --process-context");
		return;
	}
	po.attach_btf_id = (__u32)id;
	fd = load_trivial(BPF_PROG_TYPE_TRACING, 0, &po);
	link = fd >= 0 ? bpf_raw_tracepoint_open(NULL, fd) : fd;
	if (link < 0) {
		int err = fd < 0 ? -fd : errno;

		set(r, "BTF tracepoints", XDPI_HOST_WARN, err == EPERM ? "CAP_BPF and CAP_PERFMON" : "",
		    "cannot attach to sock_send_length: %s: no --process-context", strerror(err));
	} else {
		close(link);
		set(r, "BTF tracepoints", XDPI_HOST_OK, NULL, "sock_send_length attaches "
		    "(--process-context)");
	}
	if (fd >= 0)
		close(fd);
}

static int read_int_file(const char *path, int *v)
{
	FILE *f = fopen(path, "r");
	int ok = f && fscanf(f, "%d", v) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : -ENOENT;
}

/* The file offset of PATH's entry point: any instruction of its text serves a probe. */
static int entry_offset(const char *path, uint64_t *off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -ENOEXEC;
	Elf *e = NULL;
	GElf_Ehdr eh;
	size_t n;

	if (fd < 0)
		return -errno;
	if (elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL)) ||
	    !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &n))
		goto out;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    eh.e_entry >= ph.p_vaddr && eh.e_entry < ph.p_vaddr + ph.p_filesz) {
			*off = eh.e_entry - ph.p_vaddr + ph.p_offset;
			rc = 0;
			break;
		}
	}
out:
	elf_end(e);
	close(fd);
	return rc;
}

void xdpi_host_probe_uprobe(struct xdpi_host_check *r)
{
	struct perf_event_attr a = { .size = sizeof(a) };
	char exe[256];
	uint64_t off = 0;
	int type, fd, pfd = -1, err = 0;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (read_int_file("/sys/bus/event_source/devices/uprobe/type", &type)) {
		set(r, "uprobes", XDPI_HOST_WARN, "a kernel with CONFIG_UPROBE_EVENTS=y",
		    "no uprobe PMU: TLS plaintext cannot be read");
		return;
	}
	if (n <= 0 || (exe[n] = '\0', entry_offset(exe, &off))) {
		set(r, "uprobes", XDPI_HOST_INFO, NULL, "uprobe PMU present (type %d)", type);
		return;
	}
	fd = load_trivial(BPF_PROG_TYPE_KPROBE, 0, NULL);
	a.type = (__u32)type;
	a.config1 = (__u64)(unsigned long)exe;
	a.config2 = off;
	if (fd < 0)
		err = -fd;
	else if ((pfd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)) < 0 ||
		 ioctl(pfd, PERF_EVENT_IOC_SET_BPF, fd))
		err = errno;
	if (err)
		set(r, "uprobes", XDPI_HOST_WARN, err == EPERM || err == EACCES ?
		    "CAP_PERFMON and CAP_BPF" : "", "cannot attach a uprobe: %s", strerror(err));
	else
		set(r, "uprobes", XDPI_HOST_OK, NULL, "a BPF uprobe attaches (no tracefs needed)");
	if (pfd >= 0)
		close(pfd);
	if (fd >= 0)
		close(fd);
}
