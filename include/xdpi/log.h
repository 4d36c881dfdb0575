/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics to stderr. The per-packet path logs nothing; xdpi_log_trace compiles away. */
#ifndef XDPI_LOG_H
#define XDPI_LOG_H

enum xdpi_log_level {
	XDPI_LOG_ERROR = 0,
	XDPI_LOG_WARN = 1,
	XDPI_LOG_NOTE = 2,  /* what an operator wants to see by default: "attached to eth0" */
	XDPI_LOG_INFO = 3,  /* -v */
	XDPI_LOG_DEBUG = 4, /* -vv */
};

void xdpi_log_set_level(enum xdpi_log_level level);
enum xdpi_log_level xdpi_log_get_level(void);
void xdpi_log(enum xdpi_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Routes libbpf's messages through ours (its DEBUG becomes our DEBUG). */
void xdpi_log_route_libbpf(void);

#define xdpi_log_error(...) xdpi_log(XDPI_LOG_ERROR, __VA_ARGS__)
#define xdpi_log_warn(...) xdpi_log(XDPI_LOG_WARN, __VA_ARGS__)
#define xdpi_log_note(...) xdpi_log(XDPI_LOG_NOTE, __VA_ARGS__)
#define xdpi_log_info(...) xdpi_log(XDPI_LOG_INFO, __VA_ARGS__)
#define xdpi_log_debug(...) xdpi_log(XDPI_LOG_DEBUG, __VA_ARGS__)
#ifdef PI_TRACE
#define xdpi_log_trace(...) xdpi_log(XDPI_LOG_DEBUG, __VA_ARGS__)
#else
#define xdpi_log_trace(...) do { } while (0)
#endif

#endif /* XDPI_LOG_H */
