// SPDX-License-Identifier: GPL-2.0
/* TLS hello parsing, JA3/JA3S (Salesforce) and JA4 (FoxIO) fingerprints, certificates. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "tls_hello.h"
#include "xdpi/digest.h"
#include "xdpi/fmt.h"
#include "xdpi/thread_block.h"

struct rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	const uint8_t *p = r->p + r->off;

	if (r->bad || r->off + n > r->len) {
		r->bad = true;
		return NULL;
	}
	r->off += n;
	return p;
}

static unsigned u8(struct rd *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

static unsigned u16(struct rd *r)
{
	const uint8_t *p = take(r, 2);

	return p ? (unsigned)(p[0] << 8 | p[1]) : 0;
}

/* A sub-reader over the next n bytes. */
static struct rd sub(struct rd *r, size_t n)
{
	struct rd s = { .p = take(r, n), .len = n };

	s.bad = s.p == NULL;
	return s;
}

static void push16(uint16_t *arr, size_t *n, unsigned v, size_t max)
{
	if (*n < max)
		arr[(*n)++] = (uint16_t)v;
}

static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static void ext_sni(struct rd *e, struct tls_hello *h)
{
	struct rd list = sub(e, u16(e));

	h->has_sni = true;
	while (!list.bad && list.off < list.len) {
		unsigned type = u8(&list), n = u16(&list);
		const uint8_t *name = take(&list, n);

		if (name && type == 0) {
			snprintf(h->sni, sizeof(h->sni), "%.*s", (int)n, (const char *)name);
			return;
		}
	}
}

static void ext_alpn(struct rd *e, struct tls_hello *h)
{
	struct rd list = sub(e, u16(e));

	while (!list.bad && list.off < list.len && h->n_alpn < TLS_ALPN_MAX) {
		unsigned n = u8(&list);
		const uint8_t *v = take(&list, n);

		if (!v)
			break;
		snprintf(h->alpn[h->n_alpn], sizeof(h->alpn[0]), "%.*s", (int)n, (const char *)v);
		memcpy(h->alpn_raw[h->n_alpn], v, n < 64 ? n : 64);
		h->alpn_len[h->n_alpn] = (uint8_t)(n < 64 ? n : 64);
		h->n_alpn++;
	}
}

static void ext_u16_list(struct rd *e, unsigned lenbytes, uint16_t *arr, size_t *n)
{
	struct rd list = sub(e, lenbytes == 1 ? u8(e) : u16(e));

	while (!list.bad && list.off + 2 <= list.len)
		push16(arr, n, u16(&list), TLS_LIST_MAX);
}

static void extension(unsigned type, struct rd *e, bool server, struct tls_hello *h)
{
	switch (type) {
	case 0:
		if (!server)
			ext_sni(e, h);
		break;
	case 16:
		ext_alpn(e, h);
		break;
	case 10:
		ext_u16_list(e, 2, h->groups, &h->n_groups);
		break;
	case 11: {
		struct rd list = sub(e, u8(e));

		while (!list.bad && list.off < list.len && h->n_point_formats < sizeof(h->point_formats))
			h->point_formats[h->n_point_formats++] = (uint8_t)u8(&list);
		break;
	}
	case 13:
		ext_u16_list(e, 2, h->sig_algs, &h->n_sig_algs);
		break;
	case 43:
		if (server) {
			if (e->len >= 2 && h->n_versions < 16)
				h->versions[h->n_versions++] = (uint16_t)u16(e);
		} else {
			struct rd list = sub(e, u8(e));

			while (!list.bad && list.off + 2 <= list.len && h->n_versions < 16)
				h->versions[h->n_versions++] = (uint16_t)u16(&list);
		}
		break;
	}
}

int tls_parse_hello(const uint8_t *p, size_t len, bool server, struct tls_hello *h)
{
	struct rd r = { .p = p, .len = len };
	struct rd exts;

	memset(h, 0, sizeof(*h));
	h->legacy_version = (uint16_t)u16(&r);
	take(&r, 32);          /* random */
	take(&r, u8(&r));      /* session id */
	if (server) {
		push16(h->ciphers, &h->n_ciphers, u16(&r), TLS_CIPHERS_MAX);
		u8(&r);        /* compression */
	} else {
		struct rd cs = sub(&r, u16(&r));

		while (!cs.bad && cs.off + 2 <= cs.len)
			push16(h->ciphers, &h->n_ciphers, u16(&cs), TLS_CIPHERS_MAX);
		take(&r, u8(&r)); /* compression methods */
	}
	if (r.bad)
		return -1;
	if (r.off == r.len)
		return 0; /* no extensions (SSLv3-era hello) */
	exts = sub(&r, u16(&r));
	while (!exts.bad && exts.off + 4 <= exts.len) {
		unsigned type = u16(&exts);
		struct rd e = sub(&exts, u16(&exts));

		if (e.bad)
			break;
		push16(h->exts, &h->n_exts, type, TLS_LIST_MAX);
		extension(type, &e, server, h);
	}
	return 0;
}

int tls_raw_keep(struct tls_raw_hello *r, const uint8_t *p, size_t len, bool server,
		 uint16_t *version)
{
	struct tls_hello h;

	if (tls_parse_hello(p, len, server, &h) || !(r->bytes = malloc(len ? len : 1)))
		return -1;
	memcpy(r->bytes, p, len);
	r->len = (uint32_t)len;
	if (version)
		*version = tls_selected_version(&h);
	return 0;
}

struct tls_hello *tls_raw_parse(const struct tls_raw_hello *r, bool server, struct tls_hello *out)
{
	return r->bytes && tls_parse_hello(r->bytes, r->len, server, out) == 0 ? out : NULL;
}

void tls_raw_free(struct tls_raw_hello *r)
{
	free(r->bytes);
	r->bytes = NULL;
	r->len = 0;
}

uint16_t tls_selected_version(const struct tls_hello *h)
{
	uint16_t best = 0;

	for (size_t i = 0; i < h->n_versions; i++)
		if (!grease(h->versions[i]) && h->versions[i] > best)
			best = h->versions[i];
	return best ? best : h->legacy_version;
}

const char *tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "TLS 1.3";
	case 0x0303:
		return "TLS 1.2";
	case 0x0302:
		return "TLS 1.1";
	case 0x0301:
		return "TLS 1.0";
	case 0x0300:
		return "SSLv3";
	}
	return "UNDETERMINED";
}

/* ---- fingerprints ---- */

static void digest(enum xdpi_md md, const char *s, char *out)
{
	uint8_t d[XDPI_MD_MAX];

	xdpi_fmt_hex(out, d, xdpi_digest(md, s, strlen(s), d), 0);
}

/* Appends the non-GREASE values of arr, decimal, '-' separated. */
static size_t join_dec(char *out, size_t cap, const uint16_t *arr, size_t n)
{
	size_t o = 0;
	bool first = true;

	for (size_t i = 0; i < n && o + 8 < cap; i++) {
		if (grease(arr[i]))
			continue;
		if (!first)
			out[o++] = '-';
		o = (size_t)(xdpi_fmt_u32(out + o, arr[i]) - out);
		first = false;
	}
	out[o] = '\0';
	return o;
}

void tls_ja3(const struct tls_hello *h, bool server, char *hash, size_t hlen, char *str, size_t slen)
{
	size_t o = (size_t)snprintf(str, slen, "%u,", h->legacy_version);

	if (hlen < 33 || slen < 64)
		return;
	o += join_dec(str + o, slen - o, h->ciphers, h->n_ciphers);
	o += (size_t)snprintf(str + o, slen - o, ",");
	o += join_dec(str + o, slen - o, h->exts, h->n_exts);
	if (!server) {
		o += (size_t)snprintf(str + o, slen - o, ",");
		o += join_dec(str + o, slen - o, h->groups, h->n_groups);
		o += (size_t)snprintf(str + o, slen - o, ",");
		for (size_t i = 0; i < h->n_point_formats && o + 5 < slen; i++)
			o += (size_t)snprintf(str + o, slen - o, "%s%u", i ? "-" : "", h->point_formats[i]);
	}
	digest(XDPI_MD_MD5, str, hash);
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The first 12 hex characters of SHA-256 over the values as 4-hex-digit words, ','-joined
 * (sorted when asked), then an optional '_' and a second list in its order. */
static void ja4_hash(const uint16_t *a, size_t na, const uint16_t *b, size_t nb, char *out)
{
	char s[TLS_CIPHERS_MAX * 5 + TLS_LIST_MAX * 5 + 8], h[2 * XDPI_MD_MAX + 1];
	size_t o = 0;

	if (!na) {
		strcpy(out, "000000000000");
		return;
	}
	for (size_t i = 0; i < na; i++) {
		if (i)
			s[o++] = ',';
		o = (size_t)(xdpi_fmt_hex16(s + o, a[i]) - s);
	}
	if (nb)
		s[o++] = '_';
	for (size_t i = 0; i < nb && o + 6 < sizeof(s); i++) {
		if (i)
			s[o++] = ',';
		o = (size_t)(xdpi_fmt_hex16(s + o, b[i]) - s);
	}
	s[o] = '\0';
	digest(XDPI_MD_SHA256, s, h);
	memcpy(out, h, 12);
	out[12] = '\0';
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	}
	return "00";
}

/* The first and last characters of the first ALPN; its hex's when they are not alphanumeric. */
static void ja4_alpn(const struct tls_hello *h, char out[3])
{
	const uint8_t *v = h->alpn_raw[0];
	size_t n = h->alpn_len[0];

	if (!h->n_alpn || !n) {
		strcpy(out, "00");
		return;
	}
	if (isalnum(v[0]) && isalnum(v[n - 1])) {
		out[0] = (char)v[0], out[1] = (char)v[n - 1];
	} else {
		static const char hx[] = "0123456789abcdef";

		out[0] = hx[v[0] >> 4], out[1] = hx[v[n - 1] & 0xf];
	}
	out[2] = '\0';
}

void tls_ja4(const struct tls_hello *h, char transport, char *out, size_t len)
{
	uint16_t ciphers[TLS_CIPHERS_MAX], exts[TLS_LIST_MAX], sigs[TLS_LIST_MAX];
	size_t nc = 0, ne = 0, ne_all = 0, ns = 0;
	char b[13], c[13], alpn[3];

	for (size_t i = 0; i < h->n_ciphers; i++)
		if (!grease(h->ciphers[i]))
			ciphers[nc++] = h->ciphers[i];
	for (size_t i = 0; i < h->n_exts; i++) {
		if (grease(h->exts[i]))
			continue;
		ne_all++;
		if (h->exts[i] != 0x0000 && h->exts[i] != 0x0010) /* SNI and ALPN stand in `a` */
			exts[ne++] = h->exts[i];
	}
	for (size_t i = 0; i < h->n_sig_algs; i++)
		if (!grease(h->sig_algs[i]))
			sigs[ns++] = h->sig_algs[i];
	qsort(ciphers, nc, sizeof(ciphers[0]), cmp_u16);
	qsort(exts, ne, sizeof(exts[0]), cmp_u16);
	ja4_hash(ciphers, nc, NULL, 0, b);
	ja4_hash(exts, ne, sigs, ns, c);
	ja4_alpn(h, alpn);
	snprintf(out, len, "%c%s%c%02zu%02zu%s_%s_%s", transport,
		 ja4_version(tls_selected_version(h)), h->has_sni ? 'd' : 'i', nc > 99 ? 99 : nc,
		 ne_all > 99 ? 99 : ne_all, alpn, b, c);
}

/* ---- EVE fields shared by the TLS and QUIC events ---- */

static void put_ja3(struct xdpi_json *j, const char *key, const struct tls_hello *h, bool server)
{
	char hash[64], str[8192];

	tls_ja3(h, server, hash, sizeof(hash), str, sizeof(str));
	xdpi_json_obj_open(j, key);
	xdpi_json_str(j, "hash", hash);
	xdpi_json_str(j, "string", str);
	xdpi_json_obj_close(j);
}

void tls_put_client_hello(struct xdpi_json *j, const struct tls_hello *h, char transport)
{
	char ja4[48];

	if (h->sni[0])
		xdpi_json_str(j, "sni", h->sni);
	put_ja3(j, "ja3", h, false);
	tls_ja4(h, transport, ja4, sizeof(ja4));
	xdpi_json_str(j, "ja4", ja4);
}

/* tls.random and its two parts from a kept hello (version, then the 32 random bytes). */
static void set_random(struct xdpi_inspect *in, const struct tls_raw_hello *h)
{
	if (!h || !h->bytes || h->len < 34)
		return;
	xdpi_inspect_set(in, XDPI_BUF_TLS_RANDOM, h->bytes + 2, 32);
	xdpi_inspect_set(in, XDPI_BUF_TLS_RANDOM_TIME, h->bytes + 2, 4);
	xdpi_inspect_set(in, XDPI_BUF_TLS_RANDOM_BYTES, h->bytes + 6, 28);
}

void tls_inspect(struct xdpi_dissect_ctx *c, const struct tls_raw_hello *raw, char transport,
		 const struct tls_server_side *srv)
{
	const struct tls_cert *cert = srv ? srv->cert : NULL;
	struct xdpi_inspect in = { .stage = srv ? XDPI_STAGE_TLS_SERVER : XDPI_STAGE_TLS_CLIENT };
	struct tls_hello hello, *h;
	char ja3[64], ja4[48], str[8192];

	if (!xdpi_dissect_wants(c, in.stage) || !(h = tls_raw_parse(raw, false, &hello)))
		return;
	tls_ja3(h, false, ja3, sizeof(ja3), str, sizeof(str));
	tls_ja4(h, transport, ja4, sizeof(ja4));
	xdpi_inspect_set(&in, XDPI_BUF_PAYLOAD, raw->bytes, raw->len);
	if (h->has_sni)
		xdpi_inspect_set(&in, XDPI_BUF_TLS_SNI, h->sni, strlen(h->sni));
	xdpi_inspect_set(&in, XDPI_BUF_JA3_HASH, ja3, strlen(ja3));
	xdpi_inspect_set(&in, XDPI_BUF_JA3_STRING, str, strlen(str));
	xdpi_inspect_set(&in, XDPI_BUF_JA4_HASH, ja4, strlen(ja4));
	in.tls_version = srv ? srv->version : h->legacy_version;
	if (cert) {
		xdpi_inspect_set(&in, XDPI_BUF_TLS_CERT_SUBJECT, cert->subject, strlen(cert->subject));
		xdpi_inspect_set(&in, XDPI_BUF_TLS_CERT_ISSUER, cert->issuer, strlen(cert->issuer));
		xdpi_inspect_set(&in, XDPI_BUF_TLS_CERT_SERIAL, cert->serial, strlen(cert->serial));
		if (cert->n_san)
			xdpi_inspect_set(&in, XDPI_BUF_TLS_SUBJECTALTNAME, cert->san, strlen(cert->san));
		in.tls_chain_len = cert->chain_len;
		xdpi_inspect_set(&in, XDPI_BUF_TLS_CERTS, srv->chain, srv->chain_len);
	}
	set_random(&in, srv ? srv->hello : raw);
	c->inspect(c, &in);
}

void tls_put_ja3s(struct xdpi_json *j, const struct tls_hello *h)
{
	put_ja3(j, "ja3s", h, true);
}

void tls_put_alpns(struct xdpi_json *j, const char *key, const struct tls_hello *h)
{
	if (!h->n_alpn)
		return;
	xdpi_json_arr_open(j, key);
	for (size_t i = 0; i < h->n_alpn; i++)
		xdpi_json_str(j, NULL, h->alpn[i]);
	xdpi_json_arr_close(j);
}

/* ---- certificates ---- */

static void name_str(X509_NAME *n, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	long got;
	char *data;

	out[0] = '\0';
	if (!b)
		return;
	/* "C=US, O=Example, CN=www.example.com", in the certificate's order */
	X509_NAME_print_ex(b, n, 0, (XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_RFC2253) & ~ASN1_STRFLGS_ESC_MSB);
	got = BIO_get_mem_data(b, &data);
	snprintf(out, len, "%.*s", (int)got, data);
	BIO_free(b);
}

static void time_str(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	out[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm))
		strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

static void colon_hex(const uint8_t *b, size_t n, bool upper, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o + 4 < len; i++)
		o += (size_t)snprintf(out + o, len - o, upper ? "%s%02X" : "%s%02x", i ? ":" : "", b[i]);
}

/* The subjectAltName DNS names, one per line, as many as fit. */
static void san_names(const STACK_OF(X509_EXTENSION) *exts, struct tls_cert *c)
{
	GENERAL_NAMES *names = exts ? X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL) : NULL;
	size_t used = 0;

	for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		const unsigned char *d;
		int n;

		if (g->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(g->d.dNSName);
		n = ASN1_STRING_length(g->d.dNSName);
		if (n <= 0 || memchr(d, '\n', (size_t)n) ||
		    used + (used > 0) + (size_t)n + 1 > sizeof(c->san)) {
			c->san_left_out++;
			continue;
		}
		if (used)
			c->san[used++] = '\n';
		memcpy(c->san + used, d, (size_t)n);
		used += (size_t)n;
		c->san[used] = '\0';
		c->n_san++;
	}
	GENERAL_NAMES_free(names);
}

/* One DER element at *p (before end): its tag and class, and where it starts and ends;
 * *p moves past it. False on a malformed or indefinite-length element. */
struct der_elem {
	int tag, cls;
	const uint8_t *start, *body, *end;
};

static bool der_next(const uint8_t **p, const uint8_t *end, struct der_elem *e)
{
	const unsigned char *q = *p;
	long len;
	int r;

	if (*p >= end)
		return false;
	r = ASN1_get_object(&q, &len, &e->tag, &e->cls, end - *p);
	if (r & 0x80 || r == 0x21) /* an error, or the indefinite form DER has not */
		return false;
	e->start = *p, e->body = q, e->end = q + len;
	*p = e->end;
	return true;
}

/* The next element if it is the context-specific [TAG] (an optional field), else nothing
 * consumed. */
static bool der_optional(const uint8_t **p, const uint8_t *end, int tag, struct der_elem *e)
{
	const uint8_t *at = *p;

	if (der_next(&at, end, e) && e->cls == V_ASN1_CONTEXT_SPECIFIC && e->tag == tag) {
		*p = at;
		return true;
	}
	return false;
}

/* The TBSCertificate (RFC 5280 4.1) read field by field, each through OpenSSL's own decoder
 * for its type. Not d2i_X509: that also decodes the public key through OpenSSL 3's decoder
 * framework, about 50 us a certificate here and most of a TLS flow's cost, for a key no
 * event reports. */
struct tbs_fields {
	ASN1_INTEGER *serial;
	X509_NAME *issuer, *subject;
	ASN1_TIME *not_before, *not_after;
	STACK_OF(X509_EXTENSION) *exts;
};

static void tbs_free(struct tbs_fields *f)
{
	ASN1_INTEGER_free(f->serial);
	X509_NAME_free(f->issuer);
	X509_NAME_free(f->subject);
	ASN1_TIME_free(f->not_before);
	ASN1_TIME_free(f->not_after);
	sk_X509_EXTENSION_pop_free(f->exts, X509_EXTENSION_free);
}

#define D2I(fn, e) fn(NULL, &(const unsigned char *){ (e).start }, (e).end - (e).start)

static int tbs_read(const uint8_t *der, size_t len, struct tbs_fields *f)
{
	const uint8_t *p = der, *end = der + len, *v;
	struct der_elem cert, tbs, e, validity, t;

	if (!der_next(&p, end, &cert) || cert.tag != V_ASN1_SEQUENCE)
		return -1;
	p = cert.body;
	if (!der_next(&p, cert.end, &tbs) || tbs.tag != V_ASN1_SEQUENCE)
		return -1;
	p = tbs.body;
	der_optional(&p, tbs.end, 0, &e); /* version */
	if (!der_next(&p, tbs.end, &e) || !(f->serial = D2I(d2i_ASN1_INTEGER, e)))
		return -1;
	if (!der_next(&p, tbs.end, &e)) /* the signature's algorithm */
		return -1;
	if (!der_next(&p, tbs.end, &e) || !(f->issuer = D2I(d2i_X509_NAME, e)))
		return -1;
	if (!der_next(&p, tbs.end, &validity) || validity.tag != V_ASN1_SEQUENCE)
		return -1;
	v = validity.body;
	if (!der_next(&v, validity.end, &t) || !(f->not_before = D2I(d2i_ASN1_TIME, t)) ||
	    !der_next(&v, validity.end, &t) || !(f->not_after = D2I(d2i_ASN1_TIME, t)))
		return -1;
	if (!der_next(&p, tbs.end, &e) || !(f->subject = D2I(d2i_X509_NAME, e)))
		return -1;
	if (!der_next(&p, tbs.end, &e) || e.tag != V_ASN1_SEQUENCE) /* the public key */
		return -1;
	der_optional(&p, tbs.end, 1, &e); /* issuerUniqueID */
	der_optional(&p, tbs.end, 2, &e); /* subjectUniqueID */
	if (der_optional(&p, tbs.end, 3, &e)) { /* [3] EXPLICIT Extensions */
		v = e.body;
		if (!der_next(&v, e.end, &t) || !(f->exts = D2I(d2i_X509_EXTENSIONS, t)))
			return -1;
	}
	return 0;
}

static int cert_from_der(const uint8_t *der, size_t len, struct tls_cert *c)
{
	struct tbs_fields f = { 0 };
	const uint8_t *serial;
	int n;

	if (tbs_read(der, len, &f)) {
		tbs_free(&f);
		return -1;
	}
	name_str(f.subject, c->subject, sizeof(c->subject));
	name_str(f.issuer, c->issuer, sizeof(c->issuer));
	/* an ASN1_INTEGER's bytes are its magnitude, big-endian */
	serial = ASN1_STRING_get0_data(f.serial);
	n = ASN1_STRING_length(f.serial);
	if (serial && n > 0)
		colon_hex(serial, (size_t)n, true, c->serial, sizeof(c->serial));
	time_str(f.not_before, c->not_before, sizeof(c->not_before));
	time_str(f.not_after, c->not_after, sizeof(c->not_after));
	san_names(f.exts, c);
	tbs_free(&f);
	return 0;
}

/* A server shows the same certificate to every client, and reading one takes a few
 * microseconds (names printed, extensions decoded): the certificates seen last are kept by
 * their SHA-1, per thread (the workers parse in parallel), two to a set with the older one
 * replaced. The table (430 KB) is made on a thread's first certificate: as _Thread_local
 * data it was zeroed, page by page, at the start of every thread and every xdpi command. */
#define CERT_MEMO_SETS 64

struct cert_memo {
	uint8_t sha1[20];
	bool used;
	struct tls_cert cert;
};

struct cert_memo_table {
	struct cert_memo set[CERT_MEMO_SETS][2];
	uint8_t newer[CERT_MEMO_SETS]; /* which way of each set was filled last */
};

static void *memo_make(void)
{
	return calloc(1, sizeof(struct cert_memo_table));
}

static struct xdpi_thread_block memo_block = XDPI_THREAD_BLOCK(memo_make, free);

/* This thread's table, made now if it has none; NULL without memory (nothing is kept). */
static struct cert_memo_table *cert_memo(void)
{
	return xdpi_thread_block(&memo_block);
}

static const struct tls_cert *cert_memo_find(struct cert_memo_table *t, const uint8_t sha1[20])
{
	struct cert_memo *set = t->set[sha1[0] % CERT_MEMO_SETS];

	for (int w = 0; w < 2; w++)
		if (set[w].used && !memcmp(set[w].sha1, sha1, 20))
			return &set[w].cert;
	return NULL;
}

static void cert_memo_put(struct cert_memo_table *t, const uint8_t sha1[20], const struct tls_cert *c)
{
	unsigned int i = sha1[0] % CERT_MEMO_SETS, w = !t->newer[i];
	struct cert_memo *m = &t->set[i][w];

	memcpy(m->sha1, sha1, 20);
	m->cert = *c;
	m->used = true;
	t->newer[i] = (uint8_t)w;
}

/* Certificates in a certificate_list<3> of LEN bytes at P (each cert_data<3>). */
static uint16_t chain_length(const uint8_t *p, size_t len)
{
	size_t off = 0;
	uint16_t n = 0;

	while (off + 3 <= len && n < UINT16_MAX) {
		off += 3 + ((size_t)p[off] << 16 | (size_t)p[off + 1] << 8 | p[off + 2]);
		if (off > len)
			break;
		n++;
	}
	return n;
}

int tls_parse_certificate(const uint8_t *p, size_t len, struct tls_cert *c)
{
	struct cert_memo_table *memo = cert_memo();
	uint8_t md[XDPI_MD_MAX];
	const struct tls_cert *known;
	unsigned int mdlen = 0;
	size_t clen;

	/* certificate_list<3>, each: cert_data<3> (TLS 1.2: no per-certificate extensions) */
	if (len < 6)
		return -1;
	clen = (size_t)p[3] << 16 | (size_t)p[4] << 8 | p[5];
	if (6 + clen > len)
		return -1;
	/* the fingerprint is the SHA-1 of the certificate's DER bytes, as sent */
	if ((mdlen = xdpi_digest(XDPI_MD_SHA1, p + 6, clen, md)) != 20)
		return -1;
	if (memo && (known = cert_memo_find(memo, md))) {
		*c = *known;
		c->chain_len = chain_length(p + 3, len - 3);
		return 0;
	}
	memset(c, 0, sizeof(*c));
	if (cert_from_der(p + 6, clen, c))
		return -1;
	colon_hex(md, mdlen, false, c->fingerprint, sizeof(c->fingerprint));
	c->chain_len = chain_length(p + 3, len - 3);
	if (memo)
		cert_memo_put(memo, md, c);
	return 0;
}

void tls_put_hello_frames(struct xdpi_json *j, uint64_t ch_cnt, uint64_t sh_cnt)
{
	if (ch_cnt)
		xdpi_json_u64(j, "client_hello_pcap_cnt", ch_cnt);
	if (sh_cnt)
		xdpi_json_u64(j, "server_hello_pcap_cnt", sh_cnt);
}
