/* SPDX-License-Identifier: GPL-2.0 */
/* Policy entries into the kernel's LPM tries (bpf/lib/policy.h applies them). */
#ifndef XDPI_POLICY_H
#define XDPI_POLICY_H

#include <stdint.h>
#include "xdpi/cidr_list.h"

struct xdpi_policy_maps {
	int v4_fd; /* policy4 */
	int v6_fd; /* policy6 */
};

/* Inserts every entry of LIST with ACTION (enum xdpi_policy_action) and RULE_ID, expiring at
 * EXPIRES_NS (CLOCK_MONOTONIC; 0 never). A CIDR already present takes the new value: the
 * list given last wins. Returns 0 or -errno with "what failed" in ERR. */
int xdpi_policy_install(const struct xdpi_policy_maps *maps, const struct xdpi_cidr_list *list,
			uint8_t action, uint32_t rule_id, uint64_t expires_ns, char *err,
			size_t errlen);

/* RULE_ID's packets and bytes summed over CPUs from the rule_stats map (zeros if the rule
 * never matched). Returns 0 or -errno. */
int xdpi_policy_rule_stats(int rule_stats_fd, uint32_t rule_id, uint64_t *pkts, uint64_t *bytes);

#endif /* XDPI_POLICY_H */
