// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TLS plaintext without keys: uprobes on the TLS libraries' read and write calls (OpenSSL's
 * SSL_read/SSL_write and their _ex forms, GnuTLS's gnutls_record_recv/send). The buffer holds
 * the plaintext at the call's return, so the entry is kept per thread and paired with the
 * return; the return copies a bounded prefix into a ring record (struct xdpi_plain_hdr, then
 * the bytes). The socket comes from the BTF tracepoints sock_send_length/sock_recv_length,
 * which fire on the same thread inside the TLS call (no kprobes here); the session then
 * remembers it, for reads the library serves from its own buffer without a socket call (the
 * handshake calls are probed for that alone: the first request often arrives with the
 * handshake's last flight); the thread's last socket is only a guess, marked so (user space
 * counts such records and does not use them). Every record lost is counted. */
#include <linux/ptrace.h>
#include <bpf/bpf_tracing.h> /* BPF_KPROBE reads a uprobe's registers alike (libbpf 1.1 has no
			      * BPF_UPROBE) */
#include "lib/sock_key.h"

#pragma clang diagnostic ignored "-Wunused-parameter" /* BPF_KPROBE's ctx, used or not */

/* Set by user space before load: the most of one call copied (<= XDPI_PLAIN_COPY_MAX). */
const volatile __u32 copy_max = 4096;

struct call {
	__u64 buf;       /* where the plaintext is (or will be, for a read) */
	__u64 out_len;   /* the _ex forms: where the library writes the byte count */
	__u64 session;
	struct xdpi_sock_key sk; /* the socket a send or receive inside the call used */
	__u8 has_sock;
	__u8 dir;        /* 0 write, 1 read, DIR_HANDSHAKE: learn the session's socket only */
	__u8 lib;
	__u8 pad[5];
};

#define DIR_HANDSHAKE 2

struct session_key {
	__u64 session;
	__u32 pid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* an entry whose return never came ages out */
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid: one TLS call at a time per thread */
	__type(value, struct call);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct session_key);
	__type(value, struct xdpi_sock_key);
} session_sock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct xdpi_sock_key);
} thread_sock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} plain_ring SEC(".maps");

struct record {
	struct xdpi_plain_hdr h;
	__u8 data[XDPI_PLAIN_COPY_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); /* too big for the stack */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPI_PLAIN_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} plain_counters SEC(".maps");

static __always_inline void count(__u32 what, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&plain_counters, &what);

	if (c)
		*c += n;
}

static __always_inline int enter(void *session, const void *buf, void *out_len, __u8 dir, __u8 lib)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = { .buf = (__u64)buf, .out_len = (__u64)out_len,
			  .session = (__u64)session, .dir = dir, .lib = lib };

	bpf_map_update_elem(&calls, &id, &c, BPF_ANY);
	return 0;
}

/* Which socket: the call's own, else the session's, else the thread's last. */
static __always_inline __u8 join(struct call *c, __u64 id, struct xdpi_sock_key *sk)
{
	struct session_key s = { .session = c->session, .pid = id >> 32 };
	struct xdpi_sock_key *known;

	if (c->has_sock) {
		*sk = c->sk;
		bpf_map_update_elem(&session_sock, &s, sk, BPF_ANY);
		count(XDPI_PLAIN_CNT_JOIN_CALL, 1);
		return XDPI_PLAIN_JOIN_CALL;
	}
	if ((known = bpf_map_lookup_elem(&session_sock, &s))) {
		*sk = *known;
		count(XDPI_PLAIN_CNT_JOIN_SESSION, 1);
		return XDPI_PLAIN_JOIN_SESSION;
	}
	if ((known = bpf_map_lookup_elem(&thread_sock, &id))) {
		*sk = *known;
		count(XDPI_PLAIN_CNT_JOIN_THREAD, 1);
		return XDPI_PLAIN_JOIN_THREAD;
	}
	count(XDPI_PLAIN_CNT_NO_SOCKET, 1);
	return XDPI_PLAIN_JOIN_NONE;
}

/* The call returned N bytes (N <= 0: nothing, or an error): the record. */
static __always_inline int leave(long n, bool ex)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0, copy;
	struct record *r;
	struct call *c = bpf_map_lookup_elem(&calls, &id);

	if (!c) {
		count(XDPI_PLAIN_CNT_NO_ENTRY, 1);
		return 0;
	}
	if (c->dir == DIR_HANDSHAKE) {
		struct session_key s = { .session = c->session, .pid = id >> 32 };

		if (c->has_sock) /* a new session (or one reusing a freed one's address) */
			bpf_map_update_elem(&session_sock, &s, &c->sk, BPF_ANY);
		goto done;
	}
	if (ex) { /* 1 on success, the count through the pointer given */
		__u64 got = 0;

		if (n != 1 || !c->out_len || bpf_probe_read_user(&got, sizeof(got), (void *)c->out_len))
			goto done;
		n = (long)got;
	}
	if (n <= 0 || !(r = bpf_map_lookup_elem(&scratch, &zero)))
		goto done;
	count(XDPI_PLAIN_CNT_CALLS, 1);
	count(XDPI_PLAIN_CNT_BYTES, (__u64)n);
	copy = n < copy_max ? (__u32)n : copy_max;
	if (copy > XDPI_PLAIN_COPY_MAX)
		copy = XDPI_PLAIN_COPY_MAX;
	if ((__u64)n > copy)
		count(XDPI_PLAIN_CNT_TRUNCATED, (__u64)n - copy);
	__builtin_memset(&r->h, 0, sizeof(r->h));
	r->h.join = join(c, id, &r->h.sk);
	r->h.ts_ns = bpf_ktime_get_ns();
	r->h.session = c->session;
	r->h.pid = id >> 32;
	r->h.tid = (__u32)id;
	r->h.len = (__u32)n;
	r->h.dir = c->dir;
	r->h.lib = c->lib;
	if (bpf_probe_read_user(r->data, copy, (void *)c->buf)) {
		count(XDPI_PLAIN_CNT_READ_FAULT, 1);
		goto done;
	}
	r->h.copied = copy;
	if (bpf_ringbuf_output(&plain_ring, r, sizeof(r->h) + copy, 0))
		count(XDPI_PLAIN_CNT_RING_FULL, 1);
done:
	bpf_map_delete_elem(&calls, &id);
	return 0;
}

/* OpenSSL 3: int SSL_write(SSL *, const void *, int), int SSL_read(SSL *, void *, int),
 * int SSL_write_ex(SSL *, const void *, size_t, size_t *written), SSL_read_ex likewise. */
SEC("uprobe")
int BPF_KPROBE(ssl_write, void *ssl, const void *buf)
{
	return enter(ssl, buf, NULL, 0, XDPI_PLAIN_OPENSSL);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read, void *ssl, void *buf)
{
	return enter(ssl, buf, NULL, 1, XDPI_PLAIN_OPENSSL);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex, void *ssl, const void *buf, __u64 num, void *written)
{
	(void)num;
	return enter(ssl, buf, written, 0, XDPI_PLAIN_OPENSSL);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex, void *ssl, void *buf, __u64 num, void *readbytes)
{
	(void)num;
	return enter(ssl, buf, readbytes, 1, XDPI_PLAIN_OPENSSL);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_ret, int ret)
{
	return leave(ret, false);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_ex_ret, int ret)
{
	return leave(ret, true);
}

/* The handshake: SSL_do_handshake (SSL *), gnutls_handshake (its session). */
SEC("uprobe")
int BPF_KPROBE(tls_handshake, void *session)
{
	return enter(session, NULL, NULL, DIR_HANDSHAKE, 0);
}

SEC("uretprobe")
int BPF_KRETPROBE(tls_handshake_ret, long ret)
{
	return leave(ret, false);
}

/* GnuTLS: ssize_t gnutls_record_send(session, const void *, size_t), ..._recv likewise. */
SEC("uprobe")
int BPF_KPROBE(gnutls_send, void *session, const void *buf)
{
	return enter(session, buf, NULL, 0, XDPI_PLAIN_GNUTLS);
}

SEC("uprobe")
int BPF_KPROBE(gnutls_recv, void *session, void *buf)
{
	return enter(session, buf, NULL, 1, XDPI_PLAIN_GNUTLS);
}

SEC("uretprobe")
int BPF_KRETPROBE(gnutls_ret, long ret)
{
	return leave(ret, false);
}

/* A TCP send or receive: the socket of the TLS call in progress on this thread, if any, and
 * the thread's last socket. ctx[0] is the socket. */
static __always_inline void on_io(struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct xdpi_sock_key k;
	struct call *c;

	if (sock_inet_proto(sk) != 6 || key_of(&k, sk, 6))
		return;
	c = bpf_map_lookup_elem(&calls, &id);
	if (c && !c->has_sock) {
		c->sk = k;
		c->has_sock = 1;
	}
	bpf_map_update_elem(&thread_sock, &id, &k, BPF_ANY);
}

/* A process started: its pid, so that user space looks at what it maps (a container's own
 * TLS library) without waiting for its next look through /proc. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} exec_ring SEC(".maps");

SEC("tp_btf/sched_process_exec")
int tls_on_exec(unsigned long long *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	(void)ctx;
	bpf_ringbuf_output(&exec_ring, &pid, sizeof(pid), 0); /* full: the periodic look finds it */
	return 0;
}

SEC("tp_btf/sock_send_length")
int tls_on_send(unsigned long long *ctx)
{
	on_io((struct sock *)ctx[0]);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int tls_on_recv(unsigned long long *ctx)
{
	on_io((struct sock *)ctx[0]);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
