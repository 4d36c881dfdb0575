/* SPDX-License-Identifier: GPL-2.0 */
/* Buffers that may take up to tens of KiB but mostly hold a few hundred bytes (a DNS message
 * over TCP, an HTTP/2 frame or header block, QUIC's CRYPTO stream, the bytes kept while no
 * dissector has claimed a flow): each grows to what its flow needs, not to its maximum at
 * the first byte. At that maximum for every such flow, a host holding tens of thousands of
 * them paid for megabytes it never wrote: 20 MB of a 79 MB peak on the corpus mix. */
#ifndef XDPI_GROW_H
#define XDPI_GROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define XDPI_GROW_MIN 256u

/* Makes *BUF (of *CAP bytes, NULL and 0 at first) hold at least NEED bytes, its contents
 * kept: doubled from XDPI_GROW_MIN, never past MAX. false, the buffer as it was, when NEED is
 * past MAX or memory ran out. */
static inline bool xdpi_grow(uint8_t **buf, uint32_t *cap, size_t need, size_t max)
{
	size_t want = *cap ? *cap : XDPI_GROW_MIN;
	uint8_t *nb;

	if (need <= *cap)
		return true;
	if (need > max)
		return false;
	while (want < need)
		want *= 2;
	if (want > max)
		want = max;
	nb = realloc(*buf, want);
	if (!nb)
		return false;
	*buf = nb;
	*cap = (uint32_t)want;
	return true;
}

#endif /* XDPI_GROW_H */
