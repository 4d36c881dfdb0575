/* SPDX-License-Identifier: GPL-2.0 */
/* Suricata-style rules: the parsed form of one rule and the parser. The subset supported is
 * listed in README.md; a rule with anything else is skipped with its sid, the keyword and
 * file:line, never half-read. */
#ifndef XDPI_RULES_H
#define XDPI_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/inspect.h"

enum xdpi_rule_action { XDPI_RA_ALERT = 1, XDPI_RA_DROP, XDPI_RA_PASS };

/* Header protocol: IP-level ones, or an application protocol (implies TCP/UDP and that the
 * flow's app_proto is this one). */
enum xdpi_rule_proto {
	XDPI_RP_IP = 1, XDPI_RP_TCP, XDPI_RP_UDP, XDPI_RP_ICMP,
	XDPI_RP_HTTP, XDPI_RP_DNS, XDPI_RP_TLS,
};

/* An address group: CIDRs in and out ("[10.0.0.0/8,!10.1.0.0/16]"); empty "in" is any. */
struct xdpi_addr_range {
	uint8_t family;        /* 4 or 6 */
	uint8_t lo[16], hi[16]; /* inclusive, network order (v4 in the first 4 bytes) */
};

struct xdpi_addr_group {
	struct xdpi_addr_range *in, *out;
	uint32_t n_in, n_out;
	bool any;
	bool literal; /* written out in the rule, no variable and no negation: an IP list */
};

struct xdpi_port_range { uint16_t lo, hi; };

struct xdpi_port_group {
	struct xdpi_port_range *in, *out;
	uint32_t n_in, n_out;
	bool any;
};

/* A comparison "N", "<N", ">N", "<=N", ">=N", "!N", "N<>M" (exclusive) as used by dsize, bsize,
 * urilen, itype, icode. */
enum xdpi_cmp { XDPI_CMP_EQ = 1, XDPI_CMP_NE, XDPI_CMP_LT, XDPI_CMP_GT, XDPI_CMP_LE,
		XDPI_CMP_GE, XDPI_CMP_RANGE };
struct xdpi_num_cmp {
	uint8_t op; /* enum xdpi_cmp; 0: none */
	uint64_t a, b;
};

enum xdpi_sm_type {
	XDPI_SM_CONTENT = 1, XDPI_SM_PCRE, XDPI_SM_ISDATAAT, XDPI_SM_BYTE_TEST,
	XDPI_SM_BYTE_JUMP, XDPI_SM_BSIZE, XDPI_SM_ENTROPY, XDPI_SM_ABSENT, XDPI_SM_B64_DECODE,
	XDPI_SM_BYTE_EXTRACT, XDPI_SM_BYTE_MATH,
};

/* Inspections after base64_data run on what base64_decode decoded (not a buffer a
 * transaction carries). */
#define XDPI_BUF_BASE64_DATA 0xfd

struct xdpi_b64_decode {
	uint32_t bytes, offset; /* bytes 0: to the buffer's end */
	bool relative;          /* from the end of the previous match */
};

/* entropy: the Shannon entropy (bits per byte) of bytes [offset, offset + bytes) compared. */
struct xdpi_entropy {
	uint8_t op;      /* enum xdpi_cmp */
	bool negated;    /* !A-B */
	double a, b;
	uint32_t offset, bytes; /* bytes 0: to the end */
};

#define XDPI_CT_NOCASE 0x01
#define XDPI_CT_NEGATED 0x02
#define XDPI_CT_RELATIVE 0x04 /* distance or within given */
#define XDPI_CT_FAST 0x08     /* fast_pattern */
#define XDPI_CT_STARTS 0x10   /* startswith */
#define XDPI_CT_ENDS 0x20     /* endswith */
#define XDPI_CT_DEPTH 0x40
#define XDPI_CT_WITHIN 0x80
#define XDPI_CT_FAST_ONLY 0x100 /* fast_pattern:only (matched by the prefilter alone) */

#define XDPI_VARS_MAX 8 /* byte_extract names per rule */

struct xdpi_content {
	uint8_t *pat;
	uint32_t len;
	uint32_t flags;
	int32_t offset, depth, distance, within;
	/* a byte_extract variable instead of the number (its index + 1; 0: the number) */
	uint8_t var_offset, var_depth, var_distance, var_within;
	uint32_t fp_off, fp_len; /* fast_pattern:off,len chop (len 0: whole) */
};

struct xdpi_pcre {
	void *code;      /* pcre2_code (match data is per thread, see rule_match.c) */
	bool negated, relative;
	bool luhn;       /* xdpi's luhn keyword: a match counts only if its digits pass Luhn */
	char *source;
};

struct xdpi_isdataat { int32_t n; bool relative, negated, rawbytes; };

enum xdpi_byte_flags {
	XDPI_BY_RELATIVE = 0x1, XDPI_BY_LITTLE = 0x2, XDPI_BY_STRING = 0x4,
	XDPI_BY_ALIGN = 0x8, XDPI_BY_FROM_BEGINNING = 0x10, XDPI_BY_FROM_END = 0x20,
	XDPI_BY_NEGATE = 0x40, XDPI_BY_BITMASK = 0x80,
};

struct xdpi_byte_op {
	uint8_t nbytes;
	uint8_t base;     /* string: 8, 10, 16 */
	char op;          /* byte_test: < > = & ^ (and <= >= as 'l' 'g') */
	uint32_t flags;
	int32_t offset;
	uint64_t value;   /* byte_test: compared against */
	uint64_t bitmask;
	uint32_t multiplier; /* byte_jump, byte_extract */
	int32_t post_offset;
	uint8_t var;      /* byte_extract, byte_math: the variable it sets; byte_test: the value's
			   * (index + 1, 0: the number) */
	char oper;        /* byte_math: + - * / < (<<) > (>>) */
	uint8_t rvar, nvar; /* byte_math: rvalue's and bytes' variables (index + 1; 0: numbers) */
	uint64_t rvalue;
};

/* Transforms: a sticky buffer rewritten before its inspections run ("http.uri; from_base64;
 * content:..."), Suricata's subset (detect/transform.c). */
enum xdpi_xform_type {
	XDPI_XF_FROM_BASE64 = 1, XDPI_XF_URL_DECODE, XDPI_XF_XOR, XDPI_XF_SUBSLICE,
	XDPI_XF_PCREXFORM, XDPI_XF_TO_LOWER, XDPI_XF_TO_UPPER, XDPI_XF_STRIP_WS,
	XDPI_XF_COMPRESS_WS, XDPI_XF_DOTPREFIX, XDPI_XF_MD5, XDPI_XF_SHA1, XDPI_XF_SHA256,
	XDPI_XF_GUNZIP, XDPI_XF_ZLIB_DEFLATE, XDPI_XF_HEADER_LOWER, XDPI_XF_STRIP_PSEUDO,
};

enum xdpi_b64_mode { XDPI_B64_RFC4648, XDPI_B64_RFC2045, XDPI_B64_STRICT };

struct xdpi_xform {
	uint8_t type;    /* enum xdpi_xform_type */
	uint8_t mode;    /* from_base64: enum xdpi_b64_mode */
	bool truncate, has_b; /* subslice: clamp to the buffer; nbytes given */
	int64_t a, b;    /* from_base64: offset, bytes (0: all); subslice: offset, nbytes;
			  * gunzip, zlib_deflate: max-size; xor with a key from the data: the
			  * data's offset, the key's position */
	uint8_t *key;    /* xor: the key; NULL: key_len bytes of the buffer at b */
	uint32_t key_len;
	void *re;        /* pcrexform: pcre2_code */
};

#define XDPI_XFORM_MAX 4
/* One transformed view of a buffer; a rule's inspections name it by index + 1 (0: the
 * buffer as it is). */
struct xdpi_buf_view {
	uint8_t buf;     /* enum xdpi_buffer */
	uint8_t n;
	struct xdpi_xform x[XDPI_XFORM_MAX];
};

struct xdpi_sm {
	uint8_t type;    /* enum xdpi_sm_type */
	uint8_t buf;     /* enum xdpi_buffer */
	uint8_t view;    /* 0: the buffer as it is; else r->views[view - 1] */
	uint8_t inst;    /* a list buffer named again in the rule starts another instance: each
			  * instance may match another item (Suricata 7's multi-buffers) */
	union {
		struct xdpi_content c;
		struct xdpi_pcre re;
		struct xdpi_isdataat d;
		struct xdpi_byte_op by;
		struct xdpi_num_cmp size;
		struct xdpi_entropy ent;
		struct xdpi_b64_decode b64;
		bool or_else;    /* absent: the buffer is absent, or what follows matches */
	};
};

enum { XDPI_VLAN_ANY = 0, XDPI_VLAN_ALL, XDPI_VLAN_LAYER };

/* decode-event on a sound packet: an IPv4 protocol number Suricata's decoder does not know. */
#define XDPI_EVENT_PROTO_UNKNOWN 0xff
/* decode-event on a sound packet the decoder marked: this + the bit's index (xdpi/decode.h) */
#define XDPI_EVENT_BIT 0x80

#define XDPI_FLOW_ESTABLISHED 0x01
#define XDPI_FLOW_NOT_ESTABLISHED 0x02
#define XDPI_FLOW_TO_SERVER 0x04
#define XDPI_FLOW_TO_CLIENT 0x08
#define XDPI_FLOW_STATELESS 0x10

enum xdpi_fb_op { XDPI_FB_SET = 1, XDPI_FB_ISSET, XDPI_FB_ISNOTSET, XDPI_FB_UNSET,
		  XDPI_FB_TOGGLE };

struct xdpi_flowbit_op {
	uint8_t op;       /* enum xdpi_fb_op */
	bool any;         /* names joined with '|': one is enough; else '&': all */
	uint16_t n;
	uint32_t *ids;    /* indexes into the rule set's flowbit names */
};

enum xdpi_thr_type { XDPI_THR_LIMIT = 1, XDPI_THR_THRESHOLD, XDPI_THR_BOTH, XDPI_THR_FILTER };
enum xdpi_track { XDPI_TRACK_SRC = 1, XDPI_TRACK_DST, XDPI_TRACK_RULE, XDPI_TRACK_BOTH };

struct xdpi_threshold {
	uint8_t type;  /* enum xdpi_thr_type (FILTER: detection_filter); 0: none */
	uint8_t track; /* enum xdpi_track */
	uint32_t count;
	uint32_t seconds;
};

/* Conditions few rules have, kept apart so that the rest stay small and quick to check. */
struct xdpi_rule_more {
	struct xdpi_vlan_cond {
		struct xdpi_num_cmp id; /* op 0: no vlan.id condition */
		int8_t layer;        /* 0 outermost, -1 innermost, ... */
		uint8_t which;       /* XDPI_VLAN_ANY, _ALL or _LAYER */
	} vlan;
	struct xdpi_num_cmp tls_chain_len; /* tls.cert_chain_len (a TLS server rule) */
	struct xdpi_num_cmp h2_frametype; /* http2.frametype (an HTTP/2 frame rule) */
	uint8_t ssl_versions;         /* ssl_version: bit per sslv2, sslv3, tls1.0 .. tls1.3 */
	bool ssl_negated;             /* ... none of them */
	struct xdpi_num_cmp icmp_id;  /* icmp_id: an echo request's or reply's identifier */
	struct xdpi_num_cmp dns_rcode, dns_opcode, dns_rrtype; /* a DNS rule's numbers */
	struct xdpi_num_cmp tcp_mss;  /* tcp.mss: the MSS option's value (it must be there) */
	/* flow.pkts / flow.bytes per direction: [0] to the server, [1] to the client */
	struct xdpi_num_cmp flow_pkts[2], flow_bytes[2];
	/* stream_size: a TCP side's sequence space so far (payload, and 1 for its SYN);
	 * [0] the client's, [1] the server's; both, or either with any */
	struct xdpi_num_cmp stream_size[2];
	bool stream_size_either;
};

_Static_assert(XDPI_BUF_MAX <= 64, "a rule's buffers are a 64-bit map");

struct xdpi_rule {
	uint8_t action;
	uint8_t proto;       /* enum xdpi_rule_proto */
	bool bidir;          /* "<>" */
	struct xdpi_addr_group src, dst;
	struct xdpi_port_group sport, dport;
	uint32_t sid, gid, rev, priority;
	char *msg, *classtype;
	char *metadata;      /* as written, for the alert */
	uint32_t flow;       /* XDPI_FLOW_* */
	uint8_t stage;       /* enum xdpi_stage */
	bool also_response;  /* a rule on what both sides send, without a flow direction (HTTP
			      * buffers both messages carry, a TLS version): the server's side is
			      * inspected too, at xdpi_stage_answer(stage), as Suricata does */
	struct xdpi_sm *sm;  /* in rule order */
	uint32_t n_sm;
	int32_t prefilter;   /* index in sm of the content given to the prefilter; -1: none */
	struct xdpi_flowbit_op *fb;
	uint32_t n_fb;
	bool noalert;
	struct xdpi_threshold threshold, filter;
	struct xdpi_num_cmp dsize, itype, icode;
	struct xdpi_rule_more *more; /* the rarer conditions; NULL when a rule has none */
	uint8_t family;      /* ipv4 / ipv6 / icmpv6 in the header: 4 or 6; 0: either */
	uint8_t decode_event; /* decode-event: an enum xdpi_reason, or XDPI_EVENT_PROTO_UNKNOWN */
	bool numbers;        /* some condition on a transaction's or a flow's numbers (TLS chain,
			      * DNS, flow.pkts/bytes, stream_size): most rules have none */
	uint8_t n_vars;      /* byte_extract / byte_math names */
	int16_t ip_proto;    /* -1: any */
	bool has_flags;      /* a flags: keyword: the packet must be TCP and match */
	uint8_t flags_set, flags_mask; /* TCP flags that must be set, among those checked */
	char flags_mod;      /* 0, '+', '*', '!' */
	const char *app;     /* app-layer-protocol:NAME (or the header's app protocol) */
	bool app_negated;
	bool app_exact;      /* app-layer-protocol ...,exact: no equivalences (dns is not doh2) */
	bool app_original;   /* ...,original: the protocol first found (http2 of a doh2 flow) */
	bool app_keyword;    /* the protocol came from app-layer-protocol (not the header) */
	bool app_only;       /* a packet rule on app-layer-protocol alone: it looks at the packet
			      * after the flow's protocol became known or changed, as Suricata's
			      * protocol-detection-only rules do */
	const char *app_not[4]; /* more app-layer-protocol:!NAME: none of these either */
	uint8_t n_app_not;
	uint16_t risks;      /* xdpi.risk: 1 << enum xdpi_risk, any of them (0: no condition) */
	uint64_t buffers;    /* bitmap of enum xdpi_buffer used */
	struct xdpi_buf_view *views; /* transformed buffers, for sm[].view */
	uint8_t n_views;
	bool kernel;         /* counted by the XDP maps instead of inspected here */
	bool refused;        /* its pattern was refused by the prefilter: not loaded after all */
	const char *file;
	uint32_t line;
};

/* Variables for $NAME in addresses and ports. */
struct xdpi_rule_vars;
struct xdpi_rule_vars *xdpi_rule_vars_new(void); /* with Suricata's defaults */
void xdpi_rule_vars_free(struct xdpi_rule_vars *v);
/* NAME=VALUE (NAME with or without '$'). Returns 0 or -EINVAL with the reason in ERR. */
int xdpi_rule_vars_set(struct xdpi_rule_vars *v, const char *assignment, char *err, size_t errlen);
const char *xdpi_rule_vars_get(const struct xdpi_rule_vars *v, const char *name, size_t len);

/* Flowbit names, shared by all rules of a set. */
struct xdpi_names {
	char **names;
	uint32_t n, cap;
};
int xdpi_names_id(struct xdpi_names *names, const char *s, size_t len, uint32_t *id);
void xdpi_names_free(struct xdpi_names *names);

enum xdpi_parse_result {
	XDPI_RULE_OK = 0,
	XDPI_RULE_SKIPPED,  /* uses something unsupported: *WHAT names it */
	XDPI_RULE_ERROR,    /* malformed: ERR says where and why */
};

struct xdpi_rule_parse_ctx {
	const char *file;
	uint32_t line;
	const struct xdpi_rule_vars *vars;
	struct xdpi_names *flowbits;
	char *err;
	size_t errlen;
	char what[48];      /* SKIPPED: the unsupported keyword or protocol */
	uint32_t sid;       /* the rule's sid as far as it was read (0: unknown) */
};

/* Parses one rule (LEN bytes, no newline) into R (zeroed by the caller). On SKIPPED or ERROR
 * everything R holds has been freed. */
enum xdpi_parse_result xdpi_rule_parse(struct xdpi_rule_parse_ctx *pc, const char *text,
				       size_t len, struct xdpi_rule *r);
void xdpi_rule_free(struct xdpi_rule *r);

/* Address and port groups (detect/rule_addr.c). */
bool xdpi_addr_match(const struct xdpi_addr_group *g, uint8_t family, const uint8_t *addr);
bool xdpi_port_match(const struct xdpi_port_group *g, uint16_t port);
/* Parses TEXT (variables expanded from VARS) into G. Returns 0 or -EINVAL with the reason in
 * ERR (no place: the caller adds it). */
int xdpi_addr_parse(const struct xdpi_rule_vars *vars, const char *text, size_t len,
		    struct xdpi_addr_group *g, char *err, size_t errlen);
int xdpi_port_parse(const struct xdpi_rule_vars *vars, const char *text, size_t len,
		    struct xdpi_port_group *g, char *err, size_t errlen);
void xdpi_addr_group_free(struct xdpi_addr_group *g);
void xdpi_port_group_free(struct xdpi_port_group *g);

/* The comparison of V against C. */
bool xdpi_num_cmp_match(const struct xdpi_num_cmp *c, uint64_t v);

/* Verification of one rule's inspection on the buffers of IN (detect/rule_match.c): every
 * content, pcre, isdataat, byte_test, byte_jump and bsize of the rule, in order, buffer by
 * buffer, with Suricata's relative semantics and backtracking. */
bool xdpi_rule_match_buffers(const struct xdpi_rule *r, const struct xdpi_inspect *in);
/* Where the last xdpi_rule_match_buffers() of this thread that returned true matched: the
 * buffer, offset and length of its innermost content or pcre match on an untransformed
 * buffer. False when it has no such place. */
bool xdpi_rule_match_where(int *buf, uint32_t *off, uint32_t *len);
/* Do the digits of P (N bytes; blanks and dashes between groups allowed) pass the Luhn check
 * of card numbers (13 to 19 digits)? */
bool xdpi_luhn_ok(const uint8_t *p, size_t n);

#endif /* XDPI_RULES_H */
