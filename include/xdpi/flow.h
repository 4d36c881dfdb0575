/* SPDX-License-Identifier: GPL-2.0 */
/* User-space flow table: canonical keys (the kernel's), idle and active timeouts, TCP state,
 * a bound on memory with eviction of the least recently seen flow. */
#ifndef XDPI_FLOW_H
#define XDPI_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "shared/xdpi_abi.h"

#define XDPI_NS_PER_SEC 1000000000ull

enum xdpi_tcp_state {
	XDPI_TCP_NONE = 0,
	XDPI_TCP_SYN_SENT,
	XDPI_TCP_SYN_RECV,
	XDPI_TCP_ESTABLISHED,
	XDPI_TCP_FIN_WAIT1,  /* the client sent FIN */
	XDPI_TCP_CLOSE_WAIT, /* the server sent FIN */
	XDPI_TCP_CLOSED,     /* FIN both ways, or RST */
};

enum xdpi_flow_end {
	XDPI_FLOW_END_TIMEOUT = 0, /* idle past its state's timeout */
	XDPI_FLOW_END_ACTIVE,      /* open longer than the active timeout: record cut */
	XDPI_FLOW_END_FORCED,      /* evicted to stay within the memory bound */
	XDPI_FLOW_END_SHUTDOWN,    /* xdpi stopped, or the capture ended */
	XDPI_FLOW_END_REUSE,       /* a new SYN on the tuple of a closed TCP connection */
};

struct xdpi_flow_timeouts {
	uint64_t new_ns;         /* one direction only, or handshake not done */
	uint64_t established_ns;
	uint64_t closed_ns;
	uint64_t active_ns;      /* cut a record of a long-lived flow */
};

/* The outermost packet of a tunnelled one: the tunnel's endpoints on the wire. */
struct xdpi_tun_outer {
	uint8_t family;
	uint8_t proto;    /* the carrier: UDP, GRE, or the inner IP version's protocol */
	uint16_t sport;   /* host byte order; 0 without ports */
	uint16_t dport;
	uint8_t saddr[16];
	uint8_t daddr[16];
};

/* A tunnelled flow's tunnel as user space saw it: the outermost endpoints, the innermost
 * tunnel's id (GTP-U's TEID too, which the key leaves out), how many tunnels deep. */
struct xdpi_flow_tunnel {
	struct xdpi_tun_outer outer;
	uint32_t id;
	uint8_t depth;
};

/* What named a flow's protocol (xdpi.app.by). */
enum xdpi_app_by {
	XDPI_APP_BY_NONE = 0,
	XDPI_APP_BY_CONTENT, /* a dissector or an identifier recognised its bytes */
	XDPI_APP_BY_PORT,    /* nothing did: a protocol registered on one of its ports */
};

/* What few flows have, out of line: counts from a mark (an active-timeout cut, a bypass), the
 * last message hint to the kernel, the tunnel it came through. Offline none has any; each
 * would otherwise cost every flow its bytes (xdpi_flow_extra_get allocates them). */
struct xdpi_flow_extra {
	uint64_t base_pkts[2];  /* counters already reported by active-timeout cuts */
	uint64_t base_bytes[2];
	uint64_t bypass_pkts[2];  /* counters when it was bypassed: the record reports what */
	uint64_t bypass_bytes[2]; /* came after under flow.bypassed */
	struct xdpi_flow_tunnel *tun; /* the tunnel it came through (engine-owned), NULL: none
				       * seen by user space (the key still names type and id) */
	struct xdpi_msg_hint hint; /* MSG flows: what was last asked of the kernel */
};

/* A flow, one per tracked connection. Memory per flow is the figure that bounds how many a
 * host can follow: the struct is kept at 232 bytes (a 240-byte heap chunk), widest fields
 * first so that nothing pads, flags as bits. */
struct xdpi_flow {
	/* first, beside the key: a lookup walks hnext and compares hash and key, so a chain's
	 * element costs one cache line (two when the 16-byte-aligned chunk straddles) */
	struct xdpi_flow *hnext;
	uint32_t hash;
	uint32_t sweep_gen; /* kernel mode: the last sweep that found it in the kernel */
	struct xdpi_flow_key key;
	uint64_t pkts[2];   /* by canonical side: [0] a->b, [1] b->a */
	uint64_t bytes[2];
	uint64_t payload[2]; /* TCP payload bytes by side, as user space saw them (stream_size) */
	uint64_t first_ns;  /* flow clock */
	uint64_t last_ns;
	uint64_t record_start_ns; /* first_ns, or the last active-timeout cut */
	uint64_t user_pkts; /* packets (or snippets) that reached user space */
	uint64_t vol_bytes; /* bytes to the server the surge detector has counted */
	const char *app_proto; /* EVE app_proto once known, "failed" if nothing matched */
	const char *app_proto_orig; /* the dissector's name when it named a more specific
				     * protocol (http2 for doh2); NULL else */
	void *l7;           /* the engine's application-layer state, NULL until payload */
	void *detect;       /* detection state (flowbits, pass), NULL until a rule needs it */
	struct xdpi_proc_ctx *proc; /* owners of its local ends (engine-owned), NULL: unknown */
	struct xdpi_flow_extra *extra; /* NULL: no cut, bypass, hint or tunnel (all 0) */
	struct xdpi_flow *lru_prev, *lru_next;
	uint8_t tcp_flags[2];
	uint8_t initiator;  /* canonical side of the client */
	uint8_t tcp_state;  /* enum xdpi_tcp_state */
	uint8_t steer;      /* kernel steering state, when kernel-backed */
	uint8_t icmp_type;  /* ICMP: type and code of the first packet */
	uint8_t icmp_code;
	uint8_t app_by;     /* enum xdpi_app_by: what named app_proto */
	uint8_t app_from;   /* enum xdpi_app_source of app_name */
	uint8_t proc_tries; /* lookups made for it so far */
	bool kernel : 1;      /* counters come from the kernel's flow map */
	bool bypassed : 1;    /* the kernel stopped steering it to user space */
	bool alerted : 1;     /* a rule or a detector alerted on it (flow.alerted) */
	bool app_changed : 1; /* app_proto was set or changed since packet detection last ran */
	uint16_t risks;     /* 1 << enum xdpi_risk raised so far (xdpi/appid.h) */
	uint16_t app_name;  /* its application: xdpi_apps_at(app_name - 1); 0: none */
};

_Static_assert(sizeof(struct xdpi_flow) <= 232, "a flow fits a 240-byte heap chunk");

/* F's extra, allocated zeroed on first use; NULL without memory. */
struct xdpi_flow_extra *xdpi_flow_extra_get(struct xdpi_flow *f);

/* Counters at F's last cut (0 without any). */
static inline uint64_t xdpi_flow_base_pkts(const struct xdpi_flow *f, int side)
{
	return f->extra ? f->extra->base_pkts[side] : 0;
}

static inline uint64_t xdpi_flow_base_bytes(const struct xdpi_flow *f, int side)
{
	return f->extra ? f->extra->base_bytes[side] : 0;
}

/* Called for every flow that ends, before it is freed. */
typedef void (*xdpi_flow_end_fn)(void *ctx, struct xdpi_flow *f, enum xdpi_flow_end why);

struct flow_table_stats {
	uint64_t created;
	uint64_t ended;
	uint64_t evicted;       /* ended early by the memory bound */
	uint64_t active_cuts;
	uint64_t alloc_failed;  /* a packet that could not get a flow */
	uint64_t active;
	uint64_t max;
};

struct flow_table;

struct flow_table *flow_table__new(size_t max_flows, const struct xdpi_flow_timeouts *t,
				   xdpi_flow_end_fn on_end, void *ctx);
void flow_table__free(struct flow_table *ft);
struct xdpi_flow *flow_table__lookup(struct flow_table *ft, const struct xdpi_flow_key *k);
/* Brings K's bucket (STAGE 0) or, once that is in the cache, its chain's first entry (1)
 * toward the cache, for a lookup soon after. */
void flow_table__prefetch(const struct flow_table *ft, const struct xdpi_flow_key *k, int stage);
/* Finds or creates the flow of k, making it the most recent. dir is the direction of the
 * packet that asks (it picks the initiator of a new flow). NULL on allocation failure. */
struct xdpi_flow *flow_table__get(struct flow_table *ft, const struct xdpi_flow_key *k,
				  uint64_t now, bool *created);
/* Accounts one packet seen in user space. */
void flow_table__account(struct flow_table *ft, struct xdpi_flow *f, uint8_t dir,
			 uint32_t wire_len, uint8_t tcp_flags, uint64_t now);
/* Says whether F's counters (and its end) come from the kernel's flow map: sets f->kernel. */
void flow_table__set_kernel(struct flow_table *ft, struct xdpi_flow *f, bool kernel);
/* Ends flows idle past their timeout or open past the active timeout (not kernel flows). */
void flow_table__expire(struct flow_table *ft, uint64_t now);
void flow_table__end(struct flow_table *ft, struct xdpi_flow *f, enum xdpi_flow_end why);
void flow_table__flush(struct flow_table *ft, enum xdpi_flow_end why);
void flow_table__stats(const struct flow_table *ft, struct flow_table_stats *st);
typedef void (*xdpi_flow_visit_fn)(void *ctx, struct xdpi_flow *f);
void flow_table__foreach(struct flow_table *ft, xdpi_flow_visit_fn fn, void *ctx);

/* TCP state after a packet with flags from side dir (canonical) of f. */
enum xdpi_tcp_state xdpi_tcp_next_state(const struct xdpi_flow *f, uint8_t dir, uint8_t flags);
/* Which side opened a flow whose first packet had these flags and came from side dir. */
uint8_t xdpi_flow_guess_initiator(const struct xdpi_flow_key *k, uint8_t dir, uint8_t proto,
				  uint8_t tcp_flags);
const char *xdpi_tcp_state_name(enum xdpi_tcp_state s);
const char *xdpi_flow_end_name(enum xdpi_flow_end why);
uint32_t xdpi_flow_key_hash(const struct xdpi_flow_key *k);

#endif /* XDPI_FLOW_H */
