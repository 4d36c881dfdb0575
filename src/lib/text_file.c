// SPDX-License-Identifier: GPL-2.0
/* Whole-file reads and line walks for the policy's text formats. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "xdpi/text_file.h"

int xdpi_text_fail(const struct xdpi_text_pos *p, size_t col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "%s:%u:%zu: ", p->name, p->line, col + 1);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Reads F to its end, at most XDPI_TEXT_MAX bytes: a device such as /dev/zero is refused, not
 * read forever. */
static int read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	for (;;) {
		size_t got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n < cap) {
			if (ferror(f)) {
				int err = errno ? errno : EIO;

				free(b);
				return -err;
			}
			break;
		}
		if (cap >= XDPI_TEXT_MAX) {
			free(b);
			return -EFBIG;
		}
		char *grown = realloc(b, cap * 2);

		if (!grown) {
			free(b);
			return -ENOMEM;
		}
		b = grown;
		cap *= 2;
	}
	*buf = b;
	*len = n;
	return 0;
}

int xdpi_text_read(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	bool std = strcmp(path, "-") == 0;
	FILE *f = std ? stdin : fopen(path, "rb");
	struct stat st;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > XDPI_TEXT_MAX)
		rc = -EFBIG;
	else
		rc = read_all(f, text, len);
	if (!std)
		fclose(f);
	if (rc == -EFBIG)
		snprintf(err, errlen, "%s: larger than %u MiB: not a text file this tool reads "
			 "(a device such as /dev/zero?)", path, XDPI_TEXT_MAX >> 20);
	else if (rc)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}

int xdpi_text_lines(const char *text, size_t len, xdpi_line_fn fn, void *ctx, uint32_t *last)
{
	size_t pos = 0;
	uint32_t line = 0;
	int rc = 0;

	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;

		if (n && text[pos + n - 1] == '\r')
			n--; /* CRLF files */
		rc = fn(ctx, ++line, text + pos, n);
		pos = end + 1;
	}
	if (last)
		*last = line;
	return rc;
}
