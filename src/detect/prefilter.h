/* SPDX-License-Identifier: GPL-2.0 */
/* The prefilter's Hyperscan databases (prefilter.c): literal patterns in groups, one database
 * per group, the groups compiled on several threads. */
#ifndef XDPI_PREFILTER_H
#define XDPI_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hs/hs.h>

struct prefilter_pat {
	const char *pat;
	size_t len;
	unsigned flags;  /* HS_FLAG_* */
	uint32_t id;     /* what a match reports (a rule's index), at most max_id */
	uint32_t group;  /* the database it goes in */
};

/* Hyperscan refused pattern ID (WHY): it is in no database. Called in group order, once per
 * group that refused it. */
typedef void (*prefilter_refused_fn)(void *ctx, uint32_t id, const char *why);

/* Compiles PATS (N of them, sorted by group) into DB[group] (a group left with no pattern
 * stays NULL; the caller frees each). 0, or -errno with ERR and *BAD_GROUP set (the databases
 * made are still in DB). */
int xdpi_prefilter_compile(const struct prefilter_pat *pats, uint32_t n, uint32_t max_id,
			   hs_database_t **db, prefilter_refused_fn refused, void *ctx,
			   uint32_t *bad_group, char *err, size_t errlen);

#endif /* XDPI_PREFILTER_H */
