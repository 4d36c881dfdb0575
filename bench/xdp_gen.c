// SPDX-License-Identifier: GPL-2.0
/* Line-rate helper for bench/enforce.sh.
 *   xdp_gen send IFACE SECONDS [SRC]  transmits TCP SYNs from SRC (default 198.18.0.1) to
 *                                     198.18.0.2:80 out of IFACE with BPF_PROG_RUN live
 *                                     frames for SECONDS, and prints the packets sent
 *   xdp_gen drop IFACE                attaches an XDP_DROP-everything program to IFACE until
 *                                     SIGTERM (the ceiling a dropping program can reach) */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench/progs/bench_progs.skel.h"
#include "../tests/lib/pktbuild.h"

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int send_for(struct bench_progs *s, int ifindex, double seconds, const char *src)
{
	struct pkt_spec spec = { .family = 4, .proto = 6, .src = src, .dst = "198.18.0.2",
				 .sport = 40000, .dport = 80, .tcp_flags = 0x02 };
	uint8_t buf[256];
	size_t len = pkt_build(&spec, buf, sizeof(buf));
	struct xdp_md ctx_in = { .data_end = (__u32)len, .ingress_ifindex = (__u32)ifindex };
	unsigned long long sent = 0;
	double t0 = mono_s(), took;

	while ((took = mono_s() - t0) < seconds && !stop) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len,
			    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in), .repeat = 100000,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

		if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.xdp_tx_gen), &o)) {
			fprintf(stderr, "xdp_gen: live-frame run failed: %s\n", strerror(errno));
			return 1;
		}
		sent += 100000;
	}
	printf("sent %llu packets in %.3f s: %.2f Mpps\n", sent, took, (double)sent / took / 1e6);
	return 0;
}

static int drop_until_signal(struct bench_progs *s, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	int fd = bpf_program__fd(s->progs.xdp_drop_all);

	if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, &o)) {
		fprintf(stderr, "xdp_gen: attaching the drop program: %s\n", strerror(errno));
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, &o);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_progs *s;
	int ifindex, rc;

	if (argc < 3 || (strcmp(argv[1], "send") && strcmp(argv[1], "drop")) ||
	    (!strcmp(argv[1], "send") && argc < 4)) {
		fprintf(stderr, "usage: xdp_gen send IFACE SECONDS [SRC] | xdp_gen drop IFACE\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "xdp_gen: no interface %s\n", argv[2]);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	s = bench_progs__open_and_load();
	if (!s) {
		fprintf(stderr, "xdp_gen: loading: %s\n", strerror(errno));
		return 1;
	}
	rc = !strcmp(argv[1], "send") ?
		     send_for(s, ifindex, atof(argv[3]), argc > 4 ? argv[4] : "198.18.0.1") :
		     drop_until_signal(s, ifindex);
	bench_progs__destroy(s);
	return rc;
}
