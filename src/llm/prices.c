// SPDX-License-Identifier: GPL-2.0
/* The price table: what a model's tokens cost, in USD per million tokens, as the user writes
 * it (list prices change; none are shipped as truth, see contrib/llm-prices.example).
 *
 *   # model            input  output  [cache_read  [cache_write]]
 *   gpt-4o-mini         0.15    0.60    0.075
 *   claude-sonnet-4-*   3.00   15.00    0.30        3.75
 *
 * '*' matches any run of characters; the first line that matches a model wins. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/llm.h"
#include "xdpi/text_file.h"

struct loader {
	struct xdpi_llm_prices *p;
	size_t cap;
	struct xdpi_text_pos pos;
};

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* A price at s[*i]: a non-negative decimal. */
static int price(struct loader *ld, const char *s, size_t len, size_t *i, const char *what,
		 double *out)
{
	char buf[32], *end;
	size_t start = *i, n = 0;

	while (*i < len && s[*i] != ' ' && s[*i] != '\t')
		(*i)++, n++;
	if (!n)
		return xdpi_text_fail(&ld->pos, start, "missing %s price (USD per million tokens)", what);
	if (n >= sizeof(buf))
		return xdpi_text_fail(&ld->pos, start, "%s price too long", what);
	memcpy(buf, s + start, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (*end || errno || !isfinite(*out) || *out < 0 || !isdigit((unsigned char)buf[0]))
		return xdpi_text_fail(&ld->pos, start, "%s price '%s' is not a non-negative number",
				      what, buf);
	return 0;
}

static int add_row(struct loader *ld, const struct xdpi_llm_price *row)
{
	if (ld->p->n == ld->cap) {
		size_t cap = ld->cap ? ld->cap * 2 : 16;
		void *q = realloc(ld->p->rows, cap * sizeof(*row));

		if (!q)
			return xdpi_text_fail(&ld->pos, 0, "out of memory");
		ld->p->rows = q;
		ld->cap = cap;
	}
	ld->p->rows[ld->p->n++] = *row;
	return 0;
}

static int price_line(void *ctx, uint32_t line, const char *s, size_t len)
{
	static const char *const what[] = { "input", "output", "cache read", "cache write" };
	struct loader *ld = ctx;
	struct xdpi_llm_price row = { .cache_read = -1, .cache_write = -1 };
	double *field[] = { &row.input, &row.output, &row.cache_read, &row.cache_write };
	size_t i = skip_blanks(s, len, 0), m = i;
	int rc;

	ld->pos.line = line;
	if (i == len || s[i] == '#')
		return 0;
	while (m < len && s[m] != ' ' && s[m] != '\t')
		m++;
	if (m - i >= sizeof(row.model))
		return xdpi_text_fail(&ld->pos, i, "model name longer than %zu bytes",
				      sizeof(row.model) - 1);
	memcpy(row.model, s + i, m - i);
	for (int k = 0; k < 4; k++) {
		i = skip_blanks(s, len, m);
		if (k >= 2 && (i == len || s[i] == '#'))
			break; /* the cache prices are optional */
		if ((rc = price(ld, s, len, &i, what[k], field[k])))
			return rc;
		m = i;
	}
	i = skip_blanks(s, len, m);
	if (i < len && s[i] != '#')
		return xdpi_text_fail(&ld->pos, i, "unexpected text after the prices");
	return add_row(ld, &row);
}

int xdpi_llm_prices_load(struct xdpi_llm_prices *p, const char *file, char *err, size_t errlen)
{
	struct loader ld = { .p = p, .pos = { .name = file, .err = err, .errlen = errlen } };
	char *text;
	size_t len;
	int rc;

	memset(p, 0, sizeof(*p));
	if (xdpi_text_read(file, &text, &len, err, errlen))
		return -1;
	rc = xdpi_text_lines(text, len, price_line, &ld, NULL);
	free(text);
	if (rc) {
		xdpi_llm_prices_free(p);
		return -1;
	}
	return 0;
}

void xdpi_llm_prices_free(struct xdpi_llm_prices *p)
{
	if (!p)
		return;
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
}

const struct xdpi_llm_price *xdpi_llm_price_find(const struct xdpi_llm_prices *p,
						 const char *model)
{
	for (size_t i = 0; p && model && i < p->n; i++)
		if (!fnmatch(p->rows[i].model, model, 0))
			return &p->rows[i];
	return NULL;
}
