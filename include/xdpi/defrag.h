/* SPDX-License-Identifier: GPL-2.0 */
/* IP reassembly (IPv4 and IPv6) for the application layer: fragments are kept per datagram
 * until it is whole, within a bound on datagrams, bytes and time. Overlapping fragments: the
 * first copy wins. Flow accounting does not wait for this: it counts every fragment. */
#ifndef XDPI_DEFRAG_H
#define XDPI_DEFRAG_H

#include <stdint.h>
#include "xdpi/decode.h"

struct xdpi_defrag_stats {
	uint64_t fragments;
	uint64_t reassembled;  /* whole datagrams handed on */
	uint64_t timeouts;     /* datagrams never completed */
	uint64_t overlaps;     /* fragments (partly) covering bytes already held */
	uint64_t evicted;      /* datagrams dropped to stay within the bound */
	uint64_t cut;          /* fragments cut by a snap length: their datagram is given up */
	uint64_t too_big;      /* beyond 65535 bytes */
	uint64_t pending;      /* datagrams waiting now */
};

struct xdpi_defrag;

struct xdpi_defrag *xdpi_defrag__new(uint32_t max_datagrams, uint64_t timeout_ns);
void xdpi_defrag__free(struct xdpi_defrag *df);
/* Adds the fragment in d. Returns 1 when it completes its datagram: *l4 then points at the
 * datagram's L4 bytes (valid until the next call), *len their length; XDPI_DEFRAG_OVERLAP when
 * it covers bytes already held (it is left out: the first copy wins); else 0. */
#define XDPI_DEFRAG_OVERLAP 2
int xdpi_defrag__add(struct xdpi_defrag *df, const struct xdpi_decoded *d, uint64_t now,
		     const uint8_t **l4, uint32_t *len);
void xdpi_defrag__expire(struct xdpi_defrag *df, uint64_t now);
void xdpi_defrag__stats(const struct xdpi_defrag *df, struct xdpi_defrag_stats *st);

#endif /* XDPI_DEFRAG_H */
