// SPDX-License-Identifier: GPL-2.0
/* HTTP/2 over cleartext (RFC 9113): prior knowledge (the client preface) and h2c (after an
 * HTTP/1.1 101, handed over by the http dissector). Frames per direction; header blocks
 * (HEADERS, CONTINUATION, PUSH_PROMISE) decoded by nghttp2's HPACK inflater, one per direction,
 * so the dynamic tables stay right; SETTINGS_HEADER_TABLE_SIZE applied to the peer's decoder.
 * Each stream is a transaction: one EVE http event (protocol HTTP/2) when both sides ended it,
 * it was reset, or the flow ends. gRPC: service and method from :path, grpc-status and
 * grpc-message from the trailers, messages counted per direction from DATA.
 * A direction whose header table cannot be known (a gap, or joined mid-connection) is
 * "degraded": its header blocks are no longer decoded, never decoded wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <nghttp2/nghttp2.h>
#include <openssl/evp.h>
#include "xdpi/bytes.h"
#include "xdpi/appid.h"
#include "xdpi/dissect.h"
#include "xdpi/inspect_http.h"
#include "xdpi/grow.h"

#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define PREFACE_LEN 24
#define FRAME_BUF_MAX 65536 /* frames larger than this are skipped (DATA still counted) */
#define BLOCK_MAX 65536     /* a header block across CONTINUATIONs */
#define STREAMS_MAX 128
#define FIELD_MAX 512
#define DNS_MSG_MAX 65535   /* a DoH body: one DNS message */

enum { F_DATA, F_HEADERS, F_PRIORITY, F_RST, F_SETTINGS, F_PUSH, F_PING, F_GOAWAY, F_WINDOW, F_CONT };
#define FL_END_STREAM 0x1
#define FL_END_HEADERS 0x4
#define FL_PADDED 0x8
#define FL_PRIORITY 0x20

struct h2_stream {
	uint32_t id;
	bool used, grpc, degraded, rst, requested; /* requested: its request headers were seen */
	bool end[2];
	char *method, *path, *authority, *ua, *ctype, *grpc_message;
	char *coding; /* the response's Content-Encoding, for an LLM call's body */
	int status, grpc_status;
	int blocks[2];      /* header blocks seen per direction: 2nd from the server = trailers */
	uint64_t data[2];
	uint32_t grpc_msgs[2];
	uint32_t grpc_left[2]; /* bytes of the current gRPC message still to skip */
	uint8_t grpc_hdr_len[2];
	uint64_t ts;
	uint64_t cnt_req, cnt_resp, cnt_trailers;
	/* for detection: each side's regular headers as HTTP/1 lines ("name: value\r\n"),
	 * kept only when detection wants HTTP transactions */
	char *hdrs[2];
	uint32_t hdrs_len[2];
	/* DNS over HTTPS (RFC 8484): a side whose body is a DNS message (content-type
	 * application/dns-message), that body, and whether it was too big to keep */
	bool doh[2], doh_cut[2];
	uint8_t *dns[2];
	uint32_t dns_len[2];
	uint16_t frame_types[2]; /* frame types seen per side, for http2.frametype (bit per type) */
	struct xdpi_llm_call *llm; /* an LLM API call: its DATA is read as it passes */
};

#define HDRS_MAX 8192

struct h2_dir {
	uint32_t preface_left;
	uint8_t fh[9];
	uint32_t fh_len;
	uint32_t flen, fgot;  /* the current frame's length, and bytes of it seen */
	uint8_t ftype, fflags;
	uint32_t fstream;
	uint8_t *buf;         /* the current frame's payload (unless skipped) */
	uint8_t *block;       /* a header block waiting for its CONTINUATIONs */
	uint32_t buf_cap, block_cap;
	uint32_t block_len, block_stream, block_on; /* for which stream; its frames' stream */
	uint64_t block_cnt;   /* the frame that began the block */
	bool block_push, block_end_stream, in_block;
	nghttp2_hd_inflater *inf;
	bool degraded, dead;
	bool walked;  /* the kernel walks this direction's frames (steer H2) */
	bool resync;  /* DATA payload arrived all the same: name a frame header again */
	bool fskipped; /* some of the current frame's payload went by unseen */
};

struct h2_state {
	struct h2_dir dir[2];
	struct h2_stream *streams; /* grown on demand, up to STREAMS_MAX */
	uint32_t cap;
	uint64_t tx_id;
	bool requested; /* a request's headers were seen: whether this is gRPC is known */
	bool grpc;      /* a gRPC connection: every DATA byte holds message prefixes */
	bool doh;       /* DNS over HTTPS: DATA bodies hold DNS messages */
	bool llm;       /* an LLM API call: DATA bodies are read */
};

static bool settings_frame(const uint8_t *p, size_t len)
{
	uint32_t flen = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

	return len >= 9 && p[3] == F_SETTINGS && p[4] == 0 && xdpi_rd32(p + 5) == 0 && flen % 6 == 0 &&
	       flen <= 16384;
}

static enum xdpi_dissect_status h2_probe(const uint8_t *buf, size_t len, uint8_t l4, uint8_t dir)
{
	size_t n = len < PREFACE_LEN ? len : PREFACE_LEN;

	(void)l4;
	if (!memcmp(buf, PREFACE, n))
		return n == PREFACE_LEN ? XDPI_DISSECT_OK : XDPI_DISSECT_NEED_MORE;
	/* after an h2c upgrade the server speaks first: its SETTINGS */
	if (dir == 1 && len < 9)
		return XDPI_DISSECT_NEED_MORE;
	return dir == 1 && settings_frame(buf, len) ? XDPI_DISSECT_OK : XDPI_DISSECT_NOT_MINE;
}

/* ---- streams ---- */

static void stream_free(struct h2_stream *s)
{
	free(s->method), free(s->path), free(s->authority), free(s->ua), free(s->ctype);
	free(s->coding);
	free(s->grpc_message);
	free(s->hdrs[0]), free(s->hdrs[1]);
	free(s->dns[0]), free(s->dns[1]);
	xdpi_llm_call__free(s->llm);
	memset(s, 0, sizeof(*s));
}

static void put_grpc(struct xdpi_json *j, const struct h2_stream *s)
{
	const char *slash = s->path ? strrchr(s->path, '/') : NULL;

	xdpi_json_obj_open(j, "grpc");
	if (slash && slash != s->path) {
		xdpi_json_strn(j, "service", s->path + 1, (size_t)(slash - s->path - 1));
		xdpi_json_str(j, "method", slash + 1);
	}
	if (s->grpc_status >= 0)
		xdpi_json_u64(j, "status", (uint64_t)s->grpc_status);
	if (s->grpc_message && *s->grpc_message)
		xdpi_json_str(j, "message", s->grpc_message);
	xdpi_json_u64(j, "messages_toserver", s->grpc_msgs[0]);
	xdpi_json_u64(j, "messages_toclient", s->grpc_msgs[1]);
	xdpi_json_obj_close(j);
}

static void put_str(struct xdpi_json *j, const char *k, const char *v)
{
	if (v && *v)
		xdpi_json_str(j, k, v);
}

static void stream_report(struct xdpi_dissect_ctx *c, const struct h2_stream *s)
{
	struct xdpi_api_tx tx = {
		.host = s->authority, .method = s->requested ? s->method : NULL, .path = s->path,
		.status = s->status, .grpc_status = s->grpc ? s->grpc_status : -1, .ts = c->ts,
		.latency_ns = s->status && s->requested && c->ts >= s->ts ? c->ts - s->ts : 0,
	};

	if (c->transaction)
		c->transaction(c, &tx);
}

static void stream_emit(struct xdpi_dissect_ctx *c, struct h2_stream *s)
{
	struct h2_state *st = c->state;
	struct xdpi_json *j = c->event_begin(c, "http");

	if (s->authority && c->server_name)
		c->server_name(c, s->authority, strlen(s->authority), XDPI_APP_HOST);
	xdpi_json_u64(j, "tx_id", st->tx_id++);
	xdpi_json_obj_open(j, "http");
	put_str(j, "hostname", s->authority);
	put_str(j, "url", s->path);
	put_str(j, "http_user_agent", s->ua);
	put_str(j, "http_content_type", s->ctype);
	put_str(j, "http_method", s->method);
	xdpi_json_str(j, "protocol", "HTTP/2");
	if (s->status)
		xdpi_json_u64(j, "status", (uint64_t)s->status);
	xdpi_json_u64(j, "length", s->data[1]);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_dissect_put_plaintext(c, j);
	xdpi_json_u64(j, "stream_id", s->id);
	if (s->status && s->requested && c->ts >= s->ts)
		xdpi_json_u64(j, "latency_us", (c->ts - s->ts) / 1000);
	xdpi_json_u64(j, "request_body_length", s->data[0]);
	xdpi_json_bool(j, "complete", s->end[0] && s->end[1] && !s->rst && !s->degraded);
	if (s->rst)
		xdpi_json_bool(j, "reset", true);
	if (s->degraded)
		xdpi_json_bool(j, "degraded", true); /* header table unknown: headers not reported */
	if (s->cnt_req)
		xdpi_json_u64(j, "request_headers_pcap_cnt", s->cnt_req);
	if (s->cnt_resp)
		xdpi_json_u64(j, "response_headers_pcap_cnt", s->cnt_resp);
	if (s->cnt_trailers)
		xdpi_json_u64(j, "trailers_pcap_cnt", s->cnt_trailers);
	if (s->grpc)
		put_grpc(j, s);
	xdpi_json_obj_close(j);
	c->event_end(c);
	stream_report(c, s);
	xdpi_llm_call__end(c, s->llm, s->end[0] && s->end[1] && !s->rst && !s->degraded);
	s->llm = NULL;
	stream_free(s);
}

static struct h2_stream *stream_get(struct xdpi_dissect_ctx *c, uint32_t id, bool create)
{
	struct h2_state *st = c->state;
	struct h2_stream *free_slot = NULL, *oldest = NULL;

	for (uint32_t i = 0; i < st->cap; i++) {
		struct h2_stream *s = &st->streams[i];

		if (s->used && s->id == id)
			return s;
		if (!s->used && !free_slot)
			free_slot = s;
		if (s->used && (!oldest || s->id < oldest->id))
			oldest = s;
	}
	if (!create)
		return NULL;
	if (!free_slot && st->cap < STREAMS_MAX) {
		uint32_t ncap = st->cap ? st->cap * 2 : 4;
		struct h2_stream *n = realloc(st->streams, ncap * sizeof(*n));

		if (n) {
			memset(n + st->cap, 0, (ncap - st->cap) * sizeof(*n));
			free_slot = n + st->cap;
			st->streams = n;
			st->cap = ncap;
		}
	}
	if (!free_slot && !oldest)
		return NULL;
	if (!free_slot) { /* too many open streams: the oldest is reported as it stands */
		stream_emit(c, oldest);
		free_slot = oldest;
	}
	free_slot->used = true;
	free_slot->id = id;
	free_slot->grpc_status = -1;
	free_slot->ts = c->ts;
	return free_slot;
}

static void stream_maybe_done(struct xdpi_dissect_ctx *c, struct h2_stream *s)
{
	if ((s->end[0] && s->end[1]) || s->rst)
		stream_emit(c, s);
}

/* ---- header blocks ---- */

static char *dupn(const uint8_t *p, size_t n)
{
	size_t m = n < FIELD_MAX ? n : FIELD_MAX;
	char *d = malloc(m + 1);

	if (d) {
		memcpy(d, p, m);
		d[m] = '\0';
	}
	return d;
}

static void set(char **field, const nghttp2_nv *nv)
{
	free(*field);
	*field = dupn(nv->value, nv->valuelen);
}

static bool is(const nghttp2_nv *nv, const char *name)
{
	return nv->namelen == strlen(name) && !memcmp(nv->name, name, nv->namelen);
}

static int value_int(const nghttp2_nv *nv)
{
	char num[8];

	snprintf(num, sizeof(num), "%.*s", (int)(nv->valuelen < 7 ? nv->valuelen : 7),
		 (const char *)nv->value);
	return atoi(num);
}

/* A header as an HTTP/1 line, for detection; bounded. Pseudo-headers too (":method: GET"),
 * in the order sent, as Suricata's HTTP/2 header buffers hold them (strip_pseudo_headers
 * takes them out). */
static void keep_header(struct h2_stream *s, bool request, const nghttp2_nv *nv)
{
	int side = request ? 0 : 1;
	size_t need = nv->namelen + nv->valuelen + 4;

	if (!nv->namelen || s->hdrs_len[side] + need + 2 > HDRS_MAX)
		return;
	if (!s->hdrs[side] && !(s->hdrs[side] = malloc(HDRS_MAX)))
		return;
	char *p = s->hdrs[side] + s->hdrs_len[side];

	memcpy(p, nv->name, nv->namelen);
	memcpy(p + nv->namelen, ": ", 2);
	memcpy(p + nv->namelen + 2, nv->value, nv->valuelen);
	memcpy(p + nv->namelen + 2 + nv->valuelen, "\r\n", 2);
	s->hdrs_len[side] += (uint32_t)need;
}

static bool dns_message_type(const nghttp2_nv *nv)
{
	static const char t[] = "application/dns-message";

	return nv->valuelen >= sizeof(t) - 1 &&
	       !strncasecmp((const char *)nv->value, t, sizeof(t) - 1) &&
	       (nv->valuelen == sizeof(t) - 1 || nv->value[sizeof(t) - 1] == ';');
}

static void header(struct h2_stream *s, bool request, bool trailers, const nghttp2_nv *nv,
		   bool keep)
{
	if (keep && !trailers)
		keep_header(s, request, nv);
	if (request) {
		if (is(nv, ":method"))
			set(&s->method, nv);
		else if (is(nv, ":path"))
			set(&s->path, nv);
		else if (is(nv, ":authority") || (is(nv, "host") && !s->authority))
			set(&s->authority, nv);
		else if (is(nv, "user-agent"))
			set(&s->ua, nv);
		else if (is(nv, "content-type") && nv->valuelen >= 16 &&
			 !strncasecmp((const char *)nv->value, "application/grpc", 16))
			s->grpc = true;
		else if (is(nv, "content-type"))
			s->doh[0] = dns_message_type(nv);
		return;
	}
	if (is(nv, ":status") && !trailers)
		s->status = value_int(nv);
	else if (is(nv, "content-type") && !trailers) {
		set(&s->ctype, nv);
		s->doh[1] = dns_message_type(nv);
	}
	else if (is(nv, "content-encoding") && !trailers)
		set(&s->coding, nv);
	else if (is(nv, "grpc-status"))
		s->grpc_status = value_int(nv);
	else if (is(nv, "grpc-message"))
		set(&s->grpc_message, nv);
}

/* Decodes a whole header block; returns -1 if the decoder's state is now unknown. */
static int decode_block(struct h2_dir *d, struct h2_stream *s, bool request, bool trailers,
			const uint8_t *in, size_t len, bool keep)
{
	static const uint8_t empty[1];

	if (!in)
		in = empty; /* an empty block: still run through the decoder, which ends it */
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(d->inf, &nv, &flags, in, len, 1);

		if (rv < 0)
			return -1;
		in += rv, len -= (size_t)rv;
		if (flags & NGHTTP2_HD_INFLATE_EMIT)
			header(s, request, trailers, &nv, keep);
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->inf);
			return 0;
		}
		if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
			return 0;
	}
}

/* ---- detection: HTTP/2 streams through the HTTP buffers, as Suricata maps them ---- */

static bool wants_http(const struct xdpi_dissect_ctx *c)
{
	return xdpi_dissect_wants(c, XDPI_STAGE_HTTP_REQUEST) ||
	       xdpi_dissect_wants(c, XDPI_STAGE_HTTP_RESPONSE);
}

/* SIDE's regular headers, closed by the empty line the header buffers expect. */
static void set_headers(struct xdpi_inspect *in, struct h2_stream *s, int side,
			struct xdpi_http_scratch *sc)
{
	if (!s->hdrs[side]) {
		xdpi_inspect_http_headers(in, "\r\n", 2, side == 1, sc);
		return;
	}
	memcpy(s->hdrs[side] + s->hdrs_len[side], "\r\n", 2); /* room kept: see keep_header */
	xdpi_inspect_http_headers(in, s->hdrs[side], s->hdrs_len[side] + 2, side == 1, sc);
}

/* The request's buffers: method, :path as the URI, HTTP/2, its headers, :authority as the
 * host when no Host header says otherwise. */
static void set_request(struct xdpi_inspect *in, struct h2_stream *s, struct xdpi_http_scratch *sc)
{
	set_headers(in, s, 0, sc);
	if (s->method)
		xdpi_inspect_set(in, XDPI_BUF_HTTP_METHOD, s->method, strlen(s->method));
	if (s->path)
		xdpi_inspect_http_uri(in, s->path, strlen(s->path), sc);
	xdpi_inspect_set(in, XDPI_BUF_HTTP_PROTOCOL, "HTTP/2", 6);
	if (s->authority && !in->buf[XDPI_BUF_HTTP_RAW_HOST]) {
		xdpi_inspect_set(in, XDPI_BUF_HTTP_RAW_HOST, s->authority, strlen(s->authority));
		xdpi_inspect_http_host(in, sc);
	}
}

/* A header block is decoded: the request's (HTTP_REQUEST) or the response's (HTTP_RESPONSE,
 * with the request's buffers) to detection. Bodies are not handed over. */
static void inspect_block(struct xdpi_dissect_ctx *c, struct h2_stream *s, bool request)
{
	struct xdpi_inspect in = { .stage = request ? XDPI_STAGE_HTTP_REQUEST : XDPI_STAGE_HTTP_RESPONSE };
	struct xdpi_http_scratch sc;
	char code[4];

	if (!xdpi_dissect_wants(c, in.stage) || s->degraded || (!request && !s->status))
		return;
	set_request(&in, s, &sc);
	if (!request) {
		set_headers(&in, s, 1, &sc);
		snprintf(code, sizeof(code), "%03u", (unsigned)s->status % 1000u);
		xdpi_inspect_set(&in, XDPI_BUF_HTTP_STAT_CODE, code, 3);
	}
	c->inspect(c, &in);
}

/* ---- DNS over HTTPS (RFC 8484): its DNS messages, read as the DNS dissector reads them ---- */

/* A DNS message of stream S (its request's or its response's): to detection with the
 * request's HTTP buffers, and as an EVE dns event; the flow is then doh2. */
static void doh_message(struct xdpi_dissect_ctx *c, struct h2_stream *s, const uint8_t *msg,
			size_t len)
{
	struct h2_state *st = c->state;
	struct xdpi_inspect carrier = { .stage = XDPI_STAGE_HTTP_REQUEST };
	struct xdpi_http_scratch sc;

	c->app_proto = "doh2";
	if (!s->degraded)
		set_request(&carrier, s, &sc);
	xdpi_dns_carried(c, &carrier, msg, len, st->tx_id);
}

/* A GET's ?dns= parameter (NULL: none). */
static const char *doh_get_param(const struct h2_stream *s)
{
	const char *q = s->path ? strchr(s->path, '?') : NULL;

	while (q && strncmp(q + 1, "dns=", 4))
		q = strchr(q + 1, '&');
	return q && s->method && !strcmp(s->method, "GET") ? q + 5 : NULL;
}

/* A GET's ?dns= parameter: the query, base64url without padding. */
static void doh_get(struct xdpi_dissect_ctx *c, struct h2_stream *s)
{
	const char *q = doh_get_param(s);
	char b64[FIELD_MAX + 4];
	uint8_t msg[FIELD_MAX];
	size_t n, pad;
	int got;

	if (!q)
		return;
	n = strcspn(q, "&#");
	pad = (4 - n % 4) % 4;
	if (!n || n > FIELD_MAX || pad == 3)
		return;
	for (size_t i = 0; i < n; i++) /* the URL alphabet back to the one OpenSSL reads */
		b64[i] = q[i] == '-' ? '+' : q[i] == '_' ? '/' : q[i];
	memset(b64 + n, '=', pad);
	got = EVP_DecodeBlock(msg, (const unsigned char *)b64, (int)(n + pad));
	if (got >= (int)pad)
		doh_message(c, s, msg, (size_t)got - pad);
}

/* DATA of a side whose body is a DNS message: kept whole (it is one message, bounded). */
static void doh_data(struct h2_stream *s, uint8_t dir, const uint8_t *p, size_t n)
{
	if (s->doh_cut[dir] || !n)
		return;
	if (s->dns_len[dir] + n > DNS_MSG_MAX ||
	    (!s->dns[dir] && !(s->dns[dir] = malloc(DNS_MSG_MAX)))) {
		s->doh_cut[dir] = true; /* not one DNS message, or no memory: not read */
		return;
	}
	memcpy(s->dns[dir] + s->dns_len[dir], p, n);
	s->dns_len[dir] += (uint32_t)n;
}

/* An LLM API call starts with its request headers; its response headers say how the body is
 * framed. */
static void llm_head(struct xdpi_dissect_ctx *c, struct h2_stream *s, bool request)
{
	if (request && !s->llm && (s->llm = xdpi_llm_call__start(c->llm, s->method, s->path,
								  s->authority, c->ts)))
		((struct h2_state *)c->state)->llm = true; /* its DATA is wanted */
	else if (!request && s->llm)
		xdpi_llm_call__response_head(s->llm, s->status, s->ctype, s->coding, c->ts);
}

static void llm_data(struct xdpi_dissect_ctx *c, struct h2_stream *s, const uint8_t *p, size_t n)
{
	if (c->dir & 1)
		xdpi_llm_call__response(s->llm, p, n, c->ts);
	else
		xdpi_llm_call__request(s->llm, p, n, c->ts);
}

/* http2.frametype: a frame on stream 0 is a transaction of its own (as Suricata counts them);
 * a stream's frames are inspected once per type and side. */
static void frame_seen(struct xdpi_dissect_ctx *c, const struct h2_dir *d)
{
	struct xdpi_inspect in = { .stage = XDPI_STAGE_HTTP2_FRAME, .h2_frame_type = d->ftype,
				   .h2_from_server = c->dir & 1 };
	struct h2_stream *s;

	if (!xdpi_dissect_wants(c, XDPI_STAGE_HTTP2_FRAME))
		return;
	s = d->fstream ? stream_get(c, d->fstream, false) : NULL;
	if (s && d->ftype < 16) {
		if (s->frame_types[c->dir & 1] & (1u << d->ftype))
			return;
		s->frame_types[c->dir & 1] |= (uint16_t)(1u << d->ftype);
	}
	c->inspect(c, &in);
}

static void block_done(struct xdpi_dissect_ctx *c, struct h2_dir *d)
{
	uint8_t dir = c->dir & 1;
	struct h2_stream *s = stream_get(c, d->block_stream, true);
	bool request = dir == 0 || d->block_push;
	bool trailers;

	d->in_block = false;
	if (!s)
		return;
	trailers = !request && s->blocks[1] > 0;
	s->blocks[request ? 0 : 1]++;
	if (request)
		s->cnt_req = d->block_cnt;
	else if (trailers)
		s->cnt_trailers = d->block_cnt;
	else
		s->cnt_resp = d->block_cnt;
	if (request) {
		s->ts = c->ts;
		s->requested = true;
	}
	if (d->degraded ||
	    decode_block(d, s, request, trailers, d->block, d->block_len, wants_http(c)) < 0) {
		d->degraded = true;
		s->degraded = true;
	}
	if (!d->block_push && !s->degraded && (s->doh[request ? 0 : 1] ||
					       (request && doh_get_param(s))))
		c->app_proto = "doh2"; /* before the request is inspected: a doh2 flow's */
	if (!trailers && !d->block_push)
		inspect_block(c, s, request);
	if (!trailers && !d->block_push && !s->degraded)
		llm_head(c, s, request);
	if (request) {
		struct h2_state *st = c->state;

		st->requested = true;
		st->grpc |= s->grpc;
		if (!d->block_push && !s->degraded)
			doh_get(c, s);
	}
	if (s->doh[0] || s->doh[1] || c->app_proto)
		((struct h2_state *)c->state)->doh = true; /* its DATA is wanted */
	if (d->block_push)
		s->end[0] = true; /* a pushed request has no body */
	if (d->block_end_stream) {
		s->end[dir] = true;
		stream_maybe_done(c, s);
	}
}

static void block_add(struct h2_dir *d, const uint8_t *p, size_t n)
{
	if (d->block_len + n > BLOCK_MAX) { /* a header list beyond what we keep */
		d->degraded = true;
		n = BLOCK_MAX - d->block_len;
	}
	if (!n || !xdpi_grow(&d->block, &d->block_cap, d->block_len + n, BLOCK_MAX))
		return;
	memcpy(d->block + d->block_len, p, n);
	d->block_len += (uint32_t)n;
}

/* ---- frames ---- */

/* The payload without padding (and, for HEADERS, the priority fields). */
static bool unpad(struct h2_dir *d, const uint8_t **p, size_t *n, size_t skip)
{
	size_t pad = 0;

	if (d->fflags & FL_PADDED) {
		if (*n < 1)
			return false;
		pad = (*p)[0];
		(*p)++, (*n)--;
	}
	if (*n < pad + skip)
		return false;
	*p += skip;
	*n -= pad + skip;
	return true;
}

static void grpc_data(struct h2_stream *s, uint8_t dir, const uint8_t *p, size_t n)
{
	while (n) {
		if (s->grpc_left[dir] && !s->grpc_hdr_len[dir]) { /* inside a message, past its prefix */
			size_t k = s->grpc_left[dir] < n ? s->grpc_left[dir] : n;

			s->grpc_left[dir] -= (uint32_t)k;
			p += k, n -= k;
			continue;
		}
		/* the 5-byte prefix: compressed flag, then the length */
		if (s->grpc_hdr_len[dir] == 0)
			s->grpc_msgs[dir]++;
		if (s->grpc_hdr_len[dir] >= 1)
			s->grpc_left[dir] = (s->grpc_left[dir] << 8) | p[0];
		s->grpc_hdr_len[dir]++;
		p++, n--;
		if (s->grpc_hdr_len[dir] == 5)
			s->grpc_hdr_len[dir] = 0; /* grpc_left now holds the message length */
	}
}

/* The current DATA frame's last byte went by (seen or not): END_STREAM ends the side. */
static void data_frame_end(struct xdpi_dissect_ctx *c, const struct h2_dir *d, struct h2_stream *s)
{
	uint8_t dir = c->dir & 1;

	if ((d->fflags & FL_END_STREAM) && s->doh[dir] && s->dns_len[dir] && !s->doh_cut[dir]) {
		doh_message(c, s, s->dns[dir], s->dns_len[dir]);
		s->dns_len[dir] = 0;
	}
	if (d->fflags & FL_END_STREAM) {
		s->end[c->dir & 1] = true;
		stream_maybe_done(c, s);
	}
}

static void frame_data(struct xdpi_dissect_ctx *c, struct h2_dir *d, const uint8_t *p, size_t n,
		       bool whole)
{
	uint8_t dir = c->dir & 1;
	struct h2_stream *s = stream_get(c, d->fstream, false);

	if (!s)
		return;
	if (whole && !unpad(d, &p, &n, 0))
		return;
	s->data[dir] += n;
	/* a frame too big to keep passes in pieces: its gRPC messages are counted as they go
	 * (unless padded, where the pieces' ends are padding) */
	if (s->grpc && (whole || !(d->fflags & FL_PADDED)))
		grpc_data(s, dir, p, n);
	if (s->llm && (whole || !(d->fflags & FL_PADDED)))
		llm_data(c, s, p, n);
	if (s->doh[dir]) {
		if (!whole && (d->fflags & FL_PADDED))
			s->doh_cut[dir] = true;
		doh_data(s, dir, p, n);
	}
	if (whole || d->fgot + n >= d->flen)
		data_frame_end(c, d, s);
}

static void frame_settings(struct xdpi_dissect_ctx *c, const uint8_t *p, size_t n)
{
	struct h2_state *st = c->state;

	/* our peer's decoder table size bounds what this side's encoder uses: it is the other
	 * direction's inflater that must know */
	for (size_t i = 0; i + 6 <= n; i += 6)
		if (((p[i] << 8) | p[i + 1]) == 1 && st->dir[!(c->dir & 1)].inf)
			nghttp2_hd_inflate_change_table_size(st->dir[!(c->dir & 1)].inf, xdpi_rd32(p + i + 2));
}

static void frame_headers(struct xdpi_dissect_ctx *c, struct h2_dir *d, const uint8_t *p, size_t n)
{
	bool push = d->ftype == F_PUSH;

	if (!unpad(d, &p, &n, push ? 4 : (d->fflags & FL_PRIORITY ? 5 : 0)))
		return;
	d->in_block = true;
	d->block_len = 0;
	d->block_push = push;
	d->block_stream = push ? xdpi_rd32(p - 4) & 0x7fffffff : d->fstream;
	d->block_on = d->fstream;
	d->block_cnt = c->pcap_cnt;
	d->block_end_stream = !push && (d->fflags & FL_END_STREAM);
	block_add(d, p, n);
	if (d->fflags & FL_END_HEADERS)
		block_done(c, d);
}

static void frame_done(struct xdpi_dissect_ctx *c, struct h2_dir *d, const uint8_t *p, size_t n)
{
	struct h2_stream *s;

	switch (d->ftype) {
	case F_DATA:
		frame_data(c, d, p, n, true);
		break;
	case F_HEADERS:
	case F_PUSH:
		frame_headers(c, d, p, n);
		break;
	case F_CONT:
		if (d->in_block && d->fstream == d->block_on) {
			block_add(d, p, n);
			if (d->fflags & FL_END_HEADERS)
				block_done(c, d);
		}
		break;
	case F_SETTINGS:
		if (!(d->fflags & 1)) /* not an ACK */
			frame_settings(c, p, n);
		break;
	case F_RST:
		s = stream_get(c, d->fstream, false);
		if (s) {
			s->rst = true;
			stream_maybe_done(c, s);
		}
		break;
	}
}

/* ---- message-aware steering: the kernel walks the frames, DATA payloads stay there ---- */

/* Is the current frame a DATA frame whose payload this side need not see? Not on a gRPC
 * connection (message prefixes) or a DoH one (DNS messages), not padded (its length needs the
 * pad length). */
static bool data_skippable(struct xdpi_dissect_ctx *c, const struct h2_dir *d)
{
	const struct h2_state *st = c->state;

	return d->fh_len == 9 && d->ftype == F_DATA && !(d->fflags & FL_PADDED) && !st->grpc &&
	       !st->doh && !st->llm;
}

/* N bytes of the current DATA frame's payload went by unseen, as asked. */
static void data_skipped(struct xdpi_dissect_ctx *c, struct h2_dir *d, uint32_t n)
{
	uint8_t dir = c->dir & 1;
	struct h2_stream *s = stream_get(c, d->fstream, false);

	/* a frame small enough to keep counts its payload when whole: what came before the
	 * unseen part is counted now */
	uint32_t add = n + (d->flen <= FRAME_BUF_MAX && !d->fskipped ? d->fgot : 0);

	d->fskipped = true;
	d->fgot += n;
	if (s) {
		s->data[dir] += add;
		if (s->llm)
			llm_data(c, s, NULL, n); /* a hole: the call's body cannot be followed */
		if (d->fgot == d->flen)
			data_frame_end(c, d, s);
	}
	if (d->fgot == d->flen)
		d->fh_len = 0;
}

/* Frame bytes: header, then payload (kept if small enough, else skipped). */
static size_t frame_bytes(struct xdpi_dissect_ctx *c, struct h2_dir *d, const uint8_t *p, size_t len)
{
	size_t take;

	if (d->fh_len < 9) {
		take = 9 - d->fh_len < len ? 9 - d->fh_len : len;
		memcpy(d->fh + d->fh_len, p, take);
		d->fh_len += (uint32_t)take;
		if (d->fh_len == 9) {
			d->flen = (uint32_t)d->fh[0] << 16 | (uint32_t)d->fh[1] << 8 | d->fh[2];
			d->ftype = d->fh[3];
			d->fflags = d->fh[4];
			d->fstream = xdpi_rd32(d->fh + 5) & 0x7fffffff;
			d->fgot = 0;
			d->fskipped = false;
			if (d->ftype > F_CONT + 10) /* not a frame type we know of: lost sync? */
				d->degraded = true;
			frame_seen(c, d);
		}
		if (d->fh_len < 9 || d->flen)
			return take;
	} else {
		take = d->flen - d->fgot < len ? d->flen - d->fgot : len;
		if (d->walked && data_skippable(c, d))
			d->resync = true; /* copied after all: the kernel lost the frames' place */
		if (d->ftype == F_DATA && (d->flen > FRAME_BUF_MAX || d->fskipped)) {
			/* too big to keep, or partly unseen: counted as it passes */
			frame_data(c, d, p, take, false);
		} else if (d->flen <= FRAME_BUF_MAX) {
			if (!xdpi_grow(&d->buf, &d->buf_cap, d->flen, FRAME_BUF_MAX))
				return len;
			memcpy(d->buf + d->fgot, p, take);
		}
		d->fgot += (uint32_t)take;
		if (d->fgot < d->flen)
			return take;
	}
	if (d->flen <= FRAME_BUF_MAX && !(d->ftype == F_DATA && d->fskipped)) {
		static const uint8_t none[1];

		frame_done(c, d, d->flen ? d->buf : none, d->flen); /* never a NULL payload */
	}
	else if (d->ftype != F_DATA)
		d->degraded |= d->ftype == F_HEADERS || d->ftype == F_CONT || d->ftype == F_PUSH;
	d->fh_len = 0;
	return take;
}

/* What the kernel may leave out of this direction. Until the first request's headers say
 * the connection is not gRPC, and on a gRPC connection, every byte; else the kernel walks the
 * frames from a header named here (again when it lost the place) and the rest of a DATA
 * payload is declared not needed. */
static void want_frames(struct xdpi_dissect_ctx *c, struct h2_state *st, struct h2_dir *d)
{
	if (!c->steer || !c->skip_next)
		return;
	if (d->dead || d->degraded || st->grpc || st->doh || st->llm || !st->requested ||
	    d->preface_left) {
		if (d->walked)
			c->steer(c, XDPI_MSG_COPY, 0);
		d->walked = false;
		return;
	}
	if (data_skippable(c, d) && d->fgot < d->flen)
		c->skip_next(c, d->flen - d->fgot);
	if (d->walked && !d->resync)
		return;
	if (d->fh_len == 0) /* the next byte is a frame header */
		c->steer(c, XDPI_MSG_H2, 0);
	else if (data_skippable(c, d)) /* inside a DATA payload: its end */
		c->steer(c, XDPI_MSG_H2, d->flen - d->fgot);
	else
		return; /* inside another frame: next time */
	d->walked = true;
	d->resync = false;
}

static enum xdpi_dissect_status h2_parse(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len)
{
	struct h2_state *st = c->state;
	struct h2_dir *d = &st->dir[c->dir & 1];

	if (c->steer && !d->walked) /* every frame: the header table needs every HEADERS frame */
		c->steer(c, XDPI_MSG_COPY, 0);
	/* both decoders at once: a SETTINGS from one side resizes the other's */
	for (int i = 0; i < 2; i++)
		if (!st->dir[i].inf && nghttp2_hd_inflate_new(&st->dir[i].inf))
			return XDPI_DISSECT_MALFORMED;
	if (c->gap) { /* frames and the header table are both unknown from here */
		d->dead = true;
		d->degraded = true;
	}
	if (c->dir == 0 && !d->preface_left && !d->fh_len && !d->fgot && !memcmp(buf, "PRI ", len < 4 ? len : 4))
		d->preface_left = PREFACE_LEN;
	while (len && !d->dead) {
		size_t used;

		if (d->preface_left) {
			used = d->preface_left < len ? d->preface_left : len;
			d->preface_left -= (uint32_t)used;
		} else {
			used = frame_bytes(c, d, buf, len);
		}
		buf += used, len -= used;
	}
	want_frames(c, st, d);
	return XDPI_DISSECT_OK;
}

/* Unseen bytes of this direction, as asked: the rest of DATA payloads. Anything else unseen
 * leaves the frames unknown from here. */
static void h2_skip(struct xdpi_dissect_ctx *c, size_t len)
{
	struct h2_state *st = c->state;
	struct h2_dir *d = &st->dir[c->dir & 1];

	while (len && !d->dead) {
		uint32_t n;

		if (!data_skippable(c, d) || d->fgot >= d->flen) {
			d->dead = true;
			d->degraded = true;
			return;
		}
		n = d->flen - d->fgot < len ? d->flen - d->fgot : (uint32_t)len;
		data_skipped(c, d, n);
		len -= n;
	}
	want_frames(c, st, d);
}

static void h2_flow_end(struct xdpi_dissect_ctx *c)
{
	struct h2_state *st = c->state;

	for (uint32_t i = 0; i < st->cap; i++)
		if (st->streams[i].used)
			stream_emit(c, &st->streams[i]);
	free(st->streams);
	st->streams = NULL;
	st->cap = 0;
	for (int i = 0; i < 2; i++) {
		free(st->dir[i].buf);
		free(st->dir[i].block);
		if (st->dir[i].inf)
			nghttp2_hd_inflate_del(st->dir[i].inf);
		memset(&st->dir[i], 0, sizeof(st->dir[i]));
	}
}

const struct xdpi_dissector xdpi_dissector_http2 = {
	.name = "http2",
	.l4 = XDPI_L4_TCP,
	.ports = { 50051, 8080, 3000 },
	.state_size = sizeof(struct h2_state),
	.probe = h2_probe,
	.parse = h2_parse,
	.flow_end = h2_flow_end,
	.skip = h2_skip,
};
