// SPDX-License-Identifier: GPL-2.0
/* TLS (RFC 8446, 5246): records reassembled per direction, handshake messages across records;
 * ClientHello (SNI, ALPN, versions, ciphers, extensions, groups, signature algorithms),
 * ServerHello (version, cipher, ALPN), the server's certificate in TLS <= 1.2 (OpenSSL reads
 * it); JA3, JA3S and JA4 fingerprints. One EVE tls event per handshake, when encrypted data
 * starts or the flow ends. The fingerprint code is shared with QUIC (tls_hello.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "xdpi/appid.h"
#include "xdpi/bytes.h"
#include "xdpi/dissect.h"
#include "lib/tls_hello.h"

#define REC_MAX (16384 + 2048) /* a record's payload, with room for expansion */
#define HS_MAX 65536           /* a handshake message (a certificate chain fits) */

struct tls_dir {
	uint8_t *hs;          /* a handshake message's bytes so far, across records */
	uint32_t hs_len, hs_cap;
	uint32_t hdr_len;
	uint32_t rec_left;    /* payload bytes of the current record still to come */
	uint8_t hdr[5];
	uint8_t rec_type;
	bool started;         /* bytes of this direction came before */
	bool encrypted, dead;
};

struct tls_state {
	struct tls_dir dir[2];
	struct tls_raw_hello ch, sh; /* raw: parsed again when the event is written */
	uint16_t sh_version;
	bool have_ch, have_sh, logged;
	bool ch_in_record, sh_in_record; /* parsed; their record not finished yet */
	uint64_t ch_cnt, sh_cnt;         /* the frame that completed the hello's record */
	struct tls_cert *cert;       /* allocated when a certificate is read */
	bool have_cert;
	bool server_inspected;       /* the server stage ran (at most once a flow) */
};

/* Some clients write two bytes of their own before the ClientHello's record (an
 * application's framing); the record must then be a handshake holding a ClientHello. */
static bool prefixed_client_hello(const uint8_t *buf, size_t len, uint8_t dir)
{
	return dir == 0 && len >= 8 && buf[0] != 0x16 && !(buf[0] & 0x80) && buf[2] == 0x16 &&
	       buf[3] == 3 && buf[4] <= 4 && xdpi_rd16(buf + 5) && xdpi_rd16(buf + 5) <= REC_MAX &&
	       buf[7] == 1;
}

static enum xdpi_dissect_status tls_probe(const uint8_t *buf, size_t len, uint8_t l4, uint8_t dir)
{
	(void)l4;
	(void)dir;
	if (len >= 5 && (buf[0] & 0x80) && buf[2] == 1 && buf[3] == 3 && buf[4] <= 3)
		return XDPI_DISSECT_OK; /* an SSLv2-format ClientHello asking for SSLv3 .. TLS 1.2 */
	if (prefixed_client_hello(buf, len, dir))
		return XDPI_DISSECT_OK;
	if (len < 6)
		return len == 0 || buf[0] == 0x16 ? XDPI_DISSECT_NEED_MORE : XDPI_DISSECT_NOT_MINE;
	/* a handshake record, TLS 1.0..1.3 record version, a sane length, a hello inside */
	if (buf[0] != 0x16 || buf[1] != 3 || buf[2] > 4 || xdpi_rd16(buf + 3) == 0 || xdpi_rd16(buf + 3) > REC_MAX)
		return XDPI_DISSECT_NOT_MINE;
	return buf[5] == 1 || buf[5] == 2 ? XDPI_DISSECT_OK : XDPI_DISSECT_NOT_MINE;
}

/* ---- the event ---- */

static void put_u16_array(struct xdpi_json *j, const char *key, const uint16_t *v, size_t n)
{
	xdpi_json_arr_open(j, key);
	for (size_t i = 0; i < n; i++)
		xdpi_json_u64(j, NULL, v[i]);
	xdpi_json_arr_close(j);
}

static void put_client(struct xdpi_json *j, const struct tls_hello *h)
{
	tls_put_client_hello(j, h, 't');
	tls_put_alpns(j, "client_alpns", h);
	xdpi_json_obj_open(j, "client_handshake");
	xdpi_json_str(j, "version", tls_version_name(h->legacy_version));
	if (h->n_ciphers)
		put_u16_array(j, "ciphers", h->ciphers, h->n_ciphers);
	if (h->n_exts)
		put_u16_array(j, "exts", h->exts, h->n_exts);
	if (h->n_sig_algs)
		put_u16_array(j, "sig_algs", h->sig_algs, h->n_sig_algs);
	xdpi_json_obj_close(j);
}

static void put_server(struct xdpi_json *j, const struct tls_hello *h)
{
	tls_put_ja3s(j, h);
	tls_put_alpns(j, "server_alpns", h);
	xdpi_json_obj_open(j, "server_handshake");
	xdpi_json_str(j, "version", tls_version_name(tls_selected_version(h)));
	xdpi_json_u64(j, "cipher", h->n_ciphers ? h->ciphers[0] : 0);
	if (h->n_exts)
		put_u16_array(j, "exts", h->exts, h->n_exts);
	xdpi_json_obj_close(j);
}

static void put_cert(struct xdpi_json *j, const struct tls_cert *c)
{
	xdpi_json_str(j, "subject", c->subject);
	xdpi_json_str(j, "issuerdn", c->issuer);
	xdpi_json_str(j, "serial", c->serial);
	xdpi_json_str(j, "fingerprint", c->fingerprint);
	xdpi_json_str(j, "notbefore", c->not_before);
	xdpi_json_str(j, "notafter", c->not_after);
	if (c->n_san) {
		const char *at = c->san;

		xdpi_json_arr_open(j, "subjectaltname");
		for (uint16_t i = 0; i < c->n_san; i++) {
			const char *nl = strchr(at, '\n');
			size_t n = nl ? (size_t)(nl - at) : strlen(at);

			xdpi_json_strn(j, NULL, at, n);
			at += n + (nl != NULL);
		}
		xdpi_json_arr_close(j);
	}
}

/* ---- application name and risks ---- */

/* Suites whose encryption is none, export-grade, RC4, DES or 3DES (64-bit blocks), or
 * anonymous (no server authentication). */
static bool weak_cipher(uint16_t cs)
{
	static const uint16_t weak[] = {
		0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0008, 0x0009, 0x000a, 0x000b,
		0x000c, 0x000d, 0x000e, 0x000f, 0x0010, 0x0011, 0x0012, 0x0013, 0x0014, 0x0015,
		0x0016, 0x0017, 0x0018, 0x0019, 0x001a, 0x001b, 0x002c, 0x002d, 0x002e, 0x0034,
		0x003a, 0x003b, 0x006c, 0x006d, 0x008a, 0x008b, 0x008e, 0x008f, 0x0092, 0x0093,
		0x00b0, 0x00b1, 0x00b4, 0x00b5, 0x00b8, 0x00b9, 0xc001, 0xc002, 0xc003, 0xc006,
		0xc007, 0xc008, 0xc00b, 0xc00c, 0xc00d, 0xc010, 0xc011, 0xc012, 0xc015, 0xc016,
		0xc017, 0xc018, 0xc019, 0xc033, 0xc034, 0xc039, 0xc03a, 0xc03b,
	};

	for (size_t i = 0; i < sizeof(weak) / sizeof(weak[0]); i++)
		if (weak[i] == cs)
			return true;
	return false;
}

static bool numeric_host(const char *name)
{
	unsigned char a[16];

	return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

static bool http_alpn(const struct tls_hello *ch)
{
	for (size_t i = 0; i < ch->n_alpn; i++)
		if (!strcmp(ch->alpn[i], "h2") || !strncmp(ch->alpn[i], "http/", 5) ||
		    !strncmp(ch->alpn[i], "h3", 2) || !strncmp(ch->alpn[i], "spdy/", 5))
			return true;
	return false;
}

/* The certificate's validity against the packet's calendar time (a capture's, or now):
 * both are "YYYY-MM-DDTHH:MM:SS", so they compare as strings. */
static void cert_risks(struct xdpi_dissect_ctx *c, const struct tls_cert *cert)
{
	time_t now = (time_t)(c->wall_ns / 1000000000ull);
	char t[32];
	struct tm tm;

	if (cert->subject[0] && !strcmp(cert->subject, cert->issuer))
		xdpi_dissect_risk(c, XDPI_RISK_TLS_SELF_SIGNED, "issuerdn=subject=%.100s", cert->subject);
	if (now < 946684800 || !gmtime_r(&now, &tm)) /* no calendar time (a harness without one) */
		return;
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	if (cert->not_after[0] && strcmp(t, cert->not_after) > 0)
		xdpi_dissect_risk(c, XDPI_RISK_TLS_CERT_EXPIRED, "notafter=%s", cert->not_after);
	else if (cert->not_before[0] && strcmp(t, cert->not_before) < 0)
		xdpi_dissect_risk(c, XDPI_RISK_TLS_CERT_EXPIRED, "notbefore=%s", cert->not_before);
}

/* What the handshake says beyond the tls event: the name the client asked for (and the
 * certificate's), and the risks it shows. */
static void tls_name_and_risks(struct xdpi_dissect_ctx *c, const struct tls_hello *ch,
			       const struct tls_hello *sh, uint16_t version, const struct tls_cert *cert)
{
	if (ch && ch->has_sni && c->server_name)
		c->server_name(c, ch->sni, strlen(ch->sni), XDPI_APP_SNI);
	if (cert && cert->n_san && c->server_name)
		c->server_name(c, cert->san, strcspn(cert->san, "\n"), XDPI_APP_CERT);
	if (ch && !ch->has_sni)
		xdpi_dissect_risk(c, XDPI_RISK_TLS_MISSING_SNI, "sni=none");
	else if (ch && numeric_host(ch->sni))
		xdpi_dissect_risk(c, XDPI_RISK_NUMERIC_NAME, "sni=%s", ch->sni);
	if (ch && !http_alpn(ch))
		xdpi_dissect_risk(c, XDPI_RISK_TLS_NOT_HTTPS, "alpn=%s", ch->n_alpn ? ch->alpn[0] : "none");
	if (sh && version && version < 0x0303)
		xdpi_dissect_risk(c, XDPI_RISK_TLS_OBSOLETE, "version=%s", tls_version_name(version));
	if (sh && sh->n_ciphers && weak_cipher(sh->ciphers[0]))
		xdpi_dissect_risk(c, XDPI_RISK_TLS_WEAK_CIPHER, "cipher=0x%04x", sh->ciphers[0]);
	if (cert)
		cert_risks(c, cert);
}

static void tls_log(struct xdpi_dissect_ctx *c)
{
	struct tls_state *st = c->state;
	struct tls_hello ch_buf, sh_buf, *ch, *sh;
	struct xdpi_json *j;

	if (st->logged || (!st->have_ch && !st->have_sh))
		return;
	st->logged = true;
	ch = tls_raw_parse(&st->ch, false, &ch_buf);
	sh = tls_raw_parse(&st->sh, true, &sh_buf);
	tls_name_and_risks(c, ch, sh, st->sh_version, st->cert);
	j = c->event_begin(c, "tls");
	xdpi_json_obj_open(j, "tls");
	xdpi_json_str(j, "version", sh ? tls_version_name(st->sh_version) : "UNDETERMINED");
	if (ch)
		put_client(j, ch);
	if (sh)
		put_server(j, sh);
	if (st->cert)
		put_cert(j, st->cert);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "xdpi");
	if (sh) { /* EVE names only the versions it knows ("UNDETERMINED" else) */
		char v[8];

		snprintf(v, sizeof(v), "0x%04x", st->sh_version);
		xdpi_json_str(j, "server_version", v);
	}
	if (st->cert && st->cert->san_left_out) /* names past the buffer: said, not dropped */
		xdpi_json_u64(j, "subjectaltname_left_out", st->cert->san_left_out);
	tls_put_hello_frames(j, st->ch_cnt, st->sh_cnt);
	xdpi_json_obj_close(j);
	c->event_end(c);
}

/* ---- handshake messages ---- */

/* The server stage, once: with its certificate (CHAIN, the certificate_list after its length)
 * or, when none comes in the clear (TLS 1.3, a resumed session), once its side is encrypted. */
static void inspect_server(struct xdpi_dissect_ctx *c, const uint8_t *chain, size_t chain_len)
{
	struct tls_state *st = c->state;
	struct tls_server_side srv = {
		.cert = st->have_cert ? st->cert : NULL, .hello = st->have_sh ? &st->sh : NULL,
		.version = st->have_sh ? st->sh_version : 0, .chain = chain, .chain_len = chain_len,
	};

	if (st->server_inspected || !st->have_ch)
		return;
	st->server_inspected = true;
	tls_inspect(c, &st->ch, 't', &srv);
}

static void handshake(struct xdpi_dissect_ctx *c, uint8_t type, const uint8_t *p, size_t len)
{
	struct tls_state *st = c->state;

	if (type == 1 && c->dir == 0 && !st->have_ch) {
		st->have_ch = tls_raw_keep(&st->ch, p, len, false, NULL) == 0;
		st->ch_in_record = st->have_ch;
		if (st->have_ch)
			tls_inspect(c, &st->ch, 't', NULL);
	} else if (type == 2 && c->dir == 1 && !st->have_sh) {
		st->have_sh = tls_raw_keep(&st->sh, p, len, true, &st->sh_version) == 0;
		st->sh_in_record = st->have_sh;
		/* TLS 1.3: all that follows is encrypted; the hellos are all there is to see */
		if (st->have_sh && st->sh_version == 0x0304) {
			st->dir[1].encrypted = true;
			inspect_server(c, NULL, 0);
		}
	} else if (type == 11 && c->dir == 1 && !st->have_cert) {
		st->cert = malloc(sizeof(*st->cert));
		st->have_cert = st->cert && tls_parse_certificate(p, len, st->cert) == 0;
		if (!st->have_cert) {
			free(st->cert);
			st->cert = NULL;
		} else {
			inspect_server(c, p + 3, len - 3); /* after certificate_list's length */
		}
	}
}

/* An SSLv2-format ClientHello (RFC 5246 E.2: older clients open with it to reach any server)
 * is read as the TLS ClientHello it stands for: its version, the challenge as the random
 * (zeros first), its session id, the cipher specs that name TLS suites, no extensions.
 * Returns the bytes it took (0: not one). */
static size_t sslv2_client_hello(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len)
{
	struct tls_state *st = c->state;
	size_t mlen, cs, sid, chal, n = 0;
	const uint8_t *m = buf + 2;
	uint8_t *h;

	if (len < 11 || !(buf[0] & 0x80) || buf[2] != 1)
		return 0;
	mlen = (size_t)(buf[0] & 0x7f) << 8 | buf[1];
	cs = xdpi_rd16(m + 3), sid = xdpi_rd16(m + 5), chal = xdpi_rd16(m + 7);
	if (mlen + 2 > len || 9 + cs + sid + chal > mlen || cs % 3 || sid > 32 || chal < 16 ||
	    chal > 32 || !(h = malloc(2 + 32 + 1 + sid + 2 + cs + 2)))
		return 0;
	memcpy(h, m + 1, 2);
	memset(h + 2, 0, 32 - chal);
	memcpy(h + 2 + 32 - chal, m + 9 + cs + sid, chal);
	h[34] = (uint8_t)sid;
	memcpy(h + 35, m + 9 + cs, sid);
	for (size_t i = 0; i < cs; i += 3)
		if (m[9 + i] == 0) { /* a 3-byte spec of 0 and a TLS suite */
			memcpy(h + 37 + sid + n, m + 9 + i + 1, 2);
			n += 2;
		}
	h[35 + sid] = (uint8_t)(n >> 8), h[36 + sid] = (uint8_t)n;
	h[37 + sid + n] = 1, h[38 + sid + n] = 0; /* compression: null */
	st->have_ch = tls_raw_keep(&st->ch, h, 39 + sid + n, false, NULL) == 0;
	free(h);
	if (st->have_ch) {
		st->ch_cnt = c->pcap_cnt;
		tls_inspect(c, &st->ch, 't', NULL);
	}
	return mlen + 2;
}

/* Room for LEN more pending bytes: as much as the message under way says it needs (its
 * header read), so that a certificate chain grows the buffer once, not packet by packet. */
static bool hs_room(struct tls_dir *d, const uint8_t *p, size_t len)
{
	size_t need = d->hs_len + len, want = need;
	uint8_t *nb;

	if (need > HS_MAX) /* larger than any handshake message we read */
		return false;
	if (need <= d->hs_cap)
		return true;
	if (d->hs_len >= 4)
		want = 4 + (size_t)xdpi_rd24(d->hs + 1);
	else if (!d->hs_len && len >= 4)
		want = 4 + (size_t)xdpi_rd24(p + 1);
	if (want < need)
		want = need;
	if (want < 256)
		want = 256;
	if (want > HS_MAX)
		want = HS_MAX;
	if (!(nb = realloc(d->hs, want)))
		return false;
	d->hs = nb;
	d->hs_cap = (uint32_t)want;
	return true;
}

/* Handshake bytes of one record: messages may span records, or share one. Whole messages are
 * read where they lie; only a message cut by a record's or a packet's end is kept, in a
 * buffer of its size (a ClientHello, mostly, or a certificate chain), freed once it is read. */
static void handshake_bytes(struct xdpi_dissect_ctx *c, struct tls_dir *d, const uint8_t *p, size_t len)
{
	while (!d->hs_len && len >= 4 && len >= 4 + (size_t)xdpi_rd24(p + 1)) {
		uint32_t mlen = xdpi_rd24(p + 1);

		handshake(c, p[0], p + 4, mlen);
		p += 4 + mlen;
		len -= 4 + mlen;
	}
	if (!len)
		return;
	if (!hs_room(d, p, len)) {
		d->dead = true;
		return;
	}
	memcpy(d->hs + d->hs_len, p, len);
	d->hs_len += (uint32_t)len;
	while (d->hs_len >= 4 && d->hs_len >= 4 + xdpi_rd24(d->hs + 1)) {
		uint32_t mlen = xdpi_rd24(d->hs + 1);

		handshake(c, d->hs[0], d->hs + 4, mlen);
		memmove(d->hs, d->hs + 4 + mlen, d->hs_len - 4 - mlen);
		d->hs_len -= 4 + mlen;
	}
	if (!d->hs_len) { /* nothing pending: the next message most likely comes whole */
		free(d->hs);
		d->hs = NULL;
		d->hs_cap = 0;
	}
}

/* Payload bytes of the current record. */
static void record_bytes(struct xdpi_dissect_ctx *c, struct tls_dir *d, const uint8_t *p, size_t len)
{
	switch (d->rec_type) {
	case 22: /* handshake */
		if (!d->encrypted)
			handshake_bytes(c, d, p, len);
		break;
	case 20: /* change cipher spec: what follows is encrypted */
		d->encrypted = true;
		if (c->dir == 1)
			inspect_server(c, NULL, 0);
		break;
	case 23: /* application data: the handshake is over (a client's 0-RTT data comes
		  * before the ServerHello: wait for that) */
		d->encrypted = true;
		if (((struct tls_state *)c->state)->have_sh) {
			if (c->dir == 1)
				inspect_server(c, NULL, 0);
			tls_log(c);
		}
		break;
	}
}

/* A hello is credited to the frame that completed its record (as tshark does). */
static void record_end(struct xdpi_dissect_ctx *c)
{
	struct tls_state *st = c->state;

	if (st->ch_in_record && c->dir == 0) {
		st->ch_cnt = c->pcap_cnt;
		st->ch_in_record = false;
	}
	if (st->sh_in_record && c->dir == 1) {
		st->sh_cnt = c->pcap_cnt;
		st->sh_in_record = false;
	}
}

/* The hellos and the certificate kept for the event and the server stage's inspection (3-4 KB
 * a connection), freed as soon as both are done: a host keeps a bypassed connection's flow
 * for as long as it lasts, not its handshake. */
static void tls_release(struct tls_state *st)
{
	tls_raw_free(&st->ch);
	tls_raw_free(&st->sh);
	free(st->cert);
	st->cert = NULL;
}

static enum xdpi_dissect_status tls_parse(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len)
{
	struct tls_state *st = c->state;
	struct tls_dir *d = &st->dir[c->dir & 1];

	if (c->steer) /* the handshake, whole; once done, nothing (the engine says so) */
		c->steer(c, XDPI_MSG_COPY, 0);
	if (c->gap) { /* lost our place in the records: this direction is done */
		d->dead = true;
		tls_log(c);
	}
	if (!d->started && c->dir == 0 && len && (buf[0] & 0x80)) {
		size_t took = sslv2_client_hello(c, buf, len);

		buf += took, len -= took;
	}
	if (!d->started && prefixed_client_hello(buf, len, c->dir))
		buf += 2, len -= 2; /* the client's own two bytes before its hello */
	d->started = true;
	while (len && !d->dead) {
		size_t take;

		if (d->rec_left == 0) {
			take = 5 - d->hdr_len < len ? 5 - d->hdr_len : len;
			memcpy(d->hdr + d->hdr_len, buf, take);
			d->hdr_len += (uint32_t)take;
			buf += take, len -= take;
			if (d->hdr_len < 5)
				break;
			d->hdr_len = 0;
			d->rec_type = d->hdr[0];
			d->rec_left = xdpi_rd16(d->hdr + 3);
			if (d->rec_type < 20 || d->rec_type > 24 || d->hdr[1] != 3 || d->rec_left > REC_MAX) {
				d->dead = true;
				return XDPI_DISSECT_MALFORMED;
			}
			continue;
		}
		take = d->rec_left < len ? d->rec_left : len;
		record_bytes(c, d, buf, take);
		d->rec_left -= (uint32_t)take;
		buf += take, len -= take;
		if (!d->rec_left)
			record_end(c);
	}
	/* both hellos (their records finished) and, before 1.3, the certificate: nothing more
	 * to learn */
	if (st->have_ch && st->have_sh && !st->sh_in_record && !st->ch_in_record &&
	    (st->have_cert || st->dir[1].encrypted))
		tls_log(c);
	c->done = st->logged; /* the rest is encrypted: nothing more to see */
	if (st->logged && st->server_inspected)
		tls_release(st); /* said and inspected: nothing reads them again */
	return XDPI_DISSECT_OK;
}

static void tls_flow_end(struct xdpi_dissect_ctx *c)
{
	struct tls_state *st = c->state;

	tls_log(c);
	free(st->dir[0].hs);
	free(st->dir[1].hs);
	st->dir[0].hs = st->dir[1].hs = NULL;
	tls_release(st);
}

const struct xdpi_dissector xdpi_dissector_tls = {
	.name = "tls",
	.l4 = XDPI_L4_TCP,
	.ports = { 443, 8443, 993, 995 },
	.state_size = sizeof(struct tls_state),
	.probe = tls_probe,
	.parse = tls_parse,
	.flow_end = tls_flow_end,
};
