// SPDX-License-Identifier: GPL-2.0
/* The streaming JSON scanner (include/xdpi/jscan.h): one byte at a time through a small state
 * machine, so that a body may arrive in any pieces and never be held. RFC 8259's grammar;
 * numbers are checked for their alphabet only (their value is the reader's business). */
#include <string.h>
#include "xdpi/jscan.h"

enum st {
	S_VALUE,     /* a value is due */
	S_ARR_FIRST, /* after '[': a value or ']' */
	S_OBJ_FIRST, /* after '{': a key or '}' */
	S_KEY,       /* after ',' in an object: a key */
	S_COLON,     /* after a key */
	S_AFTER,     /* after a value: ',' or a closing bracket */
	S_STRING,
	S_ESC,
	S_UNICODE,
	S_LIT,
	S_DONE,
	S_ERROR,
};

#define UNNAMED 0xffff /* a path too long to name */

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void fail(struct xdpi_jscan *s)
{
	s->st = S_ERROR;
	s->result = XDPI_JSCAN_ERROR;
}

void xdpi_jscan_init(struct xdpi_jscan *s, const struct xdpi_jscan_cb *cb, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->cb = cb;
	s->ctx = ctx;
	s->st = S_VALUE;
}

/* ---- paths ---- */

/* The path of the value about to start: the container's, plus ".key" or "[]". */
static uint16_t value_path(struct xdpi_jscan *s)
{
	uint16_t base = s->plen[s->depth];
	size_t add;

	if (base == UNNAMED)
		return UNNAMED;
	if (s->depth && s->frames[s->depth - 1] == 'a') {
		if (base + 2u > XDPI_JSCAN_PATH_MAX)
			return UNNAMED;
		memcpy(s->path + base, "[]", 3);
		return (uint16_t)(base + 2);
	}
	if (!s->depth)
		return 0; /* the document itself: "" */
	add = (base ? 1u : 0u) + s->key_len;
	if (s->key_trunc || base + add > XDPI_JSCAN_PATH_MAX)
		return UNNAMED;
	if (base)
		s->path[base] = '.';
	memcpy(s->path + base + (base ? 1 : 0), s->key, s->key_len);
	s->path[base + add] = '\0';
	return (uint16_t)(base + add);
}

/* The value callback for the value whose path is LEN bytes of s->path (value_path). */
static void report_at(struct xdpi_jscan *s, uint16_t len, enum xdpi_jscan_kind k, const char *v,
		      size_t n)
{
	if (len != UNNAMED && s->cb && s->cb->value) {
		s->path[len] = '\0';
		s->cb->value(s->ctx, s->path, k, v, n, s->trunc);
	}
}

static void report(struct xdpi_jscan *s, enum xdpi_jscan_kind k, const char *v, size_t n)
{
	report_at(s, value_path(s), k, v, n);
}

/* ---- containers ---- */

static void open_container(struct xdpi_jscan *s, char kind)
{
	uint16_t len;

	if (s->depth + 1 >= XDPI_JSCAN_DEPTH) {
		fail(s); /* deeper than any API body: refuse rather than guess */
		return;
	}
	len = value_path(s);
	report_at(s, len, kind == 'o' ? XDPI_JSCAN_OBJECT : XDPI_JSCAN_ARRAY, NULL, 0);
	s->frames[s->depth++] = (uint8_t)kind;
	s->plen[s->depth] = len;
	s->st = kind == 'o' ? S_OBJ_FIRST : S_ARR_FIRST;
}

/* A value ended: what follows depends on the container (or the end of the document). */
static void value_done(struct xdpi_jscan *s)
{
	s->trunc = false;
	if (!s->depth) {
		s->st = S_DONE;
		s->result = XDPI_JSCAN_DONE;
		return;
	}
	s->st = S_AFTER;
}

static void close_container(struct xdpi_jscan *s, char c)
{
	if (!s->depth || s->frames[s->depth - 1] != (c == '}' ? 'o' : 'a')) {
		fail(s);
		return;
	}
	s->depth--;
	value_done(s);
}

/* ---- strings ---- */

static void flush_text(struct xdpi_jscan *s)
{
	uint16_t len;

	if (!s->chunk_len)
		return;
	len = value_path(s);
	if (len != UNNAMED && s->cb && s->cb->text) {
		s->path[len] = '\0';
		s->cb->text(s->ctx, s->path, s->chunk, s->chunk_len, s->first_piece);
	}
	s->first_piece = false;
	s->chunk_len = 0;
}

static void str_byte(struct xdpi_jscan *s, char c)
{
	if (s->in_key) {
		if (s->key_len < sizeof(s->key) - 1)
			s->key[s->key_len++] = c;
		else
			s->key_trunc = true;
		return;
	}
	if (s->val_len < XDPI_JSCAN_VAL_MAX)
		s->val[s->val_len++] = c;
	else
		s->trunc = true;
	s->chunk[s->chunk_len++] = c;
	if (s->chunk_len == XDPI_JSCAN_CHUNK)
		flush_text(s);
}

static void put_codepoint(struct xdpi_jscan *s, uint32_t cp)
{
	if (cp < 0x80) {
		str_byte(s, (char)cp);
	} else if (cp < 0x800) {
		str_byte(s, (char)(0xc0 | cp >> 6));
		str_byte(s, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		str_byte(s, (char)(0xe0 | cp >> 12));
		str_byte(s, (char)(0x80 | ((cp >> 6) & 0x3f)));
		str_byte(s, (char)(0x80 | (cp & 0x3f)));
	} else {
		str_byte(s, (char)(0xf0 | cp >> 18));
		str_byte(s, (char)(0x80 | ((cp >> 12) & 0x3f)));
		str_byte(s, (char)(0x80 | ((cp >> 6) & 0x3f)));
		str_byte(s, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A \uXXXX escape's code unit: surrogate pairs join, a lone half becomes U+FFFD. */
static void code_unit(struct xdpi_jscan *s, uint32_t u)
{
	if (s->hi_surrogate) {
		uint32_t hi = s->hi_surrogate;

		s->hi_surrogate = 0;
		if (u >= 0xdc00 && u <= 0xdfff) {
			put_codepoint(s, 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00));
			return;
		}
		put_codepoint(s, 0xfffd);
	}
	if (u >= 0xd800 && u <= 0xdbff)
		s->hi_surrogate = u;
	else
		put_codepoint(s, u >= 0xdc00 && u <= 0xdfff ? 0xfffd : u);
}

static void lone_surrogate(struct xdpi_jscan *s)
{
	if (s->hi_surrogate) {
		s->hi_surrogate = 0;
		put_codepoint(s, 0xfffd);
	}
}

static void start_string(struct xdpi_jscan *s, bool key)
{
	s->in_key = key;
	s->st = S_STRING;
	if (key) {
		s->key_len = 0;
		s->key_trunc = false;
	} else {
		s->val_len = 0;
		s->chunk_len = 0;
		s->first_piece = true;
		s->trunc = false;
	}
}

static void end_string(struct xdpi_jscan *s)
{
	lone_surrogate(s);
	if (s->in_key) {
		s->key[s->key_len] = '\0';
		s->in_key = false;
		s->st = S_COLON;
		return;
	}
	flush_text(s);
	report(s, XDPI_JSCAN_STRING, s->val, s->val_len);
	value_done(s);
}

static void string_char(struct xdpi_jscan *s, char c)
{
	if (c == '"') {
		end_string(s);
	} else if (c == '\\') {
		s->st = S_ESC;
	} else if ((unsigned char)c < 0x20) {
		fail(s); /* control characters must be escaped */
	} else {
		lone_surrogate(s);
		str_byte(s, c);
	}
}

static void escape_char(struct xdpi_jscan *s, char c)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = c ? strchr(from, c) : NULL;

	if (c == 'u') {
		s->st = S_UNICODE;
		s->esc_left = 4;
		s->esc_cp = 0;
		return;
	}
	if (!e) {
		fail(s);
		return;
	}
	lone_surrogate(s);
	str_byte(s, to[e - from]);
	s->st = S_STRING;
}

static void unicode_char(struct xdpi_jscan *s, char c)
{
	int v = c >= '0' && c <= '9' ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

	if (v < 0) {
		fail(s);
		return;
	}
	s->esc_cp = s->esc_cp << 4 | (uint32_t)v;
	if (--s->esc_left)
		return;
	s->st = S_STRING;
	code_unit(s, s->esc_cp);
}

/* ---- numbers and literals ---- */

static bool lit_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' ||
	       c == '.' || c == 'E';
}

static bool number_text(const char *p, size_t n)
{
	if (!n || !(p[0] == '-' || (p[0] >= '0' && p[0] <= '9')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!strchr("0123456789+-.eE", p[i]))
			return false;
	return p[n - 1] >= '0' && p[n - 1] <= '9';
}

static void end_literal(struct xdpi_jscan *s)
{
	size_t n = s->lit_len;

	if (n == 4 && !memcmp(s->lit, "true", 4))
		report(s, XDPI_JSCAN_TRUE, s->lit, n);
	else if (n == 5 && !memcmp(s->lit, "false", 5))
		report(s, XDPI_JSCAN_FALSE, s->lit, n);
	else if (n == 4 && !memcmp(s->lit, "null", 4))
		report(s, XDPI_JSCAN_NULL, s->lit, n);
	else if (number_text(s->lit, n))
		report(s, XDPI_JSCAN_NUMBER, s->lit, n);
	else {
		fail(s);
		return;
	}
	value_done(s);
}

static void lit_byte(struct xdpi_jscan *s, char c)
{
	if (s->lit_len < sizeof(s->lit))
		s->lit[s->lit_len++] = c;
	else
		s->trunc = true; /* a long number: its first digits */
}

/* ---- the machine ---- */

static void value_start(struct xdpi_jscan *s, char c)
{
	if (c == '{' || c == '[')
		open_container(s, c == '{' ? 'o' : 'a');
	else if (c == '"')
		start_string(s, false);
	else if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
		s->st = S_LIT;
		s->lit_len = 0;
		lit_byte(s, c);
	} else
		fail(s);
}

static void after_value(struct xdpi_jscan *s, char c)
{
	if (c == ',')
		s->st = s->frames[s->depth - 1] == 'o' ? S_KEY : S_VALUE;
	else if (c == '}' || c == ']')
		close_container(s, c);
	else
		fail(s);
}

static void step(struct xdpi_jscan *s, char c)
{
	switch (s->st) {
	case S_STRING:
		string_char(s, c);
		return;
	case S_ESC:
		escape_char(s, c);
		return;
	case S_UNICODE:
		unicode_char(s, c);
		return;
	case S_LIT:
		if (lit_char(c)) {
			lit_byte(s, c);
			return;
		}
		end_literal(s);
		if (s->st != S_ERROR)
			step(s, c); /* the delimiter belongs to what follows */
		return;
	default:
		break;
	}
	if (blank(c))
		return;
	switch (s->st) {
	case S_VALUE:
		value_start(s, c);
		break;
	case S_ARR_FIRST:
		if (c == ']')
			close_container(s, c);
		else
			value_start(s, c);
		break;
	case S_OBJ_FIRST:
	case S_KEY:
		if (c == '"')
			start_string(s, true);
		else if (c == '}' && s->st == S_OBJ_FIRST)
			close_container(s, c);
		else
			fail(s);
		break;
	case S_COLON:
		if (c == ':')
			s->st = S_VALUE;
		else
			fail(s);
		break;
	case S_AFTER:
		after_value(s, c);
		break;
	default: /* S_DONE: only blanks may follow */
		fail(s);
	}
}

/* Inside a string value, a run of plain bytes (no quote, backslash or control character) is
 * copied as a whole: most of an API body is text. Returns the bytes taken. */
static size_t string_run(struct xdpi_jscan *s, const char *p, size_t n)
{
	size_t k = 0, done = 0, room, v;

	while (k < n && p[k] != '"' && p[k] != '\\' && (unsigned char)p[k] >= 0x20)
		k++;
	if (!k)
		return 0;
	lone_surrogate(s); /* may add to the value: the room is counted after it */
	room = XDPI_JSCAN_VAL_MAX - s->val_len;
	v = room < k ? room : k;
	memcpy(s->val + s->val_len, p, v);
	s->val_len += (uint32_t)v;
	s->trunc |= k > v; /* the value's first bytes only */
	while (done < k) {
		size_t c = XDPI_JSCAN_CHUNK - s->chunk_len < k - done ? XDPI_JSCAN_CHUNK - s->chunk_len
								     : k - done;

		memcpy(s->chunk + s->chunk_len, p + done, c);
		s->chunk_len += (uint32_t)c;
		done += c;
		if (s->chunk_len == XDPI_JSCAN_CHUNK)
			flush_text(s);
	}
	return k;
}

enum xdpi_jscan_state_kind xdpi_jscan_feed(struct xdpi_jscan *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n && s->st != S_ERROR;) {
		size_t k = s->st == S_STRING && !s->in_key ? string_run(s, p + i, n - i) : 0;

		if (!k) {
			step(s, p[i]);
			k = 1;
		}
		i += k;
		s->offset += k;
	}
	return s->result;
}

enum xdpi_jscan_state_kind xdpi_jscan_end(struct xdpi_jscan *s)
{
	if (s->st == S_LIT && !s->depth)
		end_literal(s);
	return s->result;
}
