/* SPDX-License-Identifier: GPL-2.0 */
/* The one packet view every source hands the engine, whatever it is. */
#ifndef XDPI_PKT_H
#define XDPI_PKT_H

#include <stdbool.h>
#include <stdint.h>

/* How the first byte of a packet is to be read. */
enum xdpi_link {
	XDPI_LINK_ETHERNET = 0,
	XDPI_LINK_SLL,   /* Linux cooked capture v1 */
	XDPI_LINK_SLL2,  /* Linux cooked capture v2 */
	XDPI_LINK_RAW,   /* IPv4 or IPv6, by the version nibble */
	XDPI_LINK_NULL,  /* BSD loopback: 4-byte family in the writer's byte order */
	XDPI_LINK_LOOP,  /* OpenBSD loopback: 4-byte family, network order */
	XDPI_LINK_PPP,   /* PPP, with or without the HDLC address and control bytes */
	XDPI_LINK_PPPOE, /* a PPPoE session header, then PPP (DLT_PPP_ETHER) */
	XDPI_LINK_CHDLC, /* Cisco HDLC: address, control, ethertype */
	XDPI_LINK_PPI,   /* Per-Packet Information header, then the link type it names */
	XDPI_LINK_IEEE80211, /* 802.11 frames; data frames with LLC/SNAP carry IP */
	XDPI_LINK_RADIOTAP,  /* a radiotap header, then 802.11 */
	XDPI_LINK_MAX,
};

struct xdpi_pkt {
	const uint8_t *data;
	uint32_t cap_len;   /* bytes at data */
	uint32_t orig_len;  /* the frame's length on the wire */
	uint64_t ts_ns;     /* flow clock: capture time (offline) or CLOCK_MONOTONIC (live) */
	enum xdpi_link link;
	uint32_t ifindex;
	bool snippet;       /* cut by the kernel's steering, not by the capture's snap length */
	bool kernel_seen;   /* the fast path already counted it into its flow map */
	uint8_t hook;       /* enum xdpi_hook, when kernel_seen */
	uint8_t steer;      /* the flow's steering state in the kernel, when kernel_seen */
	uint8_t cap_reason; /* enum xdpi_cap_reason, when kernel_seen */
	uint32_t payload_skip; /* XDPI_CAP_MSG: L4 payload bytes the kernel left out between
				* the headers and the copied bytes (data holds the headers, then
				* the payload from that offset on) */
	uint64_t index;     /* 1-based frame number in a capture file; 0 for live sources */
	uint8_t drop_reason; /* non-zero (enum xdpi_drop_reason): a sample of a packet the fast
			      * path dropped, reported as a drop event, not inspected */
	uint32_t drop_rule;  /* the rule that dropped it */
	bool plaintext;      /* not a packet: what a TLS library read or wrote (data: struct
			      * xdpi_plain_hdr, then the bytes), for the flow of its socket */
	bool flow_ended;     /* not a packet: a kernel flow's entry taken over by a new
			      * connection on its tuple (data: struct xdpi_flow_ended, the old
			      * connection's last counts) */
};

#endif /* XDPI_PKT_H */
