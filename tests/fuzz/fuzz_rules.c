// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: rule files. Whatever the text, every line read is accounted for (loaded,
 * skipped, malformed or a duplicate), the set compiles, and every loaded rule can be matched
 * against the input itself in every buffer without fault. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdpi_rule_vars *vars = xdpi_rule_vars_new();
	struct xdpi_detect *d = xdpi_detect__new();
	const struct xdpi_rules_report *rep;
	const struct xdpi_rule *rules;
	struct xdpi_inspect in = { .stage = XDPI_STAGE_PACKET };
	char err[512];
	size_t n;

	if (!vars || !d)
		abort();
	xdpi_detect__load_text(d, "fuzz.rules", (const char *)data, size, vars, NULL, NULL);
	rep = xdpi_detect__report(d);
	if (rep->loaded + rep->skipped + rep->errors + rep->duplicates != rep->rules)
		abort();
	if (xdpi_detect__compile(d, err, sizeof(err)))
		abort(); /* a rule that loads must compile */
	for (int b = 0; b < XDPI_BUF_MAX; b++)
		xdpi_inspect_set(&in, (enum xdpi_buffer)b, data, size);
	n = xdpi_detect__rules(d, &rules);
	for (size_t i = 0; i < n; i++) {
		in.stage = (enum xdpi_stage)rules[i].stage;
		(void)xdpi_rule_match_buffers(&rules[i], &in);
	}
	xdpi_detect__free(d);
	xdpi_rule_vars_free(vars);
	return 0;
}
