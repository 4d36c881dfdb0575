/* SPDX-License-Identifier: GPL-2.0 */
/* The process heap in transparent huge pages where the kernel gives them on request. */
#ifndef XDPI_HEAP_H
#define XDPI_HEAP_H

/* Once, at start: the heap grows in large steps, each asked for huge pages before it is
 * touched. */
void xdpi_heap_prepare(void);
/* Now and then (each tick): asks the same of what the heap grew by since. */
void xdpi_heap_advise(void);

#endif /* XDPI_HEAP_H */
