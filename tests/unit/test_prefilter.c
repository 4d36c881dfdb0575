// SPDX-License-Identifier: GPL-2.0
/* The prefilter's databases compiled on several threads: each group's database finds its own
 * patterns and no other group's; a pattern Hyperscan refuses is reported once per group that
 * refused it and is left out of every group, also one that would have taken it (the same
 * rule's pattern compiled again there without it); groups with no pattern stay empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../src/detect/prefilter.h"

#define GROUPS 40
#define IDS 200

struct refusals {
	uint32_t ids[16];
	unsigned n;
};

static void record(void *ctx, uint32_t id, const char *why)
{
	struct refusals *r = ctx;

	assert_non_null(why);
	assert_true(r->n < 16);
	r->ids[r->n++] = id;
}

/* One compile's outputs. */
struct run {
	hs_database_t *db[GROUPS];
	struct refusals ref;
	uint32_t bad;
	char err[200];
};

static void compile_ok(struct run *r, const struct prefilter_pat *pats, uint32_t n,
		       uint32_t max_id)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(xdpi_prefilter_compile(pats, n, max_id, r->db, record, &r->ref, &r->bad,
						r->err, sizeof(r->err)), 0);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)from, (void)to, (void)flags;
	((uint8_t *)ctx)[id] = 1;
	return 0;
}

/* Which ids DB reports in TEXT (a map of IDS bytes). */
static void scan(hs_database_t *db, const char *text, uint8_t *seen)
{
	hs_scratch_t *s = NULL;

	memset(seen, 0, IDS);
	assert_int_equal(hs_alloc_scratch(db, &s), HS_SUCCESS);
	assert_int_equal(hs_scan(db, text, (unsigned)strlen(text), 0, s, on_match, seen),
			 HS_SUCCESS);
	hs_free_scratch(s);
}

static int by_group(const void *a, const void *b)
{
	const struct prefilter_pat *x = a, *y = b;

	return x->group != y->group ? (x->group < y->group ? -1 : 1) : (x->id < y->id ? -1 : 1);
}

static void test_groups_apart(void **state)
{
	static char words[IDS][16];
	struct prefilter_pat pats[IDS];
	struct run r;
	uint8_t seen[IDS];

	(void)state;
	for (uint32_t i = 0; i < IDS; i++) { /* 5 patterns in each of the even groups */
		snprintf(words[i], sizeof(words[i]), "w%03uq", i);
		pats[i] = (struct prefilter_pat){ .pat = words[i], .len = strlen(words[i]),
						  .flags = HS_FLAG_SINGLEMATCH, .id = i,
						  .group = (i / 5) * 2 % GROUPS };
	}
	qsort(pats, IDS, sizeof(pats[0]), by_group); /* as the caller gives them */
	compile_ok(&r, pats, IDS, IDS - 1);
	assert_int_equal(r.ref.n, 0);
	for (uint32_t g = 0; g < GROUPS; g++) {
		if (g % 2) {
			assert_null(r.db[g]);
			continue;
		}
		assert_non_null(r.db[g]);
		scan(r.db[g], "w010q w011q w012q w013q w014q w150q", seen);
		for (uint32_t k = 0; k < IDS; k++) {
			uint32_t i = pats[k].id;

			assert_int_equal(seen[i], pats[k].group == g &&
						  (i == 150 || (i >= 10 && i <= 14)));
		}
		hs_free_database(r.db[g]);
	}
}

/* A literal longer than Hyperscan takes (freed by the caller). */
static char *too_long(int c)
{
	char *big = malloc(40001);

	assert_non_null(big);
	memset(big, c, 40000);
	big[40000] = 0;
	return big;
}

static void test_refusal_everywhere(void **state)
{
	char *big = too_long('A');
	struct run r;
	uint8_t seen[IDS];

	(void)state;
	/* id 7: refused in group 1, harmless in group 3; ids 8 and 9 keep both groups alive */
	struct prefilter_pat pats[] = {
		{ .pat = "one", .len = 3, .id = 8, .group = 1 },
		{ .pat = big, .len = 40000, .id = 7, .group = 1 },
		{ .pat = "seven", .len = 5, .id = 7, .group = 3 },
		{ .pat = "nine", .len = 4, .id = 9, .group = 3 },
	};
	compile_ok(&r, pats, 4, 9);
	assert_int_equal(r.ref.n, 1);
	assert_int_equal(r.ref.ids[0], 7);
	assert_non_null(r.db[1]);
	assert_non_null(r.db[3]);
	scan(r.db[3], "seven nine", seen);
	assert_false(seen[7]); /* compiled again without it */
	assert_true(seen[9]);
	scan(r.db[1], "one", seen);
	assert_true(seen[8]);
	hs_free_database(r.db[1]);
	hs_free_database(r.db[3]);
	free(big);
}

static void test_only_refused(void **state)
{
	char *big = too_long('B');
	struct run r;

	(void)state;
	struct prefilter_pat pats[] = { /* the same rule's pattern refused in two groups */
		{ .pat = big, .len = 40000, .id = 2, .group = 0 },
		{ .pat = big, .len = 40000, .id = 2, .group = 2 },
	};
	compile_ok(&r, pats, 2, 2);
	assert_int_equal(r.ref.n, 2); /* once per group: the caller names the rule once */
	assert_null(r.db[0]);
	assert_null(r.db[2]);
	compile_ok(&r, pats, 0, 2); /* nothing at all */
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_apart),
		cmocka_unit_test(test_refusal_everywhere),
		cmocka_unit_test(test_only_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
