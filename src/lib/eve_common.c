// SPDX-License-Identifier: GPL-2.0
/* What every EVE event starts with (timestamp, flow_id, in_iface, event_type, the flow's ends,
 * proto) and the small formatters the event writers of every layer share. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "xdpi/bytes.h"
#include "shared/xdpi_abi.h"
#include "xdpi/eve.h"
#include "xdpi/flow.h"
#include "xdpi/decode.h"
#include "xdpi/fmt.h"

void xdpi_eve_time(char *buf, size_t n, uint64_t wall_ns)
{
	/* events come in bursts within one second: its text is made once per thread */
	static _Thread_local time_t cached_secs = -1;
	static _Thread_local char base[32];
	time_t secs = (time_t)(wall_ns / 1000000000ull);
	unsigned usec = (unsigned)(wall_ns % 1000000000ull / 1000);

	if (n < 32)
		return;
	if (secs != cached_secs) {
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_secs = secs;
	}
	memcpy(buf, base, 19);
	buf[19] = '.';
	for (int i = 25; i >= 20; i--, usec /= 10)
		buf[i] = (char)('0' + usec % 10);
	memcpy(buf + 26, "+0000", 6);
}

const char *xdpi_proto_name(uint8_t proto, char *buf, size_t n)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 4:
		return "IPv4"; /* IP in IP: a tunnel's carrier */
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 41:
		return "IPv6";
	case 47:
		return "GRE";
	case 58:
		return "IPv6-ICMP";
	case 132:
		return "SCTP";
	}
	snprintf(buf, n, "%u", proto);
	return buf;
}

const char *xdpi_steer_name(uint8_t steer)
{
	static const char *const names[] = {
		[XDPI_STEER_PASS] = "pass", [XDPI_STEER_HEAD] = "head", [XDPI_STEER_SNIP] = "snip",
		[XDPI_STEER_MSG] = "msg",
		[XDPI_STEER_FULL] = "full", [XDPI_STEER_BYPASS] = "bypass", [XDPI_STEER_DROP] = "drop",
	};

	return steer < XDPI_STEER_MAX ? names[steer] : "unknown";
}

int xdpi_steer_from_name(const char *name)
{
	for (int i = 0; i < XDPI_STEER_MAX; i++)
		if (!strcmp(xdpi_steer_name((uint8_t)i), name))
			return i;
	return -1;
}

uint64_t xdpi_eve_flow_id(const struct xdpi_flow *f)
{
	uint64_t h = (uint64_t)xdpi_flow_key_hash(&f->key) << 20 ^ f->first_ns ^ f->first_ns >> 29;

	h *= 0x9e3779b97f4a7c15ull;
	return (h >> 13) & ((1ull << 51) - 1);
}

struct xdpi_endpoints xdpi_flow_endpoints(const struct xdpi_flow *f)
{
	bool a_is_client = f->initiator == 0;
	struct xdpi_endpoints e = {
		.src = a_is_client ? f->key.addr_a : f->key.addr_b,
		.dst = a_is_client ? f->key.addr_b : f->key.addr_a,
		.sport = ntohs(a_is_client ? f->key.port_a : f->key.port_b),
		.dport = ntohs(a_is_client ? f->key.port_b : f->key.port_a),
	};

	return e;
}

const char *xdpi_addr_str(uint8_t family, const void *addr, char *buf, size_t n)
{
	if (family != 6 && n >= 16) { /* every event has two: without stdio (inet_ntop's) */
		xdpi_fmt_ip4(buf, addr);
		return buf;
	}
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)n))
		snprintf(buf, n, "?");
	return buf;
}

void xdpi_eve_put_ip(struct xdpi_json *j, const char *key, const struct xdpi_flow *f,
		   const uint32_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	xdpi_json_str(j, key, xdpi_addr_str(f->key.family, addr, buf, sizeof(buf)));
}

bool xdpi_proto_has_ports(uint8_t proto)
{
	return proto == XDPI_IPPROTO_TCP || proto == XDPI_IPPROTO_UDP || proto == XDPI_IPPROTO_SCTP;
}


/* Suricata's tunnel object: the outermost packet's endpoints and how many tunnels deep. */
static void put_tunnel(struct xdpi_json *j, const struct xdpi_flow_tunnel *t)
{
	const struct xdpi_tun_outer *o = &t->outer;
	char buf[INET6_ADDRSTRLEN], pbuf[8];

	xdpi_json_obj_open(j, "tunnel");
	xdpi_json_str(j, "src_ip", xdpi_addr_str(o->family, o->saddr, buf, sizeof(buf)));
	if (o->sport || o->dport)
		xdpi_json_u64(j, "src_port", o->sport);
	xdpi_json_str(j, "dest_ip", xdpi_addr_str(o->family, o->daddr, buf, sizeof(buf)));
	if (o->sport || o->dport)
		xdpi_json_u64(j, "dest_port", o->dport);
	xdpi_json_str(j, "proto", xdpi_proto_name(o->proto, pbuf, sizeof(pbuf)));
	xdpi_json_u64(j, "depth", t->depth);
	xdpi_json_obj_close(j);
}

void xdpi_eve_put_xdpi_tunnel(struct xdpi_json *j, const struct xdpi_flow *f)
{
	static const char *const id_names[XDPI_TUN_MAX] = {
		[XDPI_TUN_VXLAN] = "vni", [XDPI_TUN_GENEVE] = "vni", [XDPI_TUN_GRE] = "key",
		[XDPI_TUN_ERSPAN] = "session_id", [XDPI_TUN_GTPU] = "teid",
	};
	const char *name = xdpi_tunnel_name(f->key.tun_type);
	const struct xdpi_flow_tunnel *t = f->extra ? f->extra->tun : NULL;
	uint32_t id = t ? t->id : f->key.tun_id;

	if (!name)
		return;
	xdpi_json_obj_open(j, "tunnel");
	xdpi_json_str(j, "type", name);
	if (id_names[f->key.tun_type] && (id || f->key.tun_type != XDPI_TUN_GRE))
		xdpi_json_u64(j, id_names[f->key.tun_type], id);
	xdpi_json_obj_close(j);
}

void xdpi_eve_begin(struct xdpi_json *j, const struct xdpi_eve_ctx *c, uint64_t ts,
		    const char *event_type, const struct xdpi_flow *f)
{
	xdpi_eve_begin_dir(j, c, ts, event_type, f, false);
}

void xdpi_eve_begin_dir(struct xdpi_json *j, const struct xdpi_eve_ctx *c, uint64_t ts,
			const char *event_type, const struct xdpi_flow *f, bool to_client)
{
	char tbuf[40], pbuf[8];
	struct xdpi_endpoints ep;

	xdpi_eve_time(tbuf, sizeof(tbuf), ts + (uint64_t)c->wall_offset_ns);
	xdpi_json_obj_open(j, NULL);
	xdpi_json_str(j, "timestamp", tbuf);
	if (f)
		xdpi_json_u64(j, "flow_id", xdpi_eve_flow_id(f));
	if (c->in_iface)
		xdpi_json_str(j, "in_iface", c->in_iface);
	xdpi_json_str(j, "event_type", event_type);
	if (!f)
		return;
	if (f->key.vlan) {
		xdpi_json_arr_open(j, "vlan");
		xdpi_json_u64(j, NULL, f->key.vlan);
		xdpi_json_arr_close(j);
	}
	ep = xdpi_flow_endpoints(f);
	if (to_client) {
		const uint32_t *a = ep.src;
		uint16_t p = ep.sport;

		ep.src = ep.dst, ep.sport = ep.dport;
		ep.dst = a, ep.dport = p;
	}
	xdpi_eve_put_ip(j, "src_ip", f, ep.src);
	if (xdpi_proto_has_ports(f->key.proto))
		xdpi_json_u64(j, "src_port", ep.sport);
	xdpi_eve_put_ip(j, "dest_ip", f, ep.dst);
	if (xdpi_proto_has_ports(f->key.proto))
		xdpi_json_u64(j, "dest_port", ep.dport);
	xdpi_json_str(j, "proto", xdpi_proto_name(f->key.proto, pbuf, sizeof(pbuf)));
	if (f->extra && f->extra->tun)
		put_tunnel(j, f->extra->tun);
	if (f->proc && c->process_json) { /* written into the xdpi object as it closes */
		j->xdpi_extra = c->process_json;
		j->xdpi_extra_ctx = (void *)f;
	}
}

