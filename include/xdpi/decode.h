/* SPDX-License-Identifier: GPL-2.0 */
/* User-space packet decoder: link layer to L4, tolerant of snippets and snap lengths. */
#ifndef XDPI_DECODE_H
#define XDPI_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "xdpi/bytes.h"
#include "xdpi/pkt.h"
#include "shared/xdpi_abi.h"
#include "shared/xdpi_tunnel.h"
#include "xdpi/flow.h"

/* Tags read, the same in both halves (Suricata reads three). */
#define XDPI_DECODE_VLAN_MAX XDPI_VLAN_MAX

/* What a sound packet shows that Suricata's decoder calls an event (decode-event rules). */
enum xdpi_decode_event {
	XDPI_DEV_IPV6_USELESS_FH = 1u << 0,  /* a fragment header of a whole datagram */
	XDPI_DEV_FRAG_INVALID_LEN = 1u << 1, /* a fragment (not the last) not a multiple of 8 */
	XDPI_DEV_FRAG_TOO_LARGE = 1u << 2,   /* a fragment reaching past 65535 bytes */
	XDPI_DEV_DSTOPTS_UNKNOWN = 1u << 3,  /* an IPv6 destination option of no known type */
	XDPI_DEV_IPV4_FRAG_OVERLAP = 1u << 4, /* a fragment over bytes reassembly already holds */
	XDPI_DEV_IPV6_FRAG_OVERLAP = 1u << 5,
};

enum xdpi_frag_state {
	XDPI_DFRAG_NONE = 0,
	XDPI_DFRAG_FIRST,
	XDPI_DFRAG_LATER,
};

struct xdpi_decoded {
	uint8_t family;   /* 0 (not IP), 4 or 6 */
	uint8_t proto;
	uint8_t nvlan;
	uint8_t tcp_flags;
	uint16_t vlan[XDPI_DECODE_VLAN_MAX];
	bool pppoe;       /* came through a PPPoE session */
	bool mpls;        /* came under MPLS labels */
	bool gtpc;        /* GTP signalling (counted, not decapsulated) */
	uint8_t tun_type; /* the innermost tunnel (enum xdpi_tunnel), XDPI_TUN_NONE */
	uint8_t tun_depth; /* tunnels around the packet */
	uint16_t tun_seen; /* bits (1 << type) of the tunnels passed through */
	uint32_t tun_id;  /* the innermost tunnel's VNI, key, session id or TEID */
	struct xdpi_tun_outer outer; /* valid when tun_depth */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport;   /* host byte order; ICMP echo: the identifier */
	uint16_t dport;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t frag;     /* enum xdpi_frag_state */
	uint8_t l4_cut;   /* the capture's snap length cut the L4 header: ports (and maybe
			   * flags) only, no payload */
	uint32_t frag_id;
	uint32_t frag_off;        /* fragment offset in bytes */
	bool frag_more;           /* more fragments follow */
	const uint8_t *frag_data; /* a fragment's bytes: the L4 header onwards, or later data */
	uint32_t frag_len;        /* captured bytes at frag_data */
	uint32_t frag_wire;       /* the fragment's length by the IP header */
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint16_t tcp_win;
	uint16_t l3_off;
	uint16_t l4_off;
	const uint8_t *l3_hdr;    /* the IP header with its options/extension headers, or NULL */
	const uint8_t *l4_hdr;    /* the TCP/UDP/ICMP header with its options, or NULL */
	uint16_t l3_hlen, l4_hlen;
	const uint8_t *payload;  /* captured payload */
	uint32_t payload_len;     /* captured bytes at payload */
	uint32_t payload_wire;    /* payload length by the headers */
	enum xdpi_reason reason;  /* malformed reason, XDPI_REASON_NONE if sound */
	uint16_t events;          /* enum xdpi_decode_event bits */
};

/* How tunnels are read (process-wide, set before packets are decoded): tunnel types read as
 * plain UDP or GRE (bits 1 << enum xdpi_tunnel), and one more VXLAN port (0: none). */
struct xdpi_decode_opts {
	uint32_t tun_ignore;
	uint16_t vxlan_port;
};
void xdpi_decode_set_opts(const struct xdpi_decode_opts *o);
const struct xdpi_decode_opts *xdpi_decode_get_opts(void);
/* "vxlan", ...; NULL for XDPI_TUN_NONE or out of range. */
const char *xdpi_tunnel_name(unsigned type);
/* Parses "vxlan,gre" into ignore bits; 0, or -EINVAL with the bad name's position in *AT. */
int xdpi_tunnel_list_parse(const char *s, uint32_t *bits, size_t *at);

/* Link types: the pcap DLT of each (-1: none) and the link of a DLT (-EPROTONOSUPPORT when
 * xdpi does not decode it). */
int xdpi_link_dlt(enum xdpi_link l);
int xdpi_link_from_dlt(int dlt, enum xdpi_link *out);
/* The link header of PKT: *OFF is where what it carries starts and *TYPE the ethertype it
 * names (VLAN tags and PPPoE not yet unwrapped; 0: not something xdpi decodes). Returns 0, or
 * -EINVAL when the header is cut short. */
int xdpi_link_header(const struct xdpi_pkt *pkt, size_t *off, uint16_t *type);

/* Decodes pkt into d. Returns 0, or -EINVAL with d->reason set for a malformed packet
 * (d keeps whatever layers were sound). A non-IP packet returns 0 with family 0. */
int xdpi_decode(const struct xdpi_pkt *pkt, struct xdpi_decoded *d);

/* Decodes the L4 header and payload of a reassembled datagram (l4: its L4 header onwards)
 * into d, whose network layer is already decoded. Returns 0 or -EINVAL (d->reason set). */
int xdpi_decode_l4(struct xdpi_decoded *d, const uint8_t *l4, uint32_t len);

/* A fragment of a datagram whose flow is keyed by ports (TCP, UDP): only the first fragment
 * carries them, and a later one takes them from it. Any other protocol's fragment is keyed by
 * addresses and protocol as it stands, as the kernel keys it. */
static inline bool xdpi_frag_ported(const struct xdpi_decoded *d)
{
	return d->frag != XDPI_DFRAG_NONE &&
	       (d->proto == XDPI_IPPROTO_TCP || d->proto == XDPI_IPPROTO_UDP);
}

/* Canonical flow key of a decoded packet (same ordering as the kernel's); returns the
 * packet's direction: 0 when it goes from side a to side b. */
uint8_t xdpi_flow_key_from(const struct xdpi_decoded *d, struct xdpi_flow_key *k);

/* Canonical flow key of a TCP socket's tuple as its owner sees it (local side first); returns
 * the local end's canonical side. */
uint8_t xdpi_flow_key_from_sock(const struct xdpi_sock_key *sk, struct xdpi_flow_key *k);

/* "ipv4", "tcp", ...: names of malformed reasons, as the kernel's counters use them. */
const char *xdpi_reason_name(enum xdpi_reason r);

#endif /* XDPI_DECODE_H */
