// SPDX-License-Identifier: GPL-2.0
/* The balancer in the real XDP program through BPF_PROG_TEST_RUN, Katran-style: a packet in,
 * the verdict and the exact packet out. The backend the program picks for 10,000 connections
 * equals the user-space Maglev model's; established connections keep their backend across a
 * table change and a drain; no backend, too big, ICMP errors for a VIP, the passive counters,
 * IPv6 outside and inside, and a backend's unwrapping (--lb-decap). Exits 77 (skip) without
 * privileges outside CI; under CI that is a failure. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "shared/xdpi_abi.h"
#include "shared/xdpi_lb.h"
#include "xdpi/lb.h"
#include "bpf/xdp_ingress.skel.h"
#include "../lib/pktbuild.h"
#include "../lib/check.h"

#define VIP "198.18.100.10"
#define VIP6 "fd00:100::10"
#define CLIENT "198.18.10.2"
#define CLIENT6 "fd00:10::2"

struct lab {
	struct xdp_ingress *skel;
	struct xdpi_lb_maps m;
	struct xdpi_lb_conf conf;
	uint32_t table[2][XDPI_LB_RING_SIZE]; /* per service */
	int prog;
};

static uint32_t v4(const char *s)
{
	uint32_t a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static void add_backend(struct lab *l, uint16_t svc, const char *addr, uint16_t weight)
{
	struct xdpi_lb_backend_conf *b = &l->conf.backends[l->conf.nbackends++];

	memset(b, 0, sizeof(*b));
	b->family = strchr(addr, ':') ? 6 : 4;
	inet_pton(b->family == 4 ? AF_INET : AF_INET6, addr, b->addr);
	b->weight = weight;
	b->service = svc;
	snprintf(b->text, sizeof(b->text), "%s", addr);
}

/* Service SVC's members from the configuration (weights as configured), its table built and
 * swapped in. */
static void put_table(struct lab *l, uint16_t svc)
{
	struct xdpi_lb_member mem[XDPI_LB_BACKENDS_MAX];
	size_t n = 0;

	for (uint32_t id = 0; id < l->conf.nbackends; id++) {
		const struct xdpi_lb_backend_conf *b = &l->conf.backends[id];

		if (b->service != svc)
			continue;
		mem[n] = (struct xdpi_lb_member){ .id = id, .family = b->family, .weight = b->weight };
		memcpy(mem[n].addr, b->addr, 16);
		n++;
	}
	CHECK(!xdpi_maglev_build(mem, n, l->table[svc]), "maglev build");
	CHECK(!xdpi_lb_table_swap(&l->m, svc, l->table[svc]), "table swap: %s", strerror(errno));
}

static int lab_open(struct lab *l, bool decap)
{
	const char *text =
		"outer-source 198.18.21.0/24\n"
		"outer-source fd00:21::/96\n"
		"service web " VIP ":80\n"
		"  backend 198.18.30.11\n"
		"  backend 198.18.30.12 weight 2\n"
		"  backend 198.18.30.13\n"
		"service web6 [" VIP6 "]:443\n"
		"  backend fd00:30::11\n"
		"  backend 198.18.30.21\n";
	char err[256];

	memset(l, 0, sizeof(*l));
	if (xdpi_lb_conf_parse("lab.conf", text, strlen(text), &l->conf, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	l->skel = xdp_ingress__open();
	if (!l->skel)
		return -errno;
	l->skel->rodata->cfg_default_steer = XDPI_STEER_PASS;
	l->skel->rodata->cfg_lb_decap = decap;
	bpf_program__set_autoload(l->skel->progs.xdp_tap, false);
	bpf_map__set_max_entries(l->skel->maps.flows, 4096);
	bpf_map__set_max_entries(l->skel->maps.msg_hints, 16);
	bpf_map__set_max_entries(l->skel->maps.lb_conns, 65536);
	if (xdp_ingress__load(l->skel))
		return -errno;
	l->prog = bpf_program__fd(l->skel->progs.xdp_ingress);
	l->m = (struct xdpi_lb_maps){
		bpf_map__fd(l->skel->maps.lb_vips), bpf_map__fd(l->skel->maps.lb_rings),
		bpf_map__fd(l->skel->maps.lb_backends), bpf_map__fd(l->skel->maps.lb_cfg),
		bpf_map__fd(l->skel->maps.lb_svc_stats), bpf_map__fd(l->skel->maps.lb_backend_stats),
	};
	if (decap)
		return 0;
	if (xdpi_lb_install(&l->m, &l->conf))
		return -1;
	put_table(l, 1);
	put_table(l, 0);
	return xdpi_lb_enable(&l->m, &l->conf, true);
}

static void lab_close(struct lab *l)
{
	xdp_ingress__destroy(l->skel);
}

struct out {
	int verdict;
	uint8_t pkt[2048];
	uint32_t len;
};

static int run_frame(struct lab *l, const uint8_t *in, size_t len, struct out *o)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = o->pkt, .data_size_out = sizeof(o->pkt), .repeat = 1);

	if (bpf_prog_test_run_opts(l->prog, &t))
		return -errno;
	o->verdict = (int)t.retval;
	o->len = t.data_size_out;
	return 0;
}

static int run_pkt(struct lab *l, const struct pkt_spec *s, struct out *o)
{
	uint8_t buf[2048];
	size_t len = pkt_build(s, buf, sizeof(buf));

	return run_frame(l, buf, len, o);
}

static struct pkt_spec tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			   uint8_t flags)
{
	return (struct pkt_spec){ .family = strchr(src, ':') ? 6 : 4, .proto = 6, .src = src,
				  .dst = dst, .sport = sport, .dport = dport, .tcp_flags = flags };
}

/* The connection key the program hashes, for the model. */
static struct xdpi_lb_conn_key conn_of(const struct pkt_spec *s)
{
	struct xdpi_lb_conn_key k = { .sport = htons(s->sport), .dport = htons(s->dport),
				      .proto = s->proto, .family = (uint8_t)s->family };

	inet_pton(s->family == 4 ? AF_INET : AF_INET6, s->src, k.saddr);
	inet_pton(s->family == 4 ? AF_INET : AF_INET6, s->dst, k.daddr);
	return k;
}

/* The model: the backend id the table gives this connection. */
static uint32_t model_pick(const struct lab *l, const struct pkt_spec *s)
{
	struct xdpi_lb_conn_key k = conn_of(s);

	return l->table[s->dport == 443][xdpi_lb_slot(xdpi_lb_hash(&k))];
}

/* The backend an IPv4-outside packet went to: its outer destination, as an id. */
static int outer_backend4(const struct lab *l, const struct out *o)
{
	uint32_t dst;

	if (o->len < 34 || o->pkt[12] != 0x08 || o->pkt[13] != 0x00 || o->pkt[14] != 0x45 ||
	    (o->pkt[23] != 4 && o->pkt[23] != 41))
		return -1;
	memcpy(&dst, o->pkt + 30, 4);
	for (uint32_t id = 0; id < l->conf.nbackends; id++)
		if (l->conf.backends[id].family == 4 && l->conf.backends[id].addr[0] == dst)
			return (int)id;
	return -1;
}

static uint64_t svc_count(const struct lab *l, uint32_t svc, int c)
{
	uint64_t v[XDPI_LB_SC_MAX];

	return xdpi_lb_svc_read(&l->m, svc, v) ? 0 : v[c];
}

static uint64_t backend_count(const struct lab *l, uint32_t id, int c)
{
	uint64_t v[XDPI_LB_BC_MAX];

	return xdpi_lb_backend_read(&l->m, id, v) ? 0 : v[c];
}

/* The 20-byte IPv4 header the encapsulation must produce, written here independently. */
static void expected_outer4(uint8_t *h, uint32_t src, uint32_t dst, uint16_t inner_len)
{
	uint32_t sum = 0;

	memset(h, 0, 20);
	h[0] = 0x45;
	h[2] = (uint8_t)((inner_len + 20) >> 8);
	h[3] = (uint8_t)(inner_len + 20);
	h[8] = 64;
	h[9] = 4;
	memcpy(h + 12, &src, 4);
	memcpy(h + 16, &dst, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h[10] = (uint8_t)(~sum >> 8);
	h[11] = (uint8_t)~sum;
}

static void test_encap_exact(struct lab *l)
{
	struct pkt_spec s = tcp(CLIENT, 40001, VIP, 80, 0x02);
	uint8_t in[256], want[256];
	size_t len = pkt_build(&s, in, sizeof(in));
	struct xdpi_lb_conn_key k = conn_of(&s);
	uint32_t hash = xdpi_lb_hash(&k), id = model_pick(l, &s), src;
	struct out o;

	CHECK(!run_frame(l, in, len, &o), "test run");
	/* the test run's device (lo) has no route to the backend: the stack gets it */
	CHECK(o.verdict == XDP_PASS || o.verdict == XDP_TX, "verdict %d", o.verdict);
	src = v4("198.18.21.0") | (hash & htonl(0xff));
	memcpy(want, in, 12);
	want[12] = 0x08, want[13] = 0x00;
	expected_outer4(want + 14, src, l->conf.backends[id].addr[0], (uint16_t)(len - 14));
	memcpy(want + 34, in + 14, len - 14);
	CHECK(o.len == len + 20, "length %u, want %zu", o.len, len + 20);
	CHECK(!memcmp(o.pkt, want, len + 20), "the encapsulated packet differs from the model's");
	CHECK(svc_count(l, 0, XDPI_LB_SC_CONN_NEW) == 1, "one new connection");
}

/* 10,000 connections: the program's choice is the model's; shares follow the weights. */
static void test_model_10000(struct lab *l)
{
	uint32_t agree = 0, per[3] = { 0 };
	char src[32];

	for (int i = 0; i < 10000; i++) {
		struct pkt_spec s;
		struct out o;
		int id;

		snprintf(src, sizeof(src), "198.18.%d.%d", 40 + i / 250, 1 + i % 250);
		s = tcp(src, (uint16_t)(1024 + (i * 7919) % 60000), VIP, 80, 0x02);
		if (run_pkt(l, &s, &o))
			break;
		id = outer_backend4(l, &o);
		agree += id >= 0 && (uint32_t)id == model_pick(l, &s);
		if (id >= 0 && id < 3)
			per[id]++;
	}
	CHECK(agree == 10000, "program and model agree on %u of 10000", agree);
	printf("  model: 10000 of 10000 agree; spread %u / %u / %u for weights 1 / 2 / 1\n",
	       per[0], per[1], per[2]);
	CHECK(per[1] > per[0] * 17 / 10 && per[1] < per[0] * 23 / 10, "weight 2 takes ~2x");
}

/* Established connections keep their backend when the table changes (a backend drained to
 * weight 0, another added); new ones follow the new table. */
static void test_established_keep(struct lab *l)
{
	struct pkt_spec syn[200];
	int before[200], moved = 0, kept = 0;
	char src[200][32];
	struct out o;

	for (int i = 0; i < 200; i++) {
		snprintf(src[i], sizeof(src[i]), "198.18.90.%d", 1 + i);
		syn[i] = tcp(src[i], 50000, VIP, 80, 0x02);
		run_pkt(l, &syn[i], &o);
		before[i] = outer_backend4(l, &o);
	}
	l->conf.backends[1].weight = 0; /* drain .12 */
	add_backend(l, 0, "198.18.30.14", 1);
	{
		struct xdpi_lb_backend v = { .family = 4, .state = XDPI_LB_CONFIGURED, .weight = 1 };
		uint32_t id = l->conf.nbackends - 1;

		v.addr[0] = l->conf.backends[id].addr[0];
		bpf_map_update_elem(l->m.backends, &id, &v, BPF_ANY);
	}
	put_table(l, 0);
	for (int i = 0; i < 200; i++) {
		struct pkt_spec ack = tcp(src[i], 50000, VIP, 80, 0x10);

		run_pkt(l, &ack, &o);
		kept += outer_backend4(l, &o) == before[i];
		moved += (uint32_t)outer_backend4(l, &o) != model_pick(l, &ack);
	}
	CHECK(kept == 200, "%d of 200 established connections kept their backend", kept);
	CHECK(moved > 0, "some of them are not where the new table would put them (%d)", moved);
	for (int i = 0; i < 200; i++) { /* new connections: never the drained backend */
		struct pkt_spec s;

		snprintf(src[i], sizeof(src[i]), "198.18.91.%d", 1 + i);
		s = tcp(src[i], 50000, VIP, 80, 0x02);
		run_pkt(l, &s, &o);
		CHECK(outer_backend4(l, &o) != 1, "a new connection went to the drained backend");
		CHECK(outer_backend4(l, &o) == (int)model_pick(l, &s), "new follows the table");
	}
}

static void test_passive_signals(struct lab *l)
{
	struct pkt_spec s = tcp("198.18.92.1", 41000, VIP, 80, 0x02);
	struct out o;
	uint32_t id;
	uint64_t retr, rst;

	run_pkt(l, &s, &o);
	id = (uint32_t)outer_backend4(l, &o);
	retr = backend_count(l, id, XDPI_LB_BC_SYN_RETRANS);
	rst = backend_count(l, id, XDPI_LB_BC_CLIENT_RST);
	run_pkt(l, &s, &o); /* the client retries its SYN */
	run_pkt(l, &s, &o);
	CHECK(backend_count(l, id, XDPI_LB_BC_SYN_RETRANS) == retr + 2, "two SYN retries counted");
	s.seq = 777; /* the tuple again, a new connection (another sequence number): no retry */
	run_pkt(l, &s, &o);
	CHECK(backend_count(l, id, XDPI_LB_BC_SYN_RETRANS) == retr + 2, "a new SYN is no retry");
	s.seq = 0;
	s.tcp_flags = 0x04;
	run_pkt(l, &s, &o);
	CHECK(backend_count(l, id, XDPI_LB_BC_CLIENT_RST) == rst + 1, "a client reset counted");
}

/* A client behind a VLAN tag: the wrapped frame leaves untagged, the inner packet whole. */
static void test_vlan_client(struct lab *l)
{
	struct pkt_spec s = tcp("198.18.95.1", 44000, VIP, 80, 0x02);
	uint8_t in[256];
	size_t len;
	struct out o;

	s.nvlan = 1;
	s.vlan[0] = 7;
	len = pkt_build(&s, in, sizeof(in));
	run_frame(l, in, len, &o);
	CHECK(outer_backend4(l, &o) == (int)model_pick(l, &s), "the tagged client's backend");
	CHECK(o.len == len - 4 + 20 && !memcmp(o.pkt + 34, in + 18, len - 18),
	      "untagged outside (%u bytes), the inner packet unchanged", o.len);
}

/* A UDP service: each datagram of a flow to the same backend, the table's. */
static void test_udp_service(struct lab *l)
{
	struct xdpi_lb_vip_key vk;
	struct xdpi_lb_vip v = { .service = 0 };
	struct pkt_spec s = { .family = 4, .proto = 17, .src = "198.18.96.1", .dst = VIP,
			      .sport = 5353, .dport = 53, .payload = "q", .plen = 1 };
	struct out o;
	int first;

	xdpi_lb_vip_parse(VIP ":53/udp", &vk);
	CHECK(!bpf_map_update_elem(l->m.vips, &vk, &v, BPF_ANY), "a UDP VIP for service 0");
	run_pkt(l, &s, &o);
	first = outer_backend4(l, &o);
	CHECK(first >= 0 && first == (int)l->table[0][xdpi_lb_slot(xdpi_lb_hash(&(struct xdpi_lb_conn_key){
		      .saddr = { v4("198.18.96.1") }, .daddr = { v4(VIP) }, .sport = htons(5353),
		      .dport = htons(53), .proto = 17, .family = 4 }))],
	      "the datagram went to the model's backend (%d)", first);
	for (int i = 0; i < 5; i++) {
		run_pkt(l, &s, &o);
		CHECK(outer_backend4(l, &o) == first, "the flow's next datagrams follow it");
	}
	bpf_map_delete_elem(l->m.vips, &vk);
}

static void test_not_a_vip_passes(struct lab *l)
{
	struct pkt_spec s = tcp(CLIENT, 40001, VIP, 81, 0x02); /* port 81: not a service */
	uint8_t in[256];
	size_t len = pkt_build(&s, in, sizeof(in));
	struct out o;

	run_frame(l, in, len, &o);
	CHECK(o.verdict == XDP_PASS && o.len == len && !memcmp(o.pkt, in, len),
	      "a packet for no service passes untouched");
}

static void test_too_big(struct lab *l)
{
	static uint8_t payload[1460];
	struct pkt_spec s = tcp(CLIENT, 40002, VIP, 80, 0x10);
	uint64_t before = svc_count(l, 0, XDPI_LB_SC_TOO_BIG);
	struct out o;

	s.payload = payload;
	s.plen = sizeof(payload); /* 1500 bytes of IP: 1520 wrapped, over the MTU */
	run_pkt(l, &s, &o);
	CHECK(o.verdict == XDP_DROP, "too big to wrap: dropped (%d)", o.verdict);
	CHECK(svc_count(l, 0, XDPI_LB_SC_TOO_BIG) == before + 1, "and counted too_big");
}

/* "Fragmentation needed" from a router on the way to the client, about the VIP's packet of a
 * connection: it goes to that connection's backend. */
static void test_icmp_to_its_backend(struct lab *l)
{
	struct pkt_spec s = tcp("198.18.93.7", 42000, VIP, 80, 0x02), q;
	uint8_t quoted[2048], icmp[8 + 28];
	struct out o;
	size_t qlen;
	int id;

	run_pkt(l, &s, &o);
	id = outer_backend4(l, &o);
	q = tcp(VIP, 80, "198.18.93.7", 42000, 0x12); /* the VIP's answer, as quoted */
	qlen = pkt_build(&q, quoted, sizeof(quoted));
	CHECK(qlen >= 14 + 28, "the quoted packet built");
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 3, icmp[1] = 4, icmp[6] = 0x05, icmp[7] = 0x00; /* next-hop MTU 1280 */
	memcpy(icmp + 8, quoted + 14, 28);
	q = (struct pkt_spec){ .family = 4, .proto = 1, .src = "198.18.50.1", .dst = VIP,
			       .icmp_type = 3, .raw_l4 = 1, .payload = icmp, .plen = sizeof(icmp) };
	run_pkt(l, &q, &o);
	CHECK(id >= 0 && outer_backend4(l, &o) == id, "the ICMP error went to backend %d (got %d)",
	      id, outer_backend4(l, &o));
	CHECK(svc_count(l, 0, XDPI_LB_SC_ICMP_FORWARDED) >= 1, "counted icmp_forwarded");
}

/* IPv6 VIP: its IPv6 backend gets IPv6 in IPv6, its IPv4 backend IPv6 in IPv4. */
static void test_ipv6(struct lab *l)
{
	int six = 0, four = 0;
	char src[64];

	for (int i = 0; i < 200; i++) {
		struct pkt_spec s;
		struct out o;

		snprintf(src, sizeof(src), "fd00:10::%x", 0x100 + i);
		s = tcp(src, 40000, VIP6, 443, 0x02);
		run_pkt(l, &s, &o);
		if (o.len > 54 && o.pkt[12] == 0x86 && o.pkt[13] == 0xdd && o.pkt[14 + 6] == 41 &&
		    model_pick(l, &s) == 3)
			six++;
		else if (outer_backend4(l, &o) == 4 && o.pkt[23] == 41 && model_pick(l, &s) == 4)
			four++;
	}
	CHECK(six + four == 200, "every IPv6 connection wrapped for its model backend (%d+%d)", six,
	      four);
	CHECK(six > 50 && four > 50, "both backends used (%d, %d)", six, four);
}

static void test_no_backend(struct lab *l)
{
	struct xdpi_lb_member none[1];
	struct pkt_spec s = tcp("198.18.94.1", 43000, VIP, 80, 0x02);
	struct out o;

	xdpi_maglev_build(none, 0, l->table[0]);
	xdpi_lb_table_swap(&l->m, 0, l->table[0]);
	run_pkt(l, &s, &o);
	CHECK(o.verdict == XDP_DROP && svc_count(l, 0, XDPI_LB_SC_NO_BACKEND) == 1,
	      "no backend: dropped and counted (%d)", o.verdict);
}

/* A backend with --lb-decap: the IP-in-IP packet loses its outer header before anything. */
static void test_decap(void)
{
	struct lab l;
	struct pkt_spec s = tcp(CLIENT, 40001, VIP, 80, 0x02);
	struct pkt_tunnel_spec t = { .type = PKT_TUN_IPIP, .family = 4, .src = "198.18.21.7",
				     .dst = "198.18.30.11" };
	uint8_t inner[256], outer[512];
	size_t ilen = pkt_build(&s, inner, sizeof(inner)), olen;
	struct out o;
	uint64_t *pc, sum = 0;
	int ncpu = libbpf_num_possible_cpus();

	if (lab_open(&l, true)) {
		CHECK(0, "decap lab: %s", strerror(errno));
		return;
	}
	olen = pkt_encap(&t, inner, ilen, outer, sizeof(outer));
	run_frame(&l, outer, olen, &o);
	CHECK(o.verdict == XDP_PASS && o.len == ilen && !memcmp(o.pkt + 12, inner + 12, ilen - 12),
	      "the inner packet comes out (%u bytes, want %zu)", o.len, ilen);
	CHECK(!memcmp(o.pkt, outer, 12), "with the frame's addresses");
	pc = calloc((size_t)ncpu, sizeof(struct xdpi_counters));
	if (pc && !bpf_map_lookup_elem(bpf_map__fd(l.skel->maps.counters), &(uint32_t){ 0 }, pc))
		for (int c = 0; c < ncpu; c++)
			sum += ((struct xdpi_counters *)pc)[c].c[XDPI_CNT_LB_DECAPSULATED];
	CHECK(sum == 1, "counted lb_decapsulated (%llu)", (unsigned long long)sum);
	free(pc);
	lab_close(&l);
}

int main(void)
{
	struct lab l;
	int err;

	if (geteuid() != 0) {
		fprintf(stderr, "test_lb: needs root (BPF_PROG_TEST_RUN)\n");
		return getenv("CI") && !strcmp(getenv("CI"), "true") ? 1 : 77;
	}
	libbpf_set_print(NULL);
	err = lab_open(&l, false);
	if (err) {
		fprintf(stderr, "test_lb: loading failed: %s\n", strerror(-err));
		return 1;
	}
	test_encap_exact(&l);
	test_model_10000(&l);
	test_not_a_vip_passes(&l);
	test_vlan_client(&l);
	test_udp_service(&l);
	test_too_big(&l);
	test_icmp_to_its_backend(&l);
	test_passive_signals(&l);
	test_ipv6(&l);
	test_established_keep(&l);
	test_no_backend(&l);
	lab_close(&l);
	test_decap();
	printf("test_lb: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
