// SPDX-License-Identifier: GPL-2.0
/* DNS over UDP and TCP (RFC 1035, 7766): header, questions, answers, authorities and
 * additionals, name compression (pointers must go backwards: no loops), EDNS (OPT). Each
 * message becomes an EVE dns event (Suricata's v3 layout); a response is paired with its
 * query by id and carries the response time under xdpi.response_time_us. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/appid.h"
#include "xdpi/bytes.h"
#include "xdpi/dissect.h"
#include "xdpi/eve.h"
#include "xdpi/fmt.h"
#include "xdpi/grow.h"

#define DNS_HDR 12
#define DNS_NAME_MAX 1280 /* 255 wire bytes, control bytes escaped as \\ooo */
#define DNS_MAX_RR 512    /* records logged per section; the rest are counted, not logged */
#define DNS_PENDING 8 /* queries awaiting answers per flow; the oldest makes room */
#define DNS_TCP_BUF 65537

/* Queries awaiting answers as parallel arrays (ids, times, a bit each in use): an array of
 * {id, used, ts} records padded each to 16 bytes, a quarter of the state for nothing. */
/* TCP only (apart, so a flow over UDP, the most of them, does not carry it): a message split
 * across segments, per direction. */
struct dns_tcp {
	uint8_t *buf[2];
	uint32_t len[2], cap[2];
};

struct dns_state {
	struct dns_tcp *tcp;
	uint64_t tx_id;
	uint64_t pending_ts[DNS_PENDING];
	uint16_t pending_id[DNS_PENDING];
	uint8_t pending_used; /* bit i: slot i holds a query */
};

_Static_assert(DNS_PENDING <= 8, "one bit of pending_used per slot");

struct dns_msg {
	const uint8_t *p;
	size_t len;
	unsigned truncated; /* names longer than 255 bytes, logged cut (xdpi.names_truncated) */
	bool edns;          /* an OPT record: its header fields, for xdpi.edns */
	uint16_t edns_size;
	uint8_t edns_version;
	bool edns_do;
};

/* Reads the name at *off into out (dotted, "" for the root); *off moves past it in the
 * message. Returns 0; 1 for a name longer than 255 bytes (out holds its start, the walk goes
 * on to find its end); -1 for a name that is cut short or loops. */
static int read_name(const struct dns_msg *m, size_t *off, char *out, size_t cap)
{
	size_t pos = *off, o = 0, wire = 0, last_target = *off;
	bool jumped = false, too_long = false;

	for (int hops = 0; hops < 256; hops++) {
		uint8_t l;

		if (pos >= m->len)
			return -1;
		l = m->p[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= m->len)
				return -1;
			target = (size_t)(l & 0x3f) << 8 | m->p[pos + 1];
			/* each pointer must go further back than the last one: no loops */
			if (target >= (jumped ? last_target : pos))
				break;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			last_target = target;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -1; /* 0x40/0x80 label types are obsolete */
		if (l == 0) {
			if (!jumped)
				*off = pos + 1;
			out[o] = '\0';
			return too_long ? 1 : 0;
		}
		wire += (size_t)l + 1;
		if (pos + 1 + l > m->len)
			return -1;
		too_long |= wire > 255;
		if (o && o + 1 < cap && !too_long)
			out[o++] = '.';
		for (size_t i = 0; i < l && o + 5 < cap && !too_long; i++) {
			uint8_t ch = m->p[pos + 1 + i];

			/* control bytes (NUL included) as \ooo: a name is never cut short */
			if (ch < 0x20 || ch == 0x7f)
				o += (size_t)snprintf(out + o, cap - o, "\\%03o", ch);
			else
				out[o++] = (char)ch;
		}
		pos += 1 + (size_t)l;
	}
	/* a loop, or too many labels: we still know where the name ends if it jumped (after
	 * its first pointer); an over-long name is reported as such, like tshark does */
	if (jumped && too_long) {
		out[o] = '\0';
		return 1;
	}
	return -1;
}

const char *xdpi_dns_type_name(uint16_t t, char *buf, size_t n)
{
	static const struct {
		uint16_t t;
		const char *name;
	} names[] = {
		{ 1, "A" },	   { 2, "NS" },	       { 5, "CNAME" }, { 6, "SOA" },	{ 10, "NULL" },
		{ 12, "PTR" },	   { 13, "HINFO" },    { 15, "MX" },   { 16, "TXT" },	{ 28, "AAAA" },
		{ 33, "SRV" },	   { 35, "NAPTR" },    { 41, "OPT" },  { 43, "DS" },	{ 44, "SSHFP" },
		{ 46, "RRSIG" },   { 47, "NSEC" },     { 48, "DNSKEY" }, { 50, "NSEC3" }, { 52, "TLSA" },
		{ 64, "SVCB" },	   { 65, "HTTPS" },    { 99, "SPF" },  { 252, "AXFR" }, { 255, "ANY" },
		{ 257, "CAA" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return names[i].name;
	snprintf(buf, n, "TYPE%u", t);
	return buf;
}

static const char *rcode_name(unsigned rc, char *buf, size_t n)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP",	"REFUSED", "YXDOMAIN", "YXRRSET",
					     "NXRRSET", "NOTAUTH", "NOTZONE" };

	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	snprintf(buf, n, "RCODE%u", rc);
	return buf;
}

/* ---- message validation (probe) ---- */

/* A NetBIOS name service name: a first label of 32 letters A to P (RFC 1001 14.1; a scope
 * may follow), not DNS's. */
static bool netbios_name(const char *name)
{
	if (strcspn(name, ".") != 32)
		return false;
	for (int i = 0; i < 32; i++)
		if (name[i] < 'A' || name[i] > 'P')
			return false;
	return true;
}

/* Walks COUNT resource records from *off; false when one is cut short or malformed. */
static bool walk_records(const struct dns_msg *m, size_t *off, unsigned count)
{
	char name[DNS_NAME_MAX];

	for (unsigned i = 0; i < count; i++) {
		if (read_name(m, off, name, sizeof(name)) < 0 || *off + 10 > m->len || netbios_name(name))
			return false;
		*off += 10 + (size_t)xdpi_rd16(m->p + *off + 8);
		if (*off > m->len)
			return false;
	}
	return true;
}

/* Is this a DNS message? The counts are the sender's word, so the test is that every
 * question and record they announce parses and that together they fill the message exactly:
 * other protocols' bytes (a TLS record, a DHCP packet, RPC) do not. */
static bool plausible(const uint8_t *p, size_t len)
{
	struct dns_msg m = { .p = p, .len = len };
	char name[DNS_NAME_MAX];
	size_t off = DNS_HDR;
	uint16_t qd, an, ns, ar, cls;

	if (len < DNS_HDR)
		return false;
	qd = xdpi_rd16(p + 4), an = xdpi_rd16(p + 6), ns = xdpi_rd16(p + 8), ar = xdpi_rd16(p + 10);
	if (((p[2] >> 3) & 0xf) > 6 || ((p[2] >> 3) & 0xf) == 3 || (qd | an | ns | ar) > 0x4000)
		return false;
	/* only a response, or an inverse query (opcode 1: its record is the answer), may
	 * lack a question */
	if (qd == 0 && !((p[2] & 0x80) && (an || ns || ar)) && !(((p[2] >> 3) & 0xf) == 1 && an))
		return false;
	for (unsigned i = 0; i < qd; i++) {
		if (read_name(&m, &off, name, sizeof(name)) < 0 || off + 4 > len || netbios_name(name))
			return false;
		cls = xdpi_rd16(p + off + 2) & 0x7fff; /* the top bit: mDNS's unicast answer wish */
		if (cls != 1 && cls != 3 && cls != 4 && cls != 254 && cls != 255)
			return false;
		off += 4;
	}
	return walk_records(&m, &off, (unsigned)an + ns + ar) && off == len;
}

/* The start of a message longer than the bytes at hand (a TCP message past 512 bytes): the
 * header and its first question must be DNS's; the rest is judged as it comes. */
static bool plausible_start(const uint8_t *p, size_t len)
{
	struct dns_msg m = { .p = p, .len = len };
	char name[DNS_NAME_MAX];
	size_t off = DNS_HDR;

	if (len < DNS_HDR || ((p[2] >> 3) & 0xf) > 6 || !xdpi_rd16(p + 4))
		return false;
	return read_name(&m, &off, name, sizeof(name)) >= 0 && off + 4 <= len && !netbios_name(name);
}

static enum xdpi_dissect_status dns_probe(const uint8_t *buf, size_t len, uint8_t l4, uint8_t dir)
{
	if (l4 == XDPI_L4_UDP)
		return plausible(buf, len) ? XDPI_DISSECT_OK : XDPI_DISSECT_NOT_MINE;
	(void)dir;
	if (len < 2)
		return XDPI_DISSECT_NEED_MORE;
	if (xdpi_rd16(buf) < DNS_HDR)
		return XDPI_DISSECT_NOT_MINE;
	/* wait for the whole message and judge it whole; a long one (another dissector may
	 * claim the flow meanwhile: "GET " reads as a length of 18245) by its first 512 bytes */
	if (len - 2 >= xdpi_rd16(buf))
		return plausible(buf + 2, xdpi_rd16(buf)) ? XDPI_DISSECT_OK : XDPI_DISSECT_NOT_MINE;
	if (len - 2 < 512)
		return XDPI_DISSECT_NEED_MORE;
	return plausible_start(buf + 2, len - 2) ? XDPI_DISSECT_OK : XDPI_DISSECT_NOT_MINE;
}

/* ---- writing records ---- */

static void put_rdata_name(struct xdpi_json *j, struct dns_msg *m, size_t off, const char *key)
{
	char name[DNS_NAME_MAX];
	int r = read_name(m, &off, name, sizeof(name));

	if (r < 0)
		return;
	xdpi_json_str(j, key, name);
	m->truncated += r == 1;
}

/* EVE has an soa object in answers and authorities; elsewhere the record is one string. */
static void put_soa(struct xdpi_json *j, struct dns_msg *m, size_t off, size_t end, bool as_object)
{
	char mname[DNS_NAME_MAX], rname[DNS_NAME_MAX], line[2 * DNS_NAME_MAX + 64];

	if (read_name(m, &off, mname, sizeof(mname)) < 0 ||
	    read_name(m, &off, rname, sizeof(rname)) < 0 || off + 20 > end)
		return;
	if (!as_object) {
		snprintf(line, sizeof(line), "%s %s %u %u %u %u %u", mname, rname, xdpi_rd32(m->p + off),
			 xdpi_rd32(m->p + off + 4), xdpi_rd32(m->p + off + 8), xdpi_rd32(m->p + off + 12),
			 xdpi_rd32(m->p + off + 16));
		xdpi_json_str(j, "rdata", line);
		return;
	}
	xdpi_json_obj_open(j, "soa");
	xdpi_json_str(j, "mname", mname);
	xdpi_json_str(j, "rname", rname);
	xdpi_json_u64(j, "serial", xdpi_rd32(m->p + off));
	xdpi_json_u64(j, "refresh", xdpi_rd32(m->p + off + 4));
	xdpi_json_u64(j, "retry", xdpi_rd32(m->p + off + 8));
	xdpi_json_u64(j, "expire", xdpi_rd32(m->p + off + 12));
	xdpi_json_u64(j, "minimum", xdpi_rd32(m->p + off + 16));
	xdpi_json_obj_close(j);
}

static void put_txt(struct xdpi_json *j, const struct dns_msg *m, size_t off, size_t end)
{
	char buf[1024];
	size_t o = 0;

	/* character-strings, joined as Suricata joins them */
	while (off < end && o + 1 < sizeof(buf)) {
		size_t l = m->p[off++];

		if (off + l > end)
			l = end - off;
		for (size_t i = 0; i < l && o + 1 < sizeof(buf); i++)
			buf[o++] = (char)m->p[off + i];
		off += l;
	}
	xdpi_json_strn(j, "rdata", buf, o);
}

static void put_hex(struct xdpi_json *j, const uint8_t *p, size_t n)
{
	char buf[2 * 256 + 1];
	size_t o = 0;

	if (n > (sizeof(buf) - 1) / 2)
		n = (sizeof(buf) - 1) / 2;
	o = (size_t)(xdpi_fmt_hex(buf, p, n, 0) - buf);
	xdpi_json_strn(j, "rdata", buf, o);
}

/* EDNS options (RFC 6891): code, then the data in hex. */
static void put_opt(struct xdpi_json *j, const struct dns_msg *m, size_t off, size_t end)
{
	bool open = false;

	while (off + 4 <= end) {
		uint16_t code = xdpi_rd16(m->p + off), len = xdpi_rd16(m->p + off + 2);
		char hexdata[2 * 64 + 1];
		size_t n = 0;

		if (off + 4 + len > end)
			break;
		n = (size_t)(xdpi_fmt_hex(hexdata, m->p + off + 4,
					  len < (sizeof(hexdata) - 1) / 2 ? len : (sizeof(hexdata) - 1) / 2,
					  0) - hexdata);
		if (!open)
			xdpi_json_arr_open(j, "opt");
		open = true;
		xdpi_json_obj_open(j, NULL);
		xdpi_json_u64(j, "code", code);
		xdpi_json_strn(j, "data", hexdata, n);
		xdpi_json_obj_close(j);
		off += 4 + (size_t)len;
	}
	if (open)
		xdpi_json_arr_close(j);
}

/* EVE has an srv object in answers only; elsewhere the record is one string. */
static void put_srv(struct xdpi_json *j, struct dns_msg *m, size_t off, bool as_object)
{
	char name[DNS_NAME_MAX], line[DNS_NAME_MAX + 32];
	size_t noff = off + 6;
	int r;

	if (as_object) {
		xdpi_json_obj_open(j, "srv");
		xdpi_json_u64(j, "priority", xdpi_rd16(m->p + off));
		xdpi_json_u64(j, "weight", xdpi_rd16(m->p + off + 2));
		xdpi_json_u64(j, "port", xdpi_rd16(m->p + off + 4));
		put_rdata_name(j, m, off + 6, "name");
		xdpi_json_obj_close(j);
		return;
	}
	r = read_name(m, &noff, name, sizeof(name));
	if (r < 0)
		return;
	m->truncated += r == 1;
	snprintf(line, sizeof(line), "%u %u %u %s", xdpi_rd16(m->p + off), xdpi_rd16(m->p + off + 2),
		 xdpi_rd16(m->p + off + 4), name);
	xdpi_json_str(j, "rdata", line);
}

static void put_rdata(struct xdpi_json *j, struct dns_msg *m, uint16_t type, size_t off,
		      size_t rdlen, const char *section)
{
	char addr[INET6_ADDRSTRLEN];
	size_t end = off + rdlen;

	switch (type) {
	case 1:
	case 28:
		if (rdlen == (type == 1 ? 4u : 16u))
			xdpi_json_str(j, "rdata",
				      xdpi_addr_str(type == 1 ? 4 : 6, m->p + off, addr, sizeof(addr)));
		return;
	case 2:
	case 5:
	case 12:
		put_rdata_name(j, m, off, "rdata");
		return;
	case 15:
		if (rdlen > 2)
			put_rdata_name(j, m, off + 2, "rdata");
		return;
	case 6:
		put_soa(j, m, off, end, strcmp(section, "additionals") != 0);
		return;
	case 16:
		put_txt(j, m, off, end);
		return;
	case 33:
		if (rdlen > 6)
			put_srv(j, m, off, strcmp(section, "answers") == 0);
		return;
	case 41: /* OPT: EDNS options as Suricata logs them */
		put_opt(j, m, off, end);
		return;
	case 64:
	case 65: /* SVCB/HTTPS: priority and target name */
		if (rdlen > 2)
			put_rdata_name(j, m, off + 2, "rdata");
		return;
	}
	put_hex(j, m->p + off, rdlen);
}

/* Writes count records from *off as an array under key (opened at the first good record: EVE
 * arrays are never empty). Returns 0 or -1 (malformed). */
static int put_section(struct xdpi_json *j, struct dns_msg *m, size_t *off, unsigned count,
		       const char *key)
{
	char name[DNS_NAME_MAX], tbuf[16];
	int rc = 0;
	unsigned i;

	for (i = 0; i < count && i < DNS_MAX_RR; i++) {
		uint16_t type, rdlen;
		int r = read_name(m, off, name, sizeof(name));

		if (r < 0 || *off + 10 > m->len ||
		    *off + 10 + (rdlen = xdpi_rd16(m->p + *off + 8)) > m->len) {
			rc = -1;
			break;
		}
		type = xdpi_rd16(m->p + *off);
		if (i == 0)
			xdpi_json_arr_open(j, key);
		xdpi_json_obj_open(j, NULL);
		xdpi_json_str(j, "rrname", name);
		m->truncated += r == 1;
		xdpi_json_str(j, "rrtype", xdpi_dns_type_name(type, tbuf, sizeof(tbuf)));
		if (type != 41) {
			xdpi_json_u64(j, "ttl", xdpi_rd32(m->p + *off + 4));
		} else { /* OPT's class is the UDP payload size, its TTL the EDNS flags */
			m->edns = true;
			m->edns_size = xdpi_rd16(m->p + *off + 2);
			m->edns_version = m->p[*off + 5];
			m->edns_do = m->p[*off + 6] & 0x80;
		}
		put_rdata(j, m, type, *off + 10, rdlen, key);
		xdpi_json_obj_close(j);
		*off += 10 + (size_t)rdlen;
	}
	if (i > 0)
		xdpi_json_arr_close(j);
	return rc;
}

static int put_queries(struct xdpi_json *j, struct dns_msg *m, size_t *off, unsigned count)
{
	char name[DNS_NAME_MAX], tbuf[16];
	int rc = 0;
	unsigned i;

	for (i = 0; i < count && i < DNS_MAX_RR; i++) {
		int r = read_name(m, off, name, sizeof(name));

		if (r < 0 || *off + 4 > m->len) {
			rc = -1;
			break;
		}
		if (i == 0)
			xdpi_json_arr_open(j, "queries");
		xdpi_json_obj_open(j, NULL);
		xdpi_json_str(j, "rrname", name);
		if (r == 1)
			xdpi_json_bool(j, "rrname_truncated", true);
		m->truncated += r == 1;
		xdpi_json_str(j, "rrtype", xdpi_dns_type_name(xdpi_rd16(m->p + *off), tbuf, sizeof(tbuf)));
		xdpi_json_obj_close(j);
		*off += 4;
	}
	if (i > 0)
		xdpi_json_arr_close(j);
	return rc;
}

static void put_flags(struct xdpi_json *j, const uint8_t *p)
{
	char hex[8], rbuf[16];

	xdpi_fmt_hex(hex, p + 2, 2, 0);
	xdpi_json_str(j, "flags", hex);
	if (p[2] & 0x80)
		xdpi_json_bool(j, "qr", true);
	if (p[2] & 0x04)
		xdpi_json_bool(j, "aa", true);
	if (p[2] & 0x02)
		xdpi_json_bool(j, "tc", true);
	if (p[2] & 0x01)
		xdpi_json_bool(j, "rd", true);
	if (p[3] & 0x80)
		xdpi_json_bool(j, "ra", true);
	if (p[3] & 0x40)
		xdpi_json_bool(j, "z", true);
	xdpi_json_u64(j, "opcode", (p[2] >> 3) & 0xf);
	if (p[2] & 0x80)
		xdpi_json_str(j, "rcode", rcode_name(p[3] & 0xf, rbuf, sizeof(rbuf)));
}

/* ---- pairing ---- */

static void remember_query(struct dns_state *st, uint16_t id, uint64_t ts)
{
	int slot = 0;

	for (int i = 0; i < DNS_PENDING; i++) {
		if (!(st->pending_used & (1u << i))) {
			slot = i;
			break;
		}
		if (st->pending_ts[i] < st->pending_ts[slot])
			slot = i; /* full: the oldest query goes */
	}
	st->pending_id[slot] = id, st->pending_ts[slot] = ts;
	st->pending_used |= (uint8_t)(1u << slot);
}

static bool take_query(struct dns_state *st, uint16_t id, uint64_t *ts)
{
	for (int i = 0; i < DNS_PENDING; i++) {
		if ((st->pending_used & (1u << i)) && st->pending_id[i] == id) {
			st->pending_used &= (uint8_t)~(1u << i);
			*ts = st->pending_ts[i];
			return true;
		}
	}
	return false;
}

/* xdpi's additions: the response time of a paired response, names logged cut, EDNS. */
static void put_xdpi(struct xdpi_json *j, const struct dns_msg *m, uint64_t response_us)
{
	if (response_us == UINT64_MAX && !m->truncated && !m->edns)
		return;
	xdpi_json_obj_open(j, "xdpi");
	if (m->edns) {
		xdpi_json_obj_open(j, "edns");
		xdpi_json_u64(j, "udp_payload_size", m->edns_size);
		xdpi_json_u64(j, "version", m->edns_version);
		xdpi_json_bool(j, "do", m->edns_do);
		xdpi_json_obj_close(j);
	}
	if (response_us != UINT64_MAX)
		xdpi_json_u64(j, "response_time_us", response_us);
	if (m->truncated)
		xdpi_json_u64(j, "names_truncated", m->truncated);
	xdpi_json_obj_close(j);
}

/* A message's names for detection: one per line, section after section (questions,
 * answers, authorities, additionals), and the record types of questions and answers. */
struct dns_names {
	char all[4096];
	size_t len, start[5]; /* section k is all[start[k], start[k + 1]) */
};

static void names_add(struct dns_names *nm, const char *name)
{
	size_t n = strlen(name);

	if (nm->len + n + 1 > sizeof(nm->all))
		return;
	memcpy(nm->all + nm->len, name, n);
	nm->len += n;
	nm->all[nm->len++] = '\n';
}

/* Walks the four sections; false if the message is cut short (what was read stays). */
static bool names_walk(const struct dns_msg *m, struct dns_names *nm, struct xdpi_inspect *in)
{
	size_t off = DNS_HDR;
	char name[256];

	for (int k = 0; k < 4; k++) {
		unsigned count = xdpi_rd16(m->p + 4 + 2 * k);

		nm->start[k] = nm->len;
		for (unsigned i = 0; i < count && i < 64; i++) {
			if (read_name(m, &off, name, sizeof(name)) < 0 || off + 4 > m->len)
				return false;
			names_add(nm, name);
			if (k < 2 && in->dns_ntypes < 16)
				in->dns_types[in->dns_ntypes++] = xdpi_rd16(m->p + off);
			if (k == 0) {
				off += 4;
				continue;
			}
			if (off + 10 > m->len)
				return false;
			off += 10 + (size_t)xdpi_rd16(m->p + off + 8);
		}
	}
	nm->start[4] = nm->len;
	return true;
}

static void set_names(struct xdpi_inspect *in, const struct dns_names *nm, bool resp)
{
	static const enum xdpi_buffer sections[4] = {
		XDPI_BUF_DNS_QUERIES_RRNAME, XDPI_BUF_DNS_ANSWERS_RRNAME,
		XDPI_BUF_DNS_AUTHORITIES_RRNAME, XDPI_BUF_DNS_ADDITIONALS_RRNAME,
	};

	for (int k = 0; k < (resp ? 4 : 1); k++)
		if (nm->start[k + 1] > nm->start[k])
			xdpi_inspect_set(in, sections[k], nm->all + nm->start[k],
					 nm->start[k + 1] - nm->start[k]);
	if (resp && nm->len)
		xdpi_inspect_set(in, XDPI_BUF_DNS_RESPONSE_RRNAME, nm->all, nm->len);
}

static void dns_numbers(struct xdpi_inspect *in, const struct dns_msg *m)
{
	in->dns = true;
	in->dns_opcode = (m->p[2] >> 3) & 0x0f;
	in->dns_rcode = m->p[3] & 0x0f;
}

/* What every DNS inspection carries: the sections' names, the numbers, the message. */
static void inspect_base(struct xdpi_inspect *in, const struct dns_msg *m, struct dns_names *nm,
			 bool resp)
{
	names_walk(m, nm, in);
	dns_numbers(in, m);
	set_names(in, nm, resp);
	xdpi_inspect_set(in, XDPI_BUF_PAYLOAD, m->p, m->len);
}

/* Each question of a query, to detection (dns.query and its type, from the one walk of the
 * message; the message is the payload). */
static void inspect_queries(struct xdpi_dissect_ctx *c, const struct dns_msg *m,
			    const struct xdpi_inspect *carrier)
{
	struct dns_names nm = { .len = 0 };
	struct xdpi_inspect all = { .stage = XDPI_STAGE_DNS_QUERY };
	size_t off = 0;

	if (!xdpi_dissect_wants(c, XDPI_STAGE_DNS_QUERY))
		return;
	if (carrier) {
		all = *carrier;
		all.stage = XDPI_STAGE_DNS_QUERY;
	}
	inspect_base(&all, m, &nm, false);
	for (uint8_t i = 0; i < all.dns_ntypes && off < nm.start[1]; i++) {
		const char *name = nm.all + off, *nl = memchr(name, '\n', nm.start[1] - off);
		struct xdpi_inspect in = all;

		if (!nl)
			return;
		in.dns_qtype = all.dns_types[i];
		xdpi_inspect_set(&in, XDPI_BUF_DNS_QUERY, name, (size_t)(nl - name));
		c->inspect(c, &in);
		off += (size_t)(nl - name) + 1;
	}
}

/* A response, once, to detection: its sections' names, rcode, opcode and types. */
static void inspect_response(struct xdpi_dissect_ctx *c, const struct dns_msg *m,
			     const struct xdpi_inspect *carrier)
{
	struct dns_names nm = { .len = 0 };
	struct xdpi_inspect in = { .stage = XDPI_STAGE_DNS_RESPONSE };

	if (!xdpi_dissect_wants(c, XDPI_STAGE_DNS_RESPONSE))
		return;
	if (carrier) {
		in = *carrier;
		in.stage = XDPI_STAGE_DNS_RESPONSE;
	}
	inspect_base(&in, m, &nm, true);
	c->inspect(c, &in);
}

/* One whole message (of this flow's DNS, ST; or carried by CARRIER's transaction): to
 * detection, and an EVE dns event. */
/* Shannon entropy of a label in bits per character. */
static double label_entropy(const char *l, size_t n)
{
	unsigned count[256] = { 0 };
	double h = 0;

	for (size_t i = 0; i < n; i++)
		count[(uint8_t)l[i]]++;
	for (int i = 0; i < 256; i++)
		if (count[i])
			h -= (double)count[i] / (double)n * log2((double)count[i] / (double)n);
	return h;
}

/* A query name whose longest label is long and close to random (a tunnel's encoded data, a
 * generated domain) rather than words. */
static bool suspicious_name(const char *name)
{
	size_t best = 0, at = 0, len = strlen(name);
	const char *l = name;

	for (size_t i = 0; i <= len; i++)
		if (i == len || name[i] == '.') {
			if (i - at > best)
				best = i - at, l = name + at;
			at = i + 1;
		}
	return best >= 24 && label_entropy(l, best) > 3.9;
}

/* What the engine learns from a message beyond its event: the address each answer gave the
 * name the client asked for (its application names the flows that go there later), and a
 * query name that looks generated. */
static void report_names(struct xdpi_dissect_ctx *c, const struct dns_msg *m, bool resp)
{
	char qname[DNS_NAME_MAX], rname[DNS_NAME_MAX];
	size_t off = DNS_HDR;
	uint16_t an = xdpi_rd16(m->p + 6);

	if (xdpi_rd16(m->p + 4) != 1 || read_name(m, &off, qname, sizeof(qname)) != 0 || off + 4 > m->len)
		return;
	if (!resp) {
		if (c->risk && suspicious_name(qname))
			xdpi_dissect_risk(c, XDPI_RISK_DNS_SUSPICIOUS, "query=%.120s", qname);
		return;
	}
	off += 4;
	for (uint16_t i = 0; i < an && c->dns_answer; i++) {
		uint16_t type, rdlen;

		if (read_name(m, &off, rname, sizeof(rname)) < 0 || off + 10 > m->len)
			return;
		type = xdpi_rd16(m->p + off), rdlen = xdpi_rd16(m->p + off + 8);
		if (off + 10 + rdlen > m->len)
			return;
		if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16))
			c->dns_answer(c, qname, m->p + off + 10, rdlen);
		off += 10 + (size_t)rdlen;
	}
}

static enum xdpi_dissect_status dns_message(struct xdpi_dissect_ctx *c, struct dns_state *st,
					    const struct xdpi_inspect *carrier, const uint8_t *p,
					    size_t len)
{
	struct dns_msg m = { .p = p, .len = len };
	struct xdpi_json *j;
	size_t off = DNS_HDR;
	bool resp, ok;
	uint16_t id;
	uint64_t qts = 0;

	if (len < DNS_HDR)
		return XDPI_DISSECT_MALFORMED;
	id = xdpi_rd16(p);
	resp = p[2] & 0x80;
	if (!resp)
		inspect_queries(c, &m, carrier);
	else
		inspect_response(c, &m, carrier);
	j = c->event_begin(c, "dns");
	xdpi_json_obj_open(j, "dns");
	xdpi_json_u64(j, "version", 3);
	xdpi_json_str(j, "type", resp ? "response" : "request");
	xdpi_json_u64(j, "tx_id", st->tx_id++);
	xdpi_json_u64(j, "id", id);
	put_flags(j, p);
	ok = put_queries(j, &m, &off, xdpi_rd16(p + 4)) == 0 &&
	     put_section(j, &m, &off, xdpi_rd16(p + 6), "answers") == 0 &&
	     put_section(j, &m, &off, xdpi_rd16(p + 8), "authorities") == 0 &&
	     put_section(j, &m, &off, xdpi_rd16(p + 10), "additionals") == 0;
	xdpi_json_obj_close(j);
	if (resp && take_query(st, id, &qts) && c->ts >= qts)
		put_xdpi(j, &m, (c->ts - qts) / 1000);
	else
		put_xdpi(j, &m, UINT64_MAX);
	if (!resp)
		remember_query(st, id, c->ts);
	c->event_end(c);
	report_names(c, &m, resp);
	return ok ? XDPI_DISSECT_OK : XDPI_DISSECT_MALFORMED;
}

/* TCP: 2-byte length, then the message; several per segment, or one across segments. */
static enum xdpi_dissect_status dns_tcp(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len)
{
	struct dns_state *st = c->state;
	enum xdpi_dissect_status rc = XDPI_DISSECT_OK;
	uint8_t d = c->dir & 1;
	struct dns_tcp *t = st->tcp;

	if (!t && !(t = st->tcp = calloc(1, sizeof(*t))))
		return XDPI_DISSECT_MALFORMED;
	if (c->gap)
		t->len[d] = 0; /* lost our place: resynchronise on what follows */
	while (len) {
		uint32_t have = t->len[d], need;
		size_t take;

		need = have >= 2 ? 2u + xdpi_rd16(t->buf[d]) : 2u;
		if (!xdpi_grow(&t->buf[d], &t->cap[d], need, DNS_TCP_BUF))
			return XDPI_DISSECT_MALFORMED;
		take = need - have < len ? need - have : len;
		memcpy(t->buf[d] + have, buf, take);
		t->len[d] += (uint32_t)take;
		buf += take, len -= take;
		if (t->len[d] == 2 && xdpi_rd16(t->buf[d]) == 0)
			t->len[d] = 0; /* an empty message: skip */
		else if (t->len[d] > 2 && t->len[d] == 2u + xdpi_rd16(t->buf[d])) {
			if (dns_message(c, st, NULL, t->buf[d] + 2, t->len[d] - 2) != XDPI_DISSECT_OK)
				rc = XDPI_DISSECT_MALFORMED;
			t->len[d] = 0;
		}
	}
	return rc;
}

/* Multicast DNS (RFC 6762) and LLMNR (RFC 4795) are DNS's messages on their own ports: the
 * flow is named for them, the events stay dns. */
static const char *dns_variant(const struct xdpi_flow *f)
{
	uint16_t a = ntohs(f->key.port_a), b = ntohs(f->key.port_b);

	if (a == 5353 || b == 5353)
		return "mdns";
	if (a == 5355 || b == 5355)
		return "llmnr";
	return NULL;
}

static enum xdpi_dissect_status dns_parse(struct xdpi_dissect_ctx *c, const uint8_t *buf, size_t len)
{
	c->app_proto = c->flow ? dns_variant(c->flow) : NULL;
	if (c->steer) /* every message is a transaction: all of them (asking again is free) */
		c->steer(c, XDPI_MSG_COPY, 0);
	if (c->l4 == XDPI_L4_TCP)
		return dns_tcp(c, buf, len);
	return dns_message(c, c->state, NULL, buf, len);
}

bool xdpi_dns_carried(struct xdpi_dissect_ctx *c, const struct xdpi_inspect *carrier,
		      const uint8_t *p, size_t len, uint64_t tx_id)
{
	struct dns_state st = { .tx_id = tx_id }; /* pairing is the carrier's (its stream) */

	return dns_message(c, &st, carrier, p, len) == XDPI_DISSECT_OK;
}

static void dns_flow_end(struct xdpi_dissect_ctx *c)
{
	struct dns_state *st = c->state;

	if (st->tcp) {
		free(st->tcp->buf[0]);
		free(st->tcp->buf[1]);
		free(st->tcp);
		st->tcp = NULL;
	}
}

const struct xdpi_dissector xdpi_dissector_dns = {
	.name = "dns",
	.l4 = XDPI_L4_UDP | XDPI_L4_TCP,
	.ports = { 53, 5353, 5355 },
	.state_size = sizeof(struct dns_state),
	.probe = dns_probe,
	.parse = dns_parse,
	.flow_end = dns_flow_end,
};
