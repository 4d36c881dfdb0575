/* SPDX-License-Identifier: GPL-2.0 */
/* Port and protocol rules: "ACTION PROTO[/PORT[-PORT]] [from CIDR]", one per line or option,
 * '#' starts a remark. They go into the kernel's ports4/ports6 tries (bpf/lib/policy.h), keyed
 * by protocol, destination port and source address, and apply to incoming packets (XDP); the
 * longest match decides:
 *   drop tcp/23                      every TCP packet to port 23
 *   allow tcp/22 from 198.18.5.0/24  ...but this range may reach port 22
 *   drop udp/1900-1901               a range (at most 1024 ports per rule)
 *   drop icmp from 198.18.9.0/24     protocols without ports take a CIDR directly
 *   drop 47                          a protocol by number (GRE) */
#ifndef XDPI_PORT_RULES_H
#define XDPI_PORT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "xdpi/cidr_list.h"

#define XDPI_PORT_RANGE_MAX 1024

struct xdpi_port_rule {
	uint8_t action;    /* enum xdpi_policy_action */
	uint8_t proto;     /* IPPROTO_* */
	bool has_ports;    /* tcp, udp and sctp only; other protocols match port 0 */
	uint16_t port_lo;  /* host byte order, inclusive */
	uint16_t port_hi;
	bool has_cidr;
	struct xdpi_cidr cidr;
	uint32_t line;
};

struct xdpi_port_rules {
	struct xdpi_port_rule *rules;
	size_t count;
	size_t cap;
};

/* Parses TEXT (LEN bytes) named NAME, appending to OUT; all or nothing: on the first bad
 * rule returns -EINVAL with "NAME:LINE:COL: what is wrong" in ERR and OUT unchanged. */
int xdpi_port_rules_parse(const char *name, const char *text, size_t len,
			  struct xdpi_port_rules *out, char *err, size_t errlen);
/* Reads PATH ("-": standard input) and parses it as above. */
int xdpi_port_rules_load(const char *path, struct xdpi_port_rules *out, char *err, size_t errlen);
void xdpi_port_rules_free(struct xdpi_port_rules *r);
/* "drop tcp/23 from 198.18.0.0/16" into BUF (at least 96 bytes). */
void xdpi_port_rule_format(const struct xdpi_port_rule *r, char *buf, size_t buflen);

/* Puts (or with DELETE removes) every entry of R under RULE_ID into the tries FD4/FD6; a put
 * also marks the PORTS slot of GEN_FD (the policy_gen map), without which the fast path
 * never looks at the tries. Returns 0 or -errno. */
int xdpi_port_rule_apply(int fd4, int fd6, int gen_fd, const struct xdpi_port_rule *r,
			 uint32_t rule_id, bool delete);

/* Calls FN for every entry of the tries (IPv4 first), as a one-port rule with the entry's
 * action; a non-zero return stops the walk and is returned. */
struct xdpi_policy_value;
typedef int (*xdpi_port_entry_fn)(void *ctx, const struct xdpi_port_rule *r,
				  const struct xdpi_policy_value *v);
int xdpi_port_rules_walk(int fd4, int fd6, xdpi_port_entry_fn fn, void *ctx);

#endif /* XDPI_PORT_RULES_H */
