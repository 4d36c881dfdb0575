// SPDX-License-Identifier: GPL-2.0
/* HTTP buffers derived from a header block, shared by the HTTP/1 and HTTP/2 dissectors: the
 * header block itself, single headers (Content-Type, Referer, ...), the list of header names,
 * the normalised (lower-case) host. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "xdpi/inspect_http.h"
#include "xdpi/url.h"

const char *xdpi_http_header_value(const char *hdrs, size_t len, const char *name, size_t *vlen)
{
	size_t nl = strlen(name), off = 0;

	while (off < len) {
		const char *l = hdrs + off, *e = memchr(l, '\n', len - off);
		size_t ll = e ? (size_t)(e - l) : len - off;

		if (ll > nl && l[nl] == ':' && !strncasecmp(l, name, nl)) {
			const char *v = l + nl + 1;
			size_t n = ll - nl - 1;

			while (n && (*v == ' ' || *v == '\t'))
				v++, n--;
			while (n && (v[n - 1] == '\r' || v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			*vlen = n;
			return v;
		}
		off += ll + 1;
	}
	return NULL;
}

static void set_header(struct xdpi_inspect *in, enum xdpi_buffer b, const char *hdrs, size_t len,
		       const char *name)
{
	size_t n;
	const char *v = xdpi_http_header_value(hdrs, len, name, &n);

	if (v)
		xdpi_inspect_set(in, b, v, n);
}

/* "\r\nName1\r\nName2\r\n\r\n", as Suricata's http.header_names. */
static void header_names(struct xdpi_inspect *in, const char *hdrs, size_t len, char *out,
			 size_t cap)
{
	size_t off = 0, n = 0;

	while (off < len && n + 4 < cap) {
		const char *l = hdrs + off, *e = memchr(l, '\n', len - off);
		size_t ll = e ? (size_t)(e - l) : len - off;
		const char *colon = ll > 1 ? memchr(l + 1, ':', ll - 1) : NULL; /* ":path: /" */

		if (colon && (size_t)(colon - l) + n + 2 < cap - 2) {
			out[n++] = '\r', out[n++] = '\n';
			memcpy(out + n, l, (size_t)(colon - l));
			n += (size_t)(colon - l);
		}
		off += ll + 1;
	}
	if (n + 4 <= cap) {
		memcpy(out + n, "\r\n\r\n", 4);
		n += 4;
	}
	xdpi_inspect_set(in, XDPI_BUF_HTTP_HEADER_NAMES, out, n);
}

void xdpi_inspect_http_headers(struct xdpi_inspect *in, const char *hdrs, size_t len,
			       bool response, struct xdpi_http_scratch *sc)
{
	xdpi_inspect_set(in, XDPI_BUF_HTTP_HEADER, hdrs, len);
	xdpi_inspect_set(in, XDPI_BUF_HTTP_RAW_HEADER, hdrs, len);
	xdpi_inspect_set(in, response ? XDPI_BUF_HTTP_RESPONSE_HEADER : XDPI_BUF_HTTP_REQUEST_HEADER,
			 hdrs, len);
	header_names(in, hdrs, len, sc->names, sizeof(sc->names));
	set_header(in, XDPI_BUF_HTTP_CONTENT_TYPE, hdrs, len, "Content-Type");
	set_header(in, XDPI_BUF_HTTP_CONTENT_LEN, hdrs, len, "Content-Length");
	set_header(in, XDPI_BUF_HTTP_CONNECTION, hdrs, len, "Connection");
	set_header(in, XDPI_BUF_HTTP_COOKIE, hdrs, len, response ? "Set-Cookie" : "Cookie");
	if (response)
		return;
	set_header(in, XDPI_BUF_HTTP_UA, hdrs, len, "User-Agent");
	set_header(in, XDPI_BUF_HTTP_REFERER, hdrs, len, "Referer");
	set_header(in, XDPI_BUF_HTTP_ACCEPT, hdrs, len, "Accept");
	set_header(in, XDPI_BUF_HTTP_ACCEPT_ENC, hdrs, len, "Accept-Encoding");
	set_header(in, XDPI_BUF_HTTP_ACCEPT_LANG, hdrs, len, "Accept-Language");
	set_header(in, XDPI_BUF_HTTP_RAW_HOST, hdrs, len, "Host");
	xdpi_inspect_http_host(in, sc);
}

/* RFC 3986's remove_dot_segments over the decoded path P (N bytes), in place. */
static size_t remove_dots(char *p, size_t n)
{
	size_t o = 0, i = 0;

	while (i < n) {
		if (p[i] == '/' && i + 1 < n && p[i + 1] == '.' &&
		    (i + 2 == n || p[i + 2] == '/')) { /* "/." */
			i += 2;
			if (i == n)
				p[o++] = '/';
			continue;
		}
		if (p[i] == '/' && i + 2 < n && p[i + 1] == '.' && p[i + 2] == '.' &&
		    (i + 3 == n || p[i + 3] == '/')) { /* "/..": drop the last segment */
			i += 3;
			while (o && p[o - 1] != '/')
				o--;
			if (o)
				o--;
			if (i == n)
				p[o++] = '/';
			continue;
		}
		do
			p[o++] = p[i++];
		while (i < n && p[i] != '/');
	}
	return o;
}

void xdpi_inspect_http_uri(struct xdpi_inspect *in, const char *uri, size_t len,
			   struct xdpi_http_scratch *sc)
{
	const char *q = memchr(uri, '?', len);
	size_t plen = q ? (size_t)(q - uri) : len, n;

	xdpi_inspect_set(in, XDPI_BUF_HTTP_RAW_URI, uri, len);
	if (len > sizeof(sc->uri)) {
		xdpi_inspect_set(in, XDPI_BUF_HTTP_URI, uri, len);
		return;
	}
	n = xdpi_url_decode(uri, plen, sc->uri, sizeof(sc->uri), false);
	n = remove_dots(sc->uri, n);
	if (q)
		n += xdpi_url_decode(q, len - plen, sc->uri + n, sizeof(sc->uri) - n, false);
	xdpi_inspect_set(in, XDPI_BUF_HTTP_URI, sc->uri, n);
}

void xdpi_inspect_http_host(struct xdpi_inspect *in, struct xdpi_http_scratch *sc)
{
	const uint8_t *h = in->buf[XDPI_BUF_HTTP_RAW_HOST];
	size_t n = in->len[XDPI_BUF_HTTP_RAW_HOST];

	if (!h)
		return;
	if (n > sizeof(sc->host))
		n = sizeof(sc->host);
	for (size_t i = 0; i < n; i++)
		sc->host[i] = (char)tolower(h[i]);
	xdpi_inspect_set(in, XDPI_BUF_HTTP_HOST, sc->host, n);
}
