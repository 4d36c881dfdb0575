/* SPDX-License-Identifier: GPL-2.0 */
/* The engine: packets in (from any source), events out (through a callback). */
#ifndef XDPI_ENGINE_H
#define XDPI_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/flow.h"
#include "xdpi/json.h"
#include "xdpi/pkt.h"
#include "xdpi/anomaly.h"
#include "xdpi/appid.h"
#include "xdpi/api.h"
#include "xdpi/detect.h"
#include "shared/xdpi_abi.h"

/* User-space counters; each is exported in stats events under its name. */
#define XDPI_ENGINE_COUNTERS(X)                                                                \
	X(PKTS, "pkts")                                                                        \
	X(BYTES, "bytes")                                                                      \
	X(SNIPPETS, "snippets")                                                                \
	X(INVALID, "invalid")                                                                  \
	X(NON_IP, "non_ip")                                                                    \
	X(ETHERNET, "ethernet")                                                                \
	X(SLL, "sll")                                                                          \
	X(SLL2, "sll2")                                                                        \
	X(RAW, "raw")                                                                          \
	X(NULL_LINK, "null")                                                                   \
	X(PPP, "ppp")                                                                          \
	X(PPPOE, "pppoe")                                                                      \
	X(CHDLC, "chdlc")                                                                      \
	X(IEEE80211, "ieee80211")                                                              \
	X(L4_CUT, "l4_header_cut")                                                             \
	X(VLAN, "vlan")                                                                        \
	X(VLAN_QINQ, "vlan_qinq")                                                              \
	X(MPLS, "mpls")                                                                        \
	X(TUN_VXLAN, "vxlan")                                                                  \
	X(TUN_GENEVE, "geneve")                                                                \
	X(TUN_GRE, "gre")                                                                      \
	X(TUN_ERSPAN, "erspan")                                                                \
	X(TUN_GTPU, "gtpu")                                                                    \
	X(TUN_TEREDO, "teredo")                                                                \
	X(IPV4_IN_IPV4, "ipv4_in_ipv4")                                                        \
	X(IPV6_IN_IPV4, "ipv6_in_ipv4")                                                        \
	X(IPV4_IN_IPV6, "ipv4_in_ipv6")                                                        \
	X(IPV6_IN_IPV6, "ipv6_in_ipv6")                                                        \
	X(GTP_SIGNALLING, "gtp_signalling")                                                    \
	X(IPV4, "ipv4")                                                                        \
	X(IPV6, "ipv6")                                                                        \
	X(TCP, "tcp")                                                                          \
	X(UDP, "udp")                                                                          \
	X(ICMPV4, "icmpv4")                                                                    \
	X(ICMPV6, "icmpv6")                                                                    \
	X(OTHER_L4, "other_l4")                                                                \
	X(FRAG_LATER, "frag_later")                                                            \
	X(FRAG_UNATTRIBUTED, "frag_unattributed")                                              \
	X(NO_FLOW, "pkts_without_flow")                                                        \
	X(FLOW_TCP, "flows_tcp")                                                               \
	X(FLOW_UDP, "flows_udp")                                                               \
	X(FLOW_ICMPV4, "flows_icmpv4")                                                         \
	X(FLOW_ICMPV6, "flows_icmpv6")                                                         \
	X(KERNEL_FLOWS_ENDED, "kernel_flows_ended")                                            \
	X(KERNEL_FLOWS_MISSING, "kernel_flows_missing")                                        \
	X(KERNEL_FLOWS_RENEWED, "kernel_flows_renewed")                                        \
	X(KERNEL_SWEEP_ERRORS, "kernel_sweep_errors")                                          \
	X(EVENTS_FLOW, "events_flow")                                                          \
	X(EVENTS_STATS, "events_stats")                                                        \
	X(EVENTS_DROP, "events_drop")                                                          \
	X(EVENTS_ALERT, "events_alert")                                                        \
	X(EVENTS_ANOMALY, "events_anomaly")                                                    \
	X(EVENTS_API_ALERT, "events_api_alert")                                                \
	X(BLOCKS, "blocks")                                                                    \
	X(BLOCK_FAILED, "block_failed")                                                        \
	X(BYPASSES, "bypasses")                                                                \
	X(BYPASS_FAILED, "bypass_failed")                                                      \
	X(DROP_UNDECODED, "drop_samples_undecoded")                                            \
	X(MSG_HINTS, "msg_hints")                                                              \
	X(MSG_HINT_FAILED, "msg_hint_failed")                                                  \
	X(EVENTS_FAILED, "events_failed")                                                      \
	X(PLAIN_CHUNKS, "plaintext_chunks")                                                    \
	X(PLAIN_BYTES, "plaintext_bytes")                                                      \
	X(PLAIN_NO_SOCKET, "plaintext_no_socket")                                              \
	X(PLAIN_UNATTRIBUTED, "plaintext_unattributed")                                        \
	X(PLAIN_OTHER_END, "plaintext_other_end")                                              \
	X(PLAIN_FLOW_UNSEEN, "plaintext_flow_unseen")                                          \
	X(PLAIN_BAD, "plaintext_bad")                                                          \
	X(PLAIN_TLS_WIRE_ONLY, "tls_flows_without_plaintext")

enum xdpi_engine_counter {
#define XDPI_X_ENUM(id, name) XDPI_ECNT_##id,
	XDPI_ENGINE_COUNTERS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_ECNT_MAX,
};

/* The fast path, as the engine sees it. A unit test passes a fake. */
typedef bool (*xdpi_kflow_fn)(void *ctx, const struct xdpi_flow_key *k,
			      const struct xdpi_flow_value *v);
/* Told of a flow the sweep reaches soon (STAGE 0: XDPI_KFLOW_AHEAD entries before fn, 1:
 * half that), so that what fn will look up is in the cache by then. */
typedef void (*xdpi_kflow_ahead_fn)(void *ctx, const struct xdpi_flow_key *k, int stage);
#define XDPI_KFLOW_AHEAD 16

/* A sweep of the kernel's flow map in steps (see sweep_flows). A tick's step visits at most
 * xdpi_kflow_sweep_budget() entries: an eighth of the map's size (the table's, --max-flows),
 * or, once a whole pass has counted the entries the map holds, a quarter of that count
 * where it is smaller (a pass whole within XDPI_SWEEP_STEPS ticks even if the flows double
 * meanwhile); never fewer than XDPI_SWEEP_MIN, so a small map is swept whole each tick. */
#define XDPI_SWEEP_MIN 16384
#define XDPI_SWEEP_STEPS 8
uint32_t xdpi_kflow_sweep_budget(size_t max_flows, uint32_t last_pass);
struct xdpi_kflow_sweep {
	uint32_t budget;     /* flows a step visits at most (a step ends after a whole batch) */
	bool midway;         /* the pass goes on from `cursor` */
	uint8_t cursor[sizeof(struct xdpi_flow_key)]; /* the map's place (its own token) */
};
struct xdpi_kernel_ops {
	/* Each fast-path counter summed over CPUs. Returns 0 or -errno. */
	int (*read_counters)(void *kctx, uint64_t out[XDPI_CNT_MAX]);
	/* Calls fn for kernel flows, deleting those for which fn returns true; AHEAD (may be
	 * NULL) hears of each flow before fn does. S NULL: every flow, in one pass. Else a pass
	 * in steps: from where the last call stopped (S->midway), or from the start, until
	 * S->budget flows (0: no limit) were visited. 1 when the pass reached the map's end, 0
	 * when it stopped on the budget (S->midway set), or -errno. */
	int (*sweep_flows)(void *kctx, xdpi_kflow_fn fn, xdpi_kflow_ahead_fn ahead, void *ctx,
			   struct xdpi_kflow_sweep *s);
	/* Drops everything from (and to) ADDR (family 4 or 6, 16 bytes) until EXPIRES_NS (the
	 * fast path's clock), counted under RULE_ID. Returns 0 or -errno. NULL: not supported. */
	int (*block_addr)(void *kctx, uint8_t family, const uint8_t *addr, uint64_t expires_ns,
			  uint32_t rule_id);
	/* Stops steering flow K to user space; BEFORE gets its kernel value just before. */
	/* the connection that began by NOT_AFTER_NS only (xdpi_flow_set_steer) */
	int (*bypass_flow)(void *kctx, const struct xdpi_flow_key *k, uint64_t not_after_ns,
			   struct xdpi_flow_value *before);
	/* What the engine wants of flow K's next bytes, per direction (XDPI_STEER_MSG flows).
	 * 0 or -errno. NULL: not supported (offline). */
	int (*msg_hint)(void *kctx, const struct xdpi_flow_key *k, const struct xdpi_msg_hint *h);
	/* RULE_ID's packets and bytes so far, summed over CPUs. 0 or -errno. NULL: none. */
	int (*rule_counters)(void *kctx, uint32_t rule_id, uint64_t *pkts, uint64_t *bytes);
};

/* What outputs other than EVE want from the engine (flow export, pcap of alerted flows,
 * the API alert webhook). */
struct xdpi_api_alert;
struct xdpi_engine_hooks {
	void *ctx;
	/* A flow record is written (also the cut of a long-lived flow). */
	void (*flow_record)(void *ctx, const struct xdpi_flow *f, enum xdpi_flow_end why);
	/* A packet of a flow that has alerted (the alerting packet included). */
	void (*alerted_packet)(void *ctx, const struct xdpi_pkt *pkt, const struct xdpi_flow *f);
	/* An API exception condition starts or stops holding. */
	void (*api_alert)(void *ctx, const struct xdpi_api_alert *a);
	/* The owners of F's local ends (malloc'd, the engine frees it), NULL: none known (yet).
	 * Asked before the flow's events, a few times until it answers, and at its end. */
	struct xdpi_proc_ctx *(*flow_context)(void *ctx, const struct xdpi_flow *f);
};

/* Receives each serialized event (no newline). Returns 0 or -errno. */
typedef int (*xdpi_emit_fn)(void *ctx, const char *json, size_t len);

struct xdpi_engine_cfg {
	size_t max_flows;
	struct xdpi_flow_timeouts timeouts;
	int64_t wall_offset_ns; /* wall clock = flow clock + this */
	const char *in_iface;   /* for events; NULL offline */
	const struct xdpi_kernel_ops *kops; /* NULL: user space counts every packet itself */
	uint32_t msg_head_budget; /* MSG steering: bytes the kernel copies from a message's start
				   * before its head is read (0: XDPI_MSG_HEAD_BUDGET) */
	void *kctx;
	bool tls_plaintext;     /* the TLS library probes feed plaintext (TLS flows that end
				 * without any are counted: a library they cannot see) */
	xdpi_emit_fn emit;
	void *emit_ctx;
	/* Extra objects for the stats event, written under stats.xdpi (may be NULL). */
	void (*stats_extra)(void *ctx, struct xdpi_json *j);
	void *stats_ctx;
	/* Bypass policy (kernel-backed only): stop steering a flow once its dissector has
	 * nothing more to learn (TLS after its handshake), and once it carried this many bytes
	 * (0: never). */
	bool bypass_done;
	uint64_t bypass_bytes;
	/* Detection (NULL: none; the caller owns it): rules run on every packet and transaction
	 * that reaches user space; a drop rule blocks the sender in the fast path for
	 * drop_ttl_ns (0: until removed). */
	struct xdpi_detect *detect;
	uint64_t drop_ttl_ns;
	/* Anomaly detectors (NULL: none). */
	const struct xdpi_anomaly_cfg *anomaly;
	/* Workers (core/workers.c): this engine is worker WORKER of NWORKERS and owns the flows
	 * whose canonical key hashes to it (its kernel sweeps skip the others); the anomaly
	 * detectors are then one set, SHARED_ANOMALY, behind SHARED_LOCK. */
	uint32_t worker, nworkers;
	struct xdpi_anomaly *shared_anomaly;
	void *shared_lock; /* pthread_mutex_t */
	/* Server addresses named by DNS answers: one table for every worker (NULL: the engine
	 * keeps its own); none at all with NO_DNS_NAMES. */
	struct xdpi_dns_names *shared_dns_names;
	bool no_dns_names;
	/* Per-endpoint API metrics and exception alerts (NULL: off). One table for every
	 * worker; it locks. */
	struct xdpi_api *api;
	/* The LLM view (NULL: off); shared like the API table. */
	struct xdpi_llm *llm;
	/* Observers of what the engine sees; each may be NULL and each must be safe to call
	 * from every worker at once. */
	struct xdpi_engine_hooks hooks;
};

/* The worker that owns the flow of canonical key K among N. */
static inline uint32_t xdpi_flow_worker(const struct xdpi_flow_key *k, uint32_t n)
{
	return n > 1 ? xdpi_flow_key_hash(k) % n : 0;
}
/* The anomaly detectors' alert sink when they are shared by workers: the alert is written by
 * the engine of the calling thread. */
void xdpi_engine_shared_anomaly_alert(void *unused, const struct xdpi_anomaly_alert *a);

struct xdpi_engine;

struct xdpi_engine *xdpi_engine__new(const struct xdpi_engine_cfg *cfg);
void xdpi_engine__free(struct xdpi_engine *e);
/* One packet from any source. Returns 0, or -EINVAL for a malformed one (counted). */
int xdpi_engine__packet(struct xdpi_engine *e, const struct xdpi_pkt *pkt);
/* The same for a packet decoded already (DECODED: xdpi_decode's answer for PKT, which did
 * not fail; NULL: decode it here). */
int xdpi_engine__packet_decoded(struct xdpi_engine *e, const struct xdpi_pkt *pkt,
				const struct xdpi_decoded *decoded);
/* Advances time: ends idle flows, sweeps the kernel's flow map. */
void xdpi_engine__tick(struct xdpi_engine *e, uint64_t now);
/* Ends every flow (user and kernel) with reason shutdown. */
void xdpi_engine__finish(struct xdpi_engine *e);
/* The slow path's verdicts, pushed into the fast path (kernel-backed engines only):
 * drop everything from SRC (family 4 or 6, 16 bytes) for TTL_NS (0: until removed), counted
 * under RULE_ID (0: XDPI_RULE_ENGINE); the kernel applies it to the next packet. */
int xdpi_engine__block_source(struct xdpi_engine *e, uint8_t family, const uint8_t *src,
			      uint64_t ttl_ns, uint32_t rule_id);
/* Stops copying F's packets to user space; the kernel keeps counting it, and its flow record
 * reports what came after under flow.bypassed. */
int xdpi_engine__bypass_flow(struct xdpi_engine *e, struct xdpi_flow *f);
/* Emits a stats event with every counter of both halves. */
void xdpi_engine__emit_stats(struct xdpi_engine *e, uint64_t now);
const uint64_t *xdpi_engine__counters(const struct xdpi_engine *e);
const uint64_t *xdpi_engine__reasons(const struct xdpi_engine *e);
/* Flows dissector D (registry order) has claimed. */
uint64_t xdpi_engine__app_flows(const struct xdpi_engine *e, size_t d);
/* Flows identifier I (its registry row) named. */
uint64_t xdpi_engine__ident_flows(const struct xdpi_engine *e, size_t i);
/* Flow records that carried risk R (enum xdpi_risk). */
uint64_t xdpi_engine__risk_flows(const struct xdpi_engine *e, size_t r);
void xdpi_engine__flow_stats(const struct xdpi_engine *e, struct flow_table_stats *st);

/* An engine's counters as another thread may read them (the metrics, composed in the main
 * thread while the workers run): the engine's own thread copies them here at each tick and at
 * its end, and xdpi_engine__totals() reads the copy under its lock. The getters above are for
 * the engine's own thread. */
#define XDPI_ENGINE_APPS 32 /* dissectors counted (the registry holds fewer) */
struct xdpi_engine_totals {
	uint64_t cnt[XDPI_ECNT_MAX];
	uint64_t app[XDPI_ENGINE_APPS];    /* flows each dissector claimed */
	uint64_t ident[XDPI_IDENTS_MAX];   /* flows each identifier named */
	uint64_t risk[XDPI_RISK_MAX];      /* flow records that carried each risk */
	uint64_t detect[XDPI_DCNT_MAX];    /* its detection's counters (0 without rules) */
	struct flow_table_stats flows;
};
void xdpi_engine__totals(struct xdpi_engine *e, struct xdpi_engine_totals *out);
const char *xdpi_engine_counter_name(enum xdpi_engine_counter c);
const char *xdpi_kernel_counter_name(enum xdpi_counter c);

#endif /* XDPI_ENGINE_H */
