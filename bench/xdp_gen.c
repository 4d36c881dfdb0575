// SPDX-License-Identifier: GPL-2.0
/* Line-rate helper for bench/enforce.sh and bench/efficiency.sh.
 *   xdp_gen send IFACE SECONDS [SRC]  transmits TCP SYNs from SRC (default 198.18.0.1) to
 *                                     198.18.0.2:80 out of IFACE with BPF_PROG_RUN live
 *                                     frames for SECONDS, and prints the packets sent
 *   xdp_gen send IFACE SECONDS SRC NFLOWS [restore]
 *                                     ... restore: the frame written again before each send
 *                                     (a receiver that rewrites frames in place, such as the
 *                                     balancer, hands back pages holding its rewrite)
 *                                     ... over NFLOWS flows (the source port rotates)
 *   xdp_gen rewrite [-c COPIES] OUT PCAP...
 *                                     writes the Ethernet frames of the captures (a real
 *                                     mix: HTTP, DNS, TLS, ...) to OUT with their addresses
 *                                     rewritten into 198.18.0.0/15 and fd00::/8, so that a
 *                                     lab replaying them (tcpreplay) carries nobody else's;
 *                                     COPIES times over, each copy's addresses its own (the
 *                                     same flows replayed in a loop would meet the state
 *                                     their first pass left: a steering done with a flow
 *                                     would copy nothing the second time)
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
#define PCAP_DONT_INCLUDE_PCAP_BPF_H /* libbpf has its own struct bpf_insn */
#include <pcap/pcap.h>
#include <pcap/dlt.h>
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

	memcpy(s->bss->gen_frame, buf, len < sizeof(s->bss->gen_frame) ? len : sizeof(s->bss->gen_frame));

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

#define MIX_MAX 65536

struct frame {
	uint8_t b[1514];
	uint32_t len;
};

/* 198.18.0.0/15 for IPv4 and fd00::/8 for IPv6, keeping flows apart (a hash of the original
 * address and of the copy it is written into); the IPv4 header checksum is recomputed (L4
 * checksums are left stale: the receivers here do not check them). */
static uint32_t copy_salt;

static void rewrite_v4(uint8_t *a)
{
	uint32_t h = (uint32_t)a[0] * 2654435761u ^ (uint32_t)a[1] * 40503u ^ (uint32_t)a[2] << 8 ^ a[3];

	if (copy_salt) { /* the first copy as it always was */
		h ^= copy_salt * 0x9e3779b1u;
		h ^= h >> 15; /* the salt reaches the bits kept below */
	}

	a[0] = 198;
	a[1] = (uint8_t)(18 | ((h >> 16) & 1));
	a[2] = (uint8_t)(h >> 8);
	a[3] = (uint8_t)h;
}

static void ip_checksum(uint8_t *ip, uint32_t ihl)
{
	uint32_t sum = 0;

	ip[10] = ip[11] = 0;
	for (uint32_t i = 0; i < ihl; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}

/* Rewrites an Ethernet frame's addresses; false for frames left out (not IP, VLAN, short). */
static bool rewrite(struct frame *f)
{
	uint8_t *ip = f->b + 14;
	uint16_t type = (uint16_t)(f->b[12] << 8 | f->b[13]);

	if (f->len < 34)
		return false;
	if (type == 0x0800 && (ip[0] >> 4) == 4 && (ip[0] & 15) >= 5 && 14u + (ip[0] & 15u) * 4 <= f->len) {
		rewrite_v4(ip + 12);
		rewrite_v4(ip + 16);
		ip_checksum(ip, (ip[0] & 15u) * 4);
		return true;
	}
	if (type == 0x86dd && f->len >= 54) {
		ip[8] = 0xfd, ip[9] = (uint8_t)copy_salt; /* fd00::/8 with the rest of the address */
		ip[24] = 0xfd, ip[25] = (uint8_t)copy_salt;
		return true;
	}
	return false;
}

static size_t load_mix(int npcap, char **paths, struct frame *frames, pcap_dumper_t *out)
{
	char err[PCAP_ERRBUF_SIZE];
	size_t n = 0;

	for (int i = 0; i < npcap && n < MIX_MAX; i++) {
		pcap_t *p = pcap_open_offline(paths[i], err);
		struct pcap_pkthdr *h;
		const u_char *data;

		if (!p || pcap_datalink(p) != DLT_EN10MB) {
			if (p)
				pcap_close(p);
			continue;
		}
		while (n < MIX_MAX && pcap_next_ex(p, &h, &data) == 1) {
			if (h->caplen != h->len || h->len > sizeof(frames[n].b))
				continue; /* whole frames only */
			memcpy(frames[n].b, data, h->len);
			frames[n].len = h->len;
			if (!rewrite(&frames[n]))
				continue;
			if (out)
				pcap_dump((u_char *)out, h, frames[n].b);
			n++;
		}
		pcap_close(p);
	}
	return n;
}

/* Writes the captures' Ethernet frames, addresses rewritten, to OUT (for tcpreplay), COPIES
 * times, each copy with addresses of its own. */
static int rewrite_pcaps(const char *out_path, unsigned copies, int npcap, char **paths)
{
	struct frame *frames = calloc(MIX_MAX, sizeof(*frames));
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *out = dead ? pcap_dump_open(dead, out_path) : NULL;
	size_t n = 0;

	if (!frames || !out) {
		fprintf(stderr, "xdp_gen: cannot write %s\n", out_path);
		return 1;
	}
	for (copy_salt = 0; copy_salt < copies; copy_salt++)
		n += load_mix(npcap, paths, frames, out);
	pcap_dump_close(out);
	pcap_close(dead);
	free(frames);
	printf("wrote %zu frames to %s\n", n, out_path);
	return n ? 0 : 1;
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
	unsigned copies = 1;

	if (argc > 4 && !strcmp(argv[1], "rewrite") && !strcmp(argv[2], "-c")) {
		copies = (unsigned)strtoul(argv[3], NULL, 10);
		if (copies < 1 || copies > 255) {
			fprintf(stderr, "xdp_gen: -c takes 1 to 255 copies, not %s\n", argv[3]);
			return 2;
		}
		argv[3] = argv[1]; /* drop "-c N": the usual argument places follow */
		argv += 2;
		argc -= 2;
	}
	if (argc < 3 || (strcmp(argv[1], "send") && strcmp(argv[1], "drop") && strcmp(argv[1], "rewrite")) ||
	    (!strcmp(argv[1], "send") && argc < 4) || (!strcmp(argv[1], "rewrite") && argc < 4)) {
		fprintf(stderr, "usage: xdp_gen send IFACE SECONDS [SRC [NFLOWS]] | xdp_gen rewrite "
				"[-c COPIES] OUT.pcap PCAP... | xdp_gen drop IFACE\n");
		return 2;
	}
	if (!strcmp(argv[1], "rewrite"))
		return rewrite_pcaps(argv[2], copies, argc - 3, argv + 3);
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "xdp_gen: no interface %s\n", argv[2]);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	s = bench_progs__open();
	if (s && !strcmp(argv[1], "send") && argc > 5)
		s->rodata->cfg_nflows = (__u32)atoi(argv[5]);
	if (s && !strcmp(argv[1], "send") && argc > 6 && !strcmp(argv[6], "restore"))
		s->rodata->cfg_gen_restore = 1; /* the receiver rewrites frames in place */
	if (s && bench_progs__load(s)) {
		bench_progs__destroy(s);
		s = NULL;
	}
	if (!s) {
		fprintf(stderr, "xdp_gen: loading: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "send"))
		rc = send_for(s, ifindex, atof(argv[3]), argc > 4 ? argv[4] : "198.18.0.1");
	else
		rc = drop_until_signal(s, ifindex);
	bench_progs__destroy(s);
	return rc;
}
