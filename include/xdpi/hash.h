/* SPDX-License-Identifier: GPL-2.0 */
/* The one hash of fixed-size keys in user space: a multiply-xorshift mix per 64-bit word,
 * a few cycles a word where a byte-at-a-time hash costs a multiply a byte. Flow tables,
 * worker choice, flow ids and the anomaly detectors' tables use it. */
#ifndef XDPI_HASH_H
#define XDPI_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t xdpi_hash_words(const void *key, size_t nwords)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ull, w;

	for (size_t i = 0; i < nwords; i++) {
		memcpy(&w, p + 8 * i, 8);
		h ^= w;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h ^ (h >> 29);
}

#endif /* XDPI_HASH_H */
