// SPDX-License-Identifier: GPL-2.0
/* xdpi rules check FILE...: loads rule files as `run` and `read` would, and says what loaded,
 * what was skipped (by the keyword that made it unsupported) and what is malformed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "xdpi/detect.h"
#include "xdpi/text_file.h"

static const char synopsis[] =
	"usage: xdpi rules check [OPTIONS] FILE...\n"
	"\n"
	"Loads Suricata-style rule files and prints a summary: rules read, loaded, skipped\n"
	"(grouped by the unsupported keyword or protocol that made each one unsupported) and\n"
	"malformed (each named with file:line:col, sid and reason). A rule is loaded whole or\n"
	"not at all. Exit status: 0 when no rule is malformed, 1 otherwise, 2 on usage errors.\n";

static const char epilogue[] =
	"Examples:\n"
	"  xdpi rules check /etc/suricata/rules/*.rules\n"
	"  xdpi rules check --rule-var HOME_NET=[198.18.0.0/15] local.rules\n"
	"  xdpi rules check -v emerging-web_client.rules 2>&1 | grep unsupported\n";

struct check_ctx {
	struct xdpi_rule_vars *vars;
	bool verbose, quiet;
};

static int skip_cmp(const void *a, const void *b)
{
	const struct xdpi_rules_skip *x = a, *y = b;

	return x->rules != y->rules ? (x->rules < y->rules ? 1 : -1) : strcmp(x->what, y->what);
}

static void print_report(const struct xdpi_rules_report *r)
{
	struct xdpi_rules_skip *skips = malloc((r->n_skips ? r->n_skips : 1) * sizeof(*skips));

	printf("files      %u\n", r->files);
	printf("rules      %u\n", r->rules);
	printf("loaded     %u (%.1f%%)\n", r->loaded, r->rules ? 100.0 * r->loaded / r->rules : 0);
	printf("skipped    %u\n", r->skipped);
	printf("malformed  %u\n", r->errors);
	if (r->duplicates)
		printf("duplicate  %u (same gid:sid as an earlier rule: the higher rev kept)\n",
		       r->duplicates);
	printf("inspected at:");
	for (int s = 0; s < XDPI_STAGE_MAX; s++)
		printf("%s %s %u", s ? "," : "", xdpi_stage_name((enum xdpi_stage)s), r->by_stage[s]);
	printf("\nprefiltered %u, address-indexed %u, port-indexed %u, checked at every inspection "
	       "%u\n", r->prefiltered, r->addr_indexed, r->port_indexed, r->unfiltered);
	if (r->port_grouped)
		printf("of the prefiltered, %u TCP payload rules bound to a few ports are looked for "
		       "only in packets to them (%u port groups)\n", r->port_grouped, r->port_groups);
	if (!r->n_skips || !skips) {
		free(skips);
		return;
	}
	memcpy(skips, r->skips, r->n_skips * sizeof(*skips));
	qsort(skips, r->n_skips, sizeof(*skips), skip_cmp);
	printf("skipped by keyword:\n");
	for (uint32_t i = 0; i < r->n_skips; i++)
		printf("  %-28s %u\n", skips[i].what, skips[i].rules);
	free(skips);
}

static int check(struct check_ctx *c, int nfiles, char **files)
{
	struct xdpi_detect *d = xdpi_detect__new();
	FILE *msgs = c->quiet ? NULL : stderr;
	char err[512];
	int rc = 0;

	if (!d) {
		fprintf(stderr, "xdpi rules check: out of memory\n");
		return 1;
	}
	/* skipped rules are listed only with -v: a whole ruleset skips hundreds */
	for (int i = 0; i < nfiles; i++) {
		char *text;
		size_t len;

		if (xdpi_text_read(files[i], &text, &len, err, sizeof(err))) {
			fprintf(stderr, "xdpi rules check: %s\n", err); /* even with -q */
			rc = 1;
			continue;
		}
		if (xdpi_detect__load_text(d, files[i], text, len, c->vars, msgs,
					   c->verbose ? stderr : NULL))
			rc = 1;
		free(text);
	}
	if (xdpi_detect__compile(d, err, sizeof(err))) {
		fprintf(stderr, "xdpi rules check: %s\n", err);
		rc = 1;
	}
	print_report(xdpi_detect__report(d));
	if (xdpi_detect__report(d)->errors)
		rc = 1;
	xdpi_detect__free(d);
	return rc;
}

static int opt_rule_var(void *ctx, const char *arg)
{
	struct check_ctx *c = ctx;
	char err[256];

	if (xdpi_rule_vars_set(c->vars, arg, err, sizeof(err))) {
		cli_error("--rule-var %s", err);
		return -1;
	}
	return 0;
}

static const struct cli_opt check_opts[] = {
	CLI_FN("rule-var", 0, "NAME=VALUE", opt_rule_var,
	       "set an address or port variable ($HOME_NET, $HTTP_PORTS,\n"
	       "...; Suricata's defaults otherwise); repeatable"),
	CLI_FLAG("verbose", 'v', struct check_ctx, verbose, "list every skipped rule too"),
	CLI_FLAG("quiet", 'q', struct check_ctx, quiet, "only the summary, not the malformed rules"),
};

int cmd_rules(int argc, char **argv)
{
	struct check_ctx c = { .vars = xdpi_rule_vars_new() };
	struct cli_command cmd = {
		.name = "rules check", .synopsis = synopsis, .epilogue = epilogue,
		.groups = { CLI_GROUP(check_opts, &c) }, .ngroups = 1,
	};
	int first, rc;

	if (!c.vars)
		return 1;
	if (argc < 2 || strcmp(argv[1], "check")) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			cli_opts_help(&cmd, stdout);
			rc = 0;
		} else {
			cli_error("rules: expected 'check' (`xdpi rules --help`)");
			rc = EXIT_USAGE;
		}
		xdpi_rule_vars_free(c.vars);
		return rc;
	}
	rc = cli_opts_parse(&cmd, argc - 1, argv + 1, &first);
	if (!rc && first >= argc - 1) {
		cli_error("rules check: expected at least one FILE (`xdpi rules --help`)");
		rc = -1;
	}
	if (!rc)
		rc = check(&c, argc - 1 - first, argv + 1 + first);
	else
		rc = rc > 0 ? 0 : EXIT_USAGE;
	xdpi_rule_vars_free(c.vars);
	return rc;
}
