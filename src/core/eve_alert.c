// SPDX-License-Identifier: GPL-2.0
/* EVE alert events: Suricata's alert object (action, gid, sid, rev, signature, category,
 * severity, metadata), the flow's counters, and the application-layer object the rule matched
 * (http, dns or tls), built from the inspection buffers. */
#include <string.h>
#include <arpa/inet.h>
#include "xdpi/bytes.h"
#include "xdpi/anomaly.h"
#include "xdpi/detect.h"
#include "xdpi/dissect.h"
#include "xdpi/eve.h"
#include "../detect/detect_int.h"

static void put_buf(struct xdpi_json *j, const char *key, const struct xdpi_inspect *in,
		    enum xdpi_buffer b)
{
	if (in->buf[b] && in->len[b])
		xdpi_json_strn(j, key, (const char *)in->buf[b], in->len[b]);
}

/* "key value, key value" into {"key": ["value", ...]}, one array per key. */
static void put_metadata(struct xdpi_json *j, const char *m)
{
	const char *keys[32], *vals[32];
	size_t klen[32], vlen[32], n = 0;

	while (*m && n < 32) {
		const char *end = strchr(m, ','), *sp;
		size_t len = end ? (size_t)(end - m) : strlen(m);

		while (len && *m == ' ')
			m++, len--;
		sp = memchr(m, ' ', len);
		if (sp) {
			keys[n] = m, klen[n] = (size_t)(sp - m);
			vals[n] = sp + 1, vlen[n] = len - klen[n] - 1;
			while (vlen[n] && vals[n][vlen[n] - 1] == ' ')
				vlen[n]--;
			n++;
		}
		m += len + (end ? 1 : 0);
	}
	xdpi_json_obj_open(j, "metadata");
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		char key[64];

		for (size_t k = 0; k < i && !seen; k++)
			seen = klen[k] == klen[i] && !memcmp(keys[k], keys[i], klen[i]);
		if (seen || klen[i] >= sizeof(key))
			continue;
		memcpy(key, keys[i], klen[i]);
		key[klen[i]] = 0;
		xdpi_json_arr_open(j, key);
		for (size_t k = i; k < n; k++)
			if (klen[k] == klen[i] && !memcmp(keys[k], keys[i], klen[i]))
				xdpi_json_strn(j, NULL, vals[k], vlen[k]);
		xdpi_json_arr_close(j);
	}
	xdpi_json_obj_close(j);
}

static void put_rule(struct xdpi_json *j, const struct xdpi_rule *r, bool blocked)
{
	xdpi_json_obj_open(j, "alert");
	xdpi_json_str(j, "action", blocked ? "blocked" : "allowed");
	xdpi_json_u64(j, "gid", r->gid);
	xdpi_json_u64(j, "signature_id", r->sid);
	xdpi_json_u64(j, "rev", r->rev);
	xdpi_json_str(j, "signature", r->msg);
	xdpi_json_str(j, "category", xdpi_classtype_desc(r->classtype));
	xdpi_json_u64(j, "severity", r->priority);
	if (r->metadata)
		put_metadata(j, r->metadata);
	xdpi_json_obj_close(j);
}

static void put_http(struct xdpi_json *j, const struct xdpi_inspect *in)
{
	const uint8_t *code = in->buf[XDPI_BUF_HTTP_STAT_CODE];

	xdpi_json_obj_open(j, "http");
	put_buf(j, "hostname", in, XDPI_BUF_HTTP_RAW_HOST);
	put_buf(j, "url", in, XDPI_BUF_HTTP_URI);
	put_buf(j, "http_user_agent", in, XDPI_BUF_HTTP_UA);
	put_buf(j, "http_content_type", in, XDPI_BUF_HTTP_CONTENT_TYPE);
	put_buf(j, "http_refer", in, XDPI_BUF_HTTP_REFERER);
	put_buf(j, "http_method", in, XDPI_BUF_HTTP_METHOD);
	put_buf(j, "protocol", in, XDPI_BUF_HTTP_PROTOCOL);
	if (code && in->len[XDPI_BUF_HTTP_STAT_CODE] == 3)
		xdpi_json_u64(j, "status", (uint64_t)((code[0] - '0') * 100 + (code[1] - '0') * 10 +
						       (code[2] - '0')));
	xdpi_json_obj_close(j);
}

static void put_dns(struct xdpi_json *j, const struct xdpi_inspect *in)
{
	char tbuf[16];

	xdpi_json_obj_open(j, "dns");
	xdpi_json_u64(j, "version", 3);
	xdpi_json_arr_open(j, "queries");
	xdpi_json_obj_open(j, NULL);
	if (in->stage == XDPI_STAGE_DNS_QUERY) {
		put_buf(j, "rrname", in, XDPI_BUF_DNS_QUERY);
		xdpi_json_str(j, "rrtype", xdpi_dns_type_name(in->dns_qtype, tbuf, sizeof(tbuf)));
	} else if (in->buf[XDPI_BUF_DNS_QUERIES_RRNAME]) { /* a response: its first question */
		const char *q = (const char *)in->buf[XDPI_BUF_DNS_QUERIES_RRNAME];
		const char *nl = memchr(q, '\n', in->len[XDPI_BUF_DNS_QUERIES_RRNAME]);

		xdpi_json_strn(j, "rrname", q, nl ? (size_t)(nl - q)
						  : in->len[XDPI_BUF_DNS_QUERIES_RRNAME]);
		if (in->dns_ntypes)
			xdpi_json_str(j, "rrtype", xdpi_dns_type_name(in->dns_types[0], tbuf,
								      sizeof(tbuf)));
	}
	xdpi_json_obj_close(j);
	xdpi_json_arr_close(j);
	xdpi_json_obj_close(j);
}

static void put_tls(struct xdpi_json *j, const struct xdpi_inspect *in)
{
	xdpi_json_obj_open(j, "tls");
	put_buf(j, "sni", in, XDPI_BUF_TLS_SNI);
	put_buf(j, "subject", in, XDPI_BUF_TLS_CERT_SUBJECT);
	put_buf(j, "issuerdn", in, XDPI_BUF_TLS_CERT_ISSUER);
	put_buf(j, "serial", in, XDPI_BUF_TLS_CERT_SERIAL);
	if (in->buf[XDPI_BUF_JA3_HASH]) {
		xdpi_json_obj_open(j, "ja3");
		put_buf(j, "hash", in, XDPI_BUF_JA3_HASH);
		put_buf(j, "string", in, XDPI_BUF_JA3_STRING);
		xdpi_json_obj_close(j);
	}
	put_buf(j, "ja4", in, XDPI_BUF_JA4_HASH);
	xdpi_json_obj_close(j);
}

static void put_flow(struct xdpi_json *j, const struct xdpi_eve_ctx *c, const struct xdpi_flow *f)
{
	uint8_t cs = f->initiator, sc = !f->initiator;
	char tbuf[40];

	xdpi_json_obj_open(j, "flow");
	xdpi_json_u64(j, "pkts_toserver", f->pkts[cs]);
	xdpi_json_u64(j, "pkts_toclient", f->pkts[sc]);
	xdpi_json_u64(j, "bytes_toserver", f->bytes[cs]);
	xdpi_json_u64(j, "bytes_toclient", f->bytes[sc]);
	xdpi_eve_time(tbuf, sizeof(tbuf), f->first_ns + (uint64_t)c->wall_offset_ns);
	xdpi_json_str(j, "start", tbuf);
	xdpi_json_obj_close(j);
}

/* Where the rule matched, in the dissector's terms (an LLM prompt's message): the matched
 * text itself stays out, it may be the secret the rule found. */
static void put_evidence(struct xdpi_json *j, const struct xdpi_inspect *in,
			 const struct xdpi_alert *a)
{
	char place[64];

	xdpi_json_obj_open(j, "evidence");
	xdpi_json_str(j, "buffer", xdpi_buffer_name((enum xdpi_buffer)a->where_buf));
	xdpi_json_str(j, "place", in->place(in->place_ctx, (enum xdpi_buffer)a->where_buf,
					    a->where_off, place, sizeof(place)));
	xdpi_json_u64(j, "offset", a->where_off);
	xdpi_json_u64(j, "length", a->where_len);
	xdpi_json_obj_close(j);
}

void xdpi_eve_alert(struct xdpi_json *j, const struct xdpi_eve_ctx *c, const struct xdpi_alert *a,
		    bool blocked)
{
	const struct xdpi_inspect *in = a->in;

	xdpi_eve_begin_dir(j, c, a->ts, "alert", a->flow, a->flow && a->dir);
	if (a->flow) {
		xdpi_json_str(j, "direction", a->dir ? "to_client" : "to_server");
		if (a->flow->app_proto)
			xdpi_json_str(j, "app_proto", a->flow->app_proto);
	}
	put_rule(j, a->rule, blocked);
	if (in && (in->stage == XDPI_STAGE_HTTP_REQUEST || in->stage == XDPI_STAGE_HTTP_RESPONSE))
		put_http(j, in);
	else if (in && (in->stage == XDPI_STAGE_DNS_QUERY || in->stage == XDPI_STAGE_DNS_RESPONSE)) {
		if (in->buf[XDPI_BUF_HTTP_PROTOCOL]) /* DNS over HTTPS: its request too */
			put_http(j, in);
		put_dns(j, in);
	}
	else if (in && (in->stage == XDPI_STAGE_TLS_CLIENT || in->stage == XDPI_STAGE_TLS_SERVER))
		put_tls(j, in);
	if (a->flow)
		put_flow(j, c, a->flow);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_json_str(j, "stage", in ? xdpi_stage_name(in->stage) : "kernel");
	if (in && in->place && a->where_buf >= 0)
		put_evidence(j, in, a);
	if (!a->flow) { /* a reputation rule the XDP maps counted */
		xdpi_json_u64(j, "kernel_pkts", a->kernel_hits);
		xdpi_json_u64(j, "kernel_bytes", a->kernel_bytes);
	}
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
}

static void put_addr(struct xdpi_json *j, const char *key, uint8_t family, const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	xdpi_json_str(j, key, xdpi_addr_str(family, addr, buf, sizeof(buf)));
}

void xdpi_eve_anomaly(struct xdpi_json *j, const struct xdpi_eve_ctx *c,
		      const struct xdpi_anomaly_alert *a)
{
	char pbuf[8];
	bool ports = a->proto == XDPI_IPPROTO_TCP || a->proto == XDPI_IPPROTO_UDP;

	xdpi_eve_begin(j, c, a->ts, "alert", NULL);
	if (a->src)
		put_addr(j, "src_ip", a->family, a->src);
	if (a->src && ports && a->sport)
		xdpi_json_u64(j, "src_port", a->sport);
	if (a->dst)
		put_addr(j, "dest_ip", a->family, a->dst);
	if (a->dst && ports && a->dport)
		xdpi_json_u64(j, "dest_port", a->dport);
	if (a->proto)
		xdpi_json_str(j, "proto", xdpi_proto_name(a->proto, pbuf, sizeof(pbuf)));
	xdpi_json_obj_open(j, "alert");
	xdpi_json_str(j, "action", "allowed");
	xdpi_json_u64(j, "gid", XDPI_ANOMALY_GID);
	xdpi_json_u64(j, "signature_id", XDPI_ANOMALY_GID * 1000ull + a->kind);
	xdpi_json_u64(j, "rev", 1);
	xdpi_json_str(j, "signature", a->signature);
	xdpi_json_str(j, "category", a->category);
	xdpi_json_u64(j, "severity", 2);
	xdpi_json_obj_close(j);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_json_obj_open(j, "anomaly");
	a->evidence(a->obj, j);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
}
