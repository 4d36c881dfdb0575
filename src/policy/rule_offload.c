// SPDX-License-Identifier: GPL-2.0
/* Header-only reputation rules (ET's ip_*.rules: "alert ip [list] any -> $HOME_NET any")
 * as entries of the kernel's address tries: the rule's sid is the entry's rule id, so the
 * fast path counts its hits in rule_stats and user space reports them as alerts; a drop rule
 * drops there and then. The entry applies where the listed address is the remote one: a list
 * on the source side at XDP ingress, on the destination side at TC egress. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "xdpi/policy.h"
#include "xdpi/rules.h"

/* The prefix R covers, if it is exactly one. */
static int range_cidr(const struct xdpi_addr_range *r, struct xdpi_cidr *c)
{
	unsigned bits = r->family == 4 ? 32 : 128, plen = 0;

	while (plen < bits) {
		unsigned byte = plen / 8, bit = 7 - plen % 8;

		if (((r->lo[byte] >> bit) & 1) != ((r->hi[byte] >> bit) & 1))
			break;
		plen++;
	}
	for (unsigned b = plen; b < bits; b++) { /* the rest: all 0 in lo, all 1 in hi */
		unsigned byte = b / 8, bit = 7 - b % 8;

		if (((r->lo[byte] >> bit) & 1) || !((r->hi[byte] >> bit) & 1))
			return -EINVAL;
	}
	memset(c, 0, sizeof(*c));
	c->family = r->family == 4 ? AF_INET : AF_INET6;
	c->prefix_len = (uint8_t)plen;
	memcpy(c->addr, r->lo, r->family == 4 ? 4 : 16);
	return 0;
}

int xdpi_policy_offload_rule(struct xdpi_policy_maps *maps, const struct xdpi_rule *r,
			     bool by_source, size_t *entries)
{
	const struct xdpi_addr_group *g = by_source ? &r->src : &r->dst;
	struct xdpi_policy_value v = {
		.rule_id = r->sid,
		.action = r->action == XDPI_RA_DROP ? XDPI_POLICY_DROP : XDPI_POLICY_ALERT,
		.dirs = by_source ? XDPI_POLICY_DIR_SRC : XDPI_POLICY_DIR_DST,
	};
	struct xdpi_cidr c;
	uint32_t done = 0;
	int err = 0;

	if (r->sid < XDPI_RULE_SID_MIN)
		return -ERANGE; /* would share a counter with xdpi's own rule ids */
	for (uint32_t i = 0; i < g->n_in && !err; i++) {
		err = range_cidr(&g->in[i], &c);
		if (!err)
			err = xdpi_policy_put(maps, &c, &v);
		done += !err;
	}
	if (!err) {
		*entries += done;
		return 0;
	}
	for (uint32_t i = 0; i < done; i++) /* all or nothing: take back what went in */
		if (!range_cidr(&g->in[i], &c))
			xdpi_policy_delete(maps, &c);
	return err;
}
