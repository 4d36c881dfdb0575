// SPDX-License-Identifier: GPL-2.0
/* The balancer's file: one directive per line, `#` to the end of a line is a comment.
 *
 *   outer-source 198.18.21.0/24        prefix of encapsulated packets' sources (IPv4 backends)
 *   outer-source fd00:21::/96          ... and for IPv6 backends
 *   mtu 1500                           largest packet sent after encapsulation
 *   connections 262144                 connection table entries
 *   service api 198.51.100.10:80/tcp   a virtual service; the lines below belong to it
 *     check http /healthz interval 1s timeout 500ms rise 2 fall 3
 *     passive syn-retrans 0.5 min 5 window 5s eject 10s
 *     l7 server-errors 0.5 min 5 window 5s eject 10s
 *     backend 198.18.30.11 weight 2 metrics http://198.18.30.11:9100/metrics
 *
 * Every error names its place (file:line:col) and the file is taken whole or not at all. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "xdpi/cidr_list.h"
#include "xdpi/lb.h"
#include "xdpi/text_file.h"

#define MAX_TOKS 24

struct tok {
	const char *s;
	size_t len;
	size_t col;
};

struct parse {
	struct xdpi_text_pos pos;
	struct xdpi_lb_conf *c;
	struct xdpi_lb_service_conf *svc; /* the service the lines belong to */
	bool have4, have6;
	struct tok t[MAX_TOKS];
	size_t n;
};

static bool tok_is(const struct tok *t, const char *w)
{
	return t->len == strlen(w) && !memcmp(t->s, w, t->len);
}

static int tokenize(struct parse *p, const char *s, size_t len)
{
	size_t i = 0;

	p->n = 0;
	while (i < len) {
		if (s[i] == '#')
			break;
		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (p->n == MAX_TOKS)
			return xdpi_text_fail(&p->pos, i, "too many words on one line");
		p->t[p->n] = (struct tok){ s + i, 0, i };
		for (; i < len && !isspace((unsigned char)s[i]) && s[i] != '#'; i++) {
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
				return xdpi_text_fail(&p->pos, i, "unexpected byte 0x%02x",
						      (unsigned char)s[i]);
			p->t[p->n].len++;
		}
		p->n++;
	}
	return 0;
}

/* An unsigned integer token in [lo, hi]. */
static int tok_u32(struct parse *p, const struct tok *t, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char buf[16];
	char *end;
	unsigned long v;

	if (!t->len || t->len >= sizeof(buf) || !isdigit((unsigned char)t->s[0]))
		return xdpi_text_fail(&p->pos, t->col, "expected a number from %u to %u", lo, hi);
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return xdpi_text_fail(&p->pos, t->col, "expected a number from %u to %u", lo, hi);
	*out = (uint32_t)v;
	return 0;
}

/* A ratio: 0.5 or 50%, above 0 and at most 1. */
static int tok_ratio(struct parse *p, const struct tok *t, double *out)
{
	char buf[16];
	char *end;
	double v;

	if (!t->len || t->len >= sizeof(buf))
		return xdpi_text_fail(&p->pos, t->col, "expected a ratio such as 0.5 or 50%%");
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	v = strtod(buf, &end);
	if (end != buf && *end == '%' && !end[1])
		v /= 100, end++;
	if (end == buf || *end || !(v > 0 && v <= 1))
		return xdpi_text_fail(&p->pos, t->col, "expected a ratio above 0 and at most 1, "
				      "such as 0.5 or 50%%");
	*out = v;
	return 0;
}

/* A duration with its unit: 250ms, 2s, 1m; from 10 ms to an hour. */
static int tok_ms(struct parse *p, const struct tok *t, uint32_t *out)
{
	char buf[16];
	char *end;
	double v;

	if (!t->len || t->len >= sizeof(buf))
		goto bad;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	v = strtod(buf, &end);
	if (end == buf || v < 0)
		goto bad;
	if (!strcmp(end, "ms"))
		;
	else if (!strcmp(end, "s"))
		v *= 1e3;
	else if (!strcmp(end, "m"))
		v *= 60e3;
	else
		goto bad;
	if (v < 10 || v > 3600e3)
		return xdpi_text_fail(&p->pos, t->col, "a duration is from 10ms to 1h");
	*out = (uint32_t)v;
	return 0;
bad:
	return xdpi_text_fail(&p->pos, t->col, "expected a duration with its unit: 500ms, 2s, 1m");
}

static int need_service(struct parse *p, const struct tok *t)
{
	return p->svc ? 0 : xdpi_text_fail(&p->pos, t->col, "'%.*s' belongs to a service: put a "
					   "'service NAME VIP:PORT' line before it",
					   (int)t->len, t->s);
}

static int need_value(struct parse *p, size_t i)
{
	if (i + 1 < p->n)
		return 0;
	return xdpi_text_fail(&p->pos, p->t[i].col + p->t[i].len, "'%.*s' needs a value",
			      (int)p->t[i].len, p->t[i].s);
}

static int outer_source(struct parse *p)
{
	struct xdpi_cidr c;
	struct xdpi_lb_cfg *k = &p->c->kernel;
	uint32_t host;

	if (p->n != 2)
		return xdpi_text_fail(&p->pos, p->n < 2 ? p->t[0].col + p->t[0].len : p->t[2].col,
				      "expected 'outer-source PREFIX'");
	if (xdpi_cidr_parse_token(p->pos.name, p->pos.line, p->t[1].col, p->t[1].s, p->t[1].len,
				  &c, p->pos.err, p->pos.errlen))
		return -EINVAL;
	if (c.family == AF_INET) {
		if (c.prefix_len < 8)
			return xdpi_text_fail(&p->pos, p->t[1].col, "an outer-source prefix is /8 "
					      "or longer");
		memcpy(&k->src4, c.addr, 4);
		host = c.prefix_len == 32 ? 0 : 0xffffffffu >> c.prefix_len;
		k->src4_host = htonl(host);
		p->have4 = true;
	} else {
		if (c.prefix_len < 96)
			return xdpi_text_fail(&p->pos, p->t[1].col, "an IPv6 outer-source is /96 or "
					      "longer (the flow fills the last 32 bits at most)");
		memcpy(k->src6, c.addr, 16);
		host = c.prefix_len == 128 ? 0 : 0xffffffffu >> (c.prefix_len - 96);
		k->src6_host = htonl(host);
		p->have6 = true;
	}
	return 0;
}

static int service(struct parse *p)
{
	struct xdpi_lb_service_conf *s;
	size_t i;

	if (p->n != 3)
		return xdpi_text_fail(&p->pos, p->n < 3 ? p->t[p->n - 1].col + p->t[p->n - 1].len
							: p->t[3].col,
				      "expected 'service NAME VIP:PORT[/tcp|/udp]'");
	if (p->c->nservices == XDPI_LB_SERVICES_MAX)
		return xdpi_text_fail(&p->pos, 0, "more than %d services", XDPI_LB_SERVICES_MAX);
	if (p->t[1].len >= sizeof(s->name))
		return xdpi_text_fail(&p->pos, p->t[1].col, "a service name has at most %zu "
				      "characters", sizeof(s->name) - 1);
	s = &p->c->services[p->c->nservices];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, p->t[1].s, p->t[1].len);
	if (p->t[2].len >= sizeof(s->vip_text))
		return xdpi_text_fail(&p->pos, p->t[2].col, "expected VIP:PORT");
	memcpy(s->vip_text, p->t[2].s, p->t[2].len);
	if (xdpi_lb_vip_parse(s->vip_text, &s->vip))
		return xdpi_text_fail(&p->pos, p->t[2].col, "expected VIP:PORT, [VIP6]:PORT, with "
				      "/tcp or /udp if not tcp (a port from 1 to 65535)");
	for (i = 0; i < p->c->nservices; i++) {
		if (!strcmp(p->c->services[i].name, s->name))
			return xdpi_text_fail(&p->pos, p->t[1].col, "service '%s' is defined twice",
					      s->name);
		if (!memcmp(&p->c->services[i].vip, &s->vip, sizeof(s->vip)))
			return xdpi_text_fail(&p->pos, p->t[2].col, "%s is already service '%s'",
					      s->vip_text, p->c->services[i].name);
	}
	s->check = (struct xdpi_lb_check){ XDPI_LB_CHECK_NONE, "/", 1000, 500, 2, 3 };
	p->svc = s;
	p->c->nservices++;
	return 0;
}

static int check(struct parse *p)
{
	struct xdpi_lb_check *c = &p->svc->check;
	size_t i = 2;

	if (need_value(p, 0))
		return -EINVAL;
	if (tok_is(&p->t[1], "tcp")) {
		c->kind = XDPI_LB_CHECK_TCP;
	} else if (tok_is(&p->t[1], "http")) {
		c->kind = XDPI_LB_CHECK_HTTP;
		if (p->n < 3 || p->t[2].s[0] != '/' || p->t[2].len >= sizeof(c->path))
			return xdpi_text_fail(&p->pos, p->n < 3 ? p->t[1].col + 4 : p->t[2].col,
					      "an http check needs a path starting with '/'");
		memcpy(c->path, p->t[2].s, p->t[2].len);
		c->path[p->t[2].len] = '\0';
		i = 3;
	} else if (tok_is(&p->t[1], "none")) {
		c->kind = XDPI_LB_CHECK_NONE;
	} else {
		return xdpi_text_fail(&p->pos, p->t[1].col, "expected tcp, http PATH or none");
	}
	if (c->kind != XDPI_LB_CHECK_NONE && p->svc->vip.proto == IPPROTO_UDP)
		return xdpi_text_fail(&p->pos, p->t[1].col, "service '%s' is UDP: its active check "
				      "is none (checks connect over TCP; passive and l7 health apply)",
				      p->svc->name);
	for (; i < p->n; i += 2) {
		const struct tok *k = &p->t[i], *v = &p->t[i + 1];
		int r;

		if (need_value(p, i))
			return -EINVAL;
		if (tok_is(k, "interval"))
			r = tok_ms(p, v, &c->interval_ms);
		else if (tok_is(k, "timeout"))
			r = tok_ms(p, v, &c->timeout_ms);
		else if (tok_is(k, "rise"))
			r = tok_u32(p, v, 1, 100, &c->rise);
		else if (tok_is(k, "fall"))
			r = tok_u32(p, v, 1, 100, &c->fall);
		else
			r = xdpi_text_fail(&p->pos, k->col, "expected interval, timeout, rise or fall");
		if (r)
			return r;
	}
	if (c->timeout_ms > c->interval_ms)
		return xdpi_text_fail(&p->pos, p->t[0].col, "a check's timeout (%ums) is longer "
				      "than its interval (%ums)", c->timeout_ms, c->interval_ms);
	return 0;
}

/* passive syn-retrans RATIO ... / l7 server-errors RATIO ... */
static int outlier(struct parse *p, struct xdpi_lb_outlier *o, const char *what)
{
	if (p->n < 3 || !tok_is(&p->t[1], what))
		return xdpi_text_fail(&p->pos, p->n < 2 ? p->t[0].col + p->t[0].len : p->t[1].col,
				      "expected '%.*s %s RATIO [min N] [window D] [eject D]'",
				      (int)p->t[0].len, p->t[0].s, what);
	*o = (struct xdpi_lb_outlier){ true, 0, 5, 5000, 10000 };
	if (tok_ratio(p, &p->t[2], &o->ratio))
		return -EINVAL;
	for (size_t i = 3; i < p->n; i += 2) {
		const struct tok *k = &p->t[i], *v = &p->t[i + 1];
		int r;

		if (need_value(p, i))
			return -EINVAL;
		if (tok_is(k, "min"))
			r = tok_u32(p, v, 1, 1000000, &o->min);
		else if (tok_is(k, "window"))
			r = tok_ms(p, v, &o->window_ms);
		else if (tok_is(k, "eject"))
			r = tok_ms(p, v, &o->eject_ms);
		else
			r = xdpi_text_fail(&p->pos, k->col, "expected min, window or eject");
		if (r)
			return r;
	}
	return 0;
}

static int addr_token(struct parse *p, const struct tok *t, struct xdpi_lb_backend_conf *b)
{
	char buf[INET6_ADDRSTRLEN];

	if (t->len >= sizeof(buf))
		goto bad;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	memset(b->addr, 0, sizeof(b->addr));
	if (inet_pton(AF_INET, buf, b->addr) == 1)
		b->family = 4;
	else if (inet_pton(AF_INET6, buf, b->addr) == 1)
		b->family = 6;
	else
		goto bad;
	snprintf(b->text, sizeof(b->text), "%s", buf);
	return 0;
bad:
	return xdpi_text_fail(&p->pos, t->col, "expected a backend's IPv4 or IPv6 address");
}

static int backend(struct parse *p)
{
	struct xdpi_lb_backend_conf *b;
	uint32_t w = 1;

	if (need_value(p, 0))
		return -EINVAL;
	if (p->c->nbackends == XDPI_LB_BACKENDS_MAX)
		return xdpi_text_fail(&p->pos, 0, "more than %d backends", XDPI_LB_BACKENDS_MAX);
	b = &p->c->backends[p->c->nbackends];
	memset(b, 0, sizeof(*b));
	if (addr_token(p, &p->t[1], b))
		return -EINVAL;
	for (size_t i = 2; i < p->n; i += 2) {
		const struct tok *k = &p->t[i], *v = &p->t[i + 1];

		if (need_value(p, i))
			return -EINVAL;
		if (tok_is(k, "weight")) {
			if (tok_u32(p, v, 0, 1000, &w))
				return -EINVAL;
		} else if (tok_is(k, "metrics")) {
			if (v->len >= sizeof(b->metrics) || v->len < 8 || memcmp(v->s, "http://", 7))
				return xdpi_text_fail(&p->pos, v->col, "expected an http:// URL of the "
						      "backend's xdpi /metrics");
			memcpy(b->metrics, v->s, v->len);
		} else {
			return xdpi_text_fail(&p->pos, k->col, "expected weight or metrics");
		}
	}
	b->weight = (uint16_t)w;
	b->service = (uint16_t)(p->svc - p->c->services);
	b->line = p->pos.line;
	for (uint32_t i = 0; i < p->c->nbackends; i++) {
		const struct xdpi_lb_backend_conf *o = &p->c->backends[i];

		if (o->service == b->service && o->family == b->family &&
		    !memcmp(o->addr, b->addr, 16))
			return xdpi_text_fail(&p->pos, p->t[1].col, "backend %s is already in service "
					      "'%s' (line %u)", b->text, p->svc->name, o->line);
	}
	p->c->nbackends++;
	return 0;
}

static int mtu(struct parse *p)
{
	uint32_t v = 0;

	if (p->n != 2)
		return xdpi_text_fail(&p->pos, p->t[0].col, "expected 'mtu BYTES'");
	if (tok_u32(p, &p->t[1], 576, 9216, &v))
		return -EINVAL;
	p->c->kernel.mtu = (uint16_t)v;
	return 0;
}

static int line(void *ctx, uint32_t ln, const char *s, size_t len)
{
	struct parse *p = ctx;
	const struct tok *d = &p->t[0];

	p->pos.line = ln;
	if (tokenize(p, s, len))
		return -EINVAL;
	if (!p->n)
		return 0;
	if (tok_is(d, "outer-source"))
		return outer_source(p);
	if (tok_is(d, "mtu"))
		return mtu(p);
	if (tok_is(d, "connections"))
		return p->n == 2 ? tok_u32(p, &p->t[1], 1024, 1u << 26, &p->c->conns)
				 : xdpi_text_fail(&p->pos, d->col, "expected 'connections N'");
	if (tok_is(d, "service"))
		return service(p);
	if (tok_is(d, "check") || tok_is(d, "passive") || tok_is(d, "l7") || tok_is(d, "backend")) {
		if (need_service(p, d))
			return -EINVAL;
		if (tok_is(d, "check"))
			return check(p);
		if (tok_is(d, "passive"))
			return outlier(p, &p->svc->passive, "syn-retrans");
		if (tok_is(d, "l7"))
			return outlier(p, &p->svc->l7, "server-errors");
		return backend(p);
	}
	return xdpi_text_fail(&p->pos, d->col, "unknown directive '%.*s' (expected outer-source, "
			      "mtu, connections, service, check, passive, l7 or backend)",
			      (int)d->len, d->s);
}

/* What only the whole file shows: services without backends, missing outer sources. */
static int whole(struct parse *p, uint32_t last)
{
	p->pos.line = last;
	if (!p->c->nservices)
		return xdpi_text_fail(&p->pos, 0, "no service defined");
	for (uint32_t i = 0; i < p->c->nbackends; i++) {
		const struct xdpi_lb_backend_conf *b = &p->c->backends[i];

		p->pos.line = b->line;
		if ((b->family == 4 && !p->have4) || (b->family == 6 && !p->have6))
			return xdpi_text_fail(&p->pos, 0, "backend %s is IPv%u: add an "
					      "'outer-source' IPv%u prefix for its encapsulation",
					      b->text, b->family, b->family);
	}
	return 0;
}

int xdpi_lb_conf_parse(const char *name, const char *text, size_t len, struct xdpi_lb_conf *out,
		       char *err, size_t errlen)
{
	struct parse *p = calloc(1, sizeof(*p));
	uint32_t last = 0;
	int rc;

	if (!p)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	out->kernel.mtu = XDPI_LB_MTU_DEFAULT;
	out->conns = XDPI_LB_CONNS_DEFAULT;
	p->c = out;
	p->pos = (struct xdpi_text_pos){ name, 0, err, errlen };
	if (memchr(text, '\0', len)) {
		p->pos.line = 1;
		rc = xdpi_text_fail(&p->pos, 0, "a NUL byte: not a text file");
	} else {
		rc = xdpi_text_lines(text, len, line, p, &last);
	}
	if (!rc)
		rc = whole(p, last);
	out->kernel.on = rc == 0;
	free(p);
	return rc;
}

int xdpi_lb_conf_load(const char *path, struct xdpi_lb_conf *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc = xdpi_text_read(path, &text, &len, err, errlen);

	if (!rc)
		rc = xdpi_lb_conf_parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

int xdpi_lb_vip_parse(const char *s, struct xdpi_lb_vip_key *k)
{
	char host[INET6_ADDRSTRLEN + 2], *end;
	const char *colon, *slash = strchr(s, '/');
	size_t hlen;
	unsigned long port;

	memset(k, 0, sizeof(*k));
	k->proto = IPPROTO_TCP;
	if (slash) {
		if (!strcmp(slash, "/udp"))
			k->proto = IPPROTO_UDP;
		else if (strcmp(slash, "/tcp"))
			return -1;
	}
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -1;
		colon = rb + 1;
		s++;
		hlen = (size_t)(rb - s);
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hlen = (size_t)(colon - s);
	}
	if (hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (!isdigit((unsigned char)colon[1]))
		return -1;
	port = strtoul(colon + 1, &end, 10);
	if (end != (slash ? slash : colon + 1 + strlen(colon + 1)) || !port || port > 65535)
		return -1;
	k->port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, k->addr) == 1)
		k->family = 4;
	else if (inet_pton(AF_INET6, host, k->addr) == 1)
		k->family = 6;
	else
		return -1;
	return 0;
}

void xdpi_lb_vip_format(const struct xdpi_lb_vip_key *k, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->addr, a, sizeof(a));
	snprintf(buf, n, k->family == 4 ? "%s:%u/%s" : "[%s]:%u/%s", a, ntohs(k->port),
		 k->proto == IPPROTO_UDP ? "udp" : "tcp");
}
