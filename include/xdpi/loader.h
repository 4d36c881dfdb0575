/* SPDX-License-Identifier: GPL-2.0 */
/* Loads the fast path (XDP ingress + TC egress, sharing maps), attaches it through bpf_link
 * so that a dead xdpi leaves nothing attached, and gives user space its maps. */
#ifndef XDPI_LOADER_H
#define XDPI_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "shared/xdpi_abi.h"
#include "xdpi/engine.h"
#include "xdpi/policy.h"

enum xdpi_xdp_mode {
	XDPI_XDP_AUTO = 0, /* native, falling back to generic */
	XDPI_XDP_NATIVE,
	XDPI_XDP_GENERIC,
	XDPI_XDP_TC,       /* no XDP: the ingress pipeline at TC ingress (tcx) */
};

struct xdpi_steer_port {
	uint16_t port;
	uint8_t proto; /* 6 or 17 */
	uint8_t steer; /* enum xdpi_steer */
};

struct xdpi_loader_cfg {
	const char *ifname;    /* NULL: load without attaching (replay) */
	enum xdpi_xdp_mode xdp_mode;
	bool egress;           /* also attach the TC egress program */
	bool replay_clock;     /* take time from the replay_clock map (replay) */
	uint8_t default_steer;
	uint32_t head_pkts;
	uint32_t snaplen;
	uint32_t tun_ignore;   /* tunnel types read as plain UDP/GRE (1 << enum xdpi_tunnel) */
	uint16_t vxlan_port;   /* one more VXLAN port, 0: none */
	bool policy_outer;     /* policy on a tunnelled packet's outer addresses too */
	uint32_t max_flows;
	uint32_t ringbuf_bytes; /* power of two, >= page size */
	const struct xdpi_steer_port *ports;
	size_t nports;
	bool pin;              /* pin the control maps (xdpi/pins.h) once attached */
	bool persist;          /* also pin the attachments, and keep every pin at exit: the
				* programs and their policy outlive xdpi (remove the directory
				* to detach them) */
	struct xdpi_limits limits; /* rate limits and drop sampling, set before attaching */
	bool tap;              /* tap mode: FULL flows to AF_XDP (the `xsks` map), the rest
				* dropped; default_steer should be XDPI_STEER_FULL, egress off */
	uint32_t lb_conns;     /* the balancer's connection table; 0: no balancer (one entry) */
	bool lb_decap;         /* a balancer's backend: unwrap IP-in-IP first */
};

enum xdpi_map {
	XDPI_MAP_EVENTS_RB,
	XDPI_MAP_FLOWS,
	XDPI_MAP_COUNTERS,
	XDPI_MAP_REPLAY_CLOCK,
	XDPI_MAP_STEER_PORTS,
	XDPI_MAP_POLICY4,
	XDPI_MAP_POLICY6,
	XDPI_MAP_RULE_STATS,
	XDPI_MAP_RULE_STATS_LOW,
	XDPI_MAP_PORTS4,
	XDPI_MAP_PORTS6,
	XDPI_MAP_POLICY_GEN,
	XDPI_MAP_XSKS,
	XDPI_MAP_MSG_HINTS,
	XDPI_MAP_LB_VIPS,
	XDPI_MAP_LB_RINGS,
	XDPI_MAP_LB_BACKENDS,
	XDPI_MAP_LB_CFG,
	XDPI_MAP_LB_SVC_STATS,
	XDPI_MAP_LB_BACKEND_STATS,
};

struct xdpi_loader;

/* The kernel produces ring-buffer records without waking the consumer, which drains on its
 * own timer (batches: DESIGN.md), and forces a wake-up once this much waits: a quarter of the
 * ring, at most XDPI_WAKEUP_MAX, so that a small ring is drained long before it is full. */
#define XDPI_WAKEUP_MAX (256u << 10)
uint32_t xdpi_loader_wakeup_bytes(uint32_t ringbuf_bytes);

/* Opens, configures and loads both programs. NULL with errno on failure, and the sentence
 * for the operator (what failed, the likely fix) in ERR. */
struct xdpi_loader *xdpi_loader__open(const struct xdpi_loader_cfg *cfg, char *err,
				      size_t errlen);
/* Attaches to cfg->ifname. Returns 0 or -errno, with the sentence in ERR. Warnings (generic
 * XDP, no tcx, no bpffs) go to the log: the run goes on. */
int xdpi_loader__attach(struct xdpi_loader *l, char *err, size_t errlen);
/* Detaches the programs attached through links (not when persisting), keeping the maps: no
 * packet reaches a ring after this, so a last drain and the counters read after it agree. */
void xdpi_loader__quiesce(struct xdpi_loader *l);
/* Detaches (if attached) and frees. NULL-safe. */
void xdpi_loader__free(struct xdpi_loader *l);
int xdpi_loader__map_fd(const struct xdpi_loader *l, enum xdpi_map m);
/* The per-rule counters' two maps (xdpi/policy.h). */
struct xdpi_rule_stats_maps xdpi_loader__rule_stats(const struct xdpi_loader *l);
int xdpi_loader__xdp_prog_fd(const struct xdpi_loader *l);
/* The address policy's maps (policy4, policy6, policy_gen). */
struct xdpi_policy_fds xdpi_loader__policy_fds(const struct xdpi_loader *l);
/* The directory the maps are pinned in ("" when not pinned). */
const char *xdpi_loader__pin_dir(const struct xdpi_loader *l);
const char *xdpi_loader__xdp_mode(const struct xdpi_loader *l);
const char *xdpi_loader__tc_mode(const struct xdpi_loader *l);

/* The engine's view of the fast path; kctx is the struct xdpi_loader. */
extern const struct xdpi_kernel_ops xdpi_loader_kernel_ops;

#endif /* XDPI_LOADER_H */
