// SPDX-License-Identifier: GPL-2.0
/* Rule files into one compiled rule set: files or quoted glob patterns, every rule named that
 * does not load, a summary line. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app_int.h"
#include "xdpi/log.h"

/* A file, or a quoted glob pattern (rules/STAR.rules) expanded here. */
static int load_pattern(struct xdpi_app_rules *cd, struct xdpi_detect *d, const char *pattern)
{
	FILE *errs = stderr, *skips = cd->verbose ? errs : NULL;
	glob_t g;
	int rc = 0;

	if (!strpbrk(pattern, "*?["))
		return xdpi_detect__load(d, pattern, cd->vars, errs, skips);
	if (glob(pattern, 0, NULL, &g)) {
		xdpi_log_error("--rules %s: no file matches\n", pattern);
		return -1;
	}
	for (size_t i = 0; i < g.gl_pathc && !rc; i++)
		rc = xdpi_detect__load(d, g.gl_pathv[i], cd->vars, errs, skips);
	globfree(&g);
	return rc;
}

int xdpi_app_rules_load(struct xdpi_app_rules *cd, xdpi_kernel_rule_fn offload, void *octx)
{
	const struct xdpi_rules_report *rep;
	char err[512], kernel[64] = "";

	if (!cd->nfiles)
		return 0;
	if ((!cd->vars && !(cd->vars = xdpi_rule_vars_new())) || !(cd->d = xdpi_detect__new())) {
		xdpi_log_error("out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < cd->nfiles; i++)
		if (load_pattern(cd, cd->d, cd->files[i]))
			return -1;
	if (offload)
		xdpi_detect__offload(cd->d, offload, octx);
	if (xdpi_detect__compile(cd->d, err, sizeof(err))) {
		xdpi_log_error("%s\n", err);
		return -1;
	}
	rep = xdpi_detect__report(cd->d);
	if (rep->kernel)
		snprintf(kernel, sizeof(kernel), "; %u reputation rules counted in XDP", rep->kernel);
	xdpi_log_note("rules: %u of %u loaded from %u files (%u unsupported, %u malformed; "
		      "`xdpi rules check` lists them)%s\n", rep->loaded, rep->rules, rep->files,
		      rep->skipped, rep->errors, kernel);
	return 0;
}

void xdpi_app_rules_free(struct xdpi_app_rules *cd)
{
	xdpi_detect__free(cd->d);
	xdpi_rule_vars_free(cd->vars);
	cd->d = NULL;
	cd->vars = NULL;
}
