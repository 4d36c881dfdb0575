/* SPDX-License-Identifier: GPL-2.0 */
/* Counters declared once: a component describes each of its counters in one table row (its
 * key in the stats event, its Prometheus series, its help), and one writer makes the stats
 * event's object and one the Prometheus exposition from the same rows. */
#ifndef XDPI_STATS_H
#define XDPI_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "xdpi/json.h"

enum xdpi_stat_kind {
	XDPI_STAT_COUNTER, /* uint64_t, only goes up */
	XDPI_STAT_GAUGE,   /* uint64_t, a level */
	XDPI_STAT_BOOL,    /* bool: true/false in JSON, 1/0 as a gauge */
};

struct xdpi_stat {
	const char *key;    /* in the stats event's object; NULL: not there */
	size_t off;         /* of the value in the component's stats struct */
	uint8_t kind;       /* enum xdpi_stat_kind */
	const char *metric; /* Prometheus series name; NULL: not exposed */
	const char *labels; /* the series' own labels (result="delivered"); NULL: none */
	const char *help;
};

/* A counter one thread moves while others read it (a worker's stats event reads the capture
 * source's counters, which the reader moves): the writer alone adds, with a relaxed atomic
 * store, and readers load it relaxed. On x86-64 and arm64 both are the plain instructions;
 * what they buy is a defined read (a plain write beside a read in another thread is a data
 * race to C11, and ThreadSanitizer reports it). Works on any integer width. */
#define xdpi_count_add(c, n) __atomic_store_n((c), *(c) + (n), __ATOMIC_RELAXED)
#define xdpi_count_set(c, v) __atomic_store_n((c), (v), __ATOMIC_RELAXED) /* a level */
#define xdpi_count_get(c) __atomic_load_n((c), __ATOMIC_RELAXED)

#define XDPI_STAT_ROW(k, type, field, kd, m, l, h) \
	{ .key = k, .off = offsetof(type, field), .kind = kd, .metric = m, .labels = l, .help = h }
#define XDPI_NSTATS(rows) (sizeof(rows) / sizeof((rows)[0]))

/* OBJECT: {key: value, ...} from ST (NULL object: the keys go into the open one). */
void xdpi_stats_json(struct xdpi_json *j, const char *object, const struct xdpi_stat *rows,
		     size_t n, const void *st);

/* A Prometheus text document being written: HELP and TYPE once per series name, however
 * many components share the name (xdpi_output_messages_total: redis, webhook, ...). */
#define XDPI_PROM_FAMILIES 256
struct xdpi_prom {
	FILE *f;
	char seen[XDPI_PROM_FAMILIES][80]; /* copies: callers build names in reused buffers */
	size_t nseen;
};
void xdpi_prom_family(struct xdpi_prom *p, const char *metric, bool gauge, const char *help);
/* METRIC{LABELS,MORE} V; either label set may be NULL. */
void xdpi_prom_sample(struct xdpi_prom *p, const char *metric, const char *labels,
		      const char *more, uint64_t v);
/* KEY="V" (V escaped), after a comma when COMMA. */
void xdpi_prom_label(FILE *out, const char *key, const char *v, bool comma);
/* Copies LEN bytes of SRC into DST (N bytes, NUL-terminated) as a label value: printable
 * ASCII whatever the wire carried (others become '_'). */
void xdpi_prom_label_clean(char *dst, size_t n, const char *src, size_t len);
/* Every row with a metric, from ST, each sample also labelled LABELS (sink="redis"). */
void xdpi_stats_expose(struct xdpi_prom *p, const struct xdpi_stat *rows, size_t n,
		       const void *st, const char *labels);

#endif /* XDPI_STATS_H */
