// SPDX-License-Identifier: GPL-2.0
/* JSON writer: its output read back by an independent parser (jansson); the formatters and
 * the key hash beneath the event paths. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "xdpi/decode.h"
#include "xdpi/fmt.h"
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

/* A key or string without escapes goes out in one copy with its comma, quotes and colon; one
 * with them the long way: the same bytes either way, and across the buffer's growth. */
static void test_json_writer_plain_and_escaped_keys(void **state)
{
	struct xdpi_json j;
	char key[16];
	json_t *v;

	(void)state;
	xdpi_json_init(&j);
	xdpi_json_obj_open(&j, NULL);
	xdpi_json_str(&j, "a", "x");
	xdpi_json_str(&j, "k\"2", "y\n");
	xdpi_json_str(&j, "", "");
	xdpi_json_u64(&j, "n", 7);
	xdpi_json_obj_close(&j);
	assert_string_equal(j.buf, "{\"a\":\"x\",\"k\\\"2\":\"y\\n\",\"\":\"\",\"n\":7}");
	assert_int_equal(j.len, strlen(j.buf));
	xdpi_json_reset(&j);
	xdpi_json_obj_open(&j, NULL);
	for (int i = 0; i < 2000; i++) { /* grows from 256 bytes many times over */
		snprintf(key, sizeof(key), i % 7 ? "key%d" : "k\t%d", i);
		xdpi_json_str(&j, key, i % 5 ? "plain value" : "tab\tvalue");
	}
	xdpi_json_obj_close(&j);
	assert_false(j.oom);
	v = parse(&j);
	assert_int_equal(json_object_size(v), 2000);
	assert_string_equal(json_string_value(json_object_get(v, "key1999")), "plain value");
	assert_string_equal(json_string_value(json_object_get(v, "k\t1995")), "tab\tvalue");
	json_decref(v);
	xdpi_json_free(&j);
}

/* Every byte value at every place of a string longer than one scan block: what is read back
 * is the string, a byte that is no UTF-8 standing for its code point. */
static void test_json_writer_every_byte_everywhere(void **state)
{
	char s[40], want[48];
	struct xdpi_json j;

	(void)state;
	xdpi_json_init(&j);
	for (int b = 1; b < 256; b++) {
		for (size_t at = 0; at < sizeof(s); at++) {
			json_t *v;
			size_t n = 0;

			memset(s, 'a', sizeof(s));
			s[at] = (char)b;
			memcpy(want, s, at);
			n = at;
			if (b < 0x80) {
				want[n++] = (char)b;
			} else { /* U+0080..U+00FF in UTF-8 */
				want[n++] = (char)(0xc0 | b >> 6);
				want[n++] = (char)(0x80 | (b & 0x3f));
			}
			memcpy(want + n, s + at + 1, sizeof(s) - at - 1);
			n += sizeof(s) - at - 1;
			xdpi_json_reset(&j);
			xdpi_json_obj_open(&j, NULL);
			xdpi_json_strn(&j, "k", s, sizeof(s));
			xdpi_json_obj_close(&j);
			v = parse(&j);
			assert_int_equal(json_string_length(json_object_get(v, "k")), n);
			assert_memory_equal(json_string_value(json_object_get(v, "k")), want, n);
			json_decref(v);
		}
	}
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

/* The stdio-free formatters write what printf and inet_ntop write, at the edges too. */
static void test_formatters_agree_with_stdio(void **state)
{
	const uint64_t nums[] = { 0, 9, 10, 99, 100, 65535, 4294967295ull, 4294967296ull,
				  10000000000000000000ull, UINT64_MAX };
	char want[64], got[64];

	(void)state;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		snprintf(want, sizeof(want), "%llu", (unsigned long long)nums[i]);
		assert_int_equal(xdpi_fmt_u64(got, nums[i]) - got, strlen(want));
		assert_string_equal(got, want);
	}
	for (unsigned v = 0; v < 70000; v += 997) {
		uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v }, a[4] = { (uint8_t)v, 0, 255,
									(uint8_t)(v >> 8) };

		snprintf(want, sizeof(want), "%u", v);
		assert_string_equal((xdpi_fmt_u32(got, v), got), want);
		snprintf(want, sizeof(want), "%02x%02x", b[0], b[1]);
		assert_string_equal((xdpi_fmt_hex(got, b, 2, 0), got), want);
		snprintf(want, sizeof(want), "%02X%02X", b[0], b[1]);
		assert_string_equal((xdpi_fmt_hex(got, b, 2, 1), got), want);
		snprintf(want, sizeof(want), "%04x", (uint16_t)v);
		assert_string_equal((xdpi_fmt_hex16(got, (uint16_t)v), got), want);
		inet_ntop(AF_INET, a, want, sizeof(want));
		assert_string_equal((xdpi_fmt_ip4(got, a), got), want);
	}
}

/* Flow ids are made from the flow key's hash: the shared word hash must give what the
 * flow key's own loop gave, or every flow_id in every EVE file changes. */
static void test_flow_key_hash_unchanged(void **state)
{
	struct xdpi_flow_key k;

	(void)state;
	for (int n = 0; n < 64; n++) {
		uint64_t w[sizeof(k) / 8], h = 0x9e3779b97f4a7c15ull;

		memset(&k, 0, sizeof(k));
		for (size_t i = 0; i < sizeof(k); i++)
			((uint8_t *)&k)[i] = (uint8_t)(n * 31 + i * 7);
		memcpy(w, &k, sizeof(w));
		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
			h ^= w[i];
			h *= 0xff51afd7ed558ccdull;
			h ^= h >> 32;
		}
		assert_int_equal(xdpi_flow_key_hash(&k), (uint32_t)(h ^ (h >> 29)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_writer_nesting_and_types),
		cmocka_unit_test(test_json_writer_escapes_everything),
		cmocka_unit_test(test_json_writer_plain_and_escaped_keys),
		cmocka_unit_test(test_json_writer_every_byte_everywhere),
		cmocka_unit_test(test_json_writer_reset_reuses_buffer),
		cmocka_unit_test(test_formatters_agree_with_stdio),
		cmocka_unit_test(test_flow_key_hash_unchanged),
	};

	return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
