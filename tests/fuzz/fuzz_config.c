// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the configuration file (src/cli/opts.c). Any input either fails with its place
 * said or applies options; what it applied, printed as a configuration file and read back,
 * applies the very same options in the same order. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/cli/opts.h"

struct conf {
	const char *path, *url;
	uint64_t n;
	bool flag;
	int fn_calls;
};

static int opt_fn(void *ctx, const char *arg)
{
	(void)arg;
	((struct conf *)ctx)->fn_calls++;
	return 0;
}

static int url_ok(const char *arg, char *err, size_t errlen)
{
	if (!strncmp(arg, "redis://", 8))
		return 0;
	snprintf(err, errlen, "not a URL");
	return -1;
}

static const struct cli_opt opts[] = {
	CLI_STR("path", 'p', "FILE", struct conf, path, "a path"),
	CLI_CHECKED("url", 0, "URL", struct conf, url, url_ok, "a checked string"),
	CLI_U64("count", 0, "N", struct conf, n, 1, 1000, "a number"),
	CLI_FLAG("switch", 0, struct conf, flag, "a switch"),
	CLI_FN("repeat", 0, "X", opt_fn, "anything, repeatable"),
	CLI_FN("verbose", 'v', NULL, opt_fn, "a counted switch"),
};

#define MAX_GIVEN 4096

static size_t snapshot(char **names, char **args)
{
	const char *n[MAX_GIVEN], *a[MAX_GIVEN];
	size_t k = cli_opts_given(n, a, MAX_GIVEN);

	for (size_t i = 0; i < k && i < MAX_GIVEN; i++) {
		names[i] = strdup(n[i]);
		args[i] = a[i] ? strdup(a[i]) : NULL;
	}
	return k < MAX_GIVEN ? k : MAX_GIVEN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *names[MAX_GIVEN], *args[MAX_GIVEN];
	struct conf c = { 0 }, again = { 0 };
	struct cli_command cmd = { .name = "fuzz", .synopsis = "", .config = true,
				   .groups = { CLI_GROUP(opts, &c) }, .ngroups = 1 };
	char *text = malloc(size + 1), *printed = NULL;
	size_t plen = 0, k;
	FILE *f;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cli_opts_reset();
	if (!cli_config_parse(&cmd, "in", text, size)) {
		k = snapshot(names, args);
		f = open_memstream(&printed, &plen);
		cli_opts_print_config(&cmd, f);
		fclose(f);
		cli_opts_reset();
		cmd.groups[0].ctx = &again;
		/* a value that cannot be written back is not a parser bug: skip those */
		bool printable = true;
		for (size_t i = 0; i < k; i++)
			if (args[i] && (strchr(args[i], '"') || strchr(args[i], '\n') ||
					strchr(args[i], '\r')))
				printable = false;
		if (printable) {
			const char *n2[MAX_GIVEN], *a2[MAX_GIVEN];

			if (cli_config_parse(&cmd, "printed", printed, plen) ||
			    cli_opts_given(n2, a2, MAX_GIVEN) != k)
				abort();
			for (size_t i = 0; i < k; i++)
				if (strcmp(n2[i], names[i]) || (!a2[i]) != (!args[i]) ||
				    (args[i] && strcmp(a2[i], args[i])))
					abort();
		}
		for (size_t i = 0; i < k; i++) {
			free(names[i]);
			free(args[i]);
		}
		free(printed);
	}
	cli_opts_reset();
	free(text);
	return 0;
}
