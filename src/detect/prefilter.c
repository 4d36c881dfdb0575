// SPDX-License-Identifier: GPL-2.0
/* The prefilter's Hyperscan databases, compiled side by side. Compiling is most of what loading
 * a large rule set costs (the ET snapshot's 56 databases, about 0.7 s of 1.4 on one core) and
 * each database compiles on its own, so the groups go to xdpi_parallel_for's threads. A
 * pattern Hyperscan refuses costs its rule, not the database: it is left out and the group
 * compiled again; a rule refused in one group is left out of every other
 * group too (compiled again, one thread, in the rare case one had already taken it), so what a
 * rule set loads does not depend on which thread ran first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpi/parallel.h"
#include "prefilter.h"

struct group_job {
	uint32_t first, n;  /* its patterns: pats[first .. first + n) */
	hs_database_t *db;
	uint32_t *refused;  /* ids Hyperscan refused in this group */
	char **why;
	uint32_t n_refused;
	char err[160];      /* a failure that is not one pattern's */
};

struct compile_run {
	const struct prefilter_pat *pats;
	struct group_job *jobs;
	uint32_t n_jobs;
	const uint8_t *excluded; /* per id: refused elsewhere, left out (NULL: none yet) */
};

static int note_refusal(struct group_job *j, uint32_t id, const char *why)
{
	uint32_t *r = realloc(j->refused, (j->n_refused + 1) * sizeof(*r));
	char **w;

	if (!r)
		return -ENOMEM;
	j->refused = r;
	if (!(w = realloc(j->why, (j->n_refused + 1) * sizeof(*w))))
		return -ENOMEM;
	j->why = w;
	if (!(w[j->n_refused] = strdup(why)))
		return -ENOMEM;
	r[j->n_refused++] = id;
	return 0;
}

/* One group into J->db (NULL when every pattern is left out); 0 or -errno with J->err. */
static int compile_job(const struct compile_run *run, struct group_job *j)
{
	const char **exprs = malloc((j->n ? j->n : 1) * sizeof(*exprs));
	unsigned *flags = malloc((j->n ? j->n : 1) * sizeof(*flags));
	unsigned *ids = malloc((j->n ? j->n : 1) * sizeof(*ids));
	size_t *lens = malloc((j->n ? j->n : 1) * sizeof(*lens));
	hs_compile_error_t *ce = NULL;
	unsigned n = 0;
	int rc = -ENOMEM;

	j->db = NULL;
	if (!exprs || !flags || !ids || !lens)
		goto out;
	for (uint32_t i = j->first; i < j->first + j->n; i++) {
		const struct prefilter_pat *p = &run->pats[i];

		if (run->excluded && run->excluded[p->id])
			continue;
		exprs[n] = p->pat, flags[n] = p->flags, ids[n] = p->id, lens[n] = p->len;
		n++;
	}
	rc = 0;
	while (n && hs_compile_lit_multi(exprs, flags, ids, lens, n, HS_MODE_BLOCK, NULL, &j->db,
					 &ce) != HS_SUCCESS) {
		int bad = ce ? ce->expression : -1;

		j->db = NULL;
		if (bad < 0 || (unsigned)bad >= n) {
			snprintf(j->err, sizeof(j->err), "hyperscan: %s", ce ? ce->message : "failed");
			rc = -EINVAL;
			break;
		}
		if ((rc = note_refusal(j, ids[bad], ce->message)))
			break;
		hs_free_compile_error(ce);
		ce = NULL;
		n--;
		memmove(exprs + bad, exprs + bad + 1, (n - (unsigned)bad) * sizeof(*exprs));
		memmove(flags + bad, flags + bad + 1, (n - (unsigned)bad) * sizeof(*flags));
		memmove(ids + bad, ids + bad + 1, (n - (unsigned)bad) * sizeof(*ids));
		memmove(lens + bad, lens + bad + 1, (n - (unsigned)bad) * sizeof(*lens));
	}
	hs_free_compile_error(ce);
out:
	if (rc == -ENOMEM && !j->err[0])
		snprintf(j->err, sizeof(j->err), "out of memory while compiling the rules");
	free(exprs), free(flags), free(ids), free(lens);
	return rc;
}

static void compile_piece(void *ctx, uint32_t k)
{
	struct compile_run *run = ctx;

	compile_job(run, &run->jobs[k]);
}

/* Did job J compile a pattern whose id EXCLUDED now marks (refused in another group)? */
static bool holds_excluded(const struct compile_run *run, const struct group_job *j)
{
	for (uint32_t i = j->first; i < j->first + j->n; i++) {
		uint32_t id = run->pats[i].id;
		bool own = false;

		if (!run->excluded[id])
			continue;
		for (uint32_t r = 0; r < j->n_refused && !own; r++)
			own = j->refused[r] == id;
		if (!own && j->db)
			return true;
	}
	return false;
}

/* The ids refused anywhere, marked in EXCLUDED; true when there is one. */
static bool mark_refused(const struct group_job *jobs, uint32_t n_jobs, uint8_t *excluded)
{
	bool any = false;

	for (uint32_t k = 0; k < n_jobs; k++)
		for (uint32_t r = 0; r < jobs[k].n_refused; r++)
			excluded[jobs[k].refused[r]] = 1, any = true;
	return any;
}

/* Groups that compiled a pattern refused elsewhere, compiled again without it (one thread:
 * rare), until no new refusal appears. */
static int settle_refusals(struct compile_run *run, uint32_t max_id)
{
	uint8_t *excluded = calloc(max_id + 1, 1);
	bool again = true;

	if (!excluded)
		return -ENOMEM;
	if (!mark_refused(run->jobs, run->n_jobs, excluded)) {
		free(excluded);
		return 0;
	}
	run->excluded = excluded;
	while (again) {
		again = false;
		for (uint32_t k = 0; k < run->n_jobs; k++) {
			struct group_job *j = &run->jobs[k];
			uint32_t before = j->n_refused;

			if (!holds_excluded(run, j))
				continue;
			hs_free_database(j->db);
			compile_job(run, j);
			again |= j->n_refused != before;
		}
		if (again)
			mark_refused(run->jobs, run->n_jobs, excluded);
	}
	run->excluded = NULL;
	free(excluded);
	return 0;
}

static void jobs_free(struct group_job *jobs, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		for (uint32_t r = 0; r < jobs[k].n_refused; r++)
			free(jobs[k].why[r]);
		free(jobs[k].refused), free(jobs[k].why);
	}
	free(jobs);
}

/* The jobs: one per run of equal groups in PATS (sorted by group). */
static struct group_job *jobs_make(const struct prefilter_pat *pats, uint32_t n, uint32_t *n_jobs)
{
	struct group_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
	uint32_t k = 0;

	if (!jobs)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (!k || pats[i].group != pats[jobs[k - 1].first].group)
			jobs[k++].first = i;
		jobs[k - 1].n++;
	}
	*n_jobs = k;
	return jobs;
}

int xdpi_prefilter_compile(const struct prefilter_pat *pats, uint32_t n, uint32_t max_id,
			   hs_database_t **db, prefilter_refused_fn refused, void *ctx,
			   uint32_t *bad_group, char *err, size_t errlen)
{
	struct compile_run run = { .pats = pats };
	int rc = 0;

	if (!(run.jobs = jobs_make(pats, n, &run.n_jobs))) {
		snprintf(err, errlen, "out of memory while compiling the rules");
		return -ENOMEM;
	}
	xdpi_parallel_for(run.n_jobs, compile_piece, &run);
	if (settle_refusals(&run, max_id)) {
		snprintf(err, errlen, "out of memory while compiling the rules");
		rc = -ENOMEM;
	}
	for (uint32_t k = 0; k < run.n_jobs; k++) {
		struct group_job *j = &run.jobs[k];

		for (uint32_t r = 0; r < j->n_refused; r++)
			refused(ctx, j->refused[r], j->why[r]);
		if (!rc && j->err[0]) {
			snprintf(err, errlen, "%s", j->err);
			*bad_group = pats[j->first].group;
			rc = -EINVAL;
		}
		db[pats[j->first].group] = j->db;
	}
	jobs_free(run.jobs, run.n_jobs);
	return rc;
}
