/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The per-packet pipeline shared by every hook: parse, apply policy and rate limits, account
 * the flow, steer, finish. Each stage is a global function (a BPF-to-BPF call the verifier
 * checks once, on its own, against its argument types), so the program's verification cost is
 * the sum of its stages rather than the product of their paths: room for the stages to grow.
 * The entry function keeps what must stay in the program itself (the clock, pulling TC
 * headers, the AF_XDP redirect) and the single exit. */
#ifndef XDPI_BPF_PIPELINE_H
#define XDPI_BPF_PIPELINE_H

#include "lib/ctx.h"
#include "lib/parse.h"
#include "lib/flow.h"
#include "lib/policy.h"
#include "lib/limits.h"
#include "lib/drop.h"
#include "lib/steer.h"
#include "lib/verdict.h"
#include "lib/lb.h"

/* The HTTP/2 frame walk over one packet's payload (XDPI_MSG_H2): the stretches to copy. */
struct xdpi_run {
	__u32 off; /* payload offset */
	__u32 len;
};

struct xdpi_h2_walk {
	__u32 seq;   /* the payload's first byte */
	__u32 len;   /* payload bytes in the frame */
	__u32 pos;   /* in: the frame header to walk from; out: the next frame header */
	__u16 hdr;   /* the frame's L2..L4 header bytes */
	__u8 sync;   /* out: pos is known to be a frame header's */
	__u8 nruns;  /* out: stretches in run[] */
	__u8 tail;   /* out: the payload's last bytes were left out (a DATA payload) */
	__u8 pad[3];
	struct xdpi_run run[XDPI_H2_WALK_RUNS];
};

/* One stretch of a packet to copy: the headers, then LEN payload bytes from OFF (none: the
 * headers alone, where skipped bytes end). */
struct xdpi_run_req {
	struct xdpi_event_hdr tmpl; /* reason: the last record's (MSG: the record reaches the
				     * packet's end; SLICE: its bytes and no more) */
	__u32 hdr;
	__u32 off;
	__u32 len;
	__u8 wake;
	__u8 pad[3];
};

/* What the flow stage tells the entry about the packet's flow. */
struct xdpi_flow_out {
	__u32 cap_len;
	__u32 skip;      /* payload bytes left out before the copied ones (a message head) */
	__u16 hdr;       /* the frame's L2..L4 header bytes, copied before those */
	__u8 cap_reason; /* enum xdpi_cap_reason; 0: not copied */
	__u8 dir;
	__u8 steer;      /* the flow's steering state */
	__u8 wake;       /* see struct xdpi_capture */
	__u8 walked;     /* the copy is walk's stretches */
	__u8 pad;
	__u64 stamp;     /* the precise time of a flow this packet made, else 0 */
	struct xdpi_h2_walk walk;
};

_Static_assert(XDPI_CNT_TUN_TEREDO - XDPI_CNT_TUN_VXLAN == XDPI_TUN_TEREDO - XDPI_TUN_VXLAN,
	      "one counter per tunnel type, in the types' order");

static __always_inline void count_tunnels(struct xdpi_counters *cs, const struct xdpi_meta *m)
{
	__u16 seen = m->tun_seen;

	if (!seen)
		return;
#pragma unroll
	for (int t = 1; t < XDPI_TUN_MAX; t++)
		if (seen & (1u << t))
			cnt_add(cs, XDPI_CNT_TUN_VXLAN + t - XDPI_TUN_VXLAN, 1);
	if (seen & XDPI_SEEN_MPLS)
		cnt_add(cs, XDPI_CNT_MPLS, 1);
	if (seen & XDPI_SEEN_GTPC)
		cnt_add(cs, XDPI_CNT_GTP_SIGNALLING, 1);
	if (seen & XDPI_SEEN_PPPOE)
		cnt_add(cs, XDPI_CNT_PPPOE, 1);
}

static __always_inline void count_layers(struct xdpi_counters *cs, const struct xdpi_meta *m)
{
	count_tunnels(cs, m);
	if (m->nvlan)
		cnt_add(cs, m->nvlan > 1 ? XDPI_CNT_QINQ : XDPI_CNT_VLAN, 1);
	if (m->family == 0) {
		cnt_add(cs, XDPI_CNT_NON_IP, 1);
		return;
	}
	cnt_add(cs, m->family == 4 ? XDPI_CNT_IPV4 : XDPI_CNT_IPV6, 1);
	switch (m->proto) {
	case IPPROTO_TCP:
		cnt_add(cs, XDPI_CNT_TCP, 1);
		break;
	case IPPROTO_UDP:
		cnt_add(cs, XDPI_CNT_UDP, 1);
		break;
	case IPPROTO_ICMP:
		cnt_add(cs, XDPI_CNT_ICMP, 1);
		break;
	case IPPROTO_ICMPV6:
		cnt_add(cs, XDPI_CNT_ICMPV6, 1);
		break;
	default:
		cnt_add(cs, XDPI_CNT_OTHER_L4, 1);
	}
}

/* What the packet's carrier holds where the parser stopped: 1 with *T when a tunnel starts
 * there, 0 when none does, -XDPI_REASON_* for a tunnel header cut short or wrong. The header
 * is copied onto the stack (XDPI_TUN_PEEK bytes at most) and read by the code user space
 * reads it with (bpf/shared/xdpi_tunnel.h). */
__noinline int xdpi_tunnel_peek(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 parse_len,
			     struct xdpi_tun *t)
{
	__u8 h[XDPI_TUN_PEEK] = {};
	__u32 off, avail, n;
	int r;

	if (!m || !t)
		return 0;
	off = m->end_off;
	t->gtpc = 0;
	if (m->frag != XDPI_FRAG_NONE)
		return 0; /* a fragment's inner packet is cut: the outer flow counts it */
	if (m->proto == IPPROTO_IPIP || m->proto == IPPROTO_IPV6) {
		if (cfg_tun_ignore & (1u << XDPI_TUN_IPIP))
			return 0;
		t->type = XDPI_TUN_IPIP;
		t->id = 0;
		t->hlen = 0;
		t->next = m->proto == IPPROTO_IPIP ? XDPI_NEXT_IPV4 : XDPI_NEXT_IPV6;
		return 1;
	}
	if (m->proto != IPPROTO_UDP && m->proto != IPPROTO_GRE)
		return 0;
	avail = off < parse_len ? parse_len - off : 0;
	if (avail > m->payload_len)
		avail = m->payload_len;
	n = avail < XDPI_TUN_PEEK ? avail : XDPI_TUN_PEEK;
	if (n && ctx_load_bytes(ctx, off, h, n & (2 * XDPI_TUN_PEEK - 1)))
		return -XDPI_REASON_TUNNEL_TRUNC;
	if (m->proto == IPPROTO_UDP)
		r = xdpi_tun_udp(h, n, m->payload_len, bpf_ntohs(m->sport), bpf_ntohs(m->dport),
				 cfg_tun_ignore, cfg_vxlan_port, t);
	else
		r = xdpi_tun_gre(h, n, cfg_tun_ignore, t);
	if (r > 0 && t->hlen > avail)
		return -XDPI_REASON_TUNNEL_TRUNC;
	return r;
}

/* The link layer at OFF in the frame (NEXT: XDPI_NEXT_*): an Ethernet frame with its tags
 * (KEEP: the wire's outer frame, whose tag the flow keeps; a tunnel's frame passes its tags),
 * MPLS labels, or nothing. The network layer's offset and version (IPv4: 1 << 16 | offset,
 * IPv6: 2 << 16 | offset; l3_at() reads it), 0 when it is not IP, or -XDPI_REASON_*. */
__noinline int xdpi_parse_l2(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 off, __u32 next,
			     __u32 keep)
{
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	struct hdr_cursor c = { .start = data };
	int proto = (int)next;

	if (!m)
		return 0;
	if (off > XDPI_TUN_HDR_MAX)
		return -XDPI_REASON_TUNNEL_TRUNC;
	c.pos = data + off;
	if (next == XDPI_NEXT_ETH)
		proto = parse_eth(&c, end, m, keep);
	else if (next == XDPI_NEXT_MPLS || next == XDPI_NEXT_MPLS_MC)
		proto = parse_mpls(&c, end, m);
	if (proto == XDPI_ETH_FOLLOWS) /* an MPLS pseudowire: the frame it carries */
		proto = parse_eth(&c, end, m, 0);
	if (proto < 0)
		return proto;
	if (proto != ETH_P_IP && proto != ETH_P_IPV6)
		return 0;
	return (proto == ETH_P_IP ? 1 : 2) << 16 | (int)(c.pos - data);
}

/* The ethertype and the offset of xdpi_parse_l2's answer R (> 0). */
static __always_inline __u32 l3_at(int r, __u32 *off)
{
	*off = (__u32)r & 0xffff;
	return (r >> 16) == 1 ? ETH_P_IP : ETH_P_IPV6;
}

/* The network layer of ethertype PROTO at OFF, and L4, into M (a tunnel's packet in place of
 * its carrier's; the outer VLAN tag stays). 0, or -XDPI_REASON_*. */
__noinline int xdpi_parse_l3(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 off, __u32 proto,
				   __u32 parse_len)
{
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	struct hdr_cursor c = { .start = data, .wire_len = parse_len };

	if (!m)
		return 0;
	if (off > XDPI_TUN_HDR_MAX)
		return -XDPI_REASON_TUNNEL_TRUNC;
	c.pos = data + off;
	__builtin_memset(m->saddr, 0, sizeof(m->saddr));
	__builtin_memset(m->daddr, 0, sizeof(m->daddr));
	m->sport = m->dport = 0;
	m->family = m->proto = m->tcp_flags = m->frag = m->icmp_type = m->icmp_code = 0;
	m->frag_id = m->payload_len = m->tcp_seq = 0;
	m->l3_off = (__u16)off;
	return parse_l3l4(&c, end, m, (int)proto);
}

/* Could the packet carry a tunnel (xdpi_tun_udp's ports, GRE, IP in IP)? Asked inline, so
 * the common packet makes no call for it. */
static __always_inline int may_carry_tunnel(const struct xdpi_meta *m)
{
	if (m->proto == IPPROTO_GRE || m->proto == IPPROTO_IPIP || m->proto == IPPROTO_IPV6)
		return 1;
	return m->proto == IPPROTO_UDP &&
	       xdpi_tun_udp_port(bpf_ntohs(m->sport), bpf_ntohs(m->dport), cfg_vxlan_port);
}

__noinline int xdpi_stage_policy(struct xdpi_meta *m, __u64 now, __u32 wire_len, __u32 *rule);

/* Tunnels, innermost last: each one's packet replaces its carrier in M. 0, or
 * -XDPI_REASON_* (a packet too deep, a header cut short, an inner packet malformed). With
 * --policy-outer the outermost addresses meet the policy first: a drop stops here, M keeping
 * the outer packet, m->outer_drop and m->outer_rule set. */
__noinline int xdpi_stage_decap(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 parse_len, __u64 now,
				__u32 wire_len)
{
	__u32 rule = 0;
	int d;

	if (!m)
		return 0;
	for (int i = 0; i < XDPI_TUN_DEPTH_MAX + 1; i++) {
		struct xdpi_tun t = {};
		int r = xdpi_tunnel_peek(ctx, m, parse_len, &t);
		__u32 off;

		if (t.gtpc)
			m->tun_seen |= XDPI_SEEN_GTPC;
		if (r > 0 && i == XDPI_TUN_DEPTH_MAX)
			r = -XDPI_REASON_TUNNEL_TOO_DEEP;
		if (r <= 0)
			return r;
		if (i == 0 && cfg_policy_outer) {
			d = xdpi_stage_policy(m, now, wire_len, &rule);
			if (d > 0) {
				m->outer_drop = (__u8)d;
				m->outer_rule = rule;
				return 0;
			}
		}
		m->tun_seen |= 1u << (t.type & 15);
		m->tun_type = t.type;
		m->tun_id = t.id;
		m->tun_depth = i + 1;
		off = (__u32)m->end_off + t.hlen;
		if (t.next == XDPI_NEXT_IPV4 || t.next == XDPI_NEXT_IPV6) {
			r = t.next == XDPI_NEXT_IPV4 ? ETH_P_IP : ETH_P_IPV6;
		} else {
			r = xdpi_parse_l2(ctx, m, off, t.next, 0);
			if (r <= 0) { /* not IP inside: the packet has no flow */
				m->family = 0;
				return r;
			}
			r = (int)l3_at(r, &off);
		}
		r = xdpi_parse_l3(ctx, m, off, r, parse_len);
		if (r < 0 || m->family == 0)
			return r;
	}
	return 0;
}

/* Stage 1: L2..L4 into M, tunnels decapsulated, layers counted. 0: an IP packet to go on
 * with; 2: its tunnel's outer addresses are blocked (--policy-outer; m->outer_drop); otherwise
 * the packet just passes (not IP, or malformed: its reason counted here). */
__noinline int xdpi_stage_parse(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 parse_len, __u64 now,
			    __u32 wire_len)
{
	struct xdpi_counters *cs = counters_get();
	int err;

	if (!m) /* pointer arguments of a global function may be NULL, as far as it knows */
		return 1;
	err = xdpi_parse_l2(ctx, m, 0, XDPI_NEXT_ETH, 1);
	if (err > 0) {
		__u32 off, proto = l3_at(err, &off);

		err = xdpi_parse_l3(ctx, m, off, proto, parse_len);
	}
	if (err >= 0 && m->family && may_carry_tunnel(m))
		err = xdpi_stage_decap(ctx, m, parse_len, now, wire_len);
	if (err < 0) {
		cnt_reason(cs, -err);
		return 1;
	}
	if (m->outer_drop)
		return 2; /* the tunnel's outer addresses are blocked (--policy-outer) */
	count_layers(cs, m);
	if ((m->proto == IPPROTO_TCP || m->proto == IPPROTO_UDP) && m->frag != XDPI_FRAG_LATER &&
	    parse_len > m->payload_len)
		m->payload_off = (__u16)(parse_len - m->payload_len);
	return m->family == 0;
}

/* Stage 2: the address policy (with its verdict cache) and the port rules. The drop reason
 * (enum xdpi_drop_reason) with *RULE set, 0 to go on, -1 for an allowed address (exempt from
 * rate limits). */
__noinline int xdpi_stage_policy(struct xdpi_meta *m, __u64 now, __u32 wire_len, __u32 *rule)
{
	struct xdpi_counters *cs = counters_get();
	int action;

	if (!m || !rule)
		return 0;
	action = policy_decide(m, now, wire_len, rule, cs);
	if (action == XDPI_POLICY_DROP)
		return XDPI_DROP_POLICY;
	if (action == XDPI_POLICY_ALLOW)
		return -1;
	action = port_decide(m, now, wire_len, rule, cs);
	if (action == XDPI_POLICY_DROP)
		return XDPI_DROP_PORT_RULE;
	return action == XDPI_POLICY_ALLOW ? -1 : 0;
}

/* Stage 3: rate limits and the SYN flood defence: the drop reason with *RULE set, or 0. */
__noinline int xdpi_stage_limits(struct xdpi_meta *m, __u64 now, __u32 wire_len, __u32 *rule)
{
	return m && rule ? limits_decide(m, now, wire_len, rule, counters_get()) : 0;
}

/* The one way a packet is dropped: counted, sampled to user space; returns the drop verdict. */
__noinline int xdpi_stage_drop(xdpi_ctx_t *ctx, int reason, __u32 rule, __u32 wire_len, __u64 now)
{
	return drop_packet(ctx, reason, rule, wire_len, now, counters_get());
}

/* Adds the payload stretch [OFF, OFF + N) (cut at the payload's end) to W's copies, joined to
 * the last when they touch; past the last slot, the last one grows to cover it. */
static __always_inline void walk_copy(struct xdpi_h2_walk *w, __u32 off, __u32 n)
{
	__u32 k = w->nruns;
	struct xdpi_run *last;

	if (off >= w->len || k > XDPI_H2_WALK_RUNS)
		return;
	if (n > w->len - off)
		n = w->len - off;
	if (k) { /* masked: the verifier wants the index bounded where it is used */
		last = &w->run[(k - 1) & (XDPI_H2_WALK_RUNS - 1)];
		if (last->off + last->len == off || k == XDPI_H2_WALK_RUNS) {
			last->len = off + n - last->off;
			return;
		}
	}
	w->run[k & (XDPI_H2_WALK_RUNS - 1)].off = off;
	w->run[k & (XDPI_H2_WALK_RUNS - 1)].len = n;
	w->nruns = k + 1;
}

/* The HTTP/2 frame walk (XDPI_MSG_H2) over one packet, from the frame header at W->pos: every
 * frame is copied but the payload of an unpadded DATA frame (a padded one whole: its length
 * needs the pad length). A header across the packet's end, or more frames than the walk
 * takes, copies the rest and loses the place (user space names it again). */
__noinline int xdpi_stage_h2_walk(xdpi_ctx_t *ctx, struct xdpi_h2_walk *w)
{
	struct xdpi_counters *cs = counters_get();
	__u8 fh[9];
	__u32 off, flen, copied = 0;

	if (!w)
		return 0;
	w->sync = 1;
	w->nruns = 0;
	for (int i = 0; i < XDPI_H2_WALK_FRAMES; i++) {
		off = w->pos - w->seq;
		if (off >= w->len)
			break;
		if (off + 9 > w->len || ctx_load_bytes(ctx, w->hdr + off, fh, 9)) {
			walk_copy(w, off, w->len - off);
			w->sync = 0;
			break;
		}
		cnt_add(cs, XDPI_CNT_MSG_H2_FRAMES, 1);
		flen = (__u32)fh[0] << 16 | (__u32)fh[1] << 8 | fh[2];
		walk_copy(w, off, fh[3] == 0 && !(fh[4] & 0x8) ? 9 : 9 + flen);
		w->pos += 9 + flen;
	}
	off = w->pos - w->seq;
	if (w->sync && off < w->len) { /* more frames than the walk takes */
		walk_copy(w, off, w->len - off);
		w->sync = 0;
	}
	if (!w->sync)
		cnt_add(cs, XDPI_CNT_MSG_H2_RESYNCS, 1);
	for (int i = 0; i < XDPI_H2_WALK_RUNS; i++)
		if (i < w->nruns)
			copied += w->run[i].len;
	w->tail = 0;
	if (w->nruns && w->nruns <= XDPI_H2_WALK_RUNS) {
		struct xdpi_run *last = &w->run[(w->nruns - 1) & (XDPI_H2_WALK_RUNS - 1)];

		w->tail = last->off + last->len < w->len;
	}
	if (w->len > copied)
		msg_skipped(cs, w->len - copied, w->nruns ? 0 : 1);
	return 0;
}

/* Where the frame walk of direction D starts in the packet [s, e): where it stopped, unless a
 * packet it never saw came between; else the frame header user space named, if it lies in
 * this packet. -1: nowhere (the packet is copied whole, user space names a header again). */
static __always_inline int h2_walk_start(struct xdpi_flow_value *v, const struct xdpi_msg_hint *h,
					 __u8 d, __u32 s, __u32 e, __u32 *pos,
					 struct xdpi_counters *cs)
{
	__u32 x = h->seq[d];

	if (v->h2_sync[d] && (__s32)(v->h2_next[d] - s) >= 0) {
		*pos = v->h2_next[d];
		return 0;
	}
	if (v->h2_sync[d])
		cnt_add(cs, XDPI_CNT_MSG_H2_RESYNCS, 1); /* lost or reordered: bytes unseen */
	if ((__s32)(x - s) >= 0 && (__s32)(e - x) >= 0) {
		*pos = x;
		return 0;
	}
	return -1;
}

/* The packet's stretches under XDPI_MSG_H2, into OUT (or the whole packet, out of step). */
static __always_inline void h2_walk_flow(xdpi_ctx_t *ctx, struct xdpi_flow_value *v,
					 const struct xdpi_msg_hint *h, const struct xdpi_meta *m,
					 struct xdpi_flow_out *out, __u32 frame_len,
					 struct xdpi_counters *cs)
{
	__u8 d = out->dir & 1;
	struct xdpi_h2_walk *w = &out->walk;

	w->seq = m->tcp_seq;
	w->hdr = m->payload_off;
	w->len = frame_len > m->payload_off ? frame_len - m->payload_off : 0;
	if (w->len > m->payload_len)
		w->len = m->payload_len;
	if (!h || !m->payload_off || m->payload_off > XDPI_MID_HDR_MAX ||
	    h2_walk_start(v, h, d, w->seq, w->seq + m->payload_len, &w->pos, cs)) {
		v->h2_sync[d] = 0;
		cnt_add(cs, XDPI_CNT_MSG_H2_UNSYNCED, 1);
		out->wake = 1; /* copied whole until user space names a frame header */
		return;
	}
	xdpi_stage_h2_walk(ctx, w);
	v->h2_next[d] = w->pos;
	v->h2_sync[d] = w->sync;
	out->walked = 1;
	out->wake = 0;
	out->cap_reason = w->nruns || (w->pos == w->seq + w->len) ? XDPI_CAP_SLICE : 0;
}

/* Payload from one side while the other is limited to a head's budget: the other side's
 * next packet may answer it (a response's head), so its budget starts there. */
static __always_inline void rearm_other(struct xdpi_flow_value *v, __u8 dir)
{
	v->rearmed[!(dir & 1)] = 1;
}

/* Stage 4: the packet's flow (later IP fragments through their first), found or created,
 * counted, and what of the packet user space gets. 0, or 1 when it has no flow (it passes). */
__noinline int xdpi_stage_flow(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u64 now, __u32 wire_len,
			       struct xdpi_flow_out *out)
{
	struct xdpi_counters *cs = counters_get();
	struct xdpi_msg_hint *h = NULL;
	struct xdpi_flow_value *v;
	struct xdpi_flow_key k = {};
	struct xdpi_capture cap;
	__u32 frame_len = ctx_wire_len(ctx);

	if (!m || !out || frag_attribute(m, cs))
		return 1;
	out->dir = flow_key_make(m, &k);
	v = flow_lookup_or_create(&k, m, out->dir, now, &out->stamp, cs);
	if (!v)
		return 1;
	if (!out->stamp && m->proto == IPPROTO_TCP &&
	    (m->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
	    xdpi_flow_closed(v->tcp_flags[0], v->tcp_flags[1]))
		flow_renew(&k, v, m, out->dir, now, &out->stamp, cs);
	flow_account(v, m, out->dir, wire_len, now);
	if (v->steer == XDPI_STEER_MSG && (m->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		bpf_map_delete_elem(&msg_hints, &k); /* a new connection: no old hints */
	if (v->steer == XDPI_STEER_MSG && m->payload_len)
		h = bpf_map_lookup_elem(&msg_hints, &k);
	if (h && h->not_after_ns && v->first_ns > h->not_after_ns)
		h = NULL; /* about the connection before this one on the tuple */
	if (h && h->budget[!(out->dir & 1)])
		rearm_other(v, out->dir);
	cap = steer_decide(v, m, out->dir, frame_len, h, cs);
	out->steer = v->steer;
	out->cap_len = cap.cap_len;
	out->cap_reason = cap.reason;
	out->skip = cap.skip;
	out->wake = cap.wake;
	out->hdr = m->payload_off;
	out->walked = 0;
	if (cap.walk)
		h2_walk_flow(ctx, v, h, m, out, frame_len, cs);
	else if (m->payload_len && v->h2_sync[out->dir & 1])
		v->h2_sync[out->dir & 1] = 0; /* the walk is over: a new one starts from user space */
	return 0;
}

/* Stage 5: the copy to user space through the ring buffer (losses counted there). */
__noinline int xdpi_stage_emit(xdpi_ctx_t *ctx, struct xdpi_flow_out *out, __u32 wire_len,
			       __u64 now)
{
	struct xdpi_capture cap;

	if (!out)
		return 0;
	cap.cap_len = out->cap_len;
	cap.reason = out->cap_reason;
	cap.skip = 0;
	cap.wake = out->wake;
	steer_emit(ctx, cap, out->steer, out->dir, wire_len, now, counters_get());
	return 0;
}

/* One stretch of a packet into the ring: the headers, then the payload from REQ->off, in
 * records of at most XDPI_MID_MAX payload bytes (a GSO skb's 64 kB takes two, the first a
 * SLICE), short ones in the short class; no payload: the headers alone, at the end of the
 * payload (where skipped bytes end). */
__noinline int xdpi_emit_run(xdpi_ctx_t *ctx, struct xdpi_run_req *req)
{
	struct xdpi_counters *cs = counters_get();
	__u32 left, off, n;
	__u8 reason;

	if (!req)
		return 0;
	reason = req->tmpl.reason;
	if (!req->len) {
		req->tmpl.payload_skip = req->off;
		if (!emit_class(ctx, &req->tmpl, req->hdr, 512, req->wake, cs)) {
			cnt_add(cs, XDPI_CNT_CAPTURED, 1);
			cnt_add(cs, XDPI_CNT_CAPTURED_BYTES, req->hdr);
		}
		return 0;
	}
	left = req->len;
	off = req->off;
	for (int i = 0; i < 2 && left; i++) {
		n = left < XDPI_MID_MAX ? left : XDPI_MID_MAX;
		req->tmpl.reason = n < left ? XDPI_CAP_SLICE : reason;
		if (n <= XDPI_SHORT_MAX ?
		    emit_spliced(ctx, &req->tmpl, req->hdr, off, n, XDPI_SHORT_CLASS, req->wake, cs) :
		    emit_spliced(ctx, &req->tmpl, req->hdr, off, n, XDPI_MID_CLASS, req->wake, cs))
			return 0;
		off += n;
		left -= n;
	}
	return 0;
}

static __always_inline void run_req_init(xdpi_ctx_t *ctx, struct xdpi_run_req *req,
					 const struct xdpi_flow_out *out, __u32 wire_len, __u64 now)
{
	req->tmpl.type = XDPI_EVENT_PACKET;
	req->tmpl.hook = XDPI_HOOK;
	req->tmpl.reason = XDPI_CAP_MSG;
	req->tmpl.orig_len = wire_len;
	req->tmpl.ts_ns = now;
	req->tmpl.ifindex = ctx_ifindex(ctx);
	req->tmpl.flow_dir = out->dir;
	req->tmpl.steer = out->steer;
	req->hdr = out->hdr;
	req->wake = out->wake;
}

/* Stage 5, a message head inside the packet: the headers spliced to the bytes from the head
 * on (none: where skipped bytes end, the headers alone). */
__noinline int xdpi_stage_emit_mid(xdpi_ctx_t *ctx, struct xdpi_flow_out *out, __u32 wire_len,
				   __u64 now)
{
	struct xdpi_run_req req = {};

	if (!out)
		return 0;
	run_req_init(ctx, &req, out, wire_len, now);
	req.off = out->skip;
	req.len = out->cap_len > out->hdr ? out->cap_len - out->hdr : 0;
	req.wake = 1;
	return xdpi_emit_run(ctx, &req);
}

/* Stage 5, the HTTP/2 walk's stretches: each but the last covers its bytes and no more (a
 * SLICE); the last reaches the packet's end when what follows it was left out (a DATA
 * payload), so user space hands that over as skipped at once. A packet wholly inside a DATA
 * payload that ends with it: the headers alone, the end mark. */
__noinline int xdpi_stage_emit_runs(xdpi_ctx_t *ctx, struct xdpi_flow_out *out, __u32 wire_len,
				    __u64 now)
{
	struct xdpi_run_req req = {};
	struct xdpi_h2_walk *w;

	if (!out)
		return 0;
	w = &out->walk;
	run_req_init(ctx, &req, out, wire_len, now);
	if (!w->nruns) {
		req.off = w->len;
		return xdpi_emit_run(ctx, &req);
	}
	for (int i = 0; i < XDPI_H2_WALK_RUNS; i++) {
		if (i >= w->nruns)
			break;
		req.off = w->run[i].off;
		req.len = w->run[i].len;
		req.tmpl.reason = i + 1 == w->nruns && w->tail ? XDPI_CAP_MSG : XDPI_CAP_SLICE;
		xdpi_emit_run(ctx, &req);
	}
	return 0;
}

#ifdef XDPI_BUILD_TC
/* A GSO/TSO skb leaves as gso_segs packets, each with its own copy of the headers: counted as
 * what the wire carries, so flow records match a capture of the link. */
static __always_inline void gso_wire(xdpi_ctx_t *ctx, struct xdpi_meta *m, __u32 *wire_len,
				     struct xdpi_counters *cs)
{
	__u32 segs = ctx->gso_segs, size = ctx->gso_size;

	if (segs <= 1 && size && m->payload_len > size)
		segs = (m->payload_len + size - 1) / size; /* not filled in by every path */
	if (segs <= 1 || segs > 65535 || m->frag != XDPI_FRAG_NONE)
		return;
	m->segs = (__u16)segs;
	*wire_len += (segs - 1) * m->payload_off;
	cnt_add(cs, XDPI_CNT_GSO_SKBS, 1);
	cnt_add(cs, XDPI_CNT_GSO_EXTRA_SEGS, segs - 1);
}
#endif

#ifdef XDPI_BUILD_XDP
/* Tap mode (xdp_tap): the whole packet to the AF_XDP socket of its queue; without one,
 * dropped (and counted: the queue is not served). */
static __always_inline int tap_redirect(xdpi_ctx_t *ctx, struct xdpi_counters *cs)
{
	if (bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_DROP) == XDP_REDIRECT) {
		cnt_add(cs, XDPI_CNT_TAP_REDIRECTED, 1);
		return XDP_REDIRECT;
	}
	cnt_add(cs, XDPI_CNT_TAP_NO_SOCKET, 1);
	return finish(cs, XDPI_ACT_DROP, 0);
}
#endif

/* TAP (a constant at each call site): the tap program, which hands FULL flows to AF_XDP
 * and has no ring-buffer steering. */
static __always_inline int xdpi_process(xdpi_ctx_t *ctx, const int tap)
{
	struct xdpi_counters *cs = counters_get();
	struct xdpi_meta m = {};
	struct xdpi_flow_out fo; /* filled by the flow stage: zeroing its walk cost every packet */
	__u32 wire_len, parse_len;
	__u32 rule = 0;
	__u64 now;
	int r;

	(void)tap; /* used by the XDP build only */
#ifdef XDPI_BUILD_XDP
	if (cfg_lb_decap && !tap)
		xdpi_stage_lb_decap(ctx);
#elif !defined(XDPI_TC_INGRESS) /* a balancer's check answers leave through egress */
	if ((ctx->mark & XDPI_LB_MARK_MASK) == XDPI_LB_MARK)
		xdpi_stage_lb_check(ctx);
#endif
	wire_len = parse_len = ctx_wire_len(ctx);
	now = now_ns(&wire_len, &parse_len);
	cnt_add(cs, XDPI_CNT_PKTS, 1);
	cnt_add(cs, XDPI_CNT_BYTES, wire_len);
	if (ctx_prepare(ctx))
		cnt_add(cs, XDPI_CNT_TC_PULL_FAIL, 1);
	r = xdpi_stage_parse(ctx, &m, parse_len, now, wire_len);
	if (r == 2)
		return xdpi_stage_drop(ctx, m.outer_drop, m.outer_rule, wire_len, now);
	if (r)
		return finish(cs, XDPI_ACT_PASS, 0);
#ifdef XDPI_BUILD_TC
	gso_wire(ctx, &m, &wire_len, cs);
#endif
	/* a host with no list, port rule or limit makes neither call (about 5 ns of 60): the
	 * stages would answer 0 */
	r = policy_idle() ? 0 : xdpi_stage_policy(&m, now, wire_len, &rule);
	if (r == 0 && !limits_idle()) /* an allowed address (-1) is exempt from rate limits */
		r = xdpi_stage_limits(&m, now, wire_len, &rule);
	if (r > 0)
		return xdpi_stage_drop(ctx, r, rule, wire_len, now);
	if (xdpi_stage_flow(ctx, &m, now, wire_len, &fo))
		return finish(cs, XDPI_ACT_PASS, 0);
#ifdef XDPI_BUILD_XDP
	if (tap)
		return fo.steer == XDPI_STEER_FULL ? tap_redirect(ctx, cs)
						   : finish(cs, XDPI_ACT_PASS, 0);
#endif
	if (fo.cap_reason) /* a record user space times (latencies): the precise clock, the
			    * one its new flow started with */
		now = fo.stamp ? fo.stamp : clock_precise(now);
	if (fo.cap_reason && fo.walked)
		xdpi_stage_emit_runs(ctx, &fo, wire_len, now);
	else if (fo.cap_reason && fo.skip)
		xdpi_stage_emit_mid(ctx, &fo, wire_len, now);
	else if (fo.cap_reason)
		xdpi_stage_emit(ctx, &fo, wire_len, now);
#ifdef XDPI_BUILD_XDP
	if (!tap && lb_active())
		return lb_finish(cs, xdpi_stage_lb(ctx, &m, now));
#endif
	return finish(cs, XDPI_ACT_PASS, 0);
}

#endif /* XDPI_BPF_PIPELINE_H */
