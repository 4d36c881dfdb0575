/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpf/shared/xdpi_abi.h: THE kernel<->user contract. Every struct, enum and limit that crosses
 * the boundary lives here and nowhere else. Bump XDPI_ABI_VERSION on any layout change. */
#ifndef XDPI_ABI_H
#define XDPI_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define XDPI_ABI_VERSION 14

/* Limits and defaults (user space may override the defaults at load time). */
#define XDPI_SNAPLEN_MAX 2048       /* largest bytes copied per packet into the ring buffer */
#define XDPI_COPY_MAX 65472         /* MSG flows in COPY mode: a whole packet, a GSO skb too
				     * (the record's u16 length holds header + this) */
#define XDPI_SNAPLEN_DEFAULT 1536   /* a whole 1500-MTU frame with two VLAN tags */
#define XDPI_CTRL_SNAPLEN 128       /* TCP SYN/FIN/RST: headers only */
#define XDPI_HEAD_PKTS_DEFAULT 8    /* payload packets per direction in `head` state */
#define XDPI_FLOWS_DEFAULT 262144   /* flow map entries */
#define XDPI_RINGBUF_DEFAULT (8u << 20)
#define XDPI_VLAN_MAX 4             /* VLAN tags read (802.1ad/802.1Q stacks); more: malformed */
#define XDPI_IPV6_EXT_MAX 6         /* extension headers walked before giving up */
#define XDPI_STEER_PORTS_MAX 1024
#define XDPI_POLICY_MAX (1u << 20)  /* CIDR entries per family: a million-line feed fits */
#define XDPI_RULE_STATS_MAX 65536   /* rule ids with their own counters (hash, ids >= _LOW) */
#define XDPI_RULE_STATS_LOW 2048    /* ids below are counted in an array indexed by id: one
				     * inlined lookup per decision instead of a hash's (lists 1-16,
				     * ctl 20, engine 21, limits 30-33, port rules from 1001) */
#define XDPI_TAP_QUEUES_MAX 64      /* receive queues tap mode serves */
#define XDPI_POLICY_CACHE 65536     /* sources whose verdict is cached (LRU, per-CPU lists) */
#define XDPI_PORT_RULES_MAX 65536   /* port-rule entries per family (ranges count per port) */
#define XDPI_LIMIT_SOURCES 131072   /* sources with rate-limit state (LRU) */
#define XDPI_LIMIT_DESTS 16384      /* destinations with SYN-rate state (LRU) */
#define XDPI_DROP_SAMPLE_LEN 128    /* bytes of a dropped packet sent to user space */

/* Steering state of a flow: what the fast path does with its packets. */
enum xdpi_steer {
	XDPI_STEER_PASS = 0,   /* counted only */
	XDPI_STEER_HEAD = 1,   /* first N payload packets per direction to the ring buffer */
	XDPI_STEER_SNIP = 2,   /* every payload packet to the ring buffer, up to the snap length */
	XDPI_STEER_FULL = 3,   /* whole packets to AF_XDP (tap mode) */
	XDPI_STEER_BYPASS = 4, /* user space has seen enough: counters only */
	XDPI_STEER_DROP = 5,   /* policy: drop */
	XDPI_STEER_MSG = 6,    /* message-aware: what user space asks per direction through the
				* msg_hints map (skip to a sequence number, copy, or nothing);
				* without a hint yet, every payload packet */
	XDPI_STEER_MAX,
};

/* Which hook saw a packet. */
enum xdpi_hook {
	XDPI_HOOK_XDP = 0,
	XDPI_HOOK_TC_EGRESS = 1,
	XDPI_HOOK_TC_INGRESS = 2, /* --xdp-mode tc: the ingress program at TC instead of XDP */
};

/* Why a packet was copied to user space. */
enum xdpi_cap_reason {
	XDPI_CAP_HEAD = 1,
	XDPI_CAP_SNIP = 2,
	XDPI_CAP_CTRL = 3, /* TCP SYN/FIN/RST of a steered flow, headers only */
	XDPI_CAP_MSG = 4,  /* a message head (or an unhinted packet) of a MSG flow; the record's
			    * payload_skip says how many payload bytes precede the copied ones */
	XDPI_CAP_SLICE = 5, /* as MSG, but the record covers its copied bytes and no more: what
			     * follows them in the packet comes in later records of the same
			     * packet, or was not needed (HTTP/2 DATA payloads) */
};

/* What user space wants of one direction of a MSG flow (xdpi_msg_hint.mode). Until it says,
 * the kernel copies everything: a race always resolves toward copying. */
enum xdpi_msg_mode {
	XDPI_MSG_NONE = 0, /* no word yet: every payload packet, whole */
	XDPI_MSG_COPY = 1, /* every payload packet, up to the snap length */
	XDPI_MSG_SEQ = 2,  /* TCP: payload before seq is not needed (counted as skipped); copy
			    * from seq on, from inside a packet or a GSO super-packet too */
	XDPI_MSG_SKIP = 3, /* no more payload (counted as skipped); SYN/FIN/RST still copied */
	XDPI_MSG_H2 = 4,   /* TCP, HTTP/2 frames: seq is a frame header's; from there the kernel
			    * walks the frame headers itself and copies every frame but the
			    * payloads of DATA frames (counted as skipped) */
};

#define XDPI_MSG_HEAD_BUDGET 8192  /* what user space asks past an HTTP/1 message's start:
				    * a head and the body's first bytes detection inspects */
#define XDPI_H2_WALK_FRAMES 32 /* frame headers walked per packet, then the rest is copied */
#define XDPI_H2_WALK_RUNS 8    /* copied stretches per packet (records), then the rest */

/* Value of the msg_hints map (key: the flow's xdpi_flow_key), written by user space only, so
 * the kernel's counters in the flow map are never rewritten from user space. */
struct xdpi_msg_hint {
	__u64 not_after_ns; /* the connection it is about began by then (0: any): an entry a new
			     * connection on the tuple took over later ignores it, a hint that
			     * landed after that connection's SYN */
	__u32 seq[2];    /* per direction (0: a->b): XDPI_MSG_SEQ's next interesting byte */
	__u8 mode[2];    /* enum xdpi_msg_mode, per direction */
	__u8 pad[2];
	__u32 budget[2]; /* XDPI_MSG_SEQ: bytes from seq on copied before user space says more
			  * (0: no limit); past them a packet leaves a headers-only mark, so
			  * user space still knows when its bytes went by, until the other side
			  * sends payload (a request: its answer is a head to see) */
};

/* Ring buffer record types. Every record starts with __u16 type, __u16 len. */
enum xdpi_event_type {
	XDPI_EVENT_PACKET = 1,
	XDPI_EVENT_DROP = 2,   /* a sample of the packets the fast path dropped (rate-limited) */
	XDPI_EVENT_FLOW_ENDED = 3, /* a closed TCP flow's entry taken over by a new connection on
				    * its tuple: the old one's struct xdpi_flow_ended, ahead of any
				    * record of the new one */
};

/* Why the fast path dropped a packet (the `reason` of a DROP record). */
enum xdpi_drop_reason {
	XDPI_DROP_POLICY = 1,     /* a block entry (list, ctl, engine, SYN flood block) */
	XDPI_DROP_RATE_PKTS = 2,  /* the source's packets/s bucket is empty */
	XDPI_DROP_RATE_BYTES = 3, /* the source's bytes/s bucket is empty */
	XDPI_DROP_SYN_FLOOD = 4,  /* a SYN over the source's SYN rate to a destination under attack */
	XDPI_DROP_ICMP_FLOOD = 5, /* the source's ICMP packets/s bucket is empty */
	XDPI_DROP_PORT_RULE = 6,  /* a port/protocol drop rule */
};

/* Malformed-header reasons. The parser returns -reason; each has a counter. */
#define XDPI_REASONS(X)                                                                        \
	X(ETH_TRUNC, "eth_truncated")                                                          \
	X(VLAN_TRUNC, "vlan_truncated")                                                        \
	X(VLAN_TOO_MANY, "vlan_too_many_tags")                                                 \
	X(IPV4_TRUNC, "ipv4_truncated")                                                        \
	X(IPV4_BAD_VERSION, "ipv4_bad_version")                                                \
	X(IPV4_BAD_IHL, "ipv4_bad_ihl")                                                        \
	X(IPV4_BAD_TOTLEN, "ipv4_bad_total_length")                                            \
	X(IPV6_TRUNC, "ipv6_truncated")                                                        \
	X(IPV6_BAD_VERSION, "ipv6_bad_version")                                                \
	X(IPV6_EXT_TRUNC, "ipv6_ext_truncated")                                                \
	X(IPV6_EXT_TOO_MANY, "ipv6_ext_too_many")                                              \
	X(TCP_TRUNC, "tcp_truncated")                                                          \
	X(TCP_BAD_DOFF, "tcp_bad_data_offset")                                                 \
	X(UDP_TRUNC, "udp_truncated")                                                          \
	X(UDP_BAD_LEN, "udp_bad_length")                                                       \
	X(ICMP_TRUNC, "icmp_truncated")                                                        \
	X(TUNNEL_TRUNC, "tunnel_truncated")                                                    \
	X(TUNNEL_BAD, "tunnel_bad_header")                                                     \
	X(TUNNEL_TOO_DEEP, "tunnel_too_deep")                                                  \
	X(MPLS_TRUNC, "mpls_truncated")                                                        \
	X(MPLS_TOO_MANY, "mpls_too_many_labels")

enum xdpi_reason {
	XDPI_REASON_NONE = 0,
#define XDPI_X_ENUM(id, name) XDPI_REASON_##id,
	XDPI_REASONS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_REASON_MAX,
};

/* Fast-path counters (per CPU). Malformed reasons follow at XDPI_CNT_REASON_BASE + reason. */
#define XDPI_COUNTERS(X)                                                                       \
	X(PKTS, "pkts")                                                                        \
	X(BYTES, "bytes")                                                                      \
	X(VERDICT_PASS, "verdict_pass")                                                        \
	X(VERDICT_DROP, "verdict_drop")                                                        \
	X(NON_IP, "non_ip")                                                                    \
	X(VLAN, "vlan_tagged")                                                                 \
	X(QINQ, "qinq_tagged")                                                                 \
	X(IPV4, "ipv4")                                                                        \
	X(IPV6, "ipv6")                                                                        \
	X(TCP, "tcp")                                                                          \
	X(UDP, "udp")                                                                          \
	X(ICMP, "icmp")                                                                        \
	X(ICMPV6, "icmpv6")                                                                    \
	X(OTHER_L4, "other_l4")                                                                \
	X(FRAG_FIRST, "frag_first")                                                            \
	X(FRAG_LATER, "frag_later")                                                            \
	X(FRAG_UNATTRIBUTED, "frag_unattributed")                                              \
	X(MALFORMED, "malformed")                                                              \
	X(FLOW_NEW, "flow_new")                                                                \
	X(FLOW_INSERT_FAIL, "flow_insert_failed")                                              \
	X(FLOW_RENEWED, "flow_renewed")                                                        \
	X(FLOW_RENEW_LOST, "flow_renew_lost")                                                  \
	X(CAPTURED, "captured_pkts")                                                           \
	X(CAPTURED_BYTES, "captured_bytes")                                                    \
	X(CAPTURE_TRUNCATED, "captured_truncated")                                             \
	X(LOSS_RINGBUF_FULL, "loss_ringbuf_full")                                              \
	X(LOSS_LOAD_BYTES, "loss_load_bytes")                                                  \
	X(TC_PULL_FAIL, "tc_pull_failed")                                                      \
	X(POLICY_ALLOW, "policy_allow")                                                        \
	X(POLICY_DROP, "policy_drop")                                                          \
	X(POLICY_ALERT, "policy_alert")                                                        \
	X(POLICY_EXPIRED, "policy_expired")                                                    \
	X(RULE_STATS_FULL, "rule_stats_full")                                                  \
	X(RATE_DROP_PKTS, "rate_drop_pkts")                                                    \
	X(RATE_DROP_BYTES, "rate_drop_bytes")                                                  \
	X(SYN_FLOOD_DROP, "syn_flood_drop")                                                    \
	X(SYN_FLOOD_BLOCKED, "syn_flood_sources_blocked")                                      \
	X(SYN_FLOOD_BLOCK_FAIL, "syn_flood_block_failed")                                      \
	X(SYN_DST_ATTACK, "syn_dst_over_rate")                                                 \
	X(ICMP_FLOOD_DROP, "icmp_flood_drop")                                                  \
	X(LIMIT_STATE_FULL, "limit_state_full")                                                \
	X(DROP_SAMPLED, "drop_sampled")                                                        \
	X(DROP_NOT_SAMPLED, "drop_not_sampled")                                                \
	X(PORT_DROP, "port_rule_drop")                                                         \
	X(PORT_ALLOW, "port_rule_allow")                                                       \
	X(POLICY_CACHE_HIT, "policy_cache_hit")                                                \
	X(POLICY_CACHE_MISS, "policy_cache_miss")                                              \
	X(TAP_REDIRECTED, "tap_redirected")                                                    \
	X(TAP_NO_SOCKET, "tap_no_socket")                                                      \
	X(TAP_NOT_STEERED, "tap_not_steered")                                                  \
	X(MSG_SKIPPED_PKTS, "msg_skipped_pkts")                                                \
	X(MSG_SKIPPED_BYTES, "msg_skipped_bytes")                                              \
	X(MSG_MID_COPIES, "msg_mid_copies")                                                    \
	X(MSG_UNHINTED, "msg_unhinted")                                                        \
	X(MSG_OVER_BUDGET_PKTS, "msg_over_budget_pkts")                                        \
	X(MSG_OVER_BUDGET_BYTES, "msg_over_budget_bytes")                                      \
	X(MSG_H2_FRAMES, "msg_h2_frames")                                                      \
	X(MSG_H2_RESYNCS, "msg_h2_resyncs")                                                    \
	X(MSG_H2_UNSYNCED, "msg_h2_unsynced")                                                  \
	X(GSO_SKBS, "gso_skbs")                                                                \
	X(GSO_EXTRA_SEGS, "gso_extra_segs")                                                    \
	X(TUN_VXLAN, "tunnel_vxlan")                                                           \
	X(TUN_GENEVE, "tunnel_geneve")                                                         \
	X(TUN_GRE, "tunnel_gre")                                                               \
	X(TUN_ERSPAN, "tunnel_erspan")                                                         \
	X(TUN_GTPU, "tunnel_gtpu")                                                             \
	X(TUN_IPIP, "tunnel_ipip")                                                             \
	X(TUN_TEREDO, "tunnel_teredo")                                                         \
	X(GTP_SIGNALLING, "gtp_signalling")                                                    \
	X(MPLS, "mpls")                                                                        \
	X(PPPOE, "pppoe")                                                                      \
	X(LB_FORWARDED, "lb_forwarded")                                                        \
	X(LB_DROPPED, "lb_dropped")                                                            \
	X(LB_DECAPSULATED, "lb_decapsulated")                                                  \
	X(LB_CHECKS_WRAPPED, "lb_checks_wrapped")

enum xdpi_counter {
#define XDPI_X_ENUM(id, name) XDPI_CNT_##id,
	XDPI_COUNTERS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_CNT_REASON_BASE,
	XDPI_CNT_MAX = XDPI_CNT_REASON_BASE + XDPI_REASON_MAX,
};

/* The value of the per-CPU `counters` map: all counters of one CPU, one lookup per packet. */
struct xdpi_counters {
	__u64 c[XDPI_CNT_MAX];
};

/* Canonical 5-tuple plus VLAN and tunnel: side a is the smaller (address, port). Both
 * directions of a flow map to one key; the direction bit (0: a->b, 1: b->a) travels beside
 * it. A tunnelled packet's key is its innermost packet's, with the innermost tunnel's type
 * and identity (xdpi_tun_key_id). */
struct xdpi_flow_key {
	__u32 addr_a[4]; /* network byte order; IPv4 uses [0] only */
	__u32 addr_b[4];
	__be16 port_a;   /* ICMP echo: the identifier on both sides; other ICMP: 0 */
	__be16 port_b;
	__u16 vlan;      /* outer VLAN id, 0 when untagged */
	__u8 proto;      /* IPPROTO_* */
	__u8 family;     /* 4 or 6 */
	__u32 tun_id;    /* VNI, GRE key, ERSPAN session; 0: none (host byte order) */
	__u8 tun_type;   /* enum xdpi_tunnel, XDPI_TUN_NONE when not tunnelled */
	__u8 pad[3];
};

struct xdpi_flow_value {
	__u64 pkts[2];  /* [0]: a->b, [1]: b->a */
	__u64 bytes[2]; /* whole frames, as on the wire */
	__u64 first_ns; /* clock: CLOCK_MONOTONIC, or the replay clock */
	__u64 last_ns;
	__u32 tcp_flags[2];
	__u32 head_left[2]; /* `head` packets still to copy, per direction */
	__u8 steer;         /* enum xdpi_steer */
	__u8 initiator;     /* side (0 a, 1 b) that opened the flow */
	__u8 icmp_type;     /* ICMP: type and code of the flow's first packet */
	__u8 icmp_code;
	__u8 h2_sync[2];    /* XDPI_MSG_H2, per direction: h2_next is a frame header's seq */
	__u8 rearmed[2];    /* XDPI_MSG_SEQ with a budget, per direction: the other side spoke
			     * (a request): 1, this side's next packet starts a budget of its
			     * own (an answer's head); 2, it did, at rearm_base */
	__u32 h2_next[2];   /* written by the kernel's frame walk only */
	__u32 rearm_base[2];
};

/* A FLOW_ENDED record's payload: what the old connection's entry held when a SYN renewed it
 * (its last counts; user space ends its record with them). */
struct xdpi_flow_ended {
	struct xdpi_flow_key key;
	struct xdpi_flow_value val;
};

/* The argument of the `flow_steer` program (BPF_PROG_TYPE_SYSCALL, run by user space through
 * BPF_PROG_TEST_RUN): a flow's steering state set in the kernel in one step. A read and a
 * write-back of the whole entry from user space lost what the kernel counted between the two,
 * and could undo a renewal for a new connection that came between them. */
struct xdpi_flow_steer_args {
	struct xdpi_flow_key key;
	__u64 not_after_ns;            /* 0, or: an entry whose connection began later is left
					* alone (ret -ESTALE) */
	struct xdpi_flow_value before; /* out: the entry just before */
	__s32 ret;                     /* out: 0, -ENOENT (no such flow), -ESTALE */
	__u8 steer;                    /* enum xdpi_steer */
	__u8 pad[3];
};

/* Remembers the ports of a fragmented datagram's first fragment for its later fragments. */
struct xdpi_frag_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 id;
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

struct xdpi_frag_value {
	__be16 sport;
	__be16 dport;
};

/* Key of the per-port steering map: a service port whose flows start in a given state. */
struct xdpi_port_key {
	__u16 port; /* host byte order */
	__u8 proto;
	__u8 pad;
};

/* Value of the replay_clock map (replay only): the packet's capture time; its length on the
 * original wire, to count (the test run's frame differs when the capture had another link
 * layer); and how many bytes the capture's snap length cut off the end of the frame. */
struct xdpi_replay_ctx {
	__u64 ts_ns;
	__u32 wire_len;  /* 0: count the frame's length */
	__u32 snap_cut;
};

/* Ring buffer record: this header, then cap_len bytes of the frame from its first byte. */
struct xdpi_event_hdr {
	__u16 type;     /* enum xdpi_event_type */
	__u16 len;      /* header + cap_len */
	__u16 cap_len;
	__u8 hook;      /* enum xdpi_hook */
	__u8 reason;    /* enum xdpi_cap_reason */
	__u32 ifindex;
	__u32 orig_len; /* the frame's length on the wire */
	__u64 ts_ns;
	union {
		__u32 rule_id;      /* DROP: the rule that dropped it (reason: enum xdpi_drop_reason) */
		__u32 payload_skip; /* PACKET, XDPI_CAP_MSG: L4 payload bytes left out between the
				     * headers and the copied bytes (a message head inside) */
	};
	__u8 flow_dir;  /* 0: packet goes a->b in its flow key */
	__u8 steer;
	__u8 pad[2];
};

/* Policy: CIDR entries in one LPM trie per family, keyed by the remote address (the source
 * at XDP ingress, the destination at TC egress). Allow and drop entries share a trie, so the
 * longest prefix decides: an allowed /24 inside a blocked /16 passes. */
enum xdpi_policy_action {
	XDPI_POLICY_ALLOW = 1,
	XDPI_POLICY_DROP = 2,
	XDPI_POLICY_ALERT = 3, /* counted under its rule (a reputation rule), then the packet
				* goes on as if no entry held its address */
};

/* Which packets an entry applies to (xdpi_policy_value.dirs); 0: both. */
#define XDPI_POLICY_DIR_SRC 0x1 /* at XDP ingress, where the remote address is the source */
#define XDPI_POLICY_DIR_DST 0x2 /* at TC egress, where it is the destination */

struct xdpi_lpm4_key {
	__u32 prefixlen; /* 0..32 */
	__u8 addr[4];    /* network byte order */
};

struct xdpi_lpm6_key {
	__u32 prefixlen; /* 0..128 */
	__u8 addr[16];
};

/* Rule ids with a fixed meaning; other ids are the operator's (`xdpi ctl block --rule N`) or a
 * detection rule's sid. */
enum xdpi_rule_id {
	XDPI_RULE_LIST_FIRST = 1,  /* `xdpi run --block/--allow`: the Nth list is rule N */
	XDPI_RULE_LIST_LAST = 16,
	XDPI_RULE_CTL = 20,        /* `xdpi ctl block/allow` without --rule */
	XDPI_RULE_ENGINE = 21,     /* the slow path's own verdicts (xdpi_engine__block_source) */
	XDPI_RULE_RATE_PKTS = 30,  /* per-source packets/s limit */
	XDPI_RULE_RATE_BYTES = 31, /* per-source bytes/s limit */
	XDPI_RULE_SYN_FLOOD = 32,  /* SYN flood defence: its drops and its block entries */
	XDPI_RULE_ICMP_FLOOD = 33, /* per-source ICMP limit */
	XDPI_RULE_EGRESS_PKTS = 34,  /* per-destination packets/s limit at TC egress */
	XDPI_RULE_EGRESS_BYTES = 35, /* per-destination bytes/s limit at TC egress */
	XDPI_RULE_EGRESS_ICMP = 36,  /* per-destination ICMP limit at TC egress */
	XDPI_RULE_PORT_FIRST = 1001, /* `xdpi run --port-rule/--port-rules`: the Nth is 1000 + N */
	XDPI_RULE_SID_MIN = 100000,  /* detection rules counted in XDP use their sid from here on */
};

/* Rate limits, in the one-entry `limits` array (user space may change it at any time). Rates
 * are given as the time one unit costs, so the fast path never divides: a bucket admits a
 * packet while its virtual time is at most one second ahead of now (GCRA; the burst is one
 * second's worth). 0 turns a limit off. Sources the allow list matches are never limited. */
struct xdpi_limits {
	__u64 src_pkt_ns;      /* per source: ns per packet (1e9 / packets per second) */
	__u64 src_byte_ps;     /* per source: picoseconds per byte (1e12 / bytes per second) */
	__u64 syn_dst_ns;      /* ns per SYN one destination takes before it is under attack */
	__u64 syn_src_ns;      /* ns per SYN a source may send to a destination under attack */
	__u64 syn_block_ns;    /* how long a source over syn_src_ns is blocked (0: drop only) */
	__u64 icmp_ns;         /* per source: ns per ICMP/ICMPv6 packet */
	__u64 drop_sample_ns;  /* ns per DROP record to user space, per CPU (0: none) */
	/* at TC egress, per destination: what the host may send one remote address (a reflector
	 * or a compromised host flooding someone); 0 off */
	__u64 dst_pkt_ns;
	__u64 dst_byte_ps;
	__u64 dst_icmp_ns;
};

/* Key of the per-address limit state (sources, and destinations for SYN rates). */
struct xdpi_addr_key {
	__u32 addr[4];
	__u8 family;
	__u8 pad[3];
};

/* Virtual times (GCRA) of one source's buckets. */
struct xdpi_src_state {
	__u64 tat_pkts;
	__u64 tat_bytes;
	__u64 tat_syn;
	__u64 tat_icmp;
};

struct xdpi_dst_state {
	__u64 tat_syn;
	__u64 attack_until; /* the destination counts as under attack until then */
};

struct xdpi_policy_value {
	__u32 rule_id;      /* counted in rule_stats; shown in drop events */
	__u8 action;        /* enum xdpi_policy_action */
	__u8 prefixlen;     /* the entry's own prefix length: the trie does not return it, and
			     * the kernel needs it to delete an expired entry */
	__u8 dirs;          /* XDPI_POLICY_DIR_*; 0: both */
	__u8 pad;
	__u64 expires_ns;   /* 0: never; else a CLOCK_MONOTONIC (bpf_ktime_get_ns) deadline. The
			     * first packet that meets an expired entry deletes it, so a shorter
			     * prefix beneath applies again at once. */
};

/* Port and protocol rules: LPM tries keyed by protocol, the local service port (network order;
 * 0 for protocols without ports) and remote address, in that order, so "tcp/23" is a 24-bit
 * prefix and "tcp/22 from 198.18.5.0/24" a 48-bit one. The value is a xdpi_policy_value
 * (expiry unused). Consulted when no address entry decided: at XDP ingress with the packet's
 * destination port and source, at TC egress with its source port and destination (what the
 * service sends back to that address). */
struct xdpi_port4_key {
	__u32 prefixlen; /* 8 (protocol) + 16 (port) + 0..32 */
	__u8 proto;
	__u8 port[2];
	__u8 addr[4];
	__u8 pad;
};

struct xdpi_port6_key {
	__u32 prefixlen; /* 8 + 16 + 0..128 */
	__u8 proto;
	__u8 port[2];
	__u8 addr[16];
	__u8 pad;
};

/* The verdict cache in front of the address tries (XDP ingress): the trie walk of a large list
 * (~20 nodes for a million entries) is paid once per source, not once per packet. An entry
 * holds the trie's answer (action 0: no entry) with the generations it was looked up under;
 * any change to the tries bumps a generation, which invalidates every cached answer at once.
 * User space bumps its slot after its writes, the kernel its own (atomically) after it adds
 * a SYN flood block; both are read before the trie, so an answer is never newer than its
 * generation. The cache is used while the CACHE_ON slot is non-zero. While both generations
 * are still 0, nothing was ever written to the tries and the fast path skips them; likewise
 * the port tries while the PORTS slot is 0 (user space sets it with its first port rule). */
enum xdpi_policy_gen_slot {
	XDPI_GEN_USER = 0,
	XDPI_GEN_KERNEL = 1,
	XDPI_GEN_CACHE_ON = 2,
	XDPI_GEN_PORTS = 3,
	XDPI_GEN_SLOTS = 4,
};

struct xdpi_policy_cached {
	__u64 user_gen;
	__u64 kernel_gen;
	struct xdpi_policy_value v;
};

/* Per-rule counters (per CPU), keyed by rule id. The times (the hook's clock) show when a
 * rule first and last decided: `xdpi ctl stats` prints them, and bench measures the delay from
 * a block decision to its first drop with first_ns. */
struct xdpi_rule_stats {
	__u64 pkts;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
};

/* Process context of local sockets (bpf/sock_ctx.bpf.c -> src/context/sock_ctx.c): the
 * socket hooks record who owns each socket they see, keyed by its tuple as the owner sees it
 * (local side first). Wildcards, all zero: raddr/rport of an unconnected UDP socket's port
 * entry, laddr of a socket bound to any address. */
struct xdpi_sock_key {
	__u32 laddr[4]; /* network order; IPv4 (and IPv4-mapped IPv6) in [0] */
	__u32 raddr[4];
	__u16 lport;    /* host order */
	__u16 rport;
	__u8 family;    /* 4 or 6 */
	__u8 proto;     /* 6 or 17 */
	__u8 pad[2];
};

enum xdpi_sock_source {
	XDPI_SOCK_TCP_IO = 1, /* TCP send or receive by the owner */
	XDPI_SOCK_UDP_IO,     /* UDP send or receive by the owner */
};

struct xdpi_sock_value {
	__u64 cgroup_id; /* cgroup v2 id of the owner (bpf_get_current_cgroup_id) */
	__u64 seen_ns;   /* CLOCK_MONOTONIC of the last record */
	__u32 pid;       /* thread group id */
	__u32 uid;
	char comm[16];   /* the process's (its main thread's) name */
	__u8 source;     /* enum xdpi_sock_source */
	__u8 pad[7];
};

#define XDPI_SOCK_ENTRIES 65536

/* TLS plaintext (bpf/tls_probe.bpf.c -> src/context/tls_plain.c): what a TLS library read or
 * wrote in a process, caught at the library call's return (uprobes), tied to the socket the
 * call used. One ring record: this header, then `copied` bytes of the plaintext. */
enum xdpi_plain_lib { XDPI_PLAIN_OPENSSL = 1, XDPI_PLAIN_GNUTLS };

enum xdpi_plain_join {
	XDPI_PLAIN_JOIN_NONE = 0, /* no socket known: user space counts and leaves it */
	XDPI_PLAIN_JOIN_CALL,     /* a socket send/receive inside the very call */
	XDPI_PLAIN_JOIN_SESSION,  /* the session's socket, learnt by an earlier call */
	XDPI_PLAIN_JOIN_THREAD,   /* the thread's last socket (a read the library buffered) */
};

struct xdpi_plain_hdr {
	struct xdpi_sock_key sk; /* the socket, as the process sees it (local side first) */
	__u64 ts_ns;             /* CLOCK_MONOTONIC at the call's return */
	__u64 session;           /* the library's session (SSL *, gnutls_session_t) */
	__u32 pid;               /* thread group id */
	__u32 tid;
	__u32 len;               /* bytes the call read or wrote */
	__u32 copied;            /* of them, after this header (a bounded prefix) */
	__u8 dir;                /* 0: the process wrote (sent), 1: it read (received) */
	__u8 lib;                /* enum xdpi_plain_lib */
	__u8 join;               /* enum xdpi_plain_join */
	__u8 pad[5];
};

#define XDPI_PLAIN_COPY_MAX 16384 /* the most of one call copied (the prefix is configurable) */

/* Per-CPU counters of the probes (index: enum xdpi_plain_counter). */
enum xdpi_plain_counter {
	XDPI_PLAIN_CNT_CALLS = 0,     /* returns with data */
	XDPI_PLAIN_CNT_BYTES,         /* their bytes */
	XDPI_PLAIN_CNT_TRUNCATED,     /* bytes past the copied prefix */
	XDPI_PLAIN_CNT_RING_FULL,     /* records the ring had no room for (lost) */
	XDPI_PLAIN_CNT_READ_FAULT,    /* the buffer could not be read (lost) */
	XDPI_PLAIN_CNT_NO_ENTRY,      /* a return without its entry (a missed entry) */
	XDPI_PLAIN_CNT_JOIN_CALL,     /* records tied by a socket call inside the call */
	XDPI_PLAIN_CNT_JOIN_SESSION,  /* ... by the session's socket */
	XDPI_PLAIN_CNT_JOIN_THREAD,   /* ... by the thread's last socket */
	XDPI_PLAIN_CNT_NO_SOCKET,     /* records with no socket at all */
	XDPI_PLAIN_CNT_MAX,
};

/* ---- The balancer (`xdpi run --lb FILE`): virtual services spread over backends in XDP ---- */

#define XDPI_LB_SERVICES_MAX 64
#define XDPI_LB_BACKENDS_MAX 1024   /* over all services: a backend id indexes lb_backends */
#define XDPI_LB_RING_SIZE 16381     /* a prime: each service's Maglev table */
#define XDPI_LB_CONNS_DEFAULT 262144 /* connection table entries (LRU, per-CPU lists) */
#define XDPI_LB_NONE 0xffffffffu    /* a table slot with no backend */
#define XDPI_LB_MARK 0x58440000u    /* SO_MARK of a health check: | its backend id (TC encaps it) */
#define XDPI_LB_MARK_MASK 0xffff0000u
#define XDPI_LB_SYN_RETRANS_NS 3000000000ull /* the same SYN again this soon: a retry */
#define XDPI_LB_MTU_DEFAULT 1500

/* A virtual service: lb_vips' key (destination address, port, protocol). */
struct xdpi_lb_vip_key {
	__u32 addr[4]; /* network byte order; IPv4 uses [0] only */
	__be16 port;
	__u8 proto;
	__u8 family;   /* 4 or 6 */
};

struct xdpi_lb_vip {
	__u32 service; /* index of lb_rings, lb_svc_stats */
	__u32 flags;
};

/* LEAVING: `xdpi ctl lb-remove` asked; its connections are balanced again at once, the
 * daemon takes it out of the table, then frees it. */
enum xdpi_lb_backend_state { XDPI_LB_FREE = 0, XDPI_LB_CONFIGURED = 1, XDPI_LB_LEAVING = 2 };

/* lb_backends, by backend id. The kernel reads addr, family and state (a FREE backend's
 * connections are balanced again); weight and health are the daemon's and xdpi ctl's. */
struct xdpi_lb_backend {
	__u32 addr[4];
	__u8 family;
	__u8 state;    /* enum xdpi_lb_backend_state */
	__u8 health;   /* bits of the failing sources (XDPI_LB_HEALTH_*), written by the daemon */
	__u8 pad;
	__u16 service;
	__u16 weight;  /* configured; 0: draining (no new connections) */
};

#define XDPI_LB_HEALTH_ACTIVE 0x1  /* TCP connect / HTTP GET through the encapsulation */
#define XDPI_LB_HEALTH_PASSIVE 0x2 /* SYNs retried to it, seen in XDP */
#define XDPI_LB_HEALTH_L7 0x4      /* its xdpi agent's API metrics: server errors */

/* lb_conns: a client's connection to a service, and the backend it keeps. */
struct xdpi_lb_conn_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

struct xdpi_lb_conn {
	__u64 syn_ns;  /* the connection's first SYN (0: none seen) */
	__u32 backend;
	__u32 syn_seq; /* its sequence number: a retry repeats it, a new connection does not */
};

/* lb_cfg[0]: the outer source of encapsulated packets (a prefix; the flow's hash fills its
 * host bits, so a backend's receive queues spread them), the largest packet to send, and
 * whether any service is configured. */
struct xdpi_lb_cfg {
	__u32 src4;       /* network byte order */
	__u32 src4_host;  /* the prefix's host bits (network byte order) */
	__u32 src6[4];
	__u32 src6_host;  /* host bits of src6[3] */
	__u16 mtu;
	__u8 on;
	__u8 pad;
};

#define XDPI_LB_SVC_COUNTERS(X)                                                                \
	X(PKTS, "packets")                                                                     \
	X(BYTES, "bytes")                                                                      \
	X(CONN_HIT, "conn_hit")                                                                \
	X(CONN_NEW, "conn_new")                                                                \
	X(CONN_REBALANCED, "conn_rebalanced")                                                  \
	X(NO_BACKEND, "no_backend")                                                            \
	X(ENCAP_FAIL, "encap_fail")                                                            \
	X(TOO_BIG, "too_big")                                                                  \
	X(ICMP_FORWARDED, "icmp_forwarded")                                                    \
	X(TX, "tx")                                                                            \
	X(REDIRECTED, "redirected")                                                            \
	X(TO_STACK, "to_stack")

enum xdpi_lb_svc_counter {
#define XDPI_X_ENUM(id, name) XDPI_LB_SC_##id,
	XDPI_LB_SVC_COUNTERS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_LB_SC_MAX,
};

struct xdpi_lb_svc_stats {
	__u64 c[XDPI_LB_SC_MAX];
};

#define XDPI_LB_BACKEND_COUNTERS(X)                                                            \
	X(PKTS, "packets")                                                                     \
	X(BYTES, "bytes")                                                                      \
	X(CONN_NEW, "conn_new")                                                                \
	X(SYN_RETRANS, "syn_retransmits")                                                      \
	X(CLIENT_RST, "client_resets")

enum xdpi_lb_backend_counter {
#define XDPI_X_ENUM(id, name) XDPI_LB_BC_##id,
	XDPI_LB_BACKEND_COUNTERS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_LB_BC_MAX,
};

struct xdpi_lb_backend_stats {
	__u64 c[XDPI_LB_BC_MAX];
};

/* The one-entry `instance` map, pinned beside the control maps: who pinned them and with
 * which layout, so that `xdpi ctl` checks the ABI and the owner before it touches anything. */
struct xdpi_instance {
	__u32 abi_version;  /* XDPI_ABI_VERSION of the xdpi that pinned */
	__u32 pid;          /* its process id (in its pid namespace) */
	__u64 netns_cookie; /* SO_NETNS_COOKIE of its network namespace (never reused) */
	__u64 started_ns;   /* CLOCK_MONOTONIC at attach */
	__u32 ifindex;
	__u32 flags;        /* XDPI_INSTANCE_* */
	char ifname[16];
};

#define XDPI_INSTANCE_PERSIST 0x1 /* --persist: the links are pinned too */
#define XDPI_INSTANCE_TAP 0x2     /* tap mode */

#endif /* XDPI_ABI_H */
