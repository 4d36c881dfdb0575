// SPDX-License-Identifier: GPL-2.0
/* Transforms (Suricata's): a buffer rewritten before a rule's inspections of it run. Each
 * writes into a caller's scratch buffer of XDPI_XFORM_OUT bytes and says how many it wrote;
 * what does not fit is cut, and a transform that cannot apply leaves an empty buffer. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "xdpi/digest.h"
#include "xdpi/rules.h"
#include "xdpi/url.h"
#include "detect_int.h"

static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

size_t xdpi_base64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int mode)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		int v = b64_value(in[i]);

		if (in[i] == '=')
			break;
		if (v < 0) {
			if (mode == XDPI_B64_RFC2045)
				continue;
			if (mode == XDPI_B64_STRICT)
				return 0;
			break;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

/* Base64 from offset a, b bytes of it (0: all). */
static size_t from_base64(const struct xdpi_xform *x, const uint8_t *in, size_t n, uint8_t *out,
			  size_t cap)
{
	size_t end;

	if ((uint64_t)x->a >= n)
		return 0;
	end = x->b && (uint64_t)(x->a + x->b) < n ? (size_t)(x->a + x->b) : n;
	return xdpi_base64_decode(in + x->a, end - (size_t)x->a, out, cap, x->mode);
}

/* Bytes from offset a (from the end when negative), b of them (when negative: up to b before
 * the end); out of range gives nothing, or with truncate what of it is inside. */
static size_t subslice(const struct xdpi_xform *x, const uint8_t *in, size_t n, uint8_t *out,
		       size_t cap)
{
	int64_t len = (int64_t)n, s = x->a < 0 ? len + x->a : x->a, e;

	e = !x->has_b ? len : x->b < 0 ? len + x->b : s + x->b;
	if (x->truncate) {
		s = s < 0 ? 0 : s > len ? len : s;
		e = e < 0 ? 0 : e > len ? len : e;
	} else if (s < 0 || s > len || e < 0 || e > len) {
		return 0;
	}
	if (e <= s)
		return 0;
	n = (size_t)(e - s) < cap ? (size_t)(e - s) : cap;
	memcpy(out, in + s, n);
	return n;
}

/* The first capture group of the expression (the whole match when it has none). */
static size_t pcrexform(const struct xdpi_xform *x, const uint8_t *in, size_t n, uint8_t *out,
			size_t cap)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(x->re, NULL);
	PCRE2_SIZE *ov;
	size_t o = 0;
	int rc;

	if (!md)
		return 0;
	rc = pcre2_match(x->re, in, n, 0, 0, md, NULL);
	if (rc > 0) {
		int g = rc > 1 ? 1 : 0;

		ov = pcre2_get_ovector_pointer(md);
		if (ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g]) {
			o = ov[2 * g + 1] - ov[2 * g];
			o = o < cap ? o : cap;
			memcpy(out, in + ov[2 * g], o);
		}
	}
	pcre2_match_data_free(md);
	return o;
}

static size_t whitespace(const uint8_t *in, size_t n, uint8_t *out, size_t cap, bool compress)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		if (!isspace(in[i]))
			out[o++] = in[i];
		else if (compress && (!i || !isspace(in[i - 1])))
			out[o++] = ' ';
	}
	return o;
}

static size_t digest(enum xdpi_md which, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	uint8_t md[XDPI_MD_MAX];
	unsigned int len = xdpi_digest(which, in, n, md);

	if (!len || len > cap)
		return 0;
	memcpy(out, md, len);
	return len;
}

/* gzip (header auto-detected) or zlib-wrapped deflate, at most max bytes out. */
static size_t inflate_to(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int64_t max,
			 int window)
{
	z_stream z = { 0 };
	size_t o;

	if (max > 0 && (uint64_t)max < cap)
		cap = (size_t)max;
	if (inflateInit2(&z, window) != Z_OK)
		return 0;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	inflate(&z, Z_FINISH);
	o = cap - z.avail_out;
	inflateEnd(&z);
	return o;
}

/* Header names lower-cased, values as they are ("Name: value\r\n" lines). */
static size_t header_lower(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	bool name = true;
	size_t o = 0;

	for (size_t i = 0; i < n && o < cap; i++) {
		out[o++] = name ? (uint8_t)tolower(in[i]) : in[i];
		if (in[i] == ':')
			name = false;
		else if (in[i] == '\n')
			name = true;
	}
	return o;
}

/* HTTP/2 pseudo-header lines (":path: /") left out. */
static size_t strip_pseudo(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0, i = 0;

	while (i < n) {
		const uint8_t *nl = memchr(in + i, '\n', n - i);
		size_t l = nl ? (size_t)(nl - in - i) + 1 : n - i;

		if (in[i] != ':') {
			size_t k = l < cap - o ? l : cap - o;

			memcpy(out + o, in + i, k);
			o += k;
		}
		i += l;
	}
	return o;
}

/* XOR with a quoted key, or with KEY_LEN bytes of the buffer at b over the buffer from a on
 * (nothing when they are not all there). */
static size_t xor(const struct xdpi_xform *x, const uint8_t *in, size_t n, uint8_t *out,
		  size_t cap)
{
	const uint8_t *key = x->key;
	uint8_t from_data[256];
	size_t o, off = 0;

	if (!key) {
		if ((uint64_t)x->b + x->key_len > n || (uint64_t)x->a > n)
			return 0;
		memcpy(from_data, in + x->b, x->key_len); /* the key may lie in what is rewritten */
		key = from_data;
		off = (size_t)x->a;
	}
	for (o = 0; off + o < n && o < cap; o++)
		out[o] = in[off + o] ^ key[o % x->key_len];
	return o;
}

static size_t apply(const struct xdpi_xform *x, const uint8_t *in, size_t n, uint8_t *out,
		    size_t cap)
{
	size_t o = 0;

	switch (x->type) {
	case XDPI_XF_FROM_BASE64: return from_base64(x, in, n, out, cap);
	case XDPI_XF_URL_DECODE:
		return xdpi_url_decode((const char *)in, n, (char *)out, cap, true);
	case XDPI_XF_SUBSLICE: return subslice(x, in, n, out, cap);
	case XDPI_XF_PCREXFORM: return pcrexform(x, in, n, out, cap);
	case XDPI_XF_STRIP_WS: return whitespace(in, n, out, cap, false);
	case XDPI_XF_COMPRESS_WS: return whitespace(in, n, out, cap, true);
	case XDPI_XF_MD5: return digest(XDPI_MD_MD5, in, n, out, cap);
	case XDPI_XF_SHA1: return digest(XDPI_MD_SHA1, in, n, out, cap);
	case XDPI_XF_SHA256: return digest(XDPI_MD_SHA256, in, n, out, cap);
	case XDPI_XF_GUNZIP: return inflate_to(in, n, out, cap, x->a, 15 + 16);
	case XDPI_XF_ZLIB_DEFLATE: return inflate_to(in, n, out, cap, x->a, 15);
	case XDPI_XF_HEADER_LOWER: return header_lower(in, n, out, cap);
	case XDPI_XF_STRIP_PSEUDO: return strip_pseudo(in, n, out, cap);
	case XDPI_XF_XOR:
		return xor(x, in, n, out, cap);
	case XDPI_XF_DOTPREFIX:
		if (cap) {
			out[o++] = '.';
			n = n < cap - 1 ? n : cap - 1;
			memcpy(out + 1, in, n);
			o += n;
		}
		return o;
	default:
		break;
	}
	for (o = 0; o < n && o < cap; o++) {
		if (x->type == XDPI_XF_TO_LOWER)
			out[o] = (uint8_t)tolower(in[o]);
		else
			out[o] = (uint8_t)toupper(in[o]);
	}
	return o;
}

/* The view's transforms over IN, in two scratch buffers of XDPI_XFORM_OUT bytes each; returns
 * the result (one of them) and its length. */
const uint8_t *xdpi_xform_view(const struct xdpi_buf_view *v, const uint8_t *in, size_t n,
			       uint8_t *scratch[2], size_t *out_len)
{
	const uint8_t *cur = in;

	for (uint8_t i = 0; i < v->n; i++) {
		uint8_t *dst = scratch[i & 1];

		n = apply(&v->x[i], cur, n, dst, XDPI_XFORM_OUT);
		cur = dst;
	}
	*out_len = n;
	return cur;
}

void xdpi_xform_free(struct xdpi_xform *x)
{
	free(x->key);
	if (x->re)
		pcre2_code_free(x->re);
	x->key = NULL;
	x->re = NULL;
}
