// SPDX-License-Identifier: GPL-2.0
/* The packets of alerted flows, from the alerting packet on, as pcap files an analyst opens
 * in Wireshark: rotated by size, the oldest removed past a count, numbered after whatever
 * an earlier run left in the directory so nothing is overwritten. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include "xdpi/decode.h"
#include "xdpi/output.h"
#include "xdpi/outputs.h"

struct xdpi_pcap_alerts {
	char dir[512];
	uint64_t rotate_bytes;
	uint32_t keep;
	int64_t wall_offset_ns;
	pthread_mutex_t lock;
	pcap_t *dead;
	pcap_dumper_t *dump;
	int link;          /* the open file's DLT */
	uint64_t next;     /* the next file's number */
	uint64_t first;    /* the oldest file of ours still there */
	struct xdpi_pcap_alerts_stats st;
};

static int dlt_of(enum xdpi_link l)
{
	return xdpi_link_dlt(l);
}

static void file_name(const struct xdpi_pcap_alerts *p, uint64_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%s/alerts.%llu.pcap", p->dir, (unsigned long long)n);
}

/* The number after the highest alerts.N.pcap already in DIR. */
static uint64_t first_free(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t next = 1;

	if (!d)
		return next;
	while ((de = readdir(d))) {
		unsigned long long n;
		char tail[8];

		if (sscanf(de->d_name, "alerts.%llu.%7s", &n, tail) == 2 && !strcmp(tail, "pcap") &&
		    n + 1 > next)
			next = n + 1;
	}
	closedir(d);
	return next;
}

static void close_file(struct xdpi_pcap_alerts *p)
{
	if (p->dump)
		pcap_dump_close(p->dump);
	if (p->dead)
		pcap_close(p->dead);
	p->dump = NULL;
	p->dead = NULL;
}

static int open_file(struct xdpi_pcap_alerts *p, int dlt)
{
	char path[600];

	close_file(p);
	file_name(p, p->next, path, sizeof(path));
	p->dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_NANO);
	if (!p->dead)
		return -ENOMEM;
	p->dump = pcap_dump_open(p->dead, path);
	if (!p->dump) {
		pcap_close(p->dead);
		p->dead = NULL;
		return -EIO;
	}
	p->link = dlt;
	p->next++;
	p->st.files++;
	while (p->keep && p->next - p->first > p->keep) { /* the oldest go */
		file_name(p, p->first++, path, sizeof(path));
		if (!unlink(path))
			p->st.removed++;
	}
	return 0;
}

void xdpi_pcap_alerts__packet(struct xdpi_pcap_alerts *p, const struct xdpi_pkt *pkt)
{
	uint64_t wall = (uint64_t)((int64_t)pkt->ts_ns + p->wall_offset_ns);
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = (time_t)(wall / 1000000000ull),
			.tv_usec = (suseconds_t)(wall % 1000000000ull) }, /* ns: precision NANO */
		.caplen = pkt->cap_len,
		.len = pkt->orig_len > pkt->cap_len ? pkt->orig_len : pkt->cap_len,
	};
	int dlt = dlt_of(pkt->link);

	pthread_mutex_lock(&p->lock);
	if (dlt < 0) {
		p->st.skipped_link++;
	} else {
		bool full = p->dump && (uint64_t)pcap_dump_ftell64(p->dump) >= p->rotate_bytes;

		if (full)
			p->st.rotations++;
		if ((!p->dump || full || dlt != p->link) && open_file(p, dlt)) {
			p->st.errors++;
		} else {
			pcap_dump((u_char *)p->dump, &h, pkt->data);
			p->st.packets++;
			p->st.bytes += pkt->cap_len;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

void xdpi_pcap_alerts__flush(struct xdpi_pcap_alerts *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->dump && pcap_dump_flush(p->dump))
		p->st.errors++;
	pthread_mutex_unlock(&p->lock);
}

void xdpi_pcap_alerts__stats(struct xdpi_pcap_alerts *p, struct xdpi_pcap_alerts_stats *st)
{
	pthread_mutex_lock(&p->lock);
	*st = p->st;
	pthread_mutex_unlock(&p->lock);
}

struct xdpi_pcap_alerts *xdpi_pcap_alerts__new(const char *dir, uint64_t rotate_bytes,
					       uint32_t keep, int64_t wall_offset_ns, char *err,
					       size_t errlen)
{
	struct xdpi_pcap_alerts *p;
	struct stat sb;

	if (stat(dir, &sb)) {
		snprintf(err, errlen, "'%s': %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(sb.st_mode) || access(dir, W_OK)) {
		snprintf(err, errlen, "'%s': not a writable directory", dir);
		return NULL;
	}
	if (strlen(dir) >= sizeof(p->dir)) {
		snprintf(err, errlen, "'%s': the path is too long", dir);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	p->rotate_bytes = rotate_bytes;
	p->keep = keep;
	p->wall_offset_ns = wall_offset_ns;
	p->first = p->next = first_free(dir);
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void xdpi_pcap_alerts__free(struct xdpi_pcap_alerts *p)
{
	if (!p)
		return;
	close_file(p);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* ---- as an output: the packets of alerted flows ---- */

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("packets", struct xdpi_pcap_alerts_stats, packets, XDPI_STAT_COUNTER,
		      "xdpi_pcap_alerts_packets_total", NULL, "Packets of alerted flows written."),
	XDPI_STAT_ROW("bytes", struct xdpi_pcap_alerts_stats, bytes, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("files", struct xdpi_pcap_alerts_stats, files, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("rotations", struct xdpi_pcap_alerts_stats, rotations, XDPI_STAT_COUNTER,
		      NULL, NULL, NULL),
	XDPI_STAT_ROW("removed", struct xdpi_pcap_alerts_stats, removed, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("errors", struct xdpi_pcap_alerts_stats, errors, XDPI_STAT_COUNTER,
		      "xdpi_output_messages_total", "sink=\"pcap\",result=\"failed\"",
		      "Messages of the network outputs by result."),
	XDPI_STAT_ROW("skipped_link", struct xdpi_pcap_alerts_stats, skipped_link,
		      XDPI_STAT_COUNTER, NULL, NULL, NULL),
};

static bool out_wanted(const struct xdpi_output_cfg *c)
{
	return c->pcap_dir != NULL;
}

static void *out_open(const struct xdpi_output_cfg *c, char *err, size_t errlen)
{
	return xdpi_pcap_alerts__new(c->pcap_dir, c->pcap_rotate_bytes, c->pcap_keep,
				     c->wall_offset_ns, err, errlen);
}

static void out_packet(void *priv, const struct xdpi_pkt *pkt)
{
	xdpi_pcap_alerts__packet(priv, pkt);
}

static int out_tick(void *priv)
{
	xdpi_pcap_alerts__flush(priv);
	return 0;
}

static void out_stats(void *priv, struct xdpi_json *j)
{
	struct xdpi_pcap_alerts_stats st;

	xdpi_pcap_alerts__stats(priv, &st);
	xdpi_stats_json(j, "pcap_alerts", rows, XDPI_NSTATS(rows), &st);
}

static void out_expose(void *priv, struct xdpi_prom *p)
{
	struct xdpi_pcap_alerts_stats st;

	xdpi_pcap_alerts__stats(priv, &st);
	xdpi_stats_expose(p, rows, XDPI_NSTATS(rows), &st, NULL);
}

static void out_close(void *priv)
{
	xdpi_pcap_alerts__free(priv);
}

const struct xdpi_output_ops xdpi_output_pcap_alerts = {
	.name = "pcap_alerts",
	.option = "--pcap-alerts",
	.wanted = out_wanted,
	.open = out_open,
	.on_packet = out_packet,
	.tick = out_tick,
	.stats = out_stats,
	.expose = out_expose,
	.close = out_close,
};
