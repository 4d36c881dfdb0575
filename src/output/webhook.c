// SPDX-License-Identifier: GPL-2.0
/* A JSON webhook: each message is one HTTP(S) POST (libcurl, one kept-alive connection),
 * delivered from the queue's thread. 2xx is delivered; 408, 429, 5xx and connection
 * failures are retried with backoff; any other answer is the receiver refusing the
 * message, which retrying cannot fix: it is given up and counted as failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/curl_dl.h"
#include "xdpi/log.h"
#include "xdpi/output.h"
#include "xdpi/outputs.h"

#define ATTEMPTS 6   /* 1 + 5 retries: 0.25 + 0.5 + 1 + 2 + 4 s of backoff */
#define TIMEOUT_MS 5000L

static const struct xdpi_curl *cu; /* libcurl, loaded by the first webhook */

struct xdpi_webhook {
	char url[1024];
	CURL *curl;
	struct curl_slist *headers;
	struct xdpi_sendq *q;
	long last_status;
};

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p, (void)ud;
	return size * n;
}

static int open_curl(struct xdpi_webhook *w)
{
	w->curl = cu->easy_init();
	if (!w->curl)
		return -ENOMEM;
	cu->easy_setopt(w->curl, CURLOPT_URL, w->url);
	cu->easy_setopt(w->curl, CURLOPT_HTTPHEADER, w->headers);
	cu->easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
	cu->easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	cu->easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	cu->easy_setopt(w->curl, CURLOPT_USERAGENT, "xdpi-webhook/1");
	return 0;
}

static int webhook_deliver(void *priv, const struct iovec *msg, size_t n)
{
	struct xdpi_webhook *w = priv;
	long status = 0;
	CURLcode rc;

	(void)n;
	if (!w->curl && open_curl(w))
		return -ENOMEM;
	cu->easy_setopt(w->curl, CURLOPT_POSTFIELDS, msg[0].iov_base);
	cu->easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE, (long)msg[0].iov_len);
	rc = cu->easy_perform(w->curl);
	if (rc != CURLE_OK) {
		xdpi_log_debug("webhook %s: %s\n", w->url, cu->easy_strerror(rc));
		return -EIO;
	}
	cu->easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
	w->last_status = status;
	if (status >= 200 && status < 300)
		return 1;
	xdpi_log_debug("webhook %s: HTTP %ld\n", w->url, status);
	return status == 408 || status == 429 || status >= 500 ? -EAGAIN : -EBADMSG;
}

static void webhook_reset(void *priv)
{
	struct xdpi_webhook *w = priv;

	if (w->curl)
		cu->easy_cleanup(w->curl);
	w->curl = NULL;
}

static const struct xdpi_sendq_ops webhook_ops = {
	.deliver = webhook_deliver,
	.reset = webhook_reset,
};

struct xdpi_webhook *xdpi_webhook__new(const char *url, char *err, size_t errlen)
{
	struct xdpi_sendq_cfg qc = { .name = "webhook", .capacity = 1024, .batch = 1,
				     .max_attempts = ATTEMPTS, .backoff_min_ms = 250,
				     .backoff_max_ms = 4000, .drain_ms = 3000 };
	struct xdpi_webhook *w;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		snprintf(err, errlen, "'%s': a webhook URL starts with http:// or https://", url);
		return NULL;
	}
	if (strlen(url) >= sizeof(w->url)) {
		snprintf(err, errlen, "the webhook URL is longer than %zu bytes", sizeof(w->url) - 1);
		return NULL;
	}
	if (!(cu = xdpi_curl(err, errlen)))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		goto nomem;
	snprintf(w->url, sizeof(w->url), "%s", url);
	w->headers = cu->slist_append(NULL, "Content-Type: application/json");
	if (!w->headers || !(w->q = xdpi_sendq__new(&qc, &webhook_ops, w)))
		goto nomem;
	return w;
nomem:
	if (w)
		cu->slist_free_all(w->headers);
	free(w);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

int xdpi_webhook__post(struct xdpi_webhook *w, const char *json, size_t len)
{
	return xdpi_sendq__push(w->q, json, len);
}

void xdpi_webhook__stats(struct xdpi_webhook *w, struct xdpi_sendq_stats *st)
{
	xdpi_sendq__stats(w->q, st);
}

void xdpi_webhook__free(struct xdpi_webhook *w, struct xdpi_sendq_stats *last)
{
	if (!w)
		return;
	xdpi_sendq__free(w->q, last);
	webhook_reset(w);
	cu->slist_free_all(w->headers);
	free(w);
}

/* ---- as an output: API alerts, as the JSON the application made of them ---- */

static bool webhook_wanted(const struct xdpi_output_cfg *c)
{
	return c->webhook_url != NULL;
}

static void *webhook_open(const struct xdpi_output_cfg *c, char *err, size_t errlen)
{
	return xdpi_webhook__new(c->webhook_url, err, errlen);
}

static int webhook_alert(void *priv, const char *json, size_t len)
{
	return xdpi_webhook__post(priv, json, len);
}

static void webhook_stats(void *priv, struct xdpi_json *j)
{
	struct xdpi_sendq_stats st;

	xdpi_webhook__stats(priv, &st);
	xdpi_sendq_stats_json(j, "webhook", &st);
}

static void webhook_expose(void *priv, struct xdpi_prom *p)
{
	struct xdpi_sendq_stats st;

	xdpi_webhook__stats(priv, &st);
	xdpi_sendq_stats_expose(p, "webhook", &st);
}

static void webhook_close(void *priv)
{
	struct xdpi_sendq_stats st;

	xdpi_webhook__free(priv, &st);
	xdpi_sendq_say_losses("webhook", &st);
}

const struct xdpi_output_ops xdpi_output_webhook = {
	.name = "webhook",
	.option = "--api-webhook",
	.wanted = webhook_wanted,
	.open = webhook_open,
	.on_api_alert = webhook_alert,
	.stats = webhook_stats,
	.expose = webhook_expose,
	.close = webhook_close,
};
