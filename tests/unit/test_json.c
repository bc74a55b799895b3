/* The daemon's JSON writer: escaping of whatever a process may call itself
 * (controls, quotes, invalid UTF-8), structure, numbers, times, and that
 * libyaml reads back what it writes (the state file relies on it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"

static const char *one_string(struct json *j, const char *s, size_t len)
{
	json_reset(j);
	json_strn(j, s, len);
	return json_text(j, NULL);
}

#define STR(j, lit) one_string((j), (lit), sizeof(lit) - 1)

static void test_escaping(void **state)
{
	struct json j;

	(void)state;
	json_init(&j);
	assert_string_equal(STR(&j, "plain"), "\"plain\"");
	assert_string_equal(STR(&j, "q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	assert_string_equal(STR(&j, "\n\t\r\b\f"), "\"\\n\\t\\r\\b\\f\"");
	assert_string_equal(STR(&j, "a\x01z\x1f\x7f"), "\"a\\u0001z\\u001f\\u007f\"");
	assert_string_equal(STR(&j, "nul\0x"), "\"nul\\u0000x\"");
	/* C1 controls (libyaml refuses them raw), line separators, BOM */
	assert_string_equal(STR(&j, "\xc2\x85\xc2\x9f"), "\"\\u0085\\u009f\"");
	assert_string_equal(STR(&j, "\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf"),
			    "\"\\u2028\\u2029\\ufeff\"");
	/* valid UTF-8 stays as it is */
	assert_string_equal(STR(&j, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac"),
			    "\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\"");
	/* invalid UTF-8: each bad byte is U+FFFD */
	assert_string_equal(STR(&j, "a\x80z"), "\"a\\ufffdz\"");
	assert_string_equal(STR(&j, "\xc0\xaf"), "\"\\ufffd\\ufffd\"");		   /* overlong */
	assert_string_equal(STR(&j, "\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	assert_string_equal(STR(&j, "\xf5\x80\x80\x80"),
			    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	  /* past U+10FFFF */
	assert_string_equal(STR(&j, "x\xe2\x82"), "\"x\\ufffd\\ufffd\""); /* cut short */
	assert_string_equal(STR(&j, "\xe2\x82x"), "\"\\ufffd\\ufffdx\"");
	json_reset(&j);
	json_str(&j, NULL);
	assert_string_equal(json_text(&j, NULL), "null");
	json_free(&j);
}

static void test_structure_and_numbers(void **state)
{
	struct json j;
	size_t len = 0;

	(void)state;
	json_init(&j);
	json_obj_begin(&j);
	json_key(&j, "a");
	json_int(&j, -5);
	json_key(&j, "b");
	json_arr_begin(&j);
	json_uint(&j, UINT64_MAX);
	json_double(&j, 1.5);
	json_double(&j, 0.1);
	json_double(&j, NAN);
	json_double(&j, INFINITY);
	json_bool(&j, true);
	json_null(&j);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	/* still open: no text yet */
	assert_null(json_text(&j, NULL));
	json_arr_end(&j);
	json_key(&j, "t");
	json_time(&j, 1714566896789123ull);
	json_obj_end(&j);
	assert_string_equal(
		json_text(&j, &len),
		"{\"a\":-5,\"b\":[18446744073709551615,1.5,0.1,null,null,true,null,{},[]],"
		"\"t\":\"2024-05-01T12:34:56.789Z\"}");
	assert_int_equal(len, strlen(json_text(&j, NULL)));

	/* misuse is caught, not written */
	json_reset(&j);
	json_obj_end(&j);
	assert_null(json_text(&j, NULL));
	json_reset(&j);
	json_obj_begin(&j);
	json_key(&j, "dangling");
	json_obj_end(&j);
	assert_null(json_text(&j, NULL));
	json_free(&j);
}

static void test_time(void **state)
{
	char b[JSON_TIME_LEN];

	(void)state;
	json_format_time(0, b, sizeof(b));
	assert_string_equal(b, "1970-01-01T00:00:00.000Z");
	json_format_time(951782400000999ull, b, sizeof(b)); /* 2000-02-29, leap day */
	assert_string_equal(b, "2000-02-29T00:00:00.000Z");
	json_format_time(1714566896999999ull, b, sizeof(b)); /* ms truncated, not rounded up */
	assert_string_equal(b, "2024-05-01T12:34:56.999Z");
}

/* What the writer makes, libyaml reads back to the same string. */
static void test_read_back_through_libyaml(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{"q\"b\\s", 5, "q\"b\\s"},
		{"\n\t\x01\x7f", 4, "\n\t\x01\x7f"},
		{"\xc2\x85|\xe2\x80\xa8|\xef\xbb\xbf", 10, "\xc2\x85|\xe2\x80\xa8|\xef\xbb\xbf"},
		{"a\x80z\xed\xa0\x80", 6, "a\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "caf\xc3\xa9 \xf0\x9f\x98\x80"},
		{"null", 4, "null"},
		{"", 0, ""},
	};
	struct json j;
	size_t i;

	(void)state;
	json_init(&j);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_doc d;
		char why[256];
		const char *text;
		yaml_node_t *v;
		uint64_t n;
		bool b;

		json_reset(&j);
		json_obj_begin(&j);
		json_key(&j, "s");
		json_strn(&j, cases[i].in, cases[i].len);
		json_key(&j, "n");
		json_uint(&j, 42);
		json_key(&j, "z");
		json_null(&j);
		json_key(&j, "b");
		json_bool(&j, false);
		json_obj_end(&j);
		text = json_text(&j, NULL);
		assert_non_null(text);
		if (json_doc_load(&d, text, strlen(text), why, sizeof(why)) < 0)
			fail_msg("case %zu: %s: %s", i, text, why);
		v = json_member(&d, json_root(&d), "s");
		if (!json_as_str(v))
			fail_msg("case %zu: %s: no string back", i, text);
		assert_string_equal(json_as_str(v), cases[i].out);
		assert_false(json_is_null(v)); /* the string "null" is not null */
		assert_int_equal(json_as_u64(json_member(&d, json_root(&d), "n"), &n), 0);
		assert_int_equal(n, 42);
		assert_true(json_is_null(json_member(&d, json_root(&d), "z")));
		assert_int_equal(json_as_bool(json_member(&d, json_root(&d), "b"), &b), 0);
		assert_false(b);
		assert_null(json_member(&d, json_root(&d), "absent"));
		json_doc_free(&d);
	}
	json_free(&j);
}

static void test_reader_refuses(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":1", "{\"a\":1}{\"b\":2}", "{\"a\":1}\n--- 2\n", "\"unterminated",
	};
	struct json_doc d;
	char why[256];
	size_t i;
	uint64_t n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (json_doc_load(&d, bad[i], strlen(bad[i]), why, sizeof(why)) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_true(why[0] != '\0');
	}
	/* a number with junk, a quoted number, a negative one, a NUL in a string */
	assert_int_equal(json_doc_load(&d, "[1x, \"2\", -3, \"a\\u0000b\", 99999999999999999999]",
				       47, why, sizeof(why)),
			 0);
	assert_int_equal(json_as_u64(json_item(&d, json_root(&d), 0), &n), -1);
	assert_int_equal(json_as_u64(json_item(&d, json_root(&d), 1), &n), -1);
	assert_int_equal(json_as_u64(json_item(&d, json_root(&d), 2), &n), -1);
	assert_null(json_as_str(json_item(&d, json_root(&d), 3)));
	assert_int_equal(json_as_u64(json_item(&d, json_root(&d), 4), &n), -1);
	assert_null(json_item(&d, json_root(&d), 5));
	json_doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_structure_and_numbers),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_read_back_through_libyaml),
		cmocka_unit_test(test_reader_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
