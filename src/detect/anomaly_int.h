/* SPDX-License-Identifier: GPL-2.0 */
/* The anomaly detectors' shared internals: the dispatcher (anomaly.c) owns one state per
 * detector (anomaly_scan.c, anomaly_surge.c, anomaly_dns.c). */
#ifndef XDPI_ANOMALY_INT_H
#define XDPI_ANOMALY_INT_H

#include "xdpi/anomaly.h"

struct anomaly_out {
	const struct xdpi_anomaly_cfg *cfg;
	xdpi_anomaly_fn fn;
	void *ctx;
	uint64_t *cnt;
};

/* The client's and the server's address and port of F. */
struct flow_ends {
	uint8_t family, proto;
	const uint8_t *client, *server;
	uint16_t cport, sport;
};
struct flow_ends anomaly_flow_ends(const struct xdpi_flow *f);
void anomaly_emit(const struct anomaly_out *o, struct xdpi_anomaly_alert *a);
void anomaly_put_addr(struct xdpi_json *j, const char *key, uint8_t family, const uint8_t *addr);

/* A fixed table of heap entries found by a 32-byte key; each entry starts with this. */
struct anomaly_entry {
	uint8_t key[32];
	uint64_t last_seen;
};

struct anomaly_table {
	struct anomaly_entry **slot;
	uint32_t n;        /* slots, a power of two */
	size_t entry_size;
};

int anomaly_table_init(struct anomaly_table *t, uint32_t slots, size_t entry_size);
void anomaly_table_free(struct anomaly_table *t);
/* KEY's entry, or a new zeroed one (*CREATED), recycling the least recently seen entry of
 * its probe run when they are all taken (counted in *EVICTED). NULL without memory. */
struct anomaly_entry *anomaly_table_get(struct anomaly_table *t, const uint8_t key[32],
					 uint64_t ts, uint64_t *evicted, bool *created);

struct scan_state;
struct scan_state *scan_new(void);
void scan_free(struct scan_state *s);
void scan_flow(struct scan_state *s, const struct anomaly_out *o, const struct xdpi_flow *f,
	       uint64_t ts);

struct surge_state;
struct surge_state *surge_new(void);
void surge_free(struct surge_state *s);
void surge_flow(struct surge_state *s, const struct anomaly_out *o, const struct xdpi_flow *f,
		uint64_t ts);
void surge_bytes(struct surge_state *s, const struct anomaly_out *o, const struct xdpi_flow *f,
		 uint64_t bytes, uint64_t ts);
void surge_tick(struct surge_state *s, const struct anomaly_out *o, uint64_t ts);

struct dns_state;
struct dns_state *dns_new(void);
void dns_free(struct dns_state *s);
void dns_query(struct dns_state *s, const struct anomaly_out *o, const struct xdpi_flow *f,
	       const char *name, size_t len, uint16_t qtype, uint64_t ts);

#endif /* XDPI_ANOMALY_INT_H */
