// SPDX-License-Identifier: GPL-2.0
/* The balancer's cost in ns/packet: BPF_PROG_TEST_RUN with a large repeat, best of 3 calls,
 * the shipped pipeline (bench/progs' rotate_* programs: the source port rotates over N
 * connections within one call). Rows: xdpi's pass path without a service (the baseline), a
 * packet for no service with one configured, an established connection's packet (one and
 * 65,536 connections walked, and with a million connections in the table), a new connection's
 * SYN (a Maglev pick and a table write each). The balanced rows include putting the frame back
 * for the next repetition (one bpf_xdp_adjust_head), so they overstate the balancer a little.
 * usage: lb_ns [REPEAT] */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "shared/xdpi_abi.h"
#include "xdpi/lb.h"
#include "bench/progs/bench_progs.skel.h"
#include "../tests/lib/pktbuild.h"
#include "ns_run.h"

static unsigned repeat = 2000000;

static const char conf_text[] = "outer-source 198.18.21.0/24\n"
				"service web 198.18.100.10:80\n"
				"  backend 198.18.30.11\n"
				"  backend 198.18.30.12\n"
				"  backend 198.18.30.13 weight 2\n";

static struct bench_progs *load(uint32_t nflows, bool lb, uint32_t conns)
{
	struct bench_progs *s = bench_progs__open();
	static struct xdpi_lb_conf conf;
	struct xdpi_lb_member mem[3];
	static uint32_t table[XDPI_LB_RING_SIZE];
	struct xdpi_lb_maps m;
	char err[256];

	if (!s)
		return NULL;
	s->rodata->cfg_nflows = nflows;
	s->rodata->cfg_default_steer = XDPI_STEER_PASS;
	bpf_map__set_max_entries(s->maps.flows, 262144);
	bpf_map__set_max_entries(s->maps.lb_conns, conns);
	if (bench_progs__load(s))
		goto fail;
	if (!lb)
		return s;
	m = (struct xdpi_lb_maps){ bpf_map__fd(s->maps.lb_vips), bpf_map__fd(s->maps.lb_rings),
				   bpf_map__fd(s->maps.lb_backends), bpf_map__fd(s->maps.lb_cfg),
				   bpf_map__fd(s->maps.lb_svc_stats),
				   bpf_map__fd(s->maps.lb_backend_stats) };
	if (xdpi_lb_conf_parse("bench", conf_text, strlen(conf_text), &conf, err, sizeof(err)) ||
	    xdpi_lb_install(&m, &conf))
		goto fail;
	for (uint32_t i = 0; i < conf.nbackends; i++) {
		mem[i] = (struct xdpi_lb_member){ .id = i, .family = 4,
						  .weight = conf.backends[i].weight };
		memcpy(mem[i].addr, conf.backends[i].addr, 16);
	}
	if (xdpi_maglev_build(mem, conf.nbackends, table) || xdpi_lb_table_swap(&m, 0, table) ||
	    xdpi_lb_enable(&m, &conf, true))
		goto fail;
	return s;
fail:
	fprintf(stderr, "lb_ns: loading failed: %s\n", strerror(errno));
	bench_progs__destroy(s);
	return NULL;
}

/* N connections of other clients in the table (what a busy balancer holds). */
static int fill_conns(struct bench_progs *s, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	enum { CHUNK = 65536 };
	struct xdpi_lb_conn_key *k = calloc(CHUNK, sizeof(*k));
	struct xdpi_lb_conn *v = calloc(CHUNK, sizeof(*v));
	int fd = bpf_map__fd(s->maps.lb_conns), err = 0;

	for (uint32_t done = 0; k && v && done < n && !err; done += CHUNK) {
		uint32_t count = CHUNK;

		for (uint32_t i = 0; i < CHUNK; i++) {
			k[i] = (struct xdpi_lb_conn_key){ .sport = htons((uint16_t)(i | 1024)),
							  .dport = htons(80), .proto = 6, .family = 4 };
			k[i].saddr[0] = htonl(0x0a000000u + done / CHUNK);
			k[i].daddr[0] = inet_addr("198.18.100.10");
			v[i].backend = i % 3;
		}
		err = bpf_map_update_batch(fd, k, v, &count, &bo);
	}
	free(k);
	free(v);
	return err;
}

static struct pkt_spec tcp(uint16_t dport, uint8_t flags)
{
	return (struct pkt_spec){ .family = 4, .proto = 6, .src = "198.18.10.2",
				  .dst = "198.18.100.10", .sport = 10000, .dport = dport,
				  .tcp_flags = flags };
}

/* ns/packet of PROG over S's packet, the connections warmed by one walk first. */
static double row(int prog, struct pkt_spec s, uint32_t nflows)
{
	uint8_t buf[2048];
	size_t len = pkt_build(&s, buf, sizeof(buf));

	bench_ns_per_pkt(prog, buf, len, nflows); /* every connection in the table */
	return bench_ns_per_pkt(prog, buf, len, repeat);
}

int main(int argc, char **argv)
{
	struct bench_progs *base, *base64k, *one, *many, *million;
	double pass, pass64k, novip, est1, est64k, syn64k, est1m;

	if (argc > 1)
		repeat = (unsigned)strtoul(argv[1], NULL, 0);
	libbpf_set_print(NULL);
	base = load(1, false, 256);
	base64k = load(65536, false, 256);
	one = load(1, true, 65536);
	many = load(65536, true, 262144);
	million = load(65536, true, 1u << 21);
	if (!base || !base64k || !one || !many || !million)
		return 1;
	if (fill_conns(million, 1000000)) {
		fprintf(stderr, "lb_ns: filling the table failed: %s\n", strerror(errno));
		return 1;
	}
	pass = row(bpf_program__fd(base->progs.rotate_xdpi), tcp(80, 0x10), 1);
	pass64k = row(bpf_program__fd(base64k->progs.rotate_xdpi), tcp(80, 0x10), 65536);
	novip = row(bpf_program__fd(one->progs.rotate_xdpi), tcp(81, 0x10), 1);
	est1 = row(bpf_program__fd(one->progs.rotate_lb), tcp(80, 0x10), 1);
	est64k = row(bpf_program__fd(many->progs.rotate_lb), tcp(80, 0x10), 65536);
	syn64k = row(bpf_program__fd(many->progs.rotate_lb), tcp(80, 0x02), 65536);
	est1m = row(bpf_program__fd(million->progs.rotate_lb), tcp(80, 0x10), 65536);
	printf("# balancer, ns/packet: BPF_PROG_TEST_RUN, repeat %u, best of 3 calls\n", repeat);
	printf("%-52s %8s %8s\n", "case", "ns", "x pass");
	printf("%-52s %8.1f %8s\n", "xdpi pass path, no service (baseline)", pass, "1.00");
	printf("%-52s %8.1f %8.2f\n", "xdpi pass path, no service, 65,536 flows walked", pass64k,
	       pass64k / pass);
	printf("%-52s %8.1f %8.2f\n", "a packet for no service, one configured", novip, novip / pass);
	printf("%-52s %8.1f %8.2f\n", "established, 1 connection", est1, est1 / pass);
	printf("%-52s %8.1f %8.2f\n", "established, 65,536 connections walked", est64k,
	       est64k / pass);
	printf("%-52s %8.1f %8.2f\n", "established, 65,536 walked, 1,000,000 in the table",
	       est1m, est1m / pass);
	printf("%-52s %8.1f %8.2f\n", "new connection (SYN: Maglev pick, table write)", syn64k,
	       syn64k / pass);
	bench_progs__destroy(base);
	bench_progs__destroy(base64k);
	bench_progs__destroy(one);
	bench_progs__destroy(many);
	bench_progs__destroy(million);
	return 0;
}
