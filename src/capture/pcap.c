// SPDX-License-Identifier: GPL-2.0
/* pcap and pcapng files through libpcap, with nanosecond timestamps. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/capture.h"
#include "xdpi/decode.h"


struct xdpi_pcap {
	pcap_t *h;
	char path[256];
	enum xdpi_link link;
	int dlt;
	uint64_t count;
	uint64_t bad_wire_len;
	char err[PCAP_ERRBUF_SIZE + 320];
};

struct xdpi_pcap *xdpi_pcap__open(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct xdpi_pcap *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	p->h = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
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
	p->count++;
	memset(pkt, 0, sizeof(*pkt));
	pkt->data = data;
	pkt->cap_len = h->caplen;
	pkt->orig_len = h->len < h->caplen ? h->caplen : h->len;
	if (pkt->orig_len > XDPI_WIRE_LEN_MAX) { /* no frame is that long: the record lies */
		pkt->orig_len = h->caplen;
		p->bad_wire_len++;
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
	return p->count;
}

uint64_t xdpi_pcap__bad_wire_len(const struct xdpi_pcap *p)
{
	return p->bad_wire_len;
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
	free(p);
}
