// SPDX-License-Identifier: GPL-2.0
/* EVE JSON lines to a file or standard output. Block-buffered; flushed on every tick and
 * at exit, so a reader sees events within a second without a write per event. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/output.h"

struct eve_file {
	FILE *f;
	bool is_stdout;
	char buf[1 << 16];
};

static void *eve_file_open(const char *target)
{
	struct eve_file *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	if (!target || !strcmp(target, "-")) {
		o->f = stdout;
		o->is_stdout = true;
	} else {
		o->f = fopen(target, "a");
		if (!o->f) {
			int err = errno;

			free(o);
			errno = err;
			return NULL;
		}
	}
	setvbuf(o->f, o->buf, _IOFBF, sizeof(o->buf));
	return o;
}

static int eve_file_write(void *priv, const char *json, size_t len)
{
	struct eve_file *o = priv;

	if (fwrite(json, 1, len, o->f) != len || fputc('\n', o->f) == EOF)
		return -EIO;
	return 0;
}

static int eve_file_flush(void *priv)
{
	struct eve_file *o = priv;

	return fflush(o->f) ? -errno : 0;
}

static void eve_file_close(void *priv)
{
	struct eve_file *o = priv;

	if (!o)
		return;
	fflush(o->f);
	if (o->is_stdout)
		setvbuf(stdout, NULL, _IOLBF, 0); /* our buffer is about to go */
	else
		fclose(o->f);
	free(o);
}

const struct xdpi_output_ops xdpi_output_eve_file = {
	.name = "eve",
	.open = eve_file_open,
	.write_event = eve_file_write,
	.flush = eve_file_flush,
	.close = eve_file_close,
};
