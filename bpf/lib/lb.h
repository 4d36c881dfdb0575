/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The balancer, in XDP after policy, limits and flow accounting (so a blocked source or a
 * flood at a VIP is dropped before it is forwarded, and the flow is counted and steered as any
 * other): a packet to a virtual service keeps the backend its connection has (lb_conns) or
 * gets one from the service's Maglev table, is wrapped in IP-in-IP (IPv4 or IPv6 outside,
 * either inside) and leaves by XDP_TX or a redirect toward the backend, which answers the
 * client directly (direct server return). An ICMP "fragmentation needed" / "packet too big"
 * sent to a VIP goes to the backend of the connection it quotes. Health checks leave through
 * TC with a mark and are wrapped there (lb_tc_encap), so they test the path clients take.
 * A backend host unwraps with --lb-decap (lb_decap) or an ipip device. */
#ifndef XDPI_BPF_LB_H
#define XDPI_BPF_LB_H

#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/consts.h"
#include "lib/verdict.h"
#include "shared/xdpi_lb.h"

static __always_inline struct xdpi_lb_cfg *lb_cfg_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lb_cfg, &zero);
}

#ifdef XDPI_BUILD_XDP
#define LB_AF_INET 2
#define LB_AF_INET6 10
#define LB_L2_MAX 22 /* Ethernet and two VLAN tags: the frame the balancer reads from */

/* An ICMP error for a VIP (fragmentation needed, packet too big): the quoted packet went from
 * the VIP to the client, so its reversed tuple is the connection's. 1 with VK, CK filled. */
static __always_inline int lb_icmp_keys(struct xdp_md *ctx, const struct xdpi_meta *m,
					struct xdpi_lb_vip_key *vk, struct xdpi_lb_conn_key *ck)
{
	__u8 q[44];

	if (!((m->proto == IPPROTO_ICMP && m->icmp_type == 3 && m->icmp_code == 4) ||
	      (m->proto == IPPROTO_ICMPV6 && m->icmp_type == 2)))
		return 0;
	if (bpf_xdp_load_bytes(ctx, m->end_off, q, m->family == 4 ? 24 : 44))
		return 0;
	if (m->family == 4) {
		if (q[0] != 0x45)
			return 0; /* options in the quoted header: rare; left to the host */
		__builtin_memcpy(&vk->addr[0], q + 12, 4);
		__builtin_memcpy(&ck->saddr[0], q + 16, 4);
		vk->proto = q[9];
		__builtin_memcpy(&vk->port, q + 20, 2);
		__builtin_memcpy(&ck->sport, q + 22, 2);
	} else {
		if ((q[0] >> 4) != 6)
			return 0;
		__builtin_memcpy(vk->addr, q + 8, 16);
		__builtin_memcpy(ck->saddr, q + 24, 16);
		vk->proto = q[6];
		__builtin_memcpy(&vk->port, q + 40, 2);
		__builtin_memcpy(&ck->sport, q + 42, 2);
	}
	vk->family = m->family;
	ck->dport = vk->port;
	__builtin_memcpy(ck->daddr, vk->addr, 16);
	ck->proto = vk->proto;
	ck->family = m->family;
	return 1;
}

static __always_inline void lb_keys(const struct xdpi_meta *m, struct xdpi_lb_vip_key *vk,
				    struct xdpi_lb_conn_key *ck)
{
	__builtin_memcpy(vk->addr, m->daddr, 16);
	vk->port = m->dport;
	vk->proto = m->proto;
	vk->family = m->family;
	__builtin_memcpy(ck->saddr, m->saddr, 16);
	__builtin_memcpy(ck->daddr, m->daddr, 16);
	ck->sport = m->sport;
	ck->dport = m->dport;
	ck->proto = m->proto;
	ck->family = m->family;
}

static __always_inline void lb_bcount(__u32 id, __u32 c, __u64 n)
{
	struct xdpi_lb_backend_stats *bs = bpf_map_lookup_elem(&lb_backend_stats, &id);

	if (bs && c < XDPI_LB_BC_MAX)
		bs->c[c] += n;
}

static __always_inline void lb_scount(struct xdpi_lb_svc_stats *ss, __u32 c, __u64 n)
{
	if (c < XDPI_LB_SC_MAX)
		ss->c[c] += n;
}

/* A client's reset on a connection the table maps: a passive signal of its backend. */
static __always_inline void lb_signals(struct xdpi_lb_conn *c, __u8 flags)
{
	if (flags & TCP_RST)
		lb_bcount(c->backend, XDPI_LB_BC_CLIENT_RST, 1);
}

/* The backend of connection CK to service SVC: the connection table's, while that backend is
 * still configured for the service (weight 0 included: draining keeps established
 * connections); else, and for every SYN (a new connection follows the current table, a
 * drained backend gets none), the Maglev table's, remembered (not for ICMP errors, which join
 * what exists). The same SYN (its sequence number) again within XDPI_LB_SYN_RETRANS_NS is the
 * client retrying: counted for the backend that did not answer. XDPI_LB_NONE: the service has no backend. */
static __always_inline __u32 lb_pick(struct xdpi_lb_conn_key *ck, __u32 svc, __u32 hash,
				     const struct xdpi_meta *m, __u64 now, int icmp,
				     struct xdpi_lb_svc_stats *ss)
{
	struct xdpi_lb_conn *c = bpf_map_lookup_elem(&lb_conns, ck);
	struct xdpi_lb_conn fresh = {};
	struct xdpi_lb_backend *b;
	__u32 slot = xdpi_lb_slot(hash), *id;
	int syn = !icmp && m->proto == IPPROTO_TCP &&
		  (m->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	void *ring;

	if (c && syn) { /* a SYN opens a connection: the current table decides */
		if (c->syn_ns && c->syn_seq == m->tcp_seq &&
		    now - c->syn_ns < XDPI_LB_SYN_RETRANS_NS) {
			lb_bcount(c->backend, XDPI_LB_BC_SYN_RETRANS, 1); /* a retry */
			fresh.syn_ns = c->syn_ns;
		}
		c = NULL;
	}
	if (c) {
		b = bpf_map_lookup_elem(&lb_backends, &c->backend);
		if (b && b->state == XDPI_LB_CONFIGURED && b->service == svc) {
			lb_scount(ss, XDPI_LB_SC_CONN_HIT, 1);
			if (!icmp && m->proto == IPPROTO_TCP)
				lb_signals(c, m->tcp_flags);
			return c->backend;
		}
		lb_scount(ss, XDPI_LB_SC_CONN_REBALANCED, 1); /* its backend was removed */
	}
	ring = bpf_map_lookup_elem(&lb_rings, &svc);
	if (!ring)
		return XDPI_LB_NONE;
	id = bpf_map_lookup_elem(ring, &slot);
	if (!id || *id >= XDPI_LB_BACKENDS_MAX)
		return XDPI_LB_NONE;
	if (icmp)
		return *id;
	fresh.backend = *id;
	fresh.syn_seq = syn ? m->tcp_seq : 0;
	if (syn && fresh.syn_ns) { /* the retry keeps its first SYN's time */
		bpf_map_update_elem(&lb_conns, ck, &fresh, BPF_ANY);
		return *id;
	}
	fresh.syn_ns = syn ? now : 0;
	bpf_map_update_elem(&lb_conns, ck, &fresh, BPF_ANY);
	lb_scount(ss, XDPI_LB_SC_CONN_NEW, 1);
	lb_bcount(*id, XDPI_LB_BC_CONN_NEW, 1);
	return *id;
}

/* The inner packet's length by its own header, and its TOS / traffic class. */
static __always_inline int lb_inner(struct xdp_md *ctx, __u32 l3, __u8 family, __u32 *len,
				    __u8 *tos)
{
	__u8 h[6];

	if (bpf_xdp_load_bytes(ctx, l3, h, sizeof(h)))
		return -1;
	if (family == 4) {
		*tos = h[1];
		*len = (__u32)h[2] << 8 | h[3];
	} else {
		*tos = (__u8)(h[0] << 4 | h[1] >> 4);
		*len = 40 + ((__u32)h[4] << 8 | h[5]);
	}
	return 0;
}

/* Wraps the packet (its network header at L3) for backend B: a fresh Ethernet header (the
 * old addresses kept until the route's are known) and the outer IP header. 0; -1 when the
 * result would exceed the configured MTU; -2 when the frame could not be grown. */
static __always_inline int lb_encap(struct xdp_md *ctx, __u32 l3, __u8 family,
				    const struct xdpi_lb_backend *b, const struct xdpi_lb_cfg *cfg,
				    __u32 hash)
{
	__u8 macs[12], tos = 0, next = family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	__u32 inner_len = 0, olen = b->family == 4 ? 20 : 40;
	void *data, *end;
	__u8 *eth;

	if (l3 > LB_L2_MAX || lb_inner(ctx, l3, family, &inner_len, &tos))
		return -2;
	if (inner_len + olen > cfg->mtu)
		return -1;
	if (bpf_xdp_load_bytes(ctx, 0, macs, sizeof(macs)))
		return -2;
	if (bpf_xdp_adjust_head(ctx, (int)l3 - (int)(ETH_HLEN + olen)))
		return -2;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + ETH_HLEN + 40) > end)
		return -2;
	__builtin_memcpy(eth, macs, sizeof(macs));
	if (b->family == 4) {
		eth[12] = 0x08;
		eth[13] = 0x00;
		xdpi_lb_outer4(eth + ETH_HLEN, xdpi_lb_src4(cfg, hash), b->addr[0], inner_len, tos,
			       next);
	} else {
		__u32 src[4] = { cfg->src6[0], cfg->src6[1], cfg->src6[2],
				 cfg->src6[3] | (hash & cfg->src6_host) };

		eth[12] = 0x86;
		eth[13] = 0xdd;
		xdpi_lb_outer6(eth + ETH_HLEN, src, b->addr, inner_len, tos, next, hash);
	}
	return 0;
}

/* Sends the wrapped packet toward its outer destination: the route's next hop and addresses
 * (bpf_fib_lookup), out of this interface (XDP_TX) or another (redirect). Without a resolved
 * neighbour the host's stack forwards it (it resolves one; forwarding must be on). */
static __always_inline int lb_send(struct xdp_md *ctx, const struct xdpi_lb_backend *b,
				   struct xdpi_lb_svc_stats *ss)
{
	struct bpf_fib_lookup f = {};
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *eth = data;
	long rc;

	if ((void *)(eth + ETH_HLEN + 40) > end)
		return XDP_DROP;
	f.ifindex = ctx->ingress_ifindex;
	if (b->family == 4) {
		f.family = LB_AF_INET;
		__builtin_memcpy(&f.ipv4_src, eth + ETH_HLEN + 12, 4);
		__builtin_memcpy(&f.ipv4_dst, eth + ETH_HLEN + 16, 4);
		f.tot_len = (__u16)((__u16)eth[ETH_HLEN + 2] << 8 | eth[ETH_HLEN + 3]);
	} else {
		f.family = LB_AF_INET6;
		__builtin_memcpy(f.ipv6_src, eth + ETH_HLEN + 8, 16);
		__builtin_memcpy(f.ipv6_dst, eth + ETH_HLEN + 24, 16);
		f.tot_len = (__u16)(40 + ((__u16)eth[ETH_HLEN + 4] << 8 | eth[ETH_HLEN + 5]));
	}
	rc = bpf_fib_lookup(ctx, &f, sizeof(f), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		lb_scount(ss, XDPI_LB_SC_TO_STACK, 1);
		return XDP_PASS;
	}
	__builtin_memcpy(eth, f.dmac, 6);
	__builtin_memcpy(eth + 6, f.smac, 6);
	if (f.ifindex == ctx->ingress_ifindex) {
		lb_scount(ss, XDPI_LB_SC_TX, 1);
		return XDP_TX;
	}
	lb_scount(ss, XDPI_LB_SC_REDIRECTED, 1);
	return (int)bpf_redirect(f.ifindex, 0);
}

/* The balancer stage: -1 when the packet is not for a virtual service (the pipeline goes on),
 * else its XDP verdict (XDP_DROP: no backend, or too big to wrap; each counted per service). */
__noinline int xdpi_stage_lb(struct xdp_md *ctx, struct xdpi_meta *m, __u64 now)
{
	struct xdpi_lb_vip_key vk = {};
	struct xdpi_lb_conn_key ck = {};
	struct xdpi_lb_svc_stats *ss;
	struct xdpi_lb_backend_stats *bs;
	struct xdpi_lb_backend *b;
	struct xdpi_lb_cfg *cfg = lb_cfg_get();
	struct xdpi_lb_vip *vip;
	__u32 svc, id, hash, len;
	int icmp = 0, r;

	if (!m || !cfg || m->tun_depth || m->frag != XDPI_FRAG_NONE)
		return -1;
	if (m->proto == IPPROTO_ICMP || m->proto == IPPROTO_ICMPV6) {
		icmp = lb_icmp_keys(ctx, m, &vk, &ck);
		if (!icmp)
			return -1;
	} else {
		lb_keys(m, &vk, &ck);
	}
	vip = bpf_map_lookup_elem(&lb_vips, &vk);
	if (!vip)
		return -1;
	svc = vip->service;
	ss = bpf_map_lookup_elem(&lb_svc_stats, &svc);
	if (!ss)
		return -1;
	len = (__u32)bpf_xdp_get_buff_len(ctx);
	lb_scount(ss, XDPI_LB_SC_PKTS, 1);
	lb_scount(ss, XDPI_LB_SC_BYTES, len);
	hash = xdpi_lb_hash(&ck);
	id = lb_pick(&ck, svc, hash, m, now, icmp, ss);
	b = id < XDPI_LB_BACKENDS_MAX ? bpf_map_lookup_elem(&lb_backends, &id) : NULL;
	if (!b || b->state == XDPI_LB_FREE) { /* a LEAVING one is still in the table a moment */
		lb_scount(ss, XDPI_LB_SC_NO_BACKEND, 1);
		return XDP_DROP;
	}
	bs = bpf_map_lookup_elem(&lb_backend_stats, &id);
	if (bs) {
		bs->c[XDPI_LB_BC_PKTS]++;
		bs->c[XDPI_LB_BC_BYTES] += len;
	}
	if (icmp)
		lb_scount(ss, XDPI_LB_SC_ICMP_FORWARDED, 1);
	r = lb_encap(ctx, m->l3_off, m->family, b, cfg, hash);
	if (r) {
		lb_scount(ss, r == -1 ? XDPI_LB_SC_TOO_BIG : XDPI_LB_SC_ENCAP_FAIL, 1);
		return XDP_DROP;
	}
	return lb_send(ctx, b, ss);
}

/* Is any virtual service configured? One array read for every packet of a host without. */
static __always_inline int lb_active(void)
{
	struct xdpi_lb_cfg *cfg = lb_cfg_get();

	return cfg && cfg->on;
}

/* The verdict of the balancer stage R, counted: -1 (not a VIP) and XDP_PASS (to the host's
 * stack) as passes, drops as drops, the rest as forwarded. */
static __always_inline int lb_finish(struct xdpi_counters *cs, int r)
{
	if (r < 0 || r == XDP_PASS)
		return finish(cs, XDP_PASS, 0);
	if (r == XDP_DROP) {
		cnt_add(cs, XDPI_CNT_LB_DROPPED, 1);
		return finish(cs, XDP_DROP, 0);
	}
	cnt_add(cs, XDPI_CNT_LB_FORWARDED, 1);
	return r;
}

/* --lb-decap, before anything else reads the packet (1: unwrapped): an untagged Ethernet frame carrying IP
 * in IP (IPv4 or IPv6 outside, without IPv4 options or IPv6 extension headers) loses its outer
 * header, so the flow, the dissectors and the host's stack see the client's packet. */
__noinline int xdpi_stage_lb_decap(struct xdp_md *ctx)
{
	struct xdpi_counters *cs = counters_get();
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *eth = data, macs[12];
	__u32 olen;
	__u8 next;

	if ((void *)(eth + ETH_HLEN + 40) > end)
		return 0;
	if (eth[12] == 0x08 && eth[13] == 0x00 && eth[ETH_HLEN] == 0x45) {
		olen = 20;
		next = eth[ETH_HLEN + 9];
		if ((eth[ETH_HLEN + 6] & 0x3f) || eth[ETH_HLEN + 7])
			return 0; /* a fragment of the outer packet: the host reassembles */
	} else if (eth[12] == 0x86 && eth[13] == 0xdd && (eth[ETH_HLEN] >> 4) == 6) {
		olen = 40;
		next = eth[ETH_HLEN + 6];
	} else {
		return 0;
	}
	if (next != IPPROTO_IPIP && next != IPPROTO_IPV6)
		return 0;
	__builtin_memcpy(macs, eth, sizeof(macs));
	if (bpf_xdp_adjust_head(ctx, (int)olen))
		return 0;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + ETH_HLEN) > end)
		return 0;
	__builtin_memcpy(eth, macs, sizeof(macs));
	eth[12] = next == IPPROTO_IPIP ? 0x08 : 0x86;
	eth[13] = next == IPPROTO_IPIP ? 0x00 : 0xdd;
	cnt_add(cs, XDPI_CNT_LB_DECAPSULATED, 1);
	return 1;
}

#endif /* XDPI_BUILD_XDP */

#ifdef XDPI_BUILD_TC
/* A health check leaving with the mark XDPI_LB_MARK | backend id: wrapped for that backend as
 * a client's packet would be (so a backend without the VIP fails it), toward the same next hop
 * the VIP's route has (the balancer's one-armed set-up: the router reaches the backends). */
__noinline int xdpi_stage_lb_check(struct __sk_buff *skb)
{
	struct xdpi_counters *cs = counters_get();
	__u32 id = skb->mark & ~XDPI_LB_MARK_MASK, inner_len = skb->len - ETH_HLEN, olen;
	__u32 spread = xdpi_lb_fmix(id + 1); /* each backend's checks from its own source */
	struct xdpi_lb_cfg *cfg = lb_cfg_get();
	struct xdpi_lb_backend *b;
	__u8 h[40], ip[2], next, family;
	__u16 proto;

	b = bpf_map_lookup_elem(&lb_backends, &id);
	if (!b || !cfg || b->state != XDPI_LB_CONFIGURED || skb->len < ETH_HLEN + 20 ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, ip, sizeof(ip)))
		return 0;
	family = ip[0] >> 4;
	if (family != 4 && family != 6)
		return 0;
	next = family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	olen = b->family == 4 ? 20 : 40;
	if (bpf_skb_adjust_room(skb, olen, BPF_ADJ_ROOM_MAC,
				b->family == 4 ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 :
						 BPF_F_ADJ_ROOM_ENCAP_L3_IPV6))
		return 0;
	if (b->family == 4) {
		xdpi_lb_outer4(h, xdpi_lb_src4(cfg, spread), b->addr[0], inner_len,
			       family == 4 ? ip[1] : (__u8)(ip[0] << 4 | ip[1] >> 4), next);
		proto = bpf_htons(ETH_P_IP);
	} else {
		__u32 src[4] = { cfg->src6[0], cfg->src6[1], cfg->src6[2],
				 cfg->src6[3] | (spread & cfg->src6_host) };

		xdpi_lb_outer6(h, src, b->addr, inner_len, 0, next, spread);
		proto = bpf_htons(ETH_P_IPV6);
	}
	if (bpf_skb_store_bytes(skb, ETH_HLEN, h, olen & 63, 0) ||
	    bpf_skb_store_bytes(skb, 12, &proto, 2, 0))
		return 0;
	cnt_add(cs, XDPI_CNT_LB_CHECKS_WRAPPED, 1);
	return 1;
}
#endif /* XDPI_BUILD_TC */

#endif /* XDPI_BPF_LB_H */
