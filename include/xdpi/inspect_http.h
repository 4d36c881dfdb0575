/* SPDX-License-Identifier: GPL-2.0 */
/* HTTP inspection buffers derived from a header block (detect/inspect_http.c). */
#ifndef XDPI_INSPECT_HTTP_H
#define XDPI_INSPECT_HTTP_H

#include "xdpi/inspect.h"

/* Room for the derived buffers that are not slices of the message. */
struct xdpi_http_scratch {
	char names[2048];
	char host[256];
	char uri[8192];
};

/* Value of NAME in the header lines HDRS (first occurrence, case-insensitive), without the
 * surrounding blanks, *VLEN bytes long; NULL if absent. */
const char *xdpi_http_header_value(const char *hdrs, size_t len, const char *name, size_t *vlen);
/* HDRS: the header lines after the start line, up to and including the empty line. Sets
 * http.header (and .raw), http.header_names, the single-header buffers of a request or a
 * response, and for a request the user agent and the host (raw and lower-cased). */
void xdpi_inspect_http_headers(struct xdpi_inspect *in, const char *hdrs, size_t len,
			       bool response, struct xdpi_http_scratch *sc);
/* http.uri.raw as sent and http.uri normalised as libhtp does (percent-decoded, the path's
 * "." and ".." segments resolved) into SC. */
void xdpi_inspect_http_uri(struct xdpi_inspect *in, const char *uri, size_t len,
			   struct xdpi_http_scratch *sc);
/* http.host from http.host.raw: lower-cased into SC. */
void xdpi_inspect_http_host(struct xdpi_inspect *in, struct xdpi_http_scratch *sc);

#endif /* XDPI_INSPECT_HTTP_H */
