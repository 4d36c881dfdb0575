// SPDX-License-Identifier: GPL-2.0
/* The detection options read and run share: rule files, variables, what a drop does. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "xdpi/log.h"

int cli_detect_option(struct cli_detect *cd, int opt, const char *arg)
{
	char err[256];

	switch (opt) {
	case 0x140:
		if (cd->nfiles == sizeof(cd->files) / sizeof(cd->files[0])) {
			fprintf(stderr, "xdpi: at most %zu --rules files\n", cd->nfiles);
			return -1;
		}
		cd->files[cd->nfiles++] = arg;
		return 1;
	case 0x141:
		if (!cd->vars && !(cd->vars = xdpi_rule_vars_new()))
			return -1;
		if (xdpi_rule_vars_set(cd->vars, arg, err, sizeof(err))) {
			fprintf(stderr, "xdpi: --rule-var %s\n", err);
			return -1;
		}
		return 1;
	case 0x142:
		return cli_parse_u64("drop-ttl", arg, 0, 86400 * 365, &cd->drop_ttl_s) ? -1 : 1;
	case 0x143:
		if (xdpi_anomaly_set(&cd->anomaly, arg, err, sizeof(err))) {
			fprintf(stderr, "xdpi: --anomaly %s\n", err);
			return -1;
		}
		return 1;
	case 0x144:
		cd->anomaly.off = true;
		return 1;
	}
	return 0;
}

/* A file, or a quoted glob pattern (rules/STAR.rules) expanded here. */
static int load_pattern(struct cli_detect *cd, struct xdpi_detect *d, const char *pattern)
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

int cli_detect_load(struct cli_detect *cd, xdpi_kernel_rule_fn offload, void *octx)
{
	const struct xdpi_rules_report *rep;
	char err[512];

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
	fprintf(stderr, "xdpi: rules: %u of %u loaded from %u files (%u unsupported, %u malformed; "
			"`xdpi rules check` lists them)%s", rep->loaded, rep->rules, rep->files,
		rep->skipped, rep->errors, rep->kernel ? "" : "\n");
	if (rep->kernel)
		fprintf(stderr, "; %u reputation rules counted in XDP\n", rep->kernel);
	return 0;
}

void cli_detect_free(struct cli_detect *cd)
{
	xdpi_detect__free(cd->d);
	xdpi_rule_vars_free(cd->vars);
	cd->d = NULL;
	cd->vars = NULL;
}
