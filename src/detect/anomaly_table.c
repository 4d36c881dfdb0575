// SPDX-License-Identifier: GPL-2.0
/* What the anomaly detectors share, beneath them and their dispatcher (anomaly.c): the
 * bounded state tables, a flow's two ends, and how an alert leaves. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "anomaly_int.h"
#include "xdpi/hash.h"

#define PROBE 8 /* slots tried per key */

int anomaly_table_init(struct anomaly_table *t, uint32_t slots, size_t entry_size)
{
	if (!slots || (slots & (slots - 1)))
		return -EINVAL; /* a power of two: a slot is the hash's low bits */
	t->slot = calloc(slots, sizeof(*t->slot));
	t->n = slots;
	t->entry_size = entry_size;
	return t->slot ? 0 : -ENOMEM;
}

void anomaly_table_free(struct anomaly_table *t)
{
	for (uint32_t i = 0; t->slot && i < t->n; i++)
		free(t->slot[i]);
	free(t->slot);
	t->slot = NULL;
}

struct anomaly_entry *anomaly_table_get(struct anomaly_table *t, const uint8_t key[32],
					 uint64_t ts, uint64_t *evicted, bool *created)
{
	uint64_t h = xdpi_hash_words(key, 4);
	struct anomaly_entry **victim = NULL;

	for (int i = 0; i < PROBE; i++) { /* every packet comes here: a mask, not a division */
		struct anomaly_entry **p = &t->slot[(h + (uint64_t)i) & (t->n - 1)];

		if (*p && !memcmp((*p)->key, key, 32)) {
			*created = false;
			return *p;
		}
		if (!*p) { /* a free slot beats any occupied one */
			if (!victim || *victim)
				victim = p;
		} else if (!victim || (*victim && (*p)->last_seen < (*victim)->last_seen)) {
			victim = p;
		}
	}
	if (*victim)
		(*evicted)++;
	else if (!(*victim = malloc(t->entry_size)))
		return NULL;
	memset(*victim, 0, t->entry_size);
	memcpy((*victim)->key, key, 32);
	(*victim)->last_seen = ts;
	*created = true;
	return *victim;
}

struct flow_ends anomaly_flow_ends(const struct xdpi_flow *f)
{
	bool a_client = f->initiator == 0;
	struct flow_ends e = {
		.family = f->key.family, .proto = f->key.proto,
		.client = (const uint8_t *)(a_client ? f->key.addr_a : f->key.addr_b),
		.server = (const uint8_t *)(a_client ? f->key.addr_b : f->key.addr_a),
		.cport = ntohs(a_client ? f->key.port_a : f->key.port_b),
		.sport = ntohs(a_client ? f->key.port_b : f->key.port_a),
	};

	return e;
}

void anomaly_emit(const struct anomaly_out *o, struct xdpi_anomaly_alert *a)
{
	o->cnt[XDPI_ACNT_ALERTS]++;
	o->fn(o->ctx, a);
}

void anomaly_put_addr(struct xdpi_json *j, const char *key, uint8_t family, const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, sizeof(buf));
	xdpi_json_str(j, key, buf);
}
