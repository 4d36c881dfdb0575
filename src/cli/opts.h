/* SPDX-License-Identifier: GPL-2.0 */
/* Options as data: one table per group of options drives the command line, the --help text
 * and the configuration file (`--config FILE`, one `name = value` per line), so the three can
 * never disagree. */
#ifndef XDPI_CLI_OPTS_H
#define XDPI_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_opt_kind {
	CLI_OPT_FLAG, /* bool at off: set by the option (config: yes/no) */
	CLI_OPT_STR,  /* const char * at off: the argument (argv's or the config's, kept alive) */
	CLI_OPT_U64,  /* uint64_t at off, in [min, max] */
	CLI_OPT_FN,   /* fn(group ctx, arg): anything else; a flag when arg_name is NULL */
};

struct cli_opt {
	const char *name;      /* long name; also the configuration file's key */
	char short_name;       /* 0: none */
	const char *arg_name;  /* in the help ("FILE"); NULL: takes no argument */
	const char *help;      /* lines separated by '\n' */
	enum cli_opt_kind kind;
	size_t off;
	uint64_t min, max;
	int (*fn)(void *ctx, const char *arg); /* 0, or -1 after cli_error() */
	/* CLI_OPT_STR: the argument's syntax, checked when given (0, or non-zero with why) */
	int (*check)(const char *arg, char *err, size_t errlen);
	bool cli_only;         /* not in a configuration file (--config itself) */
};

#define CLI_FLAG(n, s, T, f, h) { .name = n, .short_name = s, .help = h, .kind = CLI_OPT_FLAG, \
				  .off = offsetof(T, f) }
#define CLI_STR(n, s, a, T, f, h) { .name = n, .short_name = s, .arg_name = a, .help = h,    \
				    .kind = CLI_OPT_STR, .off = offsetof(T, f) }
#define CLI_CHECKED(n, s, a, T, f, chk, h) { .name = n, .short_name = s, .arg_name = a,     \
					     .help = h, .kind = CLI_OPT_STR, .off = offsetof(T, f), \
					     .check = chk }
#define CLI_U64(n, s, a, T, f, lo, hi, h) { .name = n, .short_name = s, .arg_name = a,        \
					    .help = h, .kind = CLI_OPT_U64, .off = offsetof(T, f), \
					    .min = lo, .max = hi }
#define CLI_FN(n, s, a, fun, h) { .name = n, .short_name = s, .arg_name = a, .help = h,       \
				  .kind = CLI_OPT_FN, .fn = fun }

/* A table and the struct its offsets and handlers work on. */
struct cli_optgroup {
	const struct cli_opt *opts;
	size_t n;
	void *ctx;
};
#define CLI_GROUP(table, c) { table, sizeof(table) / sizeof((table)[0]), c }

/* A command: its groups, the line before the options in --help and the text after them. */
struct cli_command {
	const char *name;      /* "run" */
	const char *synopsis;  /* "usage: xdpi run -i IFACE [OPTIONS]\n\n<what it does>\n" */
	const char *epilogue;  /* "Examples:\n..." */
	bool config;           /* accepts --config FILE */
	struct cli_optgroup groups[8];
	size_t ngroups;
	bool check_config;     /* set by --check-config */
};

/* Parses ARGV (argv[0] is the command name): a --config file first (its options before the
 * command line's), then the command line. Operands are left in argv[*first..argc-1]. Returns 0,
 * 1 after --help (printed), or -1 after an error was said (a usage error: exit 2). */
int cli_opts_parse(struct cli_command *cmd, int argc, char **argv, int *first);
void cli_opts_help(const struct cli_command *cmd, FILE *f);
/* A configuration file's TEXT (cut in place: the STR options point into it, so it must outlive
 * them), errors named NAME:LINE:COL. 0, or -1 after the error was said. */
int cli_config_parse(const struct cli_command *cmd, const char *name, char *text, size_t len);
/* The options applied so far, in order (ARGS[i] NULL for a switch); returns how many. */
size_t cli_opts_given(const char **names, const char **args, size_t cap);
void cli_opts_reset(void); /* forgets them (and a loaded configuration file) */
/* Every option, commented out with its help: a configuration file to start from. */
void cli_opts_config_template(const struct cli_command *cmd, FILE *f);
/* The options given so far (config and command line) as a configuration file. */
void cli_opts_print_config(const struct cli_command *cmd, FILE *f);

/* "xdpi: [FILE:LINE:COL: ]--NAME: message": the place is the configuration file's line
 * while it is being read. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* XDPI_CLI_OPTS_H */
