// SPDX-License-Identifier: GPL-2.0
/* TLS certificates: the fields tls_parse_certificate gives (subject, issuer, serial, SHA-1
 * fingerprint, validity) for certificates made here with OpenSSL, the same as OpenSSL's own
 * d2i_X509 gives for certificates of every shape (version 1 without extensions, RSA, Ed25519
 * and EC keys, GeneralizedTime, a negative serial, multi-valued names), no crash on any
 * prefix, and the per-thread memo of recent certificates never hands one certificate's
 * fields out for another, however many certificates pass through and in whatever order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "../../src/dissect/lib/tls_hello.h"

#define NCERTS 300 /* more than the memo holds */

struct made {
	uint8_t *msg; /* a Certificate handshake body: certificate_list<3>, cert_data<3> */
	size_t len;
	char fingerprint[64];
};

static EVP_PKEY *key_new(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static void colon_sha1(const uint8_t *der, size_t n, char *out)
{
	uint8_t md[20];
	unsigned int len = 0;

	assert_true(EVP_Digest(der, n, md, &len, EVP_sha1(), NULL));
	/* "aa:bb:...": the form tls_parse_certificate gives */
	for (unsigned int i = 0, o = 0; i < len; i++)
		o += (unsigned int)sprintf(out + o, i ? ":%02x" : "%02x", md[i]);
}

/* subjectAltName: two DNS names and an address (which tls.subjectaltname leaves out). */
static void add_san(X509 *x, int n)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	char v[128];

	snprintf(v, sizeof(v), "DNS:host-%d.example,IP:198.18.0.1,DNS:www.host-%d.example", n, n);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, v);
	assert_non_null(e);
	assert_true(X509_add_ext(x, e, -1));
	X509_EXTENSION_free(e);
}

/* A certificate-list message holding DER. */
static struct made wrap(const uint8_t *der, size_t len)
{
	struct made m = { .len = len + 6 };

	m.msg = malloc(m.len);
	assert_non_null(m.msg);
	m.msg[0] = (uint8_t)((len + 3) >> 16), m.msg[1] = (uint8_t)((len + 3) >> 8);
	m.msg[2] = (uint8_t)(len + 3);
	m.msg[3] = (uint8_t)(len >> 16), m.msg[4] = (uint8_t)(len >> 8), m.msg[5] = (uint8_t)len;
	memcpy(m.msg + 6, der, len);
	return m;
}

/* CN=host-N.example, serial N, signed by key K. */
static struct made make_cert(EVP_PKEY *k, int n)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	char cn[64];
	struct made m = { 0 };
	uint8_t *der = NULL;
	int len;

	snprintf(cn, sizeof(cn), "host-%d.example", n);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1000 + n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, k);
	add_san(x, n);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	len = i2d_X509(x, &der);
	assert_true(len > 0);
	m = wrap(der, (size_t)len);
	colon_sha1(der, (size_t)len, m.fingerprint);
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_free(x);
	return m;
}

static void assert_is(const struct made *m, int n)
{
	struct tls_cert c;
	char want[64];

	assert_int_equal(tls_parse_certificate(m->msg, m->len, &c), 0);
	snprintf(want, sizeof(want), "CN=host-%d.example", n);
	assert_string_equal(c.subject, want);
	assert_string_equal(c.issuer, want);
	assert_string_equal(c.fingerprint, m->fingerprint);
	assert_int_equal(strlen(c.not_before), 19);
	assert_int_equal(strlen(c.not_after), 19);
	snprintf(want, sizeof(want), "host-%d.example\nwww.host-%d.example", n, n);
	assert_string_equal(c.san, want);
	assert_int_equal(c.n_san, 2);
	assert_int_equal(c.san_left_out, 0);
}

static void test_certificate_fields(void **state)
{
	EVP_PKEY *k = key_new();
	struct made m = make_cert(k, 7);
	struct tls_cert c;

	(void)state;
	assert_int_equal(tls_parse_certificate(m.msg, m.len, &c), 0);
	assert_string_equal(c.subject, "CN=host-7.example");
	assert_string_equal(c.serial, "03:EF"); /* 1007 */
	assert_string_equal(c.fingerprint, m.fingerprint);
	assert_int_equal(tls_parse_certificate(m.msg, 5, &c), -1);       /* too short */
	assert_int_equal(tls_parse_certificate(m.msg, m.len - 1, &c), -1); /* cut */
	m.msg[m.len - 40] ^= 0xff; /* damage inside the signature: still DER, another digest */
	if (tls_parse_certificate(m.msg, m.len, &c) == 0)
		assert_string_not_equal(c.fingerprint, m.fingerprint);
	free(m.msg);
	EVP_PKEY_free(k);
}

static void test_memo_never_mixes_certificates(void **state)
{
	EVP_PKEY *k = key_new();
	struct made *m = calloc(NCERTS, sizeof(*m));

	(void)state;
	assert_non_null(m);
	for (int i = 0; i < NCERTS; i++)
		m[i] = make_cert(k, i);
	for (int round = 0; round < 3; round++) /* forwards, then strided: hits and evictions */
		for (int i = 0; i < NCERTS; i++) {
			int n = round == 1 ? (i * 7) % NCERTS : i;

			assert_is(&m[n], n);
			assert_is(&m[n], n); /* now from the memo */
		}
	for (int i = 0; i < NCERTS; i++)
		free(m[i].msg);
	free(m);
	EVP_PKEY_free(k);
}

/* The oracle: a name of d2i_X509's whole X509, printed as the dissector prints names. */
static void oracle_name(const X509_NAME *n, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long got;

	X509_NAME_print_ex(b, n, 0, (XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_RFC2253) & ~ASN1_STRFLGS_ESC_MSB);
	got = BIO_get_mem_data(b, &data);
	snprintf(out, len, "%.*s", (int)got, data);
	BIO_free(b);
}

static void oracle_time(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	assert_true(ASN1_TIME_to_tm(t, &tm));
	strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* Certificate number SHAPE: each differs from the plain one in one way d2i_X509 handles. */
static X509 *shaped_cert(int shape)
{
	EVP_PKEY *k = shape == 1 ? EVP_RSA_gen(1024) : shape == 2 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
								  : EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();

	assert_non_null(k);
	X509_set_version(x, shape == 3 ? 0 : 2); /* 3: version 1, no extensions */
	ASN1_INTEGER_set(X509_get_serialNumber(x), shape == 4 ? -5 : 0x0102030405L);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	/* 5: notAfter past 2049, a GeneralizedTime */
	ASN1_TIME_set_string(X509_getm_notAfter(x), shape == 5 ? "20610102030405Z" : "301231235959Z");
	X509_NAME_add_entry_by_txt(subj, "C", MBSTRING_ASC, (const unsigned char *)"DE", -1, -1, 0);
	X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_UTF8, (const unsigned char *)"M\xc3\xbcller, \"Q\" GmbH", -1, -1, 0);
	/* 6: a multi-valued RDN (O + OU in one set) */
	X509_NAME_add_entry_by_txt(subj, "OU", MBSTRING_ASC, (const unsigned char *)"ops", -1, -1, shape == 6);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC, (const unsigned char *)"*.example.test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_ASC, (const unsigned char *)"Test CA", -1, -1, 0);
	X509_set_subject_name(x, subj);
	X509_set_issuer_name(x, iss);
	X509_set_pubkey(x, k);
	if (shape != 3)
		add_san(x, shape);
	assert_true(X509_sign(x, k, shape == 2 ? NULL : EVP_sha256()) > 0);
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	EVP_PKEY_free(k);
	return x;
}

static void test_fields_agree_with_d2i_x509(void **state)
{
	(void)state;
	for (int shape = 0; shape < 7; shape++) {
		X509 *x = shaped_cert(shape);
		uint8_t *der = NULL;
		int len = i2d_X509(x, &der);
		struct made m = wrap(der, (size_t)len);
		const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
		char want[512];
		struct tls_cert c;

		assert_int_equal(tls_parse_certificate(m.msg, m.len, &c), 0);
		oracle_name(X509_get_subject_name(x), want, sizeof(want));
		assert_string_equal(c.subject, want);
		oracle_name(X509_get_issuer_name(x), want, sizeof(want));
		assert_string_equal(c.issuer, want);
		oracle_time(X509_get0_notBefore(x), want, sizeof(want));
		assert_string_equal(c.not_before, want);
		oracle_time(X509_get0_notAfter(x), want, sizeof(want));
		assert_string_equal(c.not_after, want);
		/* the serial's magnitude, as d2i_X509's ASN1_INTEGER holds it */
		for (int i = 0, o = 0; i < ASN1_STRING_length(sn); i++)
			o += sprintf(want + o, i ? ":%02X" : "%02X", ASN1_STRING_get0_data(sn)[i]);
		assert_string_equal(c.serial, want);
		assert_int_equal(c.n_san, shape == 3 ? 0 : 2);
		/* every prefix of the DER: an error or fields, never a crash (ASan watches) */
		for (int cut = 0; cut < len; cut++) {
			struct made p = wrap(der, (size_t)cut);

			tls_parse_certificate(p.msg, p.len, &c);
			free(p.msg);
		}
		free(m.msg);
		OPENSSL_free(der);
		X509_free(x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certificate_fields),
		cmocka_unit_test(test_memo_never_mixes_certificates),
		cmocka_unit_test(test_fields_agree_with_d2i_x509),
	};

	return cmocka_run_group_tests_name("tls_cert", tests, NULL, NULL);
}
