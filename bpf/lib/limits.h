/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Rate limits. At XDP ingress: per-source packets/s, bytes/s and ICMP/s buckets, and the SYN
 * flood defence (a destination over its SYN rate is under attack; while it is, a source over
 * its own SYN rate is dropped and blocked in the policy trie for a while). At TC egress: the
 * same three buckets per destination, for what the host sends (a reflector, a compromised
 * host), with limits of their own. Buckets are GCRA
 * virtual times updated without atomics: CPUs racing on one source may admit a few packets
 * more than the rate, never fewer. */
#ifndef XDPI_BPF_LIMITS_H
#define XDPI_BPF_LIMITS_H

#include "lib/ctx.h"
#include "lib/parse.h"
#include "lib/policy.h"
#include "lib/verdict.h"

#define LIMIT_BURST_NS 1000000000ull /* a bucket holds one second's worth */

static __always_inline const struct xdpi_limits *limits_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&limits, &zero);
}

/* Admits a packet costing COST_NS of bucket time: 1 and the bucket advanced, or 0. */
static __always_inline int gcra_admit(__u64 *tat, __u64 now, __u64 cost_ns)
{
	__u64 t = *tat;

	if (t < now)
		t = now;
	if (t + cost_ns > now + LIMIT_BURST_NS)
		return 0;
	*tat = t + cost_ns;
	return 1;
}

static __always_inline void addr_key(struct xdpi_addr_key *k, const __u32 *addr, __u8 family)
{
	__builtin_memcpy(k->addr, addr, 16);
	k->family = family;
}

/* The state for KEY, created empty if missing; NULL (counted, fail open) if it cannot be. */
static __always_inline void *state_get(void *map, const struct xdpi_addr_key *k, void *fresh,
				       struct xdpi_counters *cs)
{
	void *st = bpf_map_lookup_elem(map, k);

	if (st)
		return st;
	bpf_map_update_elem(map, k, fresh, BPF_NOEXIST);
	st = bpf_map_lookup_elem(map, k);
	if (!st)
		cnt_add(cs, XDPI_CNT_LIMIT_STATE_FULL, 1);
	return st;
}

static __always_inline int is_syn(const struct xdpi_meta *m)
{
	return m->proto == IPPROTO_TCP && (m->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

/* SYN flood defence for one SYN: 0 to let it pass, else the drop reason. */
static __always_inline int syn_check(const struct xdpi_meta *m, const struct xdpi_limits *l,
				     struct xdpi_src_state *src, __u64 now,
				     struct xdpi_counters *cs)
{
	struct xdpi_dst_state fresh = {}, *dst;
	struct xdpi_addr_key k = {};

	addr_key(&k, m->daddr, m->family);
	dst = state_get(&dst_state, &k, &fresh, cs);
	if (!dst)
		return 0;
	if (!gcra_admit(&dst->tat_syn, now, l->syn_dst_ns)) {
		if (dst->attack_until <= now)
			cnt_add(cs, XDPI_CNT_SYN_DST_ATTACK, 1);
		dst->attack_until = now + LIMIT_BURST_NS;
	}
	if (now >= dst->attack_until || !l->syn_src_ns || !src ||
	    gcra_admit(&src->tat_syn, now, l->syn_src_ns))
		return 0;
	cnt_add(cs, XDPI_CNT_SYN_FLOOD_DROP, 1);
	if (l->syn_block_ns) {
		if (policy_block_addr(m, XDPI_RULE_SYN_FLOOD, now + l->syn_block_ns))
			cnt_add(cs, XDPI_CNT_SYN_FLOOD_BLOCK_FAIL, 1);
		else
			cnt_add(cs, XDPI_CNT_SYN_FLOOD_BLOCKED, 1);
	}
	return XDPI_DROP_SYN_FLOOD;
}

/* One address's buckets (a source at ingress, a destination at egress), with the rates that
 * apply there: 0 to let the packet pass, else the drop reason. */
static __always_inline int bucket_check(const struct xdpi_meta *m, struct xdpi_src_state *st,
					__u64 pkt_ns, __u64 byte_ps, __u64 icmp_ns, __u64 now,
					__u32 wire_len, struct xdpi_counters *cs)
{
	if ((m->proto == IPPROTO_ICMP || m->proto == IPPROTO_ICMPV6) && icmp_ns &&
	    !gcra_admit(&st->tat_icmp, now, icmp_ns)) {
		cnt_add(cs, XDPI_CNT_ICMP_FLOOD_DROP, 1);
		return XDPI_DROP_ICMP_FLOOD;
	}
	if (pkt_ns && !gcra_admit(&st->tat_pkts, now, pkt_ns)) {
		cnt_add(cs, XDPI_CNT_RATE_DROP_PKTS, 1);
		return XDPI_DROP_RATE_PKTS;
	}
	if (byte_ps && !gcra_admit(&st->tat_bytes, now, byte_ps * wire_len / 1000)) {
		cnt_add(cs, XDPI_CNT_RATE_DROP_BYTES, 1);
		return XDPI_DROP_RATE_BYTES;
	}
	return 0;
}

static __always_inline __u32 limit_rule(int reason)
{
	const int egress = !XDPI_INGRESS;

	switch (reason) {
	case XDPI_DROP_RATE_PKTS:
		return egress ? XDPI_RULE_EGRESS_PKTS : XDPI_RULE_RATE_PKTS;
	case XDPI_DROP_RATE_BYTES:
		return egress ? XDPI_RULE_EGRESS_BYTES : XDPI_RULE_RATE_BYTES;
	case XDPI_DROP_SYN_FLOOD:
		return XDPI_RULE_SYN_FLOOD;
	default:
		return egress ? XDPI_RULE_EGRESS_ICMP : XDPI_RULE_ICMP_FLOOD;
	}
}

static __always_inline int ingress_limits(const struct xdpi_meta *m, const struct xdpi_limits *l,
					  __u64 now, __u32 wire_len, struct xdpi_counters *cs)
{
	struct xdpi_src_state fresh = {}, *src = NULL;
	struct xdpi_addr_key k = {};
	int reason = 0;

	if (l->src_pkt_ns || l->src_byte_ps || l->icmp_ns || l->syn_src_ns) {
		addr_key(&k, m->saddr, m->family);
		src = state_get(&src_state, &k, &fresh, cs);
	}
	if (is_syn(m) && l->syn_dst_ns)
		reason = syn_check(m, l, src, now, cs);
	if (!reason && src)
		reason = bucket_check(m, src, l->src_pkt_ns, l->src_byte_ps, l->icmp_ns, now,
				      wire_len, cs);
	return reason;
}

/* Some limit applies at this hook (XDP ingress: per source and SYN flood; TC egress: per
 * destination). */
static __always_inline int limits_set_here(const struct xdpi_limits *l)
{
	if (XDPI_INGRESS)
		return (l->src_pkt_ns | l->src_byte_ps | l->icmp_ns | l->syn_src_ns |
			l->syn_dst_ns) != 0;
	return (l->dst_pkt_ns | l->dst_byte_ps | l->dst_icmp_ns) != 0;
}

static __always_inline int egress_limits(const struct xdpi_meta *m, const struct xdpi_limits *l,
					 __u64 now, __u32 wire_len, struct xdpi_counters *cs)
{
	struct xdpi_src_state fresh = {}, *dst;
	struct xdpi_addr_key k = {};

	if (!limits_set_here(l))
		return 0;
	addr_key(&k, m->daddr, m->family);
	dst = state_get(&egress_state, &k, &fresh, cs);
	return dst ? bucket_check(m, dst, l->dst_pkt_ns, l->dst_byte_ps, l->dst_icmp_ns, now,
				  wire_len, cs) : 0;
}

/* No limit applies at this hook: limits_decide would answer 0 without a lookup. */
static __always_inline int limits_idle(void)
{
	const struct xdpi_limits *l = limits_get();

	return !l || !limits_set_here(l);
}

/* 0 to let the packet pass, else the drop reason (enum xdpi_drop_reason) with *RULE set. */
static __always_inline int limits_decide(const struct xdpi_meta *m, __u64 now, __u32 wire_len,
					 __u32 *rule, struct xdpi_counters *cs)
{
	const struct xdpi_limits *l = limits_get();
	int reason;

	if (!l)
		return 0;
	reason = XDPI_INGRESS ? ingress_limits(m, l, now, wire_len, cs)
			      : egress_limits(m, l, now, wire_len, cs);
	if (reason) {
		*rule = limit_rule(reason);
		rule_count(*rule, wire_len, now, cs);
	}
	return reason;
}

#endif /* XDPI_BPF_LIMITS_H */
