/* SPDX-License-Identifier: GPL-2.0 */
/* The pinned face of a running `xdpi run`: the maps `xdpi ctl` works on, under
 * XDPI_PIN_ROOT/netns-<inode>/<ifname>, so that same-named interfaces in two network namespaces
 * never share pins. The `instance` record beside them names the owner and its ABI. */
#ifndef XDPI_PINS_H
#define XDPI_PINS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "shared/xdpi_abi.h"

#define XDPI_PIN_ROOT "/sys/fs/bpf/xdpi"

enum xdpi_pin {
	XDPI_PIN_INSTANCE,
	XDPI_PIN_POLICY4,
	XDPI_PIN_POLICY6,
	XDPI_PIN_POLICY_GEN,
	XDPI_PIN_PORTS4,
	XDPI_PIN_PORTS6,
	XDPI_PIN_RULE_STATS,
	XDPI_PIN_RULE_STATS_LOW,
	XDPI_PIN_COUNTERS,
	XDPI_PIN_FLOWS,
	XDPI_PIN_LIMITS,
	XDPI_PIN_LB_VIPS,
	XDPI_PIN_LB_BACKENDS,
	XDPI_PIN_LB_CFG,
	XDPI_PIN_LB_SVC_STATS,
	XDPI_PIN_LB_BACKEND_STATS,
	XDPI_PIN_N,
};

/* A pinned map: its name in the object and on bpffs, and the layout this build expects. */
struct xdpi_pin_spec {
	const char *name;
	uint32_t key_size;
	uint32_t value_size;
};
extern const struct xdpi_pin_spec xdpi_pin_specs[XDPI_PIN_N];

/* The pins of --persist's links, beside the maps. */
#define XDPI_PIN_LINK_XDP "link_xdp"
#define XDPI_PIN_LINK_TC "link_tc"

/* This process's network namespace: its inode (the directory's name) and cookie. */
uint64_t xdpi_netns_inode(void);
uint64_t xdpi_netns_cookie(void);
/* XDPI_PIN_ROOT/netns-<inode>/IFNAME for this network namespace. */
void xdpi_pins_dir(const char *ifname, char *dir, size_t len);

/* Pins FDS[i] as xdpi_pin_specs[i].name under DIR (made, with its parents, mode 0700),
 * replacing what a killed instance left. Returns 0 or -errno (nothing left pinned). */
int xdpi_pins_create(const char *dir, const int fds[XDPI_PIN_N]);
/* Removes every pin under DIR (maps and links) and DIR, then its netns and root directories
 * when they are empty. */
void xdpi_pins_remove(const char *dir);

enum xdpi_pins_state {
	XDPI_PINS_LIVE,          /* a running xdpi: its programs use these maps */
	XDPI_PINS_PERSISTED,     /* --persist: programs attached, the xdpi that pinned exited */
	XDPI_PINS_NO_BPFFS,      /* no bpffs visible here: cannot tell */
	XDPI_PINS_NOT_PERMITTED, /* the pins exist or may, but this process may not open them */
	XDPI_PINS_NOT_RUNNING,   /* no xdpi on this interface, here or elsewhere */
	XDPI_PINS_ELSEWHERE,     /* on a same-named interface in another network namespace */
	XDPI_PINS_STALE,         /* left by an xdpi that is gone (killed) */
	XDPI_PINS_MISMATCH,      /* pinned by another build: another ABI or map layout */
};

struct xdpi_pins {
	char dir[PATH_MAX];
	int fd[XDPI_PIN_N];
	struct xdpi_instance inst;
};

/* Opens IFNAME's instance in this network namespace and checks it before anything is touched:
 * the instance record's ABI, every map's key and value size, and that the programs attached to
 * IFNAME use these maps. LIVE and PERSISTED leave the fds open (close with xdpi_pins_close);
 * any other state closes them and writes what it means and what to do into WHY. */
enum xdpi_pins_state xdpi_pins_open(const char *ifname, struct xdpi_pins *p, char *why,
				    size_t len);
void xdpi_pins_close(struct xdpi_pins *p);

#endif /* XDPI_PINS_H */
