/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Flow accounting: canonical key, find-or-create in the LRU flow map, per-direction counters. */
#ifndef XDPI_BPF_FLOW_H
#define XDPI_BPF_FLOW_H

#include "lib/ctx.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/consts.h"
#include "lib/verdict.h"
#include "lib/clock.h"
#include "shared/xdpi_flow_rules.h"

/* <0, 0, >0 as (addr, port) of the source sorts before, with, after the destination's. */
static __always_inline int endpoint_cmp(const struct xdpi_meta *m)
{
#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 s = bpf_ntohl(m->saddr[i]), d = bpf_ntohl(m->daddr[i]);

		if (s != d)
			return s < d ? -1 : 1;
	}
	if (m->sport != m->dport)
		return bpf_ntohs(m->sport) < bpf_ntohs(m->dport) ? -1 : 1;
	return 0;
}

/* Fills the canonical key; returns the packet's direction (0: a->b). */
static __always_inline __u8 flow_key_make(const struct xdpi_meta *m, struct xdpi_flow_key *k)
{
	__u8 dir = endpoint_cmp(m) > 0;

	if (!dir) {
		__builtin_memcpy(k->addr_a, m->saddr, 16);
		__builtin_memcpy(k->addr_b, m->daddr, 16);
		k->port_a = m->sport;
		k->port_b = m->dport;
	} else {
		__builtin_memcpy(k->addr_a, m->daddr, 16);
		__builtin_memcpy(k->addr_b, m->saddr, 16);
		k->port_a = m->dport;
		k->port_b = m->sport;
	}
	k->vlan = m->vlan;
	k->proto = m->proto;
	k->family = m->family;
	k->tun_type = m->tun_type;
	k->tun_id = xdpi_tun_key_id(m->tun_type, m->tun_id);
	return dir;
}

/* Later fragments carry no ports: take them from the first fragment, when it came first. */
static __always_inline void frag_key_make(const struct xdpi_meta *m, struct xdpi_frag_key *fk)
{
	__builtin_memcpy(fk->saddr, m->saddr, 16);
	__builtin_memcpy(fk->daddr, m->daddr, 16);
	fk->id = m->frag_id;
	fk->proto = m->proto;
	fk->family = m->family;
}

static __always_inline int frag_attribute(struct xdpi_meta *m, struct xdpi_counters *cs)
{
	struct xdpi_frag_key fk = {};
	struct xdpi_frag_value *fv;

	if (m->frag == XDPI_FRAG_NONE)
		return 0;
	frag_key_make(m, &fk);
	if (m->frag == XDPI_FRAG_FIRST) {
		struct xdpi_frag_value v = { .sport = m->sport, .dport = m->dport };

		cnt_add(cs, XDPI_CNT_FRAG_FIRST, 1);
		bpf_map_update_elem(&frag_ports, &fk, &v, BPF_ANY);
		return 0;
	}
	cnt_add(cs, XDPI_CNT_FRAG_LATER, 1);
	if (m->proto != IPPROTO_TCP && m->proto != IPPROTO_UDP)
		return 0; /* portless protocols need no attribution */
	fv = bpf_map_lookup_elem(&frag_ports, &fk);
	if (!fv) {
		cnt_add(cs, XDPI_CNT_FRAG_UNATTRIBUTED, 1);
		return -1;
	}
	m->sport = fv->sport;
	m->dport = fv->dport;
	return 0;
}

static __always_inline __u8 initial_steer(const struct xdpi_meta *m)
{
	struct xdpi_port_key pk = { .proto = m->proto };
	__u8 *s;

	pk.port = bpf_ntohs(m->dport);
	s = bpf_map_lookup_elem(&steer_ports, &pk);
	if (!s) {
		pk.port = bpf_ntohs(m->sport);
		s = bpf_map_lookup_elem(&steer_ports, &pk);
	}
	return s ? *s : cfg_default_steer;
}

/* The side that opened the flow, as user space guesses it (bpf/shared/xdpi_flow_rules.h). The
 * first packet's sender alone named the server the client of every download already running
 * when xdpi started, and a capture read through the kernel disagreed with its offline read. */
static __always_inline __u8 flow_initiator(const struct xdpi_meta *m, __u8 dir)
{
	return xdpi_guess_initiator(m->proto, m->tcp_flags, bpf_ntohs(m->sport),
				    bpf_ntohs(m->dport), dir);
}

/* A new flow's entry (apart from the lookup, so that a found flow pays nothing for it).
 * *STAMP: the precise time of its first packet, when this packet made the entry (the packet's
 * record, if copied, carries the same time). */
static __always_inline struct xdpi_flow_value *flow_create(const struct xdpi_flow_key *k,
							     const struct xdpi_meta *m, __u8 dir,
							     __u64 now, __u64 *stamp,
							     struct xdpi_counters *cs)
{
	struct xdpi_flow_value nv = {}, *v;

	nv.first_ns = clock_precise(now); /* once per flow; later packets keep the tick */
	nv.last_ns = nv.first_ns;
	nv.steer = initial_steer(m);
	nv.initiator = flow_initiator(m, dir);
	nv.icmp_type = m->icmp_type;
	nv.icmp_code = m->icmp_code;
	nv.head_left[0] = cfg_head_pkts;
	nv.head_left[1] = cfg_head_pkts;
	if (bpf_map_update_elem(&flows, k, &nv, BPF_NOEXIST) == 0) {
		cnt_add(cs, XDPI_CNT_FLOW_NEW, 1);
		*stamp = nv.first_ns;
	}
	v = bpf_map_lookup_elem(&flows, k); /* also wins a race with another CPU */
	if (!v)
		cnt_add(cs, XDPI_CNT_FLOW_INSERT_FAIL, 1);
	return v;
}

/* *STAMP as flow_create's, 0 for a flow that was there. */
static __always_inline struct xdpi_flow_value *flow_lookup_or_create(const struct xdpi_flow_key *k,
								     const struct xdpi_meta *m,
								     __u8 dir, __u64 now,
								     __u64 *stamp,
								     struct xdpi_counters *cs)
{
	struct xdpi_flow_value *v = bpf_map_lookup_elem(&flows, k);

	*stamp = 0;
	if (v)
		return v;
	return flow_create(k, m, dir, now, stamp, cs);
}

/* A SYN without ACK on a closed TCP flow opens a new connection on its tuple (the rule of
 * user space's tcp_reuse). The entry starts over, steering and budgets included, so the new
 * connection is copied as any new one is, not left bypassed or with a spent budget until the
 * old entry times out. The old connection's last counts go first through the ring, so user
 * space ends its record exactly, before any record of the new one. No room in the ring: the
 * entry goes on as it was (the new connection counted into the old record), counted. */
static __always_inline void flow_renew(const struct xdpi_flow_key *k, struct xdpi_flow_value *v,
				       const struct xdpi_meta *m, __u8 dir, __u64 now,
				       __u64 *stamp, struct xdpi_counters *cs)
{
	struct xdpi_event_hdr *h;
	struct xdpi_flow_ended *rec;

	h = bpf_ringbuf_reserve(&events_rb, sizeof(*h) + sizeof(*rec), 0);
	if (!h) {
		cnt_add(cs, XDPI_CNT_FLOW_RENEW_LOST, 1);
		return;
	}
	__builtin_memset(h, 0, sizeof(*h));
	h->type = XDPI_EVENT_FLOW_ENDED;
	h->len = sizeof(*h) + sizeof(*rec);
	h->cap_len = sizeof(*rec);
	h->hook = XDPI_HOOK;
	h->ts_ns = now;
	rec = (void *)(h + 1);
	rec->key = *k;
	rec->val = *v;
	bpf_ringbuf_submit(h, BPF_RB_NO_WAKEUP);
	__builtin_memset(v, 0, sizeof(*v));
	v->first_ns = clock_precise(now);
	v->last_ns = v->first_ns;
	v->steer = initial_steer(m);
	v->initiator = flow_initiator(m, dir);
	v->head_left[0] = cfg_head_pkts;
	v->head_left[1] = cfg_head_pkts;
	*stamp = v->first_ns;
	cnt_add(cs, XDPI_CNT_FLOW_RENEWED, 1);
}

static __always_inline void flow_account(struct xdpi_flow_value *v, const struct xdpi_meta *m,
					 __u8 dir, __u32 wire_len, __u64 now)
{
	dir &= 1;
	__sync_fetch_and_add(&v->pkts[dir], m->segs ? m->segs : 1);
	__sync_fetch_and_add(&v->bytes[dir], wire_len);
	/* flags rarely change after the handshake: read first, lock only to add new ones */
	if (m->tcp_flags & ~v->tcp_flags[dir])
		__sync_fetch_and_or(&v->tcp_flags[dir], m->tcp_flags);
	if (now > v->last_ns)
		v->last_ns = now;
}

#endif /* XDPI_BPF_FLOW_H */
