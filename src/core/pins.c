// SPDX-License-Identifier: GPL-2.0
/* Pins of a running instance, keyed by network namespace and interface, and the checks
 * `xdpi ctl` makes before it touches them. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpi/host.h"
#include "xdpi/pins.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

const struct xdpi_pin_spec xdpi_pin_specs[XDPI_PIN_N] = {
	[XDPI_PIN_INSTANCE] = { "instance", 4, sizeof(struct xdpi_instance) },
	[XDPI_PIN_POLICY4] = { "policy4", 4, 4 },
	[XDPI_PIN_POLICY6] = { "policy6", 4, 4 },
	[XDPI_PIN_POLICY_GEN] = { "policy_gen", 4, 8 },
	[XDPI_PIN_PORTS4] = { "ports4", sizeof(struct xdpi_port4_key),
			      sizeof(struct xdpi_policy_value) },
	[XDPI_PIN_PORTS6] = { "ports6", sizeof(struct xdpi_port6_key),
			      sizeof(struct xdpi_policy_value) },
	[XDPI_PIN_RULE_STATS] = { "rule_stats", 4, sizeof(struct xdpi_rule_stats) },
	[XDPI_PIN_RULE_STATS_LOW] = { "rule_stats_low", 4, sizeof(struct xdpi_rule_stats) },
	[XDPI_PIN_COUNTERS] = { "counters", 4, sizeof(struct xdpi_counters) },
	[XDPI_PIN_FLOWS] = { "flows", sizeof(struct xdpi_flow_key), sizeof(struct xdpi_flow_value) },
	[XDPI_PIN_LIMITS] = { "limits", 4, sizeof(struct xdpi_limits) },
	[XDPI_PIN_LB_VIPS] = { "lb_vips", sizeof(struct xdpi_lb_vip_key), sizeof(struct xdpi_lb_vip) },
	[XDPI_PIN_LB_BACKENDS] = { "lb_backends", 4, sizeof(struct xdpi_lb_backend) },
	[XDPI_PIN_LB_CFG] = { "lb_cfg", 4, sizeof(struct xdpi_lb_cfg) },
	[XDPI_PIN_LB_SVC_STATS] = { "lb_svc_stats", 4, sizeof(struct xdpi_lb_svc_stats) },
	[XDPI_PIN_LB_BACKEND_STATS] = { "lb_backend_stats", 4,
					sizeof(struct xdpi_lb_backend_stats) },
};

uint64_t xdpi_netns_inode(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : (uint64_t)st.st_ino;
}

uint64_t xdpi_netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s >= 0) {
		if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
			cookie = 0;
		close(s);
	}
	return cookie;
}

static void netns_dir(uint64_t ino, char *dir, size_t len)
{
	snprintf(dir, len, "%s/netns-%llu", XDPI_PIN_ROOT, (unsigned long long)ino);
}

void xdpi_pins_dir(const char *ifname, char *dir, size_t len)
{
	snprintf(dir, len, "%s/netns-%llu/%s", XDPI_PIN_ROOT,
		 (unsigned long long)xdpi_netns_inode(), ifname);
}

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (char *s = path + strlen(XDPI_BPFFS) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -errno : 0;
}

static void unpin(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

void xdpi_pins_remove(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	for (int i = 0; i < XDPI_PIN_N; i++)
		unpin(dir, xdpi_pin_specs[i].name);
	unpin(dir, XDPI_PIN_LINK_XDP);
	unpin(dir, XDPI_PIN_LINK_TC);
	rmdir(dir);
	snprintf(parent, sizeof(parent), "%s", dir);
	if ((slash = strrchr(parent, '/'))) {
		*slash = '\0';
		rmdir(parent); /* fails while another interface of that namespace is pinned: fine */
	}
	rmdir(XDPI_PIN_ROOT);
}

int xdpi_pins_create(const char *dir, const int fds[XDPI_PIN_N])
{
	char path[PATH_MAX + 64];
	int err = mkdir_p(dir);

	for (int i = 0; !err && i < XDPI_PIN_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, xdpi_pin_specs[i].name);
		unlink(path); /* stale, from a killed instance */
		if (bpf_obj_pin(fds[i], path))
			err = -errno;
	}
	if (err)
		xdpi_pins_remove(dir);
	return err;
}

/* ---- opening, for xdpi ctl ---- */

void xdpi_pins_close(struct xdpi_pins *p)
{
	for (int i = 0; i < XDPI_PIN_N; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
	}
}

static bool map_matches(int fd, const struct xdpi_pin_spec *s)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &len) && info.key_size == s->key_size &&
	       info.value_size == s->value_size;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* True when PROG_ID uses the map WANT. */
static bool prog_uses(uint32_t prog_id, uint32_t want)
{
	struct bpf_prog_info info = { 0 };
	__u32 ids[64], len = sizeof(info);
	bool found = false;
	int fd = bpf_prog_get_fd_by_id(prog_id);

	if (fd < 0)
		return false;
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
			found |= ids[i] == want;
	close(fd);
	return found;
}

/* True when a program that sees IFINDEX's arriving packets (XDP, or tcx ingress with
 * --xdp-mode tc) uses the map WANT: the pins belong to programs that still run, not to an
 * instance that was killed. */
static bool attached_prog_uses(int ifindex, uint32_t want)
{
	uint32_t progs[17];
	int n;

	if (!ifindex || !want)
		return false;
	n = xdpi_host_ingress_progs(ifindex, progs, 17);
	for (int i = 0; i < n; i++)
		if (prog_uses(progs[i], want))
			return true;
	return false;
}

static bool pid_alive(uint32_t pid)
{
	return pid && (!kill((pid_t)pid, 0) || errno == EPERM);
}

static int read_instance(const char *dir, struct xdpi_instance *inst)
{
	char path[PATH_MAX + 64];
	__u32 zero = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, xdpi_pin_specs[XDPI_PIN_INSTANCE].name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (!map_matches(fd, &xdpi_pin_specs[XDPI_PIN_INSTANCE]))
		err = -EPROTO;
	else if (bpf_map_lookup_elem(fd, &zero, inst))
		err = -errno;
	close(fd);
	return err;
}

/* The same interface name pinned in another network namespace: where, and by whom. */
static bool find_elsewhere(const char *ifname, char *why, size_t len)
{
	char dir[PATH_MAX], mine[PATH_MAX];
	DIR *d = opendir(XDPI_PIN_ROOT);
	struct dirent *e;
	bool found = false;

	netns_dir(xdpi_netns_inode(), mine, sizeof(mine));
	while (d && !found && (e = readdir(d))) {
		struct xdpi_instance inst = { 0 };

		if (strncmp(e->d_name, "netns-", 6))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/%s", XDPI_PIN_ROOT, e->d_name, ifname);
		if (!strncmp(dir, mine, strlen(mine)) || read_instance(dir, &inst))
			continue;
		found = true;
		snprintf(why, len, "no xdpi runs on %s in this network namespace (net:[%llu]); one "
			 "runs on a same-named interface in network namespace net:[%s] (pid %u): run "
			 "ctl there, e.g. `xdpi ctl --netns /proc/%u/ns/net -i %s ...`", ifname,
			 (unsigned long long)xdpi_netns_inode(), e->d_name + 6, inst.pid, inst.pid,
			 ifname);
	}
	if (d)
		closedir(d);
	return found;
}

static enum xdpi_pins_state no_pins(const char *ifname, const char *dir, char *why, size_t len)
{
	if (!xdpi_host_bpffs_mounted()) {
		snprintf(why, len, "cannot tell whether xdpi runs on %s: there is no bpffs at "
			 XDPI_BPFFS " in this mount namespace. `xdpi run` mounts it when it starts, "
			 "so either none runs here, or it runs in another mount namespace (`ip netns "
			 "exec` makes one: start xdpi with `nsenter --net=/run/netns/NAME` instead)",
			 ifname);
		return XDPI_PINS_NO_BPFFS;
	}
	if (access(XDPI_PIN_ROOT, R_OK | X_OK) && errno == EACCES) {
		snprintf(why, len, "not permitted to look under " XDPI_PIN_ROOT " (run xdpi ctl as "
			 "root, or with CAP_BPF and CAP_SYS_ADMIN)");
		return XDPI_PINS_NOT_PERMITTED;
	}
	if (find_elsewhere(ifname, why, len))
		return XDPI_PINS_ELSEWHERE;
	snprintf(why, len, "no xdpi runs on %s in this network namespace: nothing is pinned at "
		 "%s (start one with `xdpi run -i %s`)", ifname, dir, ifname);
	return XDPI_PINS_NOT_RUNNING;
}

static enum xdpi_pins_state open_maps(struct xdpi_pins *p, char *why, size_t len)
{
	char path[PATH_MAX + 64];

	for (int i = 0; i < XDPI_PIN_N; i++) {
		snprintf(path, sizeof(path), "%s/%s", p->dir, xdpi_pin_specs[i].name);
		p->fd[i] = bpf_obj_get(path);
		if (p->fd[i] < 0 && (errno == EPERM || errno == EACCES)) {
			snprintf(why, len, "not permitted to open %s: %s (run xdpi ctl as root, or "
				 "with CAP_BPF and CAP_SYS_ADMIN)", path, strerror(errno));
			return XDPI_PINS_NOT_PERMITTED;
		}
		if (p->fd[i] < 0 || !map_matches(p->fd[i], &xdpi_pin_specs[i])) {
			snprintf(why, len, "%s %s (this xdpi ctl has kernel/user ABI %u): use the "
				 "xdpi ctl of the build that runs there", path, p->fd[i] < 0 ?
				 "is missing: pinned by another build of xdpi" :
				 "has another layout: pinned by another build of xdpi",
				 XDPI_ABI_VERSION);
			return XDPI_PINS_MISMATCH;
		}
	}
	return XDPI_PINS_LIVE;
}

static enum xdpi_pins_state check_owner(const char *ifname, struct xdpi_pins *p, char *why,
					size_t len)
{
	__u32 zero = 0;
	int ifindex = (int)if_nametoindex(ifname);
	bool here;

	if (bpf_map_lookup_elem(p->fd[XDPI_PIN_INSTANCE], &zero, &p->inst) ||
	    p->inst.abi_version != XDPI_ABI_VERSION) {
		snprintf(why, len, "%s was pinned by an xdpi with kernel/user ABI %u; this xdpi ctl "
			 "has %u: use the xdpi ctl of the build that runs there", p->dir,
			 p->inst.abi_version, XDPI_ABI_VERSION);
		return XDPI_PINS_MISMATCH;
	}
	here = p->inst.netns_cookie == xdpi_netns_cookie();
	if (here && attached_prog_uses(ifindex, map_id(p->fd[XDPI_PIN_POLICY4])))
		return pid_alive(p->inst.pid) ? XDPI_PINS_LIVE : XDPI_PINS_PERSISTED;
	snprintf(why, len, "the maps pinned at %s belong to no program attached to %s: the xdpi "
		 "that pinned them (pid %u) is gone%s. Nothing runs there; remove them with "
		 "`rm -r %s`", p->dir, ifname, p->inst.pid, pid_alive(p->inst.pid) ?
		 " from this interface" : " (killed?)", p->dir);
	return XDPI_PINS_STALE;
}

enum xdpi_pins_state xdpi_pins_open(const char *ifname, struct xdpi_pins *p, char *why,
				    size_t len)
{
	enum xdpi_pins_state st;

	memset(&p->inst, 0, sizeof(p->inst));
	for (int i = 0; i < XDPI_PIN_N; i++)
		p->fd[i] = -1;
	xdpi_pins_dir(ifname, p->dir, sizeof(p->dir));
	if (access(p->dir, F_OK)) {
		if (errno == EACCES) {
			snprintf(why, len, "not permitted to look under " XDPI_PIN_ROOT " (run xdpi "
				 "ctl as root, or with CAP_BPF and CAP_SYS_ADMIN)");
			return XDPI_PINS_NOT_PERMITTED;
		}
		return no_pins(ifname, p->dir, why, len);
	}
	st = open_maps(p, why, len);
	if (st == XDPI_PINS_LIVE)
		st = check_owner(ifname, p, why, len);
	if (st != XDPI_PINS_LIVE && st != XDPI_PINS_PERSISTED)
		xdpi_pins_close(p);
	return st;
}
