// SPDX-License-Identifier: GPL-2.0
/* EVE flow events, field for field as Suricata names them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "xdpi/appid.h"
#include "xdpi/bytes.h"
#include "shared/xdpi_abi.h"
#include "xdpi/community_id.h"
#include "xdpi/context.h"
#include "xdpi/decode.h"
#include "xdpi/dissect.h"
#include "xdpi/eve.h"
#include "xdpi/pkt.h"

static void put_community_id(struct xdpi_json *j, const struct xdpi_flow *f)
{
	struct xdpi_endpoints ep = xdpi_flow_endpoints(f);
	struct xdpi_cid_input in = {
		.family = f->key.family,
		.proto = f->key.proto,
		.sport = ep.sport,
		.dport = ep.dport,
		.icmp_type = f->icmp_type,
		.icmp_code = f->icmp_code,
	};
	char cid[64];

	memcpy(in.saddr, ep.src, 16);
	memcpy(in.daddr, ep.dst, 16);
	if (xdpi_community_id(&in, 0, cid, sizeof(cid)) == 0)
		xdpi_json_str(j, "community_id", cid);
}

static const char *flow_state(const struct xdpi_flow *f)
{
	if (f->key.proto == XDPI_IPPROTO_TCP) {
		if (f->tcp_state == XDPI_TCP_CLOSED)
			return "closed";
		if (f->tcp_state >= XDPI_TCP_ESTABLISHED)
			return "established";
		return "new";
	}
	return f->pkts[0] && f->pkts[1] ? "established" : "new";
}

static void put_tcp_flags(struct xdpi_json *j, const char *key, uint8_t fl)
{
	char buf[4];

	snprintf(buf, sizeof(buf), "%02x", fl);
	xdpi_json_str(j, key, buf);
}

static void put_tcp(struct xdpi_json *j, const struct xdpi_flow *f)
{
	uint8_t ts = f->tcp_flags[f->initiator], tc = f->tcp_flags[!f->initiator], all = ts | tc;
	static const struct {
		uint8_t bit;
		const char *name;
	} bits[] = { { 0x01, "fin" }, { 0x02, "syn" }, { 0x04, "rst" }, { 0x08, "psh" },
		     { 0x10, "ack" }, { 0x20, "urg" }, { 0x40, "ecn" }, { 0x80, "cwr" } };

	xdpi_json_obj_open(j, "tcp");
	put_tcp_flags(j, "tcp_flags", all);
	put_tcp_flags(j, "tcp_flags_ts", ts);
	put_tcp_flags(j, "tcp_flags_tc", tc);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (all & bits[i].bit)
			xdpi_json_bool(j, bits[i].name, true);
	xdpi_json_str(j, "state", xdpi_tcp_state_name(f->tcp_state));
	xdpi_json_obj_close(j);
}

/* A counter since the bypass; an active-timeout cut after it restarts the count there. */
static uint64_t since_bypass(uint64_t now, uint64_t at_bypass, uint64_t reported)
{
	uint64_t from = at_bypass > reported ? at_bypass : reported;

	return now > from ? now - from : 0;
}

/* Suricata's names: "capture" bypass is the capture method's (here the kernel's). */
static void put_bypassed(struct xdpi_json *j, const struct xdpi_flow *f)
{
	uint8_t cl = f->initiator, sv = !f->initiator;
	static const struct xdpi_flow_extra none;
	const struct xdpi_flow_extra *m = f->extra ? f->extra : &none;

	xdpi_json_str(j, "bypass", "capture");
	xdpi_json_obj_open(j, "bypassed");
	xdpi_json_u64(j, "pkts_toserver", since_bypass(f->pkts[cl], m->bypass_pkts[cl], m->base_pkts[cl]));
	xdpi_json_u64(j, "pkts_toclient", since_bypass(f->pkts[sv], m->bypass_pkts[sv], m->base_pkts[sv]));
	xdpi_json_u64(j, "bytes_toserver",
		      since_bypass(f->bytes[cl], m->bypass_bytes[cl], m->base_bytes[cl]));
	xdpi_json_u64(j, "bytes_toclient",
		      since_bypass(f->bytes[sv], m->bypass_bytes[sv], m->base_bytes[sv]));
	xdpi_json_obj_close(j);
}

/* Protocols that are their IP protocol number: a flow of them is named by its header. */
static const char *ip_proto_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 4: return "ipip";
	case 41: return "ipv6_in_ip";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "icmpv6";
	case 88: return "eigrp";
	case 89: return "ospf";
	case 103: return "pim";
	case 112: return "vrrp";
	case 115: return "l2tp";
	case 132: return "sctp";
	}
	return NULL;
}

/* Nothing recognised the flow's bytes: a protocol registered on one of its ports, a guess
 * said as one (xdpi.app.by "port"). */
static const char *port_guess(const struct xdpi_flow *f)
{
	uint16_t a = ntohs(f->key.port_a), b = ntohs(f->key.port_b);
	uint8_t l4 = f->key.proto == XDPI_IPPROTO_TCP ? XDPI_L4_TCP : XDPI_L4_UDP;
	const struct xdpi_ident *id;

	for (size_t i = 0; i < xdpi_dissectors_count(); i++) {
		const struct xdpi_dissector *d = xdpi_dissector_at(i);

		if ((d->l4 & l4) && xdpi_ident_port_in(d->ports, a < b ? a : b, a < b ? a : b))
			return d->name;
	}
	id = xdpi_ident_by_port(l4, a, b);
	return id ? id->name : NULL;
}

/* The risk's evidence as the application layer noted it, or as the record itself shows. */
static void put_risk(struct xdpi_json *j, const struct xdpi_flow *f, enum xdpi_risk r,
		     const char *notes)
{
	const char *name = xdpi_risk_name(r), *at, *end;
	size_t nl = strlen(name);
	char ev[64];

	xdpi_json_obj_open(j, NULL);
	xdpi_json_str(j, "risk", name);
	for (at = notes; at && *at; at = end ? end + 1 : NULL) {
		end = strchr(at, '\n');
		if (!strncmp(at, name, nl) && at[nl] == '\t') {
			xdpi_json_strn(j, "evidence", at + nl + 1, (size_t)((end ? end : at + strlen(at)) - at) - nl - 1);
			xdpi_json_obj_close(j);
			return;
		}
	}
	if (r == XDPI_RISK_UNIDIRECTIONAL) {
		snprintf(ev, sizeof(ev), "pkts_toserver=%llu pkts_toclient=0",
			 (unsigned long long)f->pkts[f->initiator]);
		xdpi_json_str(j, "evidence", ev);
	}
	xdpi_json_obj_close(j);
}

/* xdpi.app (what named the protocol, the application and where its name came from) and
 * xdpi.risks (each with its evidence). */
static void put_app(struct xdpi_json *j, const struct xdpi_flow *f, const char *notes)
{
	const struct xdpi_app *app = f->app_name ? xdpi_apps_at(f->app_name - 1u) : NULL;
	bool l4 = f->key.proto == XDPI_IPPROTO_TCP || f->key.proto == XDPI_IPPROTO_UDP;
	const char *proto = NULL, *by = NULL;

	if (f->app_by == XDPI_APP_BY_CONTENT && f->app_proto)
		proto = f->app_proto, by = "content";
	else if (!l4 && (proto = ip_proto_name(f->key.proto)))
		by = "ip_protocol";
	else if (l4 && (proto = port_guess(f)))
		by = "port";
	if (proto || app) {
		xdpi_json_obj_open(j, "app");
		if (proto) {
			xdpi_json_str(j, "protocol", proto);
			xdpi_json_str(j, "by", by);
		}
		if (app) {
			xdpi_json_str(j, "name", app->name);
			if (app->category)
				xdpi_json_str(j, "category", app->category);
			xdpi_json_str(j, "name_from", xdpi_app_source_name(f->app_from));
		}
		xdpi_json_obj_close(j);
	}
	if (!f->risks)
		return;
	xdpi_json_arr_open(j, "risks");
	for (int r = 0; r < XDPI_RISK_MAX; r++)
		if (f->risks & (1u << r))
			put_risk(j, f, (enum xdpi_risk)r, notes);
	xdpi_json_arr_close(j);
}

void xdpi_eve_flow(struct xdpi_json *j, const struct xdpi_eve_ctx *c, const struct xdpi_flow *f,
		   enum xdpi_flow_end why, const char *risk_notes)
{
	uint8_t cl = f->initiator, sv = !f->initiator;
	char start[40], end[40];

	xdpi_eve_begin(j, c, f->last_ns, "flow", f);
	if (f->key.proto == XDPI_IPPROTO_ICMP || f->key.proto == XDPI_IPPROTO_ICMPV6) {
		xdpi_json_u64(j, "icmp_type", f->icmp_type);
		xdpi_json_u64(j, "icmp_code", f->icmp_code);
	}
	xdpi_json_str(j, "app_proto", f->app_proto ? f->app_proto : "unknown");
	if (f->app_proto_orig)
		xdpi_json_str(j, "app_proto_orig", f->app_proto_orig);
	put_community_id(j, f);
	xdpi_eve_time(start, sizeof(start), f->record_start_ns + (uint64_t)c->wall_offset_ns);
	xdpi_eve_time(end, sizeof(end), f->last_ns + (uint64_t)c->wall_offset_ns);
	xdpi_json_obj_open(j, "flow");
	xdpi_json_u64(j, "pkts_toserver", f->pkts[cl] - xdpi_flow_base_pkts(f, cl));
	xdpi_json_u64(j, "pkts_toclient", f->pkts[sv] - xdpi_flow_base_pkts(f, sv));
	xdpi_json_u64(j, "bytes_toserver", f->bytes[cl] - xdpi_flow_base_bytes(f, cl));
	xdpi_json_u64(j, "bytes_toclient", f->bytes[sv] - xdpi_flow_base_bytes(f, sv));
	xdpi_json_str(j, "start", start);
	xdpi_json_str(j, "end", end);
	xdpi_json_u64(j, "age", (f->last_ns - f->record_start_ns) / XDPI_NS_PER_SEC);
	xdpi_json_str(j, "state", flow_state(f));
	xdpi_json_str(j, "reason", xdpi_flow_end_name(why));
	xdpi_json_bool(j, "alerted", f->alerted);
	if (f->bypassed)
		put_bypassed(j, f);
	xdpi_json_obj_close(j);
	if (f->key.proto == XDPI_IPPROTO_TCP)
		put_tcp(j, f);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_json_str(j, "counted_by", f->kernel ? "kernel" : "user");
	if (f->kernel)
		xdpi_json_str(j, "steer", xdpi_steer_name(f->steer));
	xdpi_json_u64(j, "pkts_inspected", f->user_pkts);
	put_app(j, f, risk_notes);
	xdpi_eve_put_xdpi_tunnel(j, f);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
}

static const char *drop_reason_name(uint8_t r)
{
	switch (r) {
	case XDPI_DROP_POLICY:
		return "policy";
	case XDPI_DROP_RATE_PKTS:
		return "rate_limit_pkts";
	case XDPI_DROP_RATE_BYTES:
		return "rate_limit_bytes";
	case XDPI_DROP_SYN_FLOOD:
		return "syn_flood";
	case XDPI_DROP_ICMP_FLOOD:
		return "icmp_flood";
	case XDPI_DROP_PORT_RULE:
		return "port_rule";
	}
	return "unknown";
}

static const char *drop_hook_name(uint8_t hook)
{
	static const char *const names[] = {
		[XDPI_HOOK_XDP] = "xdp",
		[XDPI_HOOK_TC_EGRESS] = "tc_egress",
		[XDPI_HOOK_TC_INGRESS] = "tc_ingress",
	};

	return hook < sizeof(names) / sizeof(names[0]) ? names[hook] : "xdp";
}

/* Suricata's drop object, from what the decoder keeps of the headers. */
static void put_drop(struct xdpi_json *j, const struct xdpi_pkt *pkt, const struct xdpi_decoded *d)
{
	xdpi_json_obj_open(j, "drop");
	xdpi_json_u64(j, "len", pkt->orig_len > d->l3_off ? pkt->orig_len - d->l3_off : 0);
	if (d->proto == XDPI_IPPROTO_TCP) {
		xdpi_json_u64(j, "tcpseq", d->tcp_seq);
		xdpi_json_u64(j, "tcpack", d->tcp_ack);
		xdpi_json_u64(j, "tcpwin", d->tcp_win);
		xdpi_json_bool(j, "syn", d->tcp_flags & 0x02);
		xdpi_json_bool(j, "ack", d->tcp_flags & 0x10);
		xdpi_json_bool(j, "psh", d->tcp_flags & 0x08);
		xdpi_json_bool(j, "rst", d->tcp_flags & 0x04);
		xdpi_json_bool(j, "urg", d->tcp_flags & 0x20);
		xdpi_json_bool(j, "fin", d->tcp_flags & 0x01);
	} else if (d->proto == XDPI_IPPROTO_UDP) {
		xdpi_json_u64(j, "udplen", d->payload_wire + 8);
	} else if ((d->proto == XDPI_IPPROTO_ICMP || d->proto == XDPI_IPPROTO_ICMPV6) && (d->icmp_type == 0 || d->icmp_type == 8 ||
							  d->icmp_type == 128 || d->icmp_type == 129)) {
		xdpi_json_u64(j, "icmp_id", d->sport);
	}
	xdpi_json_str(j, "reason", drop_reason_name(pkt->drop_reason));
	xdpi_json_obj_close(j);
}

void xdpi_eve_drop(struct xdpi_json *j, const struct xdpi_eve_ctx *c, const struct xdpi_pkt *pkt,
		   const struct xdpi_decoded *d)
{
	struct xdpi_flow f = { 0 };
	struct xdpi_flow_tunnel tun = { .outer = d->outer, .id = d->tun_id, .depth = d->tun_depth };
	struct xdpi_flow_extra x = { .tun = &tun };

	f.initiator = xdpi_flow_key_from(d, &f.key); /* src_* is the dropped packet's sender */
	f.first_ns = pkt->ts_ns;
	if (d->tun_depth)
		f.extra = &x; /* dropped inside a tunnel: its outer endpoints */
	xdpi_eve_begin(j, c, pkt->ts_ns, "drop", &f);
	put_drop(j, pkt, d);
	xdpi_json_obj_open(j, "xdpi");
	xdpi_json_u64(j, "rule_id", pkt->drop_rule);
	xdpi_json_str(j, "hook", drop_hook_name(pkt->hook));
	xdpi_json_bool(j, "sampled", true);
	xdpi_json_obj_close(j);
	xdpi_json_obj_close(j);
}
