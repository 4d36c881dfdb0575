// SPDX-License-Identifier: GPL-2.0
/* The one list of identifiers, in the order they are asked: protocols with a long fixed
 * signature before those with a short one, so that a weak match never hides a strong one.
 * Adding a protocol: one file in appid/ident/ and one row in idents.def (a unit test checks
 * that every file is listed). */
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

const struct xdpi_ident *xdpi_ident_by_port(uint8_t l4, uint16_t a, uint16_t b)
{
	uint16_t lo = a < b ? a : b, hi = a < b ? b : a;
	const struct xdpi_ident *hit = NULL;

	for (size_t i = 0; i < xdpi_idents_count(); i++) {
		if (!(all[i]->l4 & l4))
			continue;
		if (xdpi_ident_port_in(all[i]->ports, lo, lo))
			return all[i];
		if (!hit && xdpi_ident_port_in(all[i]->ports, hi, hi))
			hit = all[i];
	}
	return hit;
}
