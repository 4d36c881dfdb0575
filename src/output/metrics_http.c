// SPDX-License-Identifier: GPL-2.0
/* The Prometheus endpoint: libmicrohttpd in its own thread serves GET /metrics (and
 * /top.json, for `xdpi top`) from the last snapshot the inspection loop published (once a
 * second), so a scrape never touches live state and never waits on inspection; anything
 * else is a 404. */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/metrics.h"
#include "xdpi/mhd_dl.h"

static const struct {
	const char *path, *type;
} docs[XDPI_DOC_MAX] = {
	[XDPI_DOC_METRICS] = { "/metrics", "text/plain; version=0.0.4" },
	[XDPI_DOC_TOP] = { "/top.json", "application/json" },
};

static const struct xdpi_mhd *mhd; /* libmicrohttpd, loaded by the first endpoint */

struct xdpi_metrics {
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	char *text[XDPI_DOC_MAX];
	size_t len[XDPI_DOC_MAX];
	uint64_t scrapes;
};

static int doc_of(const char *url, const char *method)
{
	for (int i = 0; i < XDPI_DOC_MAX; i++)
		if (!strcmp(url, docs[i].path) && !strcmp(method, "GET"))
			return i;
	return -1;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **req)
{
	struct xdpi_metrics *m = cls;
	struct MHD_Response *r;
	enum MHD_Result rc;
	int doc = doc_of(url, method);
	bool found = doc >= 0, ready;

	(void)version, (void)upload, (void)upload_len, (void)req;
	pthread_mutex_lock(&m->lock);
	ready = found && m->text[doc];
	if (found && !ready) { /* listening before the programs are loaded: nothing to say yet */
		r = mhd->create_response_from_buffer(17, (char *)"xdpi is starting\n",
						    MHD_RESPMEM_PERSISTENT);
	} else if (found) {
		m->scrapes += doc == XDPI_DOC_METRICS;
		r = mhd->create_response_from_buffer(m->len[doc], m->text[doc] ? m->text[doc] : (char *)"",
						    MHD_RESPMEM_MUST_COPY);
	} else {
		r = mhd->create_response_from_buffer(10, (char *)"not found\n", MHD_RESPMEM_PERSISTENT);
	}
	pthread_mutex_unlock(&m->lock);
	if (!r)
		return MHD_NO;
	mhd->add_response_header(r, "Content-Type", ready ? docs[doc].type : "text/plain");
	rc = mhd->queue_response(c, ready ? MHD_HTTP_OK : found ? MHD_HTTP_SERVICE_UNAVAILABLE :
			       MHD_HTTP_NOT_FOUND, r);
	mhd->destroy_response(r);
	return rc;
}

/* "ADDR:PORT" or ":PORT" (127.0.0.1) into SA. */
static int parse_listen(const char *s, struct sockaddr_in *sa, char *err, size_t errlen)
{
	const char *colon = strrchr(s, ':');
	char host[64] = "127.0.0.1", *end;
	unsigned long port;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || !colon[1])
		goto bad;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !port || port > 65535)
		goto bad;
	if (colon > s) {
		if ((size_t)(colon - s) >= sizeof(host))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
	}
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		goto bad;
	sa->sin_port = htons((uint16_t)port);
	return 0;
bad:
	snprintf(err, errlen, "'%s': expected ADDR:PORT (an IPv4 address) or :PORT, e.g. 127.0.0.1:9469", s);
	return -EINVAL;
}

int xdpi_metrics_check_listen(const char *listen, char *err, size_t errlen)
{
	struct sockaddr_in sa;

	return parse_listen(listen, &sa, err, errlen);
}

struct xdpi_metrics *xdpi_metrics__start(const char *listen, char *err, size_t errlen)
{
	struct xdpi_metrics *m;
	struct sockaddr_in sa;

	if (parse_listen(listen, &sa, err, errlen) || !(mhd = xdpi_mhd(err, errlen)))
		return NULL;
	if (!(m = calloc(1, sizeof(*m)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->mhd = mhd->start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, ntohs(sa.sin_port), NULL, NULL,
				  answer, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_END);
	if (!m->mhd) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen, strerror(errno ? errno : EADDRINUSE));
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	return m;
}

void xdpi_metrics__publish(struct xdpi_metrics *m, enum xdpi_metrics_doc doc, const char *text,
			   size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return; /* the last snapshot stays */
	memcpy(copy, text, len);
	copy[len] = 0;
	pthread_mutex_lock(&m->lock);
	free(m->text[doc]);
	m->text[doc] = copy;
	m->len[doc] = len;
	pthread_mutex_unlock(&m->lock);
}

uint64_t xdpi_metrics__scrapes(struct xdpi_metrics *m)
{
	uint64_t n;

	pthread_mutex_lock(&m->lock);
	n = m->scrapes;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void xdpi_metrics__stop(struct xdpi_metrics *m)
{
	if (!m)
		return;
	mhd->stop_daemon(m->mhd);
	pthread_mutex_destroy(&m->lock);
	for (int i = 0; i < XDPI_DOC_MAX; i++)
		free(m->text[i]);
	free(m);
}
