// SPDX-License-Identifier: GPL-2.0
/* The delivery queue: a ring of message copies behind one mutex, drained by one thread.
 * The thread delivers without the lock held, so a push never waits for the network. */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xdpi/log.h"
#include "xdpi/sendq.h"

#define BATCH_MAX 256

struct xdpi_sendq {
	struct xdpi_sendq_cfg cfg;
	const struct xdpi_sendq_ops *ops;
	void *priv;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	struct iovec *ring;
	uint32_t *attempts; /* failed deliveries of the message at the head */
	size_t head, len;
	bool stop;
	struct timespec deadline; /* when stopping: give up after this */
	struct xdpi_sendq_stats st;
};

static void deadline_in(struct timespec *ts, uint32_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L)
		ts->tv_sec++, ts->tv_nsec -= 1000000000L;
}

static bool past(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > ts->tv_sec || (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

static void pop(struct xdpi_sendq *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(q->ring[q->head].iov_base);
		q->attempts[q->head] = 0;
		q->head = (q->head + 1) % q->cfg.capacity;
		q->len--;
	}
}

/* Copies up to cfg.batch messages from the head (the ring may wrap). */
static size_t take(struct xdpi_sendq *q, struct iovec *batch)
{
	size_t n = q->len < q->cfg.batch ? q->len : q->cfg.batch;

	for (size_t i = 0; i < n; i++)
		batch[i] = q->ring[(q->head + i) % q->cfg.capacity];
	return n;
}

/* Waits BACKOFF_MS unless the queue is told to stop (then the drain deadline rules). */
static void backoff_wait(struct xdpi_sendq *q, uint32_t ms)
{
	struct timespec until;

	deadline_in(&until, ms);
	while (!q->stop && !past(&until))
		pthread_cond_timedwait(&q->cond, &q->lock, &until);
}

static void failed_once(struct xdpi_sendq *q, uint32_t *backoff)
{
	q->st.connected = false;
	q->st.retries++;
	if (q->cfg.max_attempts && ++q->attempts[q->head] >= q->cfg.max_attempts) {
		q->st.failed++;
		pop(q, 1);
	}
	backoff_wait(q, *backoff);
	*backoff = *backoff * 2 > q->cfg.backoff_max_ms ? q->cfg.backoff_max_ms : *backoff * 2;
}

static void *sendq_main(void *arg)
{
	struct xdpi_sendq *q = arg;
	struct iovec batch[BATCH_MAX];
	uint32_t backoff = q->cfg.backoff_min_ms;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		size_t n;
		int rc;

		while (!q->len && !q->stop)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->len || (q->stop && past(&q->deadline)))
			break;
		n = take(q, batch);
		pthread_mutex_unlock(&q->lock);
		rc = q->ops->deliver(q->priv, batch, n);
		if (rc < 0 && rc != -EBADMSG)
			q->ops->reset(q->priv);
		pthread_mutex_lock(&q->lock);
		if (rc == -EBADMSG) { /* refused for what it is: retrying cannot help */
			q->st.failed++;
			pop(q, 1);
			continue;
		}
		if (rc < 0) {
			failed_once(q, &backoff);
			continue;
		}
		if ((size_t)rc > n)
			rc = (int)n;
		q->st.delivered += (uint64_t)rc;
		q->st.connected = true;
		backoff = q->cfg.backoff_min_ms;
		pop(q, (size_t)rc);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct xdpi_sendq *xdpi_sendq__new(const struct xdpi_sendq_cfg *cfg,
				   const struct xdpi_sendq_ops *ops, void *priv)
{
	struct xdpi_sendq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->cfg.capacity = cfg->capacity ? cfg->capacity : 65536;
	q->cfg.batch = cfg->batch ? (cfg->batch > BATCH_MAX ? BATCH_MAX : cfg->batch) : 1;
	q->cfg.backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms : 100;
	q->cfg.backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms : 5000;
	q->cfg.drain_ms = cfg->drain_ms ? cfg->drain_ms : 2000;
	q->ops = ops;
	q->priv = priv;
	q->ring = calloc(q->cfg.capacity, sizeof(*q->ring));
	q->attempts = calloc(q->cfg.capacity, sizeof(*q->attempts));
	if (!q->ring || !q->attempts)
		goto fail;
	pthread_mutex_init(&q->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&q->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (pthread_create(&q->thread, NULL, sendq_main, q)) {
		pthread_cond_destroy(&q->cond);
		pthread_mutex_destroy(&q->lock);
		goto fail;
	}
	return q;
fail:
	free(q->ring);
	free(q->attempts);
	free(q);
	errno = ENOMEM;
	return NULL;
}

int xdpi_sendq__push(struct xdpi_sendq *q, const char *msg, size_t len)
{
	char *copy;
	int rc = 0;

	pthread_mutex_lock(&q->lock);
	if (q->len == q->cfg.capacity) {
		q->st.dropped_full++;
		rc = -ENOBUFS;
	} else if (!(copy = malloc(len ? len : 1))) {
		q->st.dropped_full++;
		rc = -ENOMEM;
	} else {
		memcpy(copy, msg, len);
		q->ring[(q->head + q->len) % q->cfg.capacity] =
			(struct iovec){ .iov_base = copy, .iov_len = len };
		q->len++;
		q->st.queued++;
		pthread_cond_signal(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void xdpi_sendq__stats(struct xdpi_sendq *q, struct xdpi_sendq_stats *st)
{
	pthread_mutex_lock(&q->lock);
	*st = q->st;
	st->pending = q->len;
	pthread_mutex_unlock(&q->lock);
}

void xdpi_sendq__free(struct xdpi_sendq *q, struct xdpi_sendq_stats *last)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	deadline_in(&q->deadline, q->cfg.drain_ms);
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	if (q->len) {
		q->st.lost_at_close += q->len;
		xdpi_log_warn("%s: %zu messages not delivered at exit", q->cfg.name, q->len);
		pop(q, q->len);
	}
	if (last)
		*last = q->st;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q->ring);
	free(q->attempts);
	free(q);
}

/* ---- the counters of a delivery queue, once for every output that has one ---- */

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("queued", struct xdpi_sendq_stats, queued, XDPI_STAT_COUNTER, NULL, NULL,
		      NULL),
	XDPI_STAT_ROW("delivered", struct xdpi_sendq_stats, delivered, XDPI_STAT_COUNTER,
		      "xdpi_output_messages_total", "result=\"delivered\"",
		      "Messages of the network outputs by result."),
	XDPI_STAT_ROW("pending", struct xdpi_sendq_stats, pending, XDPI_STAT_GAUGE,
		      "xdpi_output_pending", NULL, "Messages queued, not yet delivered."),
	XDPI_STAT_ROW("dropped_full", struct xdpi_sendq_stats, dropped_full, XDPI_STAT_COUNTER,
		      "xdpi_output_messages_total", "result=\"dropped_full\"",
		      "Messages of the network outputs by result."),
	XDPI_STAT_ROW("failed", struct xdpi_sendq_stats, failed, XDPI_STAT_COUNTER,
		      "xdpi_output_messages_total", "result=\"failed\"",
		      "Messages of the network outputs by result."),
	XDPI_STAT_ROW("retries", struct xdpi_sendq_stats, retries, XDPI_STAT_COUNTER,
		      "xdpi_output_retries_total", NULL, "Deliveries retried after a failure."),
	XDPI_STAT_ROW("connected", struct xdpi_sendq_stats, connected, XDPI_STAT_BOOL,
		      "xdpi_output_connected", NULL, "1 when the last delivery went through."),
};

void xdpi_sendq_stats_json(struct xdpi_json *j, const char *name, const struct xdpi_sendq_stats *st)
{
	xdpi_stats_json(j, name, rows, XDPI_NSTATS(rows), st);
}

void xdpi_sendq_stats_expose(struct xdpi_prom *p, const char *sink,
			     const struct xdpi_sendq_stats *st)
{
	char label[64];

	snprintf(label, sizeof(label), "sink=\"%s\"", sink);
	xdpi_stats_expose(p, rows, XDPI_NSTATS(rows), st, label);
}

void xdpi_sendq_say_losses(const char *name, const struct xdpi_sendq_stats *st)
{
	if (st->dropped_full || st->failed || st->lost_at_close)
		xdpi_log_warn("%s: %llu delivered, %llu dropped (queue full), %llu given up after "
			      "retries, %llu undelivered at exit\n", name,
			      (unsigned long long)st->delivered, (unsigned long long)st->dropped_full,
			      (unsigned long long)st->failed, (unsigned long long)st->lost_at_close);
}
