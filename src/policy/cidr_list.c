// SPDX-License-Identifier: GPL-2.0
/* CIDR list files → entries for the kernel's LPM tries. One pass over the text, no
 * allocation per line, so a million-line feed parses in well under a second. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "xdpi/cidr_list.h"
#include "xdpi/text_file.h"

#define CIDR_TOKEN_MAX 63 /* "ffff:...:ffff/128" is 43; anything longer is not an entry */

struct cidr_cursor {
	struct xdpi_text_pos pos;
	struct xdpi_cidr_list *out;
};

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
		return xdpi_text_fail(&cur->pos, col + slash, "'/' without a prefix length");
	for (; i < toklen; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return xdpi_text_fail(&cur->pos, col + i, "prefix length is not a number");
		v = v * 10 + (unsigned int)(tok[i] - '0');
		if (v > max)
			return xdpi_text_fail(&cur->pos, col + slash + 1, "prefix length over %u",
					      max);
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
		return xdpi_text_fail(&cur->pos, col, "entry longer than %d characters",
				      CIDR_TOKEN_MAX);
	memcpy(addr, tok, alen);
	addr[alen] = '\0';
	memset(c, 0, sizeof(*c));
	c->family = memchr(addr, ':', alen) ? AF_INET6 : AF_INET;
	bits = c->family == AF_INET ? 32 : 128;
	if (inet_pton(c->family, addr, c->addr) != 1)
		return xdpi_text_fail(&cur->pos, col, "'%s' is not an %s address", addr,
				 c->family == AF_INET ? "IPv4" : "IPv6");
	c->prefix_len = (uint8_t)bits;
	if (slash) {
		err = parse_prefix_len(cur, tok, alen, toklen, col, bits, &c->prefix_len);
		if (err)
			return err;
	}
	host_bit = first_host_bit(c->addr, bits, c->prefix_len);
	if (host_bit >= 0)
		return xdpi_text_fail(&cur->pos, col,
				      "host bits set past /%u (bit %d); the network is /%u "
				      "of a different address",
				      c->prefix_len, host_bit, c->prefix_len);
	c->line = cur->pos.line;
	return 0;
}

int xdpi_cidr_parse_token(const char *name, uint32_t line, size_t col, const char *tok,
			  size_t len, struct xdpi_cidr *c, char *err, size_t errlen)
{
	const struct cidr_cursor cur = { .pos = { name, line, err, errlen } };

	return parse_entry(&cur, tok, len, col, c);
}

/* One line without its newline: blank, comment, or ENTRY [remark]. */
static int parse_line(void *ctx, uint32_t line, const char *s, size_t len)
{
	struct cidr_cursor *cur = ctx;
	const char *nul = memchr(s, '\0', len);
	struct xdpi_cidr c;
	size_t i = 0, start;
	int err;

	cur->pos.line = line;
	if (nul)
		return xdpi_text_fail(&cur->pos, (size_t)(nul - s), "NUL byte in a text file");
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
		return xdpi_text_fail(&cur->pos, i,
				      "unexpected text after the entry (a remark starts "
				      "with ';' or '#')");
	return cidr_push(cur->out, &c);
}

int xdpi_cidr_list_parse(const char *name, const char *text, size_t len,
			 struct xdpi_cidr_list *out, char *err, size_t errlen)
{
	struct cidr_cursor cur = { .pos = { name, 0, err, errlen }, .out = out };
	size_t count0 = out->count, v40 = out->v4;
	int rc = xdpi_text_lines(text, len, parse_line, &cur, NULL);

	if (rc == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s:%u: out of memory after %zu entries", name, cur.pos.line,
			 out->count - count0);
	if (rc) {
		out->count = count0; /* all or nothing */
		out->v4 = v40;
	}
	return rc;
}

int xdpi_cidr_list_load(const char *path, struct xdpi_cidr_list *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc = xdpi_text_read(path, &text, &len, err, errlen);

	if (rc)
		return rc;
	rc = xdpi_cidr_list_parse(strcmp(path, "-") ? path : "<stdin>", text, len, out, err,
				  errlen);
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
