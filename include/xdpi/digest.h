/* SPDX-License-Identifier: GPL-2.0 */
/* One-shot message digests and HMAC through OpenSSL, without its per-call costs. */
#ifndef XDPI_DIGEST_H
#define XDPI_DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum xdpi_md {
	XDPI_MD_MD5,
	XDPI_MD_SHA1,
	XDPI_MD_SHA256,
	XDPI_MD_COUNT,
};

#define XDPI_MD_MAX 32 /* bytes of the largest digest here (SHA-256) */

/* The digest of p[0..n) into out (XDPI_MD_MAX bytes of room); its length, or 0 if OpenSSL
 * has no such algorithm (a FIPS-only configuration and MD5) or failed. Thread-safe. */
unsigned int xdpi_digest(enum xdpi_md md, const void *p, size_t n, uint8_t *out);

/* HMAC-SHA256 of p[0..n) under the key into out (XDPI_MD_MAX bytes of room); 32, or 0 on
 * failure. Thread-safe. */
unsigned int xdpi_hmac_sha256(const void *key, size_t key_len, const void *p, size_t n, uint8_t *out);

#endif /* XDPI_DIGEST_H */
