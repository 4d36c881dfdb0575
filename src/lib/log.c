// SPDX-License-Identifier: GPL-2.0
/* Diagnostics to stderr, with a level set by repeated -v. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "xdpi/log.h"

static enum xdpi_log_level log_level = XDPI_LOG_NOTE;

void xdpi_log_set_level(enum xdpi_log_level level)
{
	log_level = level;
}

enum xdpi_log_level xdpi_log_get_level(void)
{
	return log_level;
}

static void vlog(enum xdpi_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "info: ", "debug: " };

	if (level > log_level)
		return;
	fprintf(stderr, "xdpi: %s", prefix[level]);
	vfprintf(stderr, fmt, ap);
}

void xdpi_log(enum xdpi_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum xdpi_log_level ours = level == LIBBPF_WARN ? XDPI_LOG_INFO : XDPI_LOG_DEBUG;

	/* libbpf warns about every probe that fails on the way to a fallback that we report
	 * ourselves; its warnings are for -v. */
	vlog(ours, fmt, ap);
	return 0;
}

void xdpi_log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
