/* SPDX-License-Identifier: GPL-2.0 */
/* Packet sources. Each hands packets to a callback as struct xdpi_pkt. */
#ifndef XDPI_CAPTURE_H
#define XDPI_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/pkt.h"

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
void xdpi_pcap__close(struct xdpi_pcap *p);

/* ---- the kernel's ring buffer (capture/ringbuf.c) ---- */
struct xdpi_rb_stats {
	uint64_t records;
	uint64_t bytes;
	uint64_t bad_records; /* too short, or lengths that disagree: skipped */
	uint64_t unknown_type;
	uint64_t drop_records; /* samples of fast-path drops (become drop events) */
};
struct xdpi_rb;
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

#endif /* XDPI_CAPTURE_H */
