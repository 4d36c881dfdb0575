// SPDX-License-Identifier: GPL-2.0
/* One flow's steering state in the kernel's flow map, set from user space: `xdpi ctl bypass`
 * and the engine's bypass verdicts. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "xdpi/decode.h"
#include "xdpi/policy.h"

/* The kernel updates counters in the same value meanwhile: the read-modify-write below can
 * lose the counts of packets that arrive in the few microseconds between its two calls. For
 * `xdpi ctl bypass`, a process without the instance's programs; the engine's bypasses go
 * through the kernel's own flow_steer program (xdpi_flow_steer_run), which cannot. */
int xdpi_flow_set_steer(int flows_fd, const struct xdpi_flow_key *k, uint8_t steer,
			struct xdpi_flow_value *before)
{
	struct xdpi_flow_value v;

	if (bpf_map_lookup_elem(flows_fd, k, &v))
		return -errno;
	if (before)
		*before = v;
	if (v.steer == steer)
		return 0;
	v.steer = steer;
	return bpf_map_update_elem(flows_fd, k, &v, BPF_EXIST) ? -errno : 0;
}

int xdpi_flow_steer_run(int prog_fd, const struct xdpi_flow_key *k, uint8_t steer,
			uint64_t not_after_ns, struct xdpi_flow_value *before)
{
	struct xdpi_flow_steer_args a = { .key = *k, .not_after_ns = not_after_ns, .steer = steer };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	if (!a.ret && before)
		*before = a.before;
	return a.ret;
}

/* "ADDR:PORT" or "[V6ADDR]:PORT" into D's address A (16 bytes) and *PORT. */
static int parse_endpoint(const char *s, struct xdpi_decoded *d, uint8_t *a, uint16_t *port,
			  char *err, size_t errlen)
{
	char host[64];
	const char *colon = strrchr(s, ':'), *h = s;
	size_t hlen = colon ? (size_t)(colon - s) : 0;
	char *end;
	unsigned long p;

	if (s[0] == '[' && hlen >= 2 && s[hlen - 1] == ']')
		h = s + 1, hlen -= 2;
	if (!colon || hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || p > 65535 || errno)
		goto bad;
	*port = (uint16_t)p;
	memset(a, 0, 16);
	if (inet_pton(AF_INET, host, a) == 1)
		return d->family && d->family != 4 ? -EAFNOSUPPORT : (d->family = 4, 0);
	if (inet_pton(AF_INET6, host, a) == 1)
		return d->family && d->family != 6 ? -EAFNOSUPPORT : (d->family = 6, 0);
bad:
	snprintf(err, errlen, "'%s' is not ADDR:PORT (IPv6: [ADDR]:PORT)", s);
	return -EINVAL;
}

int xdpi_flow_key_parse(const char *proto, const char *src, const char *dst, uint16_t vlan,
			struct xdpi_flow_key *k, char *err, size_t errlen)
{
	struct xdpi_decoded d = { 0 };
	int rc;

	if (!strcmp(proto, "tcp"))
		d.proto = 6;
	else if (!strcmp(proto, "udp"))
		d.proto = 17;
	else {
		snprintf(err, errlen, "protocol '%s' is not tcp or udp", proto);
		return -EINVAL;
	}
	rc = parse_endpoint(src, &d, d.saddr, &d.sport, err, errlen);
	if (!rc)
		rc = parse_endpoint(dst, &d, d.daddr, &d.dport, err, errlen);
	if (rc == -EAFNOSUPPORT)
		snprintf(err, errlen, "'%s' and '%s' are not of one address family", src, dst);
	if (rc)
		return rc;
	d.nvlan = vlan ? 1 : 0;
	d.vlan[0] = vlan;
	xdpi_flow_key_from(&d, k);
	return 0;
}
