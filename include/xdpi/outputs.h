/* SPDX-License-Identifier: GPL-2.0 */
/* Outputs for the fleet, beside EVE lines in a file: each one file in src/output/, each
 * non-blocking for the threads that feed it (a slow or dead peer is counted, never waited
 * for), each reconnecting by itself. */
#ifndef XDPI_OUTPUTS_H
#define XDPI_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/flow.h"
#include "xdpi/pkt.h"
#include "xdpi/sendq.h"

/* ---- a JSON webhook (output/webhook.c): HTTP(S) POST with retries and backoff ---- */
struct xdpi_webhook;
/* URL: http:// or https://. NULL with ERR set on a bad URL. */
struct xdpi_webhook *xdpi_webhook__new(const char *url, char *err, size_t errlen);
int xdpi_webhook__post(struct xdpi_webhook *w, const char *json, size_t len);
void xdpi_webhook__stats(struct xdpi_webhook *w, struct xdpi_sendq_stats *st);
void xdpi_webhook__free(struct xdpi_webhook *w, struct xdpi_sendq_stats *last);

/* ---- EVE to Redis (output/redis.c): RPUSH to a list or PUBLISH to a channel ---- */
struct xdpi_redis;
/* URL: redis://HOST[:PORT][/KEY] (port 6379, key "xdpi"); MODE "list" or "channel". */
struct xdpi_redis *xdpi_redis__new(const char *url, const char *mode, char *err, size_t errlen);
/* The syntax of URL and MODE (either may be NULL): 0, or -EINVAL with why in ERR. */
int xdpi_redis_check(const char *url, const char *mode, char *err, size_t errlen);
int xdpi_redis__write(struct xdpi_redis *r, const char *json, size_t len);
void xdpi_redis__stats(struct xdpi_redis *r, struct xdpi_sendq_stats *st);
void xdpi_redis__free(struct xdpi_redis *r, struct xdpi_sendq_stats *last);

/* ---- flow export as IPFIX over UDP (output/ipfix.c, RFC 7011) ---- */
struct xdpi_ipfix_stats {
	uint64_t records;      /* exported (a message may still hold them until the next tick) */
	uint64_t messages, templates, send_errors;
	uint64_t records_lost; /* in messages the socket refused */
};
struct xdpi_ipfix;
/* TARGET: HOST:PORT or [V6]:PORT. */
/* TARGET's syntax (HOST:PORT, [V6]:PORT), not resolved: 0, or -EINVAL with why in ERR. */
int xdpi_ipfix_check_target(const char *target, char *err, size_t errlen);
struct xdpi_ipfix *xdpi_ipfix__new(const char *target, int64_t wall_offset_ns, char *err,
				   size_t errlen);
/* One record per direction that carried packets since the last record; thread-safe. */
void xdpi_ipfix__flow(struct xdpi_ipfix *x, const struct xdpi_flow *f, enum xdpi_flow_end why);
/* Sends what is batched (and the templates when they are due). */
void xdpi_ipfix__flush(struct xdpi_ipfix *x);
void xdpi_ipfix__stats(struct xdpi_ipfix *x, struct xdpi_ipfix_stats *st);
void xdpi_ipfix__free(struct xdpi_ipfix *x);

/* ---- pcap of alerted flows (output/pcap_alerts.c) ---- */
struct xdpi_pcap_alerts_stats {
	uint64_t packets, bytes, files, rotations, removed, errors, skipped_link;
};
struct xdpi_pcap_alerts;
/* Files DIR/alerts.N.pcap (N after those already there); a new one past ROTATE_BYTES or
 * when the link type changes; only the newest KEEP (0: all) are kept. Thread-safe. */
struct xdpi_pcap_alerts *xdpi_pcap_alerts__new(const char *dir, uint64_t rotate_bytes,
					       uint32_t keep, int64_t wall_offset_ns, char *err,
					       size_t errlen);
void xdpi_pcap_alerts__packet(struct xdpi_pcap_alerts *p, const struct xdpi_pkt *pkt);
void xdpi_pcap_alerts__flush(struct xdpi_pcap_alerts *p);
void xdpi_pcap_alerts__stats(struct xdpi_pcap_alerts *p, struct xdpi_pcap_alerts_stats *st);
void xdpi_pcap_alerts__free(struct xdpi_pcap_alerts *p);

#endif /* XDPI_OUTPUTS_H */
