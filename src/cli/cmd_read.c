// SPDX-License-Identifier: GPL-2.0
/* xdpi read FILE: a capture through the slow path, or through the real XDP program first. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "xdpi/log.h"

static const char synopsis[] =
	"usage: xdpi read [OPTIONS] FILE\n"
	"\n"
	"Reads a pcap or pcapng capture (Ethernet, Linux cooked SLL/SLL2, raw IP, BSD loopback,\n"
	"PPP, PPPoE, Cisco HDLC, PPI, 802.11/radiotap) and writes EVE JSON events: dns, http\n"
	"(HTTP/1.x, HTTP/2, gRPC), tls and quic events as their messages complete, a flow record\n"
	"for every flow, then a stats event.\n";

static const char epilogue[] =
	"A damaged or truncated file is reported on standard error; everything read before the\n"
	"damage is still reported. Exit status: 0; 1 if nothing could be read or events were\n"
	"lost (a full disk: said on standard error); 2 for a usage error.\n"
	"\n"
	"Examples:\n"
	"  xdpi read capture.pcap | jq 'select(.event_type==\"flow\")'\n"
	"  xdpi read capture.pcap | jq -r 'select(.event_type==\"tls\") | .tls.sni'\n"
	"  xdpi read -o eve.json --flow-timeout 60 capture.pcapng\n"
	"  sudo xdpi read --through-kernel --steer snip capture.pcap\n"
	"  xdpi read --rules 'rules/*.rules' capture.pcap | jq 'select(.event_type==\"alert\")'\n"
	"  xdpi read --ipfix 127.0.0.1:4739 -o /dev/null capture.pcap    # flows to a collector\n"
	"  xdpi read --api-alert 'error_ratio > 5% for 1m' capture.pcap | jq 'select(.alert.gid==9200)'\n";

struct read_ctx {
	struct cli_common common;
	bool through_kernel;
	bool no_stats;
	const char *path;
	struct cli_output out;
	struct cli_sources sources;
	struct cli_sink sink;
	struct xdpi_loader *loader;
	struct xdpi_replay *replay;
	struct xdpi_rb *rb;
	uint64_t next_tick;
	uint64_t last_ts;
};

static const struct cli_opt read_opts[] = {
	CLI_FLAG("through-kernel", 'k', struct read_ctx, through_kernel,
		 "run every packet through the real XDP program with\n"
		 "BPF_PROG_TEST_RUN first; the slow path then sees exactly what\n"
		 "the kernel steers, and flow counters come from its flow map\n"
		 "(needs root or CAP_BPF)"),
	CLI_FLAG("no-stats", 0, struct read_ctx, no_stats, "do not write the final stats event"),
};

static int parse_args(struct read_ctx *c, int argc, char **argv)
{
	struct cli_command cmd = {
		.name = "read", .synopsis = synopsis, .epilogue = epilogue,
		.groups = { CLI_GROUP(read_opts, c), cli_common_group(&c->common),
			    cli_detect_group(&c->common.detect),
			    cli_observe_group(&c->common.observe) },
		.ngroups = 4,
	};
	int first, rc = cli_opts_parse(&cmd, argc, argv, &first);

	if (rc)
		return rc;
	if (first != argc - 1) {
		cli_error("read: expected exactly one FILE (`xdpi read --help`)");
		return -1;
	}
	c->path = argv[first];
	return 0;
}

static int feed_engine(void *ctx, const struct xdpi_pkt *pkt)
{
	struct read_ctx *c = ctx;

	cli_sink_packet(&c->sink, pkt);
	return 0;
}

static int setup_kernel(struct read_ctx *c)
{
	struct xdpi_loader_cfg lc = {
		.replay_clock = true,
		.default_steer = c->common.steer,
		.head_pkts = (uint32_t)c->common.head_pkts,
		.snaplen = (uint32_t)c->common.snaplen,
		.max_flows = (uint32_t)c->common.max_flows,
		.ringbuf_bytes = XDPI_RINGBUF_DEFAULT,
		.ports = c->common.ports,
		.nports = c->common.nports,
	};

	c->loader = xdpi_loader__open(&lc);
	if (!c->loader)
		return -1;
	c->replay = xdpi_replay__new(xdpi_loader__xdp_prog_fd(c->loader),
				     xdpi_loader__map_fd(c->loader, XDPI_MAP_REPLAY_CLOCK));
	c->rb = xdpi_rb__new(xdpi_loader__map_fd(c->loader, XDPI_MAP_EVENTS_RB), feed_engine, c);
	if (!c->replay || !c->rb) {
		xdpi_log_error("setting up the replay failed: %s\n", strerror(errno));
		return -1;
	}
	c->sources.replay = c->replay;
	c->sources.rb = c->rb;
	return 0;
}

static int setup_engine(struct read_ctx *c)
{
	struct xdpi_engine_cfg ec = {
		.max_flows = c->common.max_flows,
		.timeouts = c->common.timeouts,
		.kops = c->through_kernel ? &xdpi_loader_kernel_ops : NULL,
		.kctx = c->loader,
		.emit = cli_emit,
		.emit_ctx = &c->out,
		.stats_extra = cli_stats_extra,
		.stats_ctx = &c->sources,
		.detect = c->common.detect.d,
		.drop_ttl_ns = c->common.detect.drop_ttl_s * XDPI_NS_PER_SEC,
		.anomaly = &c->common.detect.anomaly,
	};

	c->sources.out = &c->out;
	c->sources.observe = &c->common.observe;
	if (cli_observe_open(&c->common.observe, &ec, &c->out, false))
		return -1;
	return cli_sink_open(&c->sink, &ec, &c->common.detect, (uint32_t)c->common.workers);
}

static void one_packet(struct read_ctx *c, const struct xdpi_pkt *pkt)
{
	if (!c->through_kernel) {
		cli_sink_packet(&c->sink, pkt);
	} else {
		xdpi_replay__run(c->replay, pkt); /* refusals are counted in the stats */
		xdpi_rb__consume(c->rb);
	}
	if (pkt->ts_ns > c->last_ts)
		c->last_ts = pkt->ts_ns;
	/* flow timeouts run on the capture's clock, once per captured second */
	if (pkt->ts_ns >= c->next_tick) {
		cli_sink_tick(&c->sink, pkt->ts_ns);
		cli_observe_tick(&c->common.observe);
		c->next_tick = pkt->ts_ns + XDPI_NS_PER_SEC;
	}
}

static bool output_gone(const struct read_ctx *c)
{
	struct xdpi_output_stats st;

	cli_output_stats(&c->out, &st);
	return st.last_errno == EPIPE;
}

static int read_file(struct read_ctx *c)
{
	char err[512];
	struct xdpi_pcap *p = xdpi_pcap__open(c->path, err, sizeof(err));
	struct xdpi_pkt pkt;
	int rc;

	if (!p) {
		fprintf(stderr, "xdpi read: %s\n", err);
		return -ENOENT; /* nothing read: no events at all */
	}
	if (xdpi_pcap__snaplen(p) > 0 && xdpi_pcap__snaplen(p) < 128)
		fprintf(stderr, "xdpi read: %s was captured with a snap length of %d bytes: flows "
			"and headers only, no application layer\n", c->path, xdpi_pcap__snaplen(p));
	while ((rc = xdpi_pcap__next(p, &pkt)) == 1) {
		one_packet(c, &pkt);
		if (!(xdpi_pcap__count(p) & 4095) && output_gone(c))
			break; /* `xdpi read ... | head`: nobody reads what follows */
	}
	if (rc < 0) {
		fprintf(stderr, "xdpi read: %s\n", xdpi_pcap__error(p));
		c->sources.pcap_errors++;
	}
	if (xdpi_pcap__bad_wire_len(p))
		fprintf(stderr, "xdpi read: %s: %llu records claimed a wire length past %u bytes; "
			"counted at their captured length\n", c->path,
			(unsigned long long)xdpi_pcap__bad_wire_len(p), XDPI_WIRE_LEN_MAX);
	rc = (rc < 0 && xdpi_pcap__count(p) == 0) ? -1 : 0;
	xdpi_pcap__close(p);
	return rc;
}

int cmd_read(int argc, char **argv)
{
	struct read_ctx c = { 0 };
	int err, rc = 1;

	cli_common_defaults(&c.common);
	err = parse_args(&c, argc, argv);
	if (err)
		return err > 0 ? 0 : EXIT_USAGE;
	cli_set_verbosity(c.common.verbose);
	signal(SIGPIPE, SIG_IGN); /* a reader that goes away is an EPIPE we see, not a death */
	if (cli_output_open(&c.out, c.common.output))
		return 1;
	if (cli_detect_load(&c.common.detect, NULL, NULL))
		goto out;
	if (c.through_kernel && setup_kernel(&c))
		goto out;
	if (setup_engine(&c))
		goto out;
	err = read_file(&c);
	if (err == -ENOENT)
		goto out;
	if (c.rb)
		xdpi_rb__consume(c.rb);
	cli_sink_finish(&c.sink, c.last_ts, !c.no_stats);
	rc = err ? 1 : 0;
out:
	cli_sink_free(&c.sink);
	cli_observe_close(&c.common.observe, &c.out);
	xdpi_rb__free(c.rb);
	xdpi_replay__free(c.replay);
	xdpi_loader__free(c.loader);
	if (cli_output_close(&c.out))
		rc = 1; /* events lost: said by cli_output_close */
	cli_detect_free(&c.common.detect);
	return rc;
}
