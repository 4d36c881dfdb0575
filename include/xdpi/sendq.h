/* SPDX-License-Identifier: GPL-2.0 */
/* A delivery queue for outputs that talk to the network (Redis, webhooks): the caller hands
 * a message over and never waits; one thread per queue delivers in batches, and when the
 * peer is slow or gone it backs off (doubling, capped) and retries. A full queue drops the
 * new message and counts it; a message that fails max_attempts times is given up and
 * counted. Nothing is lost without a counter saying so. */
#ifndef XDPI_SENDQ_H
#define XDPI_SENDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "xdpi/stats.h"

struct xdpi_sendq_ops {
	/* Delivers the first messages of MSG[0..N): returns how many went (>= 1), or -errno
	 * when none did (the queue disconnects, backs off and tries again); -EBADMSG: the
	 * peer refused the first message for what it is, which is given up (failed). */
	int (*deliver)(void *priv, const struct iovec *msg, size_t n);
	/* After a failure: drop the connection, the next deliver opens a new one. */
	void (*reset)(void *priv);
};

struct xdpi_sendq_cfg {
	const char *name;        /* for log lines */
	size_t capacity;         /* messages held; 0: 65536 */
	size_t batch;            /* messages per deliver; 0: 1 */
	uint32_t max_attempts;   /* per message; 0: until delivered */
	uint32_t backoff_min_ms; /* 0: 100 */
	uint32_t backoff_max_ms; /* 0: 5000 */
	uint32_t drain_ms;       /* at close, time given to what is queued; 0: 2000 */
};

struct xdpi_sendq_stats {
	uint64_t queued, delivered, dropped_full, failed, retries, lost_at_close;
	uint64_t pending;
	bool connected; /* the last delivery went through */
};

struct xdpi_sendq;
struct xdpi_sendq *xdpi_sendq__new(const struct xdpi_sendq_cfg *cfg,
				   const struct xdpi_sendq_ops *ops, void *priv);
/* Copies MSG into the queue. 0, or -ENOBUFS when full (counted), -ENOMEM. Never blocks. */
int xdpi_sendq__push(struct xdpi_sendq *q, const char *msg, size_t len);
void xdpi_sendq__stats(struct xdpi_sendq *q, struct xdpi_sendq_stats *st);
/* Delivers what it can within drain_ms, counts the rest as lost_at_close, stops. The
 * final counters are left in *LAST when not NULL. */
void xdpi_sendq__free(struct xdpi_sendq *q, struct xdpi_sendq_stats *last);

/* A queue's counters in the stats event (object NAME) and in Prometheus (sink="SINK"), from
 * one table; and a warning line when messages were lost. */
void xdpi_sendq_stats_json(struct xdpi_json *j, const char *name, const struct xdpi_sendq_stats *st);
void xdpi_sendq_stats_expose(struct xdpi_prom *p, const char *sink,
			     const struct xdpi_sendq_stats *st);
void xdpi_sendq_say_losses(const char *name, const struct xdpi_sendq_stats *st);

#endif /* XDPI_SENDQ_H */
