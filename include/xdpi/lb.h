/* SPDX-License-Identifier: GPL-2.0 */
/* The balancer's user-space half: the configuration file, the weighted Maglev table the XDP
 * program reads, the maps it writes, and the controller that runs health checks (active,
 * passive, layer 7) and swaps a service's table when its healthy set changes. */
#ifndef XDPI_LB_H
#define XDPI_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "shared/xdpi_abi.h"

/* ---- configuration (lb_config.c) ---- */

enum xdpi_lb_check_kind { XDPI_LB_CHECK_NONE, XDPI_LB_CHECK_TCP, XDPI_LB_CHECK_HTTP };

struct xdpi_lb_check {
	enum xdpi_lb_check_kind kind;
	char path[128];        /* HTTP: the path asked for */
	uint32_t interval_ms;  /* between checks of one backend */
	uint32_t timeout_ms;
	uint32_t rise, fall;   /* consecutive results that change the verdict */
};

/* An outlier rule (passive or layer 7): over WINDOW_MS, at least MIN events of which a share
 * RATIO or more are bad ejects the backend for EJECT_MS, doubled for each ejection in a row
 * (at most 8x), then it is readmitted on trial: its own traffic judges it again. */
struct xdpi_lb_outlier {
	bool on;
	double ratio;
	uint32_t min;
	uint32_t window_ms;
	uint32_t eject_ms;
};

struct xdpi_lb_backend_conf {
	uint32_t addr[4];
	uint8_t family;
	uint16_t weight;
	uint16_t service;
	char text[48];        /* the address as written */
	char metrics[256];    /* the backend's xdpi agent's /metrics URL ("" : none) */
	uint32_t line;
};

struct xdpi_lb_service_conf {
	char name[32];
	struct xdpi_lb_vip_key vip;
	char vip_text[64];    /* "198.51.100.1:80/tcp" */
	struct xdpi_lb_check check;
	struct xdpi_lb_outlier passive, l7;
};

struct xdpi_lb_conf {
	struct xdpi_lb_cfg kernel; /* outer source prefixes, MTU */
	uint32_t conns;            /* connection table entries */
	struct xdpi_lb_service_conf services[XDPI_LB_SERVICES_MAX];
	uint32_t nservices;
	struct xdpi_lb_backend_conf backends[XDPI_LB_BACKENDS_MAX]; /* index: backend id */
	uint32_t nbackends;
};

/* Parses TEXT (LEN bytes) named NAME; the first error as "NAME:LINE:COL: ..." in ERR and
 * -EINVAL (OUT is then undefined). */
int xdpi_lb_conf_parse(const char *name, const char *text, size_t len, struct xdpi_lb_conf *out,
		       char *err, size_t errlen);
int xdpi_lb_conf_load(const char *path, struct xdpi_lb_conf *out, char *err, size_t errlen);
/* "ADDR:PORT", "[ADDR6]:PORT", optionally "/tcp" or "/udp" (tcp when absent), into K. */
int xdpi_lb_vip_parse(const char *s, struct xdpi_lb_vip_key *k);
void xdpi_lb_vip_format(const struct xdpi_lb_vip_key *k, char *buf, size_t n);

/* ---- the weighted Maglev table (maglev.c) ---- */

struct xdpi_lb_member {
	uint32_t id;        /* backend id: what a slot holds */
	uint32_t addr[4];   /* its identity for the permutation: stable across restarts */
	uint8_t family;
	uint32_t weight;    /* 0: no slot */
};

/* Fills TABLE (XDPI_LB_RING_SIZE slots) from the N members. They are put in canonical order
 * (family, address) first, so every instance and restart builds the same table from the same
 * set whatever order it was given in; each backend's turn places as many slots as its weight,
 * so slots per backend differ from the weights' shares by less than one weight unit. Slots
 * stay XDPI_LB_NONE when no member has weight. 0 or -ENOMEM. */
int xdpi_maglev_build(const struct xdpi_lb_member *m, size_t n, uint32_t *table);

/* ---- the kernel maps (lb_maps.c) ---- */

struct xdpi_lb_maps {
	int vips, rings, backends, cfg, svc_stats, backend_stats;
};

/* Puts TABLE in as service SVC's whole Maglev table (a new inner map, swapped in one update:
 * a packet sees the old table or the new one). 0 or -errno. */
int xdpi_lb_table_swap(const struct xdpi_lb_maps *m, uint32_t svc, const uint32_t *table);
/* The services' VIPs, the backends and the kernel settings of C (tables: the controller's),
 * the balancer left off; then xdpi_lb_enable turns it on (or off: VIP packets pass). */
int xdpi_lb_install(const struct xdpi_lb_maps *m, const struct xdpi_lb_conf *c);
int xdpi_lb_enable(const struct xdpi_lb_maps *m, const struct xdpi_lb_conf *c, bool on);
/* Sums of the per-CPU counters of service SVC / backend ID. */
int xdpi_lb_svc_read(const struct xdpi_lb_maps *m, uint32_t svc, uint64_t out[XDPI_LB_SC_MAX]);
int xdpi_lb_backend_read(const struct xdpi_lb_maps *m, uint32_t id, uint64_t out[XDPI_LB_BC_MAX]);
extern const char *const xdpi_lb_svc_counter_names[XDPI_LB_SC_MAX];
extern const char *const xdpi_lb_backend_counter_names[XDPI_LB_BC_MAX];

/* ---- the controller (lb.c) ---- */

struct xdpi_lb;
struct xdpi_prom;
typedef int (*xdpi_lb_emit_fn)(void *ctx, const char *json, size_t len);

/* Installs C into the maps, builds every table, then turns the balancer on; WALL_OFFSET
 * turns the monotonic clock (NOW) into event timestamps. NULL with ERR on failure. */
struct xdpi_lb *xdpi_lb__open(const struct xdpi_lb_conf *c, const struct xdpi_lb_maps *m,
			      uint64_t now_ns, int64_t wall_offset_ns, xdpi_lb_emit_fn emit,
			      void *emit_ctx, char *err, size_t errlen);
/* Advances checks, reads the counters and the backends map (xdpi ctl's changes), swaps the
 * tables whose healthy set changed. Never blocks: call it every few tens of milliseconds. */
void xdpi_lb__tick(struct xdpi_lb *lb, uint64_t now_ns);
/* What the host must do for C's backends on IFNAME (forward IPv4, IPv6): 0, or -1 with ERR
 * saying what to set. */
int xdpi_lb_host_check(const struct xdpi_lb_conf *c, const char *ifname, char *err,
		       size_t errlen);
void xdpi_lb__expose(struct xdpi_lb *lb, struct xdpi_prom *p);
void xdpi_lb__free(struct xdpi_lb *lb);

#endif /* XDPI_LB_H */
