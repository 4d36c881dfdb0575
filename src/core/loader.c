// SPDX-License-Identifier: GPL-2.0
/* Loader: open -> set rodata and map sizes -> load -> attach, for the objects that share
 * their maps (XDP ingress, or TC ingress with --xdp-mode tc; TC egress). Attachment is
 * always through bpf_link (XDP link, tcx link), so the kernel detaches everything when the
 * last fd closes, however xdpi dies. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpi/host.h"
#include "xdpi/loader.h"
#include "xdpi/pins.h"
#include "xdpi/log.h"
#include "xdpi/policy.h"
#include "xdpi/thread_block.h"
#include "bpf/xdp_ingress.skel.h"
#include "bpf/tc_egress.skel.h"
#include "bpf/tc_ingress.skel.h"

/* tcx (Linux 6.6+) attach types; Debian's UAPI headers predate them. */
#ifndef BPF_TCX_EGRESS
#define XDPI_BPF_TCX_INGRESS 46
#define XDPI_BPF_TCX_EGRESS 47
#else
#define XDPI_BPF_TCX_INGRESS BPF_TCX_INGRESS
#define XDPI_BPF_TCX_EGRESS BPF_TCX_EGRESS
#endif

struct xdpi_loader {
	struct xdpi_loader_cfg cfg;
	struct xdp_ingress *xdp;
	struct tc_egress *tc;
	struct tc_ingress *tci;   /* --xdp-mode tc: the ingress program, instead of XDP's */
	int ifindex;
	int xdp_link_fd;          /* the ingress link: XDP's, or tcx ingress's */
	int tcx_link_fd;
	bool tc_netlink;          /* fallback: clsact filter attached over netlink */
	struct bpf_tc_hook tc_hook;
	const char *xdp_mode;
	const char *tc_mode;
	int ncpus;
	char pin_dir[PATH_MAX]; /* "" until pinned */
	bool persisted;         /* the links are pinned: leave everything pinned at exit */
	char *err;              /* the caller's buffer for the failing step's sentence */
	size_t errlen;
};

/* The failing step's sentence, for the caller to show: the library does not print errors. */
__attribute__((format(printf, 2, 3))) static void say(const struct xdpi_loader *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->err || !l->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
}

/* Both skeletons carry the same knobs (bpf/lib/consts.h) in their own rodata. */
#define SET_RODATA(skel, c)                                                                    \
	do {                                                                                   \
		(skel)->rodata->cfg_default_steer = (c)->default_steer;                        \
		(skel)->rodata->cfg_head_pkts = (c)->head_pkts;                                \
		(skel)->rodata->cfg_snaplen = (c)->snaplen;                                    \
		(skel)->rodata->cfg_tun_ignore = (c)->tun_ignore;                              \
		(skel)->rodata->cfg_vxlan_port = (c)->vxlan_port;                              \
		(skel)->rodata->cfg_policy_outer = (c)->policy_outer;                          \
		(skel)->rodata->cfg_lb_decap = (c)->lb_decap;                                  \
		(skel)->rodata->cfg_replay_clock = (c)->replay_clock;                          \
		(skel)->rodata->cfg_wakeup_bytes = xdpi_loader_wakeup_bytes((c)->ringbuf_bytes); \
	} while (0)

uint32_t xdpi_loader_wakeup_bytes(uint32_t ringbuf_bytes)
{
	uint32_t size = ringbuf_bytes ? ringbuf_bytes : XDPI_RINGBUF_DEFAULT;

	return size / 4 < XDPI_WAKEUP_MAX ? size / 4 : XDPI_WAKEUP_MAX;
}

static int size_maps(struct bpf_object *obj, const struct xdpi_loader_cfg *c)
{
	struct bpf_map *m;
	int err = 0;

	bpf_object__for_each_map(m, obj) {
		if (!strcmp(bpf_map__name(m), "flows") || !strcmp(bpf_map__name(m), "msg_hints"))
			err = bpf_map__set_max_entries(m, c->max_flows);
		else if (!strcmp(bpf_map__name(m), "events_rb"))
			err = bpf_map__set_max_entries(m, c->ringbuf_bytes);
		else if (!strcmp(bpf_map__name(m), "lb_conns")) /* preallocated: none unless used */
			err = bpf_map__set_max_entries(m, c->lb_conns ? c->lb_conns : 256);
		if (err)
			return err;
	}
	return 0;
}

/* The TC object uses the XDP object's maps (same names), not copies of its own. */
static int share_maps(struct bpf_object *from, struct bpf_object *to)
{
	struct bpf_map *m, *src;
	int err;

	bpf_object__for_each_map(m, to) {
		if (strchr(bpf_map__name(m), '.'))
			continue; /* .rodata, .bss: each object keeps its own */
		src = bpf_object__find_map_by_name(from, bpf_map__name(m));
		if (!src)
			return -ENOENT;
		err = bpf_map__reuse_fd(m, bpf_map__fd(src));
		if (err)
			return err;
	}
	return 0;
}

/* A TC object (the egress program; the ingress one with --xdp-mode tc) into L->FIELD: opened,
 * given the knobs, put on the XDP object's maps, loaded. 0 or -errno. */
#define LOAD_TC(l, field, skel)                                                                \
	({                                                                                     \
		int err_;                                                                      \
		(l)->field = skel##__open();                                                   \
		if (!(l)->field) {                                                             \
			err_ = -errno;                                                         \
		} else {                                                                       \
			SET_RODATA((l)->field, &(l)->cfg);                                     \
			err_ = share_maps((l)->xdp->obj, (l)->field->obj);                     \
			if (!err_)                                                             \
				err_ = skel##__load((l)->field);                               \
		}                                                                              \
		err_;                                                                          \
	})

static int seed_steer_ports(struct xdpi_loader *l)
{
	int fd = bpf_map__fd(l->xdp->maps.steer_ports);

	for (size_t i = 0; i < l->cfg.nports; i++) {
		struct xdpi_port_key k = { .port = l->cfg.ports[i].port, .proto = l->cfg.ports[i].proto };
		__u8 v = l->cfg.ports[i].steer;

		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int open_load(struct xdpi_loader *l)
{
	__u32 zero = 0;
	int err;

	l->xdp = xdp_ingress__open();
	if (!l->xdp)
		return -errno;
	if (l->xdp->rodata->xdpi_abi_version != XDPI_ABI_VERSION) {
		say(l, "BPF object ABI %u does not match user space ABI %u; rebuild xdpi",
		    l->xdp->rodata->xdpi_abi_version, XDPI_ABI_VERSION);
		return -EPROTO;
	}
	SET_RODATA(l->xdp, &l->cfg);
	/* one of the two XDP programs (none with --xdp-mode tc: the object then only owns the
	 * maps): each must fit the verifier's budget on its own */
	bpf_program__set_autoload(l->xdp->progs.xdp_ingress,
				  !l->cfg.tap && l->cfg.xdp_mode != XDPI_XDP_TC);
	bpf_program__set_autoload(l->xdp->progs.xdp_tap, l->cfg.tap);
	err = size_maps(l->xdp->obj, &l->cfg);
	if (!err)
		err = xdp_ingress__load(l->xdp);
	if (err)
		return err;
	err = xdpi_policy_tries_init(bpf_map__fd(l->xdp->maps.policy4),
				     bpf_map__fd(l->xdp->maps.policy6));
	if (err)
		return err;
	if (bpf_map_update_elem(bpf_map__fd(l->xdp->maps.limits), &zero, &l->cfg.limits, BPF_ANY))
		return -errno;
	if (l->cfg.xdp_mode == XDPI_XDP_TC && (err = LOAD_TC(l, tci, tc_ingress)))
		return err;
	if (l->cfg.egress && (err = LOAD_TC(l, tc, tc_egress)))
		return err;
	return seed_steer_ports(l);
}

struct xdpi_loader *xdpi_loader__open(const struct xdpi_loader_cfg *cfg, char *err_buf,
				      size_t errlen)
{
	struct xdpi_loader *l = calloc(1, sizeof(*l));
	int err;

	if (!l) {
		snprintf(err_buf, errlen, "out of memory");
		return NULL;
	}
	l->cfg = *cfg;
	l->err = err_buf, l->errlen = errlen;
	if (errlen)
		err_buf[0] = '\0';
	l->xdp_link_fd = l->tcx_link_fd = -1;
	l->xdp_mode = l->tc_mode = "none";
	l->ncpus = libbpf_num_possible_cpus();
	if (cfg->ifname) {
		l->ifindex = (int)if_nametoindex(cfg->ifname);
		if (!l->ifindex) {
			err = -errno;
			say(l, "no interface named '%s' (see `ip link`)", cfg->ifname);
			goto fail;
		}
	}
	err = open_load(l);
	if (err) {
		if (!errlen || !err_buf[0]) /* unless a step said more precisely */
			say(l, "loading the BPF programs failed: %s%s", strerror(-err),
			    err == -EPERM ? " (xdpi needs root, or CAP_BPF and CAP_NET_ADMIN)" : "");
		goto fail;
	}
	l->err = NULL; /* the buffer is the caller's for this call only */
	return l;
fail:
	xdpi_loader__free(l);
	errno = -err;
	return NULL;
}

static int attach_xdp_mode(struct xdpi_loader *l, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(xdpi_loader__xdp_prog_fd(l), l->ifindex, BPF_XDP,
				 &opts);

	if (fd < 0)
		return -errno;
	l->xdp_link_fd = fd;
	return 0;
}

/* True, having said so, when another xdpi holds the interface (running, or left attached by
 * --persist): asked before attaching, since tcx takes a second program beside the first and
 * an XDP attach does not fail when the first runs at TC ingress (--xdp-mode tc). */
static bool held_by_another(const struct xdpi_loader *l)
{
	char why[512];
	struct xdpi_pins p;

	switch (xdpi_pins_open(l->cfg.ifname, &p, why, sizeof(why))) {
	case XDPI_PINS_LIVE:
		say(l, "another xdpi (pid %u) runs on %s: stop it, or change its policy with "
		    "`xdpi ctl -i %s`", p.inst.pid, l->cfg.ifname, l->cfg.ifname);
		break;
	case XDPI_PINS_PERSISTED:
		say(l, "a persistent xdpi (--persist, pid %u exited) is attached to %s; "
		    "remove it with `rm -r %s`", p.inst.pid, l->cfg.ifname, p.dir);
		break;
	default:
		return false;
	}
	xdpi_pins_close(&p);
	return true;
}

/* Why XDP on the interface is taken, in words an operator can act on. */
static void explain_busy(const struct xdpi_loader *l)
{
	char name[BPF_OBJ_NAME_LEN] = "";
	uint32_t id = 0;

	if (held_by_another(l))
		return;
	xdpi_host_xdp_attached(l->ifindex, name, sizeof(name), &id);
	say(l, "another XDP program (%s%s, id %u) is attached to %s (see `ip link show dev "
	    "%s`); detach it first", !strcmp(name, "xdp_ingress") ||
	    !strcmp(name, "xdp_tap") ? "xdpi's " : "", name[0] ? name : "?", id,
	    l->cfg.ifname, l->cfg.ifname);
}

/* --xdp-mode tc: the ingress program as a tcx link (no clsact fallback: a filter would
 * outlive a killed xdpi on the path every packet takes). */
static int attach_tc_ingress(struct xdpi_loader *l)
{
	int fd = bpf_link_create(bpf_program__fd(l->tci->progs.tc_ingress), l->ifindex,
				 (enum bpf_attach_type)XDPI_BPF_TCX_INGRESS, NULL);

	if (fd < 0) {
		int err = -errno;

		say(l, "attaching TC ingress to %s failed: %s (--xdp-mode tc needs tcx, Linux "
		    "6.6+)", l->cfg.ifname, strerror(-err));
		return err;
	}
	l->xdp_link_fd = fd;
	l->xdp_mode = "off: tc ingress (tcx)";
	return 0;
}

static int attach_xdp(struct xdpi_loader *l)
{
	int err = -EOPNOTSUPP;

	if (l->cfg.xdp_mode == XDPI_XDP_TC)
		return attach_tc_ingress(l);
	if (l->cfg.xdp_mode != XDPI_XDP_GENERIC) {
		err = attach_xdp_mode(l, XDP_FLAGS_DRV_MODE);
		if (!err) {
			l->xdp_mode = "native";
			return 0;
		}
		if (l->cfg.xdp_mode == XDPI_XDP_NATIVE || err == -EBUSY || err == -EEXIST)
			goto fail;
		xdpi_log_warn("native XDP on %s failed (%s); using generic XDP, which is slower "
			      "(the driver has no XDP support)\n", l->cfg.ifname, strerror(-err));
	}
	err = attach_xdp_mode(l, XDP_FLAGS_SKB_MODE);
	if (!err) {
		l->xdp_mode = "generic";
		return 0;
	}
fail:
	if (err == -EBUSY || err == -EEXIST)
		explain_busy(l);
	else
		say(l, "attaching XDP to %s failed: %s", l->cfg.ifname, strerror(-err));
	return err;
}

/* Pre-6.6 kernels have no tcx: a netlink clsact filter works, but outlives a killed xdpi. */
static int attach_tc_netlink(struct xdpi_loader *l)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(l->tc->progs.tc_egress));
	int err;

	memset(&l->tc_hook, 0, sizeof(l->tc_hook));
	l->tc_hook.sz = sizeof(l->tc_hook);
	l->tc_hook.ifindex = l->ifindex;
	l->tc_hook.attach_point = BPF_TC_EGRESS;
	err = bpf_tc_hook_create(&l->tc_hook);
	if (err && err != -EEXIST)
		return err;
	err = bpf_tc_attach(&l->tc_hook, &opts);
	if (err)
		return err;
	l->tc_netlink = true;
	xdpi_log_warn("this kernel has no tcx: TC egress attached as a clsact filter, which "
		      "stays if xdpi is killed (remove with `tc filter del dev %s egress`)\n",
		      l->cfg.ifname);
	return 0;
}

static int attach_tc(struct xdpi_loader *l)
{
	int fd = bpf_link_create(bpf_program__fd(l->tc->progs.tc_egress), l->ifindex,
				 (enum bpf_attach_type)XDPI_BPF_TCX_EGRESS, NULL);
	int err;

	if (fd >= 0) {
		l->tcx_link_fd = fd;
		l->tc_mode = "tcx";
		return 0;
	}
	err = attach_tc_netlink(l);
	if (!err) {
		l->tc_mode = "clsact";
		return 0;
	}
	say(l, "attaching TC egress to %s failed: %s", l->cfg.ifname, strerror(-err));
	return err;
}

static void unpin_maps(struct xdpi_loader *l)
{
	if (!l->pin_dir[0] || l->persisted)
		return; /* --persist: the pins keep the programs attached after we exit */
	xdpi_pins_remove(l->pin_dir);
	l->pin_dir[0] = '\0';
}

static int write_instance(struct xdpi_loader *l)
{
	struct xdpi_instance inst = {
		.abi_version = XDPI_ABI_VERSION, .pid = (__u32)getpid(),
		.netns_cookie = xdpi_netns_cookie(), .started_ns = xdpi_policy_now_ns(),
		.ifindex = (__u32)l->ifindex,
		.flags = (l->cfg.persist ? XDPI_INSTANCE_PERSIST : 0) |
			 (l->cfg.tap ? XDPI_INSTANCE_TAP : 0),
	};
	__u32 zero = 0;

	snprintf(inst.ifname, sizeof(inst.ifname), "%s", l->cfg.ifname);
	return bpf_map_update_elem(bpf_map__fd(l->xdp->maps.instance), &zero, &inst, BPF_ANY)
		       ? -errno : 0;
}

/* Runs after attaching succeeded, so a second xdpi on the same interface (which fails to
 * attach) never replaces the first one's pins. Pins left by a killed instance are replaced.
 * The caller made sure bpffs is mounted; without pins xdpi still inspects and enforces, only
 * `xdpi ctl` cannot reach it. */
static void pin_maps(struct xdpi_loader *l)
{
	int fds[XDPI_PIN_N], err;
	char dir[PATH_MAX];

	if (!xdpi_host_bpffs_mounted()) {
		xdpi_log_warn("no bpffs at " XDPI_BPFFS ", so `xdpi ctl` cannot reach this "
			      "instance (mount one with `mount -t bpf bpf " XDPI_BPFFS "`)\n");
		return;
	}
	for (int i = 0; i < XDPI_PIN_N; i++)
		fds[i] = bpf_map__fd(bpf_object__find_map_by_name(l->xdp->obj,
								   xdpi_pin_specs[i].name));
	xdpi_pins_dir(l->cfg.ifname, dir, sizeof(dir));
	err = write_instance(l);
	if (!err)
		err = xdpi_pins_create(dir, fds);
	if (err) {
		xdpi_log_warn("pinning the maps under %s failed: %s; `xdpi ctl` cannot reach this "
			      "instance\n", dir, strerror(-err));
		return;
	}
	snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", dir);
}

/* --persist: a pinned bpf_link keeps its program attached after the last fd closes. */
static int pin_links(struct xdpi_loader *l)
{
	char path[PATH_MAX + 32];
	int err;

	if (!l->pin_dir[0] || (l->tc && l->tcx_link_fd < 0)) {
		say(l, "--persist needs pinned maps and tcx (Linux 6.6+) for the egress program");
		return -EOPNOTSUPP;
	}
	snprintf(path, sizeof(path), "%s/" XDPI_PIN_LINK_XDP, l->pin_dir);
	unlink(path);
	if (bpf_obj_pin(l->xdp_link_fd, path))
		goto fail;
	if (l->tcx_link_fd >= 0) {
		snprintf(path, sizeof(path), "%s/" XDPI_PIN_LINK_TC, l->pin_dir);
		unlink(path);
		if (bpf_obj_pin(l->tcx_link_fd, path))
			goto fail;
	}
	l->persisted = true;
	return 0;
fail:
	err = -errno;
	say(l, "pinning %s failed: %s", path, strerror(-err));
	return err;
}

int xdpi_loader__attach(struct xdpi_loader *l, char *err_buf, size_t errlen)
{
	int err;

	l->err = err_buf, l->errlen = errlen;
	if (!l->cfg.ifname) {
		say(l, "no interface to attach to");
		l->err = NULL;
		return -EINVAL;
	}
	err = held_by_another(l) ? -EBUSY : attach_xdp(l);
	if (!err && l->tc)
		err = attach_tc(l);
	if (!err && l->cfg.pin)
		pin_maps(l);
	if (!err && l->cfg.persist)
		err = pin_links(l);
	l->err = NULL;
	return err;
}

void xdpi_loader__quiesce(struct xdpi_loader *l)
{
	if (!l || l->persisted)
		return;
	if (l->tcx_link_fd >= 0)
		close(l->tcx_link_fd);
	if (l->xdp_link_fd >= 0)
		close(l->xdp_link_fd);
	l->tcx_link_fd = l->xdp_link_fd = -1;
}

void xdpi_loader__free(struct xdpi_loader *l)
{
	if (!l)
		return;
	unpin_maps(l);
	if (l->tc_netlink) {
		LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(l->tc->progs.tc_egress));

		opts.prog_fd = 0; /* detach takes handle and priority, found by query */
		if (!bpf_tc_query(&l->tc_hook, &opts)) {
			opts.prog_fd = opts.prog_id = opts.flags = 0;
			bpf_tc_detach(&l->tc_hook, &opts);
		}
	}
	if (l->tcx_link_fd >= 0)
		close(l->tcx_link_fd);
	if (l->xdp_link_fd >= 0)
		close(l->xdp_link_fd);
	tc_egress__destroy(l->tc);
	tc_ingress__destroy(l->tci);
	xdp_ingress__destroy(l->xdp);
	free(l);
}

int xdpi_loader__map_fd(const struct xdpi_loader *l, enum xdpi_map m)
{
	switch (m) {
	case XDPI_MAP_EVENTS_RB:
		return bpf_map__fd(l->xdp->maps.events_rb);
	case XDPI_MAP_FLOWS:
		return bpf_map__fd(l->xdp->maps.flows);
	case XDPI_MAP_COUNTERS:
		return bpf_map__fd(l->xdp->maps.counters);
	case XDPI_MAP_REPLAY_CLOCK:
		return bpf_map__fd(l->xdp->maps.replay_clock);
	case XDPI_MAP_STEER_PORTS:
		return bpf_map__fd(l->xdp->maps.steer_ports);
	case XDPI_MAP_POLICY4:
		return bpf_map__fd(l->xdp->maps.policy4);
	case XDPI_MAP_POLICY6:
		return bpf_map__fd(l->xdp->maps.policy6);
	case XDPI_MAP_POLICY_GEN:
		return bpf_map__fd(l->xdp->maps.policy_gen);
	case XDPI_MAP_PORTS4:
		return bpf_map__fd(l->xdp->maps.ports4);
	case XDPI_MAP_PORTS6:
		return bpf_map__fd(l->xdp->maps.ports6);
	case XDPI_MAP_RULE_STATS:
		return bpf_map__fd(l->xdp->maps.rule_stats);
	case XDPI_MAP_RULE_STATS_LOW:
		return bpf_map__fd(l->xdp->maps.rule_stats_low);
	case XDPI_MAP_XSKS:
		return bpf_map__fd(l->xdp->maps.xsks);
	case XDPI_MAP_MSG_HINTS:
		return bpf_map__fd(l->xdp->maps.msg_hints);
	case XDPI_MAP_LB_VIPS:
		return bpf_map__fd(l->xdp->maps.lb_vips);
	case XDPI_MAP_LB_RINGS:
		return bpf_map__fd(l->xdp->maps.lb_rings);
	case XDPI_MAP_LB_BACKENDS:
		return bpf_map__fd(l->xdp->maps.lb_backends);
	case XDPI_MAP_LB_CFG:
		return bpf_map__fd(l->xdp->maps.lb_cfg);
	case XDPI_MAP_LB_SVC_STATS:
		return bpf_map__fd(l->xdp->maps.lb_svc_stats);
	case XDPI_MAP_LB_BACKEND_STATS:
		return bpf_map__fd(l->xdp->maps.lb_backend_stats);
	}
	return -EINVAL;
}

struct xdpi_rule_stats_maps xdpi_loader__rule_stats(const struct xdpi_loader *l)
{
	return (struct xdpi_rule_stats_maps){
		.low_fd = xdpi_loader__map_fd(l, XDPI_MAP_RULE_STATS_LOW),
		.hash_fd = xdpi_loader__map_fd(l, XDPI_MAP_RULE_STATS),
	};
}

int xdpi_loader__xdp_prog_fd(const struct xdpi_loader *l)
{
	return bpf_program__fd(l->cfg.tap ? l->xdp->progs.xdp_tap : l->xdp->progs.xdp_ingress);
}

struct xdpi_policy_fds xdpi_loader__policy_fds(const struct xdpi_loader *l)
{
	struct xdpi_policy_fds f = { bpf_map__fd(l->xdp->maps.policy4),
				     bpf_map__fd(l->xdp->maps.policy6),
				     bpf_map__fd(l->xdp->maps.policy_gen) };

	return f;
}

const char *xdpi_loader__pin_dir(const struct xdpi_loader *l)
{
	return l->pin_dir;
}

const char *xdpi_loader__xdp_mode(const struct xdpi_loader *l)
{
	return l->xdp_mode;
}

const char *xdpi_loader__tc_mode(const struct xdpi_loader *l)
{
	return l->tc_mode;
}

/* ---- the engine's view ---- */

static int read_counters(void *kctx, uint64_t out[XDPI_CNT_MAX])
{
	struct xdpi_loader *l = kctx;
	struct xdpi_counters *percpu = calloc((size_t)l->ncpus, sizeof(*percpu));
	__u32 zero = 0;
	int err = 0;

	if (!percpu)
		return -ENOMEM;
	memset(out, 0, sizeof(uint64_t) * XDPI_CNT_MAX);
	if (bpf_map_lookup_elem(xdpi_loader__map_fd(l, XDPI_MAP_COUNTERS), &zero, percpu)) {
		err = -errno;
		goto out;
	}
	for (int cpu = 0; cpu < l->ncpus; cpu++)
		for (int i = 0; i < XDPI_CNT_MAX; i++)
			out[i] += percpu[cpu].c[i];
out:
	free(percpu);
	return err;
}

#define SWEEP_BATCH 4096

struct sweep_buf {
	struct xdpi_flow_key keys[SWEEP_BATCH];
	struct xdpi_flow_value vals[SWEEP_BATCH];
	struct xdpi_flow_key del[SWEEP_BATCH];
};

static int delete_keys(int fd, struct xdpi_flow_key *keys, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]); /* ENOENT: the LRU took it first */
	return 0;
}

/* fn on a batch of N flows, AHEAD told of each XDPI_KFLOW_AHEAD and half that entries before */
static __u32 visit_batch(struct sweep_buf *b, __u32 n, xdpi_kflow_fn fn, xdpi_kflow_ahead_fn ahead,
			 void *ctx)
{
	const __u32 far = XDPI_KFLOW_AHEAD, near = XDPI_KFLOW_AHEAD / 2;
	__u32 ndel = 0;

	for (__u32 i = 0; ahead && i < n && i < far; i++)
		ahead(ctx, &b->keys[i], 0);
	for (__u32 i = 0; ahead && i < n && i < near; i++)
		ahead(ctx, &b->keys[i], 1);
	for (__u32 i = 0; i < n; i++) {
		if (ahead && i + far < n)
			ahead(ctx, &b->keys[i + far], 0);
		if (ahead && i + near < n)
			ahead(ctx, &b->keys[i + near], 1);
		if (fn(ctx, &b->keys[i], &b->vals[i]))
			b->del[ndel++] = b->keys[i];
	}
	return ndel;
}

static void *sweep_buf_make(void)
{
	return malloc(sizeof(struct sweep_buf));
}

/* One buffer per sweeping thread (each live worker sweeps), kept: 786 KB asked for at every
 * sweep came as fresh pages each time, page faults a second. */
static struct xdpi_thread_block sweep_bufs = XDPI_THREAD_BLOCK(sweep_buf_make, free);

static int sweep_flows(void *kctx, xdpi_kflow_fn fn, xdpi_kflow_ahead_fn ahead, void *ctx,
		       struct xdpi_kflow_sweep *s)
{
	struct xdpi_loader *l = kctx;
	int fd = xdpi_loader__map_fd(l, XDPI_MAP_FLOWS);
	struct sweep_buf *b = xdpi_thread_block(&sweep_bufs);
	struct xdpi_flow_key in_batch, out_batch;
	bool first = !s || !s->midway, done = false;
	uint64_t visited = 0;

	if (!b)
		return -ENOMEM;
	if (!first)
		memcpy(&in_batch, s->cursor, sizeof(in_batch));
	while (!done) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 n = SWEEP_BATCH, ndel;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, b->keys,
					       b->vals, &n, &opts);

		if (err && errno != ENOENT) {
			err = -errno;
			if (s)
				s->midway = false; /* the next step starts over */
			return err;
		}
		done = err != 0;
		first = false;
		in_batch = out_batch;
		ndel = visit_batch(b, n, fn, ahead, ctx);
		delete_keys(fd, b->del, ndel);
		/* an ended flow's hints must not steer a new one on the same tuple */
		delete_keys(xdpi_loader__map_fd(l, XDPI_MAP_MSG_HINTS), b->del, ndel);
		visited += n;
		if (!done && s && s->budget && visited >= s->budget) {
			memcpy(s->cursor, &out_batch, sizeof(out_batch));
			s->midway = true;
			return 0;
		}
	}
	if (s)
		s->midway = false;
	return 1;
}

static int block_addr(void *kctx, uint8_t family, const uint8_t *addr, uint64_t expires_ns,
		      uint32_t rule_id)
{
	struct xdpi_loader *l = kctx;
	struct xdpi_cidr c = { .family = family == 6 ? AF_INET6 : AF_INET,
			       .prefix_len = family == 6 ? 128 : 32 };
	struct xdpi_policy_value v = { .rule_id = rule_id, .action = XDPI_POLICY_DROP,
				       .expires_ns = expires_ns };
	struct xdpi_policy_maps maps;
	int err;

	memcpy(c.addr, addr, family == 6 ? 16 : 4);
	struct xdpi_policy_fds fds = xdpi_loader__policy_fds(l);

	err = xdpi_policy_tries_open(&fds, &maps);
	if (err)
		return err;
	err = xdpi_policy_put(&maps, &c, &v);
	xdpi_policy_tries_close(&maps);
	return err;
}

static int bypass_flow(void *kctx, const struct xdpi_flow_key *k, uint64_t not_after_ns,
		       struct xdpi_flow_value *before)
{
	struct xdpi_loader *l = kctx;

	return xdpi_flow_steer_run(bpf_program__fd(l->xdp->progs.flow_steer), k,
				   XDPI_STEER_BYPASS, not_after_ns, before);
}

static int msg_hint(void *kctx, const struct xdpi_flow_key *k, const struct xdpi_msg_hint *h)
{
	struct xdpi_loader *l = kctx;

	return bpf_map_update_elem(bpf_map__fd(l->xdp->maps.msg_hints), k, h, BPF_ANY) ? -errno : 0;
}

static int rule_counters(void *kctx, uint32_t rule_id, uint64_t *pkts, uint64_t *bytes)
{
	struct xdpi_loader *l = kctx;
	struct xdpi_rule_stats st;
	struct xdpi_rule_stats_maps maps = xdpi_loader__rule_stats(l);
	int err = xdpi_policy_rule_stats(&maps, rule_id, &st);

	*pkts = st.pkts;
	*bytes = st.bytes;
	return err;
}

const struct xdpi_kernel_ops xdpi_loader_kernel_ops = {
	.read_counters = read_counters,
	.sweep_flows = sweep_flows,
	.block_addr = block_addr,
	.bypass_flow = bypass_flow,
	.msg_hint = msg_hint,
	.rule_counters = rule_counters,
};
