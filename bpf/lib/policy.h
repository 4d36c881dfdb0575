/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Policy: the remote address's longest-prefix entry decides allow or drop, and its rule is
 * counted. Runs before flow accounting, so dropped floods never fill the flow map. */
#ifndef XDPI_BPF_POLICY_H
#define XDPI_BPF_POLICY_H

#include "lib/ctx.h"
#include "lib/parse.h"
#include "lib/verdict.h"
#include "lib/clock.h"

/* The address policy is about: who sends to us at ingress, whom we send to at egress. */
static __always_inline const __u32 *policy_addr(const struct xdpi_meta *m)
{
	return XDPI_INGRESS ? m->saddr : m->daddr;
}

/* The current trie of each family and the entry for KEY in it. One function per family, not
 * one branch each: calls merged across families would see two maps, and the verifier calls a
 * map's own lookup (or inlines it) only where one map reaches the call; a merged call goes
 * through the generic helper's indirect call. */
static __noinline struct xdpi_policy_value *trie4_find(struct xdpi_lpm4_key *key, void **map)
{
	__u32 slot = 0;

	*map = bpf_map_lookup_elem(&policy4, &slot);
	return *map ? bpf_map_lookup_elem(*map, key) : NULL; /* no trie yet: no policy */
}

static __noinline struct xdpi_policy_value *trie6_find(struct xdpi_lpm6_key *key, void **map)
{
	__u32 slot = 0;

	*map = bpf_map_lookup_elem(&policy6, &slot);
	return *map ? bpf_map_lookup_elem(*map, key) : NULL;
}

static __always_inline struct xdpi_policy_value *policy_find(const struct xdpi_meta *m,
							     void **map, void *key)
{
	const __u32 *a = policy_addr(m);

	if (m->family == 4) {
		struct xdpi_lpm4_key *k4 = key;

		k4->prefixlen = 32;
		__builtin_memcpy(k4->addr, a, 4);
		return trie4_find(k4, map);
	}
	struct xdpi_lpm6_key *k6 = key;

	k6->prefixlen = 128;
	__builtin_memcpy(k6->addr, a, 16);
	return trie6_find(k6, map);
}

/* The counters of a rule id at or above XDPI_RULE_STATS_LOW: a function of its own, so that
 * the compiler cannot merge its lookup with the array's (see trie4_find). */
static __noinline struct xdpi_rule_stats *rule_stats_hashed(__u32 rule_id)
{
	return bpf_map_lookup_elem(&rule_stats, &rule_id);
}

/* A rule's counters: ids below XDPI_RULE_STATS_LOW in their array slot (it always exists),
 * the others in the hash, their element created by the first hit. */
static __always_inline void rule_count(__u32 rule_id, __u32 wire_len, __u64 now,
				       struct xdpi_counters *cs)
{
	struct xdpi_rule_stats *rs = rule_id < XDPI_RULE_STATS_LOW
					     ? bpf_map_lookup_elem(&rule_stats_low, &rule_id)
					     : rule_stats_hashed(rule_id);
	struct xdpi_rule_stats first = { .pkts = 1, .bytes = wire_len };

	if (rs) {
		if (!rs->first_ns) /* this CPU's slot of an element another CPU created */
			rs->first_ns = clock_precise(now);
		rs->pkts++;
		rs->bytes += wire_len;
		if (now > rs->last_ns) /* the tick may lag the first drop's precise stamp */
			rs->last_ns = now;
		return;
	}
	first.first_ns = first.last_ns = clock_precise(now);
	if (bpf_map_update_elem(&rule_stats, &rule_id, &first, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&rule_stats, &rule_id))
		cnt_add(cs, XDPI_CNT_RULE_STATS_FULL, 1); /* the decision stands; its count is lost */
}

static __always_inline __u32 prefix_mask_word(__u32 prefixlen, __u32 word)
{
	__u32 bits = prefixlen > word * 32 ? prefixlen - word * 32 : 0;

	if (bits == 0)
		return 0;
	return bits >= 32 ? ~0u : bpf_htonl(~0u << (32 - bits));
}

/* Deletes the expired entry P from MAP: KEY still holds the packet's full address, so it is
 * cut to the entry's own prefix first. */
static __always_inline void policy_expire(void *map, struct xdpi_lpm6_key *key,
					  const struct xdpi_policy_value *p)
{
	__u32 w[4];

	__builtin_memcpy(w, key->addr, sizeof(w));
#pragma unroll
	for (int i = 0; i < 4; i++)
		w[i] &= prefix_mask_word(p->prefixlen, (__u32)i);
	__builtin_memcpy(key->addr, w, sizeof(w));
	key->prefixlen = p->prefixlen;
	bpf_map_delete_elem(map, key);
}

static __always_inline __u64 *gen_slot(__u32 slot)
{
	return bpf_map_lookup_elem(&policy_gen, &slot);
}

/* The generations now (both 0: nothing was ever written to the tries, see
 * policy_never_written). Plain loads: an aligned u64 load is single-copy atomic, and an atomic
 * add here would bounce the slot's cache line between CPUs on every packet. */
static __always_inline int gen_read(__u64 *user, __u64 *kernel)
{
	__u64 *u = gen_slot(XDPI_GEN_USER), *k = gen_slot(XDPI_GEN_KERNEL);

	if (!u || !k)
		return -1;
	*user = *(volatile __u64 *)u;
	*kernel = *(volatile __u64 *)k;
	return 0;
}

/* Both hooks share the verdict cache: an entry is the trie's answer for an address,
 * whichever hook asked. */
static __always_inline int cache_on(void)
{
	__u64 *on = gen_slot(XDPI_GEN_CACHE_ON);

	return on && *on;
}

/* *DST = *SRC field by field: as a struct copy clang split it into byte loads (the fields are
 * read apart afterwards), 30 instructions for 16 bytes. */
static __always_inline void policy_value_copy(struct xdpi_policy_value *dst,
					      const struct xdpi_policy_value *src)
{
	dst->rule_id = src->rule_id;
	dst->action = src->action;
	dst->prefixlen = src->prefixlen;
	dst->dirs = src->dirs;
	dst->expires_ns = src->expires_ns;
}

/* The cache's entry for the packet's address. IPv6's lookup is a function of its own, so that
 * the compiler cannot merge the two families' calls (see trie4_find). */
static __noinline struct xdpi_policy_cached *cache6_find(const __u32 *addr)
{
	struct xdpi_addr_key k = { .family = 6 };

	__builtin_memcpy(k.addr, addr, 16);
	return bpf_map_lookup_elem(&policy_cache6, &k);
}

static __noinline void cache6_put(const __u32 *addr, const struct xdpi_policy_cached *c)
{
	struct xdpi_addr_key k = { .family = 6 };

	__builtin_memcpy(k.addr, addr, 16);
	bpf_map_update_elem(&policy_cache6, &k, c, BPF_ANY);
}

/* The cached answer for the packet's address, if it is still good. */
static __always_inline int cache_get(const struct xdpi_meta *m, __u64 now, __u64 user,
				     __u64 kernel, struct xdpi_policy_value *out)
{
	const __u32 *a = policy_addr(m);
	struct xdpi_policy_cached *c;
	__u32 k4 = a[0];

	c = m->family == 4 ? bpf_map_lookup_elem(&policy_cache4, &k4) : cache6_find(a);
	if (!c || c->user_gen != user || c->kernel_gen != kernel ||
	    (c->v.expires_ns && now >= c->v.expires_ns))
		return -1;
	policy_value_copy(out, &c->v);
	return 0;
}

static __always_inline void cache_put(const struct xdpi_meta *m, __u64 user, __u64 kernel,
				      const struct xdpi_policy_value *v)
{
	struct xdpi_policy_cached c = { .user_gen = user, .kernel_gen = kernel, .v = *v };
	const __u32 *a = policy_addr(m);
	__u32 k4 = a[0];

	if (m->family == 4)
		bpf_map_update_elem(&policy_cache4, &k4, &c, BPF_ANY);
	else
		cache6_put(a, &c);
}

/* The trie's answer into OUT (action 0: no entry). An expired entry is deleted and the lookup
 * repeated once, so the next shorter prefix (say the /16 around an expired /32) decides at
 * once. */
static __always_inline void policy_walk(const struct xdpi_meta *m, __u64 now,
					struct xdpi_policy_value *out, struct xdpi_counters *cs)
{
	struct xdpi_lpm6_key key = {}; /* large enough for either family */
	struct xdpi_policy_value *p = NULL;
	void *map = NULL;

#pragma unroll
	for (int attempt = 0; attempt < 2; attempt++) {
		p = policy_find(m, &map, &key);
		if (!p || !p->expires_ns || now < p->expires_ns)
			break;
		cnt_add(cs, XDPI_CNT_POLICY_EXPIRED, 1);
		policy_expire(map, &key, p);
		p = NULL;
	}
	if (p)
		policy_value_copy(out, p);
}

/* The longest-prefix entry's action (enum xdpi_policy_action), 0 when no entry holds the
 * address; *RULE is the entry's rule. */
/* Nothing was ever written to the address tries: both generations are still 0 (every writer
 * bumps one after writing, see enum xdpi_policy_gen_slot). The common case of a host without
 * lists then costs two array reads instead of a trie walk. */
static __always_inline int policy_never_written(void)
{
	__u64 *u = gen_slot(XDPI_GEN_USER), *k = gen_slot(XDPI_GEN_KERNEL);

	return u && k && !*(volatile __u64 *)u && !*(volatile __u64 *)k;
}

/* No port rule was ever put (its slot is set by the first). */
static __always_inline int ports_never_written(void)
{
	__u64 *any = gen_slot(XDPI_GEN_PORTS);

	return !any || !*(volatile __u64 *)any;
}

/* No address list and no port rule was ever written: the policy stage would answer 0. */
static __always_inline int policy_idle(void)
{
	return policy_never_written() && ports_never_written();
}

static __always_inline int policy_decide(const struct xdpi_meta *m, __u64 now, __u32 wire_len,
					 __u32 *rule, struct xdpi_counters *cs)
{
	struct xdpi_policy_value v = {};
	__u64 user = 0, kernel = 0;
	int cached;

	/* one read of the generations: both 0 is policy_never_written() */
	if (gen_read(&user, &kernel) || (!user && !kernel))
		return 0;
	cached = cache_on();

	if (!cached || cache_get(m, now, user, kernel, &v)) {
		policy_walk(m, now, &v, cs);
		if (cached) {
			cache_put(m, user, kernel, &v);
			cnt_add(cs, XDPI_CNT_POLICY_CACHE_MISS, 1);
		}
	} else {
		cnt_add(cs, XDPI_CNT_POLICY_CACHE_HIT, 1);
	}
	if (!v.action || (v.dirs && !(v.dirs & (XDPI_INGRESS ? XDPI_POLICY_DIR_SRC
								     : XDPI_POLICY_DIR_DST))))
		return 0;
	*rule = v.rule_id;
	rule_count(v.rule_id, wire_len, now, cs);
	if (v.action == XDPI_POLICY_DROP) {
		cnt_add(cs, XDPI_CNT_POLICY_DROP, 1);
		return XDPI_POLICY_DROP;
	}
	if (v.action == XDPI_POLICY_ALERT) {
		cnt_add(cs, XDPI_CNT_POLICY_ALERT, 1);
		return 0;
	}
	cnt_add(cs, XDPI_CNT_POLICY_ALLOW, 1);
	return XDPI_POLICY_ALLOW;
}

/* The port rule for K, one function per family (see trie4_find). */
static __noinline struct xdpi_policy_value *ports4_find(struct xdpi_port6_key *k)
{
	return bpf_map_lookup_elem(&ports4, k);
}

static __noinline struct xdpi_policy_value *ports6_find(struct xdpi_port6_key *k)
{
	return bpf_map_lookup_elem(&ports6, k);
}

/* Port and protocol rules: the packet's protocol, the local service port (the destination
 * port at XDP ingress, the source port at TC egress) and the remote address. Same return as
 * policy_decide (expiry is not used here). */
static __always_inline int port_decide(const struct xdpi_meta *m, __u64 now, __u32 wire_len,
				       __u32 *rule, struct xdpi_counters *cs)
{
	struct xdpi_port6_key k = { .proto = m->proto }; /* large enough for either family */
	int ported = m->proto == IPPROTO_TCP || m->proto == IPPROTO_UDP || m->proto == 132;
	const __be16 *local = XDPI_INGRESS ? &m->dport : &m->sport;
	struct xdpi_policy_value *p;

	if (ports_never_written())
		return 0;
	if (ported && m->frag != XDPI_FRAG_LATER)
		__builtin_memcpy(k.port, local, 2);
	if (m->family == 4) {
		k.prefixlen = 56;
		__builtin_memcpy(k.addr, policy_addr(m), 4);
		p = ports4_find(&k);
	} else {
		k.prefixlen = 152;
		__builtin_memcpy(k.addr, policy_addr(m), 16);
		p = ports6_find(&k);
	}
	if (!p)
		return 0;
	*rule = p->rule_id;
	rule_count(p->rule_id, wire_len, now, cs);
	cnt_add(cs, p->action == XDPI_POLICY_DROP ? XDPI_CNT_PORT_DROP : XDPI_CNT_PORT_ALLOW, 1);
	return p->action;
}

/* Puts a block entry for the packet's remote address (a /32 or /128) expiring at EXPIRES:
 * the SYN flood defence's verdict, applied to the source's next packet by policy_decide. */
static __always_inline int policy_block_addr(const struct xdpi_meta *m, __u32 rule_id,
					     __u64 expires)
{
	struct xdpi_policy_value v = { .rule_id = rule_id, .action = XDPI_POLICY_DROP,
				       .expires_ns = expires };
	struct xdpi_lpm6_key key = {};
	void *map = NULL;

	__u64 *kernel_gen = gen_slot(XDPI_GEN_KERNEL);
	int err;

	policy_find(m, &map, &key); /* sets map and the full-length key */
	if (!map)
		return -1;
	v.prefixlen = (__u8)key.prefixlen;
	err = bpf_map_update_elem(map, &key, &v, BPF_ANY);
	if (!err && kernel_gen)
		__sync_fetch_and_add(kernel_gen, 1); /* cached answers predate the block */
	return err;
}

#endif /* XDPI_BPF_POLICY_H */
