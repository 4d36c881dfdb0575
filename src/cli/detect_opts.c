// SPDX-License-Identifier: GPL-2.0
/* The detection options read and run share: rule files, variables, what a drop does. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "opts.h"
#include "xdpi/log.h"

static int opt_rules(void *ctx, const char *arg)
{
	struct cli_detect *cd = ctx;

	if (cd->nfiles == sizeof(cd->files) / sizeof(cd->files[0])) {
		cli_error("--rules: at most %zu files", cd->nfiles);
		return -1;
	}
	cd->files[cd->nfiles++] = arg;
	return 0;
}

static int opt_rule_var(void *ctx, const char *arg)
{
	struct cli_detect *cd = ctx;
	char err[256];

	if (!cd->vars && !(cd->vars = xdpi_rule_vars_new()))
		return -1;
	if (xdpi_rule_vars_set(cd->vars, arg, err, sizeof(err))) {
		cli_error("--rule-var %s", err);
		return -1;
	}
	return 0;
}

static int opt_anomaly(void *ctx, const char *arg)
{
	struct cli_detect *cd = ctx;
	char err[256];

	if (xdpi_anomaly_set(&cd->anomaly, arg, err, sizeof(err))) {
		cli_error("--anomaly %s", err);
		return -1;
	}
	return 0;
}

static int opt_no_anomaly(void *ctx, const char *arg)
{
	(void)arg;
	((struct cli_detect *)ctx)->anomaly.off = true;
	return 0;
}

static const struct cli_opt detect_opts[] = {
	CLI_FN("rules", 0, "FILE", opt_rules,
	       "Suricata-style rules to match (repeatable; a quoted glob is\n"
	       "expanded; `xdpi rules check` tells what a file uses that\n"
	       "xdpi does not support)"),
	CLI_FN("rule-var", 0, "NAME=VALUE", opt_rule_var, "$HOME_NET, $HTTP_PORTS, ... (Suricata's defaults)"),
	CLI_U64("drop-ttl", 0, "SEC", struct cli_detect, drop_ttl_s, 0, 86400 * 365,
		"how long a `drop` rule's match blocks its sender in XDP\n"
		"(default 600; 0: until removed)"),
	CLI_FN("anomaly", 0, "NAME=V", opt_anomaly,
	       "tune an anomaly detector (repeatable): window_s (60),\n"
	       "scan_ports (50), scan_hosts (128), syn_min (200/s),\n"
	       "bytes_min (52428800/s), factor (8), alpha (0.05),\n"
	       "dns_label (40), dns_entropy (4.0), dns_queries (20),\n"
	       "dns_txt (50)"),
	CLI_FN("no-anomaly", 0, NULL, opt_no_anomaly, "no scan, flood, surge or DNS tunnel detection"),
};

struct cli_optgroup cli_detect_group(struct cli_detect *cd)
{
	return (struct cli_optgroup)CLI_GROUP(detect_opts, cd);
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
