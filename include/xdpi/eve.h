/* SPDX-License-Identifier: GPL-2.0 */
/* EVE JSON (Suricata's event format) composition. xdpi's own additions sit under "xdpi". */
#ifndef XDPI_EVE_H
#define XDPI_EVE_H

#include <stdint.h>
#include "xdpi/flow.h"
#include "xdpi/json.h"

struct xdpi_eve_ctx {
	int64_t wall_offset_ns; /* wall clock = flow clock + this */
	const char *in_iface;
	/* writes a flow's process context (ctx: the struct xdpi_flow) into the event's xdpi
	 * object as it closes; NULL: none */
	void (*process_json)(void *ctx, struct xdpi_json *j);
};

/* The client's (initiator's) address and port, and the server's, of a flow. */
struct xdpi_endpoints {
	const uint32_t *src, *dst;
	uint16_t sport, dport;
};
struct xdpi_endpoints xdpi_flow_endpoints(const struct xdpi_flow *f);
void xdpi_eve_put_ip(struct xdpi_json *j, const char *key, const struct xdpi_flow *f,
		     const uint32_t *addr);
bool xdpi_proto_has_ports(uint8_t proto);

/* "2022-01-26T04:50:41.023341+0000" (UTC, microseconds, as Suricata writes it) */
void xdpi_eve_time(char *buf, size_t n, uint64_t wall_ns);
/* Opens the event object and writes the fields every flow-bound event starts with:
 * timestamp, flow_id, in_iface, event_type, vlan, src/dest ip and port, proto. The caller
 * adds its own fields and closes the object. */
void xdpi_eve_begin(struct xdpi_json *j, const struct xdpi_eve_ctx *c, uint64_t ts,
		    const char *event_type, const struct xdpi_flow *f);
/* The same for something the server sent when TO_CLIENT: src is then the server, as
 * Suricata writes an alert on a response. */
void xdpi_eve_begin_dir(struct xdpi_json *j, const struct xdpi_eve_ctx *c, uint64_t ts,
			const char *event_type, const struct xdpi_flow *f, bool to_client);
/* A whole flow event. */
/* xdpi.tunnel of a tunnelled flow: its type and id (nothing for a flow outside tunnels). */
void xdpi_eve_put_xdpi_tunnel(struct xdpi_json *j, const struct xdpi_flow *f);
/* The flow record. RISK_NOTES: the evidence of the risks the application layer raised
 * ("risk\tevidence\n" lines, NULL: none). */
void xdpi_eve_flow(struct xdpi_json *j, const struct xdpi_eve_ctx *c, const struct xdpi_flow *f,
		   enum xdpi_flow_end why, const char *risk_notes);
/* A drop event for a sample of a packet the fast path dropped (decoded into D): Suricata's
 * `drop` object (lengths, TTL, TCP header) and xdpi's rule id, reason and hook. */
struct xdpi_decoded;
struct xdpi_pkt;
void xdpi_eve_drop(struct xdpi_json *j, const struct xdpi_eve_ctx *c, const struct xdpi_pkt *pkt,
		   const struct xdpi_decoded *d);
/* An alert event: Suricata's alert object, the matched application-layer object, the flow's
 * counters; BLOCKED when its drop reached the fast path. */
struct xdpi_alert;
void xdpi_eve_alert(struct xdpi_json *j, const struct xdpi_eve_ctx *c, const struct xdpi_alert *a,
		    bool blocked);
/* An anomaly detector's alert: src/dest as the detector names them, the alert object (gid
 * 9000), and its evidence under xdpi.anomaly. */
struct xdpi_anomaly_alert;
void xdpi_eve_anomaly(struct xdpi_json *j, const struct xdpi_eve_ctx *c,
		      const struct xdpi_anomaly_alert *a);
/* Suricata's flow_id: a stable 51-bit number (exact in a JSON double). */
uint64_t xdpi_eve_flow_id(const struct xdpi_flow *f);
/* An address (family 4 or 6, network order) as text. */
const char *xdpi_addr_str(uint8_t family, const void *addr, char *buf, size_t n);
const char *xdpi_proto_name(uint8_t proto, char *buf, size_t n);
const char *xdpi_steer_name(uint8_t steer);
/* The steering state named NAME (as xdpi_steer_name writes it), or -1. */
int xdpi_steer_from_name(const char *name);

#endif /* XDPI_EVE_H */
