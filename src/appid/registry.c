// SPDX-License-Identifier: GPL-2.0
/* The one list of identifiers, in the order they are asked: protocols with a long fixed
 * signature before those with a short one, so that a weak match never hides a strong one.
 * Adding a protocol: one file in appid/ident/ and one row in idents.def (a unit test checks
 * that every file is listed). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"

#define X(id) extern const struct xdpi_ident xdpi_ident_##id;
#include "idents.def"
#undef X

static const struct xdpi_ident *const all[] = {
#define X(id) &xdpi_ident_##id,
#include "idents.def"
#undef X
};

size_t xdpi_idents_count(void)
{
	return sizeof(all) / sizeof(all[0]);
}

const struct xdpi_ident *xdpi_ident_at(size_t i)
{
	return i < xdpi_idents_count() ? all[i] : NULL;
}

size_t xdpi_ident_index(const struct xdpi_ident *id)
{
	size_t i = 0;

	while (i < xdpi_idents_count() && all[i] != id)
		i++;
	return i;
}

const struct xdpi_ident *xdpi_ident_find(const char *name)
{
	for (size_t i = 0; i < xdpi_idents_count(); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

const struct xdpi_ident *xdpi_ident_run(const struct xdpi_ident_in *in, bool *more)
{
	*more = false;
	if (!in->len)
		return NULL;
	for (size_t i = 0; i < xdpi_idents_count(); i++) {
		enum xdpi_ident_answer a;

		if (!(all[i]->l4 & in->l4))
			continue;
		a = all[i]->probe(in);
		if (a == XDPI_IDENT_YES)
			return all[i];
		*more |= a == XDPI_IDENT_MORE;
	}
	return NULL;
}

bool xdpi_ident_port_in(const uint16_t ports[4], uint16_t a, uint16_t b)
{
	for (int i = 0; i < 4 && ports[i]; i++)
		if (ports[i] == a || ports[i] == b)
			return true;
	return false;
}

/* The port guess asks which identifier, the first in registry order, has a port registered:
 * a record of every flow nothing recognised walked all ~130 of them (3% of reading a capture
 * of many such flows). The registered ports are kept sorted (port, then registry order), made
 * once, and a guess is a binary search. */
struct port_row {
	uint16_t port;
	uint16_t ident; /* its index in all[] */
};

static struct port_row by_port[sizeof(all) / sizeof(all[0]) * 4];
static size_t nby_port;
static pthread_once_t by_port_once = PTHREAD_ONCE_INIT;

static int port_row_cmp(const void *a, const void *b)
{
	const struct port_row *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->ident < y->ident ? -1 : x->ident > y->ident;
}

static void index_ports(void)
{
	for (size_t i = 0; i < xdpi_idents_count(); i++)
		for (int p = 0; p < 4 && all[i]->ports[p]; p++) /* a 0 ends the list */
			by_port[nby_port++] = (struct port_row){ all[i]->ports[p], (uint16_t)i };
	qsort(by_port, nby_port, sizeof(by_port[0]), port_row_cmp);
}

/* The first identifier of L4 in registry order with PORT registered, or NULL. */
static const struct xdpi_ident *first_on_port(uint8_t l4, uint16_t port)
{
	size_t lo = 0, hi = nby_port;

	while (lo < hi) { /* the first row of PORT or above */
		size_t mid = lo + (hi - lo) / 2;

		if (by_port[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nby_port && by_port[lo].port == port; lo++)
		if (all[by_port[lo].ident]->l4 & l4)
			return all[by_port[lo].ident];
	return NULL;
}

const struct xdpi_ident *xdpi_ident_by_port(uint8_t l4, uint16_t a, uint16_t b)
{
	const struct xdpi_ident *hit;

	pthread_once(&by_port_once, index_ports);
	if (!a && !b)
		return NULL;
	hit = first_on_port(l4, a < b ? a : b); /* the lower-numbered port first */
	return hit ? hit : first_on_port(l4, a < b ? b : a);
}
