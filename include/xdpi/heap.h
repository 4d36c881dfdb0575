/* SPDX-License-Identifier: GPL-2.0 */
/* The process heap in transparent huge pages where the kernel gives them on request. */
#ifndef XDPI_HEAP_H
#define XDPI_HEAP_H

/* Once, at start: the heap grows in large steps, each asked for huge pages before it is
 * touched. */
void xdpi_heap_prepare(void);
/* Now and then (each tick): asks the same of what the heap grew by since. */
void xdpi_heap_advise(void);
/* In a thread of its own malloc arena (the rule compiler's), at its start: the arena's
 * heap asked for huge pages too (glibc makes it grow as the main heap does, by M_TOP_PAD). */
void xdpi_heap_advise_thread(void);

#endif /* XDPI_HEAP_H */
