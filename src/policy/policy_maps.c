// SPDX-License-Identifier: GPL-2.0
/* CIDR lists → the kernel's LPM tries, one bpf(2) update per entry (this kernel's LPM trie has
 * no batch operations); a million entries take about two seconds (bench/xdp_ns). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "shared/xdpi_abi.h"
#include "xdpi/policy.h"

static int policy_put(const struct xdpi_policy_maps *maps, const struct xdpi_cidr *c,
		      const struct xdpi_policy_value *tmpl)
{
	struct xdpi_policy_value v = *tmpl;

	v.prefixlen = c->prefix_len;
	if (c->family == AF_INET) {
		struct xdpi_lpm4_key k = { .prefixlen = c->prefix_len };

		memcpy(k.addr, c->addr, sizeof(k.addr));
		return bpf_map_update_elem(maps->v4_fd, &k, &v, BPF_ANY) ? -errno : 0;
	}
	struct xdpi_lpm6_key k6 = { .prefixlen = c->prefix_len };

	memcpy(k6.addr, c->addr, sizeof(k6.addr));
	return bpf_map_update_elem(maps->v6_fd, &k6, &v, BPF_ANY) ? -errno : 0;
}

int xdpi_policy_install(const struct xdpi_policy_maps *maps, const struct xdpi_cidr_list *list,
			uint8_t action, uint32_t rule_id, uint64_t expires_ns, char *err,
			size_t errlen)
{
	const struct xdpi_policy_value tmpl = { .rule_id = rule_id, .action = action,
						.expires_ns = expires_ns };

	for (size_t i = 0; i < list->count; i++) {
		int rc = policy_put(maps, &list->entries[i], &tmpl);

		if (rc) {
			char cidr[64];

			xdpi_cidr_format(&list->entries[i], cidr, sizeof(cidr));
			snprintf(err, errlen, "inserting %s (line %u) into the kernel's policy: %s%s",
				 cidr, list->entries[i].line, strerror(-rc),
				 rc == -E2BIG || rc == -ENOSPC ? " (the trie is full)" : "");
			return rc;
		}
	}
	return 0;
}

int xdpi_policy_rule_stats(int rule_stats_fd, uint32_t rule_id, uint64_t *pkts, uint64_t *bytes)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdpi_rule_stats *per_cpu;

	*pkts = *bytes = 0;
	if (ncpu < 0)
		return ncpu;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(rule_stats_fd, &rule_id, per_cpu)) {
		int err = errno == ENOENT ? 0 : -errno;

		free(per_cpu);
		return err;
	}
	for (int c = 0; c < ncpu; c++) {
		*pkts += per_cpu[c].pkts;
		*bytes += per_cpu[c].bytes;
	}
	free(per_cpu);
	return 0;
}
