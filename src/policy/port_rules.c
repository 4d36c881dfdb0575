// SPDX-License-Identifier: GPL-2.0
/* Port and protocol rules (include/xdpi/port_rules.h): the text form and its kernel entries. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "xdpi/bytes.h"
#include "shared/xdpi_abi.h"
#include "xdpi/port_rules.h"
#include "xdpi/text_file.h"

struct rule_cursor {
	struct xdpi_text_pos pos;
	struct xdpi_port_rules *out;
};

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = { { "tcp", 6 }, { "udp", 17 }, { "sctp", 132 }, { "icmp", 1 }, { "icmpv6", 58 } };

static bool has_ports(uint8_t proto)
{
	return proto == XDPI_IPPROTO_TCP || proto == XDPI_IPPROTO_UDP || proto == XDPI_IPPROTO_SCTP;
}

/* A token: start column and length within the line. */
struct tok {
	size_t col, len;
};

/* Splits S into at most 5 blank-separated tokens before a '#' remark; returns their number
 * (6 when there are more). */
static int tokens(const char *s, size_t len, struct tok *t)
{
	int n = 0;
	size_t i = 0;

	while (i < len && s[i] != '#') {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		if (n == 5)
			return 6;
		t[n].col = i;
		while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '#')
			i++;
		t[n].len = i - t[n].col;
		n++;
	}
	return n;
}

static bool tok_is(const char *s, const struct tok *t, const char *word)
{
	return t->len == strlen(word) && !memcmp(s + t->col, word, t->len);
}

/* A decimal number in [0, max] in S[from, to). */
static int number(const char *s, size_t from, size_t to, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (from == to || to - from > 6)
		return -1;
	for (size_t i = from; i < to; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_action(const struct rule_cursor *cur, const char *s, const struct tok *t,
			struct xdpi_port_rule *r)
{
	if (tok_is(s, t, "drop") || tok_is(s, t, "block"))
		r->action = XDPI_POLICY_DROP;
	else if (tok_is(s, t, "allow") || tok_is(s, t, "pass"))
		r->action = XDPI_POLICY_ALLOW;
	else
		return xdpi_text_fail(&cur->pos, t->col, "'%.*s' is not an action (drop, allow)",
				      (int)t->len, s + t->col);
	return 0;
}

static int parse_ports(const struct rule_cursor *cur, const char *s, size_t from, size_t to,
		       struct xdpi_port_rule *r)
{
	const char *dash = memchr(s + from, '-', to - from);
	size_t mid = dash ? (size_t)(dash - s) : to;
	unsigned long lo, hi;

	if (!has_ports(r->proto))
		return xdpi_text_fail(&cur->pos, from - 1, "only tcp, udp and sctp have ports");
	if (number(s, from, mid, 65535, &lo) || (dash && number(s, mid + 1, to, 65535, &hi)))
		return xdpi_text_fail(&cur->pos, from,
				      "'%.*s' is not a port (0-65535) or range (LO-HI)",
				      (int)(to - from), s + from);
	if (!dash)
		hi = lo;
	if (hi < lo || hi - lo >= XDPI_PORT_RANGE_MAX)
		return xdpi_text_fail(&cur->pos, from, "port range %lu-%lu is %s", lo, hi, hi < lo ?
				 "backwards" : "over 1024 ports");
	r->has_ports = true;
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	return 0;
}

static int parse_proto(const struct rule_cursor *cur, const char *s, const struct tok *t,
		       struct xdpi_port_rule *r)
{
	const char *slash = memchr(s + t->col, '/', t->len);
	size_t end = slash ? (size_t)(slash - s) : t->col + t->len;
	unsigned long n;
	bool known = false;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]) && !known; i++)
		if (end - t->col == strlen(protos[i].name) &&
		    !memcmp(s + t->col, protos[i].name, end - t->col))
			r->proto = protos[i].proto, known = true;
	if (!known && number(s, t->col, end, 255, &n) == 0)
		r->proto = (uint8_t)n, known = true;
	if (!known)
		return xdpi_text_fail(&cur->pos, t->col,
				      "'%.*s' is not a protocol (tcp, udp, sctp, icmp, "
				      "icmpv6 or a number 0-255)",
				      (int)(end - t->col), s + t->col);
	return slash ? parse_ports(cur, s, end + 1, t->col + t->len, r) : 0;
}

static int push(struct xdpi_port_rules *out, const struct xdpi_port_rule *r)
{
	if (out->count == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		struct xdpi_port_rule *grown = realloc(out->rules, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		out->rules = grown;
		out->cap = cap;
	}
	out->rules[out->count++] = *r;
	return 0;
}

static int parse_line(void *ctx, uint32_t line, const char *s, size_t len)
{
	struct rule_cursor *cur = ctx;
	struct xdpi_port_rule r = { .line = line };
	struct tok t[5];
	int n, rc;

	cur->pos.line = line;
	if (memchr(s, '\0', len))
		return xdpi_text_fail(&cur->pos, (size_t)((const char *)memchr(s, '\0', len) - s),
				 "NUL byte in a text file");
	n = tokens(s, len, t);
	if (n == 0)
		return 0;
	if (n != 2 && n != 4)
		return xdpi_text_fail(&cur->pos, n > 4 ? t[4].col : t[n - 1].col, "%s", n == 1 ?
				 "a rule is ACTION PROTO[/PORT[-PORT]] [from CIDR]" :
				 "unexpected text (a remark starts with '#')");
	rc = parse_action(cur, s, &t[0], &r);
	if (!rc)
		rc = parse_proto(cur, s, &t[1], &r);
	if (rc || n == 2)
		return rc ? rc : push(cur->out, &r);
	if (!tok_is(s, &t[2], "from"))
		return xdpi_text_fail(&cur->pos, t[2].col, "expected 'from CIDR'");
	if (has_ports(r.proto) && !r.has_ports)
		return xdpi_text_fail(&cur->pos, t[2].col,
				      "a tcp, udp or sctp rule with a CIDR needs a port "
				      "(to block an address on every port, use a block list)");
	rc = xdpi_cidr_parse_token(cur->pos.name, line, t[3].col, s + t[3].col, t[3].len, &r.cidr,
				   cur->pos.err, cur->pos.errlen);
	r.has_cidr = true;
	return rc ? rc : push(cur->out, &r);
}

int xdpi_port_rules_parse(const char *name, const char *text, size_t len,
			  struct xdpi_port_rules *out, char *err, size_t errlen)
{
	struct rule_cursor cur = { .pos = { name, 0, err, errlen }, .out = out };
	size_t count0 = out->count;
	int rc = xdpi_text_lines(text, len, parse_line, &cur, NULL);

	if (rc == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s:%u: out of memory", name, cur.pos.line);
	if (rc)
		out->count = count0; /* all or nothing */
	return rc;
}

int xdpi_port_rules_load(const char *path, struct xdpi_port_rules *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc = xdpi_text_read(path, &text, &len, err, errlen);

	if (rc)
		return rc;
	rc = xdpi_port_rules_parse(strcmp(path, "-") ? path : "<stdin>", text, len, out, err,
				   errlen);
	free(text);
	return rc;
}

void xdpi_port_rules_free(struct xdpi_port_rules *r)
{
	free(r->rules);
	memset(r, 0, sizeof(*r));
}

void xdpi_port_rule_format(const struct xdpi_port_rule *r, char *buf, size_t buflen)
{
	char proto[16], ports[16] = "", cidr[64] = "";

	snprintf(proto, sizeof(proto), "%u", r->proto);
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == r->proto)
			snprintf(proto, sizeof(proto), "%s", protos[i].name);
	if (r->has_ports && r->port_lo == r->port_hi)
		snprintf(ports, sizeof(ports), "/%u", r->port_lo);
	else if (r->has_ports)
		snprintf(ports, sizeof(ports), "/%u-%u", r->port_lo, r->port_hi);
	if (r->has_cidr) {
		strcpy(cidr, " from ");
		xdpi_cidr_format(&r->cidr, cidr + 6, sizeof(cidr) - 6);
	}
	snprintf(buf, buflen, "%s %s%s%s", r->action == XDPI_POLICY_DROP ? "drop" : "allow", proto,
		 ports, cidr);
}

/* ---- kernel entries ---- */

/* The entry of R for PORT in family FAMILY (AF_INET, AF_INET6) into K (a v6 key is large
 * enough for both). */
static void port_key(const struct xdpi_port_rule *r, uint16_t port, int family,
		     struct xdpi_port6_key *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = r->proto;
	k->port[0] = (uint8_t)(port >> 8);
	k->port[1] = (uint8_t)port;
	/* protocols without ports always carry port 0, so their 16 port bits are matched */
	k->prefixlen = 8 + (r->has_ports || !has_ports(r->proto) ? 16 : 0);
	if (r->has_cidr) {
		memcpy(k->addr, r->cidr.addr, family == AF_INET ? 4 : 16);
		k->prefixlen += r->cidr.prefix_len;
	}
}

static int apply_family(int fd, int family, const struct xdpi_port_rule *r, uint32_t rule_id,
			bool delete)
{
	struct xdpi_policy_value v = { .rule_id = rule_id, .action = r->action };
	struct xdpi_port6_key k;

	for (uint32_t p = r->port_lo; p <= r->port_hi; p++) {
		port_key(r, (uint16_t)p, family, &k);
		v.prefixlen = (uint8_t)k.prefixlen;
		if (delete ? bpf_map_delete_elem(fd, &k) : bpf_map_update_elem(fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

int xdpi_port_rule_apply(int fd4, int fd6, int gen_fd, const struct xdpi_port_rule *r,
			 uint32_t rule_id, bool delete)
{
	__u32 slot = XDPI_GEN_PORTS;
	__u64 one = 1;
	int rc = 0;

	/* marked first: a packet between the mark and the entry looks in vain, never past it */
	if (!delete && bpf_map_update_elem(gen_fd, &slot, &one, BPF_ANY))
		return -errno;
	if (!r->has_cidr || r->cidr.family == AF_INET)
		rc = apply_family(fd4, AF_INET, r, rule_id, delete);
	if (!rc && (!r->has_cidr || r->cidr.family == AF_INET6))
		rc = apply_family(fd6, AF_INET6, r, rule_id, delete);
	return rc;
}

/* The rule one entry stands for (its action from V). */
static void entry_rule(const struct xdpi_port6_key *k, int family,
		       const struct xdpi_policy_value *v, struct xdpi_port_rule *r)
{
	uint32_t addr_bits = k->prefixlen > 24 ? k->prefixlen - 24 : 0;

	memset(r, 0, sizeof(*r));
	r->action = v->action;
	r->proto = k->proto;
	r->has_ports = has_ports(k->proto) && k->prefixlen >= 24;
	r->port_lo = r->port_hi = (uint16_t)(k->port[0] << 8 | k->port[1]);
	r->has_cidr = k->prefixlen > 24;
	r->cidr.family = (uint8_t)family; /* which trie, even without a CIDR */
	if (r->has_cidr) {
		r->cidr.prefix_len = (uint8_t)addr_bits;
		memcpy(r->cidr.addr, k->addr, family == AF_INET ? 4 : 16);
	}
}

static int walk_one(int fd, int family, xdpi_port_entry_fn fn, void *ctx)
{
	struct xdpi_port6_key key, next;
	struct xdpi_policy_value v;
	struct xdpi_port_rule r;
	bool first = true;
	int rc;

	memset(&key, 0, sizeof(key));
	memset(&next, 0, sizeof(next));
	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		entry_rule(&key, family, &v, &r);
		rc = fn(ctx, &r, &v);
		if (rc)
			return rc;
	}
	return errno == ENOENT ? 0 : -errno;
}

int xdpi_port_rules_walk(int fd4, int fd6, xdpi_port_entry_fn fn, void *ctx)
{
	int rc = walk_one(fd4, AF_INET, fn, ctx);

	return rc ? rc : walk_one(fd6, AF_INET6, fn, ctx);
}
