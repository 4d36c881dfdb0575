// SPDX-License-Identifier: GPL-2.0
/* Every dissector file in src/dissect/ has its row in the registry, under its file's name. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/dissect.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_lists_every_dissector_file),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
