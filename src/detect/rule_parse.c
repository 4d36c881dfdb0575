// SPDX-License-Identifier: GPL-2.0
/* The rule parser: "action proto src sport -> dst dport (keyword:value; ...)". Header and
 * options are read into struct xdpi_rule; today's sticky buffers ("http.uri; content:...")
 * and the older content modifiers ("content:...; http_uri;") end up in the same form: each
 * inspection (content, pcre, ...) carries the buffer it runs on. Keywords are looked up in
 * one table; a keyword not in it skips the rule, a bad value is an error with its column. */
#define _GNU_SOURCE /* memmem, memrchr, qsort_r, asprintf */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "xdpi/bytes.h"
#include "xdpi/decode.h" /* the decoder's reasons, for decode-event */
#include "xdpi/appid.h"
#include "xdpi/rules.h"
#include "detect_int.h"

#define BUF_FILE_DATA 0xfe /* file_data: the request or response body, known at the end */
#define SKIP 1             /* a keyword handler's "unsupported here" (not an error) */

struct parser {
	struct xdpi_rule_parse_ctx *pc;
	struct xdpi_rule *r;
	const char *text;     /* the whole rule, for columns */
	size_t col;           /* column of the keyword being read */
	int sticky;           /* current sticky buffer, -1: none (payload) */
	int last_insp;        /* index in sm of the last content or pcre, -1: none */
	int view;             /* transformed view the sticky buffer's inspections go to, 0: none */
	uint8_t inst;         /* the sticky list buffer's instance (it was named again) */
	bool b64_seen;        /* a base64_decode came before (base64_data may follow) */
	char vars[XDPI_VARS_MAX][32]; /* byte_extract names, in order */
	uint8_t n_vars;
	size_t cap_sm;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[256], sid[24] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->pc->sid)
		snprintf(sid, sizeof(sid), "sid %u: ", p->pc->sid);
	if (p->pc->err && p->pc->errlen)
		snprintf(p->pc->err, p->pc->errlen, "%s:%u:%zu: %s%s", p->pc->file, p->pc->line,
			 p->col + 1, sid, msg);
	return -EINVAL;
}

static int skip(struct parser *p, const char *what, size_t len)
{
	snprintf(p->pc->what, sizeof(p->pc->what), "%.*s", (int)len, what);
	return SKIP;
}

/* The rule's rarer conditions, made on first use (NULL when out of memory). */
static struct xdpi_rule_more *more(struct parser *p)
{
	if (!p->r->more)
		p->r->more = calloc(1, sizeof(*p->r->more));
	return p->r->more;
}

/* ---- small value readers ---- */

/* S without blanks around, as a C string in TMP (32 bytes); false when empty or too long. */
static bool trimmed(const char *s, size_t len, char tmp[32])
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len || len >= 32)
		return false;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	return true;
}

static bool parse_i64(const char *s, size_t len, int64_t *out)
{
	char tmp[32], *end;

	if (!trimmed(s, len, tmp))
		return false;
	errno = 0;
	*out = strtoll(tmp, &end, 0);
	return !*end && !errno;
}

static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
	int64_t v;

	if (!parse_i64(s, len, &v) || v < 0 || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Splits "a, b ,c" at commas into F[i] (trimmed) and FL[i]. Returns the count. */
static size_t fields(const char *s, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0, i = 0;

	while (i <= len && n < max) {
		size_t j = i;

		while (j < len && s[j] != ',')
			j++;
		size_t a = i, b = j;

		while (a < b && isspace((unsigned char)s[a]))
			a++;
		while (b > a && isspace((unsigned char)s[b - 1]))
			b--;
		f[n] = s + a;
		fl[n] = b - a;
		n++;
		i = j + 1;
	}
	return n;
}

static bool word_is(const char *s, size_t len, const char *w)
{
	/* most words differ in their first byte: no length to count for those (a keyword is
	 * looked up among ~90 names this way, for every option of every rule) */
	if (len && w[0] != s[0])
		return false;
	return strlen(w) == len && !memcmp(s, w, len);
}

/* Strips surrounding quotes (if any) and whitespace. */
static void unquote(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s))
		(*s)++, (*len)--;
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
	if (*len >= 2 && (*s)[0] == '"' && (*s)[*len - 1] == '"') {
		(*s)++;
		*len -= 2;
	}
}

/* A quoted string value with \" \\ \; \: escapes, into a malloc'd C string. */
static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		*o++ = s[i];
	}
	*o = 0;
	return out;
}

/* "N", "<N", ">N", "<=N", ">=N", "!N", "N<>M" */
static bool parse_cmp(const char *s, size_t len, struct xdpi_num_cmp *c)
{
	const char *rng;
	int64_t a, b;

	unquote(&s, &len);
	rng = len > 2 ? memmem(s, len, "<>", 2) : NULL;
	if (rng) {
		if (!parse_i64(s, (size_t)(rng - s), &a) ||
		    !parse_i64(rng + 2, len - (size_t)(rng - s) - 2, &b) || a < 0 || b <= a)
			return false;
		*c = (struct xdpi_num_cmp){ XDPI_CMP_RANGE, (uint64_t)a, (uint64_t)b };
		return true;
	}
	c->op = XDPI_CMP_EQ;
	if (len >= 2 && s[0] == '<' && s[1] == '=')
		c->op = XDPI_CMP_LE, s += 2, len -= 2;
	else if (len >= 2 && s[0] == '>' && s[1] == '=')
		c->op = XDPI_CMP_GE, s += 2, len -= 2;
	else if (len && s[0] == '<')
		c->op = XDPI_CMP_LT, s++, len--;
	else if (len && s[0] == '>')
		c->op = XDPI_CMP_GT, s++, len--;
	else if (len && s[0] == '!')
		c->op = XDPI_CMP_NE, s++, len--;
	if (!parse_i64(s, len, &a) || a < 0)
		return false;
	c->a = (uint64_t)a;
	return true;
}

/* A number condition as Suricata's integer keywords write them: N, !N, <N, >N, <=N, >=N,
 * A-B (between, exclusive) or A<>B. */
static bool parse_uint_cond(const char *s, size_t len, struct xdpi_num_cmp *c)
{
	const char *dash = len > 2 ? memchr(s + 1, '-', len - 1) : NULL;
	int64_t a, b;

	if (dash && isdigit((unsigned char)s[0])) {
		if (!parse_i64(s, (size_t)(dash - s), &a) ||
		    !parse_i64(dash + 1, len - (size_t)(dash - s) - 1, &b) || a < 0 || b <= a)
			return false;
		*c = (struct xdpi_num_cmp){ XDPI_CMP_RANGE, (uint64_t)a, (uint64_t)b };
		return true;
	}
	return parse_cmp(s, len, c);
}

/* ---- inspections ---- */

static struct xdpi_sm *sm_add(struct parser *p, uint8_t type, int buf)
{
	struct xdpi_rule *r = p->r;

	if (r->n_sm == p->cap_sm) {
		size_t cap = p->cap_sm ? p->cap_sm * 2 : 8;
		struct xdpi_sm *g = realloc(r->sm, cap * sizeof(*g));

		if (!g)
			return NULL;
		r->sm = g;
		p->cap_sm = cap;
	}
	struct xdpi_sm *sm = &r->sm[r->n_sm++];

	memset(sm, 0, sizeof(*sm));
	sm->type = type;
	sm->buf = (uint8_t)buf;
	if (p->view && buf == p->r->views[p->view - 1].buf)
		sm->view = (uint8_t)p->view;
	if (buf == p->sticky)
		sm->inst = p->inst;
	return sm;
}

/* The buffer a new non-relative inspection goes to. */
static int cur_buf(struct parser *p)
{
	return p->sticky >= 0 ? p->sticky : XDPI_BUF_PAYLOAD;
}

/* The buffer a relative inspection goes to: that of the inspection it is relative to. */
static int rel_buf(struct parser *p)
{
	if (p->sticky >= 0)
		return p->sticky;
	return p->last_insp >= 0 ? p->r->sm[p->last_insp].buf : XDPI_BUF_PAYLOAD;
}

static struct xdpi_content *last_content(struct parser *p, const char *kw)
{
	struct xdpi_sm *sm;

	if (p->last_insp < 0 || (sm = &p->r->sm[p->last_insp])->type != XDPI_SM_CONTENT) {
		fail(p, "'%s' needs a content before it", kw);
		return NULL;
	}
	return &sm->c;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "abc|0d 0a|def" with \" \\ \; \: escapes into bytes. */
static int content_bytes(struct parser *p, const char *s, size_t len, struct xdpi_content *c)
{
	uint8_t *out = malloc(len + 1);
	size_t n = 0;
	bool hex = false;
	int hi = -1;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '|') {
			if (hi >= 0)
				goto bad_hex;
			hex = !hex;
			continue;
		}
		if (hex) {
			int v;

			if (isspace((unsigned char)ch))
				continue;
			if ((v = hexval((unsigned char)ch)) < 0)
				goto bad_hex;
			if (hi < 0) {
				hi = v;
			} else {
				out[n++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
			continue;
		}
		if (ch == '\\' && i + 1 < len)
			ch = s[++i];
		out[n++] = (uint8_t)ch;
	}
	if (hex) {
		free(out);
		return fail(p, "content has a '|' without its closing '|'");
	}
	if (!n) {
		free(out);
		return fail(p, "empty content");
	}
	c->pat = out;
	c->len = (uint32_t)n;
	return 0;
bad_hex:
	free(out);
	return fail(p, "content has a bad hex byte between '|'s");
}

static int kw_content(struct parser *p, const char *v, size_t len, int buf)
{
	struct xdpi_sm *sm;
	bool neg = false;
	int rc;

	while (len && isspace((unsigned char)*v))
		v++, len--;
	if (len && *v == '!')
		neg = true, v++, len--;
	unquote(&v, &len);
	if (!(sm = sm_add(p, XDPI_SM_CONTENT, buf)))
		return -ENOMEM;
	if ((rc = content_bytes(p, v, len, &sm->c))) {
		p->r->n_sm--;
		return rc;
	}
	if (neg)
		sm->c.flags |= XDPI_CT_NEGATED;
	p->last_insp = (int)(p->r->n_sm - 1);
	return 0;
}

static int kw_plain_content(struct parser *p, const char *v, size_t len)
{
	return kw_content(p, v, len, cur_buf(p));
}

static int kw_uricontent(struct parser *p, const char *v, size_t len)
{
	return kw_content(p, v, len, XDPI_BUF_HTTP_URI);
}

static int kw_nocase(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "nocase");

	(void)v, (void)len;
	if (!c)
		return -EINVAL;
	c->flags |= XDPI_CT_NOCASE;
	return 0;
}

static int kw_rawbytes(struct parser *p, const char *v, size_t len)
{
	(void)v, (void)len;
	return last_content(p, "rawbytes") ? 0 : -EINVAL; /* Suricata ignores it too */
}

/* A byte_extract name given before: its index + 1; 0 if it is not one. */
static uint8_t var_ref(const struct parser *p, const char *v, size_t len)
{
	while (len && isspace((unsigned char)*v))
		v++, len--;
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	for (uint8_t i = 0; i < p->n_vars; i++)
		if (word_is(v, len, p->vars[i]))
			return (uint8_t)(i + 1);
	return 0;
}

/* A number, or a byte_extract variable (*VAR set, the number left as it was). */
static int content_num(struct parser *p, const char *kw, const char *v, size_t len,
		       int32_t *out, int64_t min, uint8_t *var)
{
	int64_t n;

	if ((*var = var_ref(p, v, len)))
		return 0;
	if (!parse_i64(v, len, &n) || n < min || n > 65535)
		return fail(p, "%s: '%.*s' is not a number in range", kw, (int)len, v);
	*out = (int32_t)n;
	return 0;
}

static int kw_depth(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "depth");

	if (!c)
		return -EINVAL;
	c->flags |= XDPI_CT_DEPTH;
	if (content_num(p, "depth", v, len, &c->depth, 1, &c->var_depth))
		return -EINVAL;
	if (!c->var_depth && (uint32_t)c->depth < c->len)
		return fail(p, "depth %d is shorter than its content (%u bytes)", c->depth, c->len);
	return 0;
}

static int kw_offset(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "offset");

	return c ? content_num(p, "offset", v, len, &c->offset, 0, &c->var_offset) : -EINVAL;
}

static int kw_distance(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "distance");

	if (!c)
		return -EINVAL;
	c->flags |= XDPI_CT_RELATIVE;
	return content_num(p, "distance", v, len, &c->distance, -65535, &c->var_distance);
}

static int kw_within(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "within");

	if (!c)
		return -EINVAL;
	c->flags |= XDPI_CT_RELATIVE | XDPI_CT_WITHIN;
	if (content_num(p, "within", v, len, &c->within, 1, &c->var_within))
		return -EINVAL;
	if (!c->var_within && (uint32_t)c->within < c->len)
		return fail(p, "within %d is shorter than its content (%u bytes)", c->within,
			    c->len);
	return 0;
}

static int kw_startswith(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "startswith");

	(void)v, (void)len;
	if (!c)
		return -EINVAL;
	c->flags |= XDPI_CT_STARTS | XDPI_CT_DEPTH;
	c->depth = (int32_t)c->len;
	return 0;
}

static int kw_endswith(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "endswith");

	(void)v, (void)len;
	if (!c)
		return -EINVAL;
	c->flags |= XDPI_CT_ENDS;
	return 0;
}

static int kw_fast_pattern(struct parser *p, const char *v, size_t len)
{
	struct xdpi_content *c = last_content(p, "fast_pattern");
	const char *f[3];
	size_t fl[3];

	if (!c)
		return -EINVAL;
	c->flags |= XDPI_CT_FAST;
	if (!v || !len)
		return 0;
	if (word_is(v, len, "only")) {
		c->flags |= XDPI_CT_FAST_ONLY;
		return 0;
	}
	if (fields(v, len, f, fl, 3) != 2 || !parse_u32(f[0], fl[0], &c->fp_off) ||
	    !parse_u32(f[1], fl[1], &c->fp_len) || !c->fp_len ||
	    (uint64_t)c->fp_off + c->fp_len > c->len)
		return fail(p, "fast_pattern: expected 'only' or OFFSET,LENGTH within the content");
	return 0;
}

/* ---- buffers ---- */

struct buffer_kw {
	const char *name;
	int buf;
	bool modifier; /* old style: moves the content before it */
};

static const struct buffer_kw buffer_kws[] = {
	{ "http_uri", XDPI_BUF_HTTP_URI, true },
	{ "http_raw_uri", XDPI_BUF_HTTP_RAW_URI, true },
	{ "http_header", XDPI_BUF_HTTP_HEADER, true },
	{ "http_raw_header", XDPI_BUF_HTTP_RAW_HEADER, true },
	{ "http_method", XDPI_BUF_HTTP_METHOD, true },
	{ "http_cookie", XDPI_BUF_HTTP_COOKIE, true },
	{ "http_client_body", XDPI_BUF_HTTP_REQ_BODY, true },
	{ "http_server_body", XDPI_BUF_HTTP_RESP_BODY, true },
	{ "http_stat_code", XDPI_BUF_HTTP_STAT_CODE, true },
	{ "http_stat_msg", XDPI_BUF_HTTP_STAT_MSG, true },
	{ "http_user_agent", XDPI_BUF_HTTP_UA, true },
	{ "http_host", XDPI_BUF_HTTP_HOST, true },
	{ "http_raw_host", XDPI_BUF_HTTP_RAW_HOST, true },
	{ "http.method", XDPI_BUF_HTTP_METHOD, false },
	{ "http.uri", XDPI_BUF_HTTP_URI, false },
	{ "http.uri.raw", XDPI_BUF_HTTP_RAW_URI, false },
	{ "http.host", XDPI_BUF_HTTP_HOST, false },
	{ "http.host.raw", XDPI_BUF_HTTP_RAW_HOST, false },
	{ "http.user_agent", XDPI_BUF_HTTP_UA, false },
	{ "http.header", XDPI_BUF_HTTP_HEADER, false },
	{ "http.header.raw", XDPI_BUF_HTTP_RAW_HEADER, false },
	{ "http.cookie", XDPI_BUF_HTTP_COOKIE, false },
	{ "http.request_body", XDPI_BUF_HTTP_REQ_BODY, false },
	{ "http.response_body", XDPI_BUF_HTTP_RESP_BODY, false },
	{ "http.stat_code", XDPI_BUF_HTTP_STAT_CODE, false },
	{ "http.stat_msg", XDPI_BUF_HTTP_STAT_MSG, false },
	{ "http.protocol", XDPI_BUF_HTTP_PROTOCOL, false },
	{ "http_protocol", XDPI_BUF_HTTP_PROTOCOL, false },
	{ "http.request_line", XDPI_BUF_HTTP_REQUEST_LINE, false },
	{ "http_request_line", XDPI_BUF_HTTP_REQUEST_LINE, false },
	{ "http.response_line", XDPI_BUF_HTTP_RESPONSE_LINE, false },
	{ "http_response_line", XDPI_BUF_HTTP_RESPONSE_LINE, false },
	{ "http.start", XDPI_BUF_HTTP_START, false },
	{ "http_start", XDPI_BUF_HTTP_START, false },
	{ "http.header_names", XDPI_BUF_HTTP_HEADER_NAMES, false },
	{ "http_header_names", XDPI_BUF_HTTP_HEADER_NAMES, false },
	{ "http.content_type", XDPI_BUF_HTTP_CONTENT_TYPE, false },
	{ "http_content_type", XDPI_BUF_HTTP_CONTENT_TYPE, false },
	{ "http.content_len", XDPI_BUF_HTTP_CONTENT_LEN, false },
	{ "http_content_len", XDPI_BUF_HTTP_CONTENT_LEN, false },
	{ "http.referer", XDPI_BUF_HTTP_REFERER, false },
	{ "http_referer", XDPI_BUF_HTTP_REFERER, false },
	{ "http.accept", XDPI_BUF_HTTP_ACCEPT, false },
	{ "http_accept", XDPI_BUF_HTTP_ACCEPT, false },
	{ "http.accept_enc", XDPI_BUF_HTTP_ACCEPT_ENC, false },
	{ "http_accept_enc", XDPI_BUF_HTTP_ACCEPT_ENC, false },
	{ "http.accept_lang", XDPI_BUF_HTTP_ACCEPT_LANG, false },
	{ "http_accept_lang", XDPI_BUF_HTTP_ACCEPT_LANG, false },
	{ "http.connection", XDPI_BUF_HTTP_CONNECTION, false },
	{ "http.request_header", XDPI_BUF_HTTP_REQUEST_HEADER, false },
	{ "http.response_header", XDPI_BUF_HTTP_RESPONSE_HEADER, false },
	{ "http_connection", XDPI_BUF_HTTP_CONNECTION, false },
	{ "file_data", BUF_FILE_DATA, false },
	{ "file.data", BUF_FILE_DATA, false },
	{ "dns_query", XDPI_BUF_DNS_QUERY, false },
	{ "dns.query", XDPI_BUF_DNS_QUERY, false },
	{ "tls_sni", XDPI_BUF_TLS_SNI, false },
	{ "tls.sni", XDPI_BUF_TLS_SNI, false },
	{ "tls_cert_subject", XDPI_BUF_TLS_CERT_SUBJECT, false },
	{ "tls.cert_subject", XDPI_BUF_TLS_CERT_SUBJECT, false },
	{ "tls_cert_issuer", XDPI_BUF_TLS_CERT_ISSUER, false },
	{ "tls.cert_issuer", XDPI_BUF_TLS_CERT_ISSUER, false },
	{ "tls_cert_serial", XDPI_BUF_TLS_CERT_SERIAL, false },
	{ "tls.cert_serial", XDPI_BUF_TLS_CERT_SERIAL, false },
	{ "ja3_hash", XDPI_BUF_JA3_HASH, false },
	{ "ja3.hash", XDPI_BUF_JA3_HASH, false },
	{ "ja3_string", XDPI_BUF_JA3_STRING, false },
	{ "ja3.string", XDPI_BUF_JA3_STRING, false },
	{ "ja4.hash", XDPI_BUF_JA4_HASH, false },
	{ "tls.certs", XDPI_BUF_TLS_CERTS, false },
	{ "tls.random", XDPI_BUF_TLS_RANDOM, false },
	{ "tls.random_time", XDPI_BUF_TLS_RANDOM_TIME, false },
	{ "tls.random_bytes", XDPI_BUF_TLS_RANDOM_BYTES, false },
	{ "tls.subjectaltname", XDPI_BUF_TLS_SUBJECTALTNAME, false },
	{ "dns.queries.rrname", XDPI_BUF_DNS_QUERIES_RRNAME, false },
	{ "dns.answers.rrname", XDPI_BUF_DNS_ANSWERS_RRNAME, false },
	{ "dns.authorities.rrname", XDPI_BUF_DNS_AUTHORITIES_RRNAME, false },
	{ "dns.additionals.rrname", XDPI_BUF_DNS_ADDITIONALS_RRNAME, false },
	{ "dns.response.rrname", XDPI_BUF_DNS_RESPONSE_RRNAME, false },
	{ "pkt_data", -1, false },
	{ "ipv4.hdr", XDPI_BUF_IPV4_HDR, false },
	{ "ipv6.hdr", XDPI_BUF_IPV6_HDR, false },
	{ "tcp.hdr", XDPI_BUF_TCP_HDR, false },
	{ "udp.hdr", XDPI_BUF_UDP_HDR, false },
	{ "llm.prompt", XDPI_BUF_LLM_PROMPT, false },
	{ "llm.completion", XDPI_BUF_LLM_COMPLETION, false },
	{ "llm.model", XDPI_BUF_LLM_MODEL, false },
};

static const struct buffer_kw *buffer_kw_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(buffer_kws) / sizeof(buffer_kws[0]); i++)
		if (word_is(name, len, buffer_kws[i].name))
			return &buffer_kws[i];
	return NULL;
}

static int apply_buffer(struct parser *p, const struct buffer_kw *b)
{
	struct xdpi_sm *sm;

	if (!b->modifier) {
		p->sticky = b->buf;
		p->view = 0;
		p->inst = 0;
		if (b->buf >= 0 && b->buf < XDPI_BUF_MAX && xdpi_buffer_list_kind(b->buf))
			for (uint32_t i = 0; i < p->r->n_sm; i++) /* named again: the next instance */
				if (p->r->sm[i].buf == b->buf && p->r->sm[i].inst >= p->inst)
					p->inst = (uint8_t)(p->r->sm[i].inst + 1);
		return 0;
	}
	if (p->last_insp < 0 || (sm = &p->r->sm[p->last_insp])->type != XDPI_SM_CONTENT)
		return fail(p, "'%s' needs a content before it", b->name);
	if (sm->buf != XDPI_BUF_PAYLOAD && sm->buf != b->buf)
		return fail(p, "'%s' on a content already bound to another buffer", b->name);
	sm->buf = (uint8_t)b->buf;
	return 0;
}

/* ---- transforms ---- */

/* Is a view (or with VIEW 0, buffer BUF as it is) already inspected? */
static bool view_used(const struct xdpi_rule *r, int buf, int view)
{
	for (uint32_t i = 0; i < r->n_sm; i++)
		if (r->sm[i].buf == buf && r->sm[i].view == view)
			return true;
	return false;
}

/* Adds a transform to the current buffer: to its view while nothing inspects that view yet,
 * else to a new view (inspections before the transform keep the buffer as they saw it). */
static int add_xform(struct parser *p, struct xdpi_xform *x)
{
	struct xdpi_rule *r = p->r;
	int buf = cur_buf(p);
	struct xdpi_buf_view *v;

	if (!p->view || view_used(r, buf, p->view)) {
		if (r->n_views == UINT8_MAX - 1 ||
		    !(v = realloc(r->views, (r->n_views + 1u) * sizeof(*v)))) {
			xdpi_xform_free(x);
			return -ENOMEM;
		}
		r->views = v;
		v = &r->views[r->n_views++];
		memset(v, 0, sizeof(*v));
		v->buf = (uint8_t)buf;
		p->view = r->n_views;
	}
	v = &r->views[p->view - 1];
	if (v->n == XDPI_XFORM_MAX) {
		xdpi_xform_free(x);
		return fail(p, "at most %d transforms on one buffer", XDPI_XFORM_MAX);
	}
	v->x[v->n++] = *x;
	return 0;
}

static const struct {
	const char *name;
	uint8_t type;
} plain_xforms[] = {
	{ "url_decode", XDPI_XF_URL_DECODE }, { "to_lowercase", XDPI_XF_TO_LOWER },
	{ "to_uppercase", XDPI_XF_TO_UPPER }, { "strip_whitespace", XDPI_XF_STRIP_WS },
	{ "compress_whitespace", XDPI_XF_COMPRESS_WS }, { "dotprefix", XDPI_XF_DOTPREFIX },
	{ "to_md5", XDPI_XF_MD5 }, { "to_sha1", XDPI_XF_SHA1 }, { "to_sha256", XDPI_XF_SHA256 },
	{ "header_lowercase", XDPI_XF_HEADER_LOWER },
	{ "strip_pseudo_headers", XDPI_XF_STRIP_PSEUDO },
};

/* The transforms that take no value; the keyword's name says which. */
static int kw_plain_xform(struct parser *p, const char *name)
{
	for (size_t i = 0; i < sizeof(plain_xforms) / sizeof(plain_xforms[0]); i++) {
		if (!strcmp(plain_xforms[i].name, name)) {
			struct xdpi_xform x = { .type = plain_xforms[i].type };

			return add_xform(p, &x);
		}
	}
	return fail(p, "'%s' is not a transform", name);
}

#define PLAIN_XFORM(fn, kw)                                                   \
	static int fn(struct parser *p, const char *v, size_t len)            \
	{                                                                     \
		(void)v, (void)len;                                           \
		return kw_plain_xform(p, kw);                                 \
	}
PLAIN_XFORM(kw_url_decode, "url_decode")
PLAIN_XFORM(kw_to_lowercase, "to_lowercase")
PLAIN_XFORM(kw_to_uppercase, "to_uppercase")
PLAIN_XFORM(kw_strip_whitespace, "strip_whitespace")
PLAIN_XFORM(kw_compress_whitespace, "compress_whitespace")
PLAIN_XFORM(kw_dotprefix, "dotprefix")
PLAIN_XFORM(kw_to_md5, "to_md5")
PLAIN_XFORM(kw_to_sha1, "to_sha1")
PLAIN_XFORM(kw_to_sha256, "to_sha256")
PLAIN_XFORM(kw_header_lowercase, "header_lowercase")
PLAIN_XFORM(kw_strip_pseudo, "strip_pseudo_headers")

/* from_base64[: bytes N][, offset N][, mode rfc4648|rfc2045|strict] */
static int kw_from_base64(struct parser *p, const char *v, size_t len)
{
	const char *f[4];
	size_t fl[4], n = fields(v, len, f, fl, 4);
	struct xdpi_xform x = { .type = XDPI_XF_FROM_BASE64 };

	for (size_t i = 0; i < n; i++) {
		const char *sp = memchr(f[i], ' ', fl[i]);
		size_t kl = sp ? (size_t)(sp - f[i]) : fl[i], vl = sp ? fl[i] - kl - 1 : 0;
		int64_t num;

		if (sp && (word_is(f[i], kl, "bytes") || word_is(f[i], kl, "offset"))) {
			if (!parse_i64(sp + 1, vl, &num) || num < 0 || num > 65535)
				return fail(p, "from_base64: bad number in '%.*s'", (int)fl[i], f[i]);
			*(word_is(f[i], kl, "bytes") ? &x.b : &x.a) = num;
		} else if (sp && word_is(f[i], kl, "mode") && word_is(sp + 1, vl, "rfc4648")) {
			x.mode = XDPI_B64_RFC4648;
		} else if (sp && word_is(f[i], kl, "mode") && word_is(sp + 1, vl, "rfc2045")) {
			x.mode = XDPI_B64_RFC2045;
		} else if (sp && word_is(f[i], kl, "mode") && word_is(sp + 1, vl, "strict")) {
			x.mode = XDPI_B64_STRICT;
		} else {
			return fail(p, "from_base64: unknown option '%.*s'", (int)fl[i], f[i]);
		}
	}
	return add_xform(p, &x);
}

/* subslice: OFFSET[, NBYTES][, truncate] */
static int kw_subslice(struct parser *p, const char *v, size_t len)
{
	const char *f[3];
	size_t fl[3], n = fields(v, len, f, fl, 3);
	struct xdpi_xform x = { .type = XDPI_XF_SUBSLICE };

	if (n && word_is(f[n - 1], fl[n - 1], "truncate"))
		x.truncate = true, n--;
	if (!n || n > 2 || !parse_i64(f[0], fl[0], &x.a) ||
	    (n == 2 && !parse_i64(f[1], fl[1], &x.b)))
		return fail(p, "subslice: expected OFFSET[, NBYTES][, truncate]");
	x.has_b = n == 2;
	return add_xform(p, &x);
}

/* xor:[offset N,] extract LEN POS: the key is LEN bytes of the buffer at POS, the data the
 * buffer from N on. */
static int xor_from_data(struct parser *p, struct xdpi_xform *x, const char *v, size_t len)
{
	const char *f[2];
	size_t fl[2], n = fields(v, len, f, fl, 2);
	int64_t klen = 0, pos = -1;

	for (size_t i = 0; i < n; i++) {
		const char *sp = memchr(f[i], ' ', fl[i]);
		size_t kl = sp ? (size_t)(sp - f[i]) : fl[i];

		if (sp && word_is(f[i], kl, "offset")) {
			if (!parse_i64(sp + 1, fl[i] - kl - 1, &x->a) || x->a < 0 || x->a > 65535)
				return fail(p, "xor: bad offset '%.*s'", (int)fl[i], f[i]);
		} else if (sp && word_is(f[i], kl, "extract")) {
			const char *sp2 = memchr(sp + 1, ' ', fl[i] - kl - 1);

			if (!sp2 || !parse_i64(sp + 1, (size_t)(sp2 - sp - 1), &klen) ||
			    !parse_i64(sp2 + 1, (size_t)(f[i] + fl[i] - sp2 - 1), &pos) ||
			    klen < 1 || klen > 255 || pos < 0 || pos > 65535)
				return fail(p, "xor: expected extract LEN POS");
		} else {
			return fail(p, "xor: unknown option '%.*s'", (int)fl[i], f[i]);
		}
	}
	if (pos < 0)
		return fail(p, "xor: a key from the data needs extract LEN POS");
	x->key_len = (uint32_t)klen;
	x->b = pos;
	return add_xform(p, x);
}

/* xor:"HEXKEY" */
static int kw_xor(struct parser *p, const char *v, size_t len)
{
	struct xdpi_xform x = { .type = XDPI_XF_XOR };

	while (len && isspace((unsigned char)*v))
		v++, len--;
	if (len && *v != '"')
		return xor_from_data(p, &x, v, len);
	unquote(&v, &len);
	if (!len || len % 2 || len > 510)
		return fail(p, "xor: expected a quoted key of hex byte pairs");
	if (!(x.key = malloc(len / 2)))
		return -ENOMEM;
	for (size_t i = 0; i < len; i += 2) {
		char hex[3] = { v[i], v[i + 1], 0 }, *end;

		x.key[i / 2] = (uint8_t)strtoul(hex, &end, 16);
		if (*end || !isxdigit((unsigned char)v[i])) {
			free(x.key);
			return fail(p, "xor: '%.2s' is not a hex byte", v + i);
		}
	}
	x.key_len = (uint32_t)(len / 2);
	return add_xform(p, &x);
}

/* pcrexform:"regex" (no delimiters): the first capture group becomes the buffer. */
static int kw_pcrexform(struct parser *p, const char *v, size_t len)
{
	struct xdpi_xform x = { .type = XDPI_XF_PCREXFORM };
	PCRE2_SIZE erroff;
	int errcode;

	unquote(&v, &len);
	if (!len)
		return fail(p, "pcrexform: expected \"regex\"");
	x.re = pcre2_compile((PCRE2_SPTR)v, len, 0, &errcode, &erroff, NULL);
	if (!x.re) {
		PCRE2_UCHAR msg[120];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return fail(p, "pcrexform: %s at offset %zu", (char *)msg, (size_t)erroff);
	}
	return add_xform(p, &x);
}

/* gunzip and zlib_deflate[: max-size N] */
static int inflate_xform(struct parser *p, const char *kw, uint8_t type, const char *v,
			 size_t len)
{
	struct xdpi_xform x = { .type = type };

	while (len && isspace((unsigned char)*v))
		v++, len--;
	if (len) {
		if (len < 9 || strncmp(v, "max-size", 8) || !parse_i64(v + 9, len - 9, &x.a) ||
		    x.a < 1)
			return fail(p, "%s: expected max-size N", kw);
	}
	return add_xform(p, &x);
}

static int kw_gunzip(struct parser *p, const char *v, size_t len)
{
	return inflate_xform(p, "gunzip", XDPI_XF_GUNZIP, v, len);
}

static int kw_zlib_deflate(struct parser *p, const char *v, size_t len)
{
	return inflate_xform(p, "zlib_deflate", XDPI_XF_ZLIB_DEFLATE, v, len);
}

/* ---- pcre ---- */

struct pcre_flag {
	char f;
	int buf;      /* a buffer, or -1 */
	uint32_t opt; /* a PCRE2 option */
};

static const struct pcre_flag pcre_flags[] = {
	{ 'i', -1, PCRE2_CASELESS }, { 's', -1, PCRE2_DOTALL }, { 'm', -1, PCRE2_MULTILINE },
	{ 'x', -1, PCRE2_EXTENDED }, { 'A', -1, PCRE2_ANCHORED }, { 'E', -1, PCRE2_DOLLAR_ENDONLY },
	{ 'G', -1, PCRE2_UNGREEDY }, { 'R', -1, 0 }, { 'B', -1, 0 }, { 'O', -1, 0 },
	{ 'U', XDPI_BUF_HTTP_URI, 0 }, { 'I', XDPI_BUF_HTTP_RAW_URI, 0 },
	{ 'P', XDPI_BUF_HTTP_REQ_BODY, 0 }, { 'Q', XDPI_BUF_HTTP_RESP_BODY, 0 },
	{ 'H', XDPI_BUF_HTTP_HEADER, 0 }, { 'D', XDPI_BUF_HTTP_RAW_HEADER, 0 },
	{ 'M', XDPI_BUF_HTTP_METHOD, 0 }, { 'C', XDPI_BUF_HTTP_COOKIE, 0 },
	{ 'S', XDPI_BUF_HTTP_STAT_CODE, 0 }, { 'Y', XDPI_BUF_HTTP_STAT_MSG, 0 },
	{ 'V', XDPI_BUF_HTTP_UA, 0 }, { 'W', XDPI_BUF_HTTP_HOST, 0 },
	{ 'Z', XDPI_BUF_HTTP_RAW_HOST, 0 },
};

static int kw_pcre(struct parser *p, const char *v, size_t len)
{
	const char *open, *close;
	uint32_t opts = 0;
	int buf = -1, errcode;
	PCRE2_SIZE erroff;
	bool neg = false, rel = false;
	struct xdpi_sm *sm;
	char *src;

	while (len && isspace((unsigned char)*v))
		v++, len--;
	if (len && *v == '!')
		neg = true, v++, len--;
	unquote(&v, &len);
	open = len ? memchr(v, '/', len) : NULL;
	close = len ? memrchr(v, '/', len) : NULL;
	if (!open || open != v || close == open)
		return fail(p, "pcre: expected \"/regex/flags\"");
	for (const char *f = close + 1; f < v + len; f++) {
		size_t i;

		for (i = 0; i < sizeof(pcre_flags) / sizeof(pcre_flags[0]); i++)
			if (pcre_flags[i].f == *f)
				break;
		if (i == sizeof(pcre_flags) / sizeof(pcre_flags[0]))
			return fail(p, "pcre: unknown flag '%c'", *f);
		opts |= pcre_flags[i].opt;
		if (*f == 'R')
			rel = true;
		if (pcre_flags[i].buf >= 0)
			buf = pcre_flags[i].buf;
	}
	if (buf < 0)
		buf = rel ? rel_buf(p) : cur_buf(p);
	src = strndup(open + 1, (size_t)(close - open - 1));
	if (!src || !(sm = sm_add(p, XDPI_SM_PCRE, buf))) {
		free(src);
		return -ENOMEM;
	}
	sm->re.source = src;
	sm->re.negated = neg;
	sm->re.relative = rel;
	sm->re.code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &errcode,
				    &erroff, NULL);
	if (!sm->re.code) {
		PCRE2_UCHAR msg[120];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return fail(p, "pcre: %s at offset %zu of /%s/", (char *)msg, (size_t)erroff, src);
	}
	p->last_insp = (int)(p->r->n_sm - 1);
	return 0;
}

/* luhn (xdpi's): the pcre before it matches only where its digits pass the Luhn check, so
 * that a card-number pattern does not fire on any run of digits. */
static int kw_luhn(struct parser *p, const char *v, size_t len)
{
	(void)v;
	(void)len;
	if (p->last_insp < 0 || p->r->sm[p->last_insp].type != XDPI_SM_PCRE ||
	    p->r->sm[p->last_insp].re.negated)
		return fail(p, "luhn needs a pcre (not negated) before it");
	p->r->sm[p->last_insp].re.luhn = true;
	return 0;
}

/* ---- isdataat, byte_test, byte_jump, bsize, urilen, dsize ---- */

static int kw_isdataat(struct parser *p, const char *v, size_t len)
{
	const char *f[4];
	size_t fl[4], n = fields(v, len, f, fl, 4);
	struct xdpi_isdataat d = { 0 };
	int64_t num;
	struct xdpi_sm *sm;

	if (n && fl[0] && f[0][0] == '!')
		d.negated = true, f[0]++, fl[0]--;
	if (!n || !parse_i64(f[0], fl[0], &num) || num < 0 || num > 65535)
		return fail(p, "isdataat: expected [!]N[,relative]");
	d.n = (int32_t)num;
	for (size_t i = 1; i < n; i++) {
		if (word_is(f[i], fl[i], "relative"))
			d.relative = true;
		else if (word_is(f[i], fl[i], "rawbytes"))
			d.rawbytes = true;
		else
			return fail(p, "isdataat: unknown option '%.*s'", (int)fl[i], f[i]);
	}
	if (!(sm = sm_add(p, XDPI_SM_ISDATAAT, d.relative ? rel_buf(p) : cur_buf(p))))
		return -ENOMEM;
	sm->d = d;
	return 0;
}

/* The options shared by byte_test and byte_jump, from field I on. */
static int byte_options(struct parser *p, const char *kw, const char **f, size_t *fl, size_t n,
			size_t i, struct xdpi_byte_op *b)
{
	for (; i < n; i++) {
		int64_t num;

		if (word_is(f[i], fl[i], "relative")) {
			b->flags |= XDPI_BY_RELATIVE;
		} else if (word_is(f[i], fl[i], "little")) {
			b->flags |= XDPI_BY_LITTLE;
		} else if (word_is(f[i], fl[i], "big")) {
			b->flags &= ~(uint32_t)XDPI_BY_LITTLE;
		} else if (word_is(f[i], fl[i], "string")) {
			b->flags |= XDPI_BY_STRING;
			b->base = 10;
		} else if (word_is(f[i], fl[i], "hex") || word_is(f[i], fl[i], "dec") ||
			   word_is(f[i], fl[i], "oct")) {
			b->base = f[i][0] == 'h' ? 16 : f[i][0] == 'd' ? 10 : 8;
		} else if (word_is(f[i], fl[i], "align")) {
			b->flags |= XDPI_BY_ALIGN;
		} else if (word_is(f[i], fl[i], "from_beginning")) {
			b->flags |= XDPI_BY_FROM_BEGINNING;
		} else if (word_is(f[i], fl[i], "from_end")) {
			b->flags |= XDPI_BY_FROM_END;
		} else if (word_is(f[i], fl[i], "dce")) {
			return skip(p, "byte_*:dce", 10);
		} else if (fl[i] > 11 && !memcmp(f[i], "multiplier", 10)) {
			if (!parse_i64(f[i] + 10, fl[i] - 10, &num) || num < 1 || num > 65535)
				return fail(p, "%s: bad multiplier", kw);
			b->multiplier = (uint32_t)num;
		} else if (fl[i] > 12 && !memcmp(f[i], "post_offset", 11)) {
			if (!parse_i64(f[i] + 11, fl[i] - 11, &num) || num < -65535 || num > 65535)
				return fail(p, "%s: bad post_offset", kw);
			b->post_offset = (int32_t)num;
		} else if (fl[i] > 8 && !memcmp(f[i], "bitmask", 7)) {
			if (!parse_i64(f[i] + 7, fl[i] - 7, &num) || num <= 0)
				return fail(p, "%s: bad bitmask", kw);
			b->bitmask = (uint64_t)num;
			b->flags |= XDPI_BY_BITMASK;
		} else {
			return fail(p, "%s: unknown option '%.*s'", kw, (int)fl[i], f[i]);
		}
	}
	/* byte_jump:0 without string jumps by nothing: only its post_offset moves (Suricata) */
	if ((b->flags & XDPI_BY_STRING)
		    ? b->nbytes > 23
		    : (b->nbytes > 8 || (!b->nbytes && strcmp(kw, "byte_jump"))))
		return fail(p, "%s: %u bytes cannot be read as a %s number", kw, b->nbytes,
			    b->flags & XDPI_BY_STRING ? "string" : "binary");
	return 0;
}

static int byte_count(struct parser *p, const char *kw, const char *s, size_t len,
		      struct xdpi_byte_op *b)
{
	int64_t n;

	/* 0 (with "string"): the digits up to the end of the buffer */
	if (!parse_i64(s, len, &n) || n < 0 || n > 23)
		return fail(p, "%s: byte count '%.*s' is not 0..23", kw, (int)len, s);
	b->nbytes = (uint8_t)n;
	return 0;
}

/* BYTES and OFFSET, the first two fields of byte_test/jump/extract. Returns 0, 1 when the
 * offset is not a number (a byte_extract name: the caller says what that means), or -EINVAL. */
static int byte_head(struct parser *p, const char *kw, const char **f, size_t *fl,
		     struct xdpi_byte_op *b)
{
	int64_t num;

	if (byte_count(p, kw, f[0], fl[0], b))
		return -EINVAL;
	if (!parse_i64(f[1], fl[1], &num) || num < -65535 || num > 65535)
		return 1;
	b->offset = (int32_t)num;
	return 0;
}

/* Adds a byte keyword's inspection, on the buffer it is relative to or the current one. */
static int add_byte_sm(struct parser *p, uint8_t type, const struct xdpi_byte_op *b)
{
	struct xdpi_sm *sm = sm_add(p, type, b->flags & XDPI_BY_RELATIVE ? rel_buf(p) : cur_buf(p));

	if (!sm)
		return -ENOMEM;
	sm->by = *b;
	return 0;
}

static int kw_byte_test(struct parser *p, const char *v, size_t len)
{
	const char *f[16];
	size_t fl[16], n = fields(v, len, f, fl, 16);
	struct xdpi_byte_op b = { 0 };
	int64_t num;
	int rc;

	if (n < 4)
		return fail(p, "byte_test: expected BYTES,OP,VALUE,OFFSET[,options]");
	if (byte_count(p, "byte_test", f[0], fl[0], &b))
		return -EINVAL;
	if (fl[1] && f[1][0] == '!')
		b.flags |= XDPI_BY_NEGATE, f[1]++, fl[1]--;
	if (word_is(f[1], fl[1], "<=") || word_is(f[1], fl[1], ">="))
		b.op = f[1][0] == '<' ? 'l' : 'g';
	else if (fl[1] == 1 && strchr("<>=&^", f[1][0]))
		b.op = f[1][0];
	else if (!fl[1] && (b.flags & XDPI_BY_NEGATE))
		b.op = '='; /* a lone '!' is "not equal" */
	else
		return fail(p, "byte_test: unknown operator '%.*s'", (int)fl[1], f[1]);
	if ((b.var = var_ref(p, f[2], fl[2])))
		num = 0; /* the value a byte_extract named */
	else if (!parse_i64(f[2], fl[2], &num) || num < 0)
		return skip(p, "byte_test:variable", 18); /* a name not extracted before */
	b.value = (uint64_t)num;
	if (!parse_i64(f[3], fl[3], &num) || num < -65535 || num > 65535)
		return skip(p, "byte_test:variable", 18);
	b.offset = (int32_t)num;
	if ((rc = byte_options(p, "byte_test", f, fl, n, 4, &b)))
		return rc;
	return add_byte_sm(p, XDPI_SM_BYTE_TEST, &b);
}

/* A new byte_extract / byte_math name: its index + 1, or 0 after an error. */
static uint8_t new_var(struct parser *p, const char *kw, const char *s, size_t len)
{
	if (!len || len >= sizeof(p->vars[0]) || !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
		fail(p, "%s: bad name '%.*s'", kw, (int)len, s);
		return 0;
	}
	if (p->n_vars == XDPI_VARS_MAX) {
		fail(p, "%s: at most %d names in a rule", kw, XDPI_VARS_MAX);
		return 0;
	}
	snprintf(p->vars[p->n_vars], sizeof(p->vars[0]), "%.*s", (int)len, s);
	return ++p->n_vars;
}

/* byte_extract:BYTES,OFFSET,NAME[,options]: a number from the buffer, under NAME for the
 * content, byte_test keywords after it. */
static int kw_byte_extract(struct parser *p, const char *v, size_t len)
{
	const char *f[16];
	size_t fl[16], n = fields(v, len, f, fl, 16);
	struct xdpi_byte_op b = { .multiplier = 1 };
	int rc;

	if (n < 3)
		return fail(p, "byte_extract: expected BYTES,OFFSET,NAME[,options]");
	if ((rc = byte_head(p, "byte_extract", f, fl, &b)))
		return rc < 0 ? rc : fail(p, "byte_extract: bad offset '%.*s'", (int)fl[1], f[1]);
	if ((rc = byte_options(p, "byte_extract", f, fl, n, 3, &b)))
		return rc;
	if (!(b.var = new_var(p, "byte_extract", f[2], fl[2])))
		return -EINVAL;
	return add_byte_sm(p, XDPI_SM_BYTE_EXTRACT, &b);
}

/* One "name value" option of byte_math. */
static int byte_math_option(struct parser *p, struct xdpi_byte_op *b, const char *f, size_t fl,
			    const char **result, size_t *result_len)
{
	const char *sp = memchr(f, ' ', fl), *v;
	size_t kl = sp ? (size_t)(sp - f) : fl, vl;
	int64_t num;

	if (!sp)
		return 1; /* not "name value": a flag */
	for (v = sp + 1, vl = fl - kl - 1; vl && isspace((unsigned char)*v); v++, vl--)
		;
	if (word_is(f, kl, "bytes")) {
		if (!(b->nvar = var_ref(p, v, vl)) && (!parse_i64(v, vl, &num) || num < 1 || num > 10))
			return fail(p, "byte_math: bytes 1..10 or a name");
		b->nbytes = b->nvar ? 0 : (uint8_t)num;
	} else if (word_is(f, kl, "offset")) {
		if (!parse_i64(v, vl, &num) || num < -65535 || num > 65535)
			return fail(p, "byte_math: bad offset");
		b->offset = (int32_t)num;
	} else if (word_is(f, kl, "oper")) {
		static const char *const ops[] = { "+", "-", "*", "/", "<<", ">>" };
		static const char code[] = "+-*/<>";

		for (size_t i = 0; i < 6; i++)
			if (word_is(v, vl, ops[i]))
				b->oper = code[i];
		if (!b->oper)
			return fail(p, "byte_math: oper is + - * / << or >>");
	} else if (word_is(f, kl, "rvalue")) {
		if (!(b->rvar = var_ref(p, v, vl)) && (!parse_i64(v, vl, &num) || num < 0))
			return fail(p, "byte_math: rvalue is a number or a name");
		b->rvalue = b->rvar ? 0 : (uint64_t)num;
	} else if (word_is(f, kl, "result")) {
		*result = v, *result_len = vl;
	} else if (word_is(f, kl, "endian")) {
		if (word_is(v, vl, "little"))
			b->flags |= XDPI_BY_LITTLE;
	} else if (word_is(f, kl, "string")) {
		b->flags |= XDPI_BY_STRING;
		b->base = word_is(v, vl, "hex") ? 16 : word_is(v, vl, "oct") ? 8 : 10;
	} else if (word_is(f, kl, "bitmask")) {
		if (!parse_i64(v, vl, &num) || num <= 0)
			return fail(p, "byte_math: bad bitmask");
		b->bitmask = (uint64_t)num;
		b->flags |= XDPI_BY_BITMASK;
	} else {
		return fail(p, "byte_math: unknown option '%.*s'", (int)kl, f);
	}
	return 0;
}

/* byte_math:bytes N, offset O, oper OP, rvalue V, result NAME[, relative][, ...]: a number
 * from the buffer, computed with V, under NAME. */
static int kw_byte_math(struct parser *p, const char *v, size_t len)
{
	const char *f[12], *result = NULL;
	size_t fl[12], n = fields(v, len, f, fl, 12), result_len = 0;
	struct xdpi_byte_op b = { .multiplier = 1 };
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = byte_math_option(p, &b, f[i], fl[i], &result, &result_len)) < 0)
			return rc;
		if (rc == 1 && word_is(f[i], fl[i], "relative"))
			b.flags |= XDPI_BY_RELATIVE;
		else if (rc == 1 && word_is(f[i], fl[i], "dce"))
			return skip(p, "byte_*:dce", 10);
		else if (rc == 1)
			return fail(p, "byte_math: unknown option '%.*s'", (int)fl[i], f[i]);
	}
	if ((!b.nbytes && !b.nvar) || !b.oper || !result)
		return fail(p, "byte_math: needs bytes, offset, oper, rvalue and result");
	if (!(b.var = new_var(p, "byte_math", result, result_len)))
		return -EINVAL;
	return add_byte_sm(p, XDPI_SM_BYTE_MATH, &b);
}

static int kw_byte_jump(struct parser *p, const char *v, size_t len)
{
	const char *f[16];
	size_t fl[16], n = fields(v, len, f, fl, 16);
	struct xdpi_byte_op b = { .multiplier = 1 };
	int rc;

	if (n < 2)
		return fail(p, "byte_jump: expected BYTES,OFFSET[,options]");
	if ((rc = byte_head(p, "byte_jump", f, fl, &b)))
		return rc < 0 ? rc : skip(p, "byte_jump:variable", 18);
	if ((rc = byte_options(p, "byte_jump", f, fl, n, 2, &b)))
		return rc;
	return add_byte_sm(p, XDPI_SM_BYTE_JUMP, &b);
}

static int size_sm(struct parser *p, const char *kw, const char *v, size_t len, int buf)
{
	struct xdpi_sm *sm;
	struct xdpi_num_cmp c;

	if (!parse_cmp(v, len, &c))
		return fail(p, "%s: expected N, <N, >N, <=N, >=N, !N or N<>M", kw);
	if (!(sm = sm_add(p, XDPI_SM_BSIZE, buf)))
		return -ENOMEM;
	sm->size = c;
	return 0;
}

static int kw_bsize(struct parser *p, const char *v, size_t len)
{
	if (p->sticky < 0 && !p->view)
		return fail(p, "bsize needs a sticky buffer or a transform before it");
	return size_sm(p, "bsize", v, len, cur_buf(p));
}

/* A float: digits, one dot, digits. */
static bool parse_double(const char *s, size_t len, double *out)
{
	char tmp[32], *end;

	if (!trimmed(s, len, tmp) || !(isdigit((unsigned char)tmp[0]) || tmp[0] == '.'))
		return false;
	*out = strtod(tmp, &end);
	return !*end;
}

/* The value of entropy: N, =N, !N, !=N, <N, <=N, >N, >=N, A-B, !A-B. */
static bool entropy_value(const char *s, size_t len, struct xdpi_entropy *e)
{
	const char *dash;

	while (len && isspace((unsigned char)*s))
		s++, len--;
	if (len >= 2 && s[0] == '!' && s[1] != '=')
		e->negated = true, s++, len--;
	dash = len > 1 ? memchr(s + 1, '-', len - 1) : NULL;
	if (dash) {
		e->op = XDPI_CMP_RANGE;
		return parse_double(s, (size_t)(dash - s), &e->a) &&
		       parse_double(dash + 1, len - (size_t)(dash - s) - 1, &e->b) && e->a < e->b;
	}
	static const struct { const char *w; uint8_t op; } ops[] = {
		{ "<=", XDPI_CMP_LE }, { ">=", XDPI_CMP_GE }, { "!=", XDPI_CMP_NE },
		{ "<", XDPI_CMP_LT }, { ">", XDPI_CMP_GT }, { "=", XDPI_CMP_EQ },
	};
	e->op = XDPI_CMP_EQ;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].w);

		if (len >= n && !memcmp(s, ops[i].w, n)) {
			e->op = ops[i].op, s += n, len -= n;
			break;
		}
	}
	if (e->negated)
		e->op = XDPI_CMP_NE, e->negated = false;
	return parse_double(s, len, &e->a);
}

/* entropy: [bytes N,] [offset N,] value COND */
static int kw_entropy(struct parser *p, const char *v, size_t len)
{
	const char *f[3];
	size_t fl[3], n = fields(v, len, f, fl, 3);
	struct xdpi_entropy e = { 0 };
	bool have_value = false;
	struct xdpi_sm *sm;

	for (size_t i = 0; i < n; i++) {
		int64_t num;

		if (fl[i] > 6 && !strncmp(f[i], "value ", 6)) {
			if (!entropy_value(f[i] + 6, fl[i] - 6, &e))
				return fail(p, "entropy: bad value '%.*s'", (int)fl[i] - 6, f[i] + 6);
			have_value = true;
		} else if (fl[i] > 6 && (!strncmp(f[i], "bytes ", 6) || !strncmp(f[i], "offset", 6)) &&
			   parse_i64(f[i] + 6, fl[i] - 6, &num) && num >= 0 && num <= 65535) {
			*(f[i][0] == 'b' ? &e.bytes : &e.offset) = (uint32_t)num;
		} else {
			return fail(p, "entropy: unknown option '%.*s'", (int)fl[i], f[i]);
		}
	}
	if (!have_value)
		return fail(p, "entropy: expected value COND");
	if (!(sm = sm_add(p, XDPI_SM_ENTROPY, cur_buf(p))))
		return -ENOMEM;
	sm->ent = e;
	return 0;
}

/* base64_decode[: bytes N][, offset N][, relative]: decodes part of the current buffer for
 * the inspections after base64_data. */
static int kw_base64_decode(struct parser *p, const char *v, size_t len)
{
	const char *f[3];
	size_t fl[3], n = len ? fields(v, len, f, fl, 3) : 0;
	struct xdpi_b64_decode b = { 0 };
	struct xdpi_sm *sm;

	for (size_t i = 0; i < n; i++) {
		int64_t num;

		if (word_is(f[i], fl[i], "relative")) {
			b.relative = true;
		} else if (fl[i] > 6 && (!strncmp(f[i], "bytes ", 6) || !strncmp(f[i], "offset", 6)) &&
			   parse_i64(f[i] + 6, fl[i] - 6, &num) && num >= 0 && num <= 65535) {
			*(f[i][0] == 'b' ? &b.bytes : &b.offset) = (uint32_t)num;
		} else {
			return fail(p, "base64_decode: unknown option '%.*s'", (int)fl[i], f[i]);
		}
	}
	if (!(sm = sm_add(p, XDPI_SM_B64_DECODE, b.relative ? rel_buf(p) : cur_buf(p))))
		return -ENOMEM;
	sm->b64 = b;
	p->b64_seen = true;
	return 0;
}

static int kw_base64_data(struct parser *p, const char *v, size_t len)
{
	(void)v, (void)len;
	if (!p->b64_seen)
		return fail(p, "base64_data needs a base64_decode before it");
	p->sticky = XDPI_BUF_BASE64_DATA;
	p->view = 0;
	return 0;
}

/* absent[: or_else]: the sticky buffer is not there (or_else: or what follows matches). */
static int kw_absent(struct parser *p, const char *v, size_t len)
{
	struct xdpi_sm *sm;
	bool or_else = false;

	while (len && isspace((unsigned char)*v))
		v++, len--;
	if (len && !(or_else = word_is(v, len, "or_else")))
		return fail(p, "absent: expected nothing or or_else");
	if (p->sticky < 0)
		return fail(p, "absent needs a sticky buffer before it");
	if (!(sm = sm_add(p, XDPI_SM_ABSENT, p->sticky)))
		return -ENOMEM;
	sm->or_else = or_else;
	return 0;
}

static int kw_urilen(struct parser *p, const char *v, size_t len)
{
	const char *f[2];
	size_t fl[2], n = fields(v, len, f, fl, 2);
	int buf = XDPI_BUF_HTTP_URI;

	if (n == 2 && word_is(f[1], fl[1], "raw"))
		buf = XDPI_BUF_HTTP_RAW_URI;
	else if (n == 2 && !word_is(f[1], fl[1], "norm"))
		return fail(p, "urilen: second field must be raw or norm");
	return size_sm(p, "urilen", f[0], fl[0], buf);
}

static int kw_dsize(struct parser *p, const char *v, size_t len)
{
	if (!parse_cmp(v, len, &p->r->dsize))
		return fail(p, "dsize: expected N, <N, >N, <=N, >=N, !N or N<>M");
	return 0;
}

static int kw_tls_chain_len(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return parse_cmp(v, len, &extra->tls_chain_len)
		       ? 0 : fail(p, "tls.cert_chain_len: expected N, <N, >N, !N or N<>M");
}

/* ssl_version:tls1.0,!sslv3,...: the TLS version a side announced (the client's hello, the
 * server's choice). As Suricata reads it, a "!" anywhere negates the whole list. */
static int kw_ssl_version(struct parser *p, const char *v, size_t len)
{
	static const char *const names[] = { "sslv2", "sslv3", "tls1.0", "tls1.1", "tls1.2",
					     "tls1.3" };
	struct xdpi_rule_more *extra = more(p);
	const char *f[8];
	size_t fl[8], n;

	if (!extra)
		return -ENOMEM;
	unquote(&v, &len);
	n = fields(v, len, f, fl, 8);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (fl[i] && f[i][0] == '!') {
			extra->ssl_negated = true;
			f[i]++, fl[i]--;
		}
		while (k < 6 && !(fl[i] == strlen(names[k]) && !strncasecmp(f[i], names[k], fl[i])))
			k++;
		if (k == 6)
			return fail(p, "ssl_version: expected sslv2, sslv3, tls1.0, tls1.1, tls1.2 or "
				    "tls1.3, each may be negated with !");
		extra->ssl_versions |= (uint8_t)(1u << k);
	}
	return extra->ssl_versions ? 0 : fail(p, "ssl_version: no version named");
}

/* http2.frametype:N or a frame type's name (RFC 9113 6.x). */
static int kw_h2_frametype(struct parser *p, const char *v, size_t len)
{
	static const char *const names[] = { "DATA", "HEADERS", "PRIORITY", "RST_STREAM",
					     "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
					     "WINDOW_UPDATE", "CONTINUATION" };
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	unquote(&v, &len);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i]) && !strncasecmp(v, names[i], len)) {
			extra->h2_frametype = (struct xdpi_num_cmp){ .op = XDPI_CMP_EQ, .a = i };
			return 0;
		}
	return parse_uint_cond(v, len, &extra->h2_frametype) && extra->h2_frametype.a <= 255
		       ? 0 : fail(p, "http2.frametype: expected a frame type's number (0..255) or "
				    "name (DATA, HEADERS, ... CONTINUATION)");
}

/* decode-event:NAME, Suricata's names for what xdpi's decoder refuses (reasons it counts). */
static int kw_decode_event(struct parser *p, const char *v, size_t len)
{
	static const struct { const char *name; uint8_t ev; } events[] = {
		{ "ethernet.pkt_too_small", XDPI_REASON_ETH_TRUNC },
		{ "vlan.header_too_small", XDPI_REASON_VLAN_TRUNC },
		{ "vlan.too_many_layers", XDPI_REASON_VLAN_TOO_MANY },
		{ "ipv4.pkt_too_small", XDPI_REASON_IPV4_TRUNC },
		{ "ipv4.wrong_ip_version", XDPI_REASON_IPV4_BAD_VERSION },
		{ "ipv4.hlen_too_small", XDPI_REASON_IPV4_BAD_IHL },
		{ "ipv4.iplen_smaller_than_hlen", XDPI_REASON_IPV4_BAD_TOTLEN },
		{ "ipv4.trunc_pkt", XDPI_REASON_IPV4_BAD_TOTLEN },
		{ "ipv4.unknown_protocol", XDPI_EVENT_PROTO_UNKNOWN },
		{ "ipv6.pkt_too_small", XDPI_REASON_IPV6_TRUNC },
		{ "ipv6.trunc_pkt", XDPI_REASON_IPV6_TRUNC },
		{ "ipv6.wrong_ip_version", XDPI_REASON_IPV6_BAD_VERSION },
		{ "ipv6.trunc_exthdr", XDPI_REASON_IPV6_EXT_TRUNC },
		{ "ipv6.exthdr_useless_fh", XDPI_EVENT_BIT + 0 },
		{ "ipv6.frag_invalid_length", XDPI_EVENT_BIT + 1 },
		{ "ipv6.frag_pkt_too_large", XDPI_EVENT_BIT + 2 },
		{ "ipv6.dstopts_unknown_opt", XDPI_EVENT_BIT + 3 },
		{ "ipv4.frag_overlap", XDPI_EVENT_BIT + 4 },
		{ "ipv6.frag_overlap", XDPI_EVENT_BIT + 5 },
		{ "tcp.pkt_too_small", XDPI_REASON_TCP_TRUNC },
		{ "tcp.hlen_too_small", XDPI_REASON_TCP_BAD_DOFF },
		{ "udp.hlen_too_small", XDPI_REASON_UDP_TRUNC },
		{ "udp.pkt_too_small", XDPI_REASON_UDP_BAD_LEN },
		{ "udp.hlen_invalid", XDPI_REASON_UDP_BAD_LEN },
		{ "icmpv4.pkt_too_small", XDPI_REASON_ICMP_TRUNC },
		{ "icmpv6.pkt_too_small", XDPI_REASON_ICMP_TRUNC },
	};

	while (len && isspace((unsigned char)*v))
		v++, len--;
	while (len && isspace((unsigned char)v[len - 1]))
		len--;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (word_is(v, len, events[i].name)) {
			p->r->decode_event = events[i].ev;
			return 0;
		}
	}
	snprintf(p->pc->what, sizeof(p->pc->what), "decode-event:%.*s", (int)len, v);
	return SKIP;
}

/* The Suricata release whose rule language xdpi's subset follows (for requires:). */
static const int compat_version[3] = { 8, 0, 0 };

static int version_cmp(const char *s, size_t len)
{
	int v[3] = { 0, 0, 0 }, k = 0;

	for (size_t i = 0; i < len && k < 3; i++) {
		if (isdigit((unsigned char)s[i]))
			v[k] = v[k] * 10 + (s[i] - '0');
		else if (s[i] == '.')
			k++;
	}
	for (k = 0; k < 3; k++)
		if (compat_version[k] != v[k])
			return compat_version[k] < v[k] ? -1 : 1;
	return 0;
}

/* requires: version OP X[.Y[.Z]], feature NAME (comma-separated, all must hold): a rule
 * whose requirement xdpi does not meet is skipped, as Suricata skips it. */
static int kw_requires(struct parser *p, const char *v, size_t len)
{
	static const char *const features[] = { "ja3", "ja4", "hyperscan" };
	const char *f[8];
	size_t fl[8], n = fields(v, len, f, fl, 8);

	for (size_t i = 0; i < n; i++) {
		const char *sp = memchr(f[i], ' ', fl[i]), *x;
		size_t kl = sp ? (size_t)(sp - f[i]) : fl[i], xl;
		bool ok = false;
		int c;

		if (!sp)
			return fail(p, "requires: expected version OP X or feature NAME");
		for (x = sp + 1, xl = fl[i] - kl - 1; xl && isspace((unsigned char)*x); x++, xl--)
			;
		if (word_is(f[i], kl, "feature")) {
			for (size_t k = 0; k < sizeof(features) / sizeof(features[0]); k++)
				ok |= word_is(x, xl, features[k]);
		} else if (word_is(f[i], kl, "version")) {
			size_t ol = 0;

			while (ol < xl && strchr("<>=!", x[ol]))
				ol++;
			c = version_cmp(x + ol, xl - ol);
			ok = (ol == 2 && !memcmp(x, ">=", 2) && c >= 0) ||
			     (ol == 2 && !memcmp(x, "<=", 2) && c <= 0) ||
			     (ol == 1 && x[0] == '>' && c > 0) || (ol == 1 && x[0] == '<' && c < 0) ||
			     (ol <= 2 && ol && x[ol - 1] == '=' && x[0] == '=' && c == 0);
		} else {
			return fail(p, "requires: unknown requirement '%.*s'", (int)kl, f[i]);
		}
		if (!ok) {
			snprintf(p->pc->what, sizeof(p->pc->what), "requires:%.*s", (int)fl[i], f[i]);
			return SKIP;
		}
	}
	return 0;
}

/* tag:session|host[,...]: Suricata logs the packets that follow an alert. xdpi's alerts are
 * the same; the packets are --pcap-alerts' (the alerted flow's, which is tag:session). */
static int kw_tag(struct parser *p, const char *v, size_t len)
{
	while (len && isspace((unsigned char)*v))
		v++, len--;
	if (!(len >= 7 && !strncmp(v, "session", 7)) && !(len >= 4 && !strncmp(v, "host", 4)))
		return fail(p, "tag: expected session or host[,...]");
	return 0;
}

/* noalert: the rule matches (sets its flowbits) without an alert, as flowbits:noalert. */
static int kw_noalert(struct parser *p, const char *v, size_t len)
{
	(void)v, (void)len;
	p->r->noalert = true;
	return 0;
}

static int dns_number(struct parser *p, const char *kw, struct xdpi_num_cmp *c, const char *v,
		      size_t len, uint64_t max)
{
	return parse_uint_cond(v, len, c) && c->a <= max ? 0 : fail(p, "%s: bad condition", kw);
}

static int kw_dns_rcode(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return dns_number(p, "dns.rcode", &extra->dns_rcode, v, len, 15);
}

static int kw_dns_opcode(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return dns_number(p, "dns.opcode", &extra->dns_opcode, v, len, 15);
}

static int kw_dns_rrtype(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return dns_number(p, "dns.rrtype", &extra->dns_rrtype, v, len, 65535);
}

static int kw_icmp_id(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return parse_uint_cond(v, len, &extra->icmp_id) && extra->icmp_id.a <= 65535
		       ? 0 : fail(p, "icmp_id: expected an identifier condition (0..65535)");
}

static int kw_tcp_mss(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return parse_uint_cond(v, len, &extra->tcp_mss) && extra->tcp_mss.a <= 65535
		       ? 0 : fail(p, "tcp.mss: expected a condition on 0..65535");
}

/* flow.pkts:DIR,COND and flow.bytes:DIR,COND (DIR toserver, toclient); the older
 * flow.pkts_toserver:COND spellings name the direction in the keyword. */
static int flow_count(struct parser *p, const char *kw, struct xdpi_num_cmp c[2], int dir,
		      const char *v, size_t len)
{
	const char *f[2];
	size_t fl[2], n = fields(v, len, f, fl, 2);

	if (dir < 0 && n == 2 && (word_is(f[0], fl[0], "toserver") || word_is(f[0], fl[0], "toclient")))
		dir = f[0][2] == 's' ? 0 : 1, f[0] = f[1], fl[0] = fl[1], n = 1;
	if (dir < 0 || n != 1 || c[dir].op)
		return fail(p, "%s: expected toserver|toclient,COND (once per direction)", kw);
	if (fl[0] && f[0][0] == '=')
		f[0]++, fl[0]--;
	return parse_uint_cond(f[0], fl[0], &c[dir]) ? 0 : fail(p, "%s: bad condition", kw);
}

/* stream_size:server|client|both|either,OP,N */
static int kw_stream_size(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	const char *f[3];
	size_t fl[3], n = fields(v, len, f, fl, 3);
	struct xdpi_num_cmp c;
	char cond[40];
	bool server, client;

	if (n != 3 || fl[1] + fl[2] + 1 >= sizeof(cond))
		return fail(p, "stream_size: expected server|client|both|either,OP,N");
	snprintf(cond, sizeof(cond), "%.*s%.*s", (int)fl[1], f[1], (int)fl[2], f[2]);
	if (word_is(f[1], fl[1], "!="))
		snprintf(cond, sizeof(cond), "!%.*s", (int)fl[2], f[2]);
	else if (word_is(f[1], fl[1], "="))
		snprintf(cond, sizeof(cond), "%.*s", (int)fl[2], f[2]);
	if (!parse_cmp(cond, strlen(cond), &c))
		return fail(p, "stream_size: bad condition '%.*s %.*s'", (int)fl[1], f[1],
			    (int)fl[2], f[2]);
	server = word_is(f[0], fl[0], "server") || word_is(f[0], fl[0], "both") ||
		 word_is(f[0], fl[0], "either");
	client = word_is(f[0], fl[0], "client") || word_is(f[0], fl[0], "both") ||
		 word_is(f[0], fl[0], "either");
	if (!server && !client)
		return fail(p, "stream_size: side is server, client, both or either");
	if (client)
		extra->stream_size[0] = c;
	if (server)
		extra->stream_size[1] = c;
	extra->stream_size_either = word_is(f[0], fl[0], "either");
	return 0;
}

static int kw_flow_pkts(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return flow_count(p, "flow.pkts", extra->flow_pkts, -1, v, len);
}

static int kw_flow_bytes(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return flow_count(p, "flow.bytes", extra->flow_bytes, -1, v, len);
}

static int kw_flow_pkts_ts(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return flow_count(p, "flow.pkts_toserver", extra->flow_pkts, 0, v, len);
}

static int kw_flow_pkts_tc(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return flow_count(p, "flow.pkts_toclient", extra->flow_pkts, 1, v, len);
}

static int kw_flow_bytes_ts(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return flow_count(p, "flow.bytes_toserver", extra->flow_bytes, 0, v, len);
}

static int kw_flow_bytes_tc(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	return flow_count(p, "flow.bytes_toclient", extra->flow_bytes, 1, v, len);
}

static int kw_itype(struct parser *p, const char *v, size_t len)
{
	return parse_cmp(v, len, &p->r->itype) ? 0 : fail(p, "itype: expected N, <N, >N or N<>M");
}

static int kw_icode(struct parser *p, const char *v, size_t len)
{
	return parse_cmp(v, len, &p->r->icode) ? 0 : fail(p, "icode: expected N, <N, >N or N<>M");
}

/* vlan.id:COND[,LAYER|all|any]: LAYER 0 is the outermost tag, -1 the innermost. */
static int kw_vlan_id(struct parser *p, const char *v, size_t len)
{
	struct xdpi_rule_more *extra = more(p);

	if (!extra)
		return -ENOMEM;
	const char *f[2];
	size_t fl[2], n = fields(v, len, f, fl, 2);
	struct xdpi_vlan_cond *c = &extra->vlan;
	int64_t layer;

	if (!n || !parse_uint_cond(f[0], fl[0], &c->id) || c->id.a > 4095)
		return fail(p, "vlan.id: expected an id condition (0..4095)[, layer|all|any]");
	c->which = XDPI_VLAN_ANY;
	if (n == 2 && word_is(f[1], fl[1], "all")) {
		c->which = XDPI_VLAN_ALL;
	} else if (n == 2 && !word_is(f[1], fl[1], "any")) {
		if (!parse_i64(f[1], fl[1], &layer) || layer < -3 || layer > 2)
			return fail(p, "vlan.id: layer %.*s: expected -3..2, all or any", (int)fl[1], f[1]);
		c->which = XDPI_VLAN_LAYER;
		c->layer = (int8_t)layer;
	}
	return 0;
}

/* ---- header-ish options ---- */

static int kw_flow(struct parser *p, const char *v, size_t len)
{
	static const struct { const char *w; uint32_t f; } words[] = {
		{ "established", XDPI_FLOW_ESTABLISHED }, { "not_established", XDPI_FLOW_NOT_ESTABLISHED },
		{ "stateless", XDPI_FLOW_STATELESS }, { "to_server", XDPI_FLOW_TO_SERVER },
		{ "from_client", XDPI_FLOW_TO_SERVER }, { "to_client", XDPI_FLOW_TO_CLIENT },
		{ "from_server", XDPI_FLOW_TO_CLIENT },
		/* packet-or-stream choices: xdpi inspects packets and transactions alike */
		{ "only_stream", 0 }, { "no_stream", 0 }, { "only_frag", 0 }, { "no_frag", 0 },
	};
	const char *f[8];
	size_t fl[8], n = fields(v, len, f, fl, 8);

	for (size_t i = 0; i < n; i++) {
		size_t w;

		for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			if (word_is(f[i], fl[i], words[w].w))
				break;
		if (w == sizeof(words) / sizeof(words[0]))
			return fail(p, "flow: unknown option '%.*s'", (int)fl[i], f[i]);
		p->r->flow |= words[w].f;
	}
	if ((p->r->flow & XDPI_FLOW_TO_SERVER) && (p->r->flow & XDPI_FLOW_TO_CLIENT))
		return fail(p, "flow: to_server and to_client together match nothing");
	return 0;
}

static int kw_flowbits(struct parser *p, const char *v, size_t len)
{
	static const struct { const char *w; uint8_t op; } ops[] = {
		{ "set", XDPI_FB_SET }, { "isset", XDPI_FB_ISSET }, { "isnotset", XDPI_FB_ISNOTSET },
		{ "unset", XDPI_FB_UNSET }, { "toggle", XDPI_FB_TOGGLE },
	};
	const char *f[2];
	size_t fl[2], n = fields(v, len, f, fl, 2), o;
	struct xdpi_flowbit_op fb = { 0 };
	struct xdpi_flowbit_op *grown;

	if (n == 1 && word_is(f[0], fl[0], "noalert")) {
		p->r->noalert = true;
		return 0;
	}
	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
		if (word_is(f[0], fl[0], ops[o].w))
			break;
	if (n != 2 || o == sizeof(ops) / sizeof(ops[0]) || !fl[1])
		return fail(p, "flowbits: expected set|isset|isnotset|unset|toggle,NAME or noalert");
	fb.op = ops[o].op;
	fb.any = memchr(f[1], '|', fl[1]) != NULL;
	if (fb.any && memchr(f[1], '&', fl[1]))
		return fail(p, "flowbits: '|' and '&' cannot be mixed");
	for (size_t i = 0; i <= fl[1];) {
		size_t j = i;
		uint32_t id, *ids;

		while (j < fl[1] && f[1][j] != '|' && f[1][j] != '&')
			j++;
		if (j == i)
			goto bad;
		if (xdpi_names_id(p->pc->flowbits, f[1] + i, j - i, &id))
			goto nomem;
		if (!(ids = realloc(fb.ids, (fb.n + 1u) * sizeof(*ids))))
			goto nomem;
		fb.ids = ids;
		fb.ids[fb.n++] = id;
		i = j + 1;
	}
	if (fb.n > 1 && fb.op != XDPI_FB_ISSET && fb.op != XDPI_FB_ISNOTSET) {
		free(fb.ids);
		return fail(p, "flowbits: only isset and isnotset take several names");
	}
	if (!(grown = realloc(p->r->fb, (p->r->n_fb + 1) * sizeof(*grown))))
		goto nomem;
	p->r->fb = grown;
	p->r->fb[p->r->n_fb++] = fb;
	return 0;
bad:
	free(fb.ids);
	return fail(p, "flowbits: empty name");
nomem:
	free(fb.ids);
	return -ENOMEM;
}

static int threshold_fields(struct parser *p, const char *kw, const char *v, size_t len,
			    struct xdpi_threshold *t, bool need_type)
{
	const char *f[6];
	size_t fl[6], n = fields(v, len, f, fl, 6);
	bool have_count = false, have_secs = false;

	for (size_t i = 0; i < n; i++) {
		const char *sp = memchr(f[i], ' ', fl[i]);
		const char *val;
		size_t kl, vl;

		if (!sp)
			return fail(p, "%s: expected 'NAME VALUE' pairs", kw);
		kl = (size_t)(sp - f[i]);
		val = sp;
		vl = fl[i] - kl;
		while (vl && *val == ' ')
			val++, vl--;
		if (word_is(f[i], kl, "type") && need_type) {
			if (word_is(val, vl, "limit"))
				t->type = XDPI_THR_LIMIT;
			else if (word_is(val, vl, "threshold"))
				t->type = XDPI_THR_THRESHOLD;
			else if (word_is(val, vl, "both"))
				t->type = XDPI_THR_BOTH;
			else
				return fail(p, "%s: type must be limit, threshold or both", kw);
		} else if (word_is(f[i], kl, "track")) {
			if (word_is(val, vl, "by_src"))
				t->track = XDPI_TRACK_SRC;
			else if (word_is(val, vl, "by_dst"))
				t->track = XDPI_TRACK_DST;
			else if (word_is(val, vl, "by_rule"))
				t->track = XDPI_TRACK_RULE;
			else if (word_is(val, vl, "by_both"))
				t->track = XDPI_TRACK_BOTH;
			else
				return fail(p, "%s: track must be by_src, by_dst, by_rule or by_both",
					    kw);
		} else if (word_is(f[i], kl, "count")) {
			have_count = parse_u32(val, vl, &t->count) && t->count;
			if (!have_count)
				return fail(p, "%s: count must be a positive number", kw);
		} else if (word_is(f[i], kl, "seconds")) {
			have_secs = parse_u32(val, vl, &t->seconds) && t->seconds;
			if (!have_secs)
				return fail(p, "%s: seconds must be a positive number", kw);
		} else {
			return fail(p, "%s: unknown field '%.*s'", kw, (int)kl, f[i]);
		}
	}
	if ((need_type && !t->type) || !t->track || !have_count || !have_secs)
		return fail(p, "%s: needs %strack, count and seconds", kw, need_type ? "type, " : "");
	return 0;
}

static int kw_threshold(struct parser *p, const char *v, size_t len)
{
	if (p->r->threshold.type)
		return fail(p, "threshold given twice");
	return threshold_fields(p, "threshold", v, len, &p->r->threshold, true);
}

static int kw_detection_filter(struct parser *p, const char *v, size_t len)
{
	p->r->filter.type = XDPI_THR_FILTER;
	return threshold_fields(p, "detection_filter", v, len, &p->r->filter, false);
}

static int tcp_flag_bit(char c)
{
	switch (c) {
	case 'F': return 0x01;
	case 'S': return 0x02;
	case 'R': return 0x04;
	case 'P': return 0x08;
	case 'A': return 0x10;
	case 'U': return 0x20;
	case 'E': case '2': return 0x40;
	case 'C': case '1': return 0x80;
	default: return -1;
	}
}

static int kw_flags(struct parser *p, const char *v, size_t len)
{
	const char *f[2];
	size_t fl[2], n;
	struct xdpi_rule *r = p->r;
	bool in_mask = false;

	unquote(&v, &len);
	n = fields(v, len, f, fl, 2);
	r->has_flags = true;
	r->flags_mask = 0xff;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < fl[i]; k++) {
			char c = f[i][k];
			int bit;

			if (i == 0 && (c == '+' || c == '*' || c == '!')) { /* "+SA" or "SA+" */
				r->flags_mod = c;
				continue;
			}
			if (i == 0 && c == '0' && fl[i] == 1)
				continue; /* no flags at all */
			if (i == 0 && !in_mask && k > 0 && (c == '1' || c == '2') &&
			    k + 1 < fl[i] && (f[i][k + 1] == '1' || f[i][k + 1] == '2'))
				in_mask = true; /* "SFU12": the old trailing mask */
			if ((bit = tcp_flag_bit(c)) < 0)
				return fail(p, "flags: unknown flag '%c'", c);
			if (i == 1 || in_mask)
				r->flags_mask &= (uint8_t)~bit;
			else
				r->flags_set |= (uint8_t)bit;
		}
	}
	return 0;
}

static int kw_ip_proto(struct parser *p, const char *v, size_t len)
{
	static const struct { const char *n; int v; } names[] = {
		{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
		{ "esp", 50 }, { "ah", 51 }, { "ipv6-icmp", 58 }, { "sctp", 132 },
	};
	int64_t n;

	unquote(&v, &len);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (word_is(v, len, names[i].n)) {
			p->r->ip_proto = (int16_t)names[i].v;
			return 0;
		}
	}
	if (len && strchr("!<>", v[0]))
		return skip(p, "ip_proto:!<>", 12);
	if (!parse_i64(v, len, &n) || n < 0 || n > 255)
		return fail(p, "ip_proto: expected a protocol number or name");
	p->r->ip_proto = (int16_t)n;
	return 0;
}

/* app-layer-protocol's qualifiers after the name: exact (no equivalences: dns is not doh2),
 * original (the protocol first found, before doh2), and the directions (final, direction,
 * either, to_server, to_client: xdpi knows one protocol per flow, the same either way). */
static int app_layer_qualifiers(struct parser *p, const char *q, size_t len)
{
	static const char *const sides[] = { "final", "direction", "either", "to_server",
					     "to_client" };
	const char *f[4];
	size_t fl[4], n = fields(q, len, f, fl, 4);

	for (size_t i = 0; i < n; i++) {
		bool side = false;

		for (size_t k = 0; k < sizeof(sides) / sizeof(sides[0]); k++)
			side |= word_is(f[i], fl[i], sides[k]);
		if (word_is(f[i], fl[i], "exact"))
			p->r->app_exact = true;
		else if (word_is(f[i], fl[i], "original"))
			p->r->app_original = true;
		else if (!side)
			return fail(p, "app-layer-protocol: unknown qualifier '%.*s' (exact, original, "
				    "final, direction, either, to_server, to_client)", (int)fl[i], f[i]);
	}
	return 0;
}

/* A protocol an identifier names by content (ssh, smb, ...), or a dissector's variant named
 * for its port (mdns, llmnr, ssdp): the flow's app_proto says it as for the others. */
static const char *app_identified_name(const char *v, size_t len)
{
	static const char *const variants[] = { "mdns", "llmnr", "ssdp" };
	char name[32];
	const struct xdpi_ident *id;

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (word_is(v, len, variants[i]))
			return variants[i];
	if (len >= sizeof(name))
		return NULL;
	memcpy(name, v, len);
	name[len] = '\0';
	id = xdpi_ident_find(name);
	return id ? id->name : NULL;
}

static int kw_app_layer(struct parser *p, const char *v, size_t len)
{
	static const char *const known[] = { "http", "http1", "http2", "dns", "tls", "quic",
					     "doh2", "failed" };
	struct xdpi_rule *r = p->r;
	const char *comma, *name = NULL;
	bool neg = false;
	int rc;

	unquote(&v, &len);
	if (len && *v == '!')
		neg = true, v++, len--;
	if ((comma = memchr(v, ',', len))) {
		if ((rc = app_layer_qualifiers(p, comma + 1, len - (size_t)(comma - v) - 1)))
			return rc;
		len = (size_t)(comma - v);
	}
	if (r->app_exact && word_is(v, len, "http"))
		return fail(p, "app-layer-protocol: 'http' with 'exact' never matches (a flow is "
			    "http1 or http2)");
	r->app_keyword = true;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !name; i++)
		if (word_is(v, len, known[i]))
			name = known[i];
	if (!name)
		name = app_identified_name(v, len);
	if (!name)
		return skip(p, "app-layer-protocol:other", 24);
	if (r->app && neg && r->n_app_not < sizeof(r->app_not) / sizeof(r->app_not[0])) {
		r->app_not[r->n_app_not++] = name; /* !http; !tls: neither */
		return 0;
	}
	if (r->app && !(r->app_negated && !neg))
		return fail(p, "app-layer-protocol: one protocol, or several negated ones");
	if (r->app) /* a negated one came first: the positive one says more */
		r->app_not[r->n_app_not++] = r->app;
	r->app = name;
	r->app_negated = neg;
	return 0;
}

/* xdpi.risk:NAME[,NAME...]: the flow carries one of these risks (xdpi.risks of its record),
 * from the packet or transaction that raised it on. */
static int kw_risk(struct parser *p, const char *v, size_t len)
{
	unquote(&v, &len);
	for (size_t i = 0; i < len;) {
		size_t j = i;
		int r;

		while (j < len && v[j] != ',')
			j++;
		while (i < j && v[i] == ' ')
			i++;
		for (r = 0; r < XDPI_RISK_MAX; r++)
			if (word_is(v + i, j - i, xdpi_risk_name(r)))
				break;
		if (r == XDPI_RISK_MAX)
			return fail(p, "xdpi.risk: unknown risk '%.*s' (unidirectional_traffic, "
				    "unsafe_protocol, tls_obsolete_version, ... as in xdpi.risks)",
				    (int)(j - i), v + i);
		p->r->risks |= (uint16_t)(1u << r);
		i = j + 1;
	}
	return p->r->risks ? 0 : fail(p, "xdpi.risk: expected a risk name");
}

/* ---- metadata ---- */

static int kw_msg(struct parser *p, const char *v, size_t len)
{
	unquote(&v, &len);
	free(p->r->msg);
	return (p->r->msg = unescape(v, len)) ? 0 : -ENOMEM;
}

static int kw_number(struct parser *p, const char *kw, const char *v, size_t len, uint32_t *out)
{
	if (!parse_u32(v, len, out))
		return fail(p, "%s: '%.*s' is not a number", kw, (int)len, v);
	return 0;
}

static int kw_sid(struct parser *p, const char *v, size_t len)
{
	if (kw_number(p, "sid", v, len, &p->r->sid))
		return -EINVAL;
	if (!p->r->sid)
		return fail(p, "sid 0 is not allowed");
	p->pc->sid = p->r->sid;
	return 0;
}

static int kw_rev(struct parser *p, const char *v, size_t len)
{
	return kw_number(p, "rev", v, len, &p->r->rev);
}

static int kw_gid(struct parser *p, const char *v, size_t len)
{
	return kw_number(p, "gid", v, len, &p->r->gid);
}

static int kw_priority(struct parser *p, const char *v, size_t len)
{
	if (kw_number(p, "priority", v, len, &p->r->priority))
		return -EINVAL;
	if (p->r->priority < 1 || p->r->priority > 255)
		return fail(p, "priority must be 1..255");
	return 0;
}

static int kw_classtype(struct parser *p, const char *v, size_t len)
{
	unquote(&v, &len);
	if (!len)
		return fail(p, "classtype: empty");
	free(p->r->classtype);
	return (p->r->classtype = strndup(v, len)) ? 0 : -ENOMEM;
}

static int kw_metadata(struct parser *p, const char *v, size_t len)
{
	char *m;

	unquote(&v, &len);
	if (p->r->metadata) { /* several metadata keywords: one list */
		if (asprintf(&m, "%s, %.*s", p->r->metadata, (int)len, v) < 0)
			return -ENOMEM;
		free(p->r->metadata);
	} else if (!(m = strndup(v, len))) {
		return -ENOMEM;
	}
	p->r->metadata = m;
	return 0;
}

static int kw_noop(struct parser *p, const char *v, size_t len)
{
	(void)p, (void)v, (void)len;
	return 0;
}

struct keyword {
	const char *name;
	int (*fn)(struct parser *p, const char *v, size_t len);
	bool takes_value; /* else it must have none */
};

static const struct keyword keywords[] = {
	{ "msg", kw_msg, true }, { "sid", kw_sid, true }, { "rev", kw_rev, true },
	{ "gid", kw_gid, true }, { "classtype", kw_classtype, true },
	{ "priority", kw_priority, true }, { "reference", kw_noop, true },
	{ "metadata", kw_metadata, true }, { "target", kw_noop, true },
	{ "content", kw_plain_content, true }, { "uricontent", kw_uricontent, true },
	{ "nocase", kw_nocase, false }, { "rawbytes", kw_rawbytes, false },
	{ "depth", kw_depth, true }, { "offset", kw_offset, true },
	{ "distance", kw_distance, true }, { "within", kw_within, true },
	{ "startswith", kw_startswith, false }, { "endswith", kw_endswith, false },
	{ "fast_pattern", kw_fast_pattern, false }, { "pcre", kw_pcre, true }, { "luhn", kw_luhn, false },
	{ "isdataat", kw_isdataat, true }, { "byte_test", kw_byte_test, true },
	{ "byte_jump", kw_byte_jump, true }, { "bsize", kw_bsize, true },
	{ "urilen", kw_urilen, true }, { "dsize", kw_dsize, true },
	{ "flow", kw_flow, true }, { "flowbits", kw_flowbits, true },
	{ "threshold", kw_threshold, true }, { "detection_filter", kw_detection_filter, true },
	{ "flags", kw_flags, true }, { "tcp.flags", kw_flags, true },
	{ "ip_proto", kw_ip_proto, true },
	{ "itype", kw_itype, true }, { "icode", kw_icode, true },
	{ "app-layer-protocol", kw_app_layer, true },
	{ "vlan.id", kw_vlan_id, true },
	{ "prefilter", kw_noop, false }, /* Suricata's hint to prefilter on this keyword */
	{ "entropy", kw_entropy, true }, { "absent", kw_absent, false },
	{ "base64_decode", kw_base64_decode, false }, { "base64_data", kw_base64_data, false },
	{ "tls.cert_chain_len", kw_tls_chain_len, true }, { "ssl_version", kw_ssl_version, true },
	{ "http2.frametype", kw_h2_frametype, true },
	{ "icmp_id", kw_icmp_id, true }, { "tcp.mss", kw_tcp_mss, true },
	{ "decode-event", kw_decode_event, true }, { "byte_extract", kw_byte_extract, true },
	{ "byte_math", kw_byte_math, true },
	{ "dns.rcode", kw_dns_rcode, true }, { "dns.opcode", kw_dns_opcode, true },
	{ "dns.rrtype", kw_dns_rrtype, true },
	{ "noalert", kw_noalert, false }, { "requires", kw_requires, true },
	{ "tag", kw_tag, true },
	{ "flow.pkts", kw_flow_pkts, true }, { "flow.bytes", kw_flow_bytes, true },
	{ "xdpi.risk", kw_risk, true },
	{ "stream_size", kw_stream_size, true },
	{ "flow.pkts_toserver", kw_flow_pkts_ts, true },
	{ "flow.pkts_toclient", kw_flow_pkts_tc, true },
	{ "flow.bytes_toserver", kw_flow_bytes_ts, true },
	{ "flow.bytes_toclient", kw_flow_bytes_tc, true },
	{ "from_base64", kw_from_base64, false }, { "subslice", kw_subslice, true },
	{ "xor", kw_xor, true }, { "pcrexform", kw_pcrexform, true },
	{ "gunzip", kw_gunzip, false }, { "zlib_deflate", kw_zlib_deflate, false },
	{ "url_decode", kw_url_decode, false }, { "to_lowercase", kw_to_lowercase, false },
	{ "to_uppercase", kw_to_uppercase, false },
	{ "strip_whitespace", kw_strip_whitespace, false },
	{ "compress_whitespace", kw_compress_whitespace, false },
	{ "dotprefix", kw_dotprefix, false }, { "to_md5", kw_to_md5, false },
	{ "to_sha1", kw_to_sha1, false }, { "to_sha256", kw_to_sha256, false },
	{ "header_lowercase", kw_header_lowercase, false },
	{ "strip_pseudo_headers", kw_strip_pseudo, false },
};

/* fast_pattern takes a value sometimes; these take one optionally. */
static bool value_optional(const char *name)
{
	return !strcmp(name, "fast_pattern") || !strcmp(name, "from_base64") ||
	       !strcmp(name, "absent") || !strcmp(name, "base64_decode") ||
	       !strcmp(name, "gunzip") || !strcmp(name, "zlib_deflate");
}

static int run_keyword(struct parser *p, const char *name, size_t nlen, const char *v,
		       size_t vlen, bool has_value)
{
	const struct buffer_kw *b = buffer_kw_find(name, nlen);

	if (b) {
		if (has_value)
			return fail(p, "'%.*s' takes no value", (int)nlen, name);
		return apply_buffer(p, b);
	}
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		const struct keyword *k = &keywords[i];

		if (!word_is(name, nlen, k->name))
			continue;
		if (k->takes_value && !has_value)
			return fail(p, "'%s' needs a value", k->name);
		if (!k->takes_value && has_value && !value_optional(k->name))
			return fail(p, "'%s' takes no value", k->name);
		return k->fn(p, v, vlen);
	}
	return skip(p, name, nlen);
}

/* ---- header ---- */

/* Next whitespace-separated token of the header, brackets kept whole. */
static bool next_token(const char *s, size_t len, size_t *i, const char **tok, size_t *tlen)
{
	int nest = 0;
	size_t j;

	while (*i < len && isspace((unsigned char)s[*i]))
		(*i)++;
	if (*i >= len || s[*i] == '(')
		return false;
	for (j = *i; j < len; j++) {
		if (s[j] == '[')
			nest++;
		else if (s[j] == ']')
			nest--;
		else if (nest <= 0 && (isspace((unsigned char)s[j]) || s[j] == '('))
			break;
	}
	*tok = s + *i;
	*tlen = j - *i;
	*i = j;
	return true;
}

static int header_proto(struct parser *p, const char *t, size_t len)
{
	static const struct { const char *n; uint8_t v; } protos[] = {
		{ "ip", XDPI_RP_IP }, { "tcp", XDPI_RP_TCP }, { "udp", XDPI_RP_UDP },
		{ "icmp", XDPI_RP_ICMP }, { "http", XDPI_RP_HTTP }, { "dns", XDPI_RP_DNS },
		{ "tls", XDPI_RP_TLS }, { "tcp-pkt", XDPI_RP_TCP }, { "udp-pkt", XDPI_RP_UDP },
		{ "ipv4", XDPI_RP_IP }, { "ipv6", XDPI_RP_IP }, { "icmpv4", XDPI_RP_ICMP },
		{ "icmpv6", XDPI_RP_ICMP }, { "pkthdr", XDPI_RP_IP }, { "http1", XDPI_RP_HTTP },
		{ "http2", XDPI_RP_HTTP }, { "doh2", XDPI_RP_HTTP },
	};

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (word_is(t, len, protos[i].n)) {
			p->r->proto = protos[i].v;
			if (len == 4 || len == 6) /* ipv4, ipv6, icmpv4, icmpv6: one family */
				p->r->family = t[len - 1] == '4' ? 4 : t[len - 1] == '6' ? 6 : 0;
			if (word_is(t, len, "http1") || word_is(t, len, "http2") ||
			    word_is(t, len, "doh2"))
				p->r->app = word_is(t, len, "http1") ? "http1"
					    : word_is(t, len, "http2") ? "http2" : "doh2";
			if (word_is(t, len, "icmpv6"))
				p->r->ip_proto = XDPI_IPPROTO_ICMPV6;
			else if (word_is(t, len, "icmpv4"))
				p->r->ip_proto = XDPI_IPPROTO_ICMP;
			return 0;
		}
	}
	return skip(p, t, len); /* ftp, smtp, smb, ...: dissectors xdpi does not have */
}

static int parse_header(struct parser *p, const char *s, size_t len, size_t *opt_start)
{
	const char *tok[7];
	size_t tl[7], i = 0, n = 0;
	char msg[200];
	int rc;

	while (n < 7 && next_token(s, len, &i, &tok[n], &tl[n])) {
		n++;
	}
	p->col = n ? (size_t)(tok[0] - p->text) : 0;
	if (n < 7)
		return fail(p, "expected: action proto src sport -> dst dport (options)");
	if (word_is(tok[0], tl[0], "alert"))
		p->r->action = XDPI_RA_ALERT;
	else if (word_is(tok[0], tl[0], "drop"))
		p->r->action = XDPI_RA_DROP;
	else if (word_is(tok[0], tl[0], "pass"))
		p->r->action = XDPI_RA_PASS;
	else if (word_is(tok[0], tl[0], "reject") || word_is(tok[0], tl[0], "rejectsrc") ||
		 word_is(tok[0], tl[0], "rejectdst") || word_is(tok[0], tl[0], "rejectboth"))
		return skip(p, tok[0], tl[0]);
	else
		return fail(p, "unknown action '%.*s' (alert, drop or pass)", (int)tl[0], tok[0]);
	p->col = (size_t)(tok[1] - p->text);
	if ((rc = header_proto(p, tok[1], tl[1])))
		return rc;
	p->col = (size_t)(tok[4] - p->text);
	if (word_is(tok[4], tl[4], "<>"))
		p->r->bidir = true;
	else if (!word_is(tok[4], tl[4], "->"))
		return fail(p, "direction must be -> or <>");
	for (int k = 2; k <= 6; k++) {
		if (k == 4)
			continue;
		p->col = (size_t)(tok[k] - p->text);
		if (k == 2 || k == 5)
			rc = xdpi_addr_parse(p->pc->vars, tok[k], tl[k], k == 2 ? &p->r->src : &p->r->dst,
					     msg, sizeof(msg));
		else
			rc = xdpi_port_parse(p->pc->vars, tok[k], tl[k],
					     k == 3 ? &p->r->sport : &p->r->dport, msg, sizeof(msg));
		if (rc)
			return rc == -ENOMEM ? rc : fail(p, "%s", msg);
	}
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	p->col = i;
	if (i >= len || s[i] != '(')
		return fail(p, "expected '(' before the options");
	*opt_start = i + 1;
	return 0;
}

/* ---- options ---- */

/* Finds the end of the option starting at I (an unescaped ';'). */
static size_t option_end(const char *s, size_t len, size_t i)
{
	bool quoted = false;

	for (; i < len; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ';' && !quoted)
			return i;
	}
	return len;
}

/* The sid appears late in most rules; reading it first makes every message name it. */
static void find_sid(struct parser *p, const char *s, size_t len)
{
	const char *at = s;

	while ((at = memmem(at, len - (size_t)(at - s), "sid:", 4))) {
		uint32_t sid;
		const char *v = at + 4;
		size_t vl = 0;

		if (at == s || at[-1] == ';' || isspace((unsigned char)at[-1])) {
			while (v + vl < s + len && v[vl] != ';')
				vl++;
			if (parse_u32(v, vl, &sid))
				p->pc->sid = sid;
			return;
		}
		at += 4;
	}
}

static int parse_options(struct parser *p, const char *s, size_t len)
{
	size_t i = 0;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len || s[len - 1] != ')') {
		p->col = (size_t)(s - p->text) + len;
		return fail(p, "options must end with ')'");
	}
	len--;
	find_sid(p, s, len);
	while (i < len) {
		size_t e, nstart, nend, v0;
		int rc;

		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i >= len)
			break;
		e = option_end(s, len, i);
		p->col = (size_t)(s - p->text) + i;
		if (e >= len)
			return fail(p, "option without its ';'");
		nstart = i;
		nend = i;
		while (nend < e && s[nend] != ':')
			nend++;
		v0 = nend < e ? nend + 1 : e;
		while (nend > nstart && isspace((unsigned char)s[nend - 1]))
			nend--;
		if (nend == nstart)
			return fail(p, "option without a name");
		for (size_t k = nstart; k < nend; k++) /* a keyword name: letters, digits, _ . - */
			if (!isalnum((unsigned char)s[k]) && !strchr("_.-", s[k])) {
				p->col = (size_t)(s - p->text) + k;
				return fail(p, "'%.*s' is not a keyword name (unexpected '%c')",
					    (int)(nend - nstart), s + nstart, s[k]);
			}
		rc = run_keyword(p, s + nstart, nend - nstart, s + v0, e - v0, v0 < e || s[nend] == ':');
		if (rc)
			return rc;
		i = e + 1;
	}
	return 0;
}

/* ---- after parsing: buffers, stage, prefilter ---- */

static bool is_http_buf(int b)
{
	return b >= XDPI_BUF_HTTP_METHOD && b <= XDPI_BUF_HTTP_CONNECTION;
}

static bool is_response_buf(int b)
{
	return b == XDPI_BUF_HTTP_STAT_CODE || b == XDPI_BUF_HTTP_STAT_MSG ||
	       b == XDPI_BUF_HTTP_RESP_BODY || b == XDPI_BUF_HTTP_RESPONSE_LINE ||
	       b == XDPI_BUF_HTTP_RESPONSE_HEADER;
}

/* Buffers a request and a response both carry (a rule on them alone, without a direction,
 * looks at both messages). */
static bool both_directions_buf(int b)
{
	return b == XDPI_BUF_HTTP_HEADER || b == XDPI_BUF_HTTP_RAW_HEADER ||
	       b == XDPI_BUF_HTTP_HEADER_NAMES || b == XDPI_BUF_HTTP_COOKIE ||
	       b == XDPI_BUF_HTTP_CONTENT_TYPE || b == XDPI_BUF_HTTP_CONTENT_LEN ||
	       b == XDPI_BUF_HTTP_CONNECTION || b == XDPI_BUF_HTTP_PROTOCOL ||
	       b == XDPI_BUF_HTTP_START || b == XDPI_BUF_PAYLOAD;
}

static bool http_both_directions(const struct xdpi_rule *r)
{
	if (r->flow & (XDPI_FLOW_TO_SERVER | XDPI_FLOW_TO_CLIENT))
		return false;
	for (uint32_t i = 0; i < r->n_sm; i++)
		if (!both_directions_buf(r->sm[i].buf))
			return false;
	return r->n_sm > 0;
}

/* A DNS rule on the questions' names, without a direction: a response repeats its
 * questions, and Suricata looks at both messages (dns.query is the request's alone). */
static bool dns_both_directions(const struct xdpi_rule *r)
{
	bool names = false;

	if (r->flow & (XDPI_FLOW_TO_SERVER | XDPI_FLOW_TO_CLIENT))
		return false;
	for (uint32_t i = 0; i < r->n_sm; i++) {
		if (r->sm[i].buf != XDPI_BUF_DNS_QUERIES_RRNAME && r->sm[i].buf != XDPI_BUF_PAYLOAD)
			return false;
		names |= r->sm[i].buf == XDPI_BUF_DNS_QUERIES_RRNAME;
	}
	return names;
}

/* A TLS rule on the version alone (and the bytes of a hello), without a direction: Suricata
 * asks it of each side's hello. */
static bool tls_both_directions(const struct xdpi_rule *r)
{
	if ((r->flow & (XDPI_FLOW_TO_SERVER | XDPI_FLOW_TO_CLIENT)) || !r->more ||
	    !r->more->ssl_versions)
		return false;
	for (uint32_t i = 0; i < r->n_sm; i++)
		if (r->sm[i].buf != XDPI_BUF_PAYLOAD)
			return false;
	return true;
}

static int choose_stage(struct parser *p)
{
	struct xdpi_rule *r = p->r;
	bool http = false, resp = false, dns = false, dns_resp = false, tls_c = false, tls_s = false;
	bool llm = false;

	for (uint32_t i = 0; i < r->n_sm; i++) {
		struct xdpi_sm *sm = &r->sm[i];

		if (sm->buf == BUF_FILE_DATA)
			sm->buf = r->flow & XDPI_FLOW_TO_SERVER ? XDPI_BUF_HTTP_REQ_BODY
								 : XDPI_BUF_HTTP_RESP_BODY;
		if (sm->buf == XDPI_BUF_BASE64_DATA)
			continue; /* decoded at match time, from the buffer base64_decode names */

		r->buffers |= 1ull << sm->buf;
		llm |= sm->buf >= XDPI_BUF_LLM_PROMPT && sm->buf <= XDPI_BUF_LLM_MODEL;
		http |= is_http_buf(sm->buf);
		resp |= is_response_buf(sm->buf);
		dns |= sm->buf == XDPI_BUF_DNS_QUERY || sm->buf == XDPI_BUF_DNS_QUERIES_RRNAME;
		dns_resp |= sm->buf >= XDPI_BUF_DNS_ANSWERS_RRNAME &&
			    sm->buf <= XDPI_BUF_DNS_RESPONSE_RRNAME;
		tls_c |= sm->buf == XDPI_BUF_TLS_SNI || sm->buf == XDPI_BUF_JA3_HASH ||
			 sm->buf == XDPI_BUF_JA3_STRING || sm->buf == XDPI_BUF_JA4_HASH;
		tls_s |= (sm->buf >= XDPI_BUF_TLS_CERT_SUBJECT && sm->buf <= XDPI_BUF_TLS_CERT_SERIAL) ||
			 sm->buf == XDPI_BUF_TLS_CERTS || sm->buf == XDPI_BUF_TLS_SUBJECTALTNAME;
		/* the hello randoms: the client's at its hello, the server's with its certificate */
		if (sm->buf >= XDPI_BUF_TLS_RANDOM && sm->buf <= XDPI_BUF_TLS_RANDOM_BYTES)
			*(r->flow & XDPI_FLOW_TO_CLIENT ? &tls_s : &tls_c) = true;
	}
	tls_s |= r->more && r->more->tls_chain_len.op;
	if (r->more && r->more->ssl_versions) /* the side the rule looks at, both without one */
		*(r->flow & XDPI_FLOW_TO_CLIENT ? &tls_s : &tls_c) = true;
	dns |= r->more && (r->more->dns_rcode.op || r->more->dns_opcode.op || r->more->dns_rrtype.op);
	if (dns_resp || (dns && (r->flow & XDPI_FLOW_TO_CLIENT)))
		dns = dns_resp = true; /* a response's sections, or its numbers */
	for (uint32_t i = 0; i < r->n_views; i++)
		if (r->views[i].buf == BUF_FILE_DATA)
			r->views[i].buf = r->flow & XDPI_FLOW_TO_SERVER ? XDPI_BUF_HTTP_REQ_BODY
								       : XDPI_BUF_HTTP_RESP_BODY;
	if (http && dns && r->app && !strcmp(r->app, "doh2"))
		http = false; /* DNS over HTTP/2: its DNS messages carry the request's buffers */
	if (http + dns + (tls_c || tls_s) + llm > 1)
		return fail(p, "buffers of two application protocols in one rule");
	if (llm) { /* an LLM call is judged once it is over: prompt, completion and model */
		if (r->flow & XDPI_FLOW_TO_CLIENT)
			return fail(p, "llm buffers are inspected with the request's direction "
				       "(to_server)");
		r->stage = XDPI_STAGE_LLM;
		if (!r->app && r->proto >= XDPI_RP_HTTP)
			r->app = "http";
		return 0;
	}
	if (r->more && r->more->h2_frametype.op) {
		if (http || dns || tls_c || tls_s)
			return fail(p, "http2.frametype looks at frames, not at their buffers");
		r->stage = XDPI_STAGE_HTTP2_FRAME;
		if (!r->app)
			r->app = "http2";
		return 0;
	}
	if (resp && (r->flow & XDPI_FLOW_TO_SERVER))
		return fail(p, "response buffers in a to_server rule");
	if (http) {
		r->stage = resp || (r->flow & XDPI_FLOW_TO_CLIENT) ? XDPI_STAGE_HTTP_RESPONSE
								   : XDPI_STAGE_HTTP_REQUEST;
		r->also_response = r->stage == XDPI_STAGE_HTTP_REQUEST && http_both_directions(r);
	}
	else if (dns) {
		r->stage = dns_resp ? XDPI_STAGE_DNS_RESPONSE : XDPI_STAGE_DNS_QUERY;
		r->also_response = r->stage == XDPI_STAGE_DNS_QUERY && dns_both_directions(r);
	}
	else if (tls_s)
		r->stage = XDPI_STAGE_TLS_SERVER;
	else if (tls_c) {
		r->stage = XDPI_STAGE_TLS_CLIENT;
		r->also_response = tls_both_directions(r);
	}
	else
		r->stage = XDPI_STAGE_PACKET;
	if (!r->app && r->proto >= XDPI_RP_HTTP)
		r->app = r->proto == XDPI_RP_HTTP ? "http" : r->proto == XDPI_RP_DNS ? "dns" : "tls";
	return 0;
}

/* The content the prefilter looks for: the one marked fast_pattern, else the longest
 * non-negated one (an application buffer wins a tie: it is scanned less often). */
static void choose_prefilter(struct xdpi_rule *r)
{
	int best = -1;

	r->prefilter = -1;
	for (uint32_t i = 0; i < r->n_sm; i++) {
		const struct xdpi_sm *sm = &r->sm[i];

		if (sm->type != XDPI_SM_CONTENT || (sm->c.flags & XDPI_CT_NEGATED) || sm->view ||
		    sm->buf == XDPI_BUF_BASE64_DATA)
			continue; /* the prefilter scans buffers as they are */
		if (sm->c.flags & XDPI_CT_FAST) {
			r->prefilter = (int32_t)i;
			return;
		}
		if (best < 0 || sm->c.len > r->sm[best].c.len ||
		    (sm->c.len == r->sm[best].c.len && r->sm[best].buf == XDPI_BUF_PAYLOAD))
			best = (int)i;
	}
	r->prefilter = best;
}

static int finish(struct parser *p)
{
	struct xdpi_rule *r = p->r;
	int rc;

	p->col = 0;
	if (!r->sid)
		return fail(p, "rule without a sid");
	if (!r->msg && !(r->msg = strdup("")))
		return -ENOMEM;
	if ((rc = choose_stage(p)))
		return rc;
	if (r->stage != XDPI_STAGE_PACKET &&
	    (r->dsize.op || r->has_flags || r->decode_event ||
	     (r->more && (r->more->vlan.id.op || r->more->icmp_id.op || r->more->tcp_mss.op))))
		return fail(p, "dsize and flags look at packets, not at %s transactions",
			    xdpi_stage_name(r->stage));
	if (!r->gid)
		r->gid = 1;
	if (!r->priority)
		r->priority = xdpi_classtype_priority(r->classtype);
	choose_prefilter(r);
	r->n_vars = p->n_vars;
	r->app_only = r->app_keyword && r->stage == XDPI_STAGE_PACKET && r->proto < XDPI_RP_HTTP &&
		      !r->n_sm && !r->n_fb && !r->more && !r->dsize.op && !r->has_flags &&
		      !r->itype.op && !r->icode.op && r->ip_proto < 0;
	r->numbers = r->more && (r->more->tls_chain_len.op || r->more->ssl_versions ||
				 r->more->h2_frametype.op ||
				 r->more->dns_rcode.op ||
				 r->more->dns_opcode.op || r->more->dns_rrtype.op ||
				 r->more->flow_pkts[0].op || r->more->flow_pkts[1].op ||
				 r->more->flow_bytes[0].op || r->more->flow_bytes[1].op ||
				 r->more->stream_size[0].op || r->more->stream_size[1].op);
	return 0;
}

enum xdpi_parse_result xdpi_rule_parse(struct xdpi_rule_parse_ctx *pc, const char *text,
				       size_t len, struct xdpi_rule *r)
{
	struct parser p = { .pc = pc, .r = r, .text = text, .sticky = -1, .last_insp = -1 };
	size_t opt = 0;
	int rc;

	pc->what[0] = 0;
	pc->sid = 0;
	r->ip_proto = -1;
	r->file = pc->file;
	r->line = pc->line;
	rc = parse_header(&p, text, len, &opt);
	if (!rc)
		rc = parse_options(&p, text + opt, len - opt);
	if (!rc)
		rc = finish(&p);
	if (rc == 0)
		return XDPI_RULE_OK;
	xdpi_rule_free(r);
	if (rc == SKIP)
		return XDPI_RULE_SKIPPED;
	if (rc == -ENOMEM)
		snprintf(pc->err, pc->errlen, "%s:%u: out of memory", pc->file, pc->line);
	return XDPI_RULE_ERROR;
}

void xdpi_rule_free(struct xdpi_rule *r)
{
	for (uint32_t i = 0; i < r->n_sm; i++) {
		struct xdpi_sm *sm = &r->sm[i];

		if (sm->type == XDPI_SM_CONTENT) {
			free(sm->c.pat);
		} else if (sm->type == XDPI_SM_PCRE) {
			pcre2_code_free(sm->re.code);
			free(sm->re.source);
		}
	}
	for (uint32_t i = 0; i < r->n_views; i++)
		for (uint8_t k = 0; k < r->views[i].n; k++)
			xdpi_xform_free(&r->views[i].x[k]);
	free(r->views);
	free(r->more);
	for (uint32_t i = 0; i < r->n_fb; i++)
		free(r->fb[i].ids);
	free(r->fb);
	free(r->sm);
	free(r->msg);
	free(r->classtype);
	free(r->metadata);
	xdpi_addr_group_free(&r->src);
	xdpi_addr_group_free(&r->dst);
	xdpi_port_group_free(&r->sport);
	xdpi_port_group_free(&r->dport);
	memset(r, 0, sizeof(*r));
}

int xdpi_names_id(struct xdpi_names *names, const char *s, size_t len, uint32_t *id)
{
	for (uint32_t i = 0; i < names->n; i++) {
		if (strlen(names->names[i]) == len && !memcmp(names->names[i], s, len)) {
			*id = i;
			return 0;
		}
	}
	if (names->n == names->cap) {
		uint32_t cap = names->cap ? names->cap * 2 : 16;
		char **g = realloc(names->names, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		names->names = g;
		names->cap = cap;
	}
	if (!(names->names[names->n] = strndup(s, len)))
		return -ENOMEM;
	*id = names->n++;
	return 0;
}

void xdpi_names_free(struct xdpi_names *names)
{
	for (uint32_t i = 0; i < names->n; i++)
		free(names->names[i]);
	free(names->names);
	memset(names, 0, sizeof(*names));
}
