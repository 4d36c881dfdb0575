// SPDX-License-Identifier: GPL-2.0
/* pcap and pcapng files through libpcap, with nanosecond timestamps. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/capture.h"
#include "xdpi/decode.h"
#include "xdpi/log.h"

struct pcap_source_stats {
	uint64_t packets, errors, bad_wire_len;
};


struct xdpi_pcap {
	pcap_t *h;
	char path[256];
	enum xdpi_link link;
	int dlt;
	uint64_t count;
	uint64_t bad_wire_len;
	char err[PCAP_ERRBUF_SIZE + 320];
	char *iobuf;     /* the FILE's buffer (see open_buffered) */
};

/* libpcap's own fopen reads through a 4 KiB stdio buffer: a read(2) per 4 KiB is a sixth of
 * an offline run's time. The same FILE with a 1 MiB buffer, handed to libpcap. The buffer is
 * ours: glibc's setvbuf ignores the size it is given without one (and keeps 4 KiB), and it
 * must outlive the FILE, which libpcap closes. */
#define PCAP_READ_BUFFER (1u << 20)

static pcap_t *open_buffered(const char *path, char *ebuf, char **buf)
{
	bool std_in = !strcmp(path, "-");
	FILE *f = std_in ? stdin : fopen(path, "rb");
	pcap_t *h;

	if (!f) {
		snprintf(ebuf, PCAP_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	*buf = malloc(PCAP_READ_BUFFER);
	if (*buf && setvbuf(f, *buf, _IOFBF, PCAP_READ_BUFFER)) {
		free(*buf); /* the default buffer then: slower, not wrong */
		*buf = NULL;
	}
	/* only the reading thread touches the FILE: stdio's per-call lock (taken once other
	 * threads exist, --workers) was a tenth of the reader's time */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	h = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!h && !std_in)
		fclose(f);
	if (!h) {
		free(*buf);
		*buf = NULL;
	}
	return h;
}

struct xdpi_pcap *xdpi_pcap__open(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct xdpi_pcap *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	p->h = open_buffered(path, ebuf, &p->iobuf);
	if (!p->h) {
		/* libpcap names the file in some messages and not in others */
		if (strncmp(ebuf, path, strlen(path)))
			snprintf(err, errlen, "%s: %s", path, ebuf);
		else
			snprintf(err, errlen, "%s", ebuf);
		free(p);
		return NULL;
	}
	p->dlt = pcap_datalink(p->h);
	if (xdpi_link_from_dlt(p->dlt, &p->link)) {
		const char *name = pcap_datalink_val_to_name(p->dlt);

		snprintf(err, errlen, "%s: unsupported link type %s (%d); xdpi reads Ethernet, "
			 "Linux cooked (SLL, SLL2), raw IP, BSD loopback, PPP, PPPoE, Cisco HDLC, "
			 "PPI, 802.11 and radiotap", path,
			 name ? name : "?", p->dlt);
		pcap_close(p->h);
		free(p->iobuf);
		free(p);
		return NULL;
	}
	snprintf(p->path, sizeof(p->path), "%s", path);
	return p;
}

int xdpi_pcap__next(struct xdpi_pcap *p, struct xdpi_pkt *pkt)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(p->h, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(p->err, sizeof(p->err), "%s: after packet %llu: %s", p->path,
			 (unsigned long long)p->count, pcap_geterr(p->h));
		return -1;
	}
	xdpi_count_add(&p->count, 1); /* other readings' stats events read it */
	memset(pkt, 0, sizeof(*pkt));
	pkt->data = data;
	pkt->cap_len = h->caplen;
	pkt->orig_len = h->len < h->caplen ? h->caplen : h->len;
	if (pkt->orig_len > XDPI_WIRE_LEN_MAX) { /* no frame is that long: the record lies */
		pkt->orig_len = h->caplen;
		xdpi_count_add(&p->bad_wire_len, 1);
	}
	pkt->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	pkt->link = p->link;
	pkt->index = p->count;
	return 1;
}

const char *xdpi_pcap__error(const struct xdpi_pcap *p)
{
	return p->err;
}

const char *xdpi_pcap__link_name(const struct xdpi_pcap *p)
{
	const char *n = pcap_datalink_val_to_name(p->dlt);

	return n ? n : "unknown";
}

enum xdpi_link xdpi_pcap__link(const struct xdpi_pcap *p)
{
	return p->link;
}

uint64_t xdpi_pcap__count(const struct xdpi_pcap *p)
{
	return xdpi_count_get(&p->count);
}

uint64_t xdpi_pcap__bad_wire_len(const struct xdpi_pcap *p)
{
	return xdpi_count_get(&p->bad_wire_len);
}

int xdpi_pcap__snaplen(const struct xdpi_pcap *p)
{
	return pcap_snapshot(p->h);
}

void xdpi_pcap__close(struct xdpi_pcap *p)
{
	if (!p)
		return;
	pcap_close(p->h);
	free(p->iobuf); /* after the FILE that used it */
	free(p);
}

/* ---- as a source: a file, read in batches; what it has to say is said ---- */

#define PCAP_BATCH 64

struct pcap_source {
	struct xdpi_pcap *p;
	xdpi_pkt_fn deliver;
	void *ctx;
	uint64_t damaged; /* 1 once the file was found damaged */
	bool quiet; /* another reading of the same file says what there is to say */
};

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("packets", struct pcap_source_stats, packets, XDPI_STAT_COUNTER, NULL, NULL,
		      NULL),
	XDPI_STAT_ROW("errors", struct pcap_source_stats, errors, XDPI_STAT_COUNTER, NULL, NULL,
		      NULL),
	XDPI_STAT_ROW("bad_wire_len", struct pcap_source_stats, bad_wire_len, XDPI_STAT_COUNTER,
		      NULL, NULL, NULL),
};

static void *src_open(const struct xdpi_source_cfg *c, char *err, size_t errlen)
{
	struct pcap_source *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "%s: out of memory", c->path);
		return NULL;
	}
	s->p = xdpi_pcap__open(c->path, err, errlen);
	if (!s->p) {
		free(s);
		return NULL;
	}
	s->deliver = c->deliver;
	s->ctx = c->ctx;
	s->quiet = c->quiet;
	if (!s->quiet && xdpi_pcap__snaplen(s->p) > 0 && xdpi_pcap__snaplen(s->p) < 128)
		xdpi_log_warn("%s was captured with a snap length of %d bytes: flows and headers "
			      "only, no application layer\n", c->path, xdpi_pcap__snaplen(s->p));
	return s;
}

static int src_poll(void *priv, int timeout_ms)
{
	struct pcap_source *s = priv;
	struct xdpi_pkt pkt;
	int n = 0, rc = 1;

	(void)timeout_ms; /* a file never waits */
	while (n < PCAP_BATCH && (rc = xdpi_pcap__next(s->p, &pkt)) == 1) {
		s->deliver(s->ctx, &pkt);
		n++;
	}
	if (rc < 0) {
		if (!s->quiet)
			xdpi_log_warn("%s\n", xdpi_pcap__error(s->p));
		xdpi_count_set(&s->damaged, 1);
		return n ? n : -EIO; /* the packets before the damage stand */
	}
	return n;
}

static int src_drain(void *priv)
{
	return src_poll(priv, 0);
}

static struct pcap_source_stats src_snapshot(const struct pcap_source *s)
{
	struct pcap_source_stats st = { .packets = xdpi_pcap__count(s->p), .errors = xdpi_count_get(&s->damaged),
					.bad_wire_len = xdpi_pcap__bad_wire_len(s->p) };

	return st;
}

static void src_stats(void *priv, struct xdpi_json *j)
{
	struct pcap_source_stats st = src_snapshot(priv);

	xdpi_stats_json(j, "pcap", rows, XDPI_NSTATS(rows), &st);
}

static void src_close(void *priv)
{
	struct pcap_source *s = priv;

	if (!s)
		return;
	if (xdpi_pcap__bad_wire_len(s->p) && !s->quiet)
		xdpi_log_warn("%s: %llu records claimed a wire length past %u bytes; counted at "
			      "their captured length\n", s->p->path,
			      (unsigned long long)xdpi_pcap__bad_wire_len(s->p), XDPI_WIRE_LEN_MAX);
	xdpi_pcap__close(s->p);
	free(s);
}

const struct xdpi_source_ops xdpi_source_pcap = {
	.name = "pcap",
	.open = src_open,
	.poll = src_poll,
	.drain = src_drain,
	.stats = src_stats,
	.close = src_close,
};
