/* SPDX-License-Identifier: GPL-2.0 */
/* Dissectors: one file per protocol behind this interface, one row each in dissect/registry.c.
 * The engine hands a dissector what arrives in each direction of a flow: reassembled TCP
 * bytes (with a flag when bytes are missing before them) or whole UDP datagrams. Dissectors
 * must cope with snippets and gaps: a head-steered flow shows its first messages only. */
#ifndef XDPI_DISSECT_H
#define XDPI_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/api.h"
#include "xdpi/flow.h"
#include "xdpi/inspect.h"
#include "xdpi/json.h"
#include "xdpi/llm.h"

enum xdpi_dissect_status {
	XDPI_DISSECT_OK = 0,
	XDPI_DISSECT_NEED_MORE, /* not enough bytes yet to say */
	XDPI_DISSECT_NOT_MINE,  /* this flow is not this protocol: never ask again */
	XDPI_DISSECT_MALFORMED, /* it is this protocol, and this message is broken */
};

#define XDPI_L4_TCP 0x1
#define XDPI_L4_UDP 0x2

/* TLS plaintext: the process whose TLS library read or wrote the bytes. */
struct xdpi_plain_origin {
	const char *source; /* "openssl", "gnutls" */
	uint32_t pid;
	bool midway;        /* the connection began before xdpi saw it: what came first is
			     * missing (an HTTP/2 header table cannot be known) */
};

/* Where a dissector's bytes came from, and how to write its events. */
struct xdpi_dissect_ctx {
	const struct xdpi_flow *flow;
	uint8_t dir;      /* 0: from the client (to server), 1: from the server */
	uint8_t l4;       /* XDPI_L4_TCP or XDPI_L4_UDP */
	bool gap;         /* bytes are missing before these (loss, steering, snap length) */
	uint64_t ts;      /* time of the packet that completed these bytes (flow clock) */
	uint64_t wall_ns; /* ... on the calendar clock (ns since 1970: a capture's time, or now) */
	uint64_t pcap_cnt; /* that packet's number in a capture file; 0 when live */
	void *state;      /* the dissector's per-flow state (state_size bytes, zeroed) */
	bool switched;    /* set by the dissector: another protocol follows (CONNECT tunnel,
			   * 101 Upgrade); the engine ends this dissector and detects again */
	size_t switched_at; /* ... from this offset of the bytes the dissector was given */
	bool done;        /* set by the dissector: it has nothing more to learn from this flow
			   * (TLS after its handshake); the engine may bypass it */
	const char *app_proto; /* set by the dissector: the flow speaks a more specific protocol
				* than its name (doh2: DNS over HTTP/2); the engine takes it as
				* the flow's app_proto, the dissector's name as app_proto_orig */
	/* Opens an EVE event of event_type with the flow's common fields; the dissector adds
	 * its object and calls event_end. */
	struct xdpi_json *(*event_begin)(struct xdpi_dissect_ctx *c, const char *event_type);
	void (*event_end)(struct xdpi_dissect_ctx *c);
	/* Hands one stage of a transaction to detection, for the stages in inspect_stages
	 * (1 << enum xdpi_stage): dissectors keep copies and build buffers only for those. */
	void (*inspect)(struct xdpi_dissect_ctx *c, const struct xdpi_inspect *in);
	uint32_t inspect_stages;
	/* Reports each finished request/response pair for the API metrics (NULL: nobody
	 * counts them); the engine adds the server's address and port. */
	void (*transaction)(struct xdpi_dissect_ctx *c, struct xdpi_api_tx *tx);
	/* What the dissector wants of this direction's next bytes (enum xdpi_msg_mode): SEQ,
	 * the N bytes after those given so far are not needed (a body: the kernel may skip
	 * them, and they arrive through the dissector's skip); COPY, every byte; SKIP,
	 * nothing more; H2, an HTTP/2 frame header starts N bytes after those given so far,
	 * and the kernel walks the frames from there (DATA payloads the dissector then
	 * declares with skip_next). NULL when nobody steers (offline). Asking again the same
	 * is free. */
	void (*steer)(struct xdpi_dissect_ctx *c, uint8_t mode, uint64_t n);
	/* The N bytes after those given so far are not needed: if they never come, they arrive
	 * through the dissector's skip rather than as a gap. NULL when nobody steers. */
	void (*skip_next)(struct xdpi_dissect_ctx *c, uint64_t n);
	/* SEQ where a message head is known to start N bytes after those given: the kernel
	 * copies XDPI_MSG_HEAD_BUDGET bytes from there, then waits for the next word (marking
	 * where the packets it leaves out end). NULL when nobody steers. */
	void (*steer_head)(struct xdpi_dissect_ctx *c, uint64_t n);
	const struct xdpi_plain_origin *plaintext; /* NULL: the wire's bytes */
	/* The LLM view: dissectors of HTTP ask it about each request (NULL: off). */
	struct xdpi_llm *llm;
	/* Each finished LLM call, before its metrics: the engine may name its caller (the
	 * client's process or container) and watches the llm_* alert conditions (NULL: none). */
	void (*llm_done)(struct xdpi_dissect_ctx *c, struct xdpi_llm_record *r);
	/* The name the client asked the server by (SNI, Host, :authority) or the server's
	 * certificate gave (SOURCE: enum xdpi_app_source): the engine names the flow's
	 * application from it (NULL: nobody asks). */
	void (*server_name)(struct xdpi_dissect_ctx *c, const char *name, size_t len, uint8_t source);
	/* A DNS answer gave NAME the address ADDR (4 or 16 bytes): flows to that address later
	 * are named from it (NULL: nobody asks). */
	void (*dns_answer)(struct xdpi_dissect_ctx *c, const char *name, const uint8_t *addr,
			   size_t alen);
	/* The bytes show a risk (enum xdpi_risk), EVIDENCE the field and value that do
	 * ("version=TLS 1.0"); reported in the flow record (NULL: nobody asks). */
	void (*risk)(struct xdpi_dissect_ctx *c, uint8_t risk, const char *evidence);
	void *engine;
};

/* Reports a risk with printf-style evidence, when somebody asks. */
void xdpi_dissect_risk(struct xdpi_dissect_ctx *c, uint8_t risk, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes xdpi.plaintext{source, pid, midway} into the open xdpi object of an event when the
 * bytes came from a TLS library (nothing otherwise). */
static inline void xdpi_dissect_put_plaintext(const struct xdpi_dissect_ctx *c,
					      struct xdpi_json *j)
{
	if (!c->plaintext)
		return;
	xdpi_json_obj_open(j, "plaintext");
	xdpi_json_str(j, "source", c->plaintext->source);
	xdpi_json_u64(j, "pid", c->plaintext->pid);
	if (c->plaintext->midway)
		xdpi_json_bool(j, "midway", true);
	xdpi_json_obj_close(j);
}

struct xdpi_dissector {
	const char *name;   /* EVE app_proto */
	uint8_t l4;         /* XDPI_L4_* it runs on */
	uint16_t ports[4];  /* tried first on these ports: a hint, never a verdict */
	size_t state_size;
	/* Is this data (the first of a direction) this protocol? OK, NEED_MORE or NOT_MINE. */
	enum xdpi_dissect_status (*probe)(const uint8_t *buf, size_t len, uint8_t l4, uint8_t dir);
	/* Consumes bytes of one direction. Returns OK, NEED_MORE (it keeps what it needs),
	 * MALFORMED (counted; the dissector resynchronises or gives up on the flow). */
	enum xdpi_dissect_status (*parse)(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len);
	/* The flow ends: report what is pending (unanswered requests), free owned memory. */
	void (*flow_end)(struct xdpi_dissect_ctx *c);
	/* LEN bytes of this direction that the dissector said it did not need (steer SEQ)
	 * went by unseen; they take the place of data. NULL: a dissector that never skips. */
	void (*skip)(struct xdpi_dissect_ctx *c, size_t len);
};

/* Does detection want stage S of this flow's transactions? */
static inline bool xdpi_dissect_wants(const struct xdpi_dissect_ctx *c, enum xdpi_stage s)
{
	return c->inspect && (c->inspect_stages & (1u << s));
}

/* A DNS message another protocol carries (DNS over HTTPS: a request's ?dns= or body, a
 * response's body), as the DNS dissector reads its own: each question or the response to
 * detection, with CARRIER's buffers too (the HTTP request's: NULL for none), and an EVE dns
 * event numbered TX_ID. Returns false for a malformed message. */
bool xdpi_dns_carried(struct xdpi_dissect_ctx *c, const struct xdpi_inspect *carrier,
		      const uint8_t *p, size_t len, uint64_t tx_id);

/* DNS record type names as EVE writes them ("A", "TXT", numbers for the rest). */
const char *xdpi_dns_type_name(uint16_t type, char *buf, size_t n);

/* The registry (dissect/registry.c). */
size_t xdpi_dissectors_count(void);
const struct xdpi_dissector *xdpi_dissector_at(size_t i);
const struct xdpi_dissector *xdpi_dissector_find(const char *name);

#endif /* XDPI_DISSECT_H */
