// SPDX-License-Identifier: GPL-2.0
/* CIDR list files → entries for the kernel's LPM tries. One pass over the text, no
 * allocation per line, so a million-line feed parses in well under a second. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "xdpi/cidr_list.h"

#define CIDR_TOKEN_MAX 63 /* "ffff:...:ffff/128" is 43; anything longer is not an entry */

struct cidr_cursor {
	const char *name;
	uint32_t line;
	char *err;
	size_t errlen;
};

static int cidr_fail(const struct cidr_cursor *cur, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cidr_fail(const struct cidr_cursor *cur, size_t col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!cur->err || !cur->errlen)
		return -EINVAL;
	n = snprintf(cur->err, cur->errlen, "%s:%u:%zu: ", cur->name, cur->line, col + 1);
	if (n >= 0 && (size_t)n < cur->errlen) {
		va_start(ap, fmt);
		vsnprintf(cur->err + n, cur->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool starts_remark(char c)
{
	return c == ';' || c == '#';
}

static int cidr_push(struct xdpi_cidr_list *list, const struct xdpi_cidr *c)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 256;
		struct xdpi_cidr *grown = realloc(list->entries, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		list->entries = grown;
		list->cap = cap;
	}
	list->entries[list->count++] = *c;
	if (c->family == AF_INET)
		list->v4++;
	return 0;
}

/* The first set bit at or past PREFIX_LEN, or -1 if the host part is all zero. */
static int first_host_bit(const uint8_t *addr, unsigned int bits, unsigned int prefix_len)
{
	for (unsigned int b = prefix_len; b < bits; b++)
		if (addr[b / 8] & (0x80u >> (b % 8)))
			return (int)b;
	return -1;
}

/* "/LEN" at TOK+SLASH+1; COL is the token's column, for messages. */
static int parse_prefix_len(const struct cidr_cursor *cur, const char *tok, size_t slash,
			    size_t toklen, size_t col, unsigned int max, uint8_t *out)
{
	unsigned int v = 0;
	size_t i = slash + 1;

	if (i == toklen)
		return cidr_fail(cur, col + slash, "'/' without a prefix length");
	for (; i < toklen; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return cidr_fail(cur, col + i, "prefix length is not a number");
		v = v * 10 + (unsigned int)(tok[i] - '0');
		if (v > max)
			return cidr_fail(cur, col + slash + 1, "prefix length over %u", max);
	}
	*out = (uint8_t)v;
	return 0;
}

static int parse_entry(const struct cidr_cursor *cur, const char *tok, size_t toklen, size_t col,
		       struct xdpi_cidr *c)
{
	char addr[CIDR_TOKEN_MAX + 1];
	const char *slash = memchr(tok, '/', toklen);
	size_t alen = slash ? (size_t)(slash - tok) : toklen;
	unsigned int bits;
	int host_bit, err;

	if (toklen > CIDR_TOKEN_MAX)
		return cidr_fail(cur, col, "entry longer than %d characters", CIDR_TOKEN_MAX);
	memcpy(addr, tok, alen);
	addr[alen] = '\0';
	memset(c, 0, sizeof(*c));
	c->family = memchr(addr, ':', alen) ? AF_INET6 : AF_INET;
	bits = c->family == AF_INET ? 32 : 128;
	if (inet_pton(c->family, addr, c->addr) != 1)
		return cidr_fail(cur, col, "'%s' is not an %s address", addr,
				 c->family == AF_INET ? "IPv4" : "IPv6");
	c->prefix_len = (uint8_t)bits;
	if (slash) {
		err = parse_prefix_len(cur, tok, alen, toklen, col, bits, &c->prefix_len);
		if (err)
			return err;
	}
	host_bit = first_host_bit(c->addr, bits, c->prefix_len);
	if (host_bit >= 0)
		return cidr_fail(cur, col, "host bits set past /%u (bit %d); the network is /%u "
				 "of a different address", c->prefix_len, host_bit, c->prefix_len);
	c->line = cur->line;
	return 0;
}

/* One line without its newline: blank, comment, or ENTRY [remark]. */
static int parse_line(const struct cidr_cursor *cur, const char *s, size_t len,
		      struct xdpi_cidr_list *out)
{
	const char *nul = memchr(s, '\0', len);
	struct xdpi_cidr c;
	size_t i = 0, start;
	int err;

	if (nul)
		return cidr_fail(cur, (size_t)(nul - s), "NUL byte in a text file");
	if (len && s[len - 1] == '\r')
		len--; /* CRLF feeds */
	while (i < len && is_blank(s[i]))
		i++;
	if (i == len || starts_remark(s[i]))
		return 0;
	start = i;
	while (i < len && !is_blank(s[i]) && !starts_remark(s[i]))
		i++;
	err = parse_entry(cur, s + start, i - start, start, &c);
	if (err)
		return err;
	while (i < len && is_blank(s[i]))
		i++;
	if (i < len && !starts_remark(s[i]))
		return cidr_fail(cur, i, "unexpected text after the entry (a remark starts "
				 "with ';' or '#')");
	return cidr_push(out, &c);
}

int xdpi_cidr_list_parse(const char *name, const char *text, size_t len,
			 struct xdpi_cidr_list *out, char *err, size_t errlen)
{
	struct cidr_cursor cur = { .name = name, .err = err, .errlen = errlen };
	size_t count0 = out->count, v40 = out->v4, pos = 0;
	int rc = 0;

	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		cur.line++;
		rc = parse_line(&cur, text + pos, end - pos, out);
		pos = end + 1;
	}
	if (rc == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s:%u: out of memory after %zu entries", name, cur.line,
			 out->count - count0);
	if (rc) {
		out->count = count0; /* all or nothing */
		out->v4 = v40;
	}
	return rc;
}

static int read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	for (;;) {
		size_t got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(b);
				return -EIO;
			}
			break;
		}
		char *grown = realloc(b, cap * 2);

		if (!grown) {
			free(b);
			return -ENOMEM;
		}
		b = grown;
		cap *= 2;
	}
	*buf = b;
	*len = n;
	return 0;
}

int xdpi_cidr_list_load(const char *path, struct xdpi_cidr_list *out, char *err, size_t errlen)
{
	bool std = strcmp(path, "-") == 0;
	FILE *f = std ? stdin : fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = read_all(f, &text, &len);
	if (!std)
		fclose(f);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = xdpi_cidr_list_parse(std ? "<stdin>" : path, text, len, out, err, errlen);
	free(text);
	return rc;
}

void xdpi_cidr_list_free(struct xdpi_cidr_list *list)
{
	free(list->entries);
	memset(list, 0, sizeof(*list));
}

void xdpi_cidr_format(const struct xdpi_cidr *c, char *buf, size_t buflen)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, c->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, buflen, "%s/%u", a, c->prefix_len);
}
