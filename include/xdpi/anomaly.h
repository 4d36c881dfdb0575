/* SPDX-License-Identifier: GPL-2.0 */
/* Anomaly detectors that explain themselves: port and host scans (distinct destinations per
 * source over a window), SYN floods and volumetric surges (per-destination rates against an
 * EWMA baseline), DNS tunnelling (long or high-entropy labels, TXT/NULL volume per domain).
 * Each alert carries its evidence; every detector's state is a fixed-size table, and what it
 * has to forget is counted. One file per detector in src/detect/anomaly_*.c. */
#ifndef XDPI_ANOMALY_H
#define XDPI_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>
#include "xdpi/flow.h"
#include "xdpi/json.h"

/* Signature ids of the detectors' alerts (gid XDPI_ANOMALY_GID). */
#define XDPI_ANOMALY_GID 9000
enum xdpi_anomaly_kind {
	XDPI_ANOM_PORT_SCAN = 1, /* sid 9000001 */
	XDPI_ANOM_HOST_SCAN,     /* 9000002 */
	XDPI_ANOM_SYN_FLOOD,     /* 9000003: new flows (SYNs) to one destination */
	XDPI_ANOM_VOLUME,        /* 9000004: bytes to one destination */
	XDPI_ANOM_DNS_TUNNEL,    /* 9000005 */
	XDPI_ANOM_MAX,
};

/* The most distinct names a DNS detector window remembers per domain (and so the highest
 * dns_queries and dns_txt). */
#define XDPI_DNS_NAMES_MAX 128

struct xdpi_anomaly_cfg {
	bool off;                /* no detector at all */
	uint32_t window_s;       /* scans and DNS: the window (default 60) */
	uint32_t scan_ports;     /* distinct ports on one host from one source (default 50) */
	uint32_t scan_hosts;     /* distinct hosts on one port from one source (default 128) */
	uint32_t syn_min;        /* new flows/s to one destination before it can be a flood (200) */
	uint32_t bytes_min;      /* bytes/s to one destination before it can be a surge (50 MB) */
	double factor;           /* times the EWMA baseline that is a surge (default 8) */
	double alpha;            /* EWMA weight of each second (default 0.05, ~20 s memory) */
	uint32_t dns_label;      /* a label this long is suspicious (default 40) */
	double dns_entropy;      /* bits per character for labels >= 20 (default 4.0) */
	uint32_t dns_queries;    /* distinct suspicious names per domain per window (default 20) */
	uint32_t dns_txt;        /* distinct TXT/NULL names per domain per window (default 50) */
};

void xdpi_anomaly_defaults(struct xdpi_anomaly_cfg *c);
/* Sets "NAME=VALUE" (names as the fields above). 0 or -EINVAL with the reason in ERR. */
int xdpi_anomaly_set(struct xdpi_anomaly_cfg *c, const char *assignment, char *err, size_t errlen);

/* One alert: who, why, and a writer for its evidence object. */
struct xdpi_anomaly_alert {
	enum xdpi_anomaly_kind kind;
	const char *signature;
	const char *category;
	uint8_t family;          /* 4 or 6; 0: no address (a domain) */
	const uint8_t *src, *dst; /* 16 bytes each, or NULL */
	uint16_t sport, dport;
	uint8_t proto;
	uint64_t ts;
	void (*evidence)(const void *obj, struct xdpi_json *j);
	const void *obj;
};
typedef void (*xdpi_anomaly_fn)(void *ctx, const struct xdpi_anomaly_alert *a);

#define XDPI_ANOMALY_COUNTERS(X)                                                      \
	X(ALERTS, "alerts")                                                           \
	X(SOURCES_EVICTED, "scan_sources_evicted")                                    \
	X(DESTS_EVICTED, "surge_destinations_evicted")                                \
	X(DOMAINS_EVICTED, "dns_domains_evicted")

enum xdpi_anomaly_counter {
#define XDPI_X_ENUM(id, name) XDPI_ACNT_##id,
	XDPI_ANOMALY_COUNTERS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_ACNT_MAX,
};

struct xdpi_anomaly;
struct xdpi_anomaly *xdpi_anomaly__new(const struct xdpi_anomaly_cfg *c, xdpi_anomaly_fn fn,
				       void *ctx);
void xdpi_anomaly__free(struct xdpi_anomaly *a);
/* A new flow (its first packet, from the client). */
void xdpi_anomaly__flow_new(struct xdpi_anomaly *a, const struct xdpi_flow *f, uint64_t ts);
/* BYTES more towards the server of F (packets seen, or the kernel's counts). */
void xdpi_anomaly__bytes(struct xdpi_anomaly *a, const struct xdpi_flow *f, uint64_t bytes,
			 uint64_t ts);
/* A DNS question NAME (LEN bytes) of QTYPE asked on flow F. */
void xdpi_anomaly__dns(struct xdpi_anomaly *a, const struct xdpi_flow *f, const char *name,
		       size_t len, uint16_t qtype, uint64_t ts);
/* Once a second: closes the rate buckets, updates the baselines, ends windows. */
void xdpi_anomaly__tick(struct xdpi_anomaly *a, uint64_t ts);
const uint64_t *xdpi_anomaly__counters(const struct xdpi_anomaly *a);
const char *xdpi_anomaly_counter_name(enum xdpi_anomaly_counter c);

#endif /* XDPI_ANOMALY_H */
