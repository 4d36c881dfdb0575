// SPDX-License-Identifier: GPL-2.0
/* Routes: request paths folded into the templates an API is documented with, so that
 * /users/42 and /users/43 are one endpoint. Operator templates win (the most literal one
 * when several match, as OpenAPI orders them); the rest are templated by what their
 * segments look like. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "xdpi/api.h"
#include "xdpi/text_file.h"

#define SEGS_MAX 32
#define PATTERN_MAX 256

#define PARAM UINT16_MAX

/* Offsets, not pointers: patterns move when the array grows. */
struct route_pattern {
	char text[PATTERN_MAX];
	uint16_t seg[SEGS_MAX], seglen[SEGS_MAX]; /* into text; PARAM for "{...}" */
	uint32_t nseg, literals;
};

struct xdpi_api_routes {
	struct route_pattern *p;
	size_t n, cap;
};

struct xdpi_api_routes *xdpi_api_routes__new(void)
{
	return calloc(1, sizeof(struct xdpi_api_routes));
}

void xdpi_api_routes__free(struct xdpi_api_routes *r)
{
	if (!r)
		return;
	free(r->p);
	free(r);
}

size_t xdpi_api_routes__count(const struct xdpi_api_routes *r)
{
	return r ? r->n : 0;
}

static bool is_param(const char *s, size_t n)
{
	return n >= 2 && s[0] == '{' && s[n - 1] == '}';
}

/* Splits P's segments into its own buffer. */
static int split_pattern(struct route_pattern *p, const char **why)
{
	const char *s = p->text + 1, *slash; /* past the leading '/' */

	while (*s) {
		size_t n;

		if (p->nseg == SEGS_MAX) {
			*why = "more than 32 segments";
			return -1;
		}
		slash = strchr(s, '/');
		n = slash ? (size_t)(slash - s) : strlen(s);
		if (!is_param(s, n) && (memchr(s, '{', n) || memchr(s, '}', n))) {
			*why = "a parameter must be a whole segment, as in /users/{id}";
			return -1;
		}
		p->seg[p->nseg] = is_param(s, n) ? PARAM : (uint16_t)(s - p->text);
		p->seglen[p->nseg++] = (uint16_t)n;
		p->literals += !is_param(s, n);
		if (!slash)
			break;
		s = slash + 1;
	}
	return 0;
}

int xdpi_api_routes__add(struct xdpi_api_routes *r, const char *pattern, const char **why)
{
	struct route_pattern *p;

	if (pattern[0] != '/') {
		*why = "a route pattern starts with '/'";
		return -1;
	}
	if (strlen(pattern) >= PATTERN_MAX) {
		*why = "a route pattern is at most 255 bytes";
		return -1;
	}
	if (strpbrk(pattern, " \t?#\"\\")) {
		*why = "a route pattern has no blanks, query, fragment, quote or backslash";
		return -1;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct route_pattern *np = realloc(r->p, cap * sizeof(*np));

		if (!np) {
			*why = "out of memory";
			return -1;
		}
		r->p = np, r->cap = cap;
	}
	p = &r->p[r->n];
	memset(p, 0, sizeof(*p));
	snprintf(p->text, sizeof(p->text), "%s", pattern);
	if (split_pattern(p, why))
		return -1;
	r->n++;
	return 0;
}

/* ---- loading ---- */

static int load_patterns(struct xdpi_api_routes *r, FILE *f, const char *file, char *err,
			 size_t errlen)
{
	char line[1024];
	unsigned lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;
		const char *why;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strcspn(s, "\r\n");
		*e = '\0';
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		if (xdpi_api_routes__add(r, s, &why)) {
			snprintf(err, errlen, "%s:%u:%d: %s", file, lineno, (int)(s - line) + 1, why);
			return -1;
		}
	}
	return 0;
}

static const char *scalar(yaml_document_t *d, yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(d, yaml_document_get_node(d, p->key));

		if (k && !strcmp(k, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

/* The path prefix every route of the document sits under: Swagger's basePath, or the path
 * of OpenAPI's first server URL. */
static void base_path(yaml_document_t *d, yaml_node_t *root, char *out, size_t n)
{
	const char *b = scalar(d, map_get(d, root, "basePath"));
	yaml_node_t *servers = map_get(d, root, "servers");

	out[0] = '\0';
	if (!b && servers && servers->type == YAML_SEQUENCE_NODE &&
	    servers->data.sequence.items.top > servers->data.sequence.items.start) {
		yaml_node_t *s0 = yaml_document_get_node(d, *servers->data.sequence.items.start);
		const char *url = scalar(d, map_get(d, s0, "url"));
		const char *scheme = url ? strstr(url, "://") : NULL;

		b = scheme ? strchr(scheme + 3, '/') : url;
	}
	if (b && b[0] == '/') {
		snprintf(out, n, "%s", b);
		while (*out && out[strlen(out) - 1] == '/')
			out[strlen(out) - 1] = '\0';
	}
}

static int load_openapi_paths(struct xdpi_api_routes *r, yaml_document_t *d, const char *file,
			      char *err, size_t errlen)
{
	yaml_node_t *root = yaml_document_get_root_node(d);
	yaml_node_t *paths = map_get(d, root, "paths");
	char base[PATTERN_MAX], full[PATTERN_MAX * 2];

	if (!paths || paths->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s:1:1: neither an OpenAPI document (no \"paths\" mapping) "
			 "nor a list of route patterns (lines starting with '/')", file);
		return -1;
	}
	base_path(d, root, base, sizeof(base));
	for (yaml_node_pair_t *p = paths->data.mapping.pairs.start; p < paths->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(d, p->key);
		const char *k = scalar(d, kn), *why = "a path key must be a string";

		if (k) {
			snprintf(full, sizeof(full), "%s%s", base, k);
			if (!xdpi_api_routes__add(r, full, &why))
				continue;
		}
		snprintf(err, errlen, "%s:%zu:%zu: %s", file, kn->start_mark.line + 1,
			 kn->start_mark.column + 1, why);
		return -1;
	}
	return 0;
}

static int load_openapi(struct xdpi_api_routes *r, FILE *f, const char *file, char *err,
			size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", file, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	rc = load_openapi_paths(r, &doc, file, err, errlen);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* A list of patterns when the first line that says something starts with '/'. */
static bool is_pattern_list(FILE *f)
{
	int ch;
	bool comment = false;

	while ((ch = fgetc(f)) != EOF) {
		if (comment) {
			comment = ch != '\n';
			continue;
		}
		if (ch == '#')
			comment = true;
		else if (!isspace(ch))
			break;
	}
	rewind(f);
	return ch == '/';
}

/* Read whole and bounded first (xdpi_text_read), then parsed from memory. */
int xdpi_api_routes__load(struct xdpi_api_routes *r, const char *file, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (xdpi_text_read(file, &text, &len, err, errlen))
		return -1;
	f = len ? fmemopen(text, len, "r") : fopen("/dev/null", "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		free(text);
		return -1;
	}
	rc = is_pattern_list(f) ? load_patterns(r, f, file, err, errlen)
				: load_openapi(r, f, file, err, errlen);
	fclose(f);
	free(text);
	return rc;
}

/* ---- matching ---- */

struct path_segs {
	const char *s[SEGS_MAX];
	size_t len[SEGS_MAX];
	uint32_t n;
	bool too_deep;
};

/* The path part of a request target: absolute-form loses scheme and authority; query and
 * fragment go. */
static size_t path_span(const char **path)
{
	const char *p = *path, *scheme = strstr(p, "://");

	if (scheme && p[0] != '/') {
		const char *slash = strchr(scheme + 3, '/');

		p = slash ? slash : "/";
	}
	*path = p;
	return strcspn(p, "?#");
}

static void split_path(const char *p, size_t n, struct path_segs *ps)
{
	size_t i = 1;

	ps->n = 0;
	ps->too_deep = false;
	while (i < n) {
		size_t j = i;

		while (j < n && p[j] != '/')
			j++;
		if (ps->n == SEGS_MAX) {
			ps->too_deep = true;
			return;
		}
		ps->s[ps->n] = p + i;
		ps->len[ps->n++] = j - i;
		i = j + 1;
	}
}

static bool pattern_matches(const struct route_pattern *rp, const struct path_segs *ps)
{
	if (rp->nseg != ps->n)
		return false;
	for (uint32_t i = 0; i < ps->n; i++) {
		if (rp->seg[i] == PARAM) {
			if (!ps->len[i])
				return false;
		} else if (rp->seglen[i] != ps->len[i] ||
			   memcmp(rp->text + rp->seg[i], ps->s[i], ps->len[i])) {
			return false;
		}
	}
	return true;
}

static bool all_of(const char *s, size_t n, int (*cls)(int))
{
	for (size_t i = 0; i < n; i++)
		if (!cls((unsigned char)s[i]))
			return false;
	return n > 0;
}

static bool has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isdigit((unsigned char)s[i]))
			return true;
	return false;
}

static bool is_uuid(const char *s, size_t n)
{
	static const size_t dash[] = { 8, 13, 18, 23 };

	if (n != 36)
		return false;
	for (size_t i = 0, d = 0; i < n; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static int is_token_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '=' || c == '.' || c == '~' || c == '%';
}

/* What an identifier segment becomes; NULL: a word worth keeping. */
static const char *segment_kind(const char *s, size_t n)
{
	if (all_of(s, n, isdigit))
		return "{int}";
	if (is_uuid(s, n))
		return "{uuid}";
	if (all_of(s, n, isxdigit) && (n >= 16 || (n >= 8 && has_digit(s, n))))
		return "{hex}";
	if (n >= 20 && has_digit(s, n) && all_of(s, n, is_token_char))
		return "{token}";
	return NULL;
}

static void put(char *out, size_t n, size_t *at, const char *s, size_t len)
{
	if (*at + len >= n)
		len = *at < n - 1 ? n - 1 - *at : 0;
	memcpy(out + *at, s, len);
	*at += len;
	out[*at] = '\0';
}

static void auto_template(const struct path_segs *ps, char *out, size_t n)
{
	size_t at = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < ps->n; i++) {
		const char *kind = segment_kind(ps->s[i], ps->len[i]);

		put(out, n, &at, "/", 1);
		if (kind)
			put(out, n, &at, kind, strlen(kind));
		else
			put(out, n, &at, ps->s[i], ps->len[i]);
	}
	if (!ps->n)
		put(out, n, &at, "/", 1);
}

bool xdpi_api_route(const struct xdpi_api_routes *r, const char *path, char *out, size_t n)
{
	const struct route_pattern *best = NULL;
	struct path_segs ps;
	size_t len;

	if (!path || !*path) {
		snprintf(out, n, "unknown");
		return false;
	}
	len = path_span(&path);
	if (path[0] != '/') { /* "*" (OPTIONS), an authority (CONNECT) */
		snprintf(out, n, "%s", path[0] == '*' ? "*" : "other");
		return false;
	}
	split_path(path, len, &ps);
	if (ps.too_deep) {
		snprintf(out, n, "other");
		return false;
	}
	for (size_t i = 0; r && i < r->n; i++)
		if (pattern_matches(&r->p[i], &ps) && (!best || r->p[i].literals > best->literals))
			best = &r->p[i];
	if (best) {
		snprintf(out, n, "%s", best->text);
		return true;
	}
	auto_template(&ps, out, n);
	return false;
}
