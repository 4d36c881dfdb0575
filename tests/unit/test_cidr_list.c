// SPDX-License-Identifier: GPL-2.0
/* CIDR list files: the Spamhaus DROP shape, IPv6, comments and CRLF, and a file:line:col
 * error for each kind of bad entry that leaves an already loaded list untouched. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "xdpi/cidr_list.h"

static char err[256];

static int parse(const char *text, struct xdpi_cidr_list *l)
{
	err[0] = '\0';
	return xdpi_cidr_list_parse("feed.txt", text, strlen(text), l, err, sizeof(err));
}

static const char *fmt(const struct xdpi_cidr_list *l, size_t i)
{
	static char buf[64];

	xdpi_cidr_format(&l->entries[i], buf, sizeof(buf));
	return buf;
}

static void test_cidr_spamhaus_drop_shape(void **state)
{
	struct xdpi_cidr_list l = { 0 };
	const char *text = "; Spamhaus DROP List 2026/11/22 - (c) 2026 The Spamhaus Project\n"
			   "; Last-Modified: Sun, 22 Nov 2026 04:00:00 GMT\n"
			   "\n"
			   "1.10.16.0/20 ; SBL256894\n"
			   "   198.18.7.0/24\t# a remark\r\n"
			   "198.19.0.1\n"
			   "2001:db8::/32 ; SBL1\n"
			   "fd00::1";

	(void)state;
	assert_int_equal(parse(text, &l), 0);
	assert_int_equal(l.count, 5);
	assert_int_equal(l.v4, 3);
	assert_string_equal(fmt(&l, 0), "1.10.16.0/20");
	assert_int_equal(l.entries[0].line, 4);
	assert_string_equal(fmt(&l, 1), "198.18.7.0/24");
	assert_string_equal(fmt(&l, 2), "198.19.0.1/32");
	assert_string_equal(fmt(&l, 3), "2001:db8::/32");
	assert_string_equal(fmt(&l, 4), "fd00::1/128");
	assert_int_equal(l.entries[4].line, 8);
	xdpi_cidr_list_free(&l);
}

struct bad_case {
	const char *text;
	const char *want; /* the whole message */
};

static void test_cidr_errors_name_the_place(void **state)
{
	static const struct bad_case cases[] = {
		{ "198.18.0.0/24\n 198.18.0.0/33\n", "feed.txt:2:13: prefix length over 32" },
		{ "198.18.0.1/24\n", "feed.txt:1:1: host bits set past /24 (bit 31); the network "
				     "is /24 of a different address" },
		{ "# ok\n\n1.2.3\n", "feed.txt:3:1: '1.2.3' is not an IPv4 address" },
		{ "fd00::zz/8\n", "feed.txt:1:1: 'fd00::zz' is not an IPv6 address" },
		{ "198.18.0.0/\n", "feed.txt:1:11: '/' without a prefix length" },
		{ "198.18.0.0/2x\n", "feed.txt:1:13: prefix length is not a number" },
		{ "198.18.0.0/24 SBL1\n", "feed.txt:1:15: unexpected text after the entry (a remark "
					  "starts with ';' or '#')" },
		{ "198.18.0.0-198.18.0.9\n", "feed.txt:1:1: '198.18.0.0-198.18.0.9' is not an IPv4 "
					     "address" },
		{ "fd00:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/128\n",
		  "feed.txt:1:1: entry longer than 63 characters" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xdpi_cidr_list l = { 0 };

		assert_int_equal(parse(cases[i].text, &l), -22);
		assert_string_equal(err, cases[i].want);
		assert_int_equal(l.count, 0);
		xdpi_cidr_list_free(&l);
	}
}

static void test_cidr_nul_byte_is_an_error(void **state)
{
	static const char text[] = "198.18.0.0/24\n198.18\0.1.0/24\n";
	struct xdpi_cidr_list l = { 0 };

	(void)state;
	assert_int_equal(xdpi_cidr_list_parse("f", text, sizeof(text) - 1, &l, err, sizeof(err)),
			 -22);
	assert_string_equal(err, "f:2:7: NUL byte in a text file");
	xdpi_cidr_list_free(&l);
}

/* A bad second feed must not leave half of itself behind in a list already loaded. */
static void test_cidr_bad_feed_leaves_list_unchanged(void **state)
{
	struct xdpi_cidr_list l = { 0 };

	(void)state;
	assert_int_equal(parse("198.18.0.0/15\nfd00::/8\n", &l), 0);
	assert_int_equal(parse("198.18.1.0/24\n198.18.2.0/24\nnonsense\n", &l), -22);
	assert_int_equal(l.count, 2);
	assert_int_equal(l.v4, 1);
	assert_int_equal(parse("198.18.3.0/24\n", &l), 0);
	assert_int_equal(l.count, 3);
	assert_string_equal(fmt(&l, 2), "198.18.3.0/24");
	xdpi_cidr_list_free(&l);
}

static void write_hosts(const char *path, unsigned int n, const char *tail)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "198.%u.%u.%u ; entry %u\n", 18 + (i >> 16), (i >> 8) & 255, i & 255, i);
	fputs(tail, f);
	fclose(f);
}

static void test_cidr_load_file(void **state)
{
	char path[] = "/tmp/xdpi-cidr-XXXXXX";
	struct xdpi_cidr_list l = { 0 };
	char want[256];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_hosts(path, 70000, "");
	assert_int_equal(xdpi_cidr_list_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 70000);
	assert_string_equal(fmt(&l, 69999), "198.19.17.111/32");
	assert_int_equal(l.entries[69999].line, 70000);
	xdpi_cidr_list_free(&l);

	write_hosts(path, 70000, "198.18.0.0/16/2\n");
	assert_int_equal(xdpi_cidr_list_load(path, &l, err, sizeof(err)), -22);
	snprintf(want, sizeof(want), "%s:70001:14: prefix length is not a number", path);
	assert_string_equal(err, want);
	assert_int_equal(l.count, 0);
	unlink(path);
	xdpi_cidr_list_free(&l);

	assert_int_equal(xdpi_cidr_list_load("/nonexistent/feed", &l, err, sizeof(err)), -2);
	assert_string_equal(err, "/nonexistent/feed: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_spamhaus_drop_shape),
		cmocka_unit_test(test_cidr_errors_name_the_place),
		cmocka_unit_test(test_cidr_nul_byte_is_an_error),
		cmocka_unit_test(test_cidr_bad_feed_leaves_list_unchanged),
		cmocka_unit_test(test_cidr_load_file),
	};

	return cmocka_run_group_tests_name("cidr_list", tests, NULL, NULL);
}
