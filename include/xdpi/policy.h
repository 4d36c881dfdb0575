/* SPDX-License-Identifier: GPL-2.0 */
/* Policy entries in the kernel's LPM tries (bpf/lib/policy.h applies them). Each family's trie
 * sits in slot 0 of a one-slot array of maps, so that a list can be replaced by building a new
 * trie and swapping it in: packets see the old trie or the new one, never half of each. */
#ifndef XDPI_POLICY_H
#define XDPI_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include "shared/xdpi_abi.h"
#include "xdpi/cidr_list.h"

/* The maps that hold the address policy (not owned). */
struct xdpi_policy_fds {
	int outer4; /* policy4: slot 0 holds the IPv4 trie */
	int outer6; /* policy6 */
	int gen;    /* policy_gen: the verdict cache's generations */
};

/* The tries in use (v4_fd, v6_fd owned by this struct; -1 when closed). Writes through it
 * mark it dirty; closing it then bumps the user generation, which invalidates every cached
 * verdict: close after writing, before relying on the new policy. */
struct xdpi_policy_maps {
	int v4_fd;
	int v6_fd;
	int gen_fd;
	bool dirty;
};
#define XDPI_POLICY_MAPS_INIT { -1, -1, -1, false }

/* Puts a fresh, empty trie into each outer map whose slot is empty (the loader does this once
 * before attaching). Returns 0 or -errno. */
int xdpi_policy_tries_init(int outer4_fd, int outer6_fd);
/* Opens the tries currently in the outer maps. Returns 0 or -errno. */
int xdpi_policy_tries_open(const struct xdpi_policy_fds *fds, struct xdpi_policy_maps *out);
/* Turns the kernel's verdict cache on or off (bench/xdp_ns measures both). It costs ~20 ns a
 * packet and saves the trie walk (~100 ns at a million entries), so xdpi turns it on once a
 * list of at least XDPI_POLICY_CACHE_MIN entries is loaded. */
#define XDPI_POLICY_CACHE_MIN 4096
int xdpi_policy_cache_set(int gen_fd, bool on);
void xdpi_policy_tries_close(struct xdpi_policy_maps *m);
/* Makes the writes so far visible to the kernel's verdict cache (close does it too). */
int xdpi_policy_commit(struct xdpi_policy_maps *m);

/* Inserts or replaces C's entry with V (V's prefixlen is set from C). Returns 0 or -errno. */
int xdpi_policy_put(struct xdpi_policy_maps *maps, const struct xdpi_cidr *c,
		    const struct xdpi_policy_value *v);
/* Removes exactly C's entry (not a longer or shorter prefix). Returns 0, -ENOENT or -errno. */
int xdpi_policy_delete(struct xdpi_policy_maps *maps, const struct xdpi_cidr *c);
/* Exactly C's entry into OUT. Returns 0, -ENOENT or -errno. */
int xdpi_policy_get(const struct xdpi_policy_maps *maps, const struct xdpi_cidr *c,
		    struct xdpi_policy_value *out);

/* Inserts every entry of LIST with ACTION (enum xdpi_policy_action) and RULE_ID, expiring at
 * EXPIRES_NS (CLOCK_MONOTONIC; 0 never). A CIDR already present takes the new value: the
 * list given last wins. Returns 0 or -errno with "what failed" in ERR. */
int xdpi_policy_install(struct xdpi_policy_maps *maps, const struct xdpi_cidr_list *list,
			uint8_t action, uint32_t rule_id, uint64_t expires_ns, char *err,
			size_t errlen);

/* Calls FN for every entry of both tries (IPv4 first); a non-zero return stops the walk and is
 * returned. */
typedef int (*xdpi_policy_entry_fn)(void *ctx, const struct xdpi_cidr *c,
				    const struct xdpi_policy_value *v);
int xdpi_policy_walk(const struct xdpi_policy_maps *maps, xdpi_policy_entry_fn fn, void *ctx);

/* Atomically (per family) replaces every entry of RULE_ID by LIST's entries with ACTION: builds
 * new tries holding the other rules' unexpired entries plus LIST, swaps them in, then copies
 * over entries that other writers added to the old tries meanwhile. Returns 0 or -errno with
 * "what failed" in ERR; on failure the old tries stay in place, untouched. */
int xdpi_policy_replace_rule(const struct xdpi_policy_fds *fds, uint32_t rule_id,
			     const struct xdpi_cidr_list *list, uint8_t action, char *err,
			     size_t errlen);

/* The kernel's per-rule counters: ids below XDPI_RULE_STATS_LOW in a per-CPU array indexed by
 * id (rule_stats_low: one inlined lookup per decision), the others in a per-CPU hash
 * (rule_stats). -1 for a map not there (an offline run). */
struct xdpi_rule_stats_maps {
	int low_fd;
	int hash_fd;
};

/* RULE_ID's counters summed over CPUs (first_ns the earliest, last_ns the latest hit; all zero
 * if the rule never matched). Returns 0 or -errno. */
int xdpi_policy_rule_stats(const struct xdpi_rule_stats_maps *m, uint32_t rule_id,
			   struct xdpi_rule_stats *out);
/* The ids the kernel counted at least one packet for and the GIVEN ids IDS[0..GIVEN) already
 * holds (reported whether counted or not), ascending, each once, at most CAP in all. Returns
 * how many, or -errno. */
int xdpi_policy_rule_ids(const struct xdpi_rule_stats_maps *m, uint32_t *ids, size_t given,
			 size_t cap);
/* FN on each counted rule with its summed counters, ids ascending. Returns 0 or -errno. */
int xdpi_policy_rule_each(const struct xdpi_rule_stats_maps *m,
			  void (*fn)(uint32_t rule_id, const struct xdpi_rule_stats *st, void *ctx),
			  void *ctx);
/* The per-CPU slots of one rule's stats as one: counts summed, the earliest stamped first hit,
 * the latest last hit. */
void xdpi_rule_stats_sum(const struct xdpi_rule_stats *per_cpu, size_t ncpu,
			 struct xdpi_rule_stats *out);

/* Sets the steering state (enum xdpi_steer) of the flow K in the kernel's flow map: BYPASS
 * stops its copies to user space while the kernel keeps counting it. BEFORE (may be NULL)
 * receives the flow's value just before. Returns 0, -ENOENT (no such flow) or -errno. */
int xdpi_flow_set_steer(int flows_fd, const struct xdpi_flow_key *k, uint8_t steer,
			struct xdpi_flow_value *before);
/* The same in one step inside the kernel, through the XDP object's `flow_steer` program
 * (PROG_FD): what the kernel counts meanwhile is not written over. With NOT_AFTER_NS (0: any),
 * only the connection that began by then: an entry a new connection on the tuple has taken
 * over since (its first_ns later) is left alone, -ESTALE. */
int xdpi_flow_steer_run(int prog_fd, const struct xdpi_flow_key *k, uint8_t steer,
			uint64_t not_after_ns, struct xdpi_flow_value *before);
/* The canonical key of the flow PROTO ("tcp", "udp") SRC ("ADDR:PORT", "[V6]:PORT") DST on
 * VLAN (0: untagged). Returns 0 or -EINVAL with what is wrong in ERR. */
int xdpi_flow_key_parse(const char *proto, const char *src, const char *dst, uint16_t vlan,
			struct xdpi_flow_key *k, char *err, size_t errlen);

/* A header-only reputation rule R (see xdpi_detect__offload) as trie entries: each CIDR of its
 * source (BY_SOURCE) or destination list, counted under its sid, ALERT or DROP. All or nothing;
 * *ENTRIES grows by the entries put. Returns 0, -ERANGE for a sid below XDPI_RULE_SID_MIN, or
 * -errno. An entry for the same CIDR from another rule is replaced (the later rule counts). */
struct xdpi_rule;
int xdpi_policy_offload_rule(struct xdpi_policy_maps *maps, const struct xdpi_rule *r,
			     bool by_source, size_t *entries);
/* The current CLOCK_MONOTONIC time, the clock of expires_ns. */
uint64_t xdpi_policy_now_ns(void);

#endif /* XDPI_POLICY_H */
