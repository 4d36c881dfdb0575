// SPDX-License-Identifier: GPL-2.0
/* xdpi read FILE: a capture through the slow path, or through the real XDP program first
 * (the pipeline is src/app/offline.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "common.h"

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
	"  xdpi read --api-alert 'error_ratio > 5% for 1m' capture.pcap | jq 'select(.alert.gid==9200)'\n"
	"  xdpi read overlay.pcap | jq 'select(.event_type==\"flow\") | .xdpi.tunnel'   # VXLAN VNIs\n"
	"  xdpi read --tunnel-ignore vxlan,geneve overlay.pcap   # the outer UDP flows instead\n"
	"  xdpi read --llm-prices prices.txt capture.pcap | jq 'select(.event_type==\"llm\") | .xdpi.llm.usage'\n"
	"  xdpi read --rules contrib/rules/llm.rules --llm-content capture.pcap   # prompt attacks, secrets\n"
	"  xdpi read capture.pcap | jq -r 'select(.event_type==\"flow\") | [.app_proto, .xdpi.app.name] | @tsv' | sort | uniq -c\n"
	"  xdpi read --apps my-apps.conf capture.pcap | jq -c 'select(.xdpi.risks) | {src_ip, dest_ip, r: .xdpi.risks}'\n";

static const struct cli_opt read_opts[] = {
	CLI_FLAG("through-kernel", 'k', struct xdpi_offline_cfg, through_kernel,
		 "run every packet through the real XDP program with\n"
		 "BPF_PROG_TEST_RUN first; the slow path then sees exactly what\n"
		 "the kernel steers, and flow counters come from its flow map\n"
		 "(needs root or CAP_BPF)"),
	CLI_FLAG("no-stats", 0, struct xdpi_offline_cfg, no_stats, "do not write the final stats event"),
};

static int parse_args(struct xdpi_offline_cfg *c, int argc, char **argv)
{
	struct cli_command cmd = {
		.name = "read", .synopsis = synopsis, .epilogue = epilogue,
		.groups = { CLI_GROUP(read_opts, c), cli_common_group(&c->common),
			    cli_detect_group(&c->common.rules),
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

int cmd_read(int argc, char **argv)
{
	struct xdpi_offline_cfg c = { 0 };
	int err;

	xdpi_app_defaults(&c.common);
	err = parse_args(&c, argc, argv);
	if (err)
		return err > 0 ? 0 : EXIT_USAGE;
	cli_set_verbosity(c.common.verbose);
	signal(SIGPIPE, SIG_IGN); /* a reader that goes away is an EPIPE we see, not a death */
	return xdpi_offline_run(&c);
}
