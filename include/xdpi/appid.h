/* SPDX-License-Identifier: GPL-2.0 */
/* Application identification beside the dissectors: light identifiers that name a flow's
 * protocol from the first payload bytes of each direction (one file each in appid/ident/, one
 * row in appid/registry.c), application names from the names a flow shows (SNI, Host,
 * certificate, DNS answers) through a data file of domain suffixes, and per-flow risks with
 * the evidence that raised them. */
#ifndef XDPI_APPID_H
#define XDPI_APPID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xdpi_ident_answer {
	XDPI_IDENT_NO = 0, /* not this protocol (or not sure: precision first) */
	XDPI_IDENT_YES,    /* the bytes are this protocol's */
	XDPI_IDENT_MORE,   /* could be, once more bytes of this direction arrive (TCP) */
};

/* What an identifier is shown: the first bytes of one direction (a TCP direction's bytes so
 * far, or one UDP datagram). */
struct xdpi_ident_in {
	const uint8_t *buf;
	size_t len;
	uint8_t l4;      /* XDPI_L4_TCP or XDPI_L4_UDP (xdpi/dissect.h) */
	uint8_t dir;     /* 0: from the client */
	uint16_t sport;  /* this packet's ports, host order */
	uint16_t dport;
};

#define XDPI_IDENT_TCP 0x1 /* = XDPI_L4_TCP */
#define XDPI_IDENT_UDP 0x2 /* = XDPI_L4_UDP */

#define XDPI_IDENT_CLEAR 0x1   /* carries logins or content unencrypted (unsafe_protocol risk) */
#define XDPI_IDENT_PRELUDE 0x2 /* opens the way for another protocol on the same flow (STUN
				* before DTLS): the flow is watched a while for it */

struct xdpi_ident {
	const char *name;     /* app_proto */
	const char *category; /* nDPI-like category: Web, Network, VPN, Chat, Game, ... */
	uint8_t l4;
	uint8_t flags;        /* XDPI_IDENT_CLEAR ... */
	uint16_t ports[4];    /* its registered ports: the port guess, and the non-standard-port
			       * risk when content finds it elsewhere; never a verdict alone */
	enum xdpi_ident_answer (*probe)(const struct xdpi_ident_in *in);
};

/* The registry (appid/registry.c). */
size_t xdpi_idents_count(void);
const struct xdpi_ident *xdpi_ident_at(size_t i);
const struct xdpi_ident *xdpi_ident_find(const char *name);
/* ID's row in the registry (xdpi_idents_count() for none). */
size_t xdpi_ident_index(const struct xdpi_ident *id);
#define XDPI_IDENTS_MAX 192 /* rows the engines keep counters for */
/* Asks every identifier of in->l4 (in registry order: the more specific first). Returns the
 * one that said YES, or NULL with *more set when one may still say YES on more bytes. */
const struct xdpi_ident *xdpi_ident_run(const struct xdpi_ident_in *in, bool *more);
/* The identifier whose registered port one of the flow's ports is (the lower-numbered port,
 * usually the server's, first). NULL: none. */
const struct xdpi_ident *xdpi_ident_by_port(uint8_t l4, uint16_t a, uint16_t b);
/* Is one of A, B among PORTS (0-ended)? */
bool xdpi_ident_port_in(const uint16_t ports[4], uint16_t a, uint16_t b);

/* Helpers for probes. */
static inline bool xdpi_ident_on_port(const struct xdpi_ident_in *in, uint16_t port)
{
	return in->sport == port || in->dport == port;
}

/* Are all LEN bytes printable ASCII (or tab/CR/LF)? */
bool xdpi_ident_printable(const uint8_t *p, size_t len);
/* Does BUF start with the string S (not NUL-ended in BUF)? */
bool xdpi_ident_starts(const struct xdpi_ident_in *in, const char *s);

/* ---- application names ---- */

struct xdpi_app {
	const char *name;     /* "Google" */
	const char *category; /* "Web" */
};

/* Where a flow's application name came from. */
enum xdpi_app_source {
	XDPI_APP_NONE = 0,
	XDPI_APP_SNI,      /* TLS or QUIC server name */
	XDPI_APP_HOST,     /* HTTP Host / :authority */
	XDPI_APP_CERT,     /* the server certificate's names */
	XDPI_APP_DNS,      /* a DNS answer seen earlier gave the server's address this name */
};

const char *xdpi_app_source_name(enum xdpi_app_source s);

/* Loads a file of "suffix  Application  Category" lines on top of the table (later lines and
 * files override earlier ones). Returns 0, or -1 with ERR naming file:line:col. */
int xdpi_apps_load(const char *path, char *err, size_t errlen);
/* Parses TEXT (NAME for errors) the same way. */
int xdpi_apps_parse(const char *name, const char *text, size_t len, char *err, size_t errlen);
/* The compiled-in default table (data/apps.conf), loaded once. */
int xdpi_apps_load_default(char *err, size_t errlen);
/* The application of HOST (a DNS name, any case; a trailing dot and :port are ignored): the
 * longest suffix on a label boundary that the table names. NULL: none. */
const struct xdpi_app *xdpi_apps_lookup(const char *host, size_t len);
const struct xdpi_app *xdpi_apps_at(size_t i);
size_t xdpi_apps_index(const struct xdpi_app *a);
size_t xdpi_apps_count(void);
void xdpi_apps_clear(void);

/* Server addresses to applications, from DNS answers (appid/dns_names.c): a bounded table,
 * one per engine. */
struct xdpi_dns_names;
struct xdpi_dns_names *xdpi_dns_names_new(size_t slots_pow2);
void xdpi_dns_names_free(struct xdpi_dns_names *n);
void xdpi_dns_names_put(struct xdpi_dns_names *n, const uint8_t *addr, size_t alen, size_t app);
const struct xdpi_app *xdpi_dns_names_get(struct xdpi_dns_names *n, const uint8_t *addr, size_t alen);

/* ---- flow risks ---- */

enum xdpi_risk {
	XDPI_RISK_UNIDIRECTIONAL = 0, /* payload went one way only */
	XDPI_RISK_UNSAFE_PROTOCOL,    /* a protocol that carries logins in clear */
	XDPI_RISK_NON_STANDARD_PORT,  /* a known protocol on none of its ports */
	XDPI_RISK_TLS_NOT_HTTPS,      /* TLS on 443 whose client offered no HTTP ALPN */
	XDPI_RISK_TLS_OBSOLETE,       /* SSLv3, TLS 1.0 or 1.1 negotiated */
	XDPI_RISK_TLS_WEAK_CIPHER,    /* NULL, EXPORT, RC4, DES or anonymous suite chosen */
	XDPI_RISK_TLS_MISSING_SNI,    /* a TLS client hello without a server name */
	XDPI_RISK_NUMERIC_NAME,       /* an SNI or Host that is an IP address */
	XDPI_RISK_TLS_CERT_EXPIRED,   /* the server certificate is outside its validity */
	XDPI_RISK_TLS_SELF_SIGNED,    /* issuer equals subject */
	XDPI_RISK_HTTP_BINARY,        /* an executable transferred over plain HTTP */
	XDPI_RISK_HTTP_SUSPICIOUS_UA, /* an empty, very short or tool-like User-Agent */
	XDPI_RISK_DNS_SUSPICIOUS,     /* a query name of high entropy (tunnel, DGA) */
	XDPI_RISK_MAX,
};

const char *xdpi_risk_name(enum xdpi_risk r);

#endif /* XDPI_APPID_H */
