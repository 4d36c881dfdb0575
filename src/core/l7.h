/* SPDX-License-Identifier: GPL-2.0 */
/* Engine-internal: the application layer of a flow (detection, reassembly, dissector). */
#ifndef XDPI_CORE_L7_H
#define XDPI_CORE_L7_H

#include <stdint.h>
#include "xdpi/appid.h"
#include "xdpi/decode.h"
#include "xdpi/dissect.h"
#include "xdpi/eve.h"
#include "xdpi/reassembly.h"

#define XDPI_MAX_DISSECTORS 32

struct l7_engine {
	struct xdpi_reasm reasm;
	const struct xdpi_eve_ctx *eve;
	struct xdpi_json *json;
	int (*emit)(void *ctx);  /* writes json as one event */
	void *emit_ctx;
	uint64_t flows[XDPI_MAX_DISSECTORS];     /* flows detected, per dissector */
	uint64_t events[XDPI_MAX_DISSECTORS];
	uint64_t malformed[XDPI_MAX_DISSECTORS];
	uint64_t failed_flows;                   /* payload seen, nothing claimed or named it */
	uint64_t identified;                     /* flows an identifier named (appid/ident) */
	uint64_t ident_flows[XDPI_IDENTS_MAX];   /* ... per identifier (registry row) */
	struct xdpi_dns_names *dns_names;        /* server addresses named by DNS answers */
	uint64_t switched;                       /* flows that changed protocol (tunnels) */
	uint64_t state_bytes;                    /* allocated now for L7 state */
	/* Receives each transaction stage for detection (NULL: no rules, dissectors keep no
	 * copies for it). DIR: 0 for what the client sent. */
	void (*inspect)(void *ctx, struct xdpi_flow *f, uint8_t dir, uint64_t ts,
			const struct xdpi_inspect *in);
	void *inspect_ctx;
	uint32_t inspect_stages; /* 1 << enum xdpi_stage: what inspect wants */
	/* Called before each event of a flow (NULL: nothing to do). */
	void (*before_event)(void *ctx, struct xdpi_flow *f);
	void *before_event_ctx;
	/* Receives each finished HTTP/gRPC transaction (NULL: API metrics off). */
	void (*transaction)(void *ctx, struct xdpi_flow *f, struct xdpi_api_tx *tx);
	void *transaction_ctx;
	struct xdpi_llm *llm; /* the LLM view, handed to HTTP dissectors (NULL: off) */
	/* Receives each finished LLM call (NULL: nobody watches them). */
	void (*llm_done)(void *ctx, struct xdpi_flow *f, uint64_t ts, struct xdpi_llm_record *r);
	/* What flow F's dissector wants of direction CDIR (0: the client's) from SEQ on
	 * (enum xdpi_msg_mode; SEQ: skip to it); NULL: nobody steers. */
	void (*steer)(void *ctx, struct xdpi_flow *f, uint8_t cdir, uint8_t mode, uint32_t seq,
		      uint32_t budget);
	void *steer_ctx;
	uint32_t head_budget; /* the budget of a message head's SEQ (steer_head) */
	/* Called once per flow when its dissector has nothing more to learn (may be NULL). */
	void (*flow_done)(void *ctx, struct xdpi_flow *f);
	void *done_ctx;
};

/* One decoded packet of flow f (dir: canonical side it comes from). */
void l7_packet(struct l7_engine *le, struct xdpi_flow *f, const struct xdpi_decoded *d,
	       uint8_t dir, uint64_t ts, uint64_t pcap_cnt);
/* What a TLS library read or wrote on F (h: its record, data: h->copied bytes), as sent by
 * the client (CDIR 0) or the server: parsed as the wire's bytes are. Returns true when it came
 * from the other end's process than the one already followed (left out). */
bool l7_plaintext(struct l7_engine *le, struct xdpi_flow *f, uint8_t cdir,
		  const struct xdpi_plain_hdr *h, const uint8_t *data, uint64_t ts);
/* The evidence of the risks the application layer raised on F ("risk\tevidence\n" lines),
 * NULL: none. Valid until l7_flow_end. */
const char *l7_risk_notes(const struct xdpi_flow *f);
/* Did F get any TLS plaintext? */
bool l7_has_plaintext(const struct xdpi_flow *f);
/* The flow ends: flush reassembly, let the dissector report, free everything. */
void l7_flow_end(struct l7_engine *le, struct xdpi_flow *f, uint64_t ts);
void l7_stats(struct l7_engine *le, struct xdpi_json *j);

#endif /* XDPI_CORE_L7_H */
