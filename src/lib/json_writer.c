// SPDX-License-Identifier: GPL-2.0
/* JSON writer: values appended in order into one growable buffer. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/fmt.h"
#include "xdpi/json.h"

void xdpi_json_init(struct xdpi_json *j)
{
	memset(j, 0, sizeof(*j));
}

void xdpi_json_reset(struct xdpi_json *j)
{
	j->len = 0;
	j->depth = 0;
	j->need_comma[0] = false;
	j->oom = false;
	j->xdpi_extra = NULL;
	j->in_top_xdpi = false;
	if (j->buf)
		j->buf[0] = '\0';
}

void xdpi_json_free(struct xdpi_json *j)
{
	free(j->buf);
	xdpi_json_init(j);
}

static bool reserve(struct xdpi_json *j, size_t more)
{
	size_t cap;
	char *nb;

	if (j->oom)
		return false;
	if (j->len + more + 1 <= j->cap)
		return true;
	cap = j->cap ? j->cap : 256;
	while (cap < j->len + more + 1)
		cap *= 2;
	nb = realloc(j->buf, cap);
	if (!nb) {
		j->oom = true;
		return false;
	}
	j->buf = nb;
	j->cap = cap;
	return true;
}

static inline void put(struct xdpi_json *j, const char *s, size_t n)
{
	if (j->len + n + 1 > j->cap && !reserve(j, n)) /* room is the rule, growth the exception */
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void putc_(struct xdpi_json *j, char c)
{
	put(j, &c, 1);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes copied as they are inside a JSON string: printable ASCII but the quote and the
 * backslash. One table load per byte where four comparisons were. */
static const bool plain_byte[256] = {
	[0x20 ... 0x21] = true, /* '"' is 0x22 */
	[0x23 ... 0x5b] = true, /* '\\' is 0x5c */
	[0x5d ... 0x7e] = true,
};
_Static_assert('"' == 0x22 && '\\' == 0x5c, "the table's gaps are the quote and the backslash");

/* The bytes of S from the start that go out as they are. */
static size_t plain_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n && plain_byte[s[i]])
		i++;
	return i;
}

/* The rest of a string from its first byte that needs escaping, closed with its quote. */
static void put_escaped_rest(struct xdpi_json *j, const unsigned char *s, size_t n)
{
	char tmp[8];
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = s[i];
		size_t run = i + plain_prefix(s + i, n - i);

		if (run > i) { /* a run of printable ASCII, copied in one go */
			put(j, (const char *)s + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			tmp[0] = '\\', tmp[1] = (char)c;
			put(j, tmp, 2);
			i++;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			tmp[0] = '\\', tmp[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			put(j, tmp, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			put(j, tmp, 6);
			i++;
		} else if ((k = utf8_seq(s + i, n - i)) > 0) {
			put(j, (const char *)s + i, k);
			i += k;
		} else {
			/* not UTF-8: keep the byte's value visible as a code point */
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			put(j, tmp, 6);
			i++;
		}
	}
	put(j, "\"", 1);
}

/* LEAD (a comma before a key; 0 for none), STR as a JSON string, then TAIL (a key's colon;
 * 0 for none). Keys and most values need no escaping: they go out with their quotes, comma
 * and colon in one reservation and one copy, where five small copies were (each key of every
 * event took them). */
static void put_escaped(struct xdpi_json *j, char lead, const char *str, size_t n, char tail)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t plain = plain_prefix(s, n), whole = (lead != 0) + n + 2 + (tail != 0);
	char *o;

	if (plain < n) {
		if (lead)
			put(j, &lead, 1);
		put(j, "\"", 1);
		put(j, str, plain);
		put_escaped_rest(j, s + plain, n - plain);
		if (tail)
			put(j, &tail, 1);
		return;
	}
	if (j->len + whole + 1 > j->cap && !reserve(j, whole))
		return;
	o = j->buf + j->len;
	if (lead)
		*o++ = lead;
	*o++ = '"';
	memcpy(o, str, n);
	o += n;
	*o++ = '"';
	if (tail)
		*o++ = tail;
	*o = '\0';
	j->len += whole;
}

static void begin_value(struct xdpi_json *j, const char *key)
{
	char comma = j->need_comma[j->depth] ? ',' : 0;

	j->need_comma[j->depth] = true;
	if (key)
		put_escaped(j, comma, key, strlen(key), ':');
	else if (comma)
		putc_(j, comma);
}

static void open_(struct xdpi_json *j, const char *key, char c)
{
	if (j->depth == 1 && key && c == '{' && !strcmp(key, "xdpi"))
		j->in_top_xdpi = true;
	begin_value(j, key);
	putc_(j, c);
	if (j->depth + 1 < (int)(sizeof(j->need_comma) / sizeof(j->need_comma[0])))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct xdpi_json *j, char c);

/* The extra keys go in before the top-level "xdpi" object closes, or in one of their own
 * before the event closes. */
static void write_extra(struct xdpi_json *j, char c)
{
	void (*fn)(void *, struct xdpi_json *) = j->xdpi_extra;

	if (!fn || c != '}')
		return;
	if (j->depth == 2 && j->in_top_xdpi) {
		j->xdpi_extra = NULL;
		fn(j->xdpi_extra_ctx, j);
	} else if (j->depth == 1) {
		j->xdpi_extra = NULL;
		open_(j, "xdpi", '{');
		fn(j->xdpi_extra_ctx, j);
		close_(j, '}');
	}
}

static void close_(struct xdpi_json *j, char c)
{
	write_extra(j, c);
	if (j->depth == 2 && c == '}')
		j->in_top_xdpi = false;
	putc_(j, c);
	if (j->depth > 0)
		j->depth--;
}

void xdpi_json_obj_open(struct xdpi_json *j, const char *key)
{
	open_(j, key, '{');
}

void xdpi_json_obj_close(struct xdpi_json *j)
{
	close_(j, '}');
}

void xdpi_json_arr_open(struct xdpi_json *j, const char *key)
{
	open_(j, key, '[');
}

void xdpi_json_arr_close(struct xdpi_json *j)
{
	close_(j, ']');
}

void xdpi_json_strn(struct xdpi_json *j, const char *key, const char *s, size_t n)
{
	begin_value(j, key);
	put_escaped(j, 0, s, n, 0);
}

void xdpi_json_str(struct xdpi_json *j, const char *key, const char *s)
{
	xdpi_json_strn(j, key, s ? s : "", s ? strlen(s) : 0);
}

void xdpi_json_u64(struct xdpi_json *j, const char *key, uint64_t v)
{
	char tmp[24];

	begin_value(j, key);
	put(j, tmp, (size_t)(xdpi_fmt_u64(tmp, v) - tmp));
}

void xdpi_json_i64(struct xdpi_json *j, const char *key, int64_t v)
{
	char tmp[24];

	begin_value(j, key);
	put(j, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, v));
}

void xdpi_json_double(struct xdpi_json *j, const char *key, double v)
{
	char tmp[32];

	begin_value(j, key);
	if (!isfinite(v)) {
		put(j, "null", 4); /* JSON has no NaN or infinity */
		return;
	}
	put(j, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%.6g", v));
}

void xdpi_json_bool(struct xdpi_json *j, const char *key, bool v)
{
	begin_value(j, key);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void xdpi_json_null(struct xdpi_json *j, const char *key)
{
	begin_value(j, key);
	put(j, "null", 4);
}
