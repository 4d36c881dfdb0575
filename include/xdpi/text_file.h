/* SPDX-License-Identifier: GPL-2.0 */
/* Line-oriented text files (CIDR lists, port rules): read whole, then walked line by line. */
#ifndef XDPI_TEXT_FILE_H
#define XDPI_TEXT_FILE_H

#include <stddef.h>
#include <stdint.h>

/* The largest text file read (rules, lists, routes): a million-line feed is far below. */
#define XDPI_TEXT_MAX (128u << 20)

/* Reads PATH ("-": standard input) into a malloc'd *TEXT of *LEN bytes, at most XDPI_TEXT_MAX
 * (-EFBIG past it; -EISDIR for a directory). Returns 0 or -errno with "PATH: what failed" in
 * ERR. */
int xdpi_text_read(const char *path, char **text, size_t *len, char *err, size_t errlen);

/* Calls FN for each line of TEXT (1-based LINE, without its "\n" or "\r\n") until FN returns
 * non-zero, which is returned; *LAST is the last line number visited. */
typedef int (*xdpi_line_fn)(void *ctx, uint32_t line, const char *s, size_t len);
int xdpi_text_lines(const char *text, size_t len, xdpi_line_fn fn, void *ctx, uint32_t *last);

/* Where a parser is, for its messages. */
struct xdpi_text_pos {
	const char *name;
	uint32_t line;
	char *err;
	size_t errlen;
};

/* Writes "NAME:LINE:COL: message" (COL 0-based here, 1-based in the message) into P's ERR
 * and returns -EINVAL. */
int xdpi_text_fail(const struct xdpi_text_pos *p, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* XDPI_TEXT_FILE_H */
