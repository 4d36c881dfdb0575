// SPDX-License-Identifier: GPL-2.0
/* HTTP/1.0 and 1.1 (RFC 9112) over TCP, and HTTP-over-UDP (SSDP). Requests wait in a FIFO for
 * their responses, so keep-alive and pipelining pair correctly; bodies (Content-Length,
 * chunked, until close) are measured, not kept; 1xx responses are interim; 101 ends HTTP/1 on
 * the flow. After a gap (loss, steering, snap length) a direction resynchronises on the next
 * start line. One EVE http event per transaction, when its response is complete, or when the
 * flow ends for what stayed incomplete. */
#define _GNU_SOURCE /* memrchr */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "xdpi/appid.h"
#include "xdpi/dissect.h"
#include "xdpi/http_decode.h"
#include "xdpi/inspect_http.h"

#define HEAD_MAX 16384  /* one message's start line and headers */
#define PENDING_MAX 32  /* requests awaiting their responses */
#define URI_MAX 8192
#define FIELD_MAX 512

enum body_mode { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };
enum chunk_state { CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, CHUNK_TRAILER };

struct http_tx {
	char method[24], proto[12];
	char *uri, *host, *ua, *referer, *xff, *ctype, *location, *reason;
	int status, interim;  /* final status; the last 1xx before it (100 Continue) */
	bool has_request, has_response, complete, gap;
	uint64_t req_ts, req_cnt, resp_cnt, interim_cnt, req_body, resp_body;
	/* kept only while detection wants them: each message's head, then its first body bytes */
	struct http_raw {
		char *p;
		uint32_t len, head, line; /* bytes held; the head's; the start line's with CRLF */
	} raw[2];
	bool req_inspected;
	struct xdpi_http_decoder *dec; /* the response body's Content-Encoding, for detection */
	bool undecodable;              /* bytes of an encoded body went by unseen */
	struct xdpi_llm_call *llm;     /* an LLM API call: its bodies are read as they pass */
	struct http_tx *next;          /* the next request awaiting its response */
};

#define CHUNK_LINE_MAX 40 /* a chunked body's size line kept (the rest of a long one is not) */

struct http_dir {
	char *head;
	char *line;        /* the chunk line so far: allocated at the first chunked body, as
			    * most flows never send one (it was 40 bytes of every flow's state) */
	uint64_t remaining;
	uint32_t head_len;
	uint32_t line_len;
	uint8_t mode;      /* enum body_mode */
	uint8_t chunk;     /* enum chunk_state */
	bool in_body, resync, dead;
};

struct http_state {
	struct http_dir dir[2];
	/* requests awaiting their responses, oldest first: a list through the transactions,
	 * where an array of PENDING_MAX pointers was half of every HTTP flow's state */
	struct http_tx *q_first, *q_last;
	struct http_tx *resp_tx; /* the transaction whose response body is being read */
	uint64_t tx_id;
	uint64_t now; /* the flow time of the bytes being read */
	uint32_t qlen;
	bool upgraded;
};

/* ---- small string helpers ---- */

static char *dup_n(const char *s, size_t n, size_t max)
{
	char *d = malloc((n < max ? n : max) + 1);

	if (d) {
		memcpy(d, s, n < max ? n : max);
		d[n < max ? n : max] = '\0';
	}
	return d;
}

/* Length of the line at p without its CR LF (or LF); *has_nl: a newline ended it. */
static size_t line_len(const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);

	return nl ? (size_t)(nl - p) : len;
}

static size_t trim_cr(const char *l, size_t ll)
{
	return ll && l[ll - 1] == '\r' ? ll - 1 : ll;
}

/* Length of a method token at l: upper-case letters and '-', as every registered method. */
static size_t method_len(const char *l, size_t len)
{
	size_t i = 0;

	while (i < len && i < 20 && (isupper((unsigned char)l[i]) || l[i] == '-'))
		i++;
	return i;
}

/* "METHOD SP target SP HTTP/1.x" (ll: the line without its newline) */
static bool request_line(const char *l, size_t ll)
{
	size_t m = method_len(l, ll);

	ll = trim_cr(l, ll);
	return m && m < ll && l[m] == ' ' && ll >= m + 11 && !memcmp(l + ll - 9, " HTTP/1.", 8);
}

/* "HTTP/1.x SP ddd ..." */
static bool status_line(const char *l, size_t ll)
{
	return ll >= 12 && !memcmp(l, "HTTP/1.", 7) && l[8] == ' ' && isdigit((unsigned char)l[9]) &&
	       isdigit((unsigned char)l[10]) && isdigit((unsigned char)l[11]);
}

static enum xdpi_dissect_status http_probe(const uint8_t *buf, size_t len, uint8_t l4, uint8_t dir)
{
	const char *p = (const char *)buf;
	size_t ll = line_len(p, len), m;

	(void)dir;
	/* over UDP only SSDP speaks HTTP (others borrow its look: BitTorrent's BT-SEARCH) */
	if (l4 == XDPI_L4_UDP && !(len >= 9 && !memcmp(p, "M-SEARCH ", 9)) && !(len >= 7 && !memcmp(p, "NOTIFY ", 7)) &&
	    !(len >= 9 && !memcmp(p, "HTTP/1.1 ", 9)))
		return XDPI_DISSECT_NOT_MINE;
	if (ll < len)
		return request_line(p, ll) || status_line(p, ll) ? XDPI_DISSECT_OK : XDPI_DISSECT_NOT_MINE;
	/* no whole line yet: could it still become one? */
	if (len >= 4096)
		return XDPI_DISSECT_NOT_MINE;
	if (!memcmp(p, "HTTP/", len < 5 ? len : 5))
		return XDPI_DISSECT_NEED_MORE;
	m = method_len(p, len);
	return m && (m == len || p[m] == ' ') ? XDPI_DISSECT_NEED_MORE : XDPI_DISSECT_NOT_MINE;
}

/* ---- transactions ---- */

static void tx_free(struct http_tx *t)
{
	if (!t)
		return;
	free(t->raw[0].p), free(t->raw[1].p);
	xdpi_http_decoder_free(t->dec);
	xdpi_llm_call__free(t->llm);
	free(t->uri), free(t->host), free(t->ua), free(t->referer), free(t->xff);
	free(t->ctype), free(t->location), free(t->reason);
	free(t);
}

static void put_str(struct xdpi_json *j, const char *key, const char *v)
{
	if (v && *v)
		xdpi_json_str(j, key, v);
}

/* ---- detection ---- */

/* Keeps a copy of a message's head, with room for the first body bytes. */
static void raw_keep(struct xdpi_dissect_ctx *c, struct http_raw *r, const char *head, size_t len)
{
	if (!xdpi_dissect_wants(c, XDPI_STAGE_HTTP_REQUEST) &&
	    !xdpi_dissect_wants(c, XDPI_STAGE_HTTP_RESPONSE))
		return;
	free(r->p);
	r->len = r->head = r->line = 0;
	if (!(r->p = malloc(len + XDPI_INSPECT_BODY_MAX)))
		return;
	memcpy(r->p, head, len);
	r->len = r->head = (uint32_t)len;
	r->line = (uint32_t)(line_len(head, len) + 1 < len ? line_len(head, len) + 1 : len);
}

/* Keeps the first body bytes; false once there is no more room. */
static bool raw_body(struct http_raw *r, const char *p, size_t n)
{
	size_t room = r->p ? r->head + XDPI_INSPECT_BODY_MAX - r->len : 0;

	if (n > room)
		n = room;
	if (n) {
		memcpy(r->p + r->len, p, n);
		r->len += (uint32_t)n;
	}
	return r->p && r->len < r->head + XDPI_INSPECT_BODY_MAX;
}

static bool decoded_body(void *arg, const uint8_t *p, size_t n)
{
	return raw_body(arg, (const char *)p, n);
}

/* The decoder's last bytes join the body detection sees, before it looks. */
static void decode_end(struct http_tx *t)
{
	if (!t->dec)
		return;
	xdpi_http_decode_end(t->dec, decoded_body, &t->raw[1]);
	xdpi_http_decoder_free(t->dec);
	t->dec = NULL;
}

static void set_raw(struct xdpi_inspect *in, const struct http_raw *r, bool response,
		    struct xdpi_http_scratch *sc)
{
	xdpi_inspect_set(in, XDPI_BUF_PAYLOAD, r->p, r->len);
	xdpi_inspect_set(in, response ? XDPI_BUF_HTTP_RESPONSE_LINE : XDPI_BUF_HTTP_REQUEST_LINE,
			 r->p, trim_cr(r->p, line_len(r->p, r->line)));
	xdpi_inspect_set(in, XDPI_BUF_HTTP_START, r->p, r->head);
	xdpi_inspect_http_headers(in, r->p + r->line, r->head - r->line, response, sc);
	if (r->len > r->head)
		xdpi_inspect_set(in, response ? XDPI_BUF_HTTP_RESP_BODY : XDPI_BUF_HTTP_REQ_BODY,
				 r->p + r->head, r->len - r->head);
}

static void set_request(struct xdpi_inspect *in, const struct http_tx *t,
			struct xdpi_http_scratch *sc)
{
	if (t->raw[0].p)
		set_raw(in, &t->raw[0], false, sc);
	if (t->method[0])
		xdpi_inspect_set(in, XDPI_BUF_HTTP_METHOD, t->method, strlen(t->method));
	if (t->uri)
		xdpi_inspect_http_uri(in, t->uri, strlen(t->uri), sc);
	if (t->proto[0])
		xdpi_inspect_set(in, XDPI_BUF_HTTP_PROTOCOL, t->proto, strlen(t->proto));
}

static void inspect_request(struct xdpi_dissect_ctx *c, struct http_tx *t)
{
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP_REQUEST };
	struct xdpi_http_scratch sc;

	t->req_inspected = true;
	if (!xdpi_dissect_wants(c, XDPI_STAGE_HTTP_REQUEST) || !t->has_request)
		return;
	set_request(&in, t, &sc);
	c->inspect(c, &in);
}

static void inspect_response(struct xdpi_dissect_ctx *c, struct http_tx *t)
{
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP_RESPONSE };
	struct xdpi_http_scratch sc;
	char code[4];

	decode_end(t);
	if (!xdpi_dissect_wants(c, XDPI_STAGE_HTTP_RESPONSE) || !t->has_response)
		return;
	set_request(&in, t, &sc);
	if (t->raw[1].p) { /* the response's own headers, payload and body */
		in.buf[XDPI_BUF_PAYLOAD] = NULL;
		in.buf[XDPI_BUF_HTTP_START] = NULL;
		set_raw(&in, &t->raw[1], true, &sc);
	}
	if (t->status) {
		snprintf(code, sizeof(code), "%03u", (unsigned)t->status % 1000u);
		xdpi_inspect_set(&in, XDPI_BUF_HTTP_STAT_CODE, code, 3);
	}
	if (t->reason)
		xdpi_inspect_set(&in, XDPI_BUF_HTTP_STAT_MSG, t->reason, strlen(t->reason));
	c->inspect(c, &in);
}

static void tx_report(struct xdpi_dissect_ctx *c, const struct http_tx *t)
{
	struct xdpi_api_tx tx = {
		.host = t->host, .method = t->has_request ? t->method : NULL, .path = t->uri,
		.status = t->status, .grpc_status = -1, .ts = c->ts,
		.latency_ns = t->status && t->has_request && c->ts >= t->req_ts ? c->ts - t->req_ts : 0,
	};

	if (c->transaction)
		c->transaction(c, &tx);
}

/* The LLM call this transaction carried is over: its event follows the http one. */
static void llm_end(struct xdpi_dissect_ctx *c, struct http_tx *t)
{
	if (!t->llm)
		return;
	xdpi_llm_call__end(c, t->llm, t->complete);
	t->llm = NULL;
}

/* An executable handed over in clear, by its type or by its name. */
static bool binary_transfer(const struct http_tx *t)
{
	static const char *const types[] = { "application/x-dosexec", "application/x-msdownload",
					     "application/x-executable", "application/x-msdos-program",
					     "application/vnd.microsoft.portable-executable" };
	static const char *const exts[] = { ".exe", ".dll", ".msi", ".scr", ".bat", ".ps1" };
	size_t n = t->uri ? strcspn(t->uri, "?#") : 0;

	for (size_t i = 0; t->ctype && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strncasecmp(t->ctype, types[i], strlen(types[i])))
			return true;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n >= 5 && !strncasecmp(t->uri + n - 4, exts[i], 4))
			return true;
	return false;
}

/* A User-Agent that no browser or library sends: empty or a few characters, or carrying
 * script or lookup injections. */
static bool suspicious_ua(const char *ua)
{
	return strlen(ua) < 4 || strstr(ua, "${") || strstr(ua, "<script") || strstr(ua, "() {");
}

/* The application the Host names, and what the transaction shows of risk. */
static void tx_name_and_risks(struct xdpi_dissect_ctx *c, const struct http_tx *t)
{
	unsigned char a[16];
	char host[256];

	if (t->host && c->server_name)
		c->server_name(c, t->host, strlen(t->host), XDPI_APP_HOST);
	if (t->host) {
		snprintf(host, sizeof(host), "%.*s", (int)strcspn(t->host, ":"), t->host);
		if (inet_pton(AF_INET, host, a) == 1 || t->host[0] == '[')
			xdpi_dissect_risk(c, XDPI_RISK_NUMERIC_NAME, "hostname=%.100s", t->host);
	}
	if (t->ua && suspicious_ua(t->ua))
		xdpi_dissect_risk(c, XDPI_RISK_HTTP_SUSPICIOUS_UA, "http_user_agent=%.100s", t->ua);
	if (t->has_response && binary_transfer(t))
		xdpi_dissect_risk(c, XDPI_RISK_HTTP_BINARY, "url=%.100s http_content_type=%.60s",
				  t->uri ? t->uri : "", t->ctype ? t->ctype : "");
}

static void tx_emit(struct xdpi_dissect_ctx *c, struct http_tx *t)
{
	struct http_state *st = c->state;
	struct xdpi_json *j;

	if (!t->req_inspected)
		inspect_request(c, t);
	inspect_response(c, t);
	tx_name_and_risks(c, t);
	j = c->event_begin(c, "http");
	xdpi_json_u64(j, "tx_id", st->tx_id++);
	xdpi_json_obj_open(j, "http");
	put_str(j, "hostname", t->host);
	put_str(j, "url", t->uri);
	put_str(j, "http_user_agent", t->ua);
	put_str(j, "http_content_type", t->ctype);
	put_str(j, "http_refer", t->referer);
	put_str(j, "xff", t->xff);
	put_str(j, "http_method", t->method);
	put_str(j, "protocol", t->proto);
	if (t->status) {
		xdpi_json_u64(j, "status", (uint64_t)t->status);
		put_str(j, "status_string", t->reason);
	}
	put_str(j, "redirect", t->location);
	xdpi_json_u64(j, "length", t->resp_body);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_dissect_put_plaintext(c, j);
	if (t->status && t->has_request && c->ts >= t->req_ts)
		xdpi_json_u64(j, "latency_us", (c->ts - t->req_ts) / 1000);
	xdpi_json_u64(j, "request_body_length", t->req_body);
	xdpi_json_bool(j, "complete", t->complete);
	if (t->gap)
		xdpi_json_bool(j, "gap", true);
	if (t->req_cnt)
		xdpi_json_u64(j, "request_pcap_cnt", t->req_cnt);
	if (t->resp_cnt)
		xdpi_json_u64(j, "response_pcap_cnt", t->resp_cnt);
	if (t->interim) {
		xdpi_json_u64(j, "interim_status", (uint64_t)t->interim);
		if (t->interim_cnt)
			xdpi_json_u64(j, "interim_pcap_cnt", t->interim_cnt);
	}
	xdpi_json_obj_close(j);
	c->event_end(c);
	tx_report(c, t);
	llm_end(c, t);
}

static struct http_tx *queue_head(struct http_state *st)
{
	return st->q_first;
}

static void queue_pop(struct http_state *st)
{
	st->q_first = st->q_first->next;
	if (!st->q_first)
		st->q_last = NULL;
	st->qlen--;
}

static void queue_push(struct xdpi_dissect_ctx *c, struct http_tx *t)
{
	struct http_state *st = c->state;

	if (st->qlen == PENDING_MAX) { /* never answered: report it and make room */
		struct http_tx *old = queue_head(st);

		queue_pop(st);
		tx_emit(c, old);
		tx_free(old);
	}
	t->next = NULL;
	if (st->q_last)
		st->q_last->next = t;
	else
		st->q_first = t;
	st->q_last = t;
	st->qlen++;
}

/* ---- heads ---- */

struct head {
	const char *p;
	size_t len;
};

/* Value of header name in h (first occurrence), trimmed; NULL if absent. */
static const char *header(const struct head *h, const char *name, size_t *vlen)
{
	size_t off = line_len(h->p, h->len) + 1;

	return off < h->len ? xdpi_http_header_value(h->p + off, h->len - off, name, vlen) : NULL;
}

static char *header_dup(const struct head *h, const char *name, size_t max)
{
	size_t n;
	const char *v = header(h, name, &n);

	return v ? dup_n(v, n, max) : NULL;
}

static bool header_has(const struct head *h, const char *name, const char *token)
{
	size_t n;
	const char *v = header(h, name, &n);

	for (size_t i = 0; v && i + strlen(token) <= n; i++)
		if (!strncasecmp(v + i, token, strlen(token)))
			return true;
	return false;
}

/* Body framing from the headers (RFC 9112 6.3): chunked wins over Content-Length. */
static enum body_mode framing(const struct head *h, uint64_t *len, enum body_mode none)
{
	size_t n;
	const char *v;

	if (header_has(h, "Transfer-Encoding", "chunked"))
		return BODY_CHUNKED;
	v = header(h, "Content-Length", &n);
	if (v && n && n < 20) {
		char num[24];

		memcpy(num, v, n);
		num[n] = '\0';
		*len = strtoull(num, NULL, 10);
		return *len ? BODY_LENGTH : BODY_NONE;
	}
	return none;
}

static struct http_tx *parse_request(const struct head *h)
{
	struct http_tx *t = calloc(1, sizeof(*t));
	const char *sp1, *sp2;
	size_t ll = line_len(h->p, h->len);

	if (!t)
		return NULL;
	ll = trim_cr(h->p, ll);
	sp1 = memchr(h->p, ' ', ll);
	sp2 = sp1 ? memrchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - h->p)) : NULL;
	if (!sp1 || !sp2 || sp2 <= sp1) {
		free(t);
		return NULL;
	}
	snprintf(t->method, sizeof(t->method), "%.*s", (int)(sp1 - h->p), h->p);
	t->uri = dup_n(sp1 + 1, (size_t)(sp2 - sp1 - 1), URI_MAX);
	snprintf(t->proto, sizeof(t->proto), "%.*s", (int)(ll - (size_t)(sp2 + 1 - h->p)), sp2 + 1);
	t->host = header_dup(h, "Host", FIELD_MAX);
	t->ua = header_dup(h, "User-Agent", FIELD_MAX);
	t->referer = header_dup(h, "Referer", URI_MAX);
	t->xff = header_dup(h, "X-Forwarded-For", FIELD_MAX);
	t->has_request = true;
	return t;
}

/* Next blank-separated word of L (N bytes) from *I: its start, *WN its length. */
static const char *word(const char *l, size_t n, size_t *i, size_t *wn)
{
	size_t s;

	while (*i < n && isspace((unsigned char)l[*i]))
		(*i)++;
	for (s = *i; *i < n && !isspace((unsigned char)l[*i]); (*i)++)
		;
	*wn = *i - s;
	return l + s;
}

/* Status, protocol and reason of a response head, however loosely its status line is
 * written (the head's framing is read by xdpi_http_resp_parse). */
static void parse_status(struct http_tx *t, const struct head *h,
			 const struct xdpi_http_resp_info *info)
{
	const char *l = h->p + info->line_off, *w;
	size_t n = info->line_len, i = 0, wn;

	t->status = info->status;
	t->has_response = true;
	w = word(l, n, &i, &wn);
	if (!t->proto[0])
		snprintf(t->proto, sizeof(t->proto), "%.*s", (int)wn, w);
	word(l, n, &i, &wn); /* the code */
	while (i < n && isspace((unsigned char)l[i]))
		i++;
	free(t->reason);
	t->reason = i < n ? dup_n(l + i, n - i, FIELD_MAX) : NULL;
	free(t->ctype);
	t->ctype = header_dup(h, "Content-Type", FIELD_MAX);
	free(t->location);
	t->location = header_dup(h, "Location", URI_MAX);
}

/* ---- message boundaries ---- */

static void message_end(struct xdpi_dissect_ctx *c, uint8_t d)
{
	struct http_state *st = c->state;
	struct http_tx *t = st->resp_tx;

	if (d == 0) {
		t = st->q_last;
		if (t) {
			if (c->pcap_cnt)
				t->req_cnt = c->pcap_cnt;
			t->complete = true; /* until its response says otherwise */
			inspect_request(c, t);
		}
		return;
	}
	st->resp_tx = NULL;
	if (!t)
		return;
	if (c->pcap_cnt)
		t->resp_cnt = c->pcap_cnt;
	t->complete = t->has_request;
	if (queue_head(st) == t)
		queue_pop(st);
	tx_emit(c, t);
	tx_free(t);
}

static void request_head(struct xdpi_dissect_ctx *c, const struct head *h)
{
	struct http_state *st = c->state;
	struct http_dir *dd = &st->dir[0];
	struct http_tx *t = parse_request(h);

	if (!t) {
		dd->resync = true;
		return;
	}
	t->req_ts = c->ts;
	t->req_cnt = c->pcap_cnt; /* where the head was seen; the body's end updates it */
	t->gap = c->gap;
	raw_keep(c, &t->raw[0], h->p, h->len);
	t->llm = xdpi_llm_call__start(c->llm, t->method, t->uri, t->host, c->ts);
	queue_push(c, t);
	dd->mode = framing(h, &dd->remaining, BODY_NONE);
}

/* Body framing of a response (libhtp's order): none for HEAD, and for 1xx, 204 and 304 unless
 * they carry a Transfer-Encoding or a Content-Length after all; chunked when the coding names
 * it anywhere; a length; else until the connection closes. */
static enum body_mode resp_framing(const struct xdpi_http_resp_info *in, const struct http_tx *t,
				   uint64_t *len)
{
	bool framed = in->has_te || in->has_cl;

	if (!strcmp(t->method, "HEAD"))
		return BODY_NONE;
	if (!framed && ((in->status >= 100 && in->status < 200) || in->status == 204 ||
			in->status == 304))
		return BODY_NONE;
	if (in->chunked)
		return BODY_CHUNKED;
	if (in->has_cl && in->content_length >= 0) {
		*len = (uint64_t)in->content_length;
		return *len ? BODY_LENGTH : BODY_NONE;
	}
	return BODY_CLOSE;
}

static void response_head(struct xdpi_dissect_ctx *c, const struct head *h)
{
	struct http_state *st = c->state;
	struct http_dir *dd = &st->dir[1];
	struct http_tx *t = queue_head(st);
	struct xdpi_http_resp_info info;
	bool framed;

	xdpi_http_resp_parse(h->p, h->len, &info);
	framed = info.has_te || info.has_cl;
	if (info.status >= 100 && info.status < 200 && info.status != 101 && !framed) {
		dd->mode = BODY_NONE; /* interim (100 Continue): the final response follows */
		if (t) {
			t->interim = info.status;
			t->interim_cnt = c->pcap_cnt;
		}
		return;
	}
	if (!t) { /* joined mid-flow, or the request was lost: still report the response */
		t = calloc(1, sizeof(*t));
		if (!t)
			return;
		queue_push(c, t);
	}
	parse_status(t, h, &info);
	raw_keep(c, &t->raw[1], h->p, h->len);
	t->gap |= c->gap;
	t->resp_cnt = c->pcap_cnt;
	st->resp_tx = t;
	if ((info.status == 101 && !framed) ||
	    (!strcmp(t->method, "CONNECT") && info.status / 100 == 2)) {
		st->upgraded = true; /* another protocol, or a tunnel, from here on */
		c->switched = true;
		dd->mode = BODY_NONE;
		return;
	}
	dd->mode = resp_framing(&info, t, &dd->remaining);
	if (info.has_ce && t->raw[1].p && dd->mode != BODY_NONE)
		t->dec = xdpi_http_decoder_new(info.ce, info.ce_len, xdpi_http_decode_layers());
	if (t->llm) {
		char ce[sizeof(info.ce) + 1];

		snprintf(ce, sizeof(ce), "%.*s", (int)info.ce_len, info.ce);
		xdpi_llm_call__response_head(t->llm, info.status, t->ctype, info.has_ce ? ce : NULL,
					     c->ts);
	}
}

/* ---- bodies ---- */

static struct http_tx *body_tx(struct http_state *st, uint8_t d);
static void llm_body(struct http_state *st, struct http_tx *t, uint8_t d, const char *p, uint64_t n);

static void count_body(struct http_state *st, uint8_t d, const char *p, uint64_t n)
{
	struct http_tx *t = body_tx(st, d);

	if (t) {
		if (d)
			t->resp_body += n;
		else
			t->req_body += n;
		if (t->llm)
			llm_body(st, t, d, p, n);
		if (!p && t->dec) /* an encoded body with a hole cannot be decoded on */
			t->undecodable = true;
		if (!p || t->undecodable)
			return; /* NULL: skipped bytes, counted only */
		if (t->dec)
			xdpi_http_decode(t->dec, (const uint8_t *)p, (size_t)n, decoded_body, &t->raw[d]);
		else
			raw_body(&t->raw[d], p, (size_t)n);
	}
}

/* Body bytes of an LLM call (NULL P: unseen). */
static void llm_body(struct http_state *st, struct http_tx *t, uint8_t d, const char *p, uint64_t n)
{
	if (d)
		xdpi_llm_call__response(t->llm, (const uint8_t *)p, (size_t)n, st->now);
	else
		xdpi_llm_call__request(t->llm, (const uint8_t *)p, (size_t)n, st->now);
}

/* The transaction whose body direction D is reading. */
static struct http_tx *body_tx(struct http_state *st, uint8_t d)
{
	return d ? st->resp_tx : st->q_last;
}

/* A chunk size line that is no size at all (junk before any digit, or none): the body is
 * not chunked after all and runs to the connection's end, this line included (libhtp). */
static void not_chunked(struct http_state *st, uint8_t d)
{
	struct http_dir *dd = &st->dir[d];

	dd->mode = BODY_CLOSE;
	count_body(st, d, dd->line, dd->line_len);
	dd->line_len = 0;
}

/* Does the start of a size line already show junk before any hex digit? */
static bool size_line_junk(const struct http_dir *dd)
{
	for (uint32_t i = 0; i < dd->line_len; i++) {
		char ch = dd->line[i];

		if (isxdigit((unsigned char)ch))
			return false;
		if (!strchr("\r\n \t\v\f", ch))
			return true;
	}
	return false;
}

/* A whole size line: the next chunk, the trailers, a blank line to pass over, or not a size. */
static void size_line(struct http_state *st, uint8_t d)
{
	struct http_dir *dd = &st->dir[d];
	int64_t n = xdpi_http_chunk_size(dd->line, dd->line_len);

	if (n == -2) { /* blank: the size is on a later line */
		dd->line_len = 0;
		return;
	}
	if (n < 0) {
		not_chunked(st, d);
		return;
	}
	dd->remaining = (uint64_t)n;
	dd->chunk = n ? CHUNK_DATA : CHUNK_TRAILER;
	dd->line_len = 0;
}

/* Consumes chunked framing; returns bytes used, sets *done at the last chunk's end. A size
 * line may be blank-padded, carry junk after its digits, or end in a bare LF. */
static size_t chunked(struct http_state *st, uint8_t d, const char *p, size_t len, bool *done)
{
	struct http_dir *dd = &st->dir[d];
	size_t used = 0;

	if (!dd->line && !(dd->line = calloc(1, CHUNK_LINE_MAX))) {
		dd->mode = BODY_CLOSE; /* no memory to read its framing: counted to the end */
		count_body(st, d, p, len);
		return len;
	}
	while (used < len && !*done && dd->mode == BODY_CHUNKED) {
		if (dd->chunk == CHUNK_DATA) {
			size_t n = dd->remaining < len - used ? (size_t)dd->remaining : len - used;

			count_body(st, d, p + used, n);
			dd->remaining -= n;
			used += n;
			if (!dd->remaining)
				dd->chunk = CHUNK_DATA_END;
			continue;
		}
		/* a line: the size, the rest of the line after data, or a trailer line */
		char ch = p[used++];

		if (ch != '\n') {
			if (dd->line_len < CHUNK_LINE_MAX - 1)
				dd->line[dd->line_len++] = ch;
			if (dd->chunk == CHUNK_SIZE && dd->line_len >= 8 && size_line_junk(dd))
				not_chunked(st, d);
			continue;
		}
		if (dd->chunk == CHUNK_SIZE) {
			size_line(st, d);
			continue;
		}
		if (dd->chunk == CHUNK_DATA_END)
			dd->chunk = CHUNK_SIZE;
		else if (dd->line_len <= 1) /* the empty line after the trailers */
			*done = true;
		dd->line_len = 0;
	}
	return used;
}

static size_t body(struct xdpi_dissect_ctx *c, uint8_t d, const char *p, size_t len)
{
	struct http_state *st = c->state;
	struct http_dir *dd = &st->dir[d];
	bool done = false;
	size_t used;

	switch (dd->mode) {
	case BODY_LENGTH:
		used = dd->remaining < len ? (size_t)dd->remaining : len;
		count_body(st, d, p, used);
		dd->remaining -= used;
		done = !dd->remaining;
		break;
	case BODY_CHUNKED:
		used = chunked(st, d, p, len, &done);
		break;
	case BODY_CLOSE:
		count_body(st, d, p, len);
		return len; /* the response ends with the connection */
	default:
		used = 0;
		done = true;
	}
	if (done) {
		dd->in_body = false;
		message_end(c, d);
	}
	return used;
}

/* ---- heads from the stream ---- */

/* End of the head (after the empty line) in buf, or 0. */
static size_t head_end(const char *buf, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* End of a message head of direction D (responses as browsers read them). */
static size_t message_head_end(uint8_t d, const char *buf, size_t len, size_t from)
{
	return d ? xdpi_http_resp_head_end(buf, len) : head_end(buf, len, from);
}

/* A start line at p (its direction's kind)? */
static bool starts_message(const char *p, size_t len, uint8_t d)
{
	size_t ll = line_len(p, len);

	if (ll == len)
		return false;
	return d ? status_line(p, ll) : request_line(p, ll);
}

/* Could a head of this direction begin at p? Yes if p holds its start line, or the start of
 * one (no newline yet). Body bytes of a message we joined late do not. */
static bool may_start_message(const char *p, size_t len, uint8_t d)
{
	size_t ll = line_len(p, len), m;

	if (d) /* where a response is due, browsers take anything starting "http" for one */
		return xdpi_http_resp_may_start(p, len);
	if (ll < len)
		return starts_message(p, len, d);
	m = method_len(p, len);
	return m && (m == len || p[m] == ' ');
}

/* After a gap: skip to the next start line of this direction, if this data holds one. */
static size_t resync(struct http_dir *dd, const char *p, size_t len, uint8_t d)
{
	size_t i = 0;
	const char *nl;

	while (i < len) { /* at the start and after each newline: memchr finds those */
		if (starts_message(p + i, len - i, d)) {
			dd->resync = false;
			return i;
		}
		if (!(nl = memchr(p + i, '\n', len - i)))
			break;
		i = (size_t)(nl - p) + 1;
	}
	return len;
}

static void head_done(struct xdpi_dissect_ctx *c, uint8_t d, const char *p, size_t len)
{
	struct http_state *st = c->state;
	struct http_dir *dd = &st->dir[d];
	struct head h = { p, len };

	if (d && !xdpi_http_resp_may_start(p, len)) {
		dd->resync = true;
		return;
	}
	if (d)
		response_head(c, &h);
	else
		request_head(c, &h);
	if (dd->resync)
		return;
	dd->in_body = true;
	dd->chunk = CHUNK_SIZE;
	dd->line_len = 0;
	if (dd->mode == BODY_NONE) {
		dd->in_body = false;
		message_end(c, d);
	}
}

/* Accumulates head bytes; returns bytes used from p. A head whole in p is parsed where it
 * is; only a head split across deliveries is copied (and the copy freed once read). */
static size_t head_bytes(struct xdpi_dissect_ctx *c, uint8_t d, const char *p, size_t len)
{
	struct http_state *st = c->state;
	struct http_dir *dd = &st->dir[d];
	size_t old = dd->head_len, take = HEAD_MAX - old < len ? HEAD_MAX - old : len, end;

	if (!old && (end = message_head_end(d, p, len < HEAD_MAX ? len : HEAD_MAX, 0))) {
		head_done(c, d, p, end);
		return end;
	}
	if (!dd->head && !(dd->head = malloc(HEAD_MAX)))
		return len;
	memcpy(dd->head + old, p, take);
	dd->head_len += (uint32_t)take;
	end = message_head_end(d, dd->head, dd->head_len, old > 3 ? old - 3 : 0);
	if (!end) {
		if (dd->head_len == HEAD_MAX) { /* a head this long is not one we believe */
			dd->head_len = 0;
			dd->resync = true;
		}
		return take;
	}
	dd->head_len = 0;
	head_done(c, d, dd->head, end);
	free(dd->head);
	dd->head = NULL;
	return end - old;
}

/* Bytes are missing in direction D: a response cut by the gap ends here, incomplete (the
 * next response found is the next transaction's); D looks for its next start line. */
static void lose_track(struct xdpi_dissect_ctx *c, uint8_t d)
{
	struct http_state *st = c->state;
	struct http_dir *dd = &st->dir[d];
	struct http_tx *t = d ? st->resp_tx : NULL;

	if (t) {
		t->gap = true;
		t->complete = false;
		st->resp_tx = NULL;
		if (queue_head(st) == t)
			queue_pop(st);
		tx_emit(c, t);
		tx_free(t);
	}
	dd->in_body = false;
	dd->head_len = 0;
	dd->resync = true;
}

/* ---- what the kernel may skip (message-aware steering) ---- */

/* Tells the engine what direction D needs next: inside a body, nothing until its end (once
 * detection has the first bytes it keeps); otherwise every byte, for the next head. */
static void want_next(struct xdpi_dissect_ctx *c, uint8_t d)
{
	struct http_state *st = c->state;
	struct http_dir *dd = &st->dir[d];
	struct http_tx *t = body_tx(st, d);

	if (!c->steer || st->upgraded)
		return;
	if (dd->resync || !dd->in_body || (t && t->llm) ||
	    (t && t->raw[d].p && t->raw[d].len < t->raw[d].head + XDPI_INSPECT_BODY_MAX)) {
		c->steer(c, XDPI_MSG_COPY, 0);
		return;
	}
	if (dd->mode == BODY_LENGTH && dd->remaining && c->steer_head)
		c->steer_head(c, dd->remaining); /* the next message's head follows */
	else if (dd->mode == BODY_CHUNKED && dd->chunk == CHUNK_DATA && dd->remaining)
		c->steer(c, XDPI_MSG_SEQ, dd->remaining); /* this chunk; its size line follows */
	else if (dd->mode == BODY_CLOSE)
		c->steer(c, XDPI_MSG_SKIP, 0); /* the rest of the connection is this body */
	else
		c->steer(c, XDPI_MSG_COPY, 0);
}

/* LEN bytes of a body went by unseen, as asked. */
static void http_skip(struct xdpi_dissect_ctx *c, size_t len)
{
	struct http_state *st = c->state;
	uint8_t d = c->dir & 1;
	struct http_dir *dd = &st->dir[d];
	uint64_t n = len, k;

	st->now = c->ts;
	if (dd->in_body && !dd->resync && dd->mode == BODY_CLOSE) {
		count_body(st, d, NULL, n);
		return;
	}
	if (dd->in_body && !dd->resync &&
	    (dd->mode == BODY_LENGTH || (dd->mode == BODY_CHUNKED && dd->chunk == CHUNK_DATA))) {
		k = n < dd->remaining ? n : dd->remaining;
		count_body(st, d, NULL, k);
		dd->remaining -= k;
		n -= k;
		if (!dd->remaining && dd->mode == BODY_CHUNKED) {
			dd->chunk = CHUNK_DATA_END;
		} else if (!dd->remaining) {
			dd->in_body = false;
			message_end(c, d);
		}
	}
	if (n) /* more went by than the body we skipped: we cannot tell where we are */
		lose_track(c, d);
	want_next(c, d);
}

static enum xdpi_dissect_status http_tcp(struct xdpi_dissect_ctx *c, const char *p, size_t len)
{
	const char *start = p;
	struct http_state *st = c->state;
	uint8_t d = c->dir & 1;
	struct http_dir *dd = &st->dir[d];

	if (c->gap)
		lose_track(c, d);
	/* each round consumes bytes or changes state; the bound is a guard, never reached */
	for (int rounds = 0; len && !st->upgraded && rounds < 100000; rounds++) {
		size_t used;

		if (!dd->resync && !dd->in_body && !dd->head_len && !may_start_message(p, len, d))
			dd->resync = true; /* not a head: the middle of something we joined late */
		if (dd->resync)
			used = resync(dd, p, len, d); /* 0: a start line right here */
		else if (dd->in_body)
			used = body(c, d, p, len);
		else
			used = head_bytes(c, d, p, len);
		p += used, len -= used;
		if (st->upgraded)
			c->switched_at = (size_t)(p - start); /* the new protocol's first byte */
	}
	want_next(c, d);
	return XDPI_DISSECT_OK;
}

/* SSDP and other HTTP over UDP: one message per datagram, reported at once. */
static enum xdpi_dissect_status http_udp(struct xdpi_dissect_ctx *c, const char *p, size_t len)
{
	size_t end = head_end(p, len, 0);
	struct head h = { p, end ? end : len };
	struct http_tx *t;

	if (status_line(p, line_len(p, len))) {
		struct xdpi_http_resp_info info;

		xdpi_http_resp_parse(h.p, h.len, &info);
		t = calloc(1, sizeof(*t));
		if (t)
			parse_status(t, &h, &info);
	} else {
		t = parse_request(&h);
	}
	if (!t)
		return XDPI_DISSECT_MALFORMED;
	raw_keep(c, &t->raw[!t->has_request], h.p, h.len);
	t->req_cnt = t->has_request ? c->pcap_cnt : 0;
	t->resp_cnt = t->has_request ? 0 : c->pcap_cnt;
	t->complete = true;
	tx_emit(c, t);
	tx_free(t);
	return XDPI_DISSECT_OK;
}

static enum xdpi_dissect_status http_parse(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len)
{
	((struct http_state *)c->state)->now = c->ts;
	if (c->l4 == XDPI_L4_UDP && c->steer)
		c->steer(c, XDPI_MSG_COPY, 0); /* one message per datagram: all of them */
	if (c->l4 == XDPI_L4_UDP) {
		c->app_proto = "ssdp"; /* HTTP over UDP is SSDP's (UPnP discovery): named for it */
		return http_udp(c, (const char *)buf, len);
	}
	return http_tcp(c, (const char *)buf, len);
}

static void http_flow_end(struct xdpi_dissect_ctx *c)
{
	struct http_state *st = c->state;

	/* a response read until close ends here, whole; the rest stays incomplete */
	if (st->resp_tx && st->dir[1].in_body && st->dir[1].mode == BODY_CLOSE) {
		st->dir[1].in_body = false;
		message_end(c, 1);
	}
	while (st->qlen) {
		struct http_tx *t = queue_head(st);

		if (!t)
			break;
		queue_pop(st);
		if (t == st->resp_tx)
			st->resp_tx = NULL;
		t->complete = false;
		tx_emit(c, t);
		tx_free(t);
	}
	for (int d = 0; d < 2; d++) {
		free(st->dir[d].head);
		free(st->dir[d].line);
		st->dir[d].head = st->dir[d].line = NULL;
	}
}

const struct xdpi_dissector xdpi_dissector_http = {
	.name = "http",
	.l4 = XDPI_L4_TCP | XDPI_L4_UDP, /* over UDP: SSDP (HTTPU), named so */
	.ports = { 80, 8080, 1900, 8000 },
	.state_size = sizeof(struct http_state),
	.probe = http_probe,
	.parse = http_parse,
	.flow_end = http_flow_end,
	.skip = http_skip,
};
