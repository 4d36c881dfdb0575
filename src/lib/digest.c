// SPDX-License-Identifier: GPL-2.0
/* One-shot digests (Community ID, JA3/JA4, certificate fingerprints, rule transforms) and
 * HMAC-SHA256 (QUIC's Initial keys).
 *
 * EVP_Digest(..., EVP_sha1(), ...) looks the algorithm up in OpenSSL 3's provider tables on
 * every call (EVP_MD_fetch: a property query under a lock) and allocates a context and its
 * provider state: 5% of `xdpi read` on the corpus went to the fetch alone, for a 40-byte
 * SHA-1 per flow; HMAC() fetches both the MAC and its digest each time. Here each algorithm
 * is fetched once per process and each thread keeps one context per algorithm, reinitialised
 * for every use. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include "xdpi/digest.h"
#include "xdpi/thread_block.h"

static const char *const md_names[XDPI_MD_COUNT] = {
	[XDPI_MD_MD5] = "MD5",
	[XDPI_MD_SHA1] = "SHA1",
	[XDPI_MD_SHA256] = "SHA256",
};

static EVP_MD *md_fetched[XDPI_MD_COUNT];
static EVP_MAC *hmac_fetched;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

struct md_ctxs {
	EVP_MD_CTX *ctx[XDPI_MD_COUNT];
	EVP_MAC_CTX *hmac_sha256; /* its digest set once; each use sets only the key */
};

static void ctxs_free(void *p)
{
	struct md_ctxs *c = p;

	for (int i = 0; i < XDPI_MD_COUNT; i++)
		EVP_MD_CTX_free(c->ctx[i]);
	EVP_MAC_CTX_free(c->hmac_sha256);
	free(c);
}

static void md_fetch_all(void)
{
	for (int i = 0; i < XDPI_MD_COUNT; i++)
		md_fetched[i] = EVP_MD_fetch(NULL, md_names[i], NULL); /* NULL: not offered */
	hmac_fetched = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static void *ctxs_make(void)
{
	return calloc(1, sizeof(struct md_ctxs));
}

static struct xdpi_thread_block ctxs_block = XDPI_THREAD_BLOCK(ctxs_make, ctxs_free);

/* This thread's contexts (made as each is first used), the algorithms fetched. */
static struct md_ctxs *thread_ctxs(void)
{
	pthread_once(&md_once, md_fetch_all);
	return xdpi_thread_block(&ctxs_block);
}

static EVP_MD_CTX *thread_ctx(enum xdpi_md md)
{
	struct md_ctxs *c = thread_ctxs();

	if (!c || !md_fetched[md])
		return NULL;
	if (!c->ctx[md])
		c->ctx[md] = EVP_MD_CTX_new();
	return c->ctx[md];
}

static EVP_MAC_CTX *thread_hmac_sha256(void)
{
	struct md_ctxs *c = thread_ctxs();
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	if (!c || !hmac_fetched)
		return NULL;
	if (!c->hmac_sha256 && (c->hmac_sha256 = EVP_MAC_CTX_new(hmac_fetched)) &&
	    !EVP_MAC_CTX_set_params(c->hmac_sha256, params)) {
		EVP_MAC_CTX_free(c->hmac_sha256);
		c->hmac_sha256 = NULL;
	}
	return c->hmac_sha256;
}

unsigned int xdpi_digest(enum xdpi_md md, const void *p, size_t n, uint8_t *out)
{
	unsigned int len = 0;
	EVP_MD_CTX *ctx;

	if ((unsigned int)md >= XDPI_MD_COUNT || !(ctx = thread_ctx(md)))
		return 0;
	/* the same algorithm again on the same context: OpenSSL reuses its provider state */
	if (!EVP_DigestInit_ex2(ctx, md_fetched[md], NULL) || !EVP_DigestUpdate(ctx, p, n) ||
	    !EVP_DigestFinal_ex(ctx, out, &len))
		return 0;
	return len;
}

unsigned int xdpi_hmac_sha256(const void *key, size_t key_len, const void *p, size_t n, uint8_t *out)
{
	EVP_MAC_CTX *ctx = thread_hmac_sha256();
	size_t len = 0;

	/* a new key on the same context: HMAC keeps its digest, fetched when the context was made */
	if (!ctx || !EVP_MAC_init(ctx, key, key_len, NULL) || !EVP_MAC_update(ctx, p, n) ||
	    !EVP_MAC_final(ctx, out, &len, XDPI_MD_MAX))
		return 0;
	return (unsigned int)len;
}
