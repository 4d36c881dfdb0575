// SPDX-License-Identifier: GPL-2.0
/* EVE to Redis, as Suricata does it: each event RPUSHed to a list (read it with LPOP or
 * BLPOP, oldest first) or PUBLISHed on a channel. Events are pipelined in batches from the
 * queue's thread; a lost connection is opened again with backoff, and what was not
 * acknowledged is sent again (a list may then hold an event twice, never lose it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hiredis/hiredis.h>
#include "xdpi/log.h"
#include "xdpi/output.h"
#include "xdpi/outputs.h"

struct xdpi_redis {
	char host[256], key[256];
	int port;
	bool publish;
	redisContext *c;
	struct xdpi_sendq *q;
};

static int redis_connect(struct xdpi_redis *r)
{
	struct timeval tv = { .tv_sec = 1 };

	r->c = redisConnectWithTimeout(r->host, r->port, tv);
	if (!r->c || r->c->err) {
		xdpi_log_debug("redis %s:%d: %s\n", r->host, r->port, r->c ? r->c->errstr : "no memory");
		if (r->c)
			redisFree(r->c);
		r->c = NULL;
		return -ECONNREFUSED;
	}
	tv.tv_sec = 2;
	redisSetTimeout(r->c, tv);
	return 0;
}

static int redis_deliver(void *priv, const struct iovec *msg, size_t n)
{
	struct xdpi_redis *r = priv;
	const char *cmd = r->publish ? "PUBLISH" : "RPUSH";
	size_t done = 0;

	if (!r->c && redis_connect(r))
		return -ECONNREFUSED;
	for (size_t i = 0; i < n; i++)
		redisAppendCommand(r->c, "%s %s %b", cmd, r->key, msg[i].iov_base, msg[i].iov_len);
	for (; done < n; done++) {
		redisReply *reply = NULL;

		if (redisGetReply(r->c, (void **)&reply) != REDIS_OK || !reply)
			break;
		if (reply->type == REDIS_REPLY_ERROR)
			xdpi_log_warn("redis: %s %s: %s\n", cmd, r->key, reply->str);
		freeReplyObject(reply);
	}
	if (done < n) /* the connection broke: what is not acknowledged goes again */
		return done ? (int)done : -EIO;
	return (int)n;
}

static void redis_reset(void *priv)
{
	struct xdpi_redis *r = priv;

	if (r->c)
		redisFree(r->c);
	r->c = NULL;
}

static const struct xdpi_sendq_ops redis_ops = {
	.deliver = redis_deliver,
	.reset = redis_reset,
};

/* redis://HOST[:PORT][/KEY] */
static int parse_url(struct xdpi_redis *r, const char *url, char *err, size_t errlen)
{
	const char *p = url + 8, *slash, *colon;
	size_t hlen;

	if (strncmp(url, "redis://", 8)) {
		snprintf(err, errlen, "'%s': expected redis://HOST[:PORT][/KEY]", url);
		return -1;
	}
	slash = strchr(p, '/');
	colon = memchr(p, ':', slash ? (size_t)(slash - p) : strlen(p));
	hlen = colon ? (size_t)(colon - p) : slash ? (size_t)(slash - p) : strlen(p);
	if (!hlen || hlen >= sizeof(r->host)) {
		snprintf(err, errlen, "'%s': no host", url);
		return -1;
	}
	memcpy(r->host, p, hlen);
	r->port = 6379;
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);

		if (end == colon + 1 || (*end && *end != '/') || port < 1 || port > 65535) {
			snprintf(err, errlen, "'%s': the port is a number from 1 to 65535", url);
			return -1;
		}
		r->port = (int)port;
	}
	snprintf(r->key, sizeof(r->key), "%s", slash && slash[1] ? slash + 1 : "xdpi");
	return 0;
}

int xdpi_redis_check(const char *url, const char *mode, char *err, size_t errlen)
{
	struct xdpi_redis r;

	if (url && parse_url(&r, url, err, errlen))
		return -EINVAL;
	if (mode && strcmp(mode, "list") && strcmp(mode, "channel")) {
		snprintf(err, errlen, "'%s': the Redis mode is list or channel", mode);
		return -EINVAL;
	}
	return 0;
}

struct xdpi_redis *xdpi_redis__new(const char *url, const char *mode, char *err, size_t errlen)
{
	struct xdpi_sendq_cfg qc = { .name = "redis", .capacity = 65536, .batch = 128,
				     .backoff_min_ms = 100, .backoff_max_ms = 2000, .drain_ms = 2000 };
	struct xdpi_redis *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse_url(r, url, err, errlen) || xdpi_redis_check(NULL, mode, err, errlen))
		goto fail;
	r->publish = mode && !strcmp(mode, "channel");
	if (!(r->q = xdpi_sendq__new(&qc, &redis_ops, r))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return r;
fail:
	free(r);
	return NULL;
}

int xdpi_redis__write(struct xdpi_redis *r, const char *json, size_t len)
{
	return xdpi_sendq__push(r->q, json, len);
}

void xdpi_redis__stats(struct xdpi_redis *r, struct xdpi_sendq_stats *st)
{
	xdpi_sendq__stats(r->q, st);
}

void xdpi_redis__free(struct xdpi_redis *r, struct xdpi_sendq_stats *last)
{
	if (!r)
		return;
	xdpi_sendq__free(r->q, last);
	redis_reset(r);
	free(r);
}

/* ---- as an output: every EVE event ---- */

static bool redis_wanted(const struct xdpi_output_cfg *c)
{
	return c->redis_url != NULL;
}

static void *redis_open(const struct xdpi_output_cfg *c, char *err, size_t errlen)
{
	return xdpi_redis__new(c->redis_url, c->redis_mode, err, errlen);
}

static int redis_event(void *priv, const char *json, size_t len)
{
	return xdpi_redis__write(priv, json, len); /* a full queue drops, counted: never waits */
}

static void redis_stats(void *priv, struct xdpi_json *j)
{
	struct xdpi_sendq_stats st;

	xdpi_redis__stats(priv, &st);
	xdpi_sendq_stats_json(j, "redis", &st);
}

static void redis_expose(void *priv, struct xdpi_prom *p)
{
	struct xdpi_sendq_stats st;

	xdpi_redis__stats(priv, &st);
	xdpi_sendq_stats_expose(p, "redis", &st);
}

static void redis_close(void *priv)
{
	struct xdpi_sendq_stats st;

	xdpi_redis__free(priv, &st);
	xdpi_sendq_say_losses("redis", &st);
}

const struct xdpi_output_ops xdpi_output_redis = {
	.name = "redis",
	.option = "--redis",
	.wanted = redis_wanted,
	.open = redis_open,
	.on_event = redis_event,
	.stats = redis_stats,
	.expose = redis_expose,
	.close = redis_close,
};
