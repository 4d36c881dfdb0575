// SPDX-License-Identifier: GPL-2.0
/* Replay: each captured packet goes through the real XDP program with BPF_PROG_TEST_RUN
 * (repeat 1: one call per packet), its timestamp first written to the replay clock, so the
 * kernel's verdicts, flow map and ring buffer events are those live traffic would produce. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "xdpi/capture.h"
#include "xdpi/decode.h"
#include "shared/xdpi_abi.h"

#define ETH_HLEN_ 14
#define REPLAY_MAX_FRAME 65536

struct xdpi_replay {
	int prog_fd;
	int clock_fd;
	struct xdpi_replay_stats st;
	uint8_t frame[REPLAY_MAX_FRAME + ETH_HLEN_];
};

struct xdpi_replay *xdpi_replay__new(int prog_fd, int clock_fd)
{
	struct xdpi_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->prog_fd = prog_fd;
	r->clock_fd = clock_fd;
	return r;
}

void xdpi_replay__free(struct xdpi_replay *r)
{
	free(r);
}

/* XDP sees Ethernet frames: give other link layers a synthetic Ethernet header carrying the
 * ethertype their header named (VLAN tags and PPPoE behind it stay as they were). Returns the
 * frame length, or 0 if the packet's network layer cannot be told. */
static size_t to_ethernet(struct xdpi_replay *r, const struct xdpi_pkt *pkt, const uint8_t **out)
{
	size_t off, len;
	uint16_t type;

	if (pkt->link == XDPI_LINK_ETHERNET) {
		*out = pkt->data;
		return pkt->cap_len;
	}
	if (xdpi_link_header(pkt, &off, &type) || !type || off >= pkt->cap_len)
		return 0;
	len = pkt->cap_len - off;
	if (len > REPLAY_MAX_FRAME)
		len = REPLAY_MAX_FRAME;
	memset(r->frame, 0, 12);
	r->frame[12] = (uint8_t)(type >> 8);
	r->frame[13] = (uint8_t)type;
	memcpy(r->frame + ETH_HLEN_, pkt->data + off, len);
	r->st.relinked++;
	*out = r->frame;
	return len + ETH_HLEN_;
}

int xdpi_replay__run(struct xdpi_replay *r, const struct xdpi_pkt *pkt)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);
	const uint8_t *frame;
	size_t len = to_ethernet(r, pkt, &frame);
	struct xdpi_replay_ctx rc = {
		.ts_ns = pkt->ts_ns,
		.wire_len = pkt->orig_len,
		.snap_cut = pkt->orig_len > pkt->cap_len ? pkt->orig_len - pkt->cap_len : 0,
	};
	__u32 zero = 0;

	if (len < ETH_HLEN_) {
		r->st.too_short++;
		return -EINVAL;
	}
	if (bpf_map_update_elem(r->clock_fd, &zero, &rc, BPF_ANY))
		return -errno;
	opts.data_in = frame;
	opts.data_size_in = (__u32)len;
	if (bpf_prog_test_run_opts(r->prog_fd, &opts)) {
		r->st.errors++;
		return -errno;
	}
	r->st.runs++;
	if (opts.retval == XDP_PASS)
		r->st.verdict_pass++;
	else if (opts.retval == XDP_DROP)
		r->st.verdict_drop++;
	else
		r->st.verdict_other++;
	return 0;
}

void xdpi_replay__stats(const struct xdpi_replay *r, struct xdpi_replay_stats *st)
{
	*st = r->st;
}

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("runs", struct xdpi_replay_stats, runs, XDPI_STAT_COUNTER, NULL, NULL, NULL),
	XDPI_STAT_ROW("errors", struct xdpi_replay_stats, errors, XDPI_STAT_COUNTER, NULL, NULL,
		      NULL),
	XDPI_STAT_ROW("too_short", struct xdpi_replay_stats, too_short, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("relinked", struct xdpi_replay_stats, relinked, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("verdict_pass", struct xdpi_replay_stats, verdict_pass, XDPI_STAT_COUNTER,
		      NULL, NULL, NULL),
	XDPI_STAT_ROW("verdict_drop", struct xdpi_replay_stats, verdict_drop, XDPI_STAT_COUNTER,
		      NULL, NULL, NULL),
	XDPI_STAT_ROW("verdict_other", struct xdpi_replay_stats, verdict_other, XDPI_STAT_COUNTER,
		      NULL, NULL, NULL),
};

void xdpi_replay__stats_json(const struct xdpi_replay *r, struct xdpi_json *j)
{
	xdpi_stats_json(j, "replay", rows, XDPI_NSTATS(rows), &r->st);
}
