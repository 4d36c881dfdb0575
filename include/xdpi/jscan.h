/* SPDX-License-Identifier: GPL-2.0 */
/* A streaming JSON scanner: bytes in any pieces, callbacks for the values it meets, each named
 * by its path ("usage.prompt_tokens", "choices[].delta.content": array indices are "[]").
 * Memory is the struct, whatever the document's size: a string is handed on in pieces as it
 * is read (unescaped, UTF-8), and only its first XDPI_JSCAN_VAL_MAX bytes are kept for the
 * scalar callback. Paths deeper than XDPI_JSCAN_DEPTH or longer than XDPI_JSCAN_PATH_MAX are
 * still parsed, their values not reported. Why not a library: yajl and json-c keep a token
 * whole (a prompt may be most of a body) and abort on a failed allocation. */
#ifndef XDPI_JSCAN_H
#define XDPI_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XDPI_JSCAN_DEPTH 24
#define XDPI_JSCAN_PATH_MAX 160
#define XDPI_JSCAN_VAL_MAX 128
#define XDPI_JSCAN_CHUNK 256

enum xdpi_jscan_kind {
	XDPI_JSCAN_STRING,
	XDPI_JSCAN_NUMBER,
	XDPI_JSCAN_TRUE,
	XDPI_JSCAN_FALSE,
	XDPI_JSCAN_NULL,
	XDPI_JSCAN_OBJECT, /* open: a container starts at the path */
	XDPI_JSCAN_ARRAY,
};

struct xdpi_jscan;

struct xdpi_jscan_cb {
	/* A whole scalar at PATH: V (N bytes; a string's first XDPI_JSCAN_VAL_MAX, unescaped;
	 * TRUNC: it was longer). Containers call it at their start with kind OBJECT/ARRAY. */
	void (*value)(void *ctx, const char *path, enum xdpi_jscan_kind kind, const char *v,
		      size_t n, bool trunc);
	/* A string's text as it streams (unescaped UTF-8), before its value callback; may be
	 * NULL. FIRST: the first piece of this string. */
	void (*text)(void *ctx, const char *path, const char *p, size_t n, bool first);
};

enum xdpi_jscan_state_kind { XDPI_JSCAN_OK, XDPI_JSCAN_DONE, XDPI_JSCAN_ERROR };

struct xdpi_jscan {
	const struct xdpi_jscan_cb *cb;
	void *ctx;
	uint8_t st, depth, esc_left, lit_len;
	bool in_key, trunc, first_piece, want_key_colon;
	uint8_t frames[XDPI_JSCAN_DEPTH]; /* 'o' object, 'a' array */
	uint16_t plen[XDPI_JSCAN_DEPTH + 1]; /* path length at each depth */
	uint32_t esc_cp, hi_surrogate;
	uint32_t skip_depth;                 /* containers below the deepest we name */
	uint64_t offset;                     /* bytes consumed, for errors */
	enum xdpi_jscan_state_kind result;
	char path[XDPI_JSCAN_PATH_MAX + 24];
	char key[48];
	uint8_t key_len;
	bool key_trunc;
	char val[XDPI_JSCAN_VAL_MAX];
	uint32_t val_len;
	char chunk[XDPI_JSCAN_CHUNK];
	uint32_t chunk_len;
	char lit[32];
};

void xdpi_jscan_init(struct xdpi_jscan *s, const struct xdpi_jscan_cb *cb, void *ctx);
/* Feeds N bytes; returns the state: OK (more may come), DONE (one whole value was read;
 * bytes after it other than blanks are an error), ERROR (s->offset: where). */
enum xdpi_jscan_state_kind xdpi_jscan_feed(struct xdpi_jscan *s, const char *p, size_t n);
/* The input ended: a number at the very end is complete. Returns the state. */
enum xdpi_jscan_state_kind xdpi_jscan_end(struct xdpi_jscan *s);

#endif /* XDPI_JSCAN_H */
