// SPDX-License-Identifier: GPL-2.0
/* The option tables at work: getopt_long built from them, --help printed from them, and the
 * configuration file read through the very same handlers, with file:line:col on every error. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "opts.h"
#include "xdpi/text_file.h"

#define HELP_COL 26
#define OPT_VAL 0x1000
#define OPT_HELP 'h'
#define OPT_CONFIG 0x0f00
#define OPT_CHECK 0x0f01
#define OPT_TEMPLATE 0x0f02
#define MAX_OPTS 256

/* ---- errors with their place ---- */

static char where[512]; /* "FILE:LINE:COL: " while a configuration line is applied */

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpi: %s", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- what was given, for --check-config ---- */

struct given {
	const struct cli_opt *opt;
	char *arg; /* NULL for a flag */
};

static struct given *given;
static size_t ngiven, capgiven;
static char *config_text; /* STR options point into it: kept for the process's life */

static void free_state(void)
{
	for (size_t i = 0; i < ngiven; i++)
		free(given[i].arg);
	free(given);
	free(config_text);
	given = NULL;
	config_text = NULL;
	ngiven = capgiven = 0;
}

void cli_opts_reset(void)
{
	free_state();
}

static void remember(const struct cli_opt *o, const char *arg)
{
	static bool registered;

	if (!registered) {
		atexit(free_state);
		registered = true;
	}
	if (ngiven == capgiven) {
		size_t cap = capgiven ? capgiven * 2 : 32;
		struct given *g = realloc(given, cap * sizeof(*g));

		if (!g)
			return;
		given = g;
		capgiven = cap;
	}
	given[ngiven].opt = o;
	given[ngiven].arg = arg ? strdup(arg) : NULL;
	ngiven++;
}

/* ---- applying one option ---- */

static int parse_u64(const struct cli_opt *o, const char *arg, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-') {
		cli_error("--%s: '%s' is not a number", o->name, arg);
		return -1;
	}
	if (v < o->min || v > o->max) {
		cli_error("--%s: %llu is out of range (%llu..%llu)", o->name, v,
			  (unsigned long long)o->min, (unsigned long long)o->max);
		return -1;
	}
	*out = v;
	return 0;
}

/* ARG: the option's argument; for a flag, NULL (set) or the config's yes/no. */
static int apply(const struct cli_opt *o, void *ctx, const char *arg, bool flag_value)
{
	char *field = (char *)ctx + o->off;
	int rc = 0;

	switch (o->kind) {
	case CLI_OPT_FLAG:
		*(bool *)field = flag_value;
		break;
	case CLI_OPT_STR:
		if (o->check) {
			char err[256];

			if (o->check(arg, err, sizeof(err))) {
				cli_error("--%s: %s", o->name, err);
				return -1;
			}
		}
		*(const char **)field = arg;
		break;
	case CLI_OPT_U64:
		rc = parse_u64(o, arg, (uint64_t *)field);
		break;
	case CLI_OPT_FN:
		rc = o->arg_name || flag_value ? o->fn(ctx, arg) : 0;
		break;
	}
	if (!rc && (o->arg_name || flag_value))
		remember(o, arg);
	return rc;
}

static const struct cli_opt *find(const struct cli_command *cmd, const char *name, size_t len,
				  void **ctx)
{
	for (size_t g = 0; g < cmd->ngroups; g++)
		for (size_t i = 0; i < cmd->groups[g].n; i++) {
			const struct cli_opt *o = &cmd->groups[g].opts[i];

			if (strlen(o->name) == len && !memcmp(o->name, name, len)) {
				*ctx = cmd->groups[g].ctx;
				return o;
			}
		}
	return NULL;
}

/* ---- the configuration file ---- */

struct config_ctx {
	const struct cli_command *cmd;
	const char *path;
	char *text;
};

size_t cli_opts_given(const char **names, const char **args, size_t cap)
{
	for (size_t i = 0; i < ngiven && i < cap; i++) {
		names[i] = given[i].opt->name;
		args[i] = given[i].arg;
	}
	return ngiven;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* yes/no for a switch: 1, 0, or -1 when it is neither. */
static int yes_no(const char *v)
{
	static const char *const yes[] = { "", "yes", "true", "on", "1" }, *const no[] = {
		"no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(v, yes[i]))
			return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(v, no[i]))
			return 0;
	return -1;
}

static int config_fail(struct config_ctx *c, uint32_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int config_fail(struct config_ctx *c, uint32_t line, size_t col, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpi: %s:%u:%zu: ", c->path, line, col + 1);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* "name", "name = value", "name = \"value with # or spaces\"", "# remark". S is a line of
 * the text the STR options keep pointing into, so it is cut in place. */
static int config_line(void *ctx, uint32_t line, const char *cs, size_t len)
{
	struct config_ctx *c = ctx;
	char *s = (char *)cs, *val = NULL;
	size_t i = 0, k0, k1, v0 = len;
	const struct cli_opt *o;
	void *gctx;
	int yn = 1, rc;

	while (i < len && is_space(s[i]))
		i++;
	if (i == len || s[i] == '#')
		return 0;
	for (k0 = i; i < len && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'); i++)
		;
	k1 = i;
	while (i < len && is_space(s[i]))
		i++;
	if (k1 == k0 || (i < len && s[i] != '=' && s[i] != '#'))
		return config_fail(c, line, i, "expected NAME or NAME = VALUE");
	if (i < len && s[i] == '=') {
		for (i++; i < len && is_space(s[i]); i++)
			;
		v0 = i;
		if (i < len && s[i] == '"') { /* a quoted value: to the closing quote */
			char *q = memchr(s + i + 1, '"', len - i - 1);

			if (!q)
				return config_fail(c, line, i, "a quoted value without its closing '\"'");
			v0 = i + 1;
			i = (size_t)(q - s);
			for (size_t t = i + 1; t < len && s[t] != '#'; t++)
				if (!is_space(s[t]))
					return config_fail(c, line, t, "text after the quoted value");
		} else {
			char *hash = memchr(s + i, '#', len - i);

			i = hash ? (size_t)(hash - s) : len;
			while (i > v0 && is_space(s[i - 1]))
				i--;
		}
		s[i] = '\0'; /* the line's end (or its remark's start) becomes the value's end */
		val = s + v0;
	}
	for (size_t t = k0; t < k1; t++)
		if (s[t] == '_')
			s[t] = '-'; /* flow_timeout and flow-timeout alike */
	o = find(c->cmd, s + k0, k1 - k0, &gctx);
	if (!o || o->cli_only)
		return config_fail(c, line, k0, "unknown option '%.*s' (`xdpi %s --help` lists them)",
				   (int)(k1 - k0), s + k0, c->cmd->name);
	if (o->arg_name && (!val || !*val))
		return config_fail(c, line, k1, "'%s' needs a value: %s = %s", o->name, o->name,
				   o->arg_name);
	if (!o->arg_name && val && (yn = yes_no(val)) < 0)
		return config_fail(c, line, v0, "'%s' is a switch: yes or no, not '%s'", o->name,
				   val);
	snprintf(where, sizeof(where), "%s:%u:%zu: ", c->path, line, (val ? v0 : k0) + 1);
	rc = apply(o, gctx, o->arg_name ? val : NULL, yn == 1);
	where[0] = '\0';
	return rc;
}

int cli_config_parse(const struct cli_command *cmd, const char *name, char *text, size_t len)
{
	struct config_ctx c = { .cmd = cmd, .path = name, .text = text };

	return xdpi_text_lines(text, len, config_line, &c, NULL) ? -1 : 0;
}

static int load_config(const struct cli_command *cmd, const char *path)
{
	char err[512], *text;
	size_t len;

	if (xdpi_text_read(path, &text, &len, err, sizeof(err))) {
		fprintf(stderr, "xdpi: --config: %s\n", err);
		return -1;
	}
	free(config_text);
	config_text = text; /* the STR options point into it */
	return cli_config_parse(cmd, path, text, len);
}

/* --config FILE anywhere on the command line: read first, so the command line overrides. */
static const char *config_path(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c"))
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (!strncmp(argv[i], "--config=", 9))
			return argv[i] + 9;
	}
	return NULL;
}

/* ---- the command line ---- */

static size_t build(const struct cli_command *cmd, struct option *lo, char *so,
		    const struct cli_opt **flat, void **ctxs)
{
	size_t n = 0, s = 0;

	so[s++] = ':'; /* a missing argument is ':' rather than '?': we say which */
	for (size_t g = 0; g < cmd->ngroups; g++)
		for (size_t i = 0; i < cmd->groups[g].n && n < MAX_OPTS - 4; i++) {
			const struct cli_opt *o = &cmd->groups[g].opts[i];

			lo[n] = (struct option){ o->name, o->arg_name ? required_argument : no_argument,
						 NULL, OPT_VAL + (int)n };
			if (o->short_name) {
				so[s++] = o->short_name;
				if (o->arg_name)
					so[s++] = ':';
			}
			flat[n] = o;
			ctxs[n++] = cmd->groups[g].ctx;
		}
	lo[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	if (cmd->config) {
		lo[n++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
		lo[n++] = (struct option){ "check-config", no_argument, NULL, OPT_CHECK };
		lo[n++] = (struct option){ "config-template", no_argument, NULL, OPT_TEMPLATE };
		so[s++] = 'c', so[s++] = ':';
	}
	so[s++] = 'h';
	so[s] = '\0';
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	return n;
}

static int short_to_index(const struct cli_opt **flat, size_t n, int ch)
{
	for (size_t i = 0; i < n; i++)
		if (flat[i] && flat[i]->short_name == ch)
			return (int)i;
	return -1;
}

int cli_opts_parse(struct cli_command *cmd, int argc, char **argv, int *first)
{
	static struct option lo[MAX_OPTS];
	static const struct cli_opt *flat[MAX_OPTS];
	static void *ctxs[MAX_OPTS];
	char so[2 * MAX_OPTS + 8];
	const char *cfg = cmd->config ? config_path(argc, argv) : NULL;
	size_t n = build(cmd, lo, so, flat, ctxs);
	int ch;

	if (cfg && load_config(cmd, cfg))
		return -1;
	optind = 0; /* glibc: start over */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		int idx = ch >= OPT_VAL ? ch - OPT_VAL : short_to_index(flat, n, ch);

		if (ch == OPT_HELP) {
			cli_opts_help(cmd, stdout);
			return 1;
		}
		if (ch == OPT_CONFIG || (ch == 'c' && cmd->config))
			continue; /* read before the rest */
		if (ch == OPT_CHECK) {
			cmd->check_config = true;
			continue;
		}
		if (ch == OPT_TEMPLATE) {
			cli_opts_config_template(cmd, stdout);
			return 1;
		}
		if (ch == '?' || ch == ':' || idx < 0) {
			cli_error("%s: %s '%s' (`xdpi %s --help` lists the options)", cmd->name,
				  ch == ':' ? "missing the argument of" : "unknown option",
				  argv[optind - 1], cmd->name);
			return -1;
		}
		if (apply(flat[idx], ctxs[idx], optarg, true))
			return -1;
	}
	*first = optind;
	return 0;
}

/* ---- help and the configuration as given ---- */

static void help_line(const struct cli_opt *o, FILE *f)
{
	char head[96];
	const char *h = o->help, *nl;
	int n = o->short_name ? snprintf(head, sizeof(head), "  -%c, --%s%s%s", o->short_name,
					 o->name, o->arg_name ? " " : "", o->arg_name ? o->arg_name : "")
			      : snprintf(head, sizeof(head), "      --%s%s%s", o->name,
					 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");

	fputs(head, f);
	if (n >= HELP_COL - 1) { /* a long head: the text starts on the next line */
		fputc('\n', f);
		n = 0;
	}
	for (bool firstl = true; h; firstl = false) {
		nl = strchr(h, '\n');
		fprintf(f, "%*s%.*s\n", firstl ? HELP_COL - n : HELP_COL, "",
			(int)(nl ? nl - h : (long)strlen(h)), h);
		h = nl ? nl + 1 : NULL;
	}
}

void cli_opts_help(const struct cli_command *cmd, FILE *f)
{
	static const struct cli_opt help = { .name = "help", .short_name = 'h', .help = "this text" };
	static const struct cli_opt config = {
		.name = "config", .short_name = 'c', .arg_name = "FILE",
		.help = "read options from FILE first, one `name = value` per line (the long\n"
			"names; '#' remarks); options on the command line come after it"
	}, check = { .name = "check-config", .help = "check the options (their files too), "
		     "print them as a\nconfiguration file and exit" },
	   templ = { .name = "config-template", .help = "print every option as a commented "
		     "configuration file\n(the installed /etc/xdpi/xdpi.conf is one)" };

	fputs(cmd->synopsis, f);
	fputc('\n', f);
	for (size_t g = 0; g < cmd->ngroups; g++)
		for (size_t i = 0; i < cmd->groups[g].n; i++)
			help_line(&cmd->groups[g].opts[i], f);
	if (cmd->config) {
		help_line(&config, f);
		help_line(&check, f);
		help_line(&templ, f);
	}
	help_line(&help, f);
	if (cmd->epilogue) {
		fputc('\n', f);
		fputs(cmd->epilogue, f);
	}
}

static void print_value(const char *v, FILE *f)
{
	bool quote = !*v || strpbrk(v, "#\"") || is_space(v[0]) || is_space(v[strlen(v) - 1]);

	fprintf(f, quote ? " = \"%s\"\n" : " = %s\n", v);
}

void cli_opts_config_template(const struct cli_command *cmd, FILE *f)
{
	fprintf(f, "# xdpi %s configuration: one `name = value` per line, the long option names of\n"
		   "# `xdpi %s --help` (switches: name = yes); repeatable options on several lines;\n"
		   "# quote a value holding '#'. Options on the command line come after this file.\n",
		cmd->name, cmd->name);
	for (size_t g = 0; g < cmd->ngroups; g++)
		for (size_t i = 0; i < cmd->groups[g].n; i++) {
			const struct cli_opt *o = &cmd->groups[g].opts[i];
			const char *h = o->help, *nl;

			if (o->cli_only)
				continue;
			fputc('\n', f);
			for (; h; h = nl ? nl + 1 : NULL) {
				nl = strchr(h, '\n');
				fprintf(f, "# %.*s\n", (int)(nl ? nl - h : (long)strlen(h)), h);
			}
			fprintf(f, "#%s = %s\n", o->name, o->arg_name ? o->arg_name : "yes");
		}
}

void cli_opts_print_config(const struct cli_command *cmd, FILE *f)
{
	fprintf(f, "# xdpi %s: the options given, as a configuration file (--config)\n", cmd->name);
	for (size_t i = 0; i < ngiven; i++) {
		fputs(given[i].opt->name, f);
		if (given[i].arg)
			print_value(given[i].arg, f);
		else
			fputs(" = yes\n", f);
	}
}
