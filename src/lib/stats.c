// SPDX-License-Identifier: GPL-2.0
/* The two writers of counters declared as xdpi_stat rows: the stats event and Prometheus. */
#include <string.h>
#include "xdpi/stats.h"

static uint64_t value_of(const struct xdpi_stat *r, const void *st)
{
	const char *p = (const char *)st + r->off;

	if (r->kind == XDPI_STAT_BOOL)
		return xdpi_count_get((const bool *)p);
	return xdpi_count_get((const uint64_t *)p); /* another thread may be moving it */
}

void xdpi_stats_json(struct xdpi_json *j, const char *object, const struct xdpi_stat *rows,
		     size_t n, const void *st)
{
	if (object)
		xdpi_json_obj_open(j, object);
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].key)
			continue;
		if (rows[i].kind == XDPI_STAT_BOOL)
			xdpi_json_bool(j, rows[i].key, value_of(&rows[i], st));
		else
			xdpi_json_u64(j, rows[i].key, value_of(&rows[i], st));
	}
	if (object)
		xdpi_json_obj_close(j);
}

void xdpi_prom_family(struct xdpi_prom *p, const char *metric, bool gauge, const char *help)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], metric))
			return;
	if (p->nseen < XDPI_PROM_FAMILIES)
		snprintf(p->seen[p->nseen++], sizeof(p->seen[0]), "%s", metric);
	fprintf(p->f, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric,
		gauge ? "gauge" : "counter");
}

void xdpi_prom_sample(struct xdpi_prom *p, const char *metric, const char *labels,
		      const char *more, uint64_t v)
{
	bool a = labels && *labels, b = more && *more;

	if (a || b)
		fprintf(p->f, "%s{%s%s%s} %llu\n", metric, a ? labels : "", a && b ? "," : "",
			b ? more : "", (unsigned long long)v);
	else
		fprintf(p->f, "%s %llu\n", metric, (unsigned long long)v);
}

void xdpi_stats_expose(struct xdpi_prom *p, const struct xdpi_stat *rows, size_t n,
		       const void *st, const char *labels)
{
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].metric)
			continue;
		xdpi_prom_family(p, rows[i].metric, rows[i].kind != XDPI_STAT_COUNTER,
				 rows[i].help);
		xdpi_prom_sample(p, rows[i].metric, labels, rows[i].labels,
				 value_of(&rows[i], st));
	}
}

void xdpi_prom_label(FILE *out, const char *key, const char *v, bool comma)
{
	fprintf(out, "%s%s=\"", comma ? "," : "", key);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		fputc(*v, out);
	}
	fputc('"', out);
}

void xdpi_prom_label_clean(char *dst, size_t n, const char *src, size_t len)
{
	size_t i;

	if (len > n - 1)
		len = n - 1;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '_';
	}
	dst[i] = '\0';
}
