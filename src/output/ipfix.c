// SPDX-License-Identifier: GPL-2.0
/* Flow export as IPFIX (RFC 7011) over UDP: one template for IPv4 and one for IPv6, resent
 * every TEMPLATE_EVERY_S seconds as RFC 7011 section 8.4 asks of UDP exporters; data
 * records batched into messages that fit one Ethernet frame. Each direction of a flow is a
 * record (as NetFlow collectors expect uniflows); a long-lived flow's active-timeout cuts
 * export what came since the previous cut, so counts add up. Sending never blocks: a full
 * socket buffer loses the message, and the records in it are counted. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "xdpi/bytes.h"
#include "xdpi/output.h"
#include "xdpi/outputs.h"

#define MSG_MAX 1400
#define HDR_LEN 16
#define SET_HDR 4
#define TEMPLATE_EVERY_S 10
#define TPL_V4 256
#define TPL_V6 257

/* Information elements (IANA registry): id and length, in template order. */
struct ie {
	uint16_t id, len;
};
#define COMMON_IES                                                                             \
	{ 7, 2 }, /* sourceTransportPort */                                                    \
	{ 11, 2 }, /* destinationTransportPort */                                              \
	{ 4, 1 }, /* protocolIdentifier */                                                     \
	{ 6, 2 }, /* tcpControlBits */                                                         \
	{ 2, 8 }, /* packetDeltaCount */                                                       \
	{ 1, 8 }, /* octetDeltaCount */                                                        \
	{ 152, 8 }, /* flowStartMilliseconds */                                                \
	{ 153, 8 }, /* flowEndMilliseconds */                                                  \
	{ 136, 1 } /* flowEndReason */
static const struct ie tpl_v4[] = { { 8, 4 }, { 12, 4 }, COMMON_IES, { 32, 2 } /* icmpTypeCodeIPv4 */ };
static const struct ie tpl_v6[] = { { 27, 16 }, { 28, 16 }, COMMON_IES, { 139, 2 } /* icmpTypeCodeIPv6 */ };
#define NIE(t) (sizeof(t) / sizeof(t[0]))
#define REC_V4 (4 + 4 + 2 + 2 + 1 + 2 + 8 * 4 + 1 + 2)
#define REC_V6 (16 + 16 + 2 + 2 + 1 + 2 + 8 * 4 + 1 + 2)

struct set_buf {
	uint8_t b[MSG_MAX];
	size_t len; /* records' bytes */
	uint32_t n;
};

struct xdpi_ipfix {
	int fd;
	int64_t wall_offset_ns;
	pthread_mutex_t lock;
	struct set_buf v4, v6;
	uint32_t seq; /* data records sent before this message */
	time_t templates_at;
	bool templates_sent;
	struct xdpi_ipfix_stats st;
};

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	p = put32(p, (uint32_t)(v >> 32));
	return put32(p, (uint32_t)v);
}

static size_t template_record(uint8_t *p, uint16_t id, const struct ie *ies, size_t n)
{
	uint8_t *s = p;

	p = put16(p, id);
	p = put16(p, (uint16_t)n);
	for (size_t i = 0; i < n; i++) {
		p = put16(p, ies[i].id);
		p = put16(p, ies[i].len);
	}
	return (size_t)(p - s);
}

static size_t template_set(uint8_t *p)
{
	size_t len = SET_HDR;

	len += template_record(p + len, TPL_V4, tpl_v4, NIE(tpl_v4));
	len += template_record(p + len, TPL_V6, tpl_v6, NIE(tpl_v6));
	put16(p, 2);
	put16(p + 2, (uint16_t)len);
	return len;
}

static size_t data_set(uint8_t *p, uint16_t id, const struct set_buf *s)
{
	put16(p, id);
	put16(p + 2, (uint16_t)(SET_HDR + s->len));
	memcpy(p + SET_HDR, s->b, s->len);
	return SET_HDR + s->len;
}

/* Sends the batched records (with the templates when due). Called locked. */
static void send_message(struct xdpi_ipfix *x, bool force_templates)
{
	uint8_t msg[HDR_LEN + 2 * (SET_HDR + MSG_MAX) + 256];
	time_t now = time(NULL);
	bool tpl = force_templates || !x->templates_sent || now - x->templates_at >= TEMPLATE_EVERY_S;
	uint32_t records = x->v4.n + x->v6.n;
	size_t len = HDR_LEN;

	if (!records && !tpl)
		return;
	if (tpl)
		len += template_set(msg + len);
	if (x->v4.n)
		len += data_set(msg + len, TPL_V4, &x->v4);
	if (x->v6.n)
		len += data_set(msg + len, TPL_V6, &x->v6);
	put16(msg, 10);
	put16(msg + 2, (uint16_t)len);
	put32(msg + 4, (uint32_t)now);
	put32(msg + 8, x->seq);
	put32(msg + 12, 0); /* observation domain */
	if (send(x->fd, msg, len, MSG_DONTWAIT) != (ssize_t)len) {
		x->st.send_errors++;
		x->st.records_lost += records;
	} else {
		x->st.messages++;
		if (tpl) {
			x->st.templates++;
			x->templates_sent = true;
			x->templates_at = now;
		}
	}
	x->seq += records; /* the sequence counts records exported, lost or not */
	x->v4.len = x->v4.n = x->v6.len = x->v6.n = 0;
}

static uint8_t end_reason(enum xdpi_flow_end why)
{
	switch (why) {
	case XDPI_FLOW_END_TIMEOUT: return 1;  /* idle timeout */
	case XDPI_FLOW_END_ACTIVE: return 2;   /* active timeout */
	case XDPI_FLOW_END_REUSE: return 3;    /* end of flow detected */
	case XDPI_FLOW_END_SHUTDOWN: return 4; /* forced end */
	case XDPI_FLOW_END_FORCED: return 5;   /* lack of resources */
	}
	return 4;
}

/* One direction of F: from canonical side S. */
static void add_record(struct xdpi_ipfix *x, const struct xdpi_flow *f, int s, enum xdpi_flow_end why)
{
	bool v6 = f->key.family == 6;
	struct set_buf *sb = v6 ? &x->v6 : &x->v4;
	size_t alen = v6 ? 16 : 4, rlen = v6 ? REC_V6 : REC_V4;
	const void *src = s ? f->key.addr_b : f->key.addr_a, *dst = s ? f->key.addr_a : f->key.addr_b;
	uint16_t sport = s ? f->key.port_b : f->key.port_a, dport = s ? f->key.port_a : f->key.port_b;
	bool icmp = f->key.proto == XDPI_IPPROTO_ICMP || f->key.proto == XDPI_IPPROTO_ICMPV6;
	uint8_t *p;

	if (HDR_LEN + 2 * SET_HDR + 512 + x->v4.len + x->v6.len + rlen > MSG_MAX)
		send_message(x, false);
	p = sb->b + sb->len;
	memcpy(p, src, alen), p += alen;
	memcpy(p, dst, alen), p += alen;
	memcpy(p, icmp ? &(uint16_t){ 0 } : &sport, 2), p += 2; /* ports: network order already */
	memcpy(p, icmp ? &(uint16_t){ 0 } : &dport, 2), p += 2;
	*p++ = f->key.proto;
	p = put16(p, f->key.proto == XDPI_IPPROTO_TCP ? f->tcp_flags[s] : 0);
	p = put64(p, f->pkts[s] - xdpi_flow_base_pkts(f, s));
	p = put64(p, f->bytes[s] - xdpi_flow_base_bytes(f, s));
	p = put64(p, (uint64_t)((int64_t)f->record_start_ns + x->wall_offset_ns) / 1000000);
	p = put64(p, (uint64_t)((int64_t)f->last_ns + x->wall_offset_ns) / 1000000);
	*p++ = end_reason(why);
	put16(p, icmp && s == f->initiator ? (uint16_t)(f->icmp_type << 8 | f->icmp_code) : 0);
	sb->len += rlen;
	sb->n++;
	x->st.records++;
}

void xdpi_ipfix__flow(struct xdpi_ipfix *x, const struct xdpi_flow *f, enum xdpi_flow_end why)
{
	pthread_mutex_lock(&x->lock);
	for (int s = 0; s < 2; s++) {
		int side = s ? !f->initiator : f->initiator; /* the client's direction first */

		if (f->pkts[side] > xdpi_flow_base_pkts(f, side))
			add_record(x, f, side, why);
	}
	pthread_mutex_unlock(&x->lock);
}

void xdpi_ipfix__flush(struct xdpi_ipfix *x)
{
	pthread_mutex_lock(&x->lock);
	send_message(x, false);
	pthread_mutex_unlock(&x->lock);
}

void xdpi_ipfix__stats(struct xdpi_ipfix *x, struct xdpi_ipfix_stats *st)
{
	pthread_mutex_lock(&x->lock);
	*st = x->st;
	pthread_mutex_unlock(&x->lock);
}

/* HOST:PORT, [V6]:PORT into HOST and *PORT_STR. 0, or -EINVAL with why in ERR. */
static int split_target(const char *target, char *host, size_t hostlen, const char **port,
			char *err, size_t errlen)
{
	const char *colon = strrchr(target, ':'), *h = target;
	char *end;
	unsigned long n;
	size_t hlen;

	if (!colon || colon == target || !colon[1]) {
		snprintf(err, errlen, "'%s': expected HOST:PORT", target);
		return -EINVAL;
	}
	n = strtoul(colon + 1, &end, 10);
	if (*end || !n || n > 65535) {
		snprintf(err, errlen, "'%s': the port is a number from 1 to 65535", target);
		return -EINVAL;
	}
	hlen = (size_t)(colon - target);
	if (target[0] == '[' && colon[-1] == ']')
		h++, hlen -= 2;
	if (!hlen || hlen >= hostlen) {
		snprintf(err, errlen, "'%s': %s host", target, hlen ? "too long a" : "no");
		return -EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = colon + 1;
	return 0;
}

int xdpi_ipfix_check_target(const char *target, char *err, size_t errlen)
{
	char host[256];
	const char *port;

	return split_target(target, host, sizeof(host), &port, err, errlen);
}

static int open_socket(const char *target, char *err, size_t errlen)
{
	char host[256];
	const char *port;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV }, *ai;
	int fd, rc;

	if (split_target(target, host, sizeof(host), &port, err, errlen))
		return -1;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "'%s': %s", target, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		snprintf(err, errlen, "'%s': %s", target, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

struct xdpi_ipfix *xdpi_ipfix__new(const char *target, int64_t wall_offset_ns, char *err,
				   size_t errlen)
{
	struct xdpi_ipfix *x = calloc(1, sizeof(*x));

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->fd = open_socket(target, err, errlen);
	if (x->fd < 0) {
		free(x);
		return NULL;
	}
	x->wall_offset_ns = wall_offset_ns;
	pthread_mutex_init(&x->lock, NULL);
	pthread_mutex_lock(&x->lock);
	send_message(x, true); /* the collector learns the templates before any record */
	pthread_mutex_unlock(&x->lock);
	return x;
}

void xdpi_ipfix__free(struct xdpi_ipfix *x)
{
	if (!x)
		return;
	xdpi_ipfix__flush(x);
	close(x->fd);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

/* ---- as an output: every flow record ---- */

static const struct xdpi_stat rows[] = {
	XDPI_STAT_ROW("records", struct xdpi_ipfix_stats, records, XDPI_STAT_COUNTER,
		      "xdpi_ipfix_records_total", "result=\"exported\"",
		      "IPFIX data records sent, and lost to send errors."),
	XDPI_STAT_ROW("messages", struct xdpi_ipfix_stats, messages, XDPI_STAT_COUNTER,
		      "xdpi_output_messages_total", "sink=\"ipfix\",result=\"delivered\"",
		      "Messages of the network outputs by result."),
	XDPI_STAT_ROW("templates", struct xdpi_ipfix_stats, templates, XDPI_STAT_COUNTER, NULL,
		      NULL, NULL),
	XDPI_STAT_ROW("send_errors", struct xdpi_ipfix_stats, send_errors, XDPI_STAT_COUNTER,
		      "xdpi_output_messages_total", "sink=\"ipfix\",result=\"failed\"",
		      "Messages of the network outputs by result."),
	XDPI_STAT_ROW("records_lost", struct xdpi_ipfix_stats, records_lost, XDPI_STAT_COUNTER,
		      "xdpi_ipfix_records_total", "result=\"lost\"",
		      "IPFIX data records sent, and lost to send errors."),
};

static bool ipfix_wanted(const struct xdpi_output_cfg *c)
{
	return c->ipfix_target != NULL;
}

static void *ipfix_open(const struct xdpi_output_cfg *c, char *err, size_t errlen)
{
	return xdpi_ipfix__new(c->ipfix_target, c->wall_offset_ns, err, errlen);
}

static void ipfix_record(void *priv, const struct xdpi_flow *f, enum xdpi_flow_end why)
{
	xdpi_ipfix__flow(priv, f, why);
}

static int ipfix_tick(void *priv)
{
	xdpi_ipfix__flush(priv);
	return 0;
}

static void ipfix_stats(void *priv, struct xdpi_json *j)
{
	struct xdpi_ipfix_stats st;

	xdpi_ipfix__stats(priv, &st);
	xdpi_stats_json(j, "ipfix", rows, XDPI_NSTATS(rows), &st);
}

static void ipfix_expose(void *priv, struct xdpi_prom *p)
{
	struct xdpi_ipfix_stats st;

	xdpi_ipfix__stats(priv, &st);
	xdpi_stats_expose(p, rows, XDPI_NSTATS(rows), &st, NULL);
}

static void ipfix_close(void *priv)
{
	xdpi_ipfix__free(priv);
}

const struct xdpi_output_ops xdpi_output_ipfix = {
	.name = "ipfix",
	.option = "--ipfix",
	.wanted = ipfix_wanted,
	.open = ipfix_open,
	.on_flow_record = ipfix_record,
	.tick = ipfix_tick,
	.stats = ipfix_stats,
	.expose = ipfix_expose,
	.close = ipfix_close,
};
