/* SPDX-License-Identifier: GPL-2.0 */
/* Packet sources. Each hands packets to a callback as struct xdpi_pkt. */
#ifndef XDPI_CAPTURE_H
#define XDPI_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/json.h"
#include "xdpi/pkt.h"
#include "xdpi/stats.h"

typedef int (*xdpi_pkt_fn)(void *ctx, const struct xdpi_pkt *pkt);

/* ---- pcap and pcapng files (capture/pcap.c) ---- */
struct xdpi_pcap;
/* NULL on failure, with a message naming the file in err. */
struct xdpi_pcap *xdpi_pcap__open(const char *path, char *err, size_t errlen);
/* 1: a packet in *pkt (valid until the next call); 0: end of file; -1: the file is damaged
 * here (xdpi_pcap__error says how); packets before it stand. */
int xdpi_pcap__next(struct xdpi_pcap *p, struct xdpi_pkt *pkt);
const char *xdpi_pcap__error(const struct xdpi_pcap *p);
const char *xdpi_pcap__link_name(const struct xdpi_pcap *p);
enum xdpi_link xdpi_pcap__link(const struct xdpi_pcap *p);
uint64_t xdpi_pcap__count(const struct xdpi_pcap *p);
/* Records whose wire length was past any frame's (XDPI_WIRE_LEN_MAX): counted as captured. */
#define XDPI_WIRE_LEN_MAX 262144u
uint64_t xdpi_pcap__bad_wire_len(const struct xdpi_pcap *p);
int xdpi_pcap__snaplen(const struct xdpi_pcap *p); /* the file's snap length */
void xdpi_pcap__close(struct xdpi_pcap *p);

/* ---- the kernel's ring buffer (capture/ringbuf.c) ---- */
struct xdpi_rb_stats {
	uint64_t records;
	uint64_t bytes;
	uint64_t bad_records; /* too short, or lengths that disagree: skipped */
	uint64_t unknown_type;
	uint64_t drop_records; /* samples of fast-path drops (become drop events) */
	uint64_t flow_ended_records; /* renewed flows' old counts (end their records) */
};
struct xdpi_rb;
/* One record as the ring holds it (SIZE bytes at DATA): checked, counted into ST, handed to FN
 * as a packet, a drop sample or a renewed flow's old counts; a bad or unknown one is counted
 * and skipped. Always 0 (the ring goes on). */
int xdpi_rb_record(struct xdpi_rb_stats *st, xdpi_pkt_fn fn, void *ctx, const void *data,
		   size_t size);
struct xdpi_rb *xdpi_rb__new(int map_fd, xdpi_pkt_fn fn, void *ctx);
/* Waits up to timeout_ms for data; returns records handled or -errno (-EINTR: a signal). */
int xdpi_rb__poll(struct xdpi_rb *rb, int timeout_ms);
int xdpi_rb__consume(struct xdpi_rb *rb);
void xdpi_rb__stats(const struct xdpi_rb *rb, struct xdpi_rb_stats *st);
void xdpi_rb__free(struct xdpi_rb *rb);

/* ---- a capture pushed through the real XDP program (capture/replay.c) ---- */
struct xdpi_replay_stats {
	uint64_t runs;
	uint64_t errors;        /* BPF_PROG_TEST_RUN refused the packet */
	uint64_t too_short;     /* shorter than an Ethernet header: not run */
	uint64_t relinked;      /* non-Ethernet link layer given an Ethernet header */
	uint64_t verdict_pass;
	uint64_t verdict_drop;
	uint64_t verdict_other;
};
struct xdpi_replay;
struct xdpi_replay *xdpi_replay__new(int prog_fd, int clock_fd);
/* Runs one packet; its events are then in the ring buffer. Returns 0 or -errno. */
int xdpi_replay__run(struct xdpi_replay *r, const struct xdpi_pkt *pkt);
void xdpi_replay__stats(const struct xdpi_replay *r, struct xdpi_replay_stats *st);
void xdpi_replay__free(struct xdpi_replay *r);

/* ---- AF_XDP sockets, tap mode (capture/afxdp.c) ---- */
struct xdpi_afxdp_cfg {
	const char *ifname;
	int xsks_map_fd;    /* the XDP program's XSKMAP */
	uint32_t queues;    /* receive queues to serve (default 1) */
	uint32_t frames;    /* UMEM frames per queue (default 4096, 4 KiB each) */
	bool copy_only;     /* do not try zero-copy */
	bool busy_poll;     /* SO_PREFER_BUSY_POLL on the sockets */
};

struct xdpi_afxdp_stats {
	uint64_t queues;
	bool zerocopy;
	uint64_t received;
	uint64_t received_bytes;
	uint64_t umem_frames;       /* frames in all UMEMs */
	uint64_t frames_in_kernel;  /* in the fill ring or being filled: with frames_stashed,
				     * equal to umem_frames whenever no batch is in hand */
	uint64_t frames_stashed;    /* returned, waiting for room in the fill ring */
	uint64_t fill_short;        /* the fill ring had no room for returned frames */
	uint64_t wakeups;           /* need_wakeup kicks */
	/* the kernel's XDP_STATISTICS, summed over the sockets */
	uint64_t rx_dropped;        /* frames dropped for any reason */
	uint64_t rx_invalid_descs;
	uint64_t rx_ring_full;      /* the RX ring was full: user space too slow */
	uint64_t rx_fill_ring_empty; /* no frame to fill: user space did not give them back */
};

struct xdpi_afxdp;
/* One socket per queue bound to cfg->ifname and put into the XSKMAP. NULL with errno. */
struct xdpi_afxdp *xdpi_afxdp__new(const struct xdpi_afxdp_cfg *cfg, xdpi_pkt_fn fn, void *ctx);
/* AHEAD(ctx of the packets) before each batch of frames is handed on (see xdpi_source_cfg). */
void xdpi_afxdp__set_ahead(struct xdpi_afxdp *a, void (*ahead)(void *ctx));
/* Waits up to timeout_ms for frames, then hands every waiting frame to fn. Returns frames
 * handled or -errno (-EINTR: a signal). */
int xdpi_afxdp__poll(struct xdpi_afxdp *a, int timeout_ms);
int xdpi_afxdp__consume(struct xdpi_afxdp *a);
void xdpi_afxdp__stats(const struct xdpi_afxdp *a, struct xdpi_afxdp_stats *st);
void xdpi_afxdp__free(struct xdpi_afxdp *a);

/* ---- one interface over the sources: a file and a row each (capture/registry.c) ---- */

/* What any source may need to open. */
struct xdpi_source_cfg {
	xdpi_pkt_fn deliver; /* every packet, in the polling thread */
	void *ctx;
	int ringbuf_fd;                     /* ringbuf: the kernel's events_rb map */
	const struct xdpi_afxdp_cfg *afxdp; /* afxdp */
	/* afxdp: called when frames wait, before any is handed on. Tap mode drains the ring
	 * there: a record in it (a renewed flow's old counts) was written before the frames
	 * behind it were redirected, and must reach the engine first. */
	void (*ahead)(void *ctx);
	const char *path;                   /* pcap: the file */
	bool quiet; /* pcap: says nothing of the file (another reading of it does) */
};

struct xdpi_source_ops {
	const char *name;
	/* Private state, or NULL with why in ERR. */
	void *(*open)(const struct xdpi_source_cfg *c, char *err, size_t errlen);
	/* Waits up to TIMEOUT_MS (live sources) and hands every packet waiting to the callback:
	 * how many; 0 at the end of a file; -EINTR for a signal, another -errno when the source
	 * failed (a damaged file: said). */
	int (*poll)(void *priv, int timeout_ms);
	/* The same without waiting at all (no system call when nothing waits, where it can). */
	int (*drain)(void *priv);
	/* Its counters: its object in the stats event, its Prometheus series. */
	void (*stats)(void *priv, struct xdpi_json *j);
	void (*expose)(void *priv, struct xdpi_prom *p);
	void (*close)(void *priv); /* says what it must (a file's damage, lying records) */
};

const struct xdpi_source_ops *xdpi_source_find(const char *name);
size_t xdpi_sources_count(void);
const struct xdpi_source_ops *xdpi_source_at(size_t i);

/* The replay's counters (not a source: it pushes a file's packets through the kernel). */
void xdpi_replay__stats_json(const struct xdpi_replay *r, struct xdpi_json *j);

#endif /* XDPI_CAPTURE_H */
