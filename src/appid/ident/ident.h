/* SPDX-License-Identifier: GPL-2.0 */
/* What an identifier file needs: the probe's input and answers, byte readers, and the
 * macro that makes its registry row's symbol (listed in appid/idents.def). */
#ifndef XDPI_APPID_IDENT_H
#define XDPI_APPID_IDENT_H

#define _GNU_SOURCE /* memmem */
#include <string.h>
#include <strings.h>
#include "xdpi/appid.h"
#include "xdpi/bytes.h"

#define NO XDPI_IDENT_NO
#define YES XDPI_IDENT_YES
#define MORE XDPI_IDENT_MORE
#define TCP XDPI_IDENT_TCP
#define UDP XDPI_IDENT_UDP

/* XDPI_IDENT(name, category, l4, flags, {ports}): one identifier, whose probe is the file's
 * static probe(). */
#define XDPI_IDENT(id, cat, l4_, flags_, ...) XDPI_IDENT_NAMED(id, #id, cat, l4_, flags_, __VA_ARGS__)
/* ... for a name a dissector has too (what it cannot read, the identifier still names) */
#define XDPI_IDENT_NAMED(id, name_, cat, l4_, flags_, ...)                                          \
	const struct xdpi_ident xdpi_ident_##id = { .name = name_, .category = cat, .l4 = l4_,   \
						    .flags = flags_, .ports = __VA_ARGS__,         \
						    .probe = probe }

static inline uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Does the payload hold S at OFF, case aside? (Never past the payload's end: a shorter
 * payload does not match.) */
static inline bool at_nocase(const struct xdpi_ident_in *in, size_t off, const char *s)
{
	size_t k = strlen(s);

	return in->len >= off + k && !strncasecmp((const char *)in->buf + off, s, k);
}

/* A server's "220" greeting line (SMTP, FTP) whose first 300 bytes name WORD. */
static inline bool greeting_220(const struct xdpi_ident_in *in, const char *word)
{
	const char *p = (const char *)in->buf;

	return in->dir == 1 && in->len >= 5 && !memcmp(p, "220", 3) && (p[3] == ' ' || p[3] == '-') &&
	       memmem(p, in->len < 300 ? in->len : 300, word, strlen(word));
}

/* A TCP direction that may still grow to N bytes: MORE; else NO. */
static inline enum xdpi_ident_answer need(const struct xdpi_ident_in *in, size_t n)
{
	return in->l4 == XDPI_IDENT_TCP && in->len < n ? MORE : NO;
}

/* ISO transport over TCP (RFC 1006): walks TPKTs past COTP connection requests and confirms
 * to the first data TPDU; YES with *AT at its payload's first byte (at least 2 there). */
static inline enum xdpi_ident_answer cotp_data(const struct xdpi_ident_in *in, size_t *at)
{
	const uint8_t *p = in->buf;
	size_t off = 0;

	while (off + 8 <= in->len) {
		size_t len = xdpi_rd16(p + off + 2);

		if (p[off] != 3 || p[off + 1] != 0 || len < 7)
			return NO;
		if (p[off + 5] == 0xf0) {
			*at = off + 7;
			return off + 9 <= in->len ? YES : need(in, off + 9);
		}
		if (p[off + 5] != 0xe0 && p[off + 5] != 0xd0)
			return NO;
		off += len;
	}
	return need(in, off + 8);
}

#endif /* XDPI_APPID_IDENT_H */
