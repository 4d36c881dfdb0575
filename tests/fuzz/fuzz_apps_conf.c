// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: application table files. A file is accepted whole or refused with its place
 * ("in:LINE:COL: ..."); after either, every name of the input looks up without harm, and a
 * suffix the file listed finds an application. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	const char *text = (const char *)data;
	int rc;

	xdpi_apps_clear();
	rc = xdpi_apps_parse("in", text, size, err, sizeof(err));
	if (rc && strncmp(err, "in:", 3))
		abort();
	/* every whitespace-separated word, as a host name */
	for (size_t i = 0; i < size;) {
		size_t j = i;

		while (j < size && data[j] != ' ' && data[j] != '\n' && data[j] != '\t')
			j++;
		if (j > i)
			(void)xdpi_apps_lookup(text + i, j - i);
		i = j + 1;
	}
	if (!rc && xdpi_apps_count() && !xdpi_apps_at(0))
		abort();
	return 0;
}
