/* SPDX-License-Identifier: GPL-2.0 */
/* HTTP message heads and bodies read the way browsers (and libhtp, Suricata's HTTP parser) read
 * them, so a rule sees what the user's browser got, not what a strict parser would accept:
 * response heads with bare-CR line ends, folded and repeated fields, NUL bytes in names and
 * values; bodies through their Content-Encoding layers (gzip, deflate; zlib), falling back to
 * the other format, then to the bytes as they are, when a layer does not inflate
 * (dissect/lib/http_decode.c). */
#ifndef XDPI_HTTP_DECODE_H
#define XDPI_HTTP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- response heads ---- */

/* End of a response head at P (after its empty line, line ends as libhtp takes them: CRLF, LF,
 * LF CR, a bare CR), 0 while it is not all there. Empty lines before the status line count as
 * part of the head. */
size_t xdpi_http_resp_head_end(const char *p, size_t len);

/* Could P start a response head (blank lines, then "HTTP" in any case)? LEN may end early:
 * true while what is there could still become one. */
bool xdpi_http_resp_may_start(const char *p, size_t len);

/* What a response head says about its body. */
struct xdpi_http_resp_info {
	int status;          /* 100..999, 0 when the status line has no valid code */
	size_t line_off, line_len; /* the status line in the head, without its line end */
	bool has_te, has_cl, has_ce, chunked;
	int64_t content_length; /* -1: absent or not a number */
	char ce[256];        /* Content-Encoding, repeated fields joined with ", " */
	size_t ce_len;
};

/* Reads a whole head (xdpi_http_resp_head_end bytes): status, framing, encoding. */
void xdpi_http_resp_parse(const char *p, size_t len, struct xdpi_http_resp_info *info);

/* ---- chunk size lines ---- */

/* The size on a chunk line (hex, blanks around, junk after the digits ignored); -2 for a blank
 * line (skipped: read the next), -1 when it is not a size (the body is then read to close). */
int64_t xdpi_http_chunk_size(const char *line, size_t len);

/* ---- content decoding ---- */

struct xdpi_http_decoder;

/* Takes decoded bytes; returns false when it wants no more (decoding stops there). */
typedef bool (*xdpi_http_sink)(void *arg, const uint8_t *p, size_t n);

/* The decoders a Content-Encoding value asks for, in the order it lists them (at most
 * MAX_LAYERS, 0: no limit); NULL when it asks for none (identity, unknown codings). */
struct xdpi_http_decoder *xdpi_http_decoder_new(const char *ce, size_t len, unsigned max_layers);
/* Body bytes in; decoded bytes to SINK. */
void xdpi_http_decode(struct xdpi_http_decoder *d, const uint8_t *p, size_t n,
		      xdpi_http_sink sink, void *arg);
/* The body ended: what is still buffered goes to SINK. */
void xdpi_http_decode_end(struct xdpi_http_decoder *d, xdpi_http_sink sink, void *arg);
void xdpi_http_decoder_free(struct xdpi_http_decoder *d);

/* Suricata's response-body-decompress-layer-limit (default 2). */
void xdpi_http_set_decode_layers(unsigned n);
unsigned xdpi_http_decode_layers(void);

#endif /* XDPI_HTTP_DECODE_H */
