// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the streaming JSON scanner (xdpi/jscan.h) on any bytes, fed in pieces of the size
 * the first byte says: every path and string it hands out is touched (ASan checks the
 * bounds), and the same document read whole and in pieces must say the same. */
#include <string.h>
#include "xdpi/jscan.h"

struct sum {
	unsigned long h, n;
};

static void mix(struct sum *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s->h = s->h * 31 + (unsigned char)p[i];
	s->n += n;
}

static void on_value(void *ctx, const char *path, enum xdpi_jscan_kind kind, const char *v,
		     size_t n, bool trunc)
{
	mix(ctx, path, strlen(path));
	mix(ctx, v ? v : "", v ? n : 0);
	((struct sum *)ctx)->h += (unsigned long)kind * 7 + trunc;
}

static void on_text(void *ctx, const char *path, const char *p, size_t n, bool first)
{
	mix(ctx, path, strlen(path));
	mix(ctx, p, n);
	((struct sum *)ctx)->h += first;
}

static const struct xdpi_jscan_cb cb = { on_value, on_text };

static enum xdpi_jscan_state_kind scan(const uint8_t *data, size_t size, size_t piece,
				       struct sum *s, uint64_t *offset)
{
	struct xdpi_jscan j;
	enum xdpi_jscan_state_kind st;

	xdpi_jscan_init(&j, &cb, s);
	for (size_t off = 0; off < size; off += piece)
		xdpi_jscan_feed(&j, (const char *)data + off, size - off < piece ? size - off : piece);
	st = xdpi_jscan_end(&j);
	*offset = j.offset;
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sum whole = { 0 }, pieces = { 0 };
	uint64_t ow, op;
	size_t piece;

	if (!size)
		return 0;
	piece = (size_t)data[0] % 17 + 1;
	data++, size--;
	if (scan(data, size, size ? size : 1, &whole, &ow) !=
		    scan(data, size, piece, &pieces, &op) ||
	    ow != op)
		__builtin_trap();
	/* text is handed out in pieces of the scanner's own size, whatever the input's */
	if (whole.h != pieces.h || whole.n != pieces.n)
		__builtin_trap();
	return 0;
}
