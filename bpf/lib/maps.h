/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Every map of the fast path, defined here and nowhere else. Sizes are defaults that the
 * loader overrides between open and load. Both hooks' objects share these maps by fd. */
#ifndef XDPI_BPF_MAPS_H
#define XDPI_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "shared/xdpi_abi.h"
#include "shared/xdpi_abi_layout.h" /* clang checks the layout gcc checks */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_FLOWS_DEFAULT);
	__type(key, struct xdpi_flow_key);
	__type(value, struct xdpi_flow_value);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpi_counters);
} counters SEC(".maps");

/* MSG flows: what user space wants of each direction (written by user space only; sized like
 * flows by the loader). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_FLOWS_DEFAULT);
	__type(key, struct xdpi_flow_key);
	__type(value, struct xdpi_msg_hint);
} msg_hints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XDPI_RINGBUF_DEFAULT);
} events_rb SEC(".maps");

/* Tap mode: one AF_XDP socket per receive queue, by queue index. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDPI_TAP_QUEUES_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct xdpi_frag_key);
	__type(value, struct xdpi_frag_value);
} frag_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPI_STEER_PORTS_MAX);
	__type(key, struct xdpi_port_key);
	__type(value, __u8);
} steer_ports SEC(".maps");

/* Policy tries (see struct xdpi_policy_value), each behind a one-slot array of maps so that
 * user space can swap in a whole new trie at once (`xdpi ctl reload`). The slot starts empty
 * (no policy) and the loader puts the first trie in; no preallocation: an empty list costs
 * nothing. The trie definitions are templates only (libbpf creates no map for them); sizes,
 * not types, because clang emits only a forward declaration for a type named inside one. */
struct policy4_trie {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPI_POLICY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct xdpi_lpm4_key));
	__uint(value_size, sizeof(struct xdpi_policy_value));
};

struct policy6_trie {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPI_POLICY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct xdpi_lpm6_key));
	__uint(value_size, sizeof(struct xdpi_policy_value));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct policy4_trie);
} policy4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct policy6_trie);
} policy6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPI_GEN_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} policy_gen SEC(".maps");

/* The verdict cache (bpf/lib/policy.h): IPv4 answers keyed by the address alone, whose
 * 4-byte key hashes and compares in 5-6 ns less than the 20-byte one IPv6 needs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_POLICY_CACHE);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, __u32);
	__type(value, struct xdpi_policy_cached);
} policy_cache4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_POLICY_CACHE);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct xdpi_addr_key);
	__type(value, struct xdpi_policy_cached);
} policy_cache6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPI_PORT_RULES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpi_port4_key);
	__type(value, struct xdpi_policy_value);
} ports4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPI_PORT_RULES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpi_port6_key);
	__type(value, struct xdpi_policy_value);
} ports6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XDPI_RULE_STATS_MAX);
	__type(key, __u32);
	__type(value, struct xdpi_rule_stats);
} rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPI_RULE_STATS_LOW);
	__type(key, __u32);
	__type(value, struct xdpi_rule_stats);
} rule_stats_low SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpi_limits);
} limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_LIMIT_SOURCES);
	__type(key, struct xdpi_addr_key);
	__type(value, struct xdpi_src_state);
} src_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_LIMIT_DESTS);
	__type(key, struct xdpi_addr_key);
	__type(value, struct xdpi_dst_state);
} dst_state SEC(".maps");

/* TC egress: the per-destination buckets (xdpi_src_state's packet, byte and ICMP times). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_LIMIT_SOURCES);
	__type(key, struct xdpi_addr_key);
	__type(value, struct xdpi_src_state);
} egress_state SEC(".maps");

/* The last forced wake-up of the ring's consumer (any CPU's): wake-ups a record asks for are
 * spaced by cfg_wake_gap_ns (see emit_submit). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} wake_last SEC(".maps");

/* Per CPU: the virtual time of the DROP-record budget. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drop_sample_tat SEC(".maps");

/* The balancer (bpf/lib/lb.h). Services by VIP; each service's Maglev table behind a slot of
 * an array of maps, so user space swaps a whole table at once; backends by id; the connection
 * table (LRU, per-CPU lists: no lock shared across CPUs); per-service and per-backend
 * counters. lb_conns is sized by the loader (256 entries without --lb). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPI_LB_SERVICES_MAX);
	__type(key, struct xdpi_lb_vip_key);
	__type(value, struct xdpi_lb_vip);
} lb_vips SEC(".maps");

struct lb_ring {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPI_LB_RING_SIZE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPI_LB_SERVICES_MAX);
	__type(key, __u32);
	__array(values, struct lb_ring);
} lb_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPI_LB_BACKENDS_MAX);
	__type(key, __u32);
	__type(value, struct xdpi_lb_backend);
} lb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_LB_CONNS_DEFAULT);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct xdpi_lb_conn_key);
	__type(value, struct xdpi_lb_conn);
} lb_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpi_lb_cfg);
} lb_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPI_LB_SERVICES_MAX);
	__type(key, __u32);
	__type(value, struct xdpi_lb_svc_stats);
} lb_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPI_LB_BACKENDS_MAX);
	__type(key, __u32);
	__type(value, struct xdpi_lb_backend_stats);
} lb_backend_stats SEC(".maps");

/* Who pinned this instance's maps (struct xdpi_instance): written by the loader, read by
 * `xdpi ctl`; never touched by the programs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpi_instance);
} instance SEC(".maps");

/* Replay only: the capture's clock, set by user space before each test run. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpi_replay_ctx);
} replay_clock SEC(".maps");

#endif /* XDPI_BPF_MAPS_H */
