// SPDX-License-Identifier: GPL-2.0
/* Response heads and bodies as browsers read them (see xdpi/http_decode.h). The rules follow
 * libhtp's, because Suricata's answers are the yardstick and because an evasion is exactly a
 * message one reader takes differently from another: a line may end in a bare CR, a field may
 * be folded, repeated, or carry NUL bytes and blanks around its name; a body may be encoded
 * twice, or claim gzip and carry raw deflate, or carry nothing encoded at all. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include "xdpi/http_decode.h"

#define LAYERS_MAX 8       /* decoders per body, whatever the limit says */
#define OUT_BUF 8192       /* inflated bytes handed on at a time */
#define FIELD_REPEATS 64   /* repetitions of one field that still count (libhtp's) */

static unsigned decode_layers = 2; /* Suricata's default */

void xdpi_http_set_decode_layers(unsigned n)
{
	decode_layers = n;
}

unsigned xdpi_http_decode_layers(void)
{
	return decode_layers;
}

/* ---- lines of a response head ---- */

static bool is_lws(char c)
{
	return c == ' ' || c == '\t';
}

static size_t chomp(const char *l, size_t n)
{
	while (n && (l[n - 1] == '\n' || l[n - 1] == '\r'))
		n--;
	return n;
}

/* The status line (or a blank line before it): bytes up to and with its end, 0 while
 * incomplete. A CR not followed by LF ends it as LF does. */
static size_t status_line_bytes(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n')
			return i + 1;
		if (p[i] == '\r') {
			if (i + 1 == len)
				return 0;
			if (p[i + 1] != '\n')
				return i + 1;
		}
	}
	return 0;
}

static bool raw_empty(const char *l, size_t n)
{
	return (n == 1 && (l[0] == '\n' || l[0] == '\r')) ||
	       (n == 2 && l[0] == '\r' && l[1] == '\n');
}

/* A header line: bytes up to and with its end (CRLF, LF, LF CR, or a CR before anything but
 * CR and LF), 0 while incomplete. A CR that would make a line of its own belongs to the next. */
static size_t header_line_bytes(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n')
			return i + 1 < len && p[i + 1] == '\r' ? i + 2 : i + 1;
		if (p[i] != '\r')
			continue;
		if (i + 1 == len)
			return 0;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] != '\r' && i + 1 >= 2)
			return i + 1;
	}
	return 0;
}

enum line_kind { LINE_FIELD, LINE_END, LINE_NEED_MORE };

/* Does the header line L (N bytes with its end, NEXT bytes after it) end the head? A blank
 * line does; so does a lone blank before LF when the next line does not start with LF. */
static enum line_kind line_kind(const char *l, size_t n, const char *next, size_t next_len)
{
	if (raw_empty(l, n))
		return LINE_END;
	if (n == 2 && is_lws(l[0]) && l[1] == '\n') {
		if (!next_len)
			return LINE_NEED_MORE;
		return next[0] != '\n' ? LINE_END : LINE_FIELD;
	}
	return LINE_FIELD;
}

/* Offset of the status line after the blank lines before it; sets *n to its bytes. */
static size_t status_line_at(const char *p, size_t len, size_t *n)
{
	size_t off = 0;

	while ((*n = status_line_bytes(p + off, len - off)) && raw_empty(p + off, *n))
		off += *n;
	return off;
}

size_t xdpi_http_resp_head_end(const char *p, size_t len)
{
	size_t n, off = status_line_at(p, len, &n);

	if (!n)
		return 0;
	for (off += n; (n = header_line_bytes(p + off, len - off)); off += n) {
		enum line_kind k = line_kind(p + off, n, p + off + n, len - off - n);

		if (k == LINE_NEED_MORE)
			return 0;
		if (k == LINE_END)
			return off + n;
	}
	return 0;
}

bool xdpi_http_resp_may_start(const char *p, size_t len)
{
	static const char http[] = "http";
	size_t i = 0, k;

	while (i < len && (isspace((unsigned char)p[i]) || !p[i]))
		i++;
	for (k = 0; k < 4 && i + k < len; k++)
		if (tolower((unsigned char)p[i + k]) != http[k])
			return false;
	return true;
}

/* ---- fields ---- */

/* NAME (lower case) equals the N bytes at S, case and NUL bytes ignored. */
static bool name_is(const char *s, size_t n, const char *name)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!s[i])
			continue;
		if (!name[k] || tolower((unsigned char)s[i]) != name[k])
			return false;
		k++;
	}
	return !name[k];
}

/* Does WORD (lower case) occur in the N bytes at S, case and NUL bytes in S ignored? */
static bool has_word(const char *s, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i, k = 0;

		while (word[k] && j < n) {
			if (!s[j]) {
				j++;
				continue;
			}
			if (tolower((unsigned char)s[j]) != word[k])
				break;
			j++, k++;
		}
		if (!word[k])
			return true;
	}
	return false;
}

static int64_t content_length(const char *v, size_t n)
{
	size_t i = 0;
	int64_t r = 0;

	while (i < n && (v[i] < '0' || v[i] > '9'))
		i++; /* blanks and junk before the digits */
	if (i == n)
		return -1;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		if (r > (INT64_MAX - 9) / 10)
			return -1;
		r = r * 10 + (v[i] - '0');
	}
	return r;
}

struct fields {
	struct xdpi_http_resp_info *info;
	char te[256];
	size_t te_len;
	unsigned repeats;
	bool http11;
};

static void append(char *dst, size_t *len, size_t cap, const char *s, size_t n, bool again)
{
	if (again && *len + 2 < cap) {
		memcpy(dst + *len, ", ", 2);
		*len += 2;
	}
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(dst + *len, s, n);
	*len += n;
	dst[*len] = '\0';
}

/* One field, folded lines joined: name up to the colon without the blanks and control
 * bytes before it, value after the blanks that follow it. */
static void field(struct fields *f, const char *h, size_t n)
{
	struct xdpi_http_resp_info *in = f->info;
	const char *colon = memchr(h, ':', n), *v;
	size_t nl, vl;

	if (!colon)
		return; /* no name: nothing that frames the body */
	for (nl = (size_t)(colon - h); nl && (unsigned char)h[nl - 1] <= 0x20; nl--)
		;
	for (v = colon + 1, vl = n - (size_t)(v - h); vl && is_lws(*v); v++, vl--)
		;
	if (name_is(h, nl, "transfer-encoding")) {
		if (in->has_te && ++f->repeats > FIELD_REPEATS)
			return;
		append(f->te, &f->te_len, sizeof(f->te), v, vl, in->has_te);
		in->has_te = true;
	} else if (name_is(h, nl, "content-encoding")) {
		if (in->has_ce && ++f->repeats > FIELD_REPEATS)
			return;
		append(in->ce, &in->ce_len, sizeof(in->ce), v, vl, in->has_ce);
		in->has_ce = true;
	} else if (name_is(h, nl, "content-length") && !in->has_cl) {
		in->has_cl = true; /* a repeated length: the first one counts */
		in->content_length = content_length(v, vl);
	}
}

static bool folding(char c)
{
	return is_lws(c) || !c;
}

/* Folds header lines into fields: a line starting with a blank or NUL continues the one
 * before, unless (HTTP/1.1) both hold a colon: then it is a field of its own, less its
 * first byte. */
static void header_lines(struct fields *f, const char *p, size_t len)
{
	char cur[1024];
	size_t cn = 0, n;
	bool have = false;

	for (size_t off = 0; (n = header_line_bytes(p + off, len - off)); off += n) {
		const char *l = p + off;
		size_t ln = chomp(l, n);

		if (line_kind(l, n, l + n, len - off - n) == LINE_END)
			break;
		if (ln && !folding(l[0])) {
			if (have)
				field(f, cur, cn);
			cn = 0;
			append(cur, &cn, sizeof(cur), l, ln, false);
			have = true;
		} else if (have && ln && f->http11 && memchr(l, ':', ln) && memchr(cur, ':', cn)) {
			field(f, cur, cn);
			cn = 0;
			append(cur, &cn, sizeof(cur), l + 1, ln - 1, false);
		} else {
			append(cur, &cn, sizeof(cur), l, ln, false);
			have = true;
		}
	}
	if (have)
		field(f, cur, cn);
}

/* The status code: digits with blanks around and nothing else, 100..999; 0 otherwise. */
static int status_code(const char *s, size_t n)
{
	int v = 0;
	size_t i = 0, d;

	while (i < n && is_lws(s[i]))
		i++;
	for (d = 0; i < n && isdigit((unsigned char)s[i]) && d < 4; i++, d++)
		v = v * 10 + (s[i] - '0');
	while (i < n && is_lws(s[i]))
		i++;
	return i == n && d && v >= 100 && v <= 999 ? v : 0;
}

static void status_line(struct xdpi_http_resp_info *in, const char *l, size_t n, bool *http11)
{
	size_t i = 0, ps, ss;

	while (i < n && isspace((unsigned char)l[i]))
		i++;
	for (ps = i; i < n && !isspace((unsigned char)l[i]); i++)
		;
	*http11 = i - ps == 8 && !strncasecmp(l + ps, "HTTP/1.1", 8);
	while (i < n && isspace((unsigned char)l[i]))
		i++;
	for (ss = i; i < n && !isspace((unsigned char)l[i]); i++)
		;
	in->status = status_code(l + ss, i - ss);
}

void xdpi_http_resp_parse(const char *p, size_t len, struct xdpi_http_resp_info *in)
{
	struct fields f = { .info = in };
	size_t n, off = status_line_at(p, len, &n);

	memset(in, 0, sizeof(*in));
	in->content_length = -1;
	if (!n)
		return;
	in->line_off = off;
	in->line_len = chomp(p + off, n);
	status_line(in, p + off, in->line_len, &f.http11);
	header_lines(&f, p + off + n, len - off - n);
	in->chunked = in->has_te && has_word(f.te, f.te_len, "chunked");
}

/* ---- chunk sizes ---- */

int64_t xdpi_http_chunk_size(const char *l, size_t n)
{
	int64_t v = 0;
	size_t i = 0, d = 0;

	while (i < n && (l[i] == '\r' || l[i] == '\n' || l[i] == ' ' || l[i] == '\t' ||
			 l[i] == '\v' || l[i] == '\f'))
		i++;
	if (i == n)
		return -2;
	for (; i < n && isxdigit((unsigned char)l[i]); i++, d++) {
		if (v > 0x7fffffff / 16)
			return -1;
		v = v * 16 + (isdigit((unsigned char)l[i]) ? l[i] - '0' : (tolower((unsigned char)l[i]) - 'a' + 10));
	}
	return d ? v : -1;
}

/* ---- content decoding ---- */

enum coding { CODING_GZIP, CODING_DEFLATE, CODING_OTHER };

struct layer {
	z_stream z;
	enum coding kind;
	bool live, passthrough, ended;
	unsigned restarts;
	uint8_t *out;
};

struct xdpi_http_decoder {
	struct layer l[LAYERS_MAX];
	unsigned n;
	bool stopped; /* the sink has what it wants */
	xdpi_http_sink sink;
	void *arg;
};

static bool zinit(struct layer *l, enum coding kind)
{
	memset(&l->z, 0, sizeof(l->z));
	l->kind = kind;
	/* gzip: header auto-detected (gzip or zlib); deflate: raw */
	l->live = inflateInit2(&l->z, kind == CODING_GZIP ? 15 + 32 : -15) == Z_OK;
	l->z.next_out = l->out;
	l->z.avail_out = OUT_BUF;
	return l->live;
}

static bool add_layer(struct xdpi_http_decoder *d, enum coding kind)
{
	struct layer *l = &d->l[d->n];

	if (d->n == LAYERS_MAX || !(l->out = malloc(OUT_BUF)))
		return false;
	d->n++;
	if (kind == CODING_OTHER) /* lzma and the like: not decoded, passed on */
		l->passthrough = true;
	else if (!zinit(l, kind))
		l->passthrough = true;
	return true;
}

static bool exact(const char *s, size_t n, const char *a, const char *b)
{
	return name_is(s, n, a) || name_is(s, n, b);
}

/* Content-Encoding: one known value exactly (case and NUL ignored), or a list of tokens
 * (split at commas and blanks) each of which names a coding by containing its name. */
struct xdpi_http_decoder *xdpi_http_decoder_new(const char *ce, size_t len, unsigned max_layers)
{
	struct xdpi_http_decoder *d = calloc(1, sizeof(*d));
	unsigned tokens = 0;

	if (!d)
		return NULL;
	if (exact(ce, len, "gzip", "x-gzip")) {
		add_layer(d, CODING_GZIP);
	} else if (exact(ce, len, "deflate", "x-deflate")) {
		add_layer(d, CODING_DEFLATE);
	} else if (exact(ce, len, "lzma", "inflate")) {
		; /* lzma is not decoded here; "inflate" means nothing */
	} else {
		for (size_t i = 0; i < len;) {
			size_t j = i;

			while (j < len && ce[j] != ',' && ce[j] != ' ')
				j++;
			if (j > i) {
				const char *t = ce + i;
				size_t tn = j - i;

				if (max_layers && ++tokens > max_layers)
					break;
				if (has_word(t, tn, "gzip"))
					add_layer(d, CODING_GZIP);
				else if (has_word(t, tn, "deflate"))
					add_layer(d, CODING_DEFLATE);
				else if (has_word(t, tn, "lzma"))
					add_layer(d, CODING_OTHER);
			}
			i = j + 1;
		}
	}
	if (!d->n) {
		free(d);
		return NULL;
	}
	return d;
}

/* The gzip header's optional parts a strict inflater stumbles on: how far to skip. */
static size_t gzip_header_skip(const uint8_t *p, size_t n)
{
	size_t k;

	if (n < 4 || p[0] != 0x1f || p[1] != 0x8b || !p[3])
		return 0;
	if (p[3] & 0x18) { /* FNAME or FCOMMENT: up to its NUL */
		for (k = 10; k < n && p[k]; k++)
			;
		k++;
	} else {
		k = p[3] & 0x02 ? 12 : 10; /* FHCRC */
	}
	return k > n ? 0 : k;
}

/* After a failed inflate: the same format past the header's extras, then the other format;
 * three tries in all. Returns the offset to start from again, or -1: give up. */
static long restart(struct layer *l, const uint8_t *p, size_t n)
{
	enum coding kind = l->kind;

	if (l->restarts >= 3)
		return -1;
	if (l->restarts++)
		kind = kind == CODING_GZIP ? CODING_DEFLATE : CODING_GZIP;
	if (!zinit(l, kind))
		return -1;
	return (long)gzip_header_skip(p, n);
}

static void feed(struct xdpi_http_decoder *d, unsigned i, const uint8_t *p, size_t n);

static void hand_on(struct xdpi_http_decoder *d, unsigned i)
{
	struct layer *l = &d->l[i];
	size_t have = OUT_BUF - l->z.avail_out;

	if (have)
		feed(d, i + 1, l->out, have);
	l->z.next_out = l->out;
	l->z.avail_out = OUT_BUF;
}

/* Inflates P into layer I; what comes out goes to layer I+1 (the sink after the last). */
static void feed(struct xdpi_http_decoder *d, unsigned i, const uint8_t *p, size_t n)
{
	struct layer *l = &d->l[i];
	long from = 0;

	if (d->stopped || !n)
		return;
	if (i == d->n) {
		d->stopped = !d->sink(d->arg, p, n);
		return;
	}
	if (l->passthrough) {
		feed(d, i + 1, p, n);
		return;
	}
	if (l->ended)
		return; /* bytes after the end of the compressed stream */
again:
	l->z.next_in = (Bytef *)(uintptr_t)(p + from);
	l->z.avail_in = (uInt)(n - (size_t)from);
	while (l->z.avail_in && !d->stopped) {
		int rc;

		if (!l->z.avail_out)
			hand_on(d, i);
		rc = inflate(&l->z, Z_NO_FLUSH);
		if (rc == Z_DATA_ERROR && l->z.avail_out < OUT_BUF)
			rc = Z_STREAM_END; /* what inflated before the damage counts */
		if (rc == Z_STREAM_END) {
			hand_on(d, i);
			inflateEnd(&l->z);
			l->live = false;
			l->ended = true;
			return;
		}
		if (rc != Z_OK) {
			inflateEnd(&l->z);
			l->live = false;
			if ((from = restart(l, p, n)) >= 0)
				goto again;
			l->passthrough = true; /* not compressed after all: the bytes as they are */
			feed(d, i + 1, p, n);
			return;
		}
	}
}

void xdpi_http_decode(struct xdpi_http_decoder *d, const uint8_t *p, size_t n,
		      xdpi_http_sink sink, void *arg)
{
	if (!d)
		return;
	d->sink = sink;
	d->arg = arg;
	feed(d, 0, p, n);
}

void xdpi_http_decode_end(struct xdpi_http_decoder *d, xdpi_http_sink sink, void *arg)
{
	if (!d)
		return;
	d->sink = sink;
	d->arg = arg;
	for (unsigned i = 0; i < d->n; i++)
		if (!d->l[i].passthrough)
			hand_on(d, i);
}

void xdpi_http_decoder_free(struct xdpi_http_decoder *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->n; i++) {
		if (d->l[i].live)
			inflateEnd(&d->l[i].z);
		free(d->l[i].out);
	}
	free(d);
}
