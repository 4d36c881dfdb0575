// SPDX-License-Identifier: GPL-2.0
/* Cgroups to containers. A cgroup v2 id is the inode number of its directory, so the path is
 * found by walking the cgroup2 mount once per new id (cached, misses too); the container is
 * read off the path the way runtimes name their cgroups. */
#define _GNU_SOURCE
#include <ctype.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "xdpi/context.h"

#define CACHE 512

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static bool set(char *id, size_t idlen, char *rt, size_t rlen, const char *runtime,
		const char *s, size_t n)
{
	snprintf(id, idlen, "%.*s", (int)n, s);
	snprintf(rt, rlen, "%s", runtime);
	return true;
}

/* One path component C (length N), its parent P (length PN). */
static bool component(const char *c, size_t n, const char *p, size_t pn, char *id, size_t idlen,
		      char *rt, size_t rlen)
{
	static const struct {
		const char *prefix, *runtime;
	} scopes[] = { { "docker-", "docker" }, { "cri-containerd-", "containerd" },
		       { "crio-", "cri-o" }, { "libpod-", "podman" } };
	const char *dot = memrchr(c, '.', n);

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t pl = strlen(scopes[i].prefix);

		if (dot && n > pl && !strncmp(c, scopes[i].prefix, pl) && !strncmp(dot, ".scope", 6) &&
		    all_hex(c + pl, (size_t)(dot - c) - pl) && (size_t)(dot - c) - pl >= 12)
			return set(id, idlen, rt, rlen, scopes[i].runtime, c + pl, (size_t)(dot - c) - pl);
	}
	if (n == 64 && all_hex(c, n)) { /* cgroupfs drivers: /docker/<id>, /kubepods/.../<id> */
		if (pn == 6 && !strncmp(p, "docker", 6))
			return set(id, idlen, rt, rlen, "docker", c, n);
		if (pn >= 8 && !strncmp(p, "libpod_parent", pn < 13 ? pn : 13))
			return set(id, idlen, rt, rlen, "podman", c, n);
		return set(id, idlen, rt, rlen, "containerd", c, n); /* kubepods and others */
	}
	if (dot && !strncmp(dot, ".service", 8) && (size_t)(dot - c) + 8 == n)
		return set(id, idlen, rt, rlen, "systemd", c, n);
	return false;
}

bool xdpi_container_parse(const char *path, char *id, size_t idlen, char *runtime, size_t rlen)
{
	const char *end = path + strlen(path), *c_end = end;

	id[0] = runtime[0] = '\0';
	while (c_end > path) { /* from the last component up: the innermost container wins */
		const char *c = c_end, *p, *p_end;

		while (c > path && c[-1] != '/')
			c--;
		p_end = c > path ? c - 1 : c;
		p = p_end;
		while (p > path && p[-1] != '/')
			p--;
		if (c_end > c && component(c, (size_t)(c_end - c), p, (size_t)(p_end - p), id, idlen,
					   runtime, rlen))
			return true;
		c_end = c > path ? c - 1 : path;
	}
	return false;
}

/* ---- cgroup id -> path ---- */

static struct {
	pthread_mutex_t lock;
	struct {
		uint64_t id;
		bool found;
		char path[192];
	} e[CACHE];
	uint32_t next;
	char mount[256];
	bool mount_known;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static __thread uint64_t walk_id;
static __thread char *walk_out;
static __thread size_t walk_len;
static __thread size_t walk_prefix;

static int visit(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || sb->st_ino != walk_id)
		return 0;
	snprintf(walk_out, walk_len, "%s", fpath[walk_prefix] ? fpath + walk_prefix : "/");
	return 1; /* found: stop */
}

static const char *cgroup2_mount(void)
{
	FILE *f;
	char line[1024];

	if (cache.mount_known)
		return cache.mount[0] ? cache.mount : NULL;
	cache.mount_known = true;
	f = fopen("/proc/self/mountinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[256], fstype[64];
		const char *sep = strstr(line, " - ");

		if (sep && sscanf(sep, " - %63s", fstype) == 1 && !strcmp(fstype, "cgroup2") &&
		    sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
			snprintf(cache.mount, sizeof(cache.mount), "%s", mnt);
			break;
		}
	}
	if (f)
		fclose(f);
	return cache.mount[0] ? cache.mount : NULL;
}

bool xdpi_cgroup_path(uint64_t id, char *path, size_t n)
{
	const char *mnt;
	bool found = false;
	uint32_t slot;

	pthread_mutex_lock(&cache.lock);
	for (uint32_t i = 0; i < CACHE; i++) {
		if (cache.e[i].id == id && id) {
			snprintf(path, n, "%s", cache.e[i].path);
			found = cache.e[i].found;
			pthread_mutex_unlock(&cache.lock);
			return found;
		}
	}
	mnt = cgroup2_mount();
	slot = cache.next++ % CACHE;
	cache.e[slot].id = id;
	cache.e[slot].path[0] = '\0';
	if (mnt) {
		walk_id = id, walk_out = cache.e[slot].path, walk_len = sizeof(cache.e[slot].path);
		walk_prefix = strlen(mnt);
		found = nftw(mnt, visit, 16, FTW_PHYS | FTW_MOUNT) == 1;
	}
	cache.e[slot].found = found;
	snprintf(path, n, "%s", cache.e[slot].path);
	pthread_mutex_unlock(&cache.lock);
	return found;
}
