/* SPDX-License-Identifier: GPL-2.0 */
/* TLS hellos and their fingerprints (JA3, JA3S, JA4), certificates: shared by the TLS and
 * QUIC dissectors. */
#ifndef XDPI_TLS_HELLO_H
#define XDPI_TLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/dissect.h"
#include "xdpi/json.h"

#define TLS_LIST_MAX 128
#define TLS_CIPHERS_MAX 1024 /* hellos with hundreds of suites exist (scanners, fuzzers) */
#define TLS_ALPN_MAX 32

struct tls_hello {
	uint16_t legacy_version;
	uint16_t ciphers[TLS_CIPHERS_MAX]; /* a ServerHello has one */
	size_t n_ciphers;
	uint16_t exts[TLS_LIST_MAX];     /* in order, GREASE included */
	size_t n_exts;
	uint16_t groups[TLS_LIST_MAX];
	size_t n_groups;
	uint8_t point_formats[16];
	size_t n_point_formats;
	uint16_t sig_algs[TLS_LIST_MAX];
	size_t n_sig_algs;
	uint16_t versions[16];           /* supported_versions (a server selects one) */
	size_t n_versions;
	bool has_sni;
	char sni[256];
	char alpn[TLS_ALPN_MAX][64];
	size_t n_alpn;
	uint8_t alpn_raw[TLS_ALPN_MAX][64]; /* the first ALPN's bytes, for JA4 */
	uint8_t alpn_len[TLS_ALPN_MAX];
};

struct tls_cert {
	char subject[512];
	char issuer[512];
	char serial[128];
	char fingerprint[64];
	char not_before[32];
	char not_after[32];
	uint16_t chain_len; /* certificates in the message (the server's first) */
	/* the DNS names of subjectAltName, one per line; those that do not fit are left out
	 * and counted */
	char san[2048];
	uint16_t n_san, san_left_out;
};

/* A hello kept as its raw body (a few hundred bytes), parsed again when it is reported:
 * flows keep this, not the parsed struct (which is large). */
struct tls_raw_hello {
	uint8_t *bytes;
	uint32_t len;
};

/* Keeps p[0..len) if it parses as a hello; 0 or -1. *version: the server's selection. */
int tls_raw_keep(struct tls_raw_hello *r, const uint8_t *p, size_t len, bool server,
		 uint16_t *version);
/* Parses a kept hello into *OUT (the caller's: a parse per event, no heap); OUT, or NULL if
 * none or on failure. */
struct tls_hello *tls_raw_parse(const struct tls_raw_hello *r, bool server, struct tls_hello *out);
void tls_raw_free(struct tls_raw_hello *r);

/* Parses a ClientHello or ServerHello body (after the 4-byte handshake header). 0 or -1. */
int tls_parse_hello(const uint8_t *p, size_t len, bool server, struct tls_hello *h);
/* Parses a Certificate message body; reads the first (the peer's own) certificate. */
int tls_parse_certificate(const uint8_t *p, size_t len, struct tls_cert *c);
/* The version the server chose: supported_versions, else the legacy field. */
uint16_t tls_selected_version(const struct tls_hello *h);
const char *tls_version_name(uint16_t v);
/* JA3 (client) or JA3S (server): the MD5 hex into hash, the string into str. */
void tls_ja3(const struct tls_hello *h, bool server, char *hash, size_t hlen, char *str, size_t slen);
/* JA4 of a ClientHello; transport 't' (TCP) or 'q' (QUIC). */
void tls_ja4(const struct tls_hello *h, char transport, char *out, size_t len);
/* Writes the EVE fields a ClientHello gives (sni, ja3{hash,string}, ja4), as TLS and QUIC
 * events share them. */
void tls_put_client_hello(struct xdpi_json *j, const struct tls_hello *h, char transport);
/* What the server sent, for the server stage: its certificate (parsed; NULL when none was
 * seen in the clear: TLS 1.3, a resumed session), its hello (NULL if not seen) and the version
 * it chose, the certificate_list as sent (each certificate after its 3-byte length). */
struct tls_server_side {
	const struct tls_cert *cert;
	const struct tls_raw_hello *hello;
	uint16_t version;
	const uint8_t *chain;
	size_t chain_len;
};

/* Hands a ClientHello (RAW) to detection: SNI, JA3, JA4, its version, random and bytes; with
 * SRV, what the server sent too (the server stage). */
void tls_inspect(struct xdpi_dissect_ctx *c, const struct tls_raw_hello *raw, char transport,
		 const struct tls_server_side *srv);
/* Writes ja3s{hash,string} of a ServerHello. */
void tls_put_ja3s(struct xdpi_json *j, const struct tls_hello *h);
/* Writes the ALPN list under key (nothing if there is none). */
void tls_put_alpns(struct xdpi_json *j, const char *key, const struct tls_hello *h);
/* The frames that completed each hello (read mode), for matching against other tools. */
void tls_put_hello_frames(struct xdpi_json *j, uint64_t ch_cnt, uint64_t sh_cnt);

#endif /* XDPI_TLS_HELLO_H */
