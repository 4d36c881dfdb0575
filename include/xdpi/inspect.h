/* SPDX-License-Identifier: GPL-2.0 */
/* What the slow path hands to detection at each inspection point: a packet, or one stage of
 * an application-layer transaction (an HTTP request, its response, a DNS query, a TLS hello),
 * as a set of named buffers. Dissectors fill the buffers they know; detection derives the
 * rest (single HTTP headers, header names) from the raw header blocks. */
#ifndef XDPI_INSPECT_H
#define XDPI_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buffers a rule can inspect. X(id, name) - name is Suricata's sticky-buffer spelling. */
#define XDPI_BUFFERS(X)                                  \
	X(PAYLOAD, "pkt_data")                           \
	X(HTTP_METHOD, "http.method")                    \
	X(HTTP_URI, "http.uri")                          \
	X(HTTP_RAW_URI, "http.uri.raw")                  \
	X(HTTP_HOST, "http.host")                        \
	X(HTTP_RAW_HOST, "http.host.raw")                \
	X(HTTP_UA, "http.user_agent")                    \
	X(HTTP_HEADER, "http.header")                    \
	X(HTTP_RAW_HEADER, "http.header.raw")            \
	X(HTTP_COOKIE, "http.cookie")                    \
	X(HTTP_REQ_BODY, "http.request_body")            \
	X(HTTP_STAT_CODE, "http.stat_code")              \
	X(HTTP_STAT_MSG, "http.stat_msg")                \
	X(HTTP_RESP_BODY, "http.response_body")          \
	X(HTTP_PROTOCOL, "http.protocol")                \
	X(HTTP_REQUEST_LINE, "http.request_line")        \
	X(HTTP_RESPONSE_LINE, "http.response_line")      \
	X(HTTP_START, "http.start")                      \
	X(HTTP_HEADER_NAMES, "http.header_names")        \
	X(HTTP_CONTENT_TYPE, "http.content_type")        \
	X(HTTP_CONTENT_LEN, "http.content_len")          \
	X(HTTP_REFERER, "http.referer")                  \
	X(HTTP_ACCEPT, "http.accept")                    \
	X(HTTP_ACCEPT_ENC, "http.accept_enc")            \
	X(HTTP_ACCEPT_LANG, "http.accept_lang")          \
	X(HTTP_REQUEST_HEADER, "http.request_header")    \
	X(HTTP_RESPONSE_HEADER, "http.response_header")  \
	X(HTTP_CONNECTION, "http.connection")            \
	X(DNS_QUERY, "dns.query")                        \
	X(TLS_SNI, "tls.sni")                            \
	X(TLS_CERT_SUBJECT, "tls.cert_subject")          \
	X(TLS_CERT_ISSUER, "tls.cert_issuer")            \
	X(TLS_CERT_SERIAL, "tls.cert_serial")            \
	X(JA3_HASH, "ja3.hash")                          \
	X(JA3_STRING, "ja3.string")                      \
	X(JA4_HASH, "ja4.hash")                          \
	X(TLS_CERTS, "tls.certs")                        \
	X(DNS_QUERIES_RRNAME, "dns.queries.rrname")      \
	X(DNS_ANSWERS_RRNAME, "dns.answers.rrname")      \
	X(DNS_AUTHORITIES_RRNAME, "dns.authorities.rrname") \
	X(DNS_ADDITIONALS_RRNAME, "dns.additionals.rrname") \
	X(DNS_RESPONSE_RRNAME, "dns.response.rrname")    \
	X(TLS_RANDOM, "tls.random")                      \
	X(TLS_RANDOM_TIME, "tls.random_time")            \
	X(TLS_RANDOM_BYTES, "tls.random_bytes")          \
	X(TLS_SUBJECTALTNAME, "tls.subjectaltname")      \
	X(IPV4_HDR, "ipv4.hdr")                          \
	X(IPV6_HDR, "ipv6.hdr")                          \
	X(TCP_HDR, "tcp.hdr")                            \
	X(UDP_HDR, "udp.hdr")                            \
	X(LLM_PROMPT, "llm.prompt")                      \
	X(LLM_COMPLETION, "llm.completion")              \
	X(LLM_MODEL, "llm.model")

struct xdpi_rule;
enum xdpi_buffer {
#define XDPI_X_ENUM(id, name) XDPI_BUF_##id,
	XDPI_BUFFERS(XDPI_X_ENUM)
#undef XDPI_X_ENUM
	XDPI_BUF_MAX,
};

/* Inspection points. A rule belongs to the one its buffers and flow direction imply. */
enum xdpi_stage {
	XDPI_STAGE_PACKET = 0, /* every packet that reaches user space: headers and payload */
	XDPI_STAGE_HTTP_REQUEST,  /* an HTTP request (head and bounded body) is complete */
	XDPI_STAGE_HTTP_RESPONSE, /* its response too: request and response buffers */
	XDPI_STAGE_DNS_QUERY,     /* each DNS query (the request, or the response's question) */
	XDPI_STAGE_TLS_CLIENT,    /* a ClientHello: SNI, JA3, JA4 */
	XDPI_STAGE_TLS_SERVER,    /* the server's certificate */
	XDPI_STAGE_DNS_RESPONSE,  /* each DNS response: its sections' names, rcode, types */
	XDPI_STAGE_HTTP2_FRAME,   /* an HTTP/2 frame: its type (either side) */
	XDPI_STAGE_LLM,           /* an LLM API call is over: its prompt, completion, model */
	XDPI_STAGE_MAX,
};

/* Does stage S inspect what the server sent? */
static inline bool xdpi_stage_from_server(enum xdpi_stage s)
{
	return s == XDPI_STAGE_HTTP_RESPONSE || s == XDPI_STAGE_TLS_SERVER ||
	       s == XDPI_STAGE_DNS_RESPONSE;
}

/* The stage that inspects the server's answer to what stage S inspects (XDPI_STAGE_MAX:
 * none). */
static inline enum xdpi_stage xdpi_stage_answer(enum xdpi_stage s)
{
	return s == XDPI_STAGE_HTTP_REQUEST ? XDPI_STAGE_HTTP_RESPONSE
	       : s == XDPI_STAGE_TLS_CLIENT ? XDPI_STAGE_TLS_SERVER
	       : s == XDPI_STAGE_DNS_QUERY  ? XDPI_STAGE_DNS_RESPONSE
					    : XDPI_STAGE_MAX;
}

/* Bodies are inspected up to this many bytes (file_data, http.request_body). */
#define XDPI_INSPECT_BODY_MAX 4096

struct xdpi_inspect {
	enum xdpi_stage stage;
	const uint8_t *buf[XDPI_BUF_MAX]; /* NULL: not present in this transaction */
	uint32_t len[XDPI_BUF_MAX];
	uint16_t dns_qtype; /* DNS query stage: the question's type */
	bool dns;           /* a DNS stage: the numbers below are set */
	uint8_t dns_rcode, dns_opcode;
	uint8_t dns_ntypes;
	uint16_t dns_types[16]; /* the questions' types, then the answers' */
	uint16_t tls_chain_len; /* TLS server stage: certificates the server sent */
	uint16_t tls_version;   /* TLS stages: the client's hello version, the server's choice */
	const char *app_proto;  /* the protocol of the bytes inspected when it is not the flow's
				 * (HTTP inside TLS, from the library probes); NULL: the flow's */
	uint8_t h2_frame_type;  /* HTTP/2 frame stage: the frame's type */
	bool h2_from_server;    /* ... and who sent it */
	/* Where byte OFF of buffer B lies in what the dissector read ("messages[2]"), for an
	 * alert's evidence; NULL: the buffer is its own place. */
	const char *(*place)(const void *ctx, enum xdpi_buffer b, uint32_t off, char *out,
			     size_t n);
	const void *place_ctx;
	/* Told of each alerting rule's evidence in buffer B (NULL: nobody asks), before the alert
	 * is written: the LLM view redacts the secrets rules find. */
	void (*matched)(void *ctx, const struct xdpi_rule *r, enum xdpi_buffer b, uint32_t off,
			uint32_t len);
	void *matched_ctx;
};

/* Buffers a transaction carries once per item, set to all the items together and matched
 * item by item (a rule matches when one does): header lines ("Name: value", without the line
 * end), or the certificates of a chain (each after its 3-byte length, as TLS sends them). */
enum xdpi_buffer_list { XDPI_LIST_NONE, XDPI_LIST_LINES, XDPI_LIST_U24 };

static inline enum xdpi_buffer_list xdpi_buffer_list_kind(int b)
{
	if (b == XDPI_BUF_HTTP_REQUEST_HEADER || b == XDPI_BUF_HTTP_RESPONSE_HEADER ||
	    b == XDPI_BUF_TLS_SUBJECTALTNAME ||
	    (b >= XDPI_BUF_DNS_QUERIES_RRNAME && b <= XDPI_BUF_DNS_RESPONSE_RRNAME))
		return XDPI_LIST_LINES; /* DNS, subject alternative names: one name per line */
	return b == XDPI_BUF_TLS_CERTS ? XDPI_LIST_U24 : XDPI_LIST_NONE;
}

static inline void xdpi_inspect_set(struct xdpi_inspect *in, enum xdpi_buffer b, const void *p,
				    size_t len)
{
	if (!p)
		return;
	in->buf[b] = p;
	in->len[b] = (uint32_t)len;
}

const char *xdpi_buffer_name(enum xdpi_buffer b);
const char *xdpi_stage_name(enum xdpi_stage s);

#endif /* XDPI_INSPECT_H */
