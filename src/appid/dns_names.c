// SPDX-License-Identifier: GPL-2.0
/* Which application a server address belongs to, as DNS answers said: the client asked for
 * "www.netflix.com" and got 198.18.0.7, so a flow to 198.18.0.7 without a name of its own
 * (no SNI, no Host) is Netflix's. A fixed table, one slot per address hash: a newer answer
 * takes an older one's slot, so memory is bounded and nothing is freed per entry. One table
 * serves every worker (a flow and the DNS answer that named its server hash to different
 * ones), behind a mutex: answers are few, and a flow asks once, when it ends. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"

struct dns_name_slot {
	uint8_t addr[16];
	uint8_t alen;   /* 0: free */
	uint16_t app;   /* xdpi_apps_at(app) */
};

struct xdpi_dns_names {
	struct dns_name_slot *slots;
	size_t mask;
	pthread_mutex_t lock;
};

struct xdpi_dns_names *xdpi_dns_names_new(size_t slots_pow2)
{
	struct xdpi_dns_names *n = calloc(1, sizeof(*n));

	if (!n || !(n->slots = calloc(slots_pow2, sizeof(*n->slots)))) {
		free(n);
		return NULL;
	}
	n->mask = slots_pow2 - 1;
	pthread_mutex_init(&n->lock, NULL);
	return n;
}

void xdpi_dns_names_free(struct xdpi_dns_names *n)
{
	if (n) {
		pthread_mutex_destroy(&n->lock);
		free(n->slots);
	}
	free(n);
}

static struct dns_name_slot *slot(struct xdpi_dns_names *n, const uint8_t *addr, size_t alen)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < alen; i++)
		h = (h ^ addr[i]) * 16777619u;
	return &n->slots[h & n->mask];
}

void xdpi_dns_names_put(struct xdpi_dns_names *n, const uint8_t *addr, size_t alen, size_t app)
{
	struct dns_name_slot *s;

	if (!n || (alen != 4 && alen != 16))
		return;
	pthread_mutex_lock(&n->lock);
	s = slot(n, addr, alen);
	memcpy(s->addr, addr, alen);
	s->alen = (uint8_t)alen;
	s->app = (uint16_t)app;
	pthread_mutex_unlock(&n->lock);
}

const struct xdpi_app *xdpi_dns_names_get(struct xdpi_dns_names *n, const uint8_t *addr, size_t alen)
{
	struct dns_name_slot *s;

	if (!n || (alen != 4 && alen != 16))
		return NULL;
	const struct xdpi_app *app = NULL;

	pthread_mutex_lock(&n->lock);
	s = slot(n, addr, alen);
	if (s->alen == alen && !memcmp(s->addr, addr, alen))
		app = xdpi_apps_at(s->app);
	pthread_mutex_unlock(&n->lock);
	return app;
}
