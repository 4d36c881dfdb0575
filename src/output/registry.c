// SPDX-License-Identifier: GPL-2.0
/* The one list of outputs. Adding a sink: one file and one row here. */
#include <string.h>
#include "xdpi/output.h"

extern const struct xdpi_output_ops xdpi_output_eve_file;

static const struct xdpi_output_ops *const all[] = {
	&xdpi_output_eve_file,
};

const struct xdpi_output_ops *xdpi_output_find(const char *name)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
