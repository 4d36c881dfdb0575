// SPDX-License-Identifier: GPL-2.0
/* QUIC Initial packets (RFC 9000, 9001; v2 RFC 9369; drafts 29-32): long headers, coalesced
 * packets in one datagram, Initial keys from the client's original Destination Connection ID
 * (or a Retry's), header protection removed, payload decrypted, CRYPTO frames reassembled by
 * offset across packets, then the ClientHello and ServerHello read by the TLS code: SNI, ALPN,
 * JA3, JA4 (with 'q'), the server's cipher and version. One EVE quic event per connection,
 * once both hellos are read, or when the flow ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/bytes.h"
#include "xdpi/appid.h"
#include "xdpi/dissect.h"
#include "xdpi/grow.h"
#include "lib/quic_keys.h"
#include "lib/tls_hello.h"

#define CRYPTO_MAX 16384 /* the Initial space carries the hellos only */
#define RANGES_MAX 32
#define DGRAM_MAX 65536

struct crypto_stream {
	uint8_t *buf;
	uint32_t cap;
	uint32_t range[RANGES_MAX][2]; /* received [start, end), merged, sorted */
	int nranges;
	uint32_t next;                 /* where the next handshake message starts */
};

struct quic_state {
	uint32_t version;
	uint8_t odcid[20];
	uint8_t odcid_len;
	bool have_odcid;
	struct crypto_stream cs[2];
	struct tls_raw_hello ch, sh; /* raw: parsed again when the event is written */
	uint16_t sh_version;
	bool have_ch, have_sh, logged;
	bool client_past_initial; /* a Handshake or 1-RTT packet from the client: it has the
				   * server's hello, no hello of either side comes again */
	uint64_t ch_cnt, sh_cnt;
	uint32_t repeats; /* hellos sent again (after a Retry, or retransmitted): each reported */
};

/* A QUIC variable-length integer at *off; false if it does not fit. */
static bool varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	size_t n;

	if (*off >= len)
		return false;
	n = (size_t)1 << (p[*off] >> 6);
	if (*off + n > len)
		return false;
	*v = p[*off] & 0x3f;
	for (size_t i = 1; i < n; i++)
		*v = *v << 8 | p[*off + i];
	*off += n;
	return true;
}

/* A long header's packet type, in v1's numbering (v2 renumbered them one up). */
enum long_type { LT_INITIAL, LT_0RTT, LT_HANDSHAKE, LT_RETRY };

static enum long_type long_type(uint8_t first, uint32_t version)
{
	unsigned type = (first >> 4) & 3;

	return (enum long_type)(version == 0x6b3343cf ? (type + 3) & 3 : type);
}

static enum xdpi_dissect_status quic_probe(const uint8_t *buf, size_t len, uint8_t l4, uint8_t dir)
{
	(void)l4;
	(void)dir;
	/* a long header (form and fixed bits), a version we can read, an Initial, sane ids */
	if (len < 7 || (buf[0] & 0xc0) != 0xc0 || !quic_version_known(xdpi_rd32(buf + 1)) ||
	    long_type(buf[0], xdpi_rd32(buf + 1)) != LT_INITIAL || buf[5] > 20)
		return XDPI_DISSECT_NOT_MINE;
	return XDPI_DISSECT_OK;
}

/* ---- CRYPTO stream ---- */

/* Bytes held from offset 0 on, without a hole. */
static uint32_t contiguous(const struct crypto_stream *cs)
{
	return cs->nranges && cs->range[0][0] == 0 ? cs->range[0][1] : 0;
}

static void add_range(struct crypto_stream *cs, uint32_t start, uint32_t end)
{
	int i = 0;

	while (i < cs->nranges && cs->range[i][1] < start)
		i++;
	if (i < cs->nranges && cs->range[i][0] <= end) { /* overlaps or touches: merge */
		if (start < cs->range[i][0])
			cs->range[i][0] = start;
		if (end > cs->range[i][1])
			cs->range[i][1] = end;
		while (i + 1 < cs->nranges && cs->range[i + 1][0] <= cs->range[i][1]) {
			if (cs->range[i + 1][1] > cs->range[i][1])
				cs->range[i][1] = cs->range[i + 1][1];
			memmove(cs->range[i + 1], cs->range[i + 2],
				sizeof(cs->range[0]) * (size_t)(cs->nranges - i - 2));
			cs->nranges--;
		}
		return;
	}
	if (cs->nranges == RANGES_MAX)
		return; /* too fragmented to track: these bytes wait for a retransmission */
	memmove(cs->range[i + 1], cs->range[i], sizeof(cs->range[0]) * (size_t)(cs->nranges - i));
	cs->range[i][0] = start;
	cs->range[i][1] = end;
	cs->nranges++;
}

static void quic_log(struct xdpi_dissect_ctx *c);

/* Another hello of the same kind (after a HelloRetryRequest or a Retry): what was seen so far
 * is one observation, reported; the hellos are read anew. */
static void new_observation(struct xdpi_dissect_ctx *c)
{
	struct quic_state *st = c->state;

	quic_log(c);
	tls_raw_free(&st->ch);
	tls_raw_free(&st->sh);
	st->have_ch = st->have_sh = st->logged = false;
	st->ch_cnt = st->sh_cnt = 0;
	st->repeats++;
}

/* Every whole handshake message of the stream, in order: the hellos are read. */
static void messages_ready(struct xdpi_dissect_ctx *c, struct crypto_stream *cs, uint8_t dir)
{
	struct quic_state *st = c->state;
	uint32_t have = contiguous(cs), mlen;
	uint8_t *m;

	while (have >= cs->next + 4) {
		m = cs->buf + cs->next;
		mlen = (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
		if (have < cs->next + 4 + mlen)
			return;
		cs->next += 4 + mlen;
		if (m[0] == 1 && dir == 0) {
			if (st->have_ch)
				new_observation(c);
			st->have_ch = tls_raw_keep(&st->ch, m + 4, mlen, false, NULL) == 0;
			st->ch_cnt = c->pcap_cnt;
		} else if (m[0] == 2 && dir == 1) {
			if (st->have_sh)
				new_observation(c);
			st->have_sh = tls_raw_keep(&st->sh, m + 4, mlen, true, &st->sh_version) == 0;
			st->sh_cnt = c->pcap_cnt;
		}
	}
}

/* The client starts its CRYPTO stream again (its first Initial after a Retry): both streams
 * begin anew. */
static void restart(struct xdpi_dissect_ctx *c)
{
	struct quic_state *st = c->state;

	for (int d = 0; d < 2; d++)
		st->cs[d].nranges = st->cs[d].next = 0;
	if (st->have_ch || st->have_sh)
		new_observation(c);
}

static void crypto_frame(struct xdpi_dissect_ctx *c, uint64_t off, const uint8_t *p, uint64_t n)
{
	struct quic_state *st = c->state;
	uint8_t dir = c->dir & 1;
	struct crypto_stream *cs = &st->cs[dir];

	if (!n || !xdpi_grow(&cs->buf, &cs->cap, off + n, CRYPTO_MAX))
		return;
	if (dir == 0 && off == 0 && cs->next)
		restart(c);
	memcpy(cs->buf + off, p, n);
	add_range(cs, (uint32_t)off, (uint32_t)(off + n));
	messages_ready(c, cs, dir);
}

/* Frames of a decrypted Initial payload: CRYPTO kept, the rest stepped over. */
static void frames(struct xdpi_dissect_ctx *c, const uint8_t *p, size_t len)
{
	size_t i = 0;
	uint64_t t, a, b, n;

	while (i < len) {
		if (!varint(p, len, &i, &t))
			return;
		switch (t) {
		case 0x00: /* PADDING */
		case 0x01: /* PING */
			break;
		case 0x02: /* ACK */
		case 0x03: /* ACK with ECN counts */
			if (!varint(p, len, &i, &a) || !varint(p, len, &i, &a) || !varint(p, len, &i, &n) ||
			    !varint(p, len, &i, &a))
				return;
			for (uint64_t r = 0; r < n; r++)
				if (!varint(p, len, &i, &a) || !varint(p, len, &i, &b))
					return;
			if (t == 0x03 && !(varint(p, len, &i, &a) && varint(p, len, &i, &a) && varint(p, len, &i, &a)))
				return;
			break;
		case 0x06: /* CRYPTO */
			if (!varint(p, len, &i, &a) || !varint(p, len, &i, &n) || n > len - i)
				return;
			crypto_frame(c, a, p + i, n);
			i += n;
			break;
		case 0x1c: /* CONNECTION_CLOSE */
			if (!varint(p, len, &i, &a) || !varint(p, len, &i, &a) || !varint(p, len, &i, &n) || n > len - i)
				return;
			i += n;
			break;
		default:
			return; /* no other frame belongs in an Initial */
		}
	}
}

/* ---- packets ---- */

/* One long-header packet at p (rem bytes left in the datagram); returns its length, 0 to
 * stop (short header, unknown version), or -1 if malformed. */
static long long_packet(struct xdpi_dissect_ctx *c, uint8_t *p, size_t rem)
{
	struct quic_state *st = c->state;
	size_t off = 6, dcid_off = 6, pn_off;
	uint64_t tok_len = 0, length, pn;
	uint32_t version;
	uint8_t dcid_len, scid_len;
	struct quic_keys k;
	int pn_len, plen;

	if (rem && !(p[0] & 0x80) && c->dir == 0)
		st->client_past_initial = true; /* a short header: 1-RTT */
	if (rem < 7 || !(p[0] & 0x80))
		return 0;
	version = xdpi_rd32(p + 1);
	if (!quic_version_known(version))
		return 0;
	if (c->dir == 0 && long_type(p[0], version) == LT_HANDSHAKE)
		st->client_past_initial = true;
	dcid_len = p[5];
	if (dcid_len > 20 || off + dcid_len + 1 > rem)
		return -1;
	off += dcid_len;
	scid_len = p[off++];
	if (scid_len > 20 || off + scid_len > rem)
		return -1;
	if (long_type(p[0], version) == LT_RETRY) { /* the client's next Initials use keys from this SCID */
		memcpy(st->odcid, p + off, scid_len);
		st->odcid_len = scid_len;
		return (long)rem;
	}
	off += scid_len;
	if (long_type(p[0], version) == LT_INITIAL && (!varint(p, rem, &off, &tok_len) || tok_len > rem - off))
		return -1;
	off += tok_len;
	if (!varint(p, rem, &off, &length) || length > rem - off)
		return -1;
	pn_off = off;
	if (long_type(p[0], version) != LT_INITIAL)
		return (long)(pn_off + length); /* Handshake, 0-RTT: keys we cannot have */
	if (c->dir == 0 && !st->have_odcid) {
		memcpy(st->odcid, p + dcid_off, dcid_len);
		st->odcid_len = dcid_len;
		st->have_odcid = true;
		st->version = version;
	}
	if (!st->have_odcid || quic_initial_keys(version, st->odcid, st->odcid_len, c->dir == 1, &k))
		return (long)(pn_off + length);
	pn_len = quic_unprotect_header(&k, p, pn_off, pn_off + length, &pn);
	if (pn_len < 0)
		return -1;
	plen = quic_decrypt(&k, pn, p, pn_off + (size_t)pn_len, pn_off + length);
	if (plen < 0)
		return -1; /* not our keys (or corrupt): say so, keep counting */
	frames(c, p + pn_off + pn_len, (size_t)plen);
	return (long)(pn_off + length);
}

static void quic_log(struct xdpi_dissect_ctx *c)
{
	struct quic_state *st = c->state;
	struct tls_hello ch_buf, sh_buf, *ch, *sh;
	struct xdpi_json *j;
	char v[16];

	if (st->logged || (!st->have_ch && !st->have_sh))
		return;
	st->logged = true;
	ch = tls_raw_parse(&st->ch, false, &ch_buf);
	sh = tls_raw_parse(&st->sh, true, &sh_buf);
	if (ch && ch->has_sni && c->server_name)
		c->server_name(c, ch->sni, strlen(ch->sni), XDPI_APP_SNI);
	j = c->event_begin(c, "quic");
	xdpi_json_obj_open(j, "quic");
	snprintf(v, sizeof(v), "0x%08x", st->version);
	xdpi_json_str(j, "version", v);
	if (ch)
		tls_put_client_hello(j, ch, 'q');
	if (sh)
		tls_put_ja3s(j, sh);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "xdpi");
	if (ch)
		tls_put_alpns(j, "alpn", ch);
	if (sh) {
		snprintf(v, sizeof(v), "0x%04x", st->sh_version);
		xdpi_json_str(j, "tls_version", v);
		xdpi_json_u64(j, "cipher", sh->n_ciphers ? sh->ciphers[0] : 0);
	}
	if (st->repeats)
		xdpi_json_u64(j, "hello_repeat", st->repeats);
	tls_put_hello_frames(j, st->ch_cnt, st->sh_cnt);
	xdpi_json_obj_close(j);
	c->event_end(c);
}

static enum xdpi_dissect_status quic_parse(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len)
{
	struct quic_state *st = c->state;
	enum xdpi_dissect_status rc = XDPI_DISSECT_OK;
	uint8_t *scratch;
	size_t off = 0;

	if (len > DGRAM_MAX || !(scratch = malloc(len ? len : 1)))
		return XDPI_DISSECT_MALFORMED;
	memcpy(scratch, buf, len); /* decryption works in place */
	while (off < len) {
		long n = long_packet(c, scratch + off, len - off);

		if (n <= 0) {
			rc = n < 0 ? XDPI_DISSECT_MALFORMED : rc;
			break;
		}
		off += (size_t)n;
	}
	free(scratch);
	if (st->have_ch && st->have_sh)
		quic_log(c);
	/* both hellos seen and the client gone on to its Handshake or 1-RTT packets: the rest
	 * is encrypted. Not at the hellos themselves: a hello sent again before that (a lost
	 * Initial's retransmission) is an observation of its own, and a kernel told to copy
	 * no more would have kept it from the live path that the capture's reading reports. */
	if (st->have_ch && st->have_sh && st->client_past_initial)
		c->done = true;
	return rc;
}

static void quic_flow_end(struct xdpi_dissect_ctx *c)
{
	struct quic_state *st = c->state;

	quic_log(c);
	tls_raw_free(&st->ch);
	tls_raw_free(&st->sh);
	free(st->cs[0].buf);
	free(st->cs[1].buf);
	st->cs[0].buf = st->cs[1].buf = NULL;
}

const struct xdpi_dissector xdpi_dissector_quic = {
	.name = "quic",
	.l4 = XDPI_L4_UDP,
	.ports = { 443, 4433, 8443 },
	.state_size = sizeof(struct quic_state),
	.probe = quic_probe,
	.parse = quic_parse,
	.flow_end = quic_flow_end,
};
