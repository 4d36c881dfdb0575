/* SPDX-License-Identifier: GPL-2.0 */
/* Independent pieces of one job on several threads (loading a rule set: its Hyperscan
 * databases, its regular expressions' JIT). */
#ifndef XDPI_PARALLEL_H
#define XDPI_PARALLEL_H

#include <stdint.h>

/* Calls FN(CTX, i) once for each i in [0, N), on up to one thread per CPU (at most 8, the
 * caller's among them), each taking the next i from a shared counter; returns when all are
 * done. FN must be safe to run for different i at once. A thread that cannot start leaves its
 * share to the others. */
void xdpi_parallel_for(uint32_t n, void (*fn)(void *ctx, uint32_t i), void *ctx);

#endif /* XDPI_PARALLEL_H */
