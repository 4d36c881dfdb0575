// SPDX-License-Identifier: GPL-2.0
/* Verifies a candidate rule on the buffers of one inspection point: each buffer's list of
 * inspections in rule order. A content may occur several times; when what follows it is
 * relative (distance, within, pcre/R, isdataat/byte_* relative) and fails, the next
 * occurrence is tried, as Suricata does, within a bounded budget. */
#define _GNU_SOURCE /* memmem, memrchr, qsort_r, asprintf */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "xdpi/rules.h"
#include "xdpi/thread_block.h"
#include "detect_int.h"

#define MATCH_BUDGET 1024 /* content occurrences tried per rule and buffer */
#define MAX_LIST 64       /* inspections per buffer (longer lists are cut, see below) */

struct mctx {
	const struct xdpi_rule *r;
	const struct xdpi_sm *l[MAX_LIST];
	uint32_t n;
	const uint8_t *buf;
	uint32_t len;
	int budget;
	uint64_t *vars; /* what the byte_extracts and byte_maths on the way read: one array for the
			 * rule, across its buffers, evaluated in buffer order */
	bool ev;        /* a content or pcre match that led to the rule's match: where */
	uint32_t ev_off, ev_end;
};

/* The evidence of this thread's last match (xdpi_rule_match_where). */
static _Thread_local struct {
	int buf;
	uint32_t off, len;
} where = { -1, 0, 0 };

static bool match_from(struct mctx *m, uint32_t i, uint32_t pos);

/* Element I matched at [AT, END): the rest must match after it; the innermost such match is
 * the rule's evidence. */
static bool matched_at(struct mctx *m, uint32_t i, uint32_t at, uint32_t end)
{
	if (!match_from(m, i + 1, end))
		return false;
	if (!m->ev) {
		m->ev = true;
		m->ev_off = at;
		m->ev_end = end;
	}
	return true;
}

static const uint8_t *find(const uint8_t *hay, size_t hlen, const uint8_t *pat, size_t plen,
			   bool nocase)
{
	if (!nocase)
		return memmem(hay, hlen, pat, plen);
	if (plen > hlen)
		return NULL;
	int first = tolower(pat[0]);

	for (size_t i = 0; i + plen <= hlen; i++) {
		if (tolower(hay[i]) != first)
			continue;
		size_t k = 1;

		while (k < plen && tolower(hay[i + k]) == tolower(pat[k]))
			k++;
		if (k == plen)
			return hay + i;
	}
	return NULL;
}

static bool is_relative(const struct xdpi_sm *sm)
{
	switch (sm->type) {
	case XDPI_SM_CONTENT: return sm->c.flags & XDPI_CT_RELATIVE;
	case XDPI_SM_PCRE: return sm->re.relative;
	case XDPI_SM_ISDATAAT: return sm->d.relative;
	case XDPI_SM_BYTE_TEST:
	case XDPI_SM_BYTE_JUMP: return sm->by.flags & XDPI_BY_RELATIVE;
	case XDPI_SM_B64_DECODE: return sm->b64.relative;
	case XDPI_SM_BYTE_EXTRACT:
	case XDPI_SM_BYTE_MATH: return sm->by.flags & XDPI_BY_RELATIVE;
	default: return false;
	}
}

/* The window [*start, *end) a content may occupy, given the end of the previous match. */
static bool content_window(const struct xdpi_content *c, uint32_t pos, uint32_t len,
			   uint32_t *start, uint32_t *end)
{
	int64_t s, e;

	if (c->flags & XDPI_CT_RELATIVE) {
		s = (int64_t)pos + c->distance;
		e = c->flags & XDPI_CT_WITHIN ? s + c->within : len;
	} else {
		s = c->offset;
		e = c->flags & XDPI_CT_DEPTH ? (int64_t)c->offset + c->depth : len;
	}
	if (s < 0)
		s = 0;
	if (e > len)
		e = len;
	if (s >= e || (uint64_t)(e - s) < c->len)
		return false;
	*start = (uint32_t)s;
	*end = (uint32_t)e;
	return true;
}

static bool match_from(struct mctx *m, uint32_t i, uint32_t pos);

/* A content whose numbers name byte_extract variables: with their values. */
static const struct xdpi_content *resolved(const struct mctx *m, const struct xdpi_content *c,
					   struct xdpi_content *tmp)
{
	if (!(c->var_offset | c->var_depth | c->var_distance | c->var_within))
		return c;
	*tmp = *c;
	if (c->var_offset)
		tmp->offset = (int32_t)m->vars[c->var_offset - 1];
	if (c->var_depth)
		tmp->depth = (int32_t)m->vars[c->var_depth - 1];
	if (c->var_distance)
		tmp->distance = (int32_t)m->vars[c->var_distance - 1];
	if (c->var_within)
		tmp->within = (int32_t)m->vars[c->var_within - 1];
	return tmp;
}

static bool match_content(struct mctx *m, uint32_t i, uint32_t pos)
{
	struct xdpi_content tmp;
	const struct xdpi_content *c = resolved(m, &m->l[i]->c, &tmp);
	bool nocase = c->flags & XDPI_CT_NOCASE;
	bool retry = i + 1 < m->n && is_relative(m->l[i + 1]);
	uint32_t start, end;
	const uint8_t *hit;

	if (!content_window(c, pos, m->len, &start, &end))
		return (c->flags & XDPI_CT_NEGATED) && match_from(m, i + 1, pos);
	if (c->flags & XDPI_CT_ENDS) { /* only the last c->len bytes can do */
		if (end != m->len || m->len - c->len < start)
			return (c->flags & XDPI_CT_NEGATED) && match_from(m, i + 1, pos);
		start = m->len - c->len;
	}
	hit = find(m->buf + start, end - start, c->pat, c->len, nocase);
	if (c->flags & XDPI_CT_NEGATED)
		return !hit && match_from(m, i + 1, pos);
	while (hit) {
		uint32_t at = (uint32_t)(hit - m->buf);

		if (matched_at(m, i, at, at + c->len))
			return true;
		if (!retry || --m->budget <= 0)
			return false;
		hit = at + 1 + c->len <= end
			      ? find(m->buf + at + 1, end - at - 1, c->pat, c->len, nocase)
			      : NULL;
	}
	return false;
}

/* One match-data block per thread (rules are shared by worker threads), freed when its thread
 * ends: the ovector holds the whole match and the first captures; only the match's end is
 * used. */
static void *md_make(void)
{
	return pcre2_match_data_create(16, NULL);
}

static void md_free(void *md)
{
	pcre2_match_data_free(md);
}

static struct xdpi_thread_block md_block = XDPI_THREAD_BLOCK(md_make, md_free);

static pcre2_match_data *thread_match_data(void)
{
	return xdpi_thread_block(&md_block);
}

/* The JIT of every pcre of the rule set: compiling the machine code is about a sixth of what
 * loading the ET snapshot costs. Parsing leaves it out (a rule parsed alone, as unit tests do,
 * is matched by the interpreter); a pcre the JIT refuses is matched by the interpreter too,
 * with the same answers. One thread does it, beside the threads compiling Hyperscan's
 * databases: PCRE2's JIT takes one process-wide lock (its executable memory's allocator) for
 * each expression, and two threads of JIT took as long as one (the ET snapshot: 0.094 s
 * either way, the second thread waiting on the lock thousands of times). */
static void jit_rules(const struct xdpi_rule *rules, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < rules[i].n_sm; k++)
			if (rules[i].sm[k].type == XDPI_SM_PCRE && rules[i].sm[k].re.code)
				pcre2_jit_compile(rules[i].sm[k].re.code, PCRE2_JIT_COMPLETE);
}

static void *jit_main(void *arg)
{
	struct xdpi_rules_jit *j = arg;

	jit_rules(j->rules, j->n);
	return NULL;
}

void xdpi_rules_jit_start(struct xdpi_rules_jit *j, const struct xdpi_rule *rules, uint32_t n)
{
	j->rules = rules;
	j->n = n;
	j->started = !pthread_create(&j->thread, NULL, jit_main, j);
}

void xdpi_rules_jit_wait(struct xdpi_rules_jit *j)
{
	if (j->started)
		pthread_join(j->thread, NULL);
	else
		jit_rules(j->rules, j->n);
	j->started = false;
}

static bool match_pcre(struct mctx *m, uint32_t i, uint32_t pos)
{
	const struct xdpi_pcre *re = &m->l[i]->re;
	uint32_t from = re->relative ? pos : 0;
	pcre2_match_data *md = thread_match_data();
	int rc;

	if (from > m->len)
		return re->negated && match_from(m, i + 1, pos);
	/* relative: the subject starts where the previous match ended, so ^ anchors there */
	if (!md)
		return false; /* no memory: the rule does not match (never a false alert) */
	/* rc 0: more captures than the ovector holds; the match itself is there. With luhn, a
	 * match whose digits fail the check is passed over for the next one. */
	for (PCRE2_SIZE start = 0;;) {
		PCRE2_SIZE *ov;

		rc = pcre2_match(re->code, m->buf + from, m->len - from, start, 0, md, NULL);
		if (rc < 0)
			return re->negated && match_from(m, i + 1, pos);
		if (re->negated)
			return false;
		ov = pcre2_get_ovector_pointer(md);
		if (!re->luhn || xdpi_luhn_ok(m->buf + from + ov[0], ov[1] - ov[0]))
			return matched_at(m, i, from + (uint32_t)ov[0], from + (uint32_t)ov[1]);
		if (--m->budget <= 0 || ov[0] + 1 > m->len - from)
			return false;
		start = ov[0] + 1;
	}
}

bool xdpi_luhn_ok(const uint8_t *p, size_t n)
{
	unsigned sum = 0, digits = 0;

	for (size_t k = n; k-- > 0;) {
		unsigned d;

		if (p[k] == ' ' || p[k] == '-')
			continue; /* card numbers are written in groups */
		if (p[k] < '0' || p[k] > '9')
			return false;
		d = p[k] - '0';
		if (digits++ & 1)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return digits >= 13 && digits <= 19 && sum % 10 == 0;
}

static bool match_isdataat(struct mctx *m, uint32_t i, uint32_t pos)
{
	const struct xdpi_isdataat *d = &m->l[i]->d;
	bool there = d->relative ? (uint64_t)pos + (uint64_t)d->n <= m->len
				 : (uint32_t)d->n < m->len;

	return there != d->negated && match_from(m, i + 1, pos);
}

/* Reads the number byte_test/byte_jump look at; false when it is not there. */
static bool read_number(const struct xdpi_byte_op *b, const uint8_t *p, uint64_t *out)
{
	uint64_t v = 0;

	if (b->flags & XDPI_BY_STRING) {
		char tmp[24], *end;

		memcpy(tmp, p, b->nbytes);
		tmp[b->nbytes] = 0;
		if (!isxdigit((unsigned char)tmp[0]) && tmp[0] != ' ')
			return false;
		v = strtoull(tmp, &end, b->base);
		if (end == tmp)
			return false;
	} else if (b->flags & XDPI_BY_LITTLE) {
		for (int k = b->nbytes - 1; k >= 0; k--)
			v = v << 8 | p[k];
	} else {
		for (int k = 0; k < b->nbytes; k++)
			v = v << 8 | p[k];
	}
	if (b->flags & XDPI_BY_BITMASK) {
		v &= b->bitmask;
		if (b->bitmask)
			v >>= __builtin_ctzll(b->bitmask);
	}
	*out = v;
	return true;
}

static bool byte_at(const struct mctx *m, const struct xdpi_byte_op *b, uint32_t pos,
		    uint64_t *v, int64_t *after)
{
	int64_t at = ((b->flags & XDPI_BY_RELATIVE) ? (int64_t)pos : 0) + b->offset;
	struct xdpi_byte_op rest = *b;

	if (!b->nbytes && !(b->flags & XDPI_BY_STRING)) { /* byte_jump:0: a value of 0, here */
		*v = 0;
		*after = at;
		return at >= 0 && at <= m->len;
	}
	if (!b->nbytes && at >= 0 && at < m->len) { /* a string to the end of the buffer */
		rest.nbytes = (uint8_t)(m->len - at > 20 ? 20 : m->len - at);
		b = &rest;
	}
	if (at < 0 || !b->nbytes || at + b->nbytes > m->len)
		return false;
	*after = at + b->nbytes;
	return read_number(b, m->buf + at, v);
}

static bool match_byte_test(struct mctx *m, uint32_t i, uint32_t pos)
{
	const struct xdpi_byte_op *b = &m->l[i]->by;
	uint64_t v;
	int64_t after;
	bool ok;

	uint64_t want = b->var ? m->vars[b->var - 1] : b->value;

	if (!byte_at(m, b, pos, &v, &after))
		return false;
	switch (b->op) {
	case '<': ok = v < want; break;
	case '>': ok = v > want; break;
	case 'l': ok = v <= want; break;
	case 'g': ok = v >= want; break;
	case '&': ok = (v & want) != 0; break;
	case '^': ok = (v ^ want) != 0; break;
	default: ok = v == want; break;
	}
	if (b->flags & XDPI_BY_NEGATE)
		ok = !ok;
	return ok && match_from(m, i + 1, pos);
}

/* byte_extract: the number (times its multiplier, aligned) under its name; the position moves
 * past the bytes read. */
static bool match_byte_extract(struct mctx *m, uint32_t i, uint32_t pos)
{
	const struct xdpi_byte_op *b = &m->l[i]->by;
	uint64_t v;
	int64_t after;

	if (!byte_at(m, b, pos, &v, &after))
		return false;
	v *= b->multiplier;
	if (b->flags & XDPI_BY_ALIGN)
		v = (v + 3) & ~3ull;
	m->vars[b->var - 1] = v;
	return match_from(m, i + 1, (uint32_t)after);
}

/* byte_math: the number read, OP its rvalue, under its name; the position stays. */
static bool match_byte_math(struct mctx *m, uint32_t i, uint32_t pos)
{
	struct xdpi_byte_op b = m->l[i]->by;
	uint64_t v, r = b.rvar ? m->vars[b.rvar - 1] : b.rvalue;
	int64_t after;

	if (b.nvar && (m->vars[b.nvar - 1] < 1 || m->vars[b.nvar - 1] > 10))
		return false;
	if (b.nvar)
		b.nbytes = (uint8_t)m->vars[b.nvar - 1];
	if (!byte_at(m, &b, pos, &v, &after))
		return false;
	switch (b.oper) {
	case '+': v += r; break;
	case '-': v -= r; break;
	case '*': v *= r; break;
	case '/': if (!r) return false; v /= r; break;
	case '<': v = r < 64 ? v << r : 0; break;
	default: v = r < 64 ? v >> r : 0; break;
	}
	m->vars[b.var - 1] = v;
	return match_from(m, i + 1, pos);
}

static bool match_byte_jump(struct mctx *m, uint32_t i, uint32_t pos)
{
	const struct xdpi_byte_op *b = &m->l[i]->by;
	uint64_t v;
	int64_t after, to;

	if (!byte_at(m, b, pos, &v, &after))
		return false;
	v *= b->multiplier;
	if (b->flags & XDPI_BY_ALIGN)
		v = (v + 3) & ~3ull;
	if (v > 0xffffffffull)
		return false;
	if (b->flags & XDPI_BY_FROM_BEGINNING)
		to = (int64_t)v;
	else if (b->flags & XDPI_BY_FROM_END)
		to = (int64_t)m->len - (int64_t)v;
	else
		to = after + (int64_t)v;
	to += b->post_offset;
	if (to < 0)
		to = 0; /* a jump back past the start lands on it (Suricata 7) */
	if (to > m->len)
		return false;
	return match_from(m, i + 1, (uint32_t)to);
}

/* Each thread's two transform buffers, freed with the thread. */
static bool match_list(const struct xdpi_rule *r, int b, uint8_t view, int inst,
		       const uint8_t *buf, size_t len, uint64_t *vars);

/* A list buffer, one instance of it in the rule: each item in turn (xdpi_buffer_list_kind);
 * one that matches is enough. */
static bool match_instance(const struct xdpi_rule *r, int b, uint8_t view, int inst,
			   const uint8_t *buf, size_t len, uint64_t *vars)
{
	for (size_t off = 0; off < len;) {
		size_t start = off, n;

		if (xdpi_buffer_list_kind(b) == XDPI_LIST_U24) {
			if (off + 3 > len)
				break;
			n = (size_t)buf[off] << 16 | (size_t)buf[off + 1] << 8 | buf[off + 2];
			start = off + 3;
			if (n > len - start)
				n = len - start;
			off = start + n;
		} else {
			const uint8_t *nl = memchr(buf + off, '\n', len - off);
			size_t end = nl ? (size_t)(nl - buf) : len;

			n = end - off;
			if (n && buf[off + n - 1] == '\r')
				n--;
			off = end + 1;
		}
		if (n && match_list(r, b, view, inst, buf + start, n, vars))
			return true;
	}
	return false;
}

/* A list buffer: every instance the rule names matches some item (the same or another). */
static bool match_items(const struct xdpi_rule *r, int b, uint8_t view, const uint8_t *buf,
			size_t len, uint64_t *vars)
{
	int last = 0;

	for (uint32_t i = 0; i < r->n_sm; i++)
		if (r->sm[i].buf == b && r->sm[i].view == view && r->sm[i].inst > last)
			last = r->sm[i].inst;
	for (int inst = 0; inst <= last; inst++)
		if (!match_instance(r, b, view, last ? inst : -1, buf, len, vars))
			return false;
	return true;
}

static void *xf_make(void)
{
	return malloc(3 * XDPI_XFORM_OUT);
}

static struct xdpi_thread_block xf_block = XDPI_THREAD_BLOCK(xf_make, free);

/* Two buffers for a view's transforms, a third for base64_decode (which may decode a view). */
static bool thread_scratch(uint8_t *scratch[3])
{
	uint8_t *p = xdpi_thread_block(&xf_block);

	if (!p)
		return false;
	for (int i = 0; i < 3; i++)
		scratch[i] = p + (size_t)i * XDPI_XFORM_OUT;
	return true;
}

static bool match_from(struct mctx *m, uint32_t i, uint32_t pos);

/* base64_decode at POS (or the start), then the base64_data inspections on what it gave. */
static bool match_b64(struct mctx *m, uint32_t i, uint32_t pos)
{
	const struct xdpi_b64_decode *b = &m->l[i]->b64;
	struct mctx sub = { .r = m->r, .budget = MATCH_BUDGET, .vars = m->vars };
	uint64_t start = (uint64_t)(b->relative ? pos : 0) + b->offset, end;
	uint8_t *scratch[3];
	size_t n;

	if (start >= m->len || !thread_scratch(scratch))
		return false;
	end = b->bytes && start + b->bytes < m->len ? start + b->bytes : m->len;
	n = xdpi_base64_decode(m->buf + start, (size_t)(end - start), scratch[2], XDPI_XFORM_OUT,
			       XDPI_B64_RFC2045);
	if (!n)
		return false;
	for (uint32_t k = 0; k < m->r->n_sm && sub.n < MAX_LIST; k++)
		if (m->r->sm[k].buf == XDPI_BUF_BASE64_DATA)
			sub.l[sub.n++] = &m->r->sm[k];
	sub.buf = scratch[2];
	sub.len = (uint32_t)n;
	return match_from(&sub, 0, 0) && match_from(m, i + 1, pos);
}

/* Shannon entropy in bits per byte. */
static double entropy(const uint8_t *p, size_t n)
{
	uint32_t count[256] = { 0 };
	double h = 0;

	for (size_t i = 0; i < n; i++)
		count[p[i]]++;
	for (int c = 0; c < 256 && n; c++) {
		if (count[c]) {
			double q = (double)count[c] / (double)n;

			h -= q * log2(q);
		}
	}
	return h;
}

static bool match_entropy(const struct mctx *m, const struct xdpi_entropy *e)
{
	uint32_t off = e->offset < m->len ? e->offset : m->len;
	uint32_t n = m->len - off;
	double h;

	if (e->bytes && e->bytes < n)
		n = e->bytes;
	h = entropy(m->buf + off, n);
	switch (e->op) {
	case XDPI_CMP_EQ: return h == e->a;
	case XDPI_CMP_NE: return h != e->a;
	case XDPI_CMP_LT: return h < e->a;
	case XDPI_CMP_GT: return h > e->a;
	case XDPI_CMP_LE: return h <= e->a;
	case XDPI_CMP_GE: return h >= e->a;
	case XDPI_CMP_RANGE: return (h >= e->a && h <= e->b) != e->negated;
	default: return false;
	}
}

static bool match_from(struct mctx *m, uint32_t i, uint32_t pos)
{
	if (i >= m->n)
		return true;
	switch (m->l[i]->type) {
	case XDPI_SM_CONTENT: return match_content(m, i, pos);
	case XDPI_SM_PCRE: return match_pcre(m, i, pos);
	case XDPI_SM_ISDATAAT: return match_isdataat(m, i, pos);
	case XDPI_SM_BYTE_TEST: return match_byte_test(m, i, pos);
	case XDPI_SM_BYTE_JUMP: return match_byte_jump(m, i, pos);
	case XDPI_SM_BSIZE:
		return xdpi_num_cmp_match(&m->l[i]->size, m->len) && match_from(m, i + 1, pos);
	case XDPI_SM_ENTROPY:
		return match_entropy(m, &m->l[i]->ent) && match_from(m, i + 1, pos);
	case XDPI_SM_B64_DECODE: return match_b64(m, i, pos);
	case XDPI_SM_BYTE_EXTRACT: return match_byte_extract(m, i, pos);
	case XDPI_SM_BYTE_MATH: return match_byte_math(m, i, pos);
	case XDPI_SM_ABSENT: /* the buffer is here: only or_else goes on */
		return m->l[i]->or_else && match_from(m, i + 1, pos);
	default: return false;
	}
}

/* Runs the inspections of one buffer (VIEW 0) or one transformed view of it over BUF. */
/* The inspections of buffer B (its VIEW; INST: one instance of a list buffer, -1: all) over
 * BUF. */
static bool match_list(const struct xdpi_rule *r, int b, uint8_t view, int inst,
		       const uint8_t *buf, size_t len, uint64_t *vars)
{
	struct mctx m = { .r = r, .budget = MATCH_BUDGET, .vars = vars };

	for (uint32_t i = 0; i < r->n_sm && m.n < MAX_LIST; i++)
		if (r->sm[i].buf == b && r->sm[i].view == view && (inst < 0 || r->sm[i].inst == inst))
			m.l[m.n++] = &r->sm[i];
	m.buf = buf;
	m.len = (uint32_t)len;
	if (!match_from(&m, 0, 0))
		return false;
	if (m.ev && !view && where.buf < 0) { /* a transformed view's offsets are not the buffer's */
		where.buf = b;
		where.off = m.ev_off;
		where.len = m.ev_end - m.ev_off;
	}
	return true;
}

/* A transformed view of its buffer: the transforms write into this thread's scratch. */
static bool match_view(const struct xdpi_rule *r, uint8_t view, const struct xdpi_inspect *in,
		       uint64_t *vars)
{
	const struct xdpi_buf_view *v = &r->views[view - 1];
	uint8_t *scratch[3];
	const uint8_t *out;
	size_t n;

	if (!in->buf[v->buf] || !thread_scratch(scratch))
		return false;
	out = xdpi_xform_view(v, in->buf[v->buf], in->len[v->buf], scratch, &n);
	return xdpi_buffer_list_kind(v->buf) ? match_items(r, v->buf, view, out, n, vars)
					     : match_list(r, v->buf, view, -1, out, n, vars);
}

/* Does the rule ask for buffer B to be absent (absent, absent: or_else)? */
static bool wants_absent(const struct xdpi_rule *r, int b)
{
	for (uint32_t i = 0; i < r->n_sm; i++)
		if (r->sm[i].type == XDPI_SM_ABSENT && r->sm[i].buf == b)
			return true;
	return false;
}

bool xdpi_rule_match_buffers(const struct xdpi_rule *r, const struct xdpi_inspect *in)
{
	uint64_t vars[XDPI_VARS_MAX];

	where.buf = -1;
	if (r->n_vars) /* a name read before it is set reads 0, as in Suricata */
		memset(vars, 0, sizeof(vars));
	for (uint64_t left = r->buffers; left; left &= left - 1) { /* in buffer order */
		int b = __builtin_ctzll(left);

		if (!in->buf[b] && wants_absent(r, b))
			continue;
		if (!in->buf[b])
			return false; /* the transaction does not have this buffer */
		if (!(xdpi_buffer_list_kind(b) ? match_items(r, b, 0, in->buf[b], in->len[b], vars)
						: match_list(r, b, 0, -1, in->buf[b], in->len[b], vars)))
			return false;
	}
	for (uint8_t v = 1; v <= r->n_views; v++)
		if (!match_view(r, v, in, vars))
			return false;
	return true;
}

bool xdpi_rule_match_where(int *buf, uint32_t *off, uint32_t *len)
{
	if (where.buf < 0)
		return false;
	*buf = where.buf;
	*off = where.off;
	*len = where.len;
	return true;
}
