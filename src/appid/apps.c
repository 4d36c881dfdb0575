// SPDX-License-Identifier: GPL-2.0
/* Application names from domain names: a table of DNS suffixes ("googlevideo.com") to an
 * application and its category, from the compiled-in default (data/apps.conf) and the user's
 * files. A name is looked up by its longest listed suffix on a label boundary. Loaded before
 * traffic, read-only while flows are inspected (the workers share it). */
#define _GNU_SOURCE /* memmem, strndup */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"
#include "xdpi/text_file.h"

#define NAME_MAX_LEN 32    /* an application or category name */
#define SUFFIX_MAX_LEN 253 /* a DNS name */
#define APPS_MAX 65535     /* a flow keeps the index in 16 bits */

struct suffix_slot {
	char *suffix; /* NULL: free */
	uint16_t app;
};

static struct {
	struct xdpi_app *apps;
	size_t n_apps, cap_apps;
	struct suffix_slot *slots;
	size_t n_slots, cap_slots; /* cap: a power of two, kept under half full */
} t;

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static struct suffix_slot *slot_of(const char *s, size_t len)
{
	size_t mask = t.cap_slots - 1;

	for (size_t i = hash(s, len) & mask;; i = (i + 1) & mask)
		if (!t.slots[i].suffix || (strlen(t.slots[i].suffix) == len && !memcmp(t.slots[i].suffix, s, len)))
			return &t.slots[i];
}

static int grow_slots(void)
{
	struct suffix_slot *old = t.slots;
	size_t old_cap = t.cap_slots;

	t.cap_slots = old_cap ? old_cap * 2 : 1024;
	if (!(t.slots = calloc(t.cap_slots, sizeof(*t.slots)))) {
		t.slots = old, t.cap_slots = old_cap;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].suffix)
			*slot_of(old[i].suffix, strlen(old[i].suffix)) = old[i];
	free(old);
	return 0;
}

/* The index of application NAME (added with CATEGORY if new; a later category wins). */
static int app_index(const char *name, size_t nlen, const char *cat, size_t clen)
{
	size_t i;

	for (i = 0; i < t.n_apps; i++)
		if (strlen(t.apps[i].name) == nlen && !memcmp(t.apps[i].name, name, nlen))
			break;
	if (i == t.n_apps) {
		if (t.n_apps == APPS_MAX)
			return -ENOSPC;
		if (t.n_apps == t.cap_apps) {
			size_t cap = t.cap_apps ? t.cap_apps * 2 : 64;
			struct xdpi_app *a = realloc(t.apps, cap * sizeof(*a));

			if (!a)
				return -ENOMEM;
			t.apps = a, t.cap_apps = cap;
		}
		t.apps[i].name = strndup(name, nlen);
		t.apps[i].category = NULL;
		if (!t.apps[i].name)
			return -ENOMEM;
		t.n_apps++;
	}
	if (clen) {
		char *c = strndup(cat, clen);

		if (!c)
			return -ENOMEM;
		free((char *)t.apps[i].category);
		t.apps[i].category = c;
	}
	return (int)i;
}

static int add_suffix(const char *s, size_t len, uint16_t app)
{
	struct suffix_slot *sl;

	if ((t.n_slots + 1) * 2 > t.cap_slots && grow_slots())
		return -ENOMEM;
	sl = slot_of(s, len);
	if (!sl->suffix) {
		if (!(sl->suffix = strndup(s, len)))
			return -ENOMEM;
		t.n_slots++;
	}
	sl->app = app;
	return 0;
}

struct parse_ctx {
	struct xdpi_text_pos pos;
};

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '+';
}

/* The next whitespace-separated word of S from *I: its start and length (0: none left). */
static size_t word(const char *s, size_t len, size_t *i, size_t *start)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	*start = *i;
	while (*i < len && s[*i] != ' ' && s[*i] != '\t')
		(*i)++;
	return *i - *start;
}

static int check_suffix(struct parse_ctx *p, const char *s, size_t at, size_t len)
{
	if (len > SUFFIX_MAX_LEN)
		return xdpi_text_fail(&p->pos, at, "domain suffix longer than %d bytes", SUFFIX_MAX_LEN);
	if (s[at] == '.' || s[at + len - 1] == '.' || memmem(s + at, len, "..", 2))
		return xdpi_text_fail(&p->pos, at, "domain suffix '%.*s': empty label", (int)len, s + at);
	for (size_t k = at; k < at + len; k++)
		if (!isalnum((unsigned char)s[k]) && s[k] != '-' && s[k] != '.' && s[k] != '_')
			return xdpi_text_fail(&p->pos, k, "domain suffix: '%c' is not a letter, digit, '-' or '.'",
					      s[k]);
	return 0;
}

static int check_name(struct parse_ctx *p, const char *what, const char *s, size_t at, size_t len)
{
	if (len > NAME_MAX_LEN)
		return xdpi_text_fail(&p->pos, at, "%s longer than %d bytes", what, NAME_MAX_LEN);
	for (size_t k = at; k < at + len; k++)
		if (!name_char(s[k]))
			return xdpi_text_fail(&p->pos, k, "%s: '%c' is not a letter, digit, '_', '-', '.' or '+'",
					      what, s[k]);
	return 0;
}

/* "suffix  Application  [Category]", '#' to the end of a line is a comment. */
static int parse_line(void *ctx, uint32_t line, const char *s, size_t len)
{
	struct parse_ctx *p = ctx;
	size_t i = 0, ss, as, cs, sl, al, cl, xs;
	char low[SUFFIX_MAX_LEN];
	int app, rc;

	p->pos.line = line;
	if (memchr(s, '#', len))
		len = (size_t)((const char *)memchr(s, '#', len) - s);
	if (!(sl = word(s, len, &i, &ss)))
		return 0;
	if (!(al = word(s, len, &i, &as)))
		return xdpi_text_fail(&p->pos, i, "expected an application name after the domain suffix");
	cl = word(s, len, &i, &cs);
	if (word(s, len, &i, &xs))
		return xdpi_text_fail(&p->pos, xs, "unexpected '%.*s': a line is 'suffix application [category]'",
				      (int)(i - xs), s + xs);
	if ((rc = check_suffix(p, s, ss, sl)) || (rc = check_name(p, "application name", s, as, al)) ||
	    (cl && (rc = check_name(p, "category", s, cs, cl))))
		return rc;
	for (size_t k = 0; k < sl; k++)
		low[k] = (char)tolower((unsigned char)s[ss + k]);
	if ((app = app_index(s + as, al, s + cs, cl)) < 0 || add_suffix(low, sl, (uint16_t)app))
		return xdpi_text_fail(&p->pos, ss, "out of memory or more than %d applications", APPS_MAX);
	return 0;
}

int xdpi_apps_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct parse_ctx p = { .pos = { .name = name, .err = err, .errlen = errlen } };

	return xdpi_text_lines(text, len, parse_line, &p, NULL) ? -1 : 0;
}

int xdpi_apps_load(const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	if (xdpi_text_read(path, &text, &len, err, errlen))
		return -1;
	rc = xdpi_apps_parse(path, text, len, err, errlen);
	free(text);
	return rc;
}

/* data/apps.conf, linked in by apps_default.c */
extern const char xdpi_apps_default_text[];
extern const char xdpi_apps_default_end[];

int xdpi_apps_load_default(char *err, size_t errlen)
{
	return xdpi_apps_parse("data/apps.conf (built in)", xdpi_apps_default_text,
			       (size_t)(xdpi_apps_default_end - xdpi_apps_default_text), err, errlen);
}

const struct xdpi_app *xdpi_apps_lookup(const char *host, size_t len)
{
	char low[SUFFIX_MAX_LEN];
	const char *colon;

	if (!t.n_slots || !len)
		return NULL;
	if ((colon = memchr(host, ':', len)) && !memchr(colon + 1, ':', len - (size_t)(colon - host) - 1))
		len = (size_t)(colon - host); /* host:port (an IPv6 literal has more colons) */
	if (len && host[len - 1] == '.')
		len--;
	if (!len || len > SUFFIX_MAX_LEN)
		return NULL;
	for (size_t k = 0; k < len; k++)
		low[k] = (char)tolower((unsigned char)host[k]);
	for (size_t at = 0; at < len;) { /* the whole name, then from each label on */
		struct suffix_slot *sl = slot_of(low + at, len - at);
		const char *dot;

		if (sl->suffix)
			return &t.apps[sl->app];
		if (!(dot = memchr(low + at, '.', len - at)))
			break;
		at = (size_t)(dot - low) + 1;
	}
	return NULL;
}

const struct xdpi_app *xdpi_apps_at(size_t i)
{
	return i < t.n_apps ? &t.apps[i] : NULL;
}

size_t xdpi_apps_index(const struct xdpi_app *a)
{
	return (size_t)(a - t.apps);
}

size_t xdpi_apps_count(void)
{
	return t.n_apps;
}

void xdpi_apps_clear(void)
{
	for (size_t i = 0; i < t.cap_slots; i++)
		free(t.slots[i].suffix);
	for (size_t i = 0; i < t.n_apps; i++) {
		free((char *)t.apps[i].name);
		free((char *)t.apps[i].category);
	}
	free(t.slots);
	free(t.apps);
	memset(&t, 0, sizeof(t));
}

const char *xdpi_app_source_name(enum xdpi_app_source s)
{
	static const char *const names[] = { "none", "sni", "host", "certificate", "dns" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "none";
}
