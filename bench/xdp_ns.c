// SPDX-License-Identifier: GPL-2.0
/* Fast-path cost in ns/packet: BPF_PROG_TEST_RUN with a large repeat (the kernel reports the
 * mean time per repetition), for xdpi's XDP program, a trivial XDP_PASS program and
 * xdp-filter's full-feature program (xdp-tools, deny mode, all filters) on the same packets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "shared/xdpi_abi.h"
#include "xdpi/policy.h"
#include "bpf/xdp_ingress.skel.h"
#include "bench/progs/bench_progs.skel.h"
#include "../tests/lib/pktbuild.h"
#include "ns_run.h"

#define XDP_FILTER_OBJ "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_dny_all.o"

static unsigned repeat = 2000000;

struct pkt {
	const char *name;
	struct pkt_spec spec;
};

static const struct pkt pkts[] = {
	{ "tcp_syn", { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2", .sport = 40000, .dport = 80, .tcp_flags = 0x02 } },
	{ "tcp_data_established", { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2", .sport = 40000, .dport = 80, .tcp_flags = 0x18, .payload = "GET / HTTP/1.1\r\nHost: x\r\n\r\n", .plen = 27 } },
	{ "udp_dns_query", { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2", .sport = 5353, .dport = 53, .payload = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x03com\x00\x00\x01\x00\x01", .plen = 33 } },
	{ "ipv6_tcp", { .family = 6, .proto = 6, .src = "fd00::1", .dst = "fd00::2", .sport = 40000, .dport = 443, .tcp_flags = 0x10, .payload = "x", .plen = 1 } },
	{ "vlan_tcp", { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2", .sport = 40000, .dport = 80, .tcp_flags = 0x10, .nvlan = 1, .vlan = { 42 }, .payload = "x", .plen = 1 } },
};

/* The tcp_data_established packet inside tunnels, against itself plain. */
static const struct {
	const char *name;
	struct pkt_tunnel_spec t;
} tunnels[] = {
	{ "vxlan_tcp_data", { .type = PKT_TUN_VXLAN, .id = 42, .family = 4, .src = "198.18.9.1", .dst = "198.18.9.2" } },
	{ "gre_tcp_data", { .type = PKT_TUN_GRE, .id = 5, .family = 4, .src = "198.18.9.1", .dst = "198.18.9.2" } },
	{ "geneve_tcp_data", { .type = PKT_TUN_GENEVE, .id = 43, .family = 4, .src = "198.18.9.1", .dst = "198.18.9.2" } },
	{ "ipip_tcp_data", { .type = PKT_TUN_IPIP, .family = 4, .src = "198.18.9.1", .dst = "198.18.9.2" } },
};

static double ns_per_pkt(int prog_fd, const uint8_t *buf, size_t len)
{
	return bench_ns_per_pkt(prog_fd, buf, len, repeat);
}

static struct xdp_ingress *load_xdpi(uint8_t steer)
{
	struct xdp_ingress *s = xdp_ingress__open();

	if (!s)
		return NULL;
	s->rodata->cfg_default_steer = steer;
	bpf_map__set_max_entries(s->maps.flows, 262144);
	bpf_map__set_max_entries(s->maps.events_rb, 1u << 28); /* room for every copied SYN */
	if (xdp_ingress__load(s)) {
		xdp_ingress__destroy(s);
		return NULL;
	}
	return s;
}

static struct bench_progs *load_rot(uint32_t nflows)
{
	struct bench_progs *s = bench_progs__open();

	if (!s)
		return NULL;
	s->rodata->cfg_nflows = nflows;
	s->rodata->cfg_default_steer = XDPI_STEER_HEAD;
	bpf_map__set_max_entries(s->maps.flows, 262144);
	if (bench_progs__load(s)) {
		bench_progs__destroy(s);
		return NULL;
	}
	return s;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fills the IPv4 trie with N distinct entries shaped like a public feed (mostly /24 and /32,
 * some wider), one of them 198.18.0.0/24 with ACTION; returns the seconds the inserts took. */
/* Puts N-1 random feed-shaped entries besides the one already in trie FD. */
static int lpm_fill_random(int fd, uint32_t n)
{
	static const uint8_t lens[] = { 16, 20, 22, 24, 24, 24, 32, 32 };
	struct xdpi_policy_value v = { .action = XDPI_POLICY_DROP };
	struct xdpi_lpm4_key k;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (uint32_t have = 1; have < n;) {
		uint32_t a, mask;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k.prefixlen = lens[x & 7];
		mask = ~0u << (32 - k.prefixlen);
		a = ((uint32_t)(x >> 32) % (223u << 24) + (1u << 24)) & mask;
		if ((a >> 17) == (0xc612u >> 1))
			continue; /* keep 198.18.0.0/15 to the one listed entry */
		k.addr[0] = (uint8_t)(a >> 24), k.addr[1] = (uint8_t)(a >> 16);
		k.addr[2] = (uint8_t)(a >> 8), k.addr[3] = (uint8_t)a;
		v.rule_id = have + 1;
		v.prefixlen = (uint8_t)k.prefixlen;
		if (!bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST))
			have++;
		else if (errno != EEXIST)
			return -errno;
	}
	return 0;
}

/* Fills the IPv4 trie with N distinct entries shaped like a public feed (mostly /24 and /32,
 * some wider), one of them 198.18.0.0/24 with ACTION; returns the seconds the inserts took. */
static double lpm_fill(struct xdp_ingress *s, uint32_t n, uint8_t action)
{
	struct xdpi_policy_value v = { .rule_id = 1, .action = action, .prefixlen = 24 };
	struct xdpi_lpm4_key k = { .prefixlen = 24, .addr = { 198, 18, 0, 0 } };
	int outer4 = bpf_map__fd(s->maps.policy4), outer6 = bpf_map__fd(s->maps.policy6);
	struct xdpi_policy_maps tries;
	double t0 = mono_s(), took = -1;

	if (xdpi_policy_tries_init(outer4, outer6) ||
	    xdpi_policy_tries_open(&(struct xdpi_policy_fds){ outer4, outer6,
				   bpf_map__fd(s->maps.policy_gen) }, &tries))
		return -1;
	if (!bpf_map_update_elem(tries.v4_fd, &k, &v, BPF_ANY) &&
	    !lpm_fill_random(tries.v4_fd, n))
		took = mono_s() - t0;
	tries.dirty = true; /* written around xdpi_policy_put: the close bumps the generation,
			     * without which the fast path would not look at the trie */
	xdpi_policy_tries_close(&tries);
	return took;
}

/* ns/packet of a TCP SYN from a listed source, with N entries in the trie. */
/* ns/packet allowed and dropped, with the verdict cache off, then on (the same source
 * repeats, so the cache answers all but the first packet). */
static void lpm_row(uint32_t n)
{
	uint8_t buf[2048];
	size_t len = pkt_build(&pkts[0].spec, buf, sizeof(buf));
	double res[2][2], load = 0;

	for (int drop = 0; drop < 2; drop++) {
		struct xdp_ingress *s = load_xdpi(XDPI_STEER_PASS);
		int fd = s ? bpf_program__fd(s->progs.xdp_ingress) : -1;

		if (!s)
			return;
		load = lpm_fill(s, n, drop ? XDPI_POLICY_DROP : XDPI_POLICY_ALLOW);
		for (int cache = 0; cache < 2; cache++) {
			xdpi_policy_cache_set(bpf_map__fd(s->maps.policy_gen), cache);
			res[cache][drop] = load < 0 ? -1.0 : ns_per_pkt(fd, buf, len);
		}
		xdp_ingress__destroy(s);
	}
	printf("%-12u %8.2f %12.1f %12.1f %14.1f %14.1f\n", n, load, res[0][0], res[0][1],
	       res[1][0], res[1][1]);
}

static void policy_header(void)
{
	printf("# policy: IPv4 LPM trie with N feed-shaped entries, tcp_syn from a listed /24, pass state\n");
	printf("%-12s %8s %12s %12s %14s %14s\n", "entries", "insert_s", "allowed_ns",
	       "dropped_ns", "cached_allow", "cached_drop");
}

/* The floor of keeping flows at all (bench_progs.bpf.c flow_floor: parse, the canonical key,
 * one lookup in xdpi's flow map, two exact counts) beside xdp-filter and xdpi's pass path:
 * a target relative to xdp-filter cannot be below floor/filt. */
static void floor_rows(struct bench_progs *rot1, struct xdp_ingress *pass_st, int xf_fd)
{
	printf("# the floor of flow keeping: one lookup of the flow's 48-byte key in xdpi's map, two exact counts\n");
	printf("%-22s %10s %12s %12s %11s %11s\n", "packet", "floor", "xdp-filter", "xdpi(pass)",
	       "floor/filt", "xdpi/floor");
	for (size_t i = 1; i < 3; i++) { /* tcp_data_established, udp_dns_query */
		uint8_t buf[2048];
		size_t len = pkt_build(&pkts[i].spec, buf, sizeof(buf));
		double floor = ns_per_pkt(bpf_program__fd(rot1->progs.flow_floor_one), buf, len);
		double filt = xf_fd >= 0 ? ns_per_pkt(xf_fd, buf, len) : -1.0;
		double pass = ns_per_pkt(bpf_program__fd(pass_st->progs.xdp_ingress), buf, len);

		printf("%-22s %10.1f %12.1f %12.1f %10.2fx %10.2fx\n", pkts[i].name, floor, filt, pass,
		       filt > 0 ? floor / filt : 0.0, floor > 0 ? pass / floor : 0.0);
	}
}

/* `xdp_ns profile`: the pass path on tcp_data_established for about ten seconds and
 * nothing else, so that `perf record -a` shows each stage (each is its own JIT symbol,
 * bpf_prog_<tag>_xdpi_stage_*) in proportion. */
static int profile_pass(struct xdp_ingress *pass_st)
{
	uint8_t buf[2048];
	size_t len = pkt_build(&pkts[1].spec, buf, sizeof(buf));
	double t0 = mono_s(), ns = 0;

	if (!pass_st)
		return 1;
	while (mono_s() - t0 < 10)
		ns = ns_per_pkt(bpf_program__fd(pass_st->progs.xdp_ingress), buf, len);
	printf("tcp_data_established, pass: %.1f ns/packet\n", ns);
	return 0;
}

int main(int argc, char **argv)
{
	struct xdp_ingress *pass_st = load_xdpi(XDPI_STEER_PASS), *head_st = load_xdpi(XDPI_STEER_HEAD);
	struct bench_progs *rot1 = load_rot(1), *rot64k = load_rot(65536);
	struct bpf_object *xf;
	int xf_fd = -1;

	libbpf_set_print(NULL); /* xdp-filter's object has sections libbpf warns about */
	xf = bpf_object__open_file(XDP_FILTER_OBJ, NULL);

	if (argc > 1 && !strcmp(argv[1], "profile")) /* for perf record -a: one case, 10 s */
		return profile_pass(pass_st);
	if (argc > 1 && !strcmp(argv[1], "policy")) { /* the drop path's A/B: one-entry row only */
		repeat = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : repeat;
		policy_header();
		lpm_row(1);
		return 0;
	}
	if (argc > 1)
		repeat = (unsigned)strtoul(argv[1], NULL, 0);
	if (xf) {
		struct bpf_map *m;

		/* xdp-filter pins its maps by name under /sys/fs/bpf; a benchmark must leave
		 * nothing behind */
		bpf_object__for_each_map(m, xf)
			bpf_map__set_pin_path(m, NULL);
		if (!bpf_object__load(xf))
			xf_fd = bpf_program__fd(bpf_object__next_program(xf, NULL));
	}
	if (!pass_st || !head_st || !rot1 || !rot64k) {
		fprintf(stderr, "bench: loading programs failed (root needed): %s\n", strerror(errno));
		return 1;
	}
	printf("# fast path, ns/packet: BPF_PROG_TEST_RUN, repeat %u, best of 3 calls\n", repeat);
	printf("%-22s %10s %12s %12s %12s %10s\n", "packet", "xdp_pass", "xdp-filter", "xdpi(pass)",
	       "xdpi(head)", "pass/filt");
	for (size_t i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		uint8_t buf[2048];
		size_t len = pkt_build(&pkts[i].spec, buf, sizeof(buf));
		double filt = xf_fd >= 0 ? ns_per_pkt(xf_fd, buf, len) : -1.0;
		double pass = ns_per_pkt(bpf_program__fd(pass_st->progs.xdp_ingress), buf, len);

		printf("%-22s %10.1f %12.1f %12.1f %12.1f %9.2fx\n", pkts[i].name,
		       ns_per_pkt(bpf_program__fd(rot1->progs.xdp_pass), buf, len), filt, pass,
		       ns_per_pkt(bpf_program__fd(head_st->progs.xdp_ingress), buf, len),
		       filt > 0 ? pass / filt : 0.0);
	}
	{
		uint8_t plain[2048], buf[2048];
		size_t plen = pkt_build(&pkts[1].spec, plain, sizeof(plain));
		double ref = ns_per_pkt(bpf_program__fd(pass_st->progs.xdp_ingress), plain, plen);

		printf("# tunnels: tcp_data_established encapsulated; xdpi(pass) against the plain packet's %.1f ns\n", ref);
		for (size_t i = 0; i < sizeof(tunnels) / sizeof(tunnels[0]); i++) {
			size_t len = pkt_encap(&tunnels[i].t, plain, plen, buf, sizeof(buf));
			double x = ns_per_pkt(bpf_program__fd(pass_st->progs.xdp_ingress), buf, len);

			printf("%-22s %10.1f %12.1f %12.1f %12.1f %6.2fx\n", tunnels[i].name,
			       ns_per_pkt(bpf_program__fd(rot1->progs.xdp_pass), buf, len),
			       xf_fd >= 0 ? ns_per_pkt(xf_fd, buf, len) : -1.0, x,
			       ns_per_pkt(bpf_program__fd(head_st->progs.xdp_ingress), buf, len), x / ref);
		}
	}
	{
		uint8_t buf[2048];
		size_t len = pkt_build(&pkts[1].spec, buf, sizeof(buf));
		double base1 = ns_per_pkt(bpf_program__fd(rot1->progs.rotate_only), buf, len);
		double one = ns_per_pkt(bpf_program__fd(rot1->progs.rotate_xdpi), buf, len);
		double base64 = ns_per_pkt(bpf_program__fd(rot64k->progs.rotate_only), buf, len);
		double many = ns_per_pkt(bpf_program__fd(rot64k->progs.rotate_xdpi), buf, len);

		double fone = ns_per_pkt(bpf_program__fd(rot1->progs.rotate_floor), buf, len) - base1;
		double fmany = ns_per_pkt(bpf_program__fd(rot64k->progs.rotate_floor), buf, len) -
			       base64;

		printf("# flows walked per call (tcp data, head steering, port-rotation prologue subtracted;\n"
		       "# floor: the same flows in the same map, lookup and two exact counts only)\n");
		printf("%-22s %10s %10s\n", "", "xdpi", "floor");
		printf("%-22s %10.1f %10.1f\n", "1 flow", one - base1, fone);
		printf("%-22s %10.1f %10.1f   xdpi %.2fx its one-flow cost, the floor %.2fx its own\n",
		       "65536 flows", many - base64, fmany,
		       one - base1 > 0 ? (many - base64) / (one - base1) : 0.0,
		       fone > 0 ? fmany / fone : 0.0);
	}
	floor_rows(rot1, pass_st, xf_fd);
	policy_header();
	lpm_row(1);
	lpm_row(1000000);
	bpf_object__close(xf);
	bench_progs__destroy(rot1);
	bench_progs__destroy(rot64k);
	xdp_ingress__destroy(pass_st);
	xdp_ingress__destroy(head_st);
	return 0;
}
