// SPDX-License-Identifier: GPL-2.0
/* AF_XDP sockets for tap mode: one per receive queue, each with its own UMEM. The XDP program
 * (loaded by xdpi, not libxdp) redirects the packets of FULL flows into the `xsks` map; here
 * every frame the kernel fills is handed on and goes straight back to the fill ring, so the
 * UMEM never leaks: frames in the kernel's hands (fill ring or in flight) plus frames being
 * handled equal the UMEM's size, and xdpi_afxdp__stats reports both sides of that sum.
 * Zero-copy where the driver supports it, copy mode otherwise (veth); need_wakeup; batches;
 * optional busy polling. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>
#include "shared/xdpi_abi.h"
#include "xdpi/capture.h"
#include "xdpi/log.h"

#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE /* 4096: a frame per page */
#define BATCH 64

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

struct xsk_queue {
	uint32_t queue;
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_ring_cons rx;
	uint64_t filled;    /* frames handed to the kernel through the fill ring */
	uint64_t received;  /* frames the kernel gave back through the RX ring */
	uint64_t received_bytes;
	uint64_t fill_short; /* times the fill ring had no room for returned frames */
	uint64_t wakeups;
	uint64_t *stash;    /* frames the fill ring had no room for: given back first next time */
	uint32_t n_stash;
};

struct xdpi_afxdp {
	struct xsk_queue *q;
	uint32_t nq;
	uint32_t frames;    /* per queue */
	bool zerocopy;
	xdpi_pkt_fn fn;
	void (*ahead)(void *ctx);
	void *ctx;
	struct pollfd *pfd;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Gives the kernel N frame addresses (the free frames after a batch). What the fill ring
 * has no room for waits in the stash and goes first next time: no frame is ever lost. */
static void refill(struct xsk_queue *q, const uint64_t *addrs, uint32_t n)
{
	uint32_t idx, room;

	memcpy(q->stash + q->n_stash, addrs, n * sizeof(*addrs));
	xdpi_count_set(&q->n_stash, q->n_stash + n);
	if (!q->n_stash)
		return;
	room = xsk_prod_nb_free(&q->fill, q->n_stash);
	if (room < q->n_stash)
		xdpi_count_add(&q->fill_short, 1);
	if (room > q->n_stash)
		room = q->n_stash;
	if (!room || xsk_ring_prod__reserve(&q->fill, room, &idx) != room)
		return;
	for (uint32_t i = 0; i < room; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) = q->stash[i];
	xsk_ring_prod__submit(&q->fill, room);
	xdpi_count_add(&q->filled, room);
	xdpi_count_set(&q->n_stash, q->n_stash - room);
	memmove(q->stash, q->stash + room, q->n_stash * sizeof(*q->stash));
}

static int queue_open(struct xdpi_afxdp *a, struct xsk_queue *q, const struct xdpi_afxdp_cfg *c,
		      bool zerocopy)
{
	struct xsk_umem_config ucfg = {
		.fill_size = a->frames, .comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.frame_size = FRAME_SIZE, .frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = a->frames, .tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = XDP_USE_NEED_WAKEUP | (zerocopy ? XDP_ZEROCOPY : XDP_COPY),
	};
	size_t size = (size_t)a->frames * FRAME_SIZE;
	uint64_t *addrs;
	int err;

	q->area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&q->umem, q->area, size, &q->fill, &q->comp, &ucfg);
	if (!err)
		err = xsk_socket__create(&q->xsk, c->ifname, q->queue, q->umem, &q->rx, NULL, &scfg);
	if (!err)
		err = xsk_socket__update_xskmap(q->xsk, c->xsks_map_fd);
	if (err)
		return err < 0 ? err : -err;
	if (c->busy_poll) {
		int one = 1, usecs = 20, budget = BATCH;

		setsockopt(xsk_socket__fd(q->xsk), SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one));
		setsockopt(xsk_socket__fd(q->xsk), SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs));
		setsockopt(xsk_socket__fd(q->xsk), SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget,
			   sizeof(budget));
	}
	if (!(addrs = malloc(a->frames * sizeof(*addrs))) ||
	    !(q->stash = malloc(a->frames * sizeof(*q->stash)))) {
		free(addrs);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < a->frames; i++)
		addrs[i] = (uint64_t)i * FRAME_SIZE;
	refill(q, addrs, a->frames); /* every frame starts in the kernel's hands */
	free(addrs);
	return 0;
}

static void queue_close(struct xdpi_afxdp *a, struct xsk_queue *q)
{
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	if (q->area)
		munmap(q->area, (size_t)a->frames * FRAME_SIZE);
	free(q->stash);
	memset(q, 0, sizeof(*q));
}

struct xdpi_afxdp *xdpi_afxdp__new(const struct xdpi_afxdp_cfg *c, xdpi_pkt_fn fn, void *ctx)
{
	struct xdpi_afxdp *a = calloc(1, sizeof(*a));
	int err = 0;

	if (!a)
		return NULL;
	a->nq = c->queues ? c->queues : 1;
	a->frames = c->frames ? c->frames : 4096;
	a->fn = fn;
	a->ctx = ctx;
	a->q = calloc(a->nq, sizeof(*a->q));
	a->pfd = calloc(a->nq, sizeof(*a->pfd));
	if (!a->q || !a->pfd) {
		xdpi_afxdp__free(a);
		errno = ENOMEM;
		return NULL;
	}
	/* zero-copy where the driver has it; veth and others take copy mode */
	a->zerocopy = !c->copy_only;
	for (uint32_t i = 0; i < a->nq && !err; i++) {
		a->q[i].queue = i;
		err = queue_open(a, &a->q[i], c, a->zerocopy);
		if (err && a->zerocopy && i == 0) {
			queue_close(a, &a->q[0]);
			a->q[0].queue = 0;
			a->zerocopy = false;
			err = queue_open(a, &a->q[0], c, false);
		}
		a->pfd[i] = (struct pollfd){ .fd = a->q[i].xsk ? xsk_socket__fd(a->q[i].xsk) : -1,
					     .events = POLLIN };
	}
	if (err) {
		xdpi_afxdp__free(a);
		errno = -err;
		return NULL;
	}
	return a;
}

void xdpi_afxdp__set_ahead(struct xdpi_afxdp *a, void (*ahead)(void *ctx))
{
	a->ahead = ahead;
}

void xdpi_afxdp__free(struct xdpi_afxdp *a)
{
	if (!a)
		return;
	for (uint32_t i = 0; a->q && i < a->nq; i++)
		queue_close(a, &a->q[i]);
	free(a->q);
	free(a->pfd);
	free(a);
}

/* One batch of one queue: hand the frames on, give them back. Returns frames handled. */
static int queue_batch(struct xdpi_afxdp *a, struct xsk_queue *q, uint64_t now)
{
	uint64_t addrs[BATCH];
	uint32_t idx, n = xsk_ring_cons__peek(&q->rx, BATCH, &idx);

	if (!n) {
		if (xsk_ring_prod__needs_wakeup(&q->fill)) { /* the driver waits for a kick */
			xdpi_count_add(&q->wakeups, 1);
			recvfrom(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
		}
		return 0;
	}
	if (a->ahead) /* the frames counted above are there: what the kernel wrote before them too */
		a->ahead(a->ctx);
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);
		struct xdpi_pkt p = {
			.data = xsk_umem__get_data(q->area, d->addr),
			.cap_len = d->len, .orig_len = d->len, .ts_ns = now,
			.link = XDPI_LINK_ETHERNET, .kernel_seen = true, .hook = XDPI_HOOK_XDP,
			.steer = XDPI_STEER_FULL,
		};

		a->fn(a->ctx, &p);
		xdpi_count_add(&q->received_bytes, d->len);
		addrs[i] = xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_cons__release(&q->rx, n);
	xdpi_count_add(&q->received, n);
	refill(q, addrs, n);
	return (int)n;
}

int xdpi_afxdp__poll(struct xdpi_afxdp *a, int timeout_ms)
{
	int n = poll(a->pfd, a->nq, timeout_ms);

	if (n < 0)
		return -errno;
	return xdpi_afxdp__consume(a);
}

int xdpi_afxdp__consume(struct xdpi_afxdp *a)
{
	uint64_t now = now_ns();
	int total = 0, n;

	for (uint32_t i = 0; i < a->nq; i++)
		while ((n = queue_batch(a, &a->q[i], now)) > 0)
			total += n;
	return total;
}

void xdpi_afxdp__stats(const struct xdpi_afxdp *a, struct xdpi_afxdp_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->queues = a->nq;
	st->zerocopy = a->zerocopy;
	st->umem_frames = (uint64_t)a->frames * a->nq;
	for (uint32_t i = 0; i < a->nq; i++) {
		const struct xsk_queue *q = &a->q[i];
		struct xdp_statistics x = { 0 };
		socklen_t len = sizeof(x);

		st->received += xdpi_count_get(&q->received);
		st->received_bytes += xdpi_count_get(&q->received_bytes);
		st->frames_in_kernel += xdpi_count_get(&q->filled) - xdpi_count_get(&q->received);
		st->frames_stashed += xdpi_count_get(&q->n_stash);
		st->fill_short += xdpi_count_get(&q->fill_short);
		st->wakeups += xdpi_count_get(&q->wakeups);
		if (!getsockopt(xsk_socket__fd(q->xsk), SOL_XDP, XDP_STATISTICS, &x, &len)) {
			st->rx_dropped += x.rx_dropped;
			st->rx_invalid_descs += x.rx_invalid_descs;
			st->rx_ring_full += x.rx_ring_full;
			st->rx_fill_ring_empty += x.rx_fill_ring_empty_descs;
		}
	}
}

/* ---- as a source ---- */

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("queues", struct xdpi_afxdp_stats, queues, XDPI_STAT_GAUGE, NULL, NULL, NULL),
	XDPI_STAT_ROW("zerocopy", struct xdpi_afxdp_stats, zerocopy, XDPI_STAT_BOOL, NULL, NULL,
		      NULL),
	XDPI_STAT_ROW("received", struct xdpi_afxdp_stats, received, XDPI_STAT_COUNTER,
		      "xdpi_afxdp_received_total", NULL, "Frames received on the AF_XDP sockets."),
	XDPI_STAT_ROW("received_bytes", struct xdpi_afxdp_stats, received_bytes,
		      XDPI_STAT_COUNTER, "xdpi_afxdp_received_bytes_total", NULL,
		      "Bytes of the frames received on the AF_XDP sockets."),
	XDPI_STAT_ROW("umem_frames", struct xdpi_afxdp_stats, umem_frames, XDPI_STAT_GAUGE, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("frames_in_kernel", struct xdpi_afxdp_stats, frames_in_kernel,
		      XDPI_STAT_GAUGE, "xdpi_afxdp_frames_in_kernel", NULL,
		      "UMEM frames the kernel holds."),
	XDPI_STAT_ROW("frames_stashed", struct xdpi_afxdp_stats, frames_stashed, XDPI_STAT_GAUGE,
		      NULL, NULL, NULL),
	XDPI_STAT_ROW("fill_short", struct xdpi_afxdp_stats, fill_short, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("wakeups", struct xdpi_afxdp_stats, wakeups, XDPI_STAT_COUNTER, NULL, NULL,
		      NULL),
	XDPI_STAT_ROW("rx_dropped", struct xdpi_afxdp_stats, rx_dropped, XDPI_STAT_COUNTER,
		      "xdpi_afxdp_rx_dropped_total", NULL, "Frames the sockets dropped."),
	XDPI_STAT_ROW("rx_invalid_descs", struct xdpi_afxdp_stats, rx_invalid_descs,
		      XDPI_STAT_COUNTER, NULL, NULL, NULL),
	XDPI_STAT_ROW("rx_ring_full", struct xdpi_afxdp_stats, rx_ring_full, XDPI_STAT_COUNTER,
		      "xdpi_afxdp_rx_ring_full_total", NULL, "Frames lost to a full RX ring."),
	XDPI_STAT_ROW("rx_fill_ring_empty", struct xdpi_afxdp_stats, rx_fill_ring_empty,
		      XDPI_STAT_COUNTER, "xdpi_afxdp_fill_ring_empty_total", NULL,
		      "Frames lost to an empty fill ring."),
};

static void *afxdp_open(const struct xdpi_source_cfg *c, char *err, size_t errlen)
{
	struct xdpi_afxdp *a = xdpi_afxdp__new(c->afxdp, c->deliver, c->ctx);

	if (a)
		xdpi_afxdp__set_ahead(a, c->ahead);
	if (!a)
		snprintf(err, errlen, "AF_XDP sockets on %s (%u queues): %s", c->afxdp->ifname,
			 c->afxdp->queues ? c->afxdp->queues : 1, strerror(errno));
	return a;
}

static int afxdp_poll(void *priv, int timeout_ms)
{
	return xdpi_afxdp__poll(priv, timeout_ms);
}

static int afxdp_drain(void *priv)
{
	return xdpi_afxdp__consume(priv);
}

static void afxdp_stats(void *priv, struct xdpi_json *j)
{
	struct xdpi_afxdp_stats st;

	xdpi_afxdp__stats(priv, &st);
	xdpi_stats_json(j, "afxdp", rows, XDPI_NSTATS(rows), &st);
}

static void afxdp_expose(void *priv, struct xdpi_prom *p)
{
	struct xdpi_afxdp_stats st;

	xdpi_afxdp__stats(priv, &st);
	xdpi_stats_expose(p, rows, XDPI_NSTATS(rows), &st, NULL);
}

static void afxdp_close(void *priv)
{
	xdpi_afxdp__free(priv);
}

const struct xdpi_source_ops xdpi_source_afxdp = {
	.name = "afxdp",
	.open = afxdp_open,
	.poll = afxdp_poll,
	.drain = afxdp_drain,
	.stats = afxdp_stats,
	.expose = afxdp_expose,
	.close = afxdp_close,
};
