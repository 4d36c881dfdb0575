/* SPDX-License-Identifier: GPL-2.0 */
/* Event sinks: one file per sink behind these ops, chosen by name from one table. */
#ifndef XDPI_OUTPUT_H
#define XDPI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct xdpi_output_ops {
	const char *name;
	/* target: a path, "-" for standard output. Returns private state or NULL (errno). */
	void *(*open)(const char *target);
	/* One serialized event, without its newline. Returns 0 or -errno. */
	int (*write_event)(void *priv, const char *json, size_t len);
	int (*flush)(void *priv);
	void (*close)(void *priv);
};

struct xdpi_output_stats {
	uint64_t events;
	uint64_t bytes;
	uint64_t errors;
};

const struct xdpi_output_ops *xdpi_output_find(const char *name);

#endif /* XDPI_OUTPUT_H */
