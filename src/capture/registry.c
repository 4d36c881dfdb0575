// SPDX-License-Identifier: GPL-2.0
/* The one list of packet sources. Adding a source: one file and one row here. */
#include <string.h>
#include "xdpi/capture.h"

extern const struct xdpi_source_ops xdpi_source_ringbuf;
extern const struct xdpi_source_ops xdpi_source_afxdp;
extern const struct xdpi_source_ops xdpi_source_pcap;

static const struct xdpi_source_ops *const all[] = {
	&xdpi_source_ringbuf, &xdpi_source_afxdp, &xdpi_source_pcap,
};

size_t xdpi_sources_count(void)
{
	return sizeof(all) / sizeof(all[0]);
}

const struct xdpi_source_ops *xdpi_source_at(size_t i)
{
	return i < xdpi_sources_count() ? all[i] : NULL;
}

const struct xdpi_source_ops *xdpi_source_find(const char *name)
{
	for (size_t i = 0; i < xdpi_sources_count(); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
