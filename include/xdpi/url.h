/* SPDX-License-Identifier: GPL-2.0 */
/* URL escapes (src/lib/url.c), shared by the HTTP buffers and the url_decode transform. */
#ifndef XDPI_URL_H
#define XDPI_URL_H

#include <stdbool.h>
#include <stddef.h>

/* %XX to its byte (an escape that is not two hex digits stays as it is); PLUS_SPACE: '+' to a
 * space as well. Writes at most CAP bytes to OUT (OUT may be IN: it never runs ahead); returns
 * how many. */
size_t xdpi_url_decode(const char *in, size_t n, char *out, size_t cap, bool plus_space);

#endif /* XDPI_URL_H */
