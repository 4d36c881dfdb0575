// SPDX-License-Identifier: GPL-2.0
/* The real XDP and TC programs through BPF_PROG_TEST_RUN: verdicts, flow map contents, ring
 * buffer records and counters, for every header case of the parser, malformed ones included.
 * Exits 77 (skip) without privileges outside CI; under CI that is a failure. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "shared/xdpi_abi.h"
#include "xdpi/cidr_list.h"
#include "xdpi/loader.h"
#include "xdpi/policy.h"
#include "xdpi/port_rules.h"
#include "bpf/xdp_ingress.skel.h"
#include "bpf/tc_egress.skel.h"
#include "../lib/pktbuild.h"
#include "../lib/tunnel_cases.h"

static int failures, checks;

#define ASSERT_EQ(got, want, what)                                                             \
	({                                                                                     \
		long long g_ = (long long)(got), w_ = (long long)(want);                       \
		bool ok_ = g_ == w_;                                                           \
		checks++;                                                                      \
		if (!ok_) {                                                                    \
			failures++;                                                            \
			fprintf(stderr, "  FAIL %s:%d %s: got %lld, want %lld\n", __func__,   \
				__LINE__, what, g_, w_);                                       \
		}                                                                              \
		ok_;                                                                           \
	})

struct rec {
	struct xdpi_event_hdr h;
	uint8_t data[4096]; /* a spliced message head (headers + 2047), a whole test frame */
};

struct fixture {
	struct xdp_ingress *xdp;
	struct tc_egress *tc;
	struct ring_buffer *rb;
	struct xdpi_policy_maps policy; /* the tries behind policy4/policy6 */
	struct rec recs[16];
	int nrecs;
	uint64_t base[XDPI_CNT_MAX];
};

static int on_rec(void *ctx, void *data, size_t size)
{
	struct fixture *f = ctx;

	if (f->nrecs < 16) /* a record is its class's size; what a test looks at fits */
		memcpy(&f->recs[f->nrecs], data, size < sizeof(struct rec) ? size : sizeof(struct rec));
	f->nrecs++;
	return 0;
}

struct setup {
	uint8_t steer;
	uint32_t head_pkts;
	uint32_t snaplen;
	uint32_t ringbuf;
	bool replay; /* time from the replay_clock map: see set_clock() */
	bool policy_outer;
};

static int fixture_open(struct fixture *f, const struct setup *s)
{
	struct bpf_map *m;

	memset(f, 0, sizeof(*f));
	f->policy = (struct xdpi_policy_maps)XDPI_POLICY_MAPS_INIT;
	f->xdp = xdp_ingress__open();
	if (!f->xdp)
		return -errno;
	f->xdp->rodata->cfg_default_steer = s->steer;
	f->xdp->rodata->cfg_head_pkts = s->head_pkts ? s->head_pkts : 8;
	f->xdp->rodata->cfg_snaplen = s->snaplen ? s->snaplen : XDPI_SNAPLEN_DEFAULT;
	f->xdp->rodata->cfg_replay_clock = s->replay;
	f->xdp->rodata->cfg_policy_outer = s->policy_outer;
	f->xdp->rodata->cfg_wakeup_bytes = xdpi_loader_wakeup_bytes(s->ringbuf ? s->ringbuf : 1 << 20);
	bpf_map__set_max_entries(f->xdp->maps.flows, 1024);
	bpf_map__set_max_entries(f->xdp->maps.events_rb, s->ringbuf ? s->ringbuf : 1 << 20);
	if (xdp_ingress__load(f->xdp))
		return -errno;
	f->tc = tc_egress__open();
	if (!f->tc)
		return -errno;
	f->tc->rodata->cfg_default_steer = s->steer;
	f->tc->rodata->cfg_head_pkts = f->xdp->rodata->cfg_head_pkts;
	f->tc->rodata->cfg_snaplen = f->xdp->rodata->cfg_snaplen;
	f->tc->rodata->cfg_replay_clock = s->replay;
	f->tc->rodata->cfg_policy_outer = s->policy_outer;
	f->tc->rodata->cfg_wakeup_bytes = f->xdp->rodata->cfg_wakeup_bytes;
	bpf_object__for_each_map(m, f->tc->obj) {
		if (strchr(bpf_map__name(m), '.'))
			continue;
		bpf_map__reuse_fd(m, bpf_map__fd(bpf_object__find_map_by_name(f->xdp->obj,
									       bpf_map__name(m))));
	}
	if (tc_egress__load(f->tc))
		return -errno;
	if (xdpi_policy_tries_init(bpf_map__fd(f->xdp->maps.policy4),
				   bpf_map__fd(f->xdp->maps.policy6)) ||
	    xdpi_policy_tries_open(&(struct xdpi_policy_fds){ bpf_map__fd(f->xdp->maps.policy4),
				   bpf_map__fd(f->xdp->maps.policy6), bpf_map__fd(f->xdp->maps.policy_gen) },
				   &f->policy))
		return -1;
	f->rb = ring_buffer__new(bpf_map__fd(f->xdp->maps.events_rb), on_rec, f, NULL);
	return f->rb ? 0 : -errno;
}

/* Empties MAP (FD): an array's slots back to zeros, every other map's keys deleted. */
static int map_clear(int fd, const struct bpf_map_info *info)
{
	bool array = info->type == BPF_MAP_TYPE_ARRAY || info->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	size_t vsize = info->value_size *
		       (info->type == BPF_MAP_TYPE_PERCPU_ARRAY ? libbpf_num_possible_cpus() : 1);
	uint8_t key[64], next[64];
	void *zeros = calloc(1, vsize);
	int err = 0;

	if (!zeros || info->key_size > sizeof(key)) {
		free(zeros);
		return -ENOMEM;
	}
	if (array) {
		for (uint32_t i = 0; i < info->max_entries && !err; i++)
			err = bpf_map_update_elem(fd, &i, zeros, BPF_ANY) ? -errno : 0;
	} else {
		while (!bpf_map_get_next_key(fd, NULL, next) && !err) {
			memcpy(key, next, info->key_size);
			err = bpf_map_delete_elem(fd, key) ? -errno : 0;
		}
	}
	free(zeros);
	return err;
}

static int map_fd_clear(int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : map_clear(fd, &info);
}

/* The state a freshly loaded fixture has, without loading again: every map the two programs
 * share emptied (the policy tries behind the outer maps included), the ring drained. Cases
 * with the same setup share one load (the verifier is most of a load's time). */
static int fixture_reset(struct fixture *f)
{
	struct bpf_map *m;
	int err = 0;

	bpf_object__for_each_map(m, f->xdp->obj) {
		enum bpf_map_type t = bpf_map__type(m);

		if (strchr(bpf_map__name(m), '.') || t == BPF_MAP_TYPE_RINGBUF ||
		    t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_XSKMAP)
			continue;
		err = err ? err : map_fd_clear(bpf_map__fd(m));
	}
	err = err ? err : map_fd_clear(f->policy.v4_fd);
	err = err ? err : map_fd_clear(f->policy.v6_fd);
	f->policy.dirty = false;
	ring_buffer__consume(f->rb);
	f->nrecs = 0;
	memset(f->base, 0, sizeof(f->base));
	return err;
}

static void fixture_close(struct fixture *f)
{
	ring_buffer__free(f->rb);
	xdpi_policy_tries_close(&f->policy);
	tc_egress__destroy(f->tc);
	xdp_ingress__destroy(f->xdp);
}

static void read_counters(struct fixture *f, uint64_t out[XDPI_CNT_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdpi_counters *pc = calloc((size_t)ncpu, sizeof(*pc));
	uint32_t zero = 0;

	memset(out, 0, sizeof(uint64_t) * XDPI_CNT_MAX);
	if (pc && !bpf_map_lookup_elem(bpf_map__fd(f->xdp->maps.counters), &zero, pc))
		for (int c = 0; c < ncpu; c++)
			for (int i = 0; i < XDPI_CNT_MAX; i++)
				out[i] += pc[c].c[i];
	free(pc);
}

/* Counter change since the last call. */
static uint64_t delta(struct fixture *f, enum xdpi_counter c)
{
	uint64_t now[XDPI_CNT_MAX];

	read_counters(f, now);
	return now[c] - f->base[c];
}

static void mark(struct fixture *f)
{
	read_counters(f, f->base);
	f->nrecs = 0;
}

#define TC_NEXT (-1) /* TC_ACT_UNSPEC / TCX_NEXT: xdpi passes a packet on to the rest of the chain */

/* Runs one packet through the XDP (or TC) program; returns the program's return value. */
static int run(struct fixture *f, const struct pkt_spec *s, bool tc)
{
	uint8_t buf[4096];
	size_t len = pkt_build(s, buf, sizeof(buf));
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (uint32_t)len, .repeat = 1);
	int fd = tc ? bpf_program__fd(f->tc->progs.tc_egress) : bpf_program__fd(f->xdp->progs.xdp_ingress);

	if (bpf_prog_test_run_opts(fd, &o)) {
		fprintf(stderr, "  test run failed: %s\n", strerror(errno));
		failures++;
		return -1;
	}
	ring_buffer__consume(f->rb);
	return (int)o.retval;
}

/* Looks the flow of s up in the kernel's flow map; returns 0 if found. */
/* The flow map's key of S's flow, and S's direction in it. */
static struct xdpi_flow_key flow_key_of(const struct pkt_spec *s, int *dir)
{
	struct xdpi_flow_key k = { .proto = s->proto, .family = (uint8_t)s->family };
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	uint16_t sp = s->sport, dp = s->dport;
	int af = s->family == 6 ? AF_INET6 : AF_INET, c;

	if (s->proto == 1 || s->proto == 58)
		sp = dp = s->icmp_id;
	inet_pton(af, s->src, a);
	inet_pton(af, s->dst, b);
	c = memcmp(a, b, 16);
	*dir = c > 0 || (c == 0 && sp > dp);
	memcpy(k.addr_a, *dir ? b : a, 16);
	memcpy(k.addr_b, *dir ? a : b, 16);
	k.port_a = htons(*dir ? dp : sp);
	k.port_b = htons(*dir ? sp : dp);
	k.vlan = s->nvlan ? s->vlan[0] : 0;
	return k;
}

static int lookup_flow(struct fixture *f, const struct pkt_spec *s, struct xdpi_flow_value *v,
		       int *dir)
{
	struct xdpi_flow_key k = flow_key_of(s, dir);

	return bpf_map_lookup_elem(bpf_map__fd(f->xdp->maps.flows), &k, v);
}

/* A frame as it is, through the XDP program. */
static int run_frame(struct fixture *f, const uint8_t *buf, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (uint32_t)len, .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(f->xdp->progs.xdp_ingress), &o)) {
		fprintf(stderr, "  test run failed: %s\n", strerror(errno));
		failures++;
		return -1;
	}
	ring_buffer__consume(f->rb);
	return (int)o.retval;
}

static struct pkt_spec tcp4(uint8_t flags, const char *payload)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 40000, .dport = 80, .tcp_flags = flags, .payload = payload,
			      .plen = payload ? strlen(payload) : 0 };

	return s;
}

static void test_tcp_syn_then_data_in_head(struct fixture *f)
{
	struct pkt_spec syn = tcp4(0x02, NULL), data = tcp4(0x18, "GET / HTTP/1.1\r\n\r\n");
	struct xdpi_flow_value v;
	int dir;

	mark(f);
	ASSERT_EQ(run(f, &syn, false), XDP_PASS, "SYN verdict");
	ASSERT_EQ(delta(f, XDPI_CNT_TCP), 1, "tcp counter");
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_NEW), 1, "new flow");
	ASSERT_EQ(f->nrecs, 1, "SYN copied (control packet)");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_CAP_CTRL, "SYN capture reason");
	ASSERT_EQ(run(f, &data, false), XDP_PASS, "data verdict");
	ASSERT_EQ(f->nrecs, 2, "data copied in head");
	ASSERT_EQ(f->recs[1].h.reason, XDPI_CAP_HEAD, "data capture reason");
	ASSERT_EQ(f->recs[1].h.cap_len, 54 + 18, "whole small packet copied");
	ASSERT_EQ(f->recs[1].h.orig_len, 54 + 18, "original length");
	ASSERT_EQ(memcmp(f->recs[1].data + 54, "GET /", 5), 0, "payload bytes in the record");
	ASSERT_EQ(lookup_flow(f, &syn, &v, &dir), 0, "flow in the map");
	ASSERT_EQ(v.pkts[dir], 2, "packets a->b");
	ASSERT_EQ(v.bytes[dir], 54 + 54 + 18, "bytes a->b");
	ASSERT_EQ(v.tcp_flags[dir], 0x1a, "flags union");
	ASSERT_EQ(v.initiator, dir, "the SYN sender opened the flow");
	ASSERT_EQ(v.head_left[dir], 7, "one head packet used");
}

static void test_head_stops_after_n(struct fixture *f)
{
	struct pkt_spec d = tcp4(0x18, "x");
	struct xdpi_flow_value v;
	int dir;

	mark(f);
	for (int i = 0; i < 5; i++)
		run(f, &d, false);
	ASSERT_EQ(f->nrecs, 2, "only head-pkts (2) copied");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURED), 2, "captured counter");
	ASSERT_EQ(lookup_flow(f, &d, &v, &dir), 0, "flow");
	ASSERT_EQ(v.pkts[dir], 5, "all packets counted");
}

static void set_steer(struct fixture *f, const struct pkt_spec *s, uint8_t steer)
{
	struct xdpi_flow_value v;
	int dir;
	struct xdpi_flow_key k = flow_key_of(s, &dir);

	if (!bpf_map_lookup_elem(bpf_map__fd(f->xdp->maps.flows), &k, &v)) {
		v.steer = steer;
		bpf_map_update_elem(bpf_map__fd(f->xdp->maps.flows), &k, &v, BPF_EXIST);
	}
}

/* A SYN on a closed flow's tuple is a new connection: the entry starts over (steering and
 * budget fresh, not the old one's bypass), the old counts to user space first. A SYN sent
 * again, or one on a flow only half closed, changes nothing. */
static void test_tcp_reuse_renews_a_closed_flow(struct fixture *f)
{
	struct pkt_spec syn = tcp4(0x02, NULL), synack = tcp4(0x12, NULL), data = tcp4(0x18, "x"),
			fin = tcp4(0x11, NULL), fin_back;
	struct xdpi_flow_ended old;
	struct xdpi_flow_value v;
	int dir;

	synack.src = syn.dst, synack.dst = syn.src, synack.sport = 80, synack.dport = 40000;
	fin_back = synack;
	fin_back.tcp_flags = 0x11;
	mark(f);
	run(f, &syn, false);
	run(f, &synack, false);
	for (int i = 0; i < 4; i++)
		run(f, &data, false);
	run(f, &fin, false);
	run(f, &syn, false);
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_RENEWED), 0, "half closed: a SYN is not a new connection");
	run(f, &fin_back, false);
	set_steer(f, &syn, XDPI_STEER_BYPASS); /* as user space says when it has seen enough */
	mark(f);
	ASSERT_EQ(run(f, &syn, false), XDP_PASS, "the new SYN passes");
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_RENEWED), 1, "renewed");
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_NEW), 0, "the same entry");
	ASSERT_EQ(f->nrecs, 2, "the old counts, then the SYN");
	ASSERT_EQ(f->recs[0].h.type, XDPI_EVENT_FLOW_ENDED, "first: the old connection's end");
	ASSERT_EQ(f->recs[0].h.cap_len, sizeof(old), "its length");
	memcpy(&old, f->recs[0].data, sizeof(old));
	lookup_flow(f, &syn, &v, &dir);
	ASSERT_EQ(old.val.pkts[dir], 7, "old packets a->b (SYN, 4 data, FIN, the SYN half closed)");
	ASSERT_EQ(old.val.pkts[!dir], 2, "old packets b->a");
	ASSERT_EQ(old.val.steer, XDPI_STEER_BYPASS, "old steering");
	ASSERT_EQ(memcmp(&old.key, &(struct xdpi_flow_key){ 0 }, sizeof(old.key)) != 0, 1, "its key");
	ASSERT_EQ(f->recs[1].h.type, XDPI_EVENT_PACKET, "then the SYN");
	ASSERT_EQ(f->recs[1].h.reason, XDPI_CAP_CTRL, "copied as a new flow's SYN");
	ASSERT_EQ(v.pkts[dir], 1, "new packets a->b");
	ASSERT_EQ(v.pkts[!dir], 0, "new packets b->a");
	ASSERT_EQ(v.tcp_flags[dir], 0x02, "new flags");
	ASSERT_EQ(v.steer, XDPI_STEER_HEAD, "steering as a new flow's");
	ASSERT_EQ(v.head_left[dir], 2, "a fresh head budget");
	ASSERT_EQ(v.first_ns, f->recs[1].h.ts_ns, "the new connection starts at its SYN");
	{ /* a bypass decided about the old connection, landing now, leaves the new one alone */
		struct xdpi_flow_key k = flow_key_of(&syn, &dir);
		int prog = bpf_program__fd(f->xdp->progs.flow_steer);
		struct xdpi_flow_value before;

		ASSERT_EQ(xdpi_flow_steer_run(prog, &k, XDPI_STEER_BYPASS, old.val.first_ns, NULL),
			  -ESTALE, "a bypass for the old connection: refused by the kernel's flow_steer");
		lookup_flow(f, &syn, &v, &dir);
		ASSERT_EQ(v.steer, XDPI_STEER_HEAD, "the new connection still steered");
		ASSERT_EQ(v.pkts[dir], 1, "and its count untouched");
		ASSERT_EQ(xdpi_flow_steer_run(prog, &k, XDPI_STEER_BYPASS, v.first_ns, &before), 0,
			  "a bypass for the new connection: made in the kernel");
		ASSERT_EQ(before.pkts[dir], 1, "what it counted before");
		ASSERT_EQ(before.steer, XDPI_STEER_HEAD, "and its steering before");
		lookup_flow(f, &syn, &v, &dir);
		ASSERT_EQ(v.steer, XDPI_STEER_BYPASS, "bypassed");
		ASSERT_EQ(v.first_ns, before.first_ns, "the same connection");
		k.port_a ^= 1;
		ASSERT_EQ(xdpi_flow_steer_run(prog, &k, XDPI_STEER_BYPASS, 0, NULL), -ENOENT,
			  "no such flow");
		set_steer(f, &syn, XDPI_STEER_HEAD);
	}
	mark(f);
	run(f, &syn, false);
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_RENEWED), 0, "a SYN sent again: the same connection");
	run(f, &data, false);
	ASSERT_EQ(f->nrecs, 2, "the new connection's data copied");
	ASSERT_EQ(f->recs[1].h.reason, XDPI_CAP_HEAD, "in its head");
}

/* Joined mid-flow (no SYN first), the side on a well-known port is the server, as user space
 * guesses it: a download already running is the client's, not the server's, though the
 * server's packet came first; a SYN-ACK first names its receiver. */
static void test_initiator_guessed_mid_flow(struct fixture *f)
{
	struct pkt_spec resp = tcp4(0x18, "HTTP/1.1 200 OK\r\n"), synack = tcp4(0x12, NULL);
	struct pkt_spec dns = { .family = 4, .proto = 17, .src = "198.18.0.2", .dst = "198.18.0.1",
				.sport = 53, .dport = 41000, .payload = "answer", .plen = 6 };
	struct xdpi_flow_value v;
	int dir;

	resp.src = "198.18.0.2", resp.dst = "198.18.0.1", resp.sport = 80, resp.dport = 40000;
	run(f, &resp, false);
	lookup_flow(f, &resp, &v, &dir);
	ASSERT_EQ(v.initiator, !dir, "a server's packet first: the other side opened the flow");
	run(f, &dns, false);
	lookup_flow(f, &dns, &v, &dir);
	ASSERT_EQ(v.initiator, !dir, "a DNS answer first: the asker opened it");
	synack.src = "198.18.0.2", synack.dst = "198.18.0.1", synack.sport = 8080, synack.dport = 80;
	run(f, &synack, false);
	lookup_flow(f, &synack, &v, &dir);
	ASSERT_EQ(v.initiator, !dir, "a SYN-ACK first: its receiver, whatever the ports");
}

static void test_tc_egress_shares_the_flow(struct fixture *f)
{
	struct pkt_spec req = tcp4(0x18, "req"), resp = tcp4(0x18, "resp");
	struct xdpi_flow_value v;
	int dir;

	resp.src = req.dst, resp.dst = req.src, resp.sport = 80, resp.dport = 40000;
	mark(f);
	ASSERT_EQ(run(f, &req, false), XDP_PASS, "XDP verdict");
	ASSERT_EQ(run(f, &resp, true), TC_NEXT, "TC verdict: the rest of the chain decides");
	ASSERT_EQ(lookup_flow(f, &req, &v, &dir), 0, "flow");
	ASSERT_EQ(v.pkts[dir], 1, "request counted at XDP");
	ASSERT_EQ(v.pkts[!dir], 1, "response counted at TC egress, same flow");
	ASSERT_EQ(f->nrecs, 2, "both copied");
	ASSERT_EQ(f->recs[1].h.hook, XDPI_HOOK_TC_EGRESS, "hook of the egress record");
}

static void test_udp_dns_and_ipv4_options(struct fixture *f)
{
	struct pkt_spec q = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 5353, .dport = 53, .payload = "\x12\x34\x01\x00", .plen = 4,
			      .ip_opt_words = 2 };
	struct xdpi_flow_value v;
	int dir;

	mark(f);
	ASSERT_EQ(run(f, &q, false), XDP_PASS, "verdict");
	ASSERT_EQ(delta(f, XDPI_CNT_UDP), 1, "udp counter");
	ASSERT_EQ(lookup_flow(f, &q, &v, &dir), 0, "ports read past IPv4 options");
	ASSERT_EQ(f->nrecs, 1, "query copied");
}

static void test_ipv6_ext_headers(struct fixture *f)
{
	struct pkt_spec s = { .family = 6, .proto = 6, .src = "fd00::1", .dst = "fd00::2",
			      .sport = 1234, .dport = 443, .tcp_flags = 0x02, .v6_ext = 3 };
	struct xdpi_flow_value v;
	int dir;

	mark(f);
	ASSERT_EQ(run(f, &s, false), XDP_PASS, "verdict");
	ASSERT_EQ(delta(f, XDPI_CNT_IPV6), 1, "ipv6 counter");
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir), 0, "flow behind 3 extension headers");
	s.v6_ext = 7;
	ASSERT_EQ(run(f, &s, false), XDP_PASS, "too many: still passes");
	ASSERT_EQ(delta(f, XDPI_CNT_REASON_BASE + XDPI_REASON_IPV6_EXT_TOO_MANY), 1, "too many counted");
}

static void test_vlan_qinq_and_too_many(struct fixture *f)
{
	struct pkt_spec s = tcp4(0x02, NULL);
	struct xdpi_flow_value v;
	int dir;

	s.nvlan = 1, s.vlan[0] = 100;
	mark(f);
	run(f, &s, false);
	ASSERT_EQ(delta(f, XDPI_CNT_VLAN), 1, "802.1Q");
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir), 0, "flow keyed with VLAN 100");
	s.nvlan = 2, s.vlan[0] = 300, s.vlan[1] = 7, s.outer_tpid = 0x88a8;
	run(f, &s, false);
	ASSERT_EQ(delta(f, XDPI_CNT_QINQ), 1, "802.1ad");
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir), 0, "flow keyed with outer VLAN 300");
	s.nvlan = 3, s.vlan[2] = 9; /* a triple-tagged frame: a flow, keyed by the outer tag */
	run(f, &s, false);
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir), 0, "three tags: flow keyed with VLAN 300");
	s.nvlan = XDPI_VLAN_MAX + 1;
	ASSERT_EQ(run(f, &s, false), XDP_PASS, "past the bound: passes");
	ASSERT_EQ(delta(f, XDPI_CNT_REASON_BASE + XDPI_REASON_VLAN_TOO_MANY), 1, "counted");
}

static void test_fragments_attributed(struct fixture *f)
{
	struct pkt_spec s = { .family = 4, .proto = 17, .src = "198.18.0.7", .dst = "198.18.0.8",
			      .sport = 7000, .dport = 53, .payload = "12345678", .plen = 8,
			      .frag = PKT_FRAG_FIRST, .frag_id = 99 };
	struct xdpi_flow_value v;
	int dir;

	mark(f);
	run(f, &s, false);
	s.frag = PKT_FRAG_LATER;
	run(f, &s, false);
	ASSERT_EQ(delta(f, XDPI_CNT_FRAG_FIRST), 1, "first fragment");
	ASSERT_EQ(delta(f, XDPI_CNT_FRAG_LATER), 1, "later fragment");
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir), 0, "flow");
	ASSERT_EQ(v.pkts[dir], 2, "both fragments in the flow");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURED), 2, "both copied: user space reassembles them");
	s.frag_id = 100; /* a later fragment whose first never came */
	run(f, &s, false);
	ASSERT_EQ(delta(f, XDPI_CNT_FRAG_UNATTRIBUTED), 1, "unattributed");
	s.family = 6, s.src = "fd00::7", s.dst = "fd00::8", s.frag = PKT_FRAG_FIRST, s.frag_id = 5;
	run(f, &s, false);
	s.frag = PKT_FRAG_LATER;
	run(f, &s, false);
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir), 0, "IPv6 flow");
	ASSERT_EQ(v.pkts[dir], 2, "both IPv6 fragments in the flow");
}

static void test_icmp_echo(struct fixture *f)
{
	struct pkt_spec s = { .family = 4, .proto = 1, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .icmp_type = 8, .icmp_id = 77 };
	struct xdpi_flow_value v;
	int dir;

	mark(f);
	run(f, &s, false);
	s.src = "198.18.0.2", s.dst = "198.18.0.1", s.icmp_type = 0;
	run(f, &s, false);
	ASSERT_EQ(delta(f, XDPI_CNT_ICMP), 2, "icmp counter");
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir), 0, "echo flow keyed by identifier");
	ASSERT_EQ(v.pkts[0] + v.pkts[1], 2, "request and reply in one flow");
	ASSERT_EQ(v.icmp_type, 8, "type of the first packet");
}

static void corrupt_and_run(struct fixture *f, struct pkt_spec *s, size_t off, uint8_t val,
			    size_t cut, enum xdpi_reason want)
{
	uint8_t buf[512];
	size_t len = pkt_build(s, buf, sizeof(buf));
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .repeat = 1);

	if (off)
		buf[off] = val;
	o.data_size_in = (uint32_t)(cut ? cut : len);
	mark(f);
	ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(f->xdp->progs.xdp_ingress), &o), 0, "run");
	ASSERT_EQ(o.retval, XDP_PASS, "malformed packets pass");
	if (!ASSERT_EQ(delta(f, XDPI_CNT_REASON_BASE + want), 1, "reason counter"))
		fprintf(stderr, "    reason %d\n", want);
	ASSERT_EQ(delta(f, XDPI_CNT_MALFORMED), 1, "malformed total");
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_NEW), 0, "no flow from a malformed packet");
}

/* Every encapsulation of the shared table: the inner SYN makes the inner flow, keyed with the
 * tunnel's type and id, and the tunnel's counter moves by one. */
static void test_tunnels_decapsulated(struct fixture *f)
{
	for (size_t i = 0; i < sizeof(tunnel_cases) / sizeof(tunnel_cases[0]); i++) {
		const struct tunnel_case *c = &tunnel_cases[i];
		struct pkt_spec s = tunnel_inner(c->inner_family);
		struct xdpi_flow_key k;
		struct xdpi_flow_value v, before;
		uint8_t buf[1024];
		size_t len = tunnel_frame(c, buf, sizeof(buf));
		int dir;

		fprintf(stderr, "  case %s\n", c->name);
		ASSERT_EQ(len > 0, 1, "frame built");
		k = flow_key_of(&s, &dir);
		k.tun_type = c->type;
		k.tun_id = c->key_id;
		k.vlan = c->t.nvlan ? c->t.vlan[0] : 0;
		if (bpf_map_lookup_elem(bpf_map__fd(f->xdp->maps.flows), &k, &before))
			memset(&before, 0, sizeof(before)); /* cases may share an inner flow */
		mark(f);
		ASSERT_EQ(run_frame(f, buf, len), XDP_PASS, "passes");
		ASSERT_EQ(delta(f, XDPI_CNT_MALFORMED), 0, "not malformed");
		ASSERT_EQ(delta(f, c->type ? XDPI_CNT_TUN_VXLAN + c->type - XDPI_TUN_VXLAN : XDPI_CNT_MPLS),
			  1, "the encapsulation counted");
		ASSERT_EQ(delta(f, XDPI_CNT_TCP), 1, "the inner TCP counted");
		ASSERT_EQ(bpf_map_lookup_elem(bpf_map__fd(f->xdp->maps.flows), &k, &v), 0,
			  "the inner flow, keyed with the tunnel");
		ASSERT_EQ(v.pkts[dir] - before.pkts[dir], 1, "one packet");
		ASSERT_EQ(v.bytes[dir] - before.bytes[dir], len, "the whole frame's bytes");
	}
}

/* A tunnel header cut short, one too many tunnels, an inner packet that is not IP: counted
 * by reason (or as not IP) and passed, no flow made. */
static void test_tunnels_malformed(struct fixture *f)
{
	const struct tunnel_case *vx = &tunnel_cases[0];
	struct pkt_tunnel_spec outer = vx->t;
	uint8_t a[1024], b[1024], c[1024];
	size_t la = tunnel_frame(vx, a, sizeof(a)), lb, lc;

	mark(f);
	/* the outer UDP ends 4 bytes into the VXLAN header */
	ASSERT_EQ(run_frame(f, a, 14 + 20 + 8 + 4), XDP_PASS, "cut VXLAN header passes");
	ASSERT_EQ(delta(f, XDPI_CNT_REASON_BASE + XDPI_REASON_UDP_BAD_LEN) +
		  delta(f, XDPI_CNT_REASON_BASE + XDPI_REASON_IPV4_BAD_TOTLEN), 1, "counted as cut");
	lb = pkt_encap(&outer, a, la, b, sizeof(b));
	lc = pkt_encap(&outer, b, lb, c, sizeof(c));
	mark(f);
	ASSERT_EQ(run_frame(f, b, lb), XDP_PASS, "two deep passes");
	ASSERT_EQ(delta(f, XDPI_CNT_MALFORMED), 0, "two deep is read");
	ASSERT_EQ(delta(f, XDPI_CNT_TUN_VXLAN), 1, "counted once per packet");
	ASSERT_EQ(run_frame(f, c, lc), XDP_PASS, "three deep passes");
	ASSERT_EQ(delta(f, XDPI_CNT_REASON_BASE + XDPI_REASON_TUNNEL_TOO_DEEP), 1, "too deep counted");
	a[14 + 20 + 8] = 0; /* no I flag: not a VXLAN header */
	mark(f);
	ASSERT_EQ(run_frame(f, a, la), XDP_PASS, "bad VXLAN flags pass");
	ASSERT_EQ(delta(f, XDPI_CNT_REASON_BASE + XDPI_REASON_TUNNEL_BAD), 1, "bad header counted");
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_NEW), 0, "no flow");
}

static void test_malformed_reasons(struct fixture *f)
{
	struct pkt_spec t = tcp4(0x02, NULL);
	struct pkt_spec u = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 1, .dport = 2 };
	struct pkt_spec i = { .family = 4, .proto = 1, .src = "198.18.0.1", .dst = "198.18.0.2" };
	struct pkt_spec v6 = { .family = 6, .proto = 6, .src = "fd00::1", .dst = "fd00::2",
			       .sport = 1, .dport = 2 };

	corrupt_and_run(f, &t, 14, 0x44, 0, XDPI_REASON_IPV4_BAD_IHL);
	corrupt_and_run(f, &t, 14, 0x65, 0, XDPI_REASON_IPV4_BAD_VERSION);
	corrupt_and_run(f, &t, 16, 0x10, 0, XDPI_REASON_IPV4_BAD_TOTLEN);
	corrupt_and_run(f, &t, 0, 0, 20, XDPI_REASON_IPV4_TRUNC);
	corrupt_and_run(f, &t, 14 + 20 + 12, 0x30, 0, XDPI_REASON_TCP_BAD_DOFF);
	corrupt_and_run(f, &u, 14 + 20 + 5, 0x04, 0, XDPI_REASON_UDP_BAD_LEN);
	corrupt_and_run(f, &i, 17, 24, 14 + 24, XDPI_REASON_ICMP_TRUNC); /* IP length agrees */
	corrupt_and_run(f, &v6, 0, 0, 14 + 30, XDPI_REASON_IPV6_TRUNC);
	corrupt_and_run(f, &v6, 14, 0x45, 0, XDPI_REASON_IPV6_BAD_VERSION);
}

static void test_pass_state_copies_nothing(struct fixture *f)
{
	struct pkt_spec d = tcp4(0x18, "data");

	mark(f);
	run(f, &d, false);
	ASSERT_EQ(f->nrecs, 0, "nothing copied in pass");
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_NEW), 1, "but the flow is counted");
}

static void test_snip_port_copies_every_packet(struct fixture *f)
{
	struct xdpi_port_key k = { .port = 8080, .proto = 6 };
	uint8_t st = XDPI_STEER_SNIP;
	struct pkt_spec d = tcp4(0x18, "GET /api/v1/x");

	d.dport = 8080;
	bpf_map_update_elem(bpf_map__fd(f->xdp->maps.steer_ports), &k, &st, BPF_ANY);
	mark(f);
	for (int i = 0; i < 12; i++)
		run(f, &d, false);
	ASSERT_EQ(f->nrecs, 12, "snip: every payload packet");
	ASSERT_EQ(f->recs[0].h.steer, XDPI_STEER_SNIP, "steer state in the record");
}

/* ---- message-aware steering (XDPI_STEER_MSG) ---- */

#define MSG_SEQ0 0x10000000u

/* A TCP data packet of the MSG test flow: LEN payload bytes from sequence number SEQ; the
 * payload's bytes are their own offset from MSG_SEQ0 (mod 251), so a copy shows where it
 * came from. */
static struct pkt_spec msg_pkt(uint8_t *buf, uint32_t seq, size_t len)
{
	struct pkt_spec p = tcp4(0x10, NULL);

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((seq - MSG_SEQ0 + i) % 251);
	p.seq = seq;
	p.payload = buf;
	p.plen = len;
	return p;
}

/* What user space asks of the direction of S: MODE from SEQ on, BUDGET bytes (SEQ). */
static void msg_hint_budget(struct fixture *f, const struct pkt_spec *s, uint8_t mode,
			    uint32_t seq, uint32_t budget)
{
	int dir;
	struct xdpi_flow_key k = flow_key_of(s, &dir);
	struct xdpi_msg_hint h = { 0 };

	bpf_map_lookup_elem(bpf_map__fd(f->xdp->maps.msg_hints), &k, &h);
	h.mode[dir] = mode;
	h.seq[dir] = seq;
	h.budget[dir] = budget;
	ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(f->xdp->maps.msg_hints), &k, &h, BPF_ANY), 0,
		  "hint written");
}

static void msg_hint(struct fixture *f, const struct pkt_spec *s, uint8_t mode, uint32_t seq)
{
	msg_hint_budget(f, s, mode, seq, 0);
}

/* The MSG flow's 1000-byte packets from FROM up to TO (offsets from MSG_SEQ0), into B. */
static void run_msg_pkts(struct fixture *f, uint8_t *b, uint32_t from, uint32_t to)
{
	for (uint32_t off = from; off < to; off += 1000) {
		struct pkt_spec p = msg_pkt(b, MSG_SEQ0 + off, 1000);

		run(f, &p, false);
	}
}

/* Does record R hold, after its HDR header bytes, the payload from sequence number SEQ? */
static bool rec_payload_from(const struct rec *r, uint32_t hdr, uint32_t seq)
{
	if (r->h.cap_len <= hdr)
		return false;
	for (uint32_t i = 0; i < r->h.cap_len - hdr; i++)
		if (r->data[hdr + i] != (uint8_t)((seq - MSG_SEQ0 + i) % 251))
			return false;
	return true;
}

/* Without a word from user space a MSG flow is copied whole, every payload packet: the
 * race goes toward copying (counted). */
static void test_msg_unhinted_copies_all(struct fixture *f)
{
	uint8_t b[64];
	struct pkt_spec p = msg_pkt(b, MSG_SEQ0, sizeof(b));

	mark(f);
	for (int i = 0; i < 3; i++)
		run(f, &p, false);
	ASSERT_EQ(f->nrecs, 3, "all three copied (past the HEAD budget of 2)");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_CAP_MSG, "as a MSG copy");
	ASSERT_EQ(f->recs[0].h.steer, XDPI_STEER_MSG, "of a MSG flow");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 64, "whole");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_UNHINTED), 3, "counted as unhinted");
}

/* A datagram flow without a word from user space: each datagram copied whole, as COPY would
 * (user space sends no COPY hint for one), and not counted as a stream's race. */
static void test_msg_datagrams_copied_without_a_word(struct fixture *f)
{
	struct pkt_spec p = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
			      .sport = 40000, .dport = 5353, .payload = "datagram", .plen = 8 };

	mark(f);
	for (int i = 0; i < 3; i++)
		run(f, &p, false);
	ASSERT_EQ(f->nrecs, 3, "all three copied (past the HEAD budget of 2)");
	ASSERT_EQ(f->recs[2].h.reason, XDPI_CAP_MSG, "as MSG copies");
	ASSERT_EQ(f->recs[2].h.cap_len, 42 + 8, "whole");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_UNHINTED), 0, "not a stream's race");
}

/* SEQ: the bytes before the next head are counted as skipped and not copied, across packet
 * boundaries; the head's packet and what follows are copied whole. */
static void test_msg_skip_across_packets(struct fixture *f)
{
	static uint8_t b[1000];
	struct pkt_spec p = msg_pkt(b, MSG_SEQ0, 1000);

	run(f, &p, false); /* the flow exists (first packet copied) */
	msg_hint(f, &p, XDPI_MSG_SEQ, MSG_SEQ0 + 4000);
	mark(f);
	run_msg_pkts(f, b, 1000, 5000);
	ASSERT_EQ(f->nrecs, 2, "the end of the skipped bytes and the packet at the head");
	ASSERT_EQ(f->recs[0].h.cap_len, 54, "the last skipped packet: its headers only");
	ASSERT_EQ(f->recs[0].h.payload_skip, 1000, "  all its payload left out (the end marker)");
	ASSERT_EQ(f->recs[1].h.payload_skip, 0, "the head's packet from its start");
	ASSERT_EQ(rec_payload_from(&f->recs[1], 54, MSG_SEQ0 + 4000), 1, "  with the head's bytes");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_PKTS), 3, "three packets skipped");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_BYTES), 3000, "their 3000 payload bytes counted");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURED), 2, "captured_pkts agrees");
}

/* SEQ inside a packet: the headers spliced to the payload from the head on. */
static void test_msg_head_inside_a_packet(struct fixture *f)
{
	static uint8_t b[1200];
	struct pkt_spec p = msg_pkt(b, MSG_SEQ0, 1200);

	run(f, &p, false);
	msg_hint(f, &p, XDPI_MSG_SEQ, MSG_SEQ0 + 1700);
	mark(f);
	p = msg_pkt(b, MSG_SEQ0 + 1200, 1200); /* [1200, 2400): the head at 500 into it */
	run(f, &p, false);
	ASSERT_EQ(f->nrecs, 1, "one record");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_CAP_MSG, "a MSG copy");
	ASSERT_EQ(f->recs[0].h.payload_skip, 500, "500 payload bytes left out");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 700, "headers + the 700 bytes from the head");
	ASSERT_EQ(rec_payload_from(&f->recs[0], 54, MSG_SEQ0 + 1700), 1, "the head's bytes, in order");
	ASSERT_EQ(f->recs[0].data[12] == 0x08 && f->recs[0].data[13] == 0x00, 1, "the frame's headers first");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_MID_COPIES), 1, "counted as a mid-packet copy");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_BYTES), 500, "the 500 bytes counted as skipped");
}

/* A retransmission that straddles the head is cut at it; an old one wholly before it is
 * skipped; a packet after the head that arrives before the ones in between is copied. */
static void test_msg_retransmission_and_reordering(struct fixture *f)
{
	static uint8_t b[1000];
	struct pkt_spec p = msg_pkt(b, MSG_SEQ0, 1000);

	run(f, &p, false);
	msg_hint(f, &p, XDPI_MSG_SEQ, MSG_SEQ0 + 3000);
	mark(f);
	p = msg_pkt(b, MSG_SEQ0 + 3000, 1000); /* the head, early */
	run(f, &p, false);
	p = msg_pkt(b, MSG_SEQ0 + 2000, 1000); /* late, before the head */
	run(f, &p, false);
	p = msg_pkt(b, MSG_SEQ0 + 2500, 1000); /* a retransmission across the head */
	run(f, &p, false);
	p = msg_pkt(b, MSG_SEQ0, 1000);        /* an old retransmission */
	run(f, &p, false);
	ASSERT_EQ(f->nrecs, 3, "the early head, the late end marker, the straddling retransmission");
	ASSERT_EQ(rec_payload_from(&f->recs[0], 54, MSG_SEQ0 + 3000), 1, "the head, whole");
	ASSERT_EQ(f->recs[1].h.cap_len, 54, "the late packet ending at the head: headers only");
	ASSERT_EQ(f->recs[2].h.payload_skip, 500, "the retransmission from the head on");
	ASSERT_EQ(rec_payload_from(&f->recs[2], 54, MSG_SEQ0 + 3000), 1, "  with the head's bytes");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_PKTS), 2, "the late and the old packet skipped");
}

/* The server's first 100 bytes, then HINT (mode, seq), then one GSO skb of three 1000-byte
 * segments through TC egress; *p is left as that skb's spec. */
static void msg_gso_after_hint(struct fixture *f, struct pkt_spec *p, uint8_t *b, uint8_t mode,
			       uint32_t seq)
{
	struct __sk_buff skb = { .gso_segs = 3, .gso_size = 1000 };
	uint8_t buf[4096];

	*p = msg_pkt(b, MSG_SEQ0, 100);
	p->src = "198.18.0.2", p->dst = "198.18.0.1", p->sport = 80, p->dport = 40000;
	run(f, p, true);
	msg_hint(f, p, mode, seq);
	mark(f);
	*p = msg_pkt(b, MSG_SEQ0 + 100, 3000);
	p->src = "198.18.0.2", p->dst = "198.18.0.1", p->sport = 80, p->dport = 40000;
	size_t len = pkt_build(p, buf, sizeof(buf));
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (uint32_t)len,
		    .ctx_in = &skb, .ctx_size_in = sizeof(skb), .repeat = 1);
	ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(f->tc->progs.tc_egress), &o), 0,
		  "a GSO skb through TC");
	ring_buffer__consume(f->rb);
}

/* At TC egress a GSO super-packet counts as its segments (packets and header bytes) and a
 * head deep inside it is copied from there. */
static void test_msg_gso_super_packet(struct fixture *f)
{
	static uint8_t b[3000];
	struct pkt_spec p;
	struct xdpi_flow_value v;
	int dir;

	msg_gso_after_hint(f, &p, b, XDPI_MSG_SEQ, MSG_SEQ0 + 100 + 2100);
	ASSERT_EQ(f->nrecs, 1, "one record");
	ASSERT_EQ(f->recs[0].h.payload_skip, 2100, "from the head, 2100 bytes into the payload");
	ASSERT_EQ(rec_payload_from(&f->recs[0], 54, MSG_SEQ0 + 2200), 1, "  with the head's bytes");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 900, "  to the end of the super-packet");
	ASSERT_EQ(delta(f, XDPI_CNT_GSO_SKBS), 1, "one GSO skb");
	ASSERT_EQ(delta(f, XDPI_CNT_GSO_EXTRA_SEGS), 2, "two segments more on the wire");
	ASSERT_EQ(lookup_flow(f, &p, &v, &dir), 0, "the flow");
	ASSERT_EQ(v.pkts[dir], 1 + 3, "packets: the first one and three segments");
	ASSERT_EQ(v.bytes[dir], (54 + 100) + (54 + 3000) + 2 * 54, "bytes: each segment's headers too");
}

/* COPY: a GSO super-packet whole (a snap length would leave holes in an HTTP/2 stream). */
static void test_msg_copy_whole_super_packet(struct fixture *f)
{
	static uint8_t b[3000];
	struct pkt_spec p;

	msg_gso_after_hint(f, &p, b, XDPI_MSG_COPY, 0);
	ASSERT_EQ(f->nrecs, 1, "one record");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 3000, "the whole super-packet");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURE_TRUNCATED), 0, "nothing cut");
}

/* SEQ with a budget (a message head's): from the head, BUDGET bytes copied; past them,
 * until user space speaks again, each packet leaves its headers alone (a mark where its
 * bytes end), counted over budget. When the other side speaks (a request), the budget starts
 * again at this side's next packet (its answer's head). */
static void test_msg_head_budget(struct fixture *f)
{
	static uint8_t b[1000];
	struct pkt_spec p = msg_pkt(b, MSG_SEQ0, 1000);

	run(f, &p, false);
	msg_hint_budget(f, &p, XDPI_MSG_SEQ, MSG_SEQ0 + 1500, 1200);
	mark(f);
	run_msg_pkts(f, b, 1000, 4000);
	ASSERT_EQ(f->nrecs, 3, "a record per packet");
	ASSERT_EQ(f->recs[0].h.payload_skip, 500, "the head, inside the first");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 500, "  to its end");
	ASSERT_EQ(f->recs[1].h.cap_len, 54 + 700, "the second: the budget's last 700 bytes");
	ASSERT_EQ(rec_payload_from(&f->recs[1], 54, MSG_SEQ0 + 2000), 1, "  from its start");
	ASSERT_EQ(f->recs[2].h.cap_len, 54, "the third, past the budget: headers alone");
	ASSERT_EQ(f->recs[2].h.payload_skip, 1000, "  marking its end");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_OVER_BUDGET_PKTS), 1, "one packet over budget");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_OVER_BUDGET_BYTES), 1000, "  its bytes");

	/* the other side speaks (a request): what this side sends next may be its answer */
	struct pkt_spec req = msg_pkt(b, MSG_SEQ0, 10);

	req.src = p.dst, req.dst = p.src, req.sport = p.dport, req.dport = p.sport;
	mark(f);
	run(f, &req, false);
	p = msg_pkt(b, MSG_SEQ0 + 4000, 1000);
	run(f, &p, false);
	p = msg_pkt(b, MSG_SEQ0 + 5000, 1000);
	run(f, &p, false);
	ASSERT_EQ(f->nrecs, 3, "the request, then this side's next two packets");
	ASSERT_EQ(f->recs[1].h.cap_len, 54 + 1000, "  the first whole: a budget from its start");
	ASSERT_EQ(f->recs[2].h.cap_len, 54 + 200, "  the second to that budget's end");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_OVER_BUDGET_PKTS), 0, "  none over budget");
}

/* ---- XDPI_MSG_H2: the kernel walks HTTP/2 frame headers ---- */

/* An HTTP/2 frame header at AT: payload length LEN, TYPE (0 DATA, 1 HEADERS, 4 SETTINGS),
 * FLAGS (1 END_STREAM, 8 PADDED), stream 1. */
static void h2_frame(uint8_t *at, uint32_t len, uint8_t type, uint8_t flags)
{
	uint8_t fh[9] = { (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, type, flags,
			  0, 0, 0, 1 };

	memcpy(at, fh, sizeof(fh));
}

/* The server's side of the H2 test flow (through TC egress): LEN bytes from SEQ, the
 * frame headers the caller wrote into B kept. */
static struct pkt_spec h2_pkt(uint8_t *b, uint32_t seq, size_t len)
{
	struct pkt_spec p = tcp4(0x10, NULL);

	p.src = "198.18.0.2", p.dst = "198.18.0.1", p.sport = 80, p.dport = 40000;
	p.seq = seq;
	p.payload = b;
	p.plen = len;
	return p;
}

/* The flow's first 100 server bytes (copied: no word yet), then H2 from the byte after. */
static void h2_start(struct fixture *f, uint8_t *b)
{
	struct pkt_spec p;

	msg_pkt(b, MSG_SEQ0, 100);
	p = h2_pkt(b, MSG_SEQ0, 100);
	run(f, &p, true);
	msg_hint(f, &p, XDPI_MSG_H2, MSG_SEQ0 + 100);
	mark(f);
}

/* One packet: HEADERS, two DATA frames, SETTINGS, and a DATA frame that goes on past the
 * packet. Copied: the HEADERS frame and the first DATA header in one record, the second DATA
 * header, SETTINGS with the last DATA header (reaching the packet's end: the rest of it is
 * DATA payload); then a packet of nothing but the rest of that payload, ending with it: the
 * headers alone, the end mark; then the next frame, copied. */
static void test_msg_h2_walk(struct fixture *f)
{
	static uint8_t b[3000];
	struct pkt_spec p;
	struct xdpi_flow_value v;
	int dir;

	h2_start(f, b);
	msg_pkt(b, MSG_SEQ0 + 100, 3000);
	h2_frame(b, 50, 1, 4);
	h2_frame(b + 59, 1000, 0, 0);
	h2_frame(b + 1068, 1000, 0, 1);
	h2_frame(b + 2077, 0, 4, 0);
	h2_frame(b + 2086, 2000, 0, 1);
	p = h2_pkt(b, MSG_SEQ0 + 100, 3000);
	run(f, &p, true);
	ASSERT_EQ(f->nrecs, 3, "three stretches");
	ASSERT_EQ(f->recs[0].h.payload_skip, 0, "HEADERS and a DATA header");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 68, "  68 bytes");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_CAP_SLICE, "  a slice: the rest comes in other records");
	ASSERT_EQ(f->recs[1].h.payload_skip, 1068, "the second DATA header");
	ASSERT_EQ(f->recs[1].h.cap_len, 54 + 9, "  alone");
	ASSERT_EQ(memcmp(f->recs[1].data + 54, b + 1068, 9), 0, "  its bytes");
	ASSERT_EQ(f->recs[2].h.payload_skip, 2077, "SETTINGS and the last DATA header");
	ASSERT_EQ(f->recs[2].h.cap_len, 54 + 18, "  18 bytes");
	ASSERT_EQ(f->recs[2].h.reason, XDPI_CAP_MSG, "  reaching the end: the DATA payload after");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_BYTES), 3000 - 95, "DATA payloads skipped");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_H2_FRAMES), 5, "five frame headers walked");
	ASSERT_EQ(lookup_flow(f, &p, &v, &dir), 0, "the flow");
	ASSERT_EQ(v.h2_sync[dir], 1, "  in step");
	ASSERT_EQ(v.h2_next[dir], MSG_SEQ0 + 100 + 2086 + 9 + 2000, "  at the next frame header");

	mark(f);
	msg_pkt(b, MSG_SEQ0 + 3100, 1095);
	p = h2_pkt(b, MSG_SEQ0 + 3100, 1095);
	run(f, &p, true);
	ASSERT_EQ(f->nrecs, 1, "the rest of the DATA payload: one record");
	ASSERT_EQ(f->recs[0].h.cap_len, 54, "  the headers alone");
	ASSERT_EQ(f->recs[0].h.payload_skip, 1095, "  at the payload's end");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_BYTES), 1095, "  skipped");

	mark(f);
	msg_pkt(b, MSG_SEQ0 + 4195, 100);
	h2_frame(b, 91, 1, 4);
	p = h2_pkt(b, MSG_SEQ0 + 4195, 100);
	run(f, &p, true);
	ASSERT_EQ(f->nrecs, 1, "the next frame");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 100, "  whole");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_CAP_SLICE, "  its bytes and no more");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_H2_RESYNCS), 0, "in step throughout");
}

/* Out of step: a frame header across the packet's end (its bytes copied), then a packet
 * the walk cannot place (copied whole) until user space names a header again; a padded
 * DATA frame is copied whole; a hint behind the packet is not taken. */
static void test_msg_h2_out_of_step(struct fixture *f)
{
	static uint8_t b[1000];
	struct pkt_spec p;
	struct xdpi_flow_value v;
	int dir;

	h2_start(f, b);
	msg_pkt(b, MSG_SEQ0 + 100, 1000);
	h2_frame(b, 986, 0, 0); /* DATA to byte 995; a header from 995 on, cut */
	p = h2_pkt(b, MSG_SEQ0 + 100, 1000);
	run(f, &p, true);
	ASSERT_EQ(f->nrecs, 2, "the DATA header, then the cut header");
	ASSERT_EQ(f->recs[1].h.payload_skip, 995, "  from where it starts");
	ASSERT_EQ(f->recs[1].h.cap_len, 54 + 5, "  its five bytes here");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_H2_RESYNCS), 1, "the place lost, counted");
	ASSERT_EQ(lookup_flow(f, &p, &v, &dir), 0, "the flow");
	ASSERT_EQ(v.h2_sync[dir], 0, "  out of step");

	mark(f);
	msg_pkt(b, MSG_SEQ0 + 1100, 1000);
	p = h2_pkt(b, MSG_SEQ0 + 1100, 1000);
	run(f, &p, true);
	ASSERT_EQ(f->nrecs, 1, "out of step, the hint behind: copied");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 1000, "  whole");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_H2_UNSYNCED), 1, "  counted");

	msg_hint(f, &p, XDPI_MSG_H2, MSG_SEQ0 + 2100 + 10); /* a header 10 bytes in */
	mark(f);
	msg_pkt(b, MSG_SEQ0 + 2100, 1000);
	h2_frame(b + 10, 500, 0, 8); /* padded DATA: whole */
	h2_frame(b + 519, 600, 0, 0);
	p = h2_pkt(b, MSG_SEQ0 + 2100, 1000);
	run(f, &p, true);
	ASSERT_EQ(f->nrecs, 1, "from the named header");
	ASSERT_EQ(f->recs[0].h.payload_skip, 10, "  10 bytes in");
	ASSERT_EQ(f->recs[0].h.cap_len, 54 + 509 + 9, "  the padded frame whole, the next header");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_CAP_MSG, "  then DATA payload to the end");
	ASSERT_EQ(lookup_flow(f, &p, &v, &dir), 0, "the flow");
	ASSERT_EQ(v.h2_sync[dir], 1, "  in step again");
	ASSERT_EQ(v.h2_next[dir], MSG_SEQ0 + 2100 + 519 + 609, "  at the next header");
}

/* A hint is about the connection that began by its not_after_ns: one landing after a new
 * connection took the tuple over (a SKIP for the old one, say) is ignored, and the new one is
 * copied as an unhinted stream; the same hint about the new one applies. */
static void test_msg_stale_hint_ignored(struct fixture *f)
{
	struct pkt_spec syn = tcp4(0x02, NULL), d = tcp4(0x18, "GET / HTTP/1.1\r\n\r\n");
	struct xdpi_msg_hint h = { 0 };
	struct xdpi_flow_value v;
	struct xdpi_flow_key k;
	int dir;

	run(f, &syn, false);
	lookup_flow(f, &syn, &v, &dir);
	k = flow_key_of(&syn, &dir);
	h.mode[dir] = XDPI_MSG_SKIP;
	h.not_after_ns = v.first_ns - 1; /* about a connection before this one */
	bpf_map_update_elem(bpf_map__fd(f->xdp->maps.msg_hints), &k, &h, BPF_ANY);
	mark(f);
	run(f, &d, false);
	ASSERT_EQ(f->nrecs, 1, "a stale SKIP: copied all the same");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_UNHINTED), 1, "as unhinted");
	h.not_after_ns = v.first_ns; /* about this one */
	bpf_map_update_elem(bpf_map__fd(f->xdp->maps.msg_hints), &k, &h, BPF_ANY);
	mark(f);
	run(f, &d, false);
	ASSERT_EQ(f->nrecs, 0, "its own SKIP applies");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_PKTS), 1, "counted as skipped");
}

/* SKIP: no more payload, but the flow's end is still copied; COPY: every datagram. */
static void test_msg_skip_and_copy_modes(struct fixture *f)
{
	uint8_t b[100];
	struct pkt_spec p = msg_pkt(b, MSG_SEQ0, 100), fin = tcp4(0x11, NULL);
	struct pkt_spec dns = { .family = 4, .proto = 17, .src = "198.18.0.1",
				.dst = "198.18.0.2", .sport = 5353, .dport = 53,
				.payload = "0123456789abcdefghij", .plen = 20 };

	run(f, &p, false);
	msg_hint(f, &p, XDPI_MSG_SKIP, 0);
	mark(f);
	for (int i = 0; i < 3; i++)
		run(f, &p, false);
	fin.seq = MSG_SEQ0 + 100;
	run(f, &fin, false);
	ASSERT_EQ(f->nrecs, 1, "SKIP: only the FIN");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_CAP_CTRL, "  as a control packet");
	ASSERT_EQ(delta(f, XDPI_CNT_MSG_SKIPPED_BYTES), 300, "  the payload counted as skipped");
	run(f, &dns, false);
	msg_hint(f, &dns, XDPI_MSG_COPY, 0);
	mark(f);
	for (int i = 0; i < 5; i++)
		run(f, &dns, false);
	ASSERT_EQ(f->nrecs, 5, "COPY: every datagram");
}

static void test_snaplen_cuts_records(struct fixture *f)
{
	static char big[1200];
	struct pkt_spec d = tcp4(0x18, NULL);

	memset(big, 'a', sizeof(big));
	d.payload = big, d.plen = sizeof(big);
	mark(f);
	run(f, &d, false);
	ASSERT_EQ(f->nrecs, 1, "copied");
	ASSERT_EQ(f->recs[0].h.cap_len, 256, "cut at the snap length");
	ASSERT_EQ(f->recs[0].h.orig_len, 54 + 1200, "original length kept");
}

static void test_full_ringbuf_is_a_counted_loss(struct fixture *f)
{
	static char big[1400];
	struct pkt_spec d = tcp4(0x18, NULL);
	int passed = 0;

	memset(big, 'b', sizeof(big));
	d.payload = big, d.plen = sizeof(big);
	mark(f);
	for (int i = 0; i < 64; i++) {
		uint8_t buf[2048];
		size_t len = pkt_build(&d, buf, sizeof(buf));
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (uint32_t)len,
			    .repeat = 1);

		d.sport = (uint16_t)(1000 + i); /* a new flow each time: head always copies */
		len = pkt_build(&d, buf, sizeof(buf));
		o.data_size_in = (uint32_t)len;
		bpf_prog_test_run_opts(bpf_program__fd(f->xdp->progs.xdp_ingress), &o);
		passed += o.retval == XDP_PASS; /* not consumed: the ring fills up */
	}
	ASSERT_EQ(passed, 64, "every packet passes with the ring full");
	ASSERT_EQ(delta(f, XDPI_CNT_LOSS_RINGBUF_FULL) > 0, 1, "losses counted");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURED) + delta(f, XDPI_CNT_LOSS_RINGBUF_FULL), 64,
		  "every packet either copied or counted lost");
}

/* Runs D as a new flow each time (head copies it) without draining the ring. */
static void run_undrained(struct fixture *f, struct pkt_spec *d, uint16_t sport)
{
	uint8_t buf[2048];
	size_t len;

	d->sport = sport;
	len = pkt_build(d, buf, sizeof(buf));
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (uint32_t)len, .repeat = 1);
	bpf_prog_test_run_opts(bpf_program__fd(f->xdp->progs.xdp_ingress), &o);
}

/* A small ring (--ringbuf-size 128 KiB) is drained before it fills: records go in without
 * waking the consumer until a quarter of the ring waits, then the kernel wakes it. With a
 * fixed 256 KiB threshold a 128 KiB ring never woke its consumer and floods were lost. */
static void test_small_ring_wakes_its_consumer(struct fixture *f)
{
	static char big[1000];
	struct pkt_spec d = tcp4(0x18, NULL);
	int efd = ring_buffer__epoll_fd(f->rb);
	struct epoll_event ev;
	uint16_t i;

	memset(big, 'w', sizeof(big));
	d.payload = big, d.plen = sizeof(big);
	mark(f);
	for (i = 0; i < 10; i++) /* ~10.6 KB of records: below a quarter of 128 KiB */
		run_undrained(f, &d, (uint16_t)(2000 + i));
	ASSERT_EQ(epoll_wait(efd, &ev, 1, 100), 0, "no wake-up for a few records (batched)");
	for (; i < 40; i++) /* ~42 KB: past a quarter */
		run_undrained(f, &d, (uint16_t)(2000 + i));
	ASSERT_EQ(epoll_wait(efd, &ev, 1, 1000), 1, "woken once a quarter of the ring waits");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURED), 40, "every record in the ring");
	ASSERT_EQ(delta(f, XDPI_CNT_LOSS_RINGBUF_FULL), 0, "nothing lost");
	ring_buffer__consume(f->rb);
}

/* msg: a record that wants its consumer soon (an unhinted stream's packet) wakes it, but
 * one wake-up serves every such record within cfg_wake_gap_ns (200 us) of it: the consumer,
 * woken, drains them all. Each wake-up was a context switch: 16,000-21,000 for one replay of
 * the corpus copies, 3,900 spaced (bench/efficiency.sh, machine CPU 12% less). */
static void set_clock(struct fixture *f, uint64_t ms);

static void test_msg_wakeups_spaced(struct fixture *f)
{
	struct pkt_spec d = tcp4(0x18, "GET / HTTP/1.1\r\n\r\n");
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }; /* wake-ups, not data waiting */
	int ep = epoll_create1(0);
	uint32_t zero = 0;
	uint64_t t0 = 0;

	bpf_map_update_elem(bpf_map__fd(f->xdp->maps.wake_last), &zero, &t0, BPF_ANY);
	epoll_ctl(ep, EPOLL_CTL_ADD, bpf_map__fd(f->xdp->maps.events_rb), &ev);
	set_clock(f, 5000); /* the replay clock: the gaps below are exact */
	run_undrained(f, &d, 3000);
	ASSERT_EQ(epoll_wait(ep, &ev, 1, 1000), 1, "the first unhinted packet wakes the consumer");
	run_undrained(f, &d, 3001);
	ASSERT_EQ(epoll_wait(ep, &ev, 1, 0), 0, "the next, within the gap, does not");
	set_clock(f, 5001);
	run_undrained(f, &d, 3002);
	ASSERT_EQ(epoll_wait(ep, &ev, 1, 1000), 1, "one past the gap does");
	ASSERT_EQ(ring_buffer__consume(f->rb), 3, "all three there");
	close(ep);
}

/* Puts one policy entry into the trie of its family. EXPIRES_IN_MS: 0 never, <0 already past. */
static void policy_put(struct fixture *f, const char *cidr, uint8_t action, uint32_t rule,
		       int64_t expires_in_ms)
{
	struct xdpi_policy_value v = { .rule_id = rule, .action = action };
	struct xdpi_lpm6_key k = { 0 };
	char addr[64];
	char *slash;
	int af, fd;

	snprintf(addr, sizeof(addr), "%s", cidr);
	slash = strchr(addr, '/');
	*slash = '\0';
	af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(af, addr, k.addr);
	k.prefixlen = (uint32_t)atoi(slash + 1);
	v.prefixlen = (uint8_t)k.prefixlen;
	if (expires_in_ms) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts); /* the fast path's clock, to a tick */
		v.expires_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
			       (uint64_t)(expires_in_ms * 1000000);
	}
	fd = af == AF_INET ? f->policy.v4_fd : f->policy.v6_fd;
	ASSERT_EQ(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0, "policy entry inserted");
	f->policy.dirty = true; /* as xdpi_policy_put: the writer bumps the user generation */
	ASSERT_EQ(xdpi_policy_commit(&f->policy), 0, "generation bumped");
}

static void cache_on(struct fixture *f)
{
	ASSERT_EQ(xdpi_policy_cache_set(bpf_map__fd(f->xdp->maps.policy_gen), true), 0,
		  "cache on");
}

static struct xdpi_rule_stats_maps rule_maps(struct fixture *f)
{
	return (struct xdpi_rule_stats_maps){ bpf_map__fd(f->xdp->maps.rule_stats_low),
					      bpf_map__fd(f->xdp->maps.rule_stats) };
}

static uint64_t rule_pkts(struct fixture *f, uint32_t rule)
{
	struct xdpi_rule_stats_maps maps = rule_maps(f);
	struct xdpi_rule_stats st;

	return xdpi_policy_rule_stats(&maps, rule, &st) ? 0 : st.pkts;
}

static int run_from(struct fixture *f, const char *src, const char *dst, bool tc)
{
	struct pkt_spec s = tcp4(0x02, NULL);

	s.family = strchr(src, ':') ? 6 : 4;
	s.src = src;
	s.dst = dst;
	return run(f, &s, tc);
}

/* A block entry for an inner address drops the packet inside the tunnel; the outer
 * addresses decide nothing. */
static void test_tunnels_policy_inner(struct fixture *f)
{
	uint8_t buf[1024];
	size_t len = tunnel_frame(&tunnel_cases[0], buf, sizeof(buf));

	policy_put(f, "198.18.0.1/32", XDPI_POLICY_DROP, 31, 0);
	policy_put(f, "198.18.9.0/24", XDPI_POLICY_ALLOW, 32, 0);
	mark(f);
	ASSERT_EQ(run_frame(f, buf, len), XDP_DROP, "inner source blocked");
	ASSERT_EQ(rule_pkts(f, 31), 1, "the inner rule counted");
	ASSERT_EQ(rule_pkts(f, 32), 0, "the outer address not looked at");
}

/* --policy-outer: the outer source's block entry drops the whole tunnel, counted for its
 * rule; an inner entry still applies to the packets whose outer addresses are not listed. */
static void test_tunnels_policy_outer(struct fixture *f)
{
	uint8_t buf[1024];
	size_t len = tunnel_frame(&tunnel_cases[0], buf, sizeof(buf));
	struct tunnel_case gre = tunnel_cases[4];

	policy_put(f, "198.18.9.1/32", XDPI_POLICY_DROP, 41, 0);
	mark(f);
	ASSERT_EQ(run_frame(f, buf, len), XDP_DROP, "outer source blocked");
	ASSERT_EQ(rule_pkts(f, 41), 1, "the outer rule counted");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_DROP), 1, "a policy drop");
	ASSERT_EQ(delta(f, XDPI_CNT_FLOW_NEW), 0, "no flow");
	gre.t.src = "198.18.9.7";
	policy_put(f, "198.18.0.1/32", XDPI_POLICY_DROP, 42, 0);
	len = tunnel_frame(&gre, buf, sizeof(buf));
	ASSERT_EQ(run_frame(f, buf, len), XDP_DROP, "inner source blocked behind an unlisted outer");
	ASSERT_EQ(rule_pkts(f, 42), 1, "the inner rule counted");
}

static void test_policy_v4_longest_prefix(struct fixture *f)
{
	struct xdpi_flow_value v;
	struct pkt_spec s = tcp4(0x02, NULL);
	int dir;

	policy_put(f, "198.18.0.0/16", XDPI_POLICY_DROP, 10, 0);
	policy_put(f, "198.18.0.0/24", XDPI_POLICY_ALLOW, 11, 0);
	policy_put(f, "198.18.0.7/32", XDPI_POLICY_DROP, 12, 0);
	mark(f);
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_PASS, "allowed /24 in /16");
	ASSERT_EQ(run_from(f, "198.18.5.1", "198.19.0.1", false), XDP_DROP, "blocked /16");
	ASSERT_EQ(run_from(f, "198.18.0.7", "198.19.0.1", false), XDP_DROP, "blocked /32 in /24");
	ASSERT_EQ(run_from(f, "198.19.0.9", "198.18.5.1", false), XDP_PASS, "ingress: source only");
	ASSERT_EQ(rule_pkts(f, 10), 1, "rule 10 counted");
	ASSERT_EQ(rule_pkts(f, 11), 1, "rule 11 counted");
	ASSERT_EQ(rule_pkts(f, 12), 1, "rule 12 counted");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_DROP), 2, "policy drops");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_ALLOW), 1, "policy allows");
	ASSERT_EQ(delta(f, XDPI_CNT_VERDICT_DROP), 2, "drop verdicts");
	s.src = "198.18.5.1";
	s.dst = "198.19.0.1";
	ASSERT_EQ(lookup_flow(f, &s, &v, &dir) != 0, 1, "a dropped packet makes no flow");
	/* egress: the destination decides, and TC drops with TC_ACT_SHOT */
	ASSERT_EQ(run_from(f, "198.19.0.1", "198.18.5.1", true), 2, "egress to blocked /16");
	ASSERT_EQ(run_from(f, "198.19.0.1", "198.18.0.1", true), TC_NEXT, "egress to allowed /24");
	ASSERT_EQ(rule_pkts(f, 10), 2, "egress drop counted for its rule");
}

static void test_policy_v6_longest_prefix(struct fixture *f)
{
	policy_put(f, "fd00::/8", XDPI_POLICY_DROP, 20, 0);
	policy_put(f, "fd00:1::/32", XDPI_POLICY_ALLOW, 21, 0);
	mark(f);
	ASSERT_EQ(run_from(f, "fd00:1::5", "fd01::1", false), XDP_PASS, "allowed /32 in /8");
	ASSERT_EQ(run_from(f, "fd00:2::5", "fd01::1", false), XDP_DROP, "blocked /8");
	ASSERT_EQ(run_from(f, "fe80::1", "fd01::1", false), XDP_PASS, "outside every entry");
	ASSERT_EQ(rule_pkts(f, 20), 1, "rule 20 counted");
	ASSERT_EQ(rule_pkts(f, 21), 1, "rule 21 counted");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_DROP), 1, "policy drops");
}

/* A reputation rule's ALERT entry: counted under its rule where it applies (a source list at
 * XDP ingress), the packet passes on to the rest of the pipeline; not counted at TC egress; a
 * drop entry beneath it is shadowed at ingress only where the alert applies. */
static void test_policy_alert_entries(struct fixture *f)
{
	struct xdpi_policy_value v = { .rule_id = 2400001, .action = XDPI_POLICY_ALERT,
				       .prefixlen = 24, .dirs = XDPI_POLICY_DIR_SRC };
	struct xdpi_lpm4_key k = { .prefixlen = 24 };

	inet_pton(AF_INET, "198.18.3.0", k.addr);
	ASSERT_EQ(bpf_map_update_elem(f->policy.v4_fd, &k, &v, BPF_ANY), 0, "alert entry");
	v = (struct xdpi_policy_value){ .rule_id = 2500002, .action = XDPI_POLICY_ALERT,
					.prefixlen = 24, .dirs = XDPI_POLICY_DIR_DST };
	inet_pton(AF_INET, "198.18.4.0", k.addr);
	ASSERT_EQ(bpf_map_update_elem(f->policy.v4_fd, &k, &v, BPF_ANY), 0, "alert entry (dst)");
	f->policy.dirty = true; /* the writer bumps the user generation */
	ASSERT_EQ(xdpi_policy_commit(&f->policy), 0, "generation bumped");
	mark(f);
	ASSERT_EQ(run_from(f, "198.18.3.9", "198.19.0.1", false), XDP_PASS, "a listed source passes");
	ASSERT_EQ(rule_pkts(f, 2400001), 1, "counted under its sid");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_ALERT), 1, "policy_alert counted");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURED), 1, "and it goes on to be steered (a new flow's SYN)");
	ASSERT_EQ(run_from(f, "198.19.0.1", "198.18.3.9", true), TC_NEXT, "egress to it passes");
	ASSERT_EQ(rule_pkts(f, 2400001), 1, "a source list is not counted at egress");
	ASSERT_EQ(run_from(f, "198.18.4.9", "198.19.0.1", false), XDP_PASS, "dst list, ingress");
	ASSERT_EQ(rule_pkts(f, 2500002), 0, "a destination list is not counted at ingress");
	ASSERT_EQ(run_from(f, "198.19.0.1", "198.18.4.9", true), TC_NEXT, "dst list, egress");
	ASSERT_EQ(rule_pkts(f, 2500002), 1, "counted at egress");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_DROP), 0, "nothing dropped");

	/* a low id is counted in its array slot, the sids in the hash: the listing has both,
	 * ascending, and only what was counted */
	struct xdpi_rule_stats_maps maps = rule_maps(f);
	uint32_t ids[8] = { 0 };

	v = (struct xdpi_policy_value){ .rule_id = 7, .action = XDPI_POLICY_DROP, .prefixlen = 24 };
	inet_pton(AF_INET, "198.18.5.0", k.addr);
	ASSERT_EQ(bpf_map_update_elem(f->policy.v4_fd, &k, &v, BPF_ANY), 0, "drop entry, rule 7");
	f->policy.dirty = true;
	ASSERT_EQ(xdpi_policy_commit(&f->policy), 0, "generation bumped again");
	ASSERT_EQ(run_from(f, "198.18.5.9", "198.19.0.1", false), XDP_DROP, "rule 7 drops");
	ASSERT_EQ(rule_pkts(f, 7), 1, "rule 7 counted");
	ASSERT_EQ(xdpi_policy_rule_ids(&maps, ids, 0, 8), 3, "three rules counted");
	ASSERT_EQ(ids[0], 7, "the array's id first");
	ASSERT_EQ(ids[1], 2400001, "then the hash's, ascending");
	ASSERT_EQ(ids[2], 2500002, "the last");
	ids[0] = 7; /* given: a counted id and one never counted, each listed once */
	ids[1] = 3;
	ASSERT_EQ(xdpi_policy_rule_ids(&maps, ids, 2, 8), 4, "given ids merged in");
	ASSERT_EQ(ids[0], 3, "  the uncounted given id first");
	ASSERT_EQ(ids[1], 7, "  the counted one once");
	ASSERT_EQ(ids[3], 2500002, "  the sids after them");
}

/* An expired /32 allow inside a blocked /16: the first packet deletes it and the /16 decides
 * that very packet; an unexpired entry still applies. */
static void test_policy_expiry(struct fixture *f)
{
	struct xdpi_lpm4_key k = { .prefixlen = 32 };
	struct xdpi_policy_value v;

	policy_put(f, "198.18.0.0/16", XDPI_POLICY_DROP, 30, 0);
	/* expired a second ago: the fast path's clock is the coarse one (a tick behind) */
	policy_put(f, "198.18.0.7/32", XDPI_POLICY_ALLOW, 31, -1000);
	policy_put(f, "198.18.0.8/32", XDPI_POLICY_ALLOW, 32, 60000);
	mark(f);
	ASSERT_EQ(run_from(f, "198.18.0.7", "198.19.0.1", false), XDP_DROP, "expired allow gone");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_EXPIRED), 1, "expiry counted");
	inet_pton(AF_INET, "198.18.0.7", k.addr);
	ASSERT_EQ(bpf_map_lookup_elem(f->policy.v4_fd, &k, &v) == 0 &&
			  v.rule_id == 31, 0, "expired entry deleted by the kernel");
	ASSERT_EQ(run_from(f, "198.18.0.8", "198.19.0.1", false), XDP_PASS, "live allow applies");
	ASSERT_EQ(rule_pkts(f, 31), 0, "expired rule not counted");
	ASSERT_EQ(rule_pkts(f, 30), 1, "the /16 took over");
}

/* A reload replaces one rule's entries and nothing else: the other rules' entries stay, and an
 * expired entry is not carried over. */
static void test_policy_replace_rule(struct fixture *f)
{
	struct xdpi_cidr_list list = { 0 };
	const char text[] = "198.18.2.0/24\nfd00:2::/32\n";
	char err[256];
	int rc;

	cache_on(f); /* a reload must reach cached answers */
	ASSERT_EQ(run_from(f, "198.18.2.1", "198.19.0.1", false), XDP_PASS, "no entry yet (cached)");
	policy_put(f, "198.18.1.0/24", XDPI_POLICY_DROP, 5, 0);
	policy_put(f, "198.18.9.0/24", XDPI_POLICY_DROP, 6, 0);
	policy_put(f, "198.18.8.0/24", XDPI_POLICY_DROP, 7, -1);
	ASSERT_EQ(xdpi_cidr_list_parse("t", text, sizeof(text) - 1, &list, err, sizeof(err)), 0,
		  "list parsed");
	rc = xdpi_policy_replace_rule(&(struct xdpi_policy_fds){ bpf_map__fd(f->xdp->maps.policy4),
				      bpf_map__fd(f->xdp->maps.policy6),
				      bpf_map__fd(f->xdp->maps.policy_gen) }, 5, &list,
				      XDPI_POLICY_DROP, err, sizeof(err));
	ASSERT_EQ(rc, 0, "rule 5 replaced");
	xdpi_cidr_list_free(&list);
	mark(f);
	ASSERT_EQ(run_from(f, "198.18.1.1", "198.19.0.1", false), XDP_PASS, "old rule 5 entry gone");
	ASSERT_EQ(run_from(f, "198.18.2.1", "198.19.0.1", false), XDP_DROP, "new v4 entry applies");
	ASSERT_EQ(run_from(f, "fd00:2::1", "fd01::1", false), XDP_DROP, "new v6 entry applies");
	ASSERT_EQ(run_from(f, "198.18.9.1", "198.19.0.1", false), XDP_DROP, "rule 6 kept");
	ASSERT_EQ(run_from(f, "198.18.8.1", "198.19.0.1", false), XDP_PASS, "expired rule 7 dropped");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_EXPIRED), 0, "the expired entry was not copied");
	ASSERT_EQ(rule_pkts(f, 5), 2, "rule 5 counts the new entries");
}

/* The fast path's clock in replay fixtures, in milliseconds. */
static void set_clock(struct fixture *f, uint64_t ms)
{
	struct xdpi_replay_ctx rc = { .ts_ns = ms * 1000000ull };
	uint32_t zero = 0;

	bpf_map_update_elem(bpf_map__fd(f->xdp->maps.replay_clock), &zero, &rc, BPF_ANY);
}

static void set_limits(struct fixture *f, const struct xdpi_limits *l)
{
	uint32_t zero = 0;

	ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(f->xdp->maps.limits), &zero, l, BPF_ANY), 0,
		  "limits set");
}

/* Sends N copies of S through XDP; returns how many passed. */
static int run_n(struct fixture *f, const struct pkt_spec *s, int n)
{
	int passed = 0;

	for (int i = 0; i < n; i++)
		passed += run(f, s, false) == XDP_PASS;
	return passed;
}

/* The same through TC egress. */
static int run_n_egress(struct fixture *f, const struct pkt_spec *s, int n)
{
	int passed = 0;

	for (int i = 0; i < n; i++)
		passed += run(f, s, true) == TC_NEXT;
	return passed;
}

/* At TC egress, per destination: 10 packets/s to one address, another has its own bucket,
 * an allowed address is never limited; rule 34 and the ingress buckets are apart. */
static void test_limits_egress(struct fixture *f)
{
	const struct xdpi_limits l = { .dst_pkt_ns = 100000000, .dst_icmp_ns = 500000000 };
	struct pkt_spec a = tcp4(0x10, NULL), b = tcp4(0x10, NULL), ok = tcp4(0x10, NULL);
	struct pkt_spec ping = { .family = 4, .proto = 1, .src = "198.18.0.2", .dst = "198.18.0.44",
				 .icmp_type = 0, .icmp_id = 9 };

	a.src = b.src = ok.src = "198.18.0.2";
	a.dst = "198.18.0.41", b.dst = "198.18.0.42", ok.dst = "198.18.0.43";
	policy_put(f, "198.18.0.43/32", XDPI_POLICY_ALLOW, 9, 0);
	set_limits(f, &l);
	set_clock(f, 1000);
	mark(f);
	ASSERT_EQ(run_n_egress(f, &a, 12), 10, "a burst of 10 to one destination, the rest dropped");
	ASSERT_EQ(run_n_egress(f, &b, 3), 3, "another destination has its own bucket");
	ASSERT_EQ(run_n_egress(f, &ok, 30), 30, "an allowed address is not limited");
	ASSERT_EQ(run_n_egress(f, &ping, 4), 2, "2 ICMP/s to one destination");
	ASSERT_EQ(run_n(f, &a, 5), 5, "ingress is not limited by the egress rates");
	ASSERT_EQ(rule_pkts(f, XDPI_RULE_EGRESS_PKTS), 2, "rule 34 counted");
	ASSERT_EQ(rule_pkts(f, XDPI_RULE_EGRESS_ICMP), 2, "rule 36 counted");
	ASSERT_EQ(rule_pkts(f, XDPI_RULE_RATE_PKTS), 0, "rule 30 untouched");
}

/* 10 packets/s with a one-second burst: 10 pass at once, then 5 more half a second later;
 * another source has its own bucket; an allowed source is never limited. */
static void test_limits_token_bucket(struct fixture *f)
{
	const struct xdpi_limits l = { .src_pkt_ns = 100000000 };
	struct pkt_spec a = tcp4(0x10, NULL), b = tcp4(0x10, NULL), ok = tcp4(0x10, NULL);

	b.src = "198.18.0.5";
	ok.src = "198.18.0.9";
	policy_put(f, "198.18.0.9/32", XDPI_POLICY_ALLOW, 9, 0);
	set_limits(f, &l);
	set_clock(f, 1000);
	mark(f);
	ASSERT_EQ(run_n(f, &a, 12), 10, "a burst of 10 passes, the rest is dropped");
	ASSERT_EQ(run_n(f, &b, 3), 3, "another source has its own bucket");
	ASSERT_EQ(run_n(f, &ok, 30), 30, "an allowed source is not limited");
	set_clock(f, 1500);
	ASSERT_EQ(run_n(f, &a, 8), 5, "half a second refills 5");
	ASSERT_EQ(delta(f, XDPI_CNT_RATE_DROP_PKTS), 5, "rate drops counted");
	ASSERT_EQ(rule_pkts(f, XDPI_RULE_RATE_PKTS), 5, "rule 30 counted");
	ASSERT_EQ(delta(f, XDPI_CNT_VERDICT_DROP), 5, "drop verdicts");
}

/* 1000 bytes/s: as many whole frames as fit in 1000 bytes pass. */
static void test_limits_bytes(struct fixture *f)
{
	const struct xdpi_limits l = { .src_byte_ps = 1000000000 };
	struct pkt_spec a = tcp4(0x18, "0123456789012345678901234567890123456789");
	uint8_t buf[256];
	int len = (int)pkt_build(&a, buf, sizeof(buf));

	set_limits(f, &l);
	set_clock(f, 1000);
	mark(f);
	ASSERT_EQ(run_n(f, &a, 30), 1000 / len, "1000 bytes' worth of frames pass");
	ASSERT_EQ(delta(f, XDPI_CNT_RATE_DROP_BYTES), 30 - 1000 / len, "byte-rate drops counted");
	ASSERT_EQ(rule_pkts(f, XDPI_RULE_RATE_BYTES), 30 - 1000 / len, "rule 31 counted");
}

/* A destination takes 5 SYN/s; past that it is under attack, and a source may then send 2
 * SYN/s: its third is dropped and the source blocked for 10 s (its later packets die in the
 * policy step); another source's SYN still passes; the block expires on time. */
static void test_limits_syn_flood(struct fixture *f)
{
	const struct xdpi_limits l = { .syn_dst_ns = 200000000, .syn_src_ns = 500000000,
				       .syn_block_ns = 10000000000ull };
	struct pkt_spec a = tcp4(0x02, NULL), b = tcp4(0x02, NULL), data = tcp4(0x10, NULL);

	b.src = "198.18.0.5";
	data.src = "198.18.0.6";
	cache_on(f); /* the block must reach a source whose "no entry" answer is cached */
	set_limits(f, &l);
	set_clock(f, 1000);
	mark(f);
	ASSERT_EQ(run_n(f, &a, 5), 5, "5 SYNs within the destination's rate");
	ASSERT_EQ(run_n(f, &a, 5), 2, "under attack: 2 more from the source, then dropped");
	ASSERT_EQ(delta(f, XDPI_CNT_SYN_DST_ATTACK), 1, "the destination went under attack once");
	ASSERT_EQ(delta(f, XDPI_CNT_SYN_FLOOD_DROP), 1, "one SYN dropped by the defence");
	ASSERT_EQ(delta(f, XDPI_CNT_SYN_FLOOD_BLOCKED), 1, "the source blocked");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_DROP), 2, "its later SYNs die in the policy step");
	ASSERT_EQ(rule_pkts(f, XDPI_RULE_SYN_FLOOD), 3, "rule 32 counts all three");
	ASSERT_EQ(run_n(f, &b, 1), 1, "another source's SYN passes during the attack");
	ASSERT_EQ(run_n(f, &data, 20), 20, "non-SYN traffic is not limited");
	set_clock(f, 11500);
	ASSERT_EQ(run_n(f, &a, 1), 1, "the block expired after 10 s");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_EXPIRED), 1, "expiry counted");
}

static void test_limits_icmp(struct fixture *f)
{
	const struct xdpi_limits l = { .icmp_ns = 1000000000 / 3 };
	struct pkt_spec ping = { .family = 4, .proto = 1, .src = "198.18.0.1", .dst = "198.18.0.2",
				 .icmp_type = 8, .icmp_id = 7 };
	struct pkt_spec udp = { .family = 4, .proto = 17, .src = "198.18.0.1", .dst = "198.18.0.2",
				.sport = 5000, .dport = 53 };

	set_limits(f, &l);
	set_clock(f, 1000);
	mark(f);
	ASSERT_EQ(run_n(f, &ping, 5), 3, "3 ICMP/s pass");
	ASSERT_EQ(run_n(f, &udp, 10), 10, "the source's UDP is not limited");
	ASSERT_EQ(delta(f, XDPI_CNT_ICMP_FLOOD_DROP), 2, "ICMP drops counted");
	ASSERT_EQ(rule_pkts(f, XDPI_RULE_ICMP_FLOOD), 2, "rule 33 counted");
}

/* Two drop records per second reach user space with their rule and reason; the rest of the
 * drops are counted as not sampled. */
static void test_drop_samples(struct fixture *f)
{
	const struct xdpi_limits l = { .drop_sample_ns = 500000000 };
	struct pkt_spec a = tcp4(0x02, NULL);
	uint8_t buf[256];
	size_t len = pkt_build(&a, buf, sizeof(buf));

	policy_put(f, "198.18.0.0/24", XDPI_POLICY_DROP, 44, 0);
	set_limits(f, &l);
	set_clock(f, 1000);
	mark(f);
	f->nrecs = 0;
	ASSERT_EQ(run_n(f, &a, 5), 0, "all dropped");
	ASSERT_EQ(f->nrecs, 2, "two records");
	ASSERT_EQ(f->recs[0].h.type, XDPI_EVENT_DROP, "a DROP record");
	ASSERT_EQ(f->recs[0].h.rule_id, 44, "with its rule");
	ASSERT_EQ(f->recs[0].h.reason, XDPI_DROP_POLICY, "and reason");
	ASSERT_EQ(f->recs[0].h.cap_len, len, "the whole (short) frame");
	ASSERT_EQ(memcmp(f->recs[0].data, buf, len), 0, "its bytes");
	ASSERT_EQ(delta(f, XDPI_CNT_DROP_SAMPLED), 2, "sampled counted");
	ASSERT_EQ(delta(f, XDPI_CNT_DROP_NOT_SAMPLED), 3, "the rest counted");
	ASSERT_EQ(delta(f, XDPI_CNT_CAPTURED), 0, "drop records are not captures");
}

static void port_rule(struct fixture *f, const char *text, uint32_t rule)
{
	struct xdpi_port_rules r = { 0 };
	char err[256];

	ASSERT_EQ(xdpi_port_rules_parse("t", text, strlen(text), &r, err, sizeof(err)), 0, text);
	ASSERT_EQ(xdpi_port_rule_apply(bpf_map__fd(f->xdp->maps.ports4),
				       bpf_map__fd(f->xdp->maps.ports6),
				       bpf_map__fd(f->xdp->maps.policy_gen), &r.rules[0], rule, false),
		  0, "port rule applied");
	xdpi_port_rules_free(&r);
}

/* The longest match over protocol, port and source decides; address entries come first;
 * egress is not filtered by port rules. */
static void test_port_rules(struct fixture *f)
{
	struct pkt_spec ssh = tcp4(0x02, NULL), telnet = tcp4(0x02, NULL), web = tcp4(0x02, NULL);
	struct pkt_spec ping = { .family = 4, .proto = 1, .src = "198.18.9.1", .dst = "198.18.0.2",
				 .icmp_type = 8, .icmp_id = 7 };
	struct pkt_spec ping6 = { .family = 6, .proto = 58, .src = "fd00::1", .dst = "fd00::2",
				  .icmp_type = 128, .icmp_id = 7 };

	ssh.dport = 22;
	telnet.dport = 23;
	port_rule(f, "drop tcp/22", 60);
	port_rule(f, "allow tcp/22 from 198.18.0.0/24", 61);
	port_rule(f, "drop tcp/23", 62);
	port_rule(f, "drop icmp from 198.18.9.0/24", 63);
	policy_put(f, "198.18.7.7/32", XDPI_POLICY_ALLOW, 64, 0);
	mark(f);
	ASSERT_EQ(run(f, &ssh, false), XDP_PASS, "ssh from the allowed /24");
	ssh.src = "198.18.1.1";
	ASSERT_EQ(run(f, &ssh, false), XDP_DROP, "ssh from elsewhere");
	ASSERT_EQ(run(f, &telnet, false), XDP_DROP, "telnet from anywhere");
	telnet.src = "198.18.7.7";
	ASSERT_EQ(run(f, &telnet, false), XDP_PASS, "an allowed address passes every port rule");
	ASSERT_EQ(run(f, &web, false), XDP_PASS, "port 80 has no rule");
	ASSERT_EQ(run(f, &ping, false), XDP_DROP, "icmp from the listed /24");
	ping.src = "198.18.8.1";
	ASSERT_EQ(run(f, &ping, false), XDP_PASS, "icmp from elsewhere");
	ASSERT_EQ(run(f, &ping6, false), XDP_PASS, "the v4 icmp rule is not a v6 one");
	ASSERT_EQ(rule_pkts(f, 60), 1, "rule 60 counted");
	ASSERT_EQ(rule_pkts(f, 61), 1, "rule 61 counted");
	ASSERT_EQ(rule_pkts(f, 62), 1, "rule 62 counted");
	ASSERT_EQ(rule_pkts(f, 63), 1, "rule 63 counted");
	ASSERT_EQ(delta(f, XDPI_CNT_PORT_DROP), 3, "port drops");
	ASSERT_EQ(delta(f, XDPI_CNT_PORT_ALLOW), 1, "port allows");
	/* at egress the same rules apply to what the services send: source port, destination */
	telnet.src = "198.18.0.2", telnet.dst = "198.18.1.1", telnet.sport = 23, telnet.dport = 40000;
	ASSERT_EQ(run(f, &telnet, true), 2 /* TC_ACT_SHOT */, "egress from the telnet port: dropped");
	ssh.src = "198.18.0.2", ssh.sport = 22, ssh.dport = 40000;
	ssh.dst = "198.18.0.5";
	ASSERT_EQ(run(f, &ssh, true), TC_NEXT, "egress from ssh to the allowed /24");
	ssh.dst = "198.18.1.1";
	ASSERT_EQ(run(f, &ssh, true), 2, "egress from ssh elsewhere: dropped");
	web.src = "198.18.0.2", web.dst = "198.18.1.1", web.sport = 40000, web.dport = 23;
	ASSERT_EQ(run(f, &web, true), TC_NEXT, "the host's own connection to a remote port 23");
	ASSERT_EQ(rule_pkts(f, 62), 2, "rule 62 counted at both hooks");
}

static struct xdpi_cidr cidr_of(const char *text)
{
	struct xdpi_cidr_list l = { 0 };
	struct xdpi_cidr c = { 0 };
	char err[128];

	if (!xdpi_cidr_list_parse("t", text, strlen(text), &l, err, sizeof(err)) && l.count)
		c = l.entries[0];
	xdpi_cidr_list_free(&l);
	return c;
}

/* TC egress uses the verdict cache too: a repeat destination is answered from it, and a new
 * block reaches the cached answer at once. */
static void test_policy_cache_egress(struct fixture *f)
{
	struct pkt_spec out = tcp4(0x10, NULL);

	out.src = "198.18.0.2", out.dst = "198.18.0.61";
	cache_on(f);
	policy_put(f, "198.18.200.0/24", XDPI_POLICY_DROP, 70, 0);
	mark(f);
	ASSERT_EQ(run_n_egress(f, &out, 3), 3, "an unlisted destination passes");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_CACHE_MISS), 1, "one miss");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_CACHE_HIT), 2, "then hits");
	struct xdpi_cidr host = cidr_of("198.18.0.61/32");
	struct xdpi_policy_value drop = { .rule_id = 71, .action = XDPI_POLICY_DROP };

	ASSERT_EQ(xdpi_policy_put(&f->policy, &host, &drop), 0, "block the destination");
	ASSERT_EQ(xdpi_policy_commit(&f->policy), 0, "commit: cached answers are stale");
	ASSERT_EQ(run(f, &out, true), 2, "the new block applies at once");
	ASSERT_EQ(rule_pkts(f, 71), 1, "rule 71 counted at egress");
}

/* The verdict cache answers repeat sources, and every kind of change reaches it at once: a
 * new entry, a deleted one, an expiry, a reload; a miss is counted once per source. */
static void test_policy_cache(struct fixture *f)
{
	struct xdpi_policy_value drop = { .rule_id = 70, .action = XDPI_POLICY_DROP };
	struct xdpi_policy_value allow = { .rule_id = 71, .action = XDPI_POLICY_ALLOW,
					   .expires_ns = 2000000000ull };
	struct xdpi_cidr net = cidr_of("198.18.0.0/24"), host = cidr_of("198.18.0.7");

	struct xdpi_cidr elsewhere = cidr_of("198.19.255.0/24");

	cache_on(f);
	set_clock(f, 1000);
	mark(f);
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_PASS, "nothing ever listed");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_CACHE_MISS) + delta(f, XDPI_CNT_POLICY_CACHE_HIT), 0,
		  "  the tries and the cache are not looked at");
	ASSERT_EQ(xdpi_policy_put(&f->policy, &elsewhere, &drop), 0, "an entry elsewhere");
	ASSERT_EQ(xdpi_policy_commit(&f->policy), 0, "commit");
	mark(f);
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_PASS, "no entry");
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_PASS, "no entry, cached");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_CACHE_MISS), 1, "one miss");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_CACHE_HIT), 1, "one hit");
	ASSERT_EQ(xdpi_policy_put(&f->policy, &net, &drop), 0, "block the /24");
	ASSERT_EQ(xdpi_policy_commit(&f->policy), 0, "commit");
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_DROP, "the new block applies");
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_DROP, "and stays, cached");
	ASSERT_EQ(xdpi_policy_put(&f->policy, &host, &allow), 0, "allow .7 until 2 s");
	xdpi_policy_commit(&f->policy);
	ASSERT_EQ(run_from(f, "198.18.0.7", "198.19.0.1", false), XDP_PASS, "the allow applies");
	ASSERT_EQ(run_from(f, "198.18.0.7", "198.19.0.1", false), XDP_PASS, "cached");
	set_clock(f, 3000);
	ASSERT_EQ(run_from(f, "198.18.0.7", "198.19.0.1", false), XDP_DROP, "expired in the cache too");
	ASSERT_EQ(xdpi_policy_delete(&f->policy, &net), 0, "unblock the /24");
	xdpi_policy_commit(&f->policy);
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_PASS, "the unblock applies");
	ASSERT_EQ(rule_pkts(f, 70), 3, "cached drops count for their rule");

	/* IPv6 answers have a map of their own (IPv4's is keyed by the address alone) */
	struct xdpi_cidr net6 = cidr_of("fd00:18::/64");

	mark(f);
	ASSERT_EQ(run_from(f, "fd00:18::1", "fd00:19::1", false), XDP_PASS, "v6: no entry");
	ASSERT_EQ(run_from(f, "fd00:18::1", "fd00:19::1", false), XDP_PASS, "v6: no entry, cached");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_CACHE_MISS), 1, "v6: one miss");
	ASSERT_EQ(delta(f, XDPI_CNT_POLICY_CACHE_HIT), 1, "v6: one hit");
	ASSERT_EQ(xdpi_policy_put(&f->policy, &net6, &drop), 0, "block the v6 /64");
	ASSERT_EQ(xdpi_policy_commit(&f->policy), 0, "commit");
	ASSERT_EQ(run_from(f, "fd00:18::1", "fd00:19::1", false), XDP_DROP, "v6: the block applies");
	ASSERT_EQ(run_from(f, "fd00:18::1", "fd00:19::1", false), XDP_DROP, "v6: and stays, cached");
	ASSERT_EQ(run_from(f, "198.18.0.1", "198.19.0.1", false), XDP_PASS, "v4 untouched by it");
	ASSERT_EQ(rule_pkts(f, 70), 5, "v6 drops counted too");
}

struct tcase {
	const char *name;
	void (*fn)(struct fixture *f);
	struct setup setup;
};

static const struct tcase cases[] = {
	{ "tcp_syn_then_data_in_head", test_tcp_syn_then_data_in_head, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "head_stops_after_n", test_head_stops_after_n, { XDPI_STEER_HEAD, 2, 0, 0, false, false } },
	{ "tcp_reuse_renews_a_closed_flow", test_tcp_reuse_renews_a_closed_flow, { XDPI_STEER_HEAD, 2, 0, 0, false, false } },
	{ "initiator_guessed_mid_flow", test_initiator_guessed_mid_flow, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "tc_egress_shares_the_flow", test_tc_egress_shares_the_flow, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "udp_dns_and_ipv4_options", test_udp_dns_and_ipv4_options, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "ipv6_ext_headers", test_ipv6_ext_headers, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "vlan_qinq_and_too_many", test_vlan_qinq_and_too_many, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "fragments_attributed", test_fragments_attributed, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "tunnels_decapsulated", test_tunnels_decapsulated, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "tunnels_malformed", test_tunnels_malformed, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "tunnels_policy_inner", test_tunnels_policy_inner, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "tunnels_policy_outer", test_tunnels_policy_outer, { XDPI_STEER_HEAD, 0, 0, 0, false, true } },
	{ "icmp_echo", test_icmp_echo, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "malformed_reasons", test_malformed_reasons, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "pass_state_copies_nothing", test_pass_state_copies_nothing, { XDPI_STEER_PASS, 0, 0, 0, false, false } },
	{ "snip_port_copies_every_packet", test_snip_port_copies_every_packet, { XDPI_STEER_HEAD, 2, 0, 0, false, false } },
	{ "snaplen_cuts_records", test_snaplen_cuts_records, { XDPI_STEER_SNIP, 0, 256, 0, false, false } },
	{ "full_ringbuf_is_a_counted_loss", test_full_ringbuf_is_a_counted_loss, { XDPI_STEER_HEAD, 0, 0, 16384, false, false } },
	{ "small_ring_wakes_its_consumer", test_small_ring_wakes_its_consumer, { XDPI_STEER_HEAD, 0, 0, 131072, false, false } },
	{ "policy_v4_longest_prefix", test_policy_v4_longest_prefix, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "policy_v6_longest_prefix", test_policy_v6_longest_prefix, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "policy_expiry", test_policy_expiry, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "policy_alert_entries", test_policy_alert_entries, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "policy_replace_rule", test_policy_replace_rule, { XDPI_STEER_HEAD, 0, 0, 0, false, false } },
	{ "limits_token_bucket", test_limits_token_bucket, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "limits_bytes", test_limits_bytes, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "limits_syn_flood", test_limits_syn_flood, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "limits_icmp", test_limits_icmp, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "policy_cache", test_policy_cache, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "port_rules", test_port_rules, { XDPI_STEER_PASS, 0, 0, 0, false, false } },
	{ "drop_samples", test_drop_samples, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "limits_egress", test_limits_egress, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "policy_cache_egress", test_policy_cache_egress, { XDPI_STEER_PASS, 0, 0, 0, true, false } },
	{ "msg_unhinted_copies_all", test_msg_unhinted_copies_all, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_datagrams_copied_without_a_word", test_msg_datagrams_copied_without_a_word, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_skip_across_packets", test_msg_skip_across_packets, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_head_inside_a_packet", test_msg_head_inside_a_packet, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_retransmission_and_reordering", test_msg_retransmission_and_reordering, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_gso_super_packet", test_msg_gso_super_packet, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_copy_whole_super_packet", test_msg_copy_whole_super_packet, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_stale_hint_ignored", test_msg_stale_hint_ignored, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_wakeups_spaced", test_msg_wakeups_spaced, { XDPI_STEER_MSG, 2, 0, 0, true, false } },
	{ "msg_skip_and_copy_modes", test_msg_skip_and_copy_modes, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_head_budget", test_msg_head_budget, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_h2_walk", test_msg_h2_walk, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
	{ "msg_h2_out_of_step", test_msg_h2_out_of_step, { XDPI_STEER_MSG, 2, 0, 0, false, false } },
};

static bool same_setup(const struct setup *a, const struct setup *b)
{
	return a->steer == b->steer && a->head_pkts == b->head_pkts && a->snaplen == b->snaplen &&
	       a->ringbuf == b->ringbuf && a->replay == b->replay && a->policy_outer == b->policy_outer;
}

#define NCASES (sizeof(cases) / sizeof(cases[0]))

struct group_result {
	int checks, passed, failed, skipped;
};

/* What every case must leave true, whatever it did: each packet got one verdict, and each
 * drop has exactly one reason. */
static void counters_add_up(struct fixture *f)
{
	uint64_t c[XDPI_CNT_MAX];

	read_counters(f, c);
	ASSERT_EQ(c[XDPI_CNT_PKTS], c[XDPI_CNT_VERDICT_PASS] + c[XDPI_CNT_VERDICT_DROP],
		  "pkts = verdict_pass + verdict_drop");
	ASSERT_EQ(c[XDPI_CNT_VERDICT_DROP],
		  c[XDPI_CNT_POLICY_DROP] + c[XDPI_CNT_PORT_DROP] + c[XDPI_CNT_RATE_DROP_PKTS] +
		  c[XDPI_CNT_RATE_DROP_BYTES] + c[XDPI_CNT_SYN_FLOOD_DROP] +
		  c[XDPI_CNT_ICMP_FLOOD_DROP] + c[XDPI_CNT_TAP_NOT_STEERED],
		  "verdict_drop = the sum of the drop reasons");
}

static void run_one(struct fixture *f, size_t i, struct group_result *r)
{
	checks = failures = 0;
	if (fixture_reset(f)) {
		fprintf(stderr, "  FAIL %s: resetting the fixture: %s\n", cases[i].name,
			strerror(errno));
		failures++;
	} else {
		cases[i].fn(f);
		counters_add_up(f);
	}
	printf("%s %s\n", failures ? "FAIL" : "ok", cases[i].name);
	r->checks += checks;
	if (failures)
		r->failed++;
	else
		r->passed++;
}

/* Every case whose setup is case FIRST's, in a child process with one load of the programs;
 * the tally goes back through FD. Exit 0 when it could be written. */
static int run_group(size_t first, int fd)
{
	struct group_result r = { 0 };
	struct fixture f;
	int err = fixture_open(&f, &cases[first].setup);

	for (size_t i = first; i < NCASES; i++) {
		if (!same_setup(&cases[i].setup, &cases[first].setup))
			continue;
		if (err == -EPERM || err == -EACCES) {
			r.skipped++;
		} else if (err) {
			fprintf(stderr, "  FAIL %s: fixture: %s\n", cases[i].name, strerror(-err));
			r.failed++;
		} else {
			run_one(&f, i, &r);
		}
	}
	if (r.skipped)
		fprintf(stderr, "cannot load BPF programs: %s\n", strerror(-err));
	fixture_close(&f);
	fflush(stdout);
	return write(fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

/* The first case of each distinct setup, in order. */
static size_t group_leaders(size_t out[NCASES])
{
	size_t n = 0;

	for (size_t i = 0; i < NCASES; i++) {
		size_t j = 0;

		while (j < i && !same_setup(&cases[j].setup, &cases[i].setup))
			j++;
		if (j == i)
			out[n++] = i;
	}
	return n;
}

/* One load per distinct setup, reset between its cases; the groups run in child processes,
 * as many at once as there are CPUs. */
int main(void)
{
	size_t leaders[NCASES], ngroups = group_leaders(leaders), next = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct group_result sum = { 0 };
	int running = 0, lost = 0, fds[2];

	libbpf_set_print(NULL);
	if (pipe(fds))
		return 1;
	fflush(stdout);
	while (next < ngroups || running) {
		struct group_result r;
		int status;

		if (next < ngroups && running < (ncpu > 0 ? ncpu : 1)) {
			pid_t pid = fork();

			if (pid == 0) {
				close(fds[0]);
				_exit(run_group(leaders[next], fds[1]));
			}
			if (pid < 0)
				return 1;
			next++, running++;
			continue;
		}
		if (wait(&status) < 0)
			break;
		running--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) ||
		    read(fds[0], &r, sizeof(r)) != sizeof(r)) {
			lost++; /* a group that crashed: its cases count as neither passed nor failed */
			continue;
		}
		sum.checks += r.checks, sum.passed += r.passed;
		sum.failed += r.failed, sum.skipped += r.skipped;
	}
	if (sum.skipped)
		return getenv("CI") && !strcmp(getenv("CI"), "true") ? 1 : 77;
	printf("bpf: %d checks in %zu cases, %zu loads; %d passed, %d failed%s\n", sum.checks,
	       NCASES, ngroups, sum.passed, sum.failed, lost ? " (a group crashed)" : "");
	return sum.failed || lost || sum.passed != (int)NCASES ? 1 : 0;
}
