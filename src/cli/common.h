/* SPDX-License-Identifier: GPL-2.0 */
/* What the subcommands share. The command line only parses options into the application's
 * structs (xdpi/app.h) and prints; the pipeline lives in src/app. */
#ifndef XDPI_CLI_COMMON_H
#define XDPI_CLI_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "xdpi/app.h"
#include "opts.h"

#define EXIT_USAGE 2

/* The option groups read and run share (each fills its part of struct xdpi_app_common). */
struct cli_optgroup cli_common_group(struct xdpi_app_common *c);
struct cli_optgroup cli_detect_group(struct xdpi_app_rules *r);
struct cli_optgroup cli_observe_group(struct xdpi_app_observe *o);

/* Rate-limit options, shared by `run` and `ctl limits`; only given ones are applied. */
enum cli_limit {
	CLI_LIMIT_RATE,         /* --rate-limit PPS */
	CLI_LIMIT_BYTES,        /* --byte-limit BPS */
	CLI_LIMIT_ICMP,         /* --icmp-limit PPS */
	CLI_LIMIT_SYN_DST,      /* --syn-dst-rate N */
	CLI_LIMIT_SYN_SRC,      /* --syn-src-rate N */
	CLI_LIMIT_SYN_BLOCK,    /* --syn-block S */
	CLI_LIMIT_SAMPLES,      /* --drop-samples N */
	CLI_LIMIT_EGRESS_RATE,  /* --egress-rate-limit PPS */
	CLI_LIMIT_EGRESS_BYTES, /* --egress-byte-limit BPS */
	CLI_LIMIT_EGRESS_ICMP,  /* --egress-icmp-limit PPS */
	CLI_LIMIT_N,
};

struct cli_limits {
	uint64_t v[CLI_LIMIT_N];
	bool given[CLI_LIMIT_N];
};

struct cli_optgroup cli_limits_group(struct cli_limits *l);
/* Writes the given options into K, as the time one unit costs (0: off). */
void cli_limits_apply(const struct cli_limits *l, struct xdpi_limits *k);
/* K as the options that would set it, one per line. */
void cli_limits_print(const struct xdpi_limits *k, FILE *f);

/* Parses an unsigned number in [min, max] for option `name`; says why and returns -1 if not. */
int cli_parse_u64(const char *name, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
void cli_set_verbosity(int verbose);

/* xdpi ctl's balancer commands (ctl_lb.c): lb, lb-weight, lb-add, lb-remove. */
struct xdpi_pins;
bool ctl_lb_command(const char *cmd);
int ctl_lb(const struct xdpi_pins *p, const char *cmd, int argc, char **argv);

#endif /* XDPI_CLI_COMMON_H */
