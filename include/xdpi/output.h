/* SPDX-License-Identifier: GPL-2.0 */
/* Event sinks: one file per sink behind these ops, chosen by name from one table. */
#ifndef XDPI_OUTPUT_H
#define XDPI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct xdpi_output_stats {
	uint64_t events; /* written whole */
	uint64_t bytes;
	uint64_t errors; /* events lost to failed writes */
	int last_errno;  /* of the last failed write (0: none yet) */
};

struct xdpi_output_ops {
	const char *name;
	/* target: a path, "-" for standard output. Returns private state or NULL (errno). */
	void *(*open)(const char *target);
	/* One serialized event, without its newline. Returns 0 or -errno (a buffered sink may
	 * fail later, at a flush: its stats say what was lost). */
	int (*write_event)(void *priv, const char *json, size_t len);
	int (*flush)(void *priv);
	/* Opens the target again (SIGHUP, after logrotate moved it); buffered events go to the
	 * old one first. 0 or -errno (then the old one stays in use). */
	int (*reopen)(void *priv);
	void (*stats)(void *priv, struct xdpi_output_stats *st);
	const char *(*target)(void *priv); /* for messages: the path, or "standard output" */
	void (*close)(void *priv);
};

const struct xdpi_output_ops *xdpi_output_find(const char *name);

#endif /* XDPI_OUTPUT_H */
