// SPDX-License-Identifier: GPL-2.0
/* Maglev's consistent hashing (Eisenbud et al., NSDI 2016), weighted: each backend has a
 * permutation of the table's slots (an offset and a skip from two hashes of its address, the
 * table's size a prime), and the backends take turns claiming their next free preferred slot
 * until the table is full. A backend's turn claims as many slots as its weight, so shares
 * follow the weights; removing a backend frees only its slots for the others, and the other
 * backends' slots mostly stay where they were. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/lb.h"
#include "shared/xdpi_lb.h"

struct perm {
	uint32_t id, weight;
	uint32_t offset, skip, next;
	uint32_t addr[4];
	uint8_t family;
};

static uint32_t addr_hash(const struct perm *p, uint32_t seed)
{
	uint32_t h = seed;

	for (int i = 0; i < 4; i++)
		h = xdpi_lb_mix(h, p->addr[i]);
	return xdpi_lb_fmix(xdpi_lb_mix(h, p->family));
}

static int canonical(const void *a, const void *b)
{
	const struct perm *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* The backend's next preferred slot that is still free (it advances its own cursor). */
static uint32_t claim(struct perm *p, const uint32_t *table)
{
	uint32_t c;

	do {
		c = (uint32_t)(((uint64_t)p->offset + (uint64_t)p->next * p->skip) %
			       XDPI_LB_RING_SIZE);
		p->next++;
	} while (table[c] != XDPI_LB_NONE);
	return c;
}

int xdpi_maglev_build(const struct xdpi_lb_member *m, size_t n, uint32_t *table)
{
	struct perm *p = calloc(n ? n : 1, sizeof(*p));
	uint64_t total = 0;
	uint32_t filled = 0;

	if (!p)
		return -ENOMEM;
	for (uint32_t i = 0; i < XDPI_LB_RING_SIZE; i++)
		table[i] = XDPI_LB_NONE;
	for (size_t i = 0; i < n; i++) {
		p[i] = (struct perm){ .id = m[i].id, .weight = m[i].weight, .family = m[i].family };
		memcpy(p[i].addr, m[i].addr, sizeof(p[i].addr));
		p[i].offset = addr_hash(&p[i], 0x6d61676cu) % XDPI_LB_RING_SIZE;
		p[i].skip = addr_hash(&p[i], 0x736b6970u) % (XDPI_LB_RING_SIZE - 1) + 1;
		total += m[i].weight;
	}
	qsort(p, n, sizeof(*p), canonical);
	while (total && filled < XDPI_LB_RING_SIZE) {
		for (size_t i = 0; i < n && filled < XDPI_LB_RING_SIZE; i++) {
			for (uint32_t w = 0; w < p[i].weight && filled < XDPI_LB_RING_SIZE; w++) {
				table[claim(&p[i], table)] = p[i].id;
				filled++;
			}
		}
	}
	free(p);
	return 0;
}
