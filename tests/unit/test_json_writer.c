// SPDX-License-Identifier: GPL-2.0
/* JSON writer: its output read back by an independent parser (jansson). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "xdpi/json.h"

static json_t *parse(const struct xdpi_json *j)
{
	json_error_t err;
	json_t *v = json_loadb(j->buf, j->len, 0, &err);

	if (!v)
		fail_msg("jansson rejected %s: %s", j->buf, err.text);
	return v;
}

static void test_json_writer_nesting_and_types(void **state)
{
	struct xdpi_json j;
	json_t *v;

	(void)state;
	xdpi_json_init(&j);
	xdpi_json_obj_open(&j, NULL);
	xdpi_json_str(&j, "s", "x");
	xdpi_json_u64(&j, "big", 1ull << 62);
	xdpi_json_i64(&j, "neg", -5);
	xdpi_json_bool(&j, "t", true);
	xdpi_json_double(&j, "nan", 0.0 / 0.0);
	xdpi_json_arr_open(&j, "a");
	xdpi_json_u64(&j, NULL, 1);
	xdpi_json_obj_open(&j, NULL);
	xdpi_json_obj_close(&j);
	xdpi_json_arr_close(&j);
	xdpi_json_obj_close(&j);
	v = parse(&j);
	assert_string_equal(json_string_value(json_object_get(v, "s")), "x");
	assert_int_equal(json_integer_value(json_object_get(v, "neg")), -5);
	assert_true(json_is_true(json_object_get(v, "t")));
	assert_true(json_is_null(json_object_get(v, "nan")));
	assert_int_equal(json_array_size(json_object_get(v, "a")), 2);
	json_decref(v);
	xdpi_json_free(&j);
}

static void test_json_writer_escapes_everything(void **state)
{
	static const char nasty[] = "q\"b\\n\n\t\x01\x7f caf\xc3\xa9 \xff\xfe end";
	struct xdpi_json j;
	json_t *v;
	const char *got;

	(void)state;
	xdpi_json_init(&j);
	xdpi_json_obj_open(&j, NULL);
	xdpi_json_strn(&j, "k\"ey", nasty, sizeof(nasty) - 1);
	xdpi_json_obj_close(&j);
	v = parse(&j);
	got = json_string_value(json_object_get(v, "k\"ey"));
	assert_non_null(got);
	assert_non_null(strstr(got, "q\"b\\n\n\t"));
	assert_non_null(strstr(got, "caf\xc3\xa9"));
	/* invalid bytes stay visible as code points U+00FF, U+00FE */
	assert_non_null(strstr(got, "\xc3\xbf\xc3\xbe end"));
	json_decref(v);
	xdpi_json_free(&j);
}

static void test_json_writer_reset_reuses_buffer(void **state)
{
	struct xdpi_json j;

	(void)state;
	xdpi_json_init(&j);
	for (int i = 0; i < 1000; i++) {
		xdpi_json_reset(&j);
		xdpi_json_obj_open(&j, NULL);
		xdpi_json_u64(&j, "i", (uint64_t)i);
		xdpi_json_obj_close(&j);
	}
	assert_string_equal(j.buf, "{\"i\":999}");
	xdpi_json_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_writer_nesting_and_types),
		cmocka_unit_test(test_json_writer_escapes_everything),
		cmocka_unit_test(test_json_writer_reset_reuses_buffer),
	};

	return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
