/* SPDX-License-Identifier: GPL-2.0 */
/* What a datagram's first IP fragment told, kept for its later fragments, which carry no L4
 * header: the engine keeps the ports, the workers' dispatcher the worker. Direct-mapped by
 * addresses, id and protocol: a collision only costs one later fragment its attribution. */
#ifndef XDPI_FRAG_MEMO_H
#define XDPI_FRAG_MEMO_H

#include <stdbool.h>
#include <stdint.h>
#include "xdpi/decode.h"

struct xdpi_frag_memo;
struct xdpi_frag_memo *xdpi_frag_memo__new(uint32_t slots); /* NULL with errno */
void xdpi_frag_memo__free(struct xdpi_frag_memo *m);
/* D: a first fragment. */
void xdpi_frag_memo__put(struct xdpi_frag_memo *m, const struct xdpi_decoded *d, uint32_t value);
/* D: a later fragment. True with *VALUE when its first fragment was seen. */
bool xdpi_frag_memo__get(const struct xdpi_frag_memo *m, const struct xdpi_decoded *d,
			 uint32_t *value);

#endif /* XDPI_FRAG_MEMO_H */
