// SPDX-License-Identifier: GPL-2.0
/* Rule variables, address groups and port groups: "[$HOME_NET,!10.1.0.0/16]", "![80,8000:8080]".
 * Groups are flattened into "in" and "out" ranges; nested negation flips between them. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/rules.h"

#define VAR_DEPTH 8

struct rule_var {
	char *name;
	char *value;
};

struct xdpi_rule_vars {
	struct rule_var *v;
	size_t n;
};

/* Suricata's default suricata.yaml values. */
static const char *const default_vars[][2] = {
	{ "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]" },
	{ "EXTERNAL_NET", "!$HOME_NET" },
	{ "HTTP_SERVERS", "$HOME_NET" },
	{ "SMTP_SERVERS", "$HOME_NET" },
	{ "SQL_SERVERS", "$HOME_NET" },
	{ "DNS_SERVERS", "$HOME_NET" },
	{ "TELNET_SERVERS", "$HOME_NET" },
	{ "AIM_SERVERS", "$EXTERNAL_NET" },
	{ "DC_SERVERS", "$HOME_NET" },
	{ "DNP3_SERVER", "$HOME_NET" },
	{ "DNP3_CLIENT", "$HOME_NET" },
	{ "MODBUS_CLIENT", "$HOME_NET" },
	{ "MODBUS_SERVER", "$HOME_NET" },
	{ "ENIP_CLIENT", "$HOME_NET" },
	{ "ENIP_SERVER", "$HOME_NET" },
	{ "HTTP_PORTS", "80" },
	{ "SHELLCODE_PORTS", "!80" },
	{ "ORACLE_PORTS", "1521" },
	{ "SSH_PORTS", "22" },
	{ "DNP3_PORTS", "20000" },
	{ "MODBUS_PORTS", "502" },
	{ "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	{ "FTP_PORTS", "21" },
	{ "GENEVE_PORTS", "6081" },
	{ "VXLAN_PORTS", "4789" },
	{ "TEREDO_PORTS", "3544" },
};

static int var_put(struct xdpi_rule_vars *v, const char *name, size_t nlen, const char *value)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strlen(v->v[i].name) == nlen && !memcmp(v->v[i].name, name, nlen)) {
			char *dup = strdup(value);

			if (!dup)
				return -ENOMEM;
			free(v->v[i].value);
			v->v[i].value = dup;
			return 0;
		}
	}
	struct rule_var *grown = realloc(v->v, (v->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	v->v = grown;
	v->v[v->n].name = strndup(name, nlen);
	v->v[v->n].value = strdup(value);
	if (!v->v[v->n].name || !v->v[v->n].value) {
		free(v->v[v->n].name);
		free(v->v[v->n].value);
		return -ENOMEM;
	}
	v->n++;
	return 0;
}

struct xdpi_rule_vars *xdpi_rule_vars_new(void)
{
	struct xdpi_rule_vars *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < sizeof(default_vars) / sizeof(default_vars[0]); i++) {
		if (var_put(v, default_vars[i][0], strlen(default_vars[i][0]), default_vars[i][1])) {
			xdpi_rule_vars_free(v);
			return NULL;
		}
	}
	return v;
}

void xdpi_rule_vars_free(struct xdpi_rule_vars *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].value);
	}
	free(v->v);
	free(v);
}

int xdpi_rule_vars_set(struct xdpi_rule_vars *v, const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '='), *name = assignment;

	if (*name == '$')
		name++;
	if (!eq || eq == name || !eq[1]) {
		snprintf(err, errlen, "'%s': expected NAME=VALUE, e.g. HOME_NET=[198.18.0.0/15]",
			 assignment);
		return -EINVAL;
	}
	for (const char *p = name; p < eq; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_') {
			snprintf(err, errlen, "'%s': variable names are letters, digits and '_'",
				 assignment);
			return -EINVAL;
		}
	}
	return var_put(v, name, (size_t)(eq - name), eq + 1);
}

const char *xdpi_rule_vars_get(const struct xdpi_rule_vars *v, const char *name, size_t len)
{
	for (size_t i = 0; v && i < v->n; i++)
		if (strlen(v->v[i].name) == len && !memcmp(v->v[i].name, name, len))
			return v->v[i].value;
	return NULL;
}

bool xdpi_num_cmp_match(const struct xdpi_num_cmp *c, uint64_t v)
{
	switch (c->op) {
	case XDPI_CMP_EQ: return v == c->a;
	case XDPI_CMP_NE: return v != c->a;
	case XDPI_CMP_LT: return v < c->a;
	case XDPI_CMP_GT: return v > c->a;
	case XDPI_CMP_LE: return v <= c->a;
	case XDPI_CMP_GE: return v >= c->a;
	case XDPI_CMP_RANGE: return v > c->a && v < c->b;
	default: return true;
	}
}

/* ---- groups: one walker for addresses and ports ---- */

struct group_walk {
	const struct xdpi_rule_vars *vars;
	char *err;
	size_t errlen;
	/* adds one plain element (no brackets, no '!', no '$') to in or out */
	int (*element)(struct group_walk *w, const char *s, size_t len, bool negated);
	void *group;
	int depth;
	bool saw_var, saw_neg;
};

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	return i;
}

/* End of the element starting at I: the matching ']' for '[', else the next ',' or ']'. */
static size_t element_end(const char *s, size_t len, size_t i)
{
	int nest = 0;

	for (; i < len; i++) {
		if (s[i] == '[')
			nest++;
		else if (s[i] == ']' && nest-- == 0)
			return i;
		else if (s[i] == ',' && nest == 0)
			return i;
	}
	return len;
}

static int walk(struct group_walk *w, const char *s, size_t len, bool negated);

static int walk_one(struct group_walk *w, const char *s, size_t len, bool negated)
{
	size_t i = skip_ws(s, len, 0);

	while (len > i && isspace((unsigned char)s[len - 1]))
		len--;
	if (i < len && s[i] == '!') {
		w->saw_neg = true;
		return walk_one(w, s + i + 1, len - i - 1, !negated);
	}
	if (i >= len) {
		snprintf(w->err, w->errlen, "empty element");
		return -EINVAL;
	}
	if (s[i] == '[') {
		if (s[len - 1] != ']') {
			snprintf(w->err, w->errlen, "'[' without its ']'");
			return -EINVAL;
		}
		return walk(w, s + i + 1, len - i - 2, negated);
	}
	if (s[i] == '$') {
		const char *val = xdpi_rule_vars_get(w->vars, s + i + 1, len - i - 1);

		if (!val) {
			snprintf(w->err, w->errlen, "undefined variable '%.*s' (set it with "
				 "--rule-var %.*s=...)", (int)(len - i), s + i, (int)(len - i - 1),
				 s + i + 1);
			return -EINVAL;
		}
		if (++w->depth > VAR_DEPTH) {
			snprintf(w->err, w->errlen, "variable '%.*s' nests too deep (a loop?)",
				 (int)(len - i), s + i);
			return -EINVAL;
		}
		w->saw_var = true;
		int rc = walk_one(w, val, strlen(val), negated);

		w->depth--;
		return rc;
	}
	return w->element(w, s + i, len - i, negated);
}

static int walk(struct group_walk *w, const char *s, size_t len, bool negated)
{
	size_t i = 0;

	for (;;) {
		size_t e = element_end(s, len, i);
		int rc;

		if (e < len && s[e] == ']') {
			snprintf(w->err, w->errlen, "unbalanced ']'");
			return -EINVAL;
		}
		rc = walk_one(w, s + i, e - i, negated);
		if (rc)
			return rc;
		if (e >= len)
			return 0;
		i = e + 1;
	}
}

/* Appends the SIZE bytes at ELEM to *ARR of *N elements (capacity doubles at powers of two). */
static int append(void **arr, uint32_t *n, const void *elem, size_t size)
{
	if (*n < 4 ? !*n : !(*n & (*n - 1))) {
		void *g = realloc(*arr, (*n < 4 ? 4 : *n * 2) * size);

		if (!g)
			return -ENOMEM;
		*arr = g;
	}
	memcpy((char *)*arr + *n * size, elem, size);
	(*n)++;
	return 0;
}

static void prefix_range(struct xdpi_addr_range *r, uint8_t family, const uint8_t *addr,
			 unsigned plen)
{
	unsigned bytes = family == 4 ? 4 : 16;

	memset(r, 0, sizeof(*r));
	r->family = family;
	for (unsigned b = 0; b < bytes; b++) {
		unsigned keep = plen >= (b + 1) * 8 ? 8 : plen > b * 8 ? plen - b * 8 : 0;
		uint8_t mask = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		r->lo[b] = addr[b] & mask;
		r->hi[b] = addr[b] | (uint8_t)~mask;
	}
}

/* "any" in a group ("!any" is a mistake). */
static int set_any(struct group_walk *w, bool negated, bool *any)
{
	if (negated) {
		snprintf(w->err, w->errlen, "'!any' matches nothing");
		return -EINVAL;
	}
	*any = true;
	return 0;
}

static int addr_element(struct group_walk *w, const char *s, size_t len, bool negated)
{
	struct xdpi_addr_group *g = w->group;
	struct xdpi_addr_range r;
	char tmp[64];
	const char *slash;
	uint8_t a[16];
	unsigned long plen;
	uint8_t family;

	if (len == 3 && !memcmp(s, "any", 3))
		return set_any(w, negated, &g->any);
	if (len >= sizeof(tmp))
		goto bad;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	slash = strchr(tmp, '/');
	if (slash)
		tmp[slash - tmp] = 0;
	if (inet_pton(AF_INET, tmp, a) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, tmp, a) == 1)
		family = 6;
	else
		goto bad;
	plen = family == 4 ? 32 : 128;
	if (slash) {
		char *end;

		if (!isdigit((unsigned char)slash[1]))
			goto bad;
		plen = strtoul(slash + 1, &end, 10);
		if (*end || plen > (family == 4 ? 32u : 128u))
			goto bad;
	}
	prefix_range(&r, family, a, (unsigned)plen);
	return negated ? append((void **)&g->out, &g->n_out, &r, sizeof(r))
		       : append((void **)&g->in, &g->n_in, &r, sizeof(r));
bad:
	snprintf(w->err, w->errlen, "'%.*s' is not an address, CIDR, variable or 'any'",
		 (int)(len > 60 ? 60 : len), s);
	return -EINVAL;
}

static int port_number(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;

	if (!len || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int port_element(struct group_walk *w, const char *s, size_t len, bool negated)
{
	struct xdpi_port_group *g = w->group;
	struct xdpi_port_range r = { 0, 65535 };
	const char *colon = memchr(s, ':', len);

	if (len == 3 && !memcmp(s, "any", 3))
		return set_any(w, negated, &g->any);
	if (!colon) {
		if (port_number(s, len, &r.lo))
			goto bad;
		r.hi = r.lo;
	} else {
		size_t l1 = (size_t)(colon - s), l2 = len - l1 - 1;

		if ((l1 && port_number(s, l1, &r.lo)) || (l2 && port_number(colon + 1, l2, &r.hi)) ||
		    (!l1 && !l2) || r.lo > r.hi)
			goto bad;
	}
	return negated ? append((void **)&g->out, &g->n_out, &r, sizeof(r))
		       : append((void **)&g->in, &g->n_in, &r, sizeof(r));
bad:
	snprintf(w->err, w->errlen, "'%.*s' is not a port, range (LO:HI), variable or 'any'",
		 (int)(len > 60 ? 60 : len), s);
	return -EINVAL;
}

int xdpi_addr_parse(const struct xdpi_rule_vars *vars, const char *text, size_t len,
		    struct xdpi_addr_group *g, char *err, size_t errlen)
{
	struct group_walk w = { .vars = vars, .err = err, .errlen = errlen,
				.element = addr_element, .group = g };
	int rc = walk(&w, text, len, false); /* "a,b" without brackets, as Suricata takes it */

	if (rc) {
		xdpi_addr_group_free(g);
		return rc;
	}
	if (!g->n_in)
		g->any = true; /* only exclusions: everything else */
	g->literal = !w.saw_var && !w.saw_neg && !g->any;
	return 0;
}

int xdpi_port_parse(const struct xdpi_rule_vars *vars, const char *text, size_t len,
		    struct xdpi_port_group *g, char *err, size_t errlen)
{
	struct group_walk w = { .vars = vars, .err = err, .errlen = errlen,
				.element = port_element, .group = g };
	int rc = walk(&w, text, len, false);

	if (rc) {
		xdpi_port_group_free(g);
		return rc;
	}
	if (!g->n_in)
		g->any = true;
	return 0;
}

void xdpi_addr_group_free(struct xdpi_addr_group *g)
{
	free(g->in);
	free(g->out);
	memset(g, 0, sizeof(*g));
}

void xdpi_port_group_free(struct xdpi_port_group *g)
{
	free(g->in);
	free(g->out);
	memset(g, 0, sizeof(*g));
}

static bool in_range(const struct xdpi_addr_range *r, uint8_t family, const uint8_t *addr)
{
	unsigned n = family == 4 ? 4 : 16;

	return r->family == family && memcmp(addr, r->lo, n) >= 0 && memcmp(addr, r->hi, n) <= 0;
}

bool xdpi_addr_match(const struct xdpi_addr_group *g, uint8_t family, const uint8_t *addr)
{
	bool hit = g->any;

	for (uint32_t i = 0; !hit && i < g->n_in; i++)
		hit = in_range(&g->in[i], family, addr);
	for (uint32_t i = 0; hit && i < g->n_out; i++)
		if (in_range(&g->out[i], family, addr))
			return false;
	return hit;
}

bool xdpi_port_match(const struct xdpi_port_group *g, uint16_t port)
{
	bool hit = g->any;

	for (uint32_t i = 0; !hit && i < g->n_in; i++)
		hit = port >= g->in[i].lo && port <= g->in[i].hi;
	for (uint32_t i = 0; hit && i < g->n_out; i++)
		if (port >= g->out[i].lo && port <= g->out[i].hi)
			return false;
	return hit;
}
