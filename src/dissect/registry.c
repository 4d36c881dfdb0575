// SPDX-License-Identifier: GPL-2.0
/* The one list of dissectors. Adding a protocol: one file in dissect/ and one row here (a unit
 * test checks that every dissector file is listed). */
#include <string.h>
#include "xdpi/dissect.h"

extern const struct xdpi_dissector xdpi_dissector_dns;
extern const struct xdpi_dissector xdpi_dissector_http;
extern const struct xdpi_dissector xdpi_dissector_tls;
extern const struct xdpi_dissector xdpi_dissector_http2;
extern const struct xdpi_dissector xdpi_dissector_quic;

static const struct xdpi_dissector *const all[] = {
	&xdpi_dissector_dns,
	&xdpi_dissector_http,
	&xdpi_dissector_tls,
	&xdpi_dissector_http2,
	&xdpi_dissector_quic,
};

size_t xdpi_dissectors_count(void)
{
	return sizeof(all) / sizeof(all[0]);
}

const struct xdpi_dissector *xdpi_dissector_at(size_t i)
{
	return i < xdpi_dissectors_count() ? all[i] : NULL;
}

const struct xdpi_dissector *xdpi_dissector_find(const char *name)
{
	for (size_t i = 0; i < xdpi_dissectors_count(); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
