/* SPDX-License-Identifier: GPL-2.0 */
/* Single-producer single-consumer record ring (spsc.c): the hand-over between the packet
 * reader and a worker, and between a worker and the output thread. */
#ifndef XDPI_CORE_SPSC_H
#define XDPI_CORE_SPSC_H

#include <stddef.h>
#include <stdint.h>

struct spsc {
	uint8_t *buf;       /* read-only after init: shared by both sides without traffic */
	size_t size;        /* a power of two */
	/* each side's line: its counter, what it last saw of the other's, its own scratch */
	size_t head __attribute__((aligned(64))); /* producer: bytes written (release) */
	size_t tail_seen;   /* producer: tail as last read (it only grows: room is at least that) */
	size_t reserved, pad_pending; /* producer: the reservation in progress */
	size_t tail __attribute__((aligned(64))); /* consumer: bytes read (release) */
	size_t head_seen;   /* consumer: head as last read */
};

int spsc_init(struct spsc *r, size_t size);
void spsc_free(struct spsc *r);
/* Producer: room for LEN bytes (NULL: full), then commit to publish it. */
void *spsc_reserve(struct spsc *r, size_t len);
void spsc_commit(struct spsc *r);
/* Consumer: the oldest record (NULL: empty), then release it. */
void *spsc_peek(struct spsc *r, size_t *len);
void spsc_release(struct spsc *r, size_t len);

#endif /* XDPI_CORE_SPSC_H */
