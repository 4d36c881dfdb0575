// SPDX-License-Identifier: GPL-2.0
/* CIDR entries in the kernel's LPM tries, and whole tries swapped in behind the one-slot outer
 * maps. One bpf(2) update per entry (this kernel's LPM trie has no batch operations): a
 * million entries take about three seconds (bench/xdp_ns). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpi/policy.h"

uint64_t xdpi_policy_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns's clock */
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the tries behind the outer maps ---- */

static int trie_create(int family)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	bool v4 = family == AF_INET;
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, v4 ? "xdpi_policy4" : "xdpi_policy6",
				v4 ? sizeof(struct xdpi_lpm4_key) : sizeof(struct xdpi_lpm6_key),
				sizeof(struct xdpi_policy_value), XDPI_POLICY_MAX, &opts);

	return fd < 0 ? -errno : fd;
}

/* The trie in OUTER's slot, or -ENOENT when the slot is empty. */
static int trie_current(int outer_fd)
{
	__u32 slot = 0, id;
	int fd;

	if (bpf_map_lookup_elem(outer_fd, &slot, &id))
		return -errno;
	fd = bpf_map_get_fd_by_id(id);
	return fd < 0 ? -errno : fd;
}

static int trie_swap(int outer_fd, int trie_fd)
{
	__u32 slot = 0;
	int fd = trie_fd;

	return bpf_map_update_elem(outer_fd, &slot, &fd, BPF_ANY) ? -errno : 0;
}

static int trie_init_one(int outer_fd, int family)
{
	int fd = trie_current(outer_fd), err;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	fd = trie_create(family);
	if (fd < 0)
		return fd;
	err = trie_swap(outer_fd, fd);
	close(fd); /* the outer map holds it now */
	return err;
}

int xdpi_policy_tries_init(int outer4_fd, int outer6_fd)
{
	int err = trie_init_one(outer4_fd, AF_INET);

	return err ? err : trie_init_one(outer6_fd, AF_INET6);
}

/* Any change to the user slot invalidates what was cached under the old value; concurrent
 * writers may both write old + 1, which is still a change. */
static int gen_bump(int gen_fd)
{
	__u32 slot = XDPI_GEN_USER;
	__u64 g;

	if (bpf_map_lookup_elem(gen_fd, &slot, &g))
		return -errno;
	g++;
	return bpf_map_update_elem(gen_fd, &slot, &g, BPF_ANY) ? -errno : 0;
}

int xdpi_policy_cache_set(int gen_fd, bool on)
{
	__u32 slot = XDPI_GEN_CACHE_ON;
	__u64 v = on;

	return bpf_map_update_elem(gen_fd, &slot, &v, BPF_ANY) ? -errno : 0;
}

int xdpi_policy_commit(struct xdpi_policy_maps *m)
{
	int err = m->dirty && m->gen_fd >= 0 ? gen_bump(m->gen_fd) : 0;

	m->dirty = false;
	return err;
}

void xdpi_policy_tries_close(struct xdpi_policy_maps *m)
{
	xdpi_policy_commit(m);
	if (m->v4_fd >= 0)
		close(m->v4_fd);
	if (m->v6_fd >= 0)
		close(m->v6_fd);
	m->v4_fd = m->v6_fd = -1;
}

int xdpi_policy_tries_open(const struct xdpi_policy_fds *fds, struct xdpi_policy_maps *out)
{
	out->gen_fd = fds->gen;
	out->dirty = false;
	out->v4_fd = trie_current(fds->outer4);
	out->v6_fd = trie_current(fds->outer6);
	if (out->v4_fd >= 0 && out->v6_fd >= 0)
		return 0;
	int err = out->v4_fd < 0 ? out->v4_fd : out->v6_fd;

	xdpi_policy_tries_close(out);
	return err;
}

/* ---- entries ---- */

/* C's trie and its exact key (an IPv6 key is large enough for either family). */
static int entry_key(const struct xdpi_policy_maps *maps, const struct xdpi_cidr *c,
		     struct xdpi_lpm6_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = c->prefix_len;
	memcpy(k->addr, c->addr, c->family == AF_INET ? 4 : 16);
	return c->family == AF_INET ? maps->v4_fd : maps->v6_fd;
}

int xdpi_policy_put(struct xdpi_policy_maps *maps, const struct xdpi_cidr *c,
		    const struct xdpi_policy_value *v)
{
	struct xdpi_policy_value val = *v;
	struct xdpi_lpm6_key k;
	int fd = entry_key(maps, c, &k);

	val.prefixlen = c->prefix_len;
	maps->dirty = true;
	return bpf_map_update_elem(fd, &k, &val, BPF_ANY) ? -errno : 0;
}

int xdpi_policy_get(const struct xdpi_policy_maps *maps, const struct xdpi_cidr *c,
		    struct xdpi_policy_value *out)
{
	struct xdpi_lpm6_key k;
	int fd = entry_key(maps, c, &k);

	/* a lookup finds the longest prefix holding the key: exact only if its length matches */
	if (bpf_map_lookup_elem(fd, &k, out))
		return -errno;
	return out->prefixlen == c->prefix_len ? 0 : -ENOENT;
}

int xdpi_policy_delete(struct xdpi_policy_maps *maps, const struct xdpi_cidr *c)
{
	struct xdpi_lpm6_key k;
	int fd = entry_key(maps, c, &k);

	maps->dirty = true;
	return bpf_map_delete_elem(fd, &k) ? -errno : 0;
}

int xdpi_policy_install(struct xdpi_policy_maps *maps, const struct xdpi_cidr_list *list,
			uint8_t action, uint32_t rule_id, uint64_t expires_ns, char *err,
			size_t errlen)
{
	const struct xdpi_policy_value tmpl = { .rule_id = rule_id, .action = action,
						.expires_ns = expires_ns };

	for (size_t i = 0; i < list->count; i++) {
		int rc = xdpi_policy_put(maps, &list->entries[i], &tmpl);

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

static int walk_trie(int fd, int family, xdpi_policy_entry_fn fn, void *ctx)
{
	struct xdpi_lpm6_key key, next;
	struct xdpi_policy_value v;
	struct xdpi_cidr c = { .family = (uint8_t)family };
	bool first = true;
	int rc;

	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue; /* deleted meanwhile */
		c.prefix_len = (uint8_t)key.prefixlen;
		memset(c.addr, 0, sizeof(c.addr));
		memcpy(c.addr, key.addr, family == AF_INET ? 4 : 16);
		rc = fn(ctx, &c, &v);
		if (rc)
			return rc;
	}
	return errno == ENOENT ? 0 : -errno;
}

int xdpi_policy_walk(const struct xdpi_policy_maps *maps, xdpi_policy_entry_fn fn, void *ctx)
{
	int rc = walk_trie(maps->v4_fd, AF_INET, fn, ctx);

	return rc ? rc : walk_trie(maps->v6_fd, AF_INET6, fn, ctx);
}

/* ---- replacing one rule's entries ---- */

struct copy_ctx {
	struct xdpi_policy_maps *to;
	uint32_t skip_rule;
	uint64_t now;
	bool only_missing; /* the catch-up pass: keep what the new tries already hold */
};

static int copy_entry(void *ctx, const struct xdpi_cidr *c, const struct xdpi_policy_value *v)
{
	struct copy_ctx *cc = ctx;
	struct xdpi_policy_value have;

	if (v->rule_id == cc->skip_rule || (v->expires_ns && v->expires_ns <= cc->now))
		return 0;
	if (cc->only_missing && !xdpi_policy_get(cc->to, c, &have))
		return 0;
	return xdpi_policy_put(cc->to, c, v);
}

static int new_tries(struct xdpi_policy_maps *m, int gen_fd)
{
	m->gen_fd = gen_fd;
	m->dirty = false;
	m->v4_fd = trie_create(AF_INET);
	m->v6_fd = m->v4_fd < 0 ? -1 : trie_create(AF_INET6);
	if (m->v4_fd >= 0 && m->v6_fd >= 0)
		return 0;
	int err = m->v4_fd < 0 ? m->v4_fd : m->v6_fd;

	xdpi_policy_tries_close(m);
	return err;
}

int xdpi_policy_replace_rule(const struct xdpi_policy_fds *fds, uint32_t rule_id,
			     const struct xdpi_cidr_list *list, uint8_t action, char *err,
			     size_t errlen)
{
	struct xdpi_policy_maps old = XDPI_POLICY_MAPS_INIT, fresh = XDPI_POLICY_MAPS_INIT;
	struct copy_ctx cc = { .to = &fresh, .skip_rule = rule_id, .now = xdpi_policy_now_ns() };
	int rc = xdpi_policy_tries_open(fds, &old);

	if (!rc)
		rc = new_tries(&fresh, fds->gen);
	if (!rc)
		rc = xdpi_policy_walk(&old, copy_entry, &cc);
	if (rc) {
		snprintf(err, errlen, "building the new tries: %s", strerror(-rc));
		goto out;
	}
	rc = xdpi_policy_install(&fresh, list, action, rule_id, 0, err, errlen);
	if (!rc && list->count >= XDPI_POLICY_CACHE_MIN)
		rc = xdpi_policy_cache_set(fds->gen, true);
	if (rc)
		goto out;
	rc = trie_swap(fds->outer4, fresh.v4_fd);
	if (!rc)
		rc = trie_swap(fds->outer6, fresh.v6_fd);
	if (!rc)
		rc = gen_bump(fds->gen); /* answers cached from the old tries go */
	if (rc) {
		snprintf(err, errlen, "swapping in the new tries: %s", strerror(-rc));
		goto out;
	}
	cc.only_missing = true; /* entries others added while we copied */
	rc = xdpi_policy_walk(&old, copy_entry, &cc);
	if (rc)
		snprintf(err, errlen, "copying late entries into the new tries: %s", strerror(-rc));
out:
	old.dirty = false; /* only read */
	fresh.dirty = !rc; /* late entries copied: bump once more on close */
	xdpi_policy_tries_close(&old);
	xdpi_policy_tries_close(&fresh);
	return rc;
}

int xdpi_policy_rule_stats(const struct xdpi_rule_stats_maps *m, uint32_t rule_id,
			   struct xdpi_rule_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = rule_id < XDPI_RULE_STATS_LOW ? m->low_fd : m->hash_fd;
	struct xdpi_rule_stats *per_cpu;

	memset(out, 0, sizeof(*out));
	if (ncpu < 0)
		return ncpu;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &rule_id, per_cpu)) {
		int err = errno == ENOENT ? 0 : -errno;

		free(per_cpu);
		return err;
	}
	xdpi_rule_stats_sum(per_cpu, (size_t)ncpu, out);
	free(per_cpu);
	return 0;
}

#define RULE_BATCH 256u /* array slots read per system call */

/* Appends the array's counted ids (a packet on any CPU) to IDS[*N..CAP). */
static int low_ids(int fd, uint32_t *ids, size_t *n, size_t cap)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t keys[RULE_BATCH], in = 0, out = 0;
	struct xdpi_rule_stats *vals;
	bool first = true;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)RULE_BATCH * (size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (bool more = true; more && !err;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 count = RULE_BATCH;

		/* the last batch ends with ENOENT, what it read still counted */
		if (bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, &opts)) {
			err = errno == ENOENT ? 0 : -errno;
			more = false;
		}
		first = false;
		in = out;
		for (__u32 k = 0; k < count && *n < cap; k++) {
			bool hit = false;

			for (int c = 0; c < ncpu; c++)
				hit |= vals[(size_t)k * (size_t)ncpu + (size_t)c].pkts != 0;
			if (hit)
				ids[(*n)++] = keys[k];
		}
	}
	free(vals);
	return err;
}

static int cmp_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int xdpi_policy_rule_ids(const struct xdpi_rule_stats_maps *m, uint32_t *ids, size_t given,
			 size_t cap)
{
	size_t n = given, out = 0;
	uint32_t key, next;
	bool first = true;
	int err = m->low_fd >= 0 ? low_ids(m->low_fd, ids, &n, cap) : 0;

	while (!err && m->hash_fd >= 0 && n < cap &&
	       !bpf_map_get_next_key(m->hash_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		ids[n++] = key;
	}
	if (err)
		return err; /* IDS[0..GIVEN) as they came */
	qsort(ids, n, sizeof(*ids), cmp_id);
	for (size_t i = 0; i < n; i++)
		if (!out || ids[out - 1] != ids[i])
			ids[out++] = ids[i];
	return (int)out;
}

int xdpi_policy_rule_each(const struct xdpi_rule_stats_maps *m,
			  void (*fn)(uint32_t rule_id, const struct xdpi_rule_stats *st, void *ctx),
			  void *ctx)
{
	size_t cap = XDPI_RULE_STATS_LOW + XDPI_RULE_STATS_MAX;
	uint32_t *ids = calloc(cap, sizeof(*ids));
	int n = ids ? xdpi_policy_rule_ids(m, ids, 0, cap) : -ENOMEM;

	for (int i = 0; i < n; i++) {
		struct xdpi_rule_stats st;

		if (!xdpi_policy_rule_stats(m, ids[i], &st))
			fn(ids[i], &st, ctx);
	}
	free(ids);
	return n < 0 ? n : 0;
}

void xdpi_rule_stats_sum(const struct xdpi_rule_stats *per_cpu, size_t ncpu,
			 struct xdpi_rule_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t c = 0; c < ncpu; c++) {
		const struct xdpi_rule_stats *s = &per_cpu[c];

		out->pkts += s->pkts;
		out->bytes += s->bytes;
		/* a CPU's slot without a stamp (0) has none to give: the element was created on
		 * another CPU, which stamped the rule's first hit */
		if (s->first_ns && (!out->first_ns || s->first_ns < out->first_ns))
			out->first_ns = s->first_ns;
		if (s->last_ns > out->last_ns)
			out->last_ns = s->last_ns;
	}
}
