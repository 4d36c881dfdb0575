/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A socket's tuple as its owner sees it (local side first), read from the kernel's struct
 * sock by CO-RE: the socket hooks and the TLS probes key by it. */
#ifndef XDPI_BPF_SOCK_KEY_H
#define XDPI_BPF_SOCK_KEY_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "shared/xdpi_abi.h"

#define AF_INET 2
#define AF_INET6 10

/* The fields we read, found in the running kernel's layout by CO-RE. */
struct sock_common {
	unsigned short skc_family;
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	__u16 sk_protocol;
} __attribute__((preserve_access_index));

static __always_inline bool v4_mapped(const __u32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff);
}

/* The socket's own view: local address and port, remote address and port. */
static __always_inline int key_of(struct xdpi_sock_key *k, struct sock *sk, __u8 proto)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	__builtin_memset(k, 0, sizeof(*k));
	k->proto = proto;
	k->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	k->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		k->family = 4;
		k->laddr[0] = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		k->raddr[0] = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		return 0;
	}
	if (family != AF_INET6)
		return -1;
	k->family = 6;
	BPF_CORE_READ_INTO(&k->laddr, sk, __sk_common.skc_v6_rcv_saddr);
	BPF_CORE_READ_INTO(&k->raddr, sk, __sk_common.skc_v6_daddr);
	if (v4_mapped(k->raddr) && (v4_mapped(k->laddr) || !(k->laddr[0] | k->laddr[1] |
							       k->laddr[2] | k->laddr[3]))) {
		k->family = 4; /* a dual-stack socket talking IPv4: the wire says IPv4 */
		k->laddr[0] = k->laddr[3];
		k->raddr[0] = k->raddr[3];
		k->laddr[1] = k->laddr[2] = k->laddr[3] = 0;
		k->raddr[1] = k->raddr[2] = k->raddr[3] = 0;
	}
	return 0;
}

/* Its protocol (IPPROTO_TCP, ...), 0 when not an IPv4 or IPv6 socket. */
static __always_inline __u16 sock_inet_proto(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family != AF_INET && family != AF_INET6)
		return 0;
	return BPF_CORE_READ(sk, sk_protocol);
}

#endif /* XDPI_BPF_SOCK_KEY_H */
