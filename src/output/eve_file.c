// SPDX-License-Identifier: GPL-2.0
/* EVE JSON lines to a file or standard output, through a buffer of our own and write(2), so
 * that every failure is seen and every event is accounted for: written, or lost with the
 * errno that lost it. Flushed when the buffer fills, on every tick and at exit. A mutex,
 * because with --workers the output thread writes while the main loop flushes and reopens. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "xdpi/log.h"
#include "xdpi/output.h"

#define EVE_BUF (1u << 16)
#define NS_PER_SEC 1000000000ull

struct eve_file {
	pthread_mutex_t lock;
	int fd;
	bool is_stdout;
	char path[PATH_MAX];
	size_t used;
	uint32_t pending; /* events in buf */
	struct xdpi_eve_file_stats st;
	uint64_t reported_errors; /* losses said so far, and when */
	uint64_t reported_ns;
	char buf[EVE_BUF];
};

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("events", struct xdpi_eve_file_stats, events, XDPI_STAT_COUNTER,
		      "xdpi_output_events_total", NULL, "Events written."),
	XDPI_STAT_ROW("bytes", struct xdpi_eve_file_stats, bytes, XDPI_STAT_COUNTER, NULL, NULL,
		      NULL),
	XDPI_STAT_ROW("errors", struct xdpi_eve_file_stats, errors, XDPI_STAT_COUNTER,
		      "xdpi_output_errors_total", NULL, "Events lost to failed writes."),
};

static int open_path(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

static bool eve_file_wanted(const struct xdpi_output_cfg *c)
{
	(void)c;
	return true; /* standard output when no file is named */
}

static void *eve_file_open(const struct xdpi_output_cfg *c, char *errbuf, size_t errlen)
{
	const char *target = c->eve;
	struct eve_file *o = calloc(1, sizeof(*o));
	int err;

	if (!o) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&o->lock, NULL);
	if (!target || !strcmp(target, "-")) {
		o->fd = STDOUT_FILENO;
		o->is_stdout = true;
		snprintf(o->path, sizeof(o->path), "standard output");
		return o;
	}
	snprintf(o->path, sizeof(o->path), "%s", target);
	o->fd = open_path(target);
	if (o->fd < 0) {
		err = errno;
		snprintf(errbuf, errlen, "cannot open '%s': %s", target, strerror(err));
		pthread_mutex_destroy(&o->lock);
		free(o);
		return NULL;
	}
	return o;
}

/* Writes LEN bytes holding N whole events. Returns 0 or -errno; on failure the events not
 * wholly written are counted lost (a line cut in the middle is lost too). */
static int write_out(struct eve_file *o, const char *p, size_t len, uint32_t n)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(o->fd, p + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			uint32_t whole = 0;

			for (size_t i = 0; i < done; i++)
				whole += p[i] == '\n';
			o->st.last_errno = w < 0 ? errno : EIO;
			o->st.errors += n - whole;
			o->st.events += whole;
			o->st.bytes += done;
			return -o->st.last_errno;
		}
		done += (size_t)w;
	}
	o->st.events += n;
	o->st.bytes += len;
	return 0;
}

static int flush_locked(struct eve_file *o)
{
	int err = o->used ? write_out(o, o->buf, o->used, o->pending) : 0;

	o->used = 0;
	o->pending = 0;
	return err;
}

static int eve_file_event(void *priv, const char *json, size_t len)
{
	struct eve_file *o = priv;
	int err = 0;

	pthread_mutex_lock(&o->lock);
	if (o->used + len + 1 > sizeof(o->buf))
		err = flush_locked(o);
	if (len + 1 > sizeof(o->buf)) { /* larger than the buffer: straight out, two writes */
		err = write_out(o, json, len, 0);
		if (!err)
			err = write_out(o, "\n", 1, 1);
		else
			o->st.errors++;
	} else {
		memcpy(o->buf + o->used, json, len);
		o->buf[o->used + len] = '\n';
		o->used += len + 1;
		o->pending++;
	}
	pthread_mutex_unlock(&o->lock);
	return err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Says that events are being lost: at the first loss, then at most once a minute (FINAL: the
 * last word, whenever). A reader that went away (EPIPE) is a way to stop, not a loss. */
static void report_losses(struct eve_file *o, bool final)
{
	uint64_t now = now_ns();

	if (o->st.errors == o->reported_errors || o->st.last_errno == EPIPE)
		return;
	if (!final && o->reported_errors && now - o->reported_ns < 60 * NS_PER_SEC)
		return;
	xdpi_log_warn("writing events to %s failed: %s; %llu event%s lost so far "
		      "(xdpi_output_errors_total)\n", o->path, strerror(o->st.last_errno),
		      (unsigned long long)o->st.errors, o->st.errors == 1 ? "" : "s");
	o->reported_errors = o->st.errors;
	o->reported_ns = now;
}

static int eve_file_tick(void *priv)
{
	struct eve_file *o = priv;
	int err;

	pthread_mutex_lock(&o->lock);
	flush_locked(o);
	report_losses(o, false);
	err = o->st.last_errno == EPIPE ? -EPIPE : 0;
	pthread_mutex_unlock(&o->lock);
	return err;
}

/* logrotate moved the file away: what is buffered goes to the old file, then a new one is
 * opened under the same name. Standard output is left alone. */
static int eve_file_reopen(void *priv)
{
	struct eve_file *o = priv;
	int err, fd;

	if (o->is_stdout)
		return 0;
	pthread_mutex_lock(&o->lock);
	err = flush_locked(o);
	fd = open_path(o->path);
	if (fd < 0) {
		err = -errno; /* keep writing to the old file rather than losing events */
	} else {
		close(o->fd);
		o->fd = fd;
	}
	pthread_mutex_unlock(&o->lock);
	return err;
}

static struct xdpi_eve_file_stats snapshot(struct eve_file *o)
{
	struct xdpi_eve_file_stats st;

	pthread_mutex_lock(&o->lock);
	st = o->st;
	pthread_mutex_unlock(&o->lock);
	return st;
}

static void eve_file_stats(void *priv, struct xdpi_json *j)
{
	struct xdpi_eve_file_stats st = snapshot(priv);

	xdpi_stats_json(j, "output", rows, XDPI_NSTATS(rows), &st);
}

static void eve_file_expose(void *priv, struct xdpi_prom *p)
{
	struct xdpi_eve_file_stats st = snapshot(priv);

	xdpi_stats_expose(p, rows, XDPI_NSTATS(rows), &st, NULL);
}

static uint64_t eve_file_lost(void *priv)
{
	struct xdpi_eve_file_stats st = snapshot(priv);

	return st.last_errno == EPIPE ? 0 : st.errors;
}

static void eve_file_close(void *priv)
{
	struct eve_file *o = priv;

	if (!o)
		return;
	flush_locked(o);
	report_losses(o, true);
	if (!o->is_stdout)
		close(o->fd);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

const struct xdpi_output_ops xdpi_output_eve_file = {
	.name = "eve_file",
	.option = "--output",
	.wanted = eve_file_wanted,
	.open = eve_file_open,
	.on_event = eve_file_event,
	.tick = eve_file_tick,
	.reopen = eve_file_reopen,
	.stats = eve_file_stats,
	.expose = eve_file_expose,
	.lost = eve_file_lost,
	.close = eve_file_close,
};
