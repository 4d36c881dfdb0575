// SPDX-License-Identifier: GPL-2.0
/* QUIC: Initial keys against RFC 9001 Appendix A, and a whole client Initial built here
 * (protected with those keys) read back through the dissector: SNI and JA4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include "../../src/dissect/lib/quic_keys.h"
#include "../lib/dissect_harness.h"

static const uint8_t dcid[] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_quic_rfc9001_initial_keys(void **state)
{
	struct quic_keys k;
	char s[40];

	(void)state;
	assert_int_equal(quic_initial_keys(1, dcid, sizeof(dcid), false, &k), 0);
	hex(k.key, 16, s);
	assert_string_equal(s, "1f369613dd76d5467730efcbe3b1a22d");
	hex(k.iv, 12, s);
	assert_string_equal(s, "fa044b2f42a3fd3b46fb255c");
	hex(k.hp, 16, s);
	assert_string_equal(s, "9f50449e04a0e810283a1e9933adedd2");
	assert_int_equal(quic_initial_keys(1, dcid, sizeof(dcid), true, &k), 0);
	hex(k.key, 16, s);
	assert_string_equal(s, "cf3a5331653c364c88f0f379b6067e37");
	hex(k.hp, 16, s);
	assert_string_equal(s, "c206b8d9b9f0f37644430b490eeaa314");
	assert_int_equal(quic_initial_keys(0x12345678, dcid, sizeof(dcid), false, &k), -1);
}

/* Encrypts in place what quic_decrypt decrypts: AES-128-GCM, header as AAD, tag appended. */
static void protect(const struct quic_keys *k, uint8_t *pkt, size_t hdr, size_t len, uint64_t pn,
		    size_t pn_off)
{
	uint8_t nonce[12], mask[16];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int out;

	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k->key, nonce);
	EVP_EncryptUpdate(ctx, NULL, &out, pkt, (int)hdr);
	EVP_EncryptUpdate(ctx, pkt + hdr, &out, pkt + hdr, (int)(len - hdr - 16));
	EVP_EncryptFinal_ex(ctx, pkt + hdr, &out);
	EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, pkt + len - 16);
	EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k->hp, NULL);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	EVP_EncryptUpdate(ctx, mask, &out, pkt + pn_off + 4, 16);
	EVP_CIPHER_CTX_free(ctx);
	pkt[0] ^= mask[0] & 0x0f;
	pkt[pn_off] ^= mask[1];
}

/* a minimal ClientHello: TLS 1.3, one cipher, SNI "quic.test", ALPN h3 */
static const uint8_t client_hello[] = {
	0x01, 0x00, 0x00, 0x46, 0x03, 0x03, [6 ... 37] = 0x11, 0x00, 0x00, 0x02, 0x13, 0x01,
	0x01, 0x00, 0x00, 0x1b, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09, 'q', 'u',
	'i', 'c', '.', 't', 'e', 's', 't', 0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '3',
};
/* a minimal ServerHello: TLS_AES_128_GCM_SHA256, supported_versions TLS 1.3 */
static const uint8_t server_hello[] = {
	0x02, 0x00, 0x00, 0x2e, 0x03, 0x03, [6 ... 37] = 0x22, 0x00, 0x13, 0x01, 0x00,
	0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
};

/* PKT (1200 bytes): a QUIC v1 Initial of the connection whose client chose dcid, from the
 * client (SERVER false) or the server, its one CRYPTO frame (offset 0) holding MSG. */
static void initial(uint8_t *pkt, bool server, const uint8_t *msg, size_t msg_len)
{
	const size_t size = 1200;
	size_t off = 6 + sizeof(dcid), pn_off, len;
	struct quic_keys k;

	memset(pkt, 0, size);
	memcpy(pkt, (uint8_t[]){ 0xc0, 0x00, 0x00, 0x00, 0x01, sizeof(dcid) }, 6);
	memcpy(pkt + 6, dcid, sizeof(dcid));
	pkt[off++] = 0;       /* no SCID */
	pkt[off++] = 0;       /* no token */
	len = size - off - 2;
	pkt[off++] = (uint8_t)(0x40 | len >> 8); /* 2-byte varint: the rest of the packet */
	pkt[off++] = (uint8_t)len;
	pn_off = off;
	pkt[off++] = 0;       /* packet number 0, 1 byte */
	pkt[off++] = 0x06;    /* CRYPTO, offset 0, length (a 2-byte varint) */
	pkt[off++] = 0;
	pkt[off++] = 0x40;
	pkt[off++] = (uint8_t)msg_len;
	memcpy(pkt + off, msg, msg_len); /* the rest stays PADDING (zeros) */
	quic_initial_keys(1, dcid, sizeof(dcid), server, &k);
	protect(&k, pkt, pn_off + 1, size, 0, pn_off);
}

static void test_quic_client_initial_read_back(void **state)
{
	uint8_t pkt[1200];
	struct harness *h = harness_new("quic", XDPI_L4_UDP);

	(void)state;
	initial(pkt, false, client_hello, sizeof(client_hello));
	assert_int_equal(h->d->probe(pkt, sizeof(pkt), XDPI_L4_UDP, 0), XDPI_DISSECT_OK);
	assert_int_equal(harness_feed(h, 0, pkt, sizeof(pkt), 7, false), XDPI_DISSECT_OK);
	harness_end(h);
	assert_int_equal(h->n, 1);
	assert_string_equal(harness_str(h, 0, "quic", "sni"), "quic.test");
	assert_string_equal(harness_str(h, 0, "quic", "version"), "0x00000001");
	assert_true(strncmp(harness_str(h, 0, "quic", "ja4"), "q12d0102h3_", 11) == 0);
	assert_int_equal(harness_int(h, 0, "xdpi", "client_hello_pcap_cnt"), 7);
	pkt[100] ^= 1; /* a corrupted packet fails authentication: malformed, never misread */
	assert_int_equal(harness_feed(h, 0, pkt, sizeof(pkt), 8, false), XDPI_DISSECT_MALFORMED);
	harness_free(h);
}

/* Both hellos, then both again (the client's Initial lost or late, so sent again): two
 * events, and the dissector is not done, so that a kernel copying for it keeps copying,
 * until the client has gone on to a 1-RTT packet. */
static void test_quic_done_after_client_moves_on(void **state)
{
	uint8_t ci[1200], si[1200];
	const uint8_t one_rtt[32] = { 0x40, [1 ... 31] = 0x5a }; /* a short header */
	struct harness *h = harness_new("quic", XDPI_L4_UDP);

	(void)state;
	initial(ci, false, client_hello, sizeof(client_hello));
	initial(si, true, server_hello, sizeof(server_hello));
	harness_feed(h, 0, ci, sizeof(ci), 1, false);
	assert_int_equal(harness_feed(h, 1, si, sizeof(si), 2, false), XDPI_DISSECT_OK);
	assert_int_equal(h->n, 1);
	assert_false(h->ctx.done);
	harness_feed(h, 0, ci, sizeof(ci), 3, false);
	harness_feed(h, 1, si, sizeof(si), 4, false);
	assert_int_equal(h->n, 2);
	assert_int_equal(harness_int(h, 1, "xdpi", "server_hello_pcap_cnt"), 4);
	assert_int_equal(harness_int(h, 1, "xdpi", "hello_repeat"), 1);
	assert_false(h->ctx.done);
	harness_feed(h, 1, one_rtt, sizeof(one_rtt), 5, false); /* the server's: not enough */
	assert_false(h->ctx.done);
	harness_feed(h, 0, one_rtt, sizeof(one_rtt), 6, false);
	assert_true(h->ctx.done);
	harness_end(h);
	assert_int_equal(h->n, 2);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quic_rfc9001_initial_keys),
		cmocka_unit_test(test_quic_client_initial_read_back),
		cmocka_unit_test(test_quic_done_after_client_moves_on),
	};

	return cmocka_run_group_tests_name("quic", tests, NULL, NULL);
}
