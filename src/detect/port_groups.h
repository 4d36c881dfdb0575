/* SPDX-License-Identifier: GPL-2.0 */
/* Rules bound to a few destination ports, in groups by port (port_groups.c): the packet stage
 * scans a packet's payload for these rules' patterns only when it goes to one of their ports. */
#ifndef XDPI_PORT_GROUPS_H
#define XDPI_PORT_GROUPS_H

#include <stdbool.h>
#include <stdint.h>
#include "xdpi/rules.h"

/* A rule's destination ports are "a few" when they are at most this many: one service's
 * ports ($HTTP_PORTS is 60-odd), not a range such as 1024: (that rule stays in every scan:
 * in a group of its own it would be copied into the group of each port it covers). */
#define PORT_GROUP_SPAN 128

/* Ports with fewer rules than this share one group per transport (port_groups.c). */
#define PORT_GROUP_MIN 16

#define PORT_GROUP_CLASSES 2 /* TCP, UDP: the transports whose packets have ports */

struct port_group_at {
	uint16_t port;
	uint32_t group; /* 1..n */
};

struct port_groups {
	uint32_t n;                 /* groups, numbered from 1 */
	uint32_t *first;            /* group g's rules: rule[first[g - 1] .. first[g]) */
	uint32_t *rule;             /* rule indexes, each group's in ascending order */
	struct port_group_at *at[PORT_GROUP_CLASSES]; /* per transport, sorted by port */
	uint32_t n_at[PORT_GROUP_CLASSES];
};

/* Does port group P cover few enough ports (and no negation-only set)? */
bool port_groups_narrow(const struct xdpi_port_group *p);

/* Puts each of the N rules for which IN(rule, class) holds in the group of each port of its
 * destination ports, transport by transport: ports whose rules are the same share a group.
 * 0, or -ENOMEM (PG then empty). */
int port_groups_build(struct port_groups *pg, const struct xdpi_rule *rules, uint32_t n,
		      bool (*in)(const struct xdpi_rule *r, unsigned cl, void *ctx), void *ctx);

/* The group of packets to PORT over transport class CL (0: TCP, 1: UDP), or 0 for none. */
uint32_t port_groups_find(const struct port_groups *pg, unsigned cl, uint16_t port);

void port_groups_free(struct port_groups *pg);

#endif /* XDPI_PORT_GROUPS_H */
