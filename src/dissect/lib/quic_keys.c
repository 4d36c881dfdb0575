// SPDX-License-Identifier: GPL-2.0
/* QUIC Initial keys (HKDF-SHA256 with the TLS 1.3 label scheme), header protection with
 * AES-128-ECB, payload with AES-128-GCM; OpenSSL does the cryptography. */
#include <pthread.h>
#include <string.h>
#include <openssl/evp.h>
#include "quic_keys.h"
#include "xdpi/digest.h"

#define QUIC_V1 0x00000001u
#define QUIC_V2 0x6b3343cfu

static const uint8_t salt_v1[20] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
				     0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };
static const uint8_t salt_v2[20] = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
				     0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 };
static const uint8_t salt_d29[20] = { 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
				      0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 };

static const uint8_t *salt_of(uint32_t v)
{
	if (v == QUIC_V1)
		return salt_v1;
	if (v == QUIC_V2)
		return salt_v2;
	if (v >= 0xff00001d && v <= 0xff000020) /* drafts 29 to 32 */
		return salt_d29;
	return NULL;
}

bool quic_version_known(uint32_t version)
{
	return salt_of(version) != NULL;
}

/* HKDF-Expand-Label (RFC 8446 7.1) for outputs of at most one SHA-256 block. */
static int expand_label(const uint8_t *secret, const char *label, uint8_t *out, size_t len)
{
	uint8_t info[64], t[XDPI_MD_MAX];
	size_t llen = strlen(label), n = 0;

	if (len > 32 || 6 + llen > 250)
		return -1;
	info[n++] = (uint8_t)(len >> 8);
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + llen);
	memcpy(info + n, "tls13 ", 6), n += 6;
	memcpy(info + n, label, llen), n += llen;
	info[n++] = 0; /* empty context */
	info[n++] = 0x01; /* T(1) = HMAC(PRK, info | 0x01) */
	if (!xdpi_hmac_sha256(secret, 32, info, n, t))
		return -1;
	memcpy(out, t, len);
	return 0;
}

int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server,
		      struct quic_keys *k)
{
	const uint8_t *salt = salt_of(version);
	bool v2 = version == QUIC_V2;
	uint8_t initial[XDPI_MD_MAX], secret[32];

	if (!salt || !xdpi_hmac_sha256(salt, 20, dcid, dcid_len, initial))
		return -1;
	if (expand_label(initial, server ? "server in" : "client in", secret, 32) ||
	    expand_label(secret, v2 ? "quicv2 key" : "quic key", k->key, 16) ||
	    expand_label(secret, v2 ? "quicv2 iv" : "quic iv", k->iv, 12) ||
	    expand_label(secret, v2 ? "quicv2 hp" : "quic hp", k->hp, 16))
		return -1;
	return 0;
}

/* AES-128 in ECB (header protection) and GCM (payload), fetched once per process:
 * EVP_aes_128_gcm() in an init looks the cipher up in OpenSSL 3's provider tables on every
 * packet. */
static EVP_CIPHER *aes_ecb, *aes_gcm;
static pthread_once_t ciphers_once = PTHREAD_ONCE_INIT;

static void ciphers_fetch(void)
{
	aes_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	aes_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
}

static const EVP_CIPHER *cipher(EVP_CIPHER **which)
{
	pthread_once(&ciphers_once, ciphers_fetch);
	return *which;
}

int quic_unprotect_header(const struct quic_keys *k, uint8_t *pkt, size_t pn_off, size_t len,
			  uint64_t *pn)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t mask[32];
	int out = 0, pn_len, ok;

	if (pn_off + 4 + 16 > len || !cipher(&aes_ecb))
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	ok = EVP_EncryptInit_ex2(ctx, aes_ecb, k->hp, NULL, NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
	     EVP_EncryptUpdate(ctx, mask, &out, pkt + pn_off + 4, 16) && out == 16;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return -1;
	pkt[0] ^= mask[0] & 0x0f; /* long header: the low four bits are protected */
	pn_len = (pkt[0] & 0x03) + 1;
	*pn = 0;
	for (int i = 0; i < pn_len; i++) {
		pkt[pn_off + i] ^= mask[1 + i];
		*pn = *pn << 8 | pkt[pn_off + i];
	}
	return pn_len;
}

int quic_decrypt(const struct quic_keys *k, uint64_t pn, uint8_t *pkt, size_t hdr_len, size_t len)
{
	uint8_t nonce[12];
	EVP_CIPHER_CTX *ctx;
	int out = 0, fin = 0, ok;
	size_t ct_len;

	if (len < hdr_len + 16 || !cipher(&aes_gcm))
		return -1;
	ct_len = len - hdr_len - 16;
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	ok = EVP_DecryptInit_ex2(ctx, aes_gcm, NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) &&
	     EVP_DecryptInit_ex2(ctx, NULL, k->key, nonce, NULL) &&
	     EVP_DecryptUpdate(ctx, NULL, &out, pkt, (int)hdr_len) &&
	     EVP_DecryptUpdate(ctx, pkt + hdr_len, &out, pkt + hdr_len, (int)ct_len) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, pkt + hdr_len + ct_len) &&
	     EVP_DecryptFinal_ex(ctx, pkt + hdr_len + out, &fin) > 0;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? out + fin : -1;
}
