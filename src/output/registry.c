// SPDX-License-Identifier: GPL-2.0
/* The one list of outputs. Adding a sink: one file and one row here. */
#include <string.h>
#include "xdpi/output.h"

extern const struct xdpi_output_ops xdpi_output_eve_file;
extern const struct xdpi_output_ops xdpi_output_redis;
extern const struct xdpi_output_ops xdpi_output_webhook;
extern const struct xdpi_output_ops xdpi_output_ipfix;
extern const struct xdpi_output_ops xdpi_output_pcap_alerts;

static const struct xdpi_output_ops *const all[] = {
	&xdpi_output_eve_file, &xdpi_output_redis, &xdpi_output_webhook, &xdpi_output_ipfix,
	&xdpi_output_pcap_alerts,
};

size_t xdpi_outputs_count(void)
{
	return sizeof(all) / sizeof(all[0]);
}

const struct xdpi_output_ops *xdpi_output_at(size_t i)
{
	return i < xdpi_outputs_count() ? all[i] : NULL;
}

const struct xdpi_output_ops *xdpi_output_find(const char *name)
{
	for (size_t i = 0; i < xdpi_outputs_count(); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
