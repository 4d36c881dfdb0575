// SPDX-License-Identifier: GPL-2.0
/* Libraries loaded on first use: libcurl and libmicrohttpd load with every function xdpi
 * calls; a library that is not installed, or lacks a function, is an error that names it
 * and leaves the table as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "xdpi/curl_dl.h"
#include "xdpi/dl.h"
#include "xdpi/mhd_dl.h"

static void test_libraries_load(void **state)
{
	const struct xdpi_curl *cu;
	const struct xdpi_mhd *mhd;
	char err[256] = "";

	(void)state;
	cu = xdpi_curl(err, sizeof(err));
	assert_non_null(cu);
	assert_ptr_equal(cu, xdpi_curl(err, sizeof(err))); /* loaded once */
	assert_non_null(cu->easy_init);
	assert_non_null(cu->multi_cleanup);
	mhd = xdpi_mhd(err, sizeof(err));
	assert_non_null(mhd);
	assert_non_null(mhd->start_daemon);
	assert_non_null(mhd->destroy_response);
}

struct two_fns {
	void (*first)(void);
	void (*second)(void);
};

static void test_missing_library_or_function_named(void **state)
{
	const struct xdpi_dl_sym syms[] = {
		{ "curl_easy_init", offsetof(struct two_fns, first) },
		{ "curl_no_such_function", offsetof(struct two_fns, second) },
	};
	struct two_fns t = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(xdpi_dl_load("libxdpi-not-installed.so.9", syms, 1, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "libxdpi-not-installed.so.9 could not be loaded"));
	assert_int_equal(xdpi_dl_load("libcurl.so.4", syms, 2, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "libcurl.so.4 has no curl_no_such_function"));
	assert_null(t.first); /* nothing filled in */
	assert_int_equal(xdpi_dl_load("libcurl.so.4", syms, 1, &t, err, sizeof(err)), 0);
	assert_non_null(t.first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libraries_load),
		cmocka_unit_test(test_missing_library_or_function_named),
	};

	return cmocka_run_group_tests_name("dl", tests, NULL, NULL);
}
