// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Socket hooks for process and container context: who owns each local socket, recorded where
 * the kernel runs in the owner's own context, from BTF tracepoints only (no kprobes, no
 * fentry: both are refused on some hosts): every send and receive (sock_send_length,
 * sock_recv_length, after the call, when a socket is bound and a TCP one connected), so
 * connections that were open before xdpi started are learnt on their next I/O. (connect()'s
 * SYN_SENT change comes before the local port is chosen: no use.) The record is skipped when
 * the owner is already known: one map lookup per call. */
#include "lib/sock_key.h"

struct task_struct {
	struct task_struct *group_leader;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPI_SOCK_ENTRIES);
	__type(key, struct xdpi_sock_key);
	__type(value, struct xdpi_sock_value);
} sock_ctx SEC(".maps");

static __always_inline void record(const struct xdpi_sock_key *k, __u8 source)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct xdpi_sock_value v = { 0 }, *old;

	if (!pid || !k->lport)
		return; /* no process, or not bound yet */
	old = bpf_map_lookup_elem(&sock_ctx, k);
	if (old && old->pid == pid)
		return;
	v.pid = pid;
	v.uid = (__u32)bpf_get_current_uid_gid();
	v.cgroup_id = bpf_get_current_cgroup_id();
	v.seen_ns = bpf_ktime_get_ns();
	v.source = source;
	{ /* the process's name (its main thread's), not the calling thread's */
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct task_struct *leader = BPF_CORE_READ(task, group_leader);

		BPF_CORE_READ_STR_INTO(&v.comm, leader, comm);
	}
	bpf_map_update_elem(&sock_ctx, k, &v, BPF_ANY);
}

static __always_inline void record_sock(struct sock *sk, __u8 proto, __u8 source)
{
	struct xdpi_sock_key k;

	if (!key_of(&k, sk, proto))
		record(&k, source);
}

/* Tracing programs read their arguments from CTX (typed by the kernel's BTF): ctx[0] is the
 * socket in every hook below. */
#define ARG_SOCK(ctx) ((struct sock *)(ctx)[0])

/* A UDP socket: connected, its whole tuple; unconnected, its port (any peer). */
static __always_inline void record_udp(struct sock *sk)
{
	struct xdpi_sock_key k;

	if (key_of(&k, sk, 17))
		return;
	if (!k.rport) {
		__builtin_memset(k.laddr, 0, sizeof(k.laddr));
		__builtin_memset(k.raddr, 0, sizeof(k.raddr));
	}
	record(&k, XDPI_SOCK_UDP_IO);
}

/* Every send and receive on a socket (sock_sendmsg, sock_recvmsg), after the call, in the
 * caller: (sk, ret, flags). A UDP socket is bound by then. */
static __always_inline void on_io(struct sock *sk)
{
	__u16 proto = sock_inet_proto(sk); /* unix sockets and the rest: not ours to name */

	if (proto == 6)
		record_sock(sk, 6, XDPI_SOCK_TCP_IO);
	else if (proto == 17)
		record_udp(sk);
}

SEC("tp_btf/sock_send_length")
int on_send(unsigned long long *ctx)
{
	on_io(ARG_SOCK(ctx));
	return 0;
}

SEC("tp_btf/sock_recv_length")
int on_recv(unsigned long long *ctx)
{
	on_io(ARG_SOCK(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
