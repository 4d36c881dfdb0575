// SPDX-License-Identifier: GPL-2.0
/* Every dissector, output and packet source file has its row in its registry, under its
 * file's name: adding one is a file and a row, and a file without its row is caught here. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/capture.h"
#include "xdpi/dissect.h"
#include "xdpi/output.h"

static void test_registry_lists_every_dissector_file(void **state)
{
	DIR *d = opendir("src/dissect");
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_non_null(d); /* run from the repository's top */
	while ((e = readdir(d))) {
		char name[64];
		size_t n = strlen(e->d_name);

		if (n < 3 || strcmp(e->d_name + n - 2, ".c") || !strcmp(e->d_name, "registry.c"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 2), e->d_name);
		if (!xdpi_dissector_find(name))
			fail_msg("src/dissect/%s has no row in registry.c", e->d_name);
		files++;
	}
	closedir(d);
	assert_int_equal(files, (int)xdpi_dissectors_count());
}

/* The .c files of DIR but its helpers (NULL-terminated EXCEPT), each looked up by FIND;
 * returns how many there were. */
static int every_file_has_a_row(const char *dir, const char *const *except,
				const void *(*find)(const char *name))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char name[64];
		size_t n = strlen(e->d_name);
		bool helper = false;

		if (n < 3 || strcmp(e->d_name + n - 2, ".c"))
			continue;
		for (const char *const *x = except; *x; x++)
			helper |= !strcmp(e->d_name, *x);
		if (helper)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 2), e->d_name);
		if (!find(name))
			fail_msg("%s/%s has no row in its registry", dir, e->d_name);
		files++;
	}
	closedir(d);
	return files;
}

static const void *output_find(const char *name)
{
	return xdpi_output_find(name);
}

static const void *source_find(const char *name)
{
	return xdpi_source_find(name);
}

static void test_registry_lists_every_output_file(void **state)
{
	static const char *const helpers[] = { "registry.c", "sendq.c", "metrics_http.c", NULL };

	(void)state;
	assert_int_equal(every_file_has_a_row("src/output", helpers, output_find),
			 (int)xdpi_outputs_count());
}

static void test_registry_lists_every_source_file(void **state)
{
	static const char *const helpers[] = { "registry.c", "replay.c", NULL };

	(void)state;
	assert_int_equal(every_file_has_a_row("src/capture", helpers, source_find),
			 (int)xdpi_sources_count());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_lists_every_dissector_file),
		cmocka_unit_test(test_registry_lists_every_output_file),
		cmocka_unit_test(test_registry_lists_every_source_file),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
