/* SPDX-License-Identifier: GPL-2.0 */
/* What the ns/packet benches share: one measurement through BPF_PROG_TEST_RUN. */
#ifndef XDPI_BENCH_NS_RUN_H
#define XDPI_BENCH_NS_RUN_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Mean ns per run of PROG_FD over the packet (REPEAT runs a call), best of 3 calls: the machine
 * is noisy. Each call starts from a fresh copy of the packet. */
static inline double bench_ns_per_pkt(int prog_fd, const uint8_t *buf, size_t len, unsigned repeat)
{
	double best = 1e12;

	for (int i = 0; i < 3; i++) {
		uint8_t copy[2048];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = copy, .data_size_in = (uint32_t)len,
			    .repeat = repeat);

		memcpy(copy, buf, len);
		if (bpf_prog_test_run_opts(prog_fd, &o))
			return -errno;
		if (o.duration < best)
			best = o.duration;
	}
	return best;
}

#endif
