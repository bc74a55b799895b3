/* Group names as cgtop shows them: a name is whatever bytes a user gave
 * mkdir, so text output escapes what a terminal would act on and counts
 * columns as the terminal does, and JSON output stays valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats.h"
#include "units.h"

static int setup_utf8(void **state)
{
	(void)state;
	return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static void expect_text(const char *in, bool utf8, const char *want, int want_cols)
{
	char out[256];
	int cols = stats_text_escape(in, utf8, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(cols, want_cols);
}

static void test_controls_escaped(void **state)
{
	(void)state;
	expect_text("web", true, "web", 3);
	/* a title-setting sequence: ESC ] 0 ; ... BEL */
	expect_text("a\x1b]0;pwned\x07z", true, "a\\x1b]0;pwned\\x07z", 18);
	expect_text("a\tb", true, "a\\tb", 4);
	expect_text("cr\rnl\n", true, "cr\\x0dnl\\x0a", 12);
	expect_text("del\x7f", true, "del\\x7f", 7);
	/* systemd's own escapes stay as they are */
	expect_text("system-systemd\\x2dfsck.slice", true, "system-systemd\\x2dfsck.slice", 28);
}

static void test_utf8_and_width(void **state)
{
	(void)state;
	/* CJK and emoji take two columns each, an accented letter one */
	expect_text("\xe6\x97\xa5\xe6\x9c\xac", true, "\xe6\x97\xa5\xe6\x9c\xac", 4);
	expect_text("caf\xc3\xa9", true, "caf\xc3\xa9", 4);
	expect_text("\xf0\x9f\x98\x80!", true, "\xf0\x9f\x98\x80!", 3);
	/* bytes that are not UTF-8: a stray continuation, a cut sequence,
	 * an overlong '/', a surrogate */
	expect_text("a\x80z", true, "a\\x80z", 6);
	expect_text("a\xe6\x97", true, "a\\xe6\\x97", 9);
	expect_text("\xc0\xaf", true, "\\xc0\\xaf", 8);
	expect_text("\xed\xa0\x80", true, "\\xed\\xa0\\x80", 12);
	/* C1 control (8-bit CSI) and a direction override are not shown */
	expect_text("x\xc2\x9b", true, "x\\xc2\\x9b", 9);
	expect_text("x\xe2\x80\xae", true, "x\\xe2\\x80\\xae", 13);
	/* not a UTF-8 locale: every byte above 0x7e escaped */
	expect_text("caf\xc3\xa9", false, "caf\\xc3\\xa9", 11);
}

static void test_fit(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(stats_text_fit("abcdef", 6, false, true, out, sizeof(out)), 6);
	assert_string_equal(out, "abcdef");
	assert_int_equal(stats_text_fit("abcdefgh", 6, false, true, out, sizeof(out)), 6);
	assert_string_equal(out, "abcde\xe2\x80\xa6");
	assert_int_equal(stats_text_fit("abcdefgh", 6, false, false, out, sizeof(out)), 6);
	assert_string_equal(out, "abcde~");
	assert_int_equal(stats_text_fit("/a/b/cdefgh", 6, true, true, out, sizeof(out)), 6);
	assert_string_equal(out, "\xe2\x80\xa6" "defgh");
	/* a wide character that does not fit whole is left out: 5 columns,
	 * the caller pads */
	assert_int_equal(stats_text_fit("ab\xe6\x97\xa5\xe6\x9c\xac", 5, false, true, out, sizeof(out)), 5);
	assert_string_equal(out, "ab\xe6\x97\xa5\xe2\x80\xa6");
	assert_int_equal(stats_text_fit("\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5", 4, false, true, out,
					sizeof(out)),
			 3);
	assert_string_equal(out, "\xe6\x97\xa5\xe2\x80\xa6");
	/* an escape is never cut in half */
	assert_int_equal(stats_text_fit("ab\x1b" "cdef", 5, false, true, out, sizeof(out)), 3);
	assert_string_equal(out, "ab\xe2\x80\xa6");
	/* a small buffer: whole characters, always ended */
	assert_int_equal(stats_text_fit("\xe6\x97\xa5\xe6\x9c\xac", 10, false, true, out, 5), 2);
	assert_string_equal(out, "\xe6\x97\xa5");
	assert_int_equal(stats_text_fit("abc", 0, false, true, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void expect_json(const char *in, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	stats_json_string(f, in);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
}

static void test_json(void **state)
{
	(void)state;
	expect_json("/a/b", "\"/a/b\"");
	expect_json("q\"b\\s", "\"q\\\"b\\\\s\"");
	expect_json("\x1b]0;x\x07\t", "\"\\u001b]0;x\\u0007\\u0009\"");
	expect_json("caf\xc3\xa9 \xe6\x97\xa5", "\"caf\xc3\xa9 \xe6\x97\xa5\"");
	/* invalid UTF-8 becomes U+FFFD, one per byte */
	expect_json("a\xff\xfe" "b", "\"a\\ufffd\\ufffdb\"");
	expect_json("\xe6\x97", "\"\\ufffd\\ufffd\"");
	expect_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	expect_json("\xc2\x9b", "\"\\u009b\"");
}

static void test_size_exact(void **state)
{
	char buf[32];

	(void)state;
	unit_format_exact(1ULL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "1G");
	unit_format_exact(512ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "512M");
	unit_format_exact(1536ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "1536M");
	unit_format_exact((1ULL << 30) + 4096, buf, sizeof(buf));
	assert_string_equal(buf, "1048580K");
	unit_format_exact(4097, buf, sizeof(buf));
	assert_string_equal(buf, "4097");
	unit_format_exact(3ULL << 40, buf, sizeof(buf));
	assert_string_equal(buf, "3T");
	unit_format_exact(2048ULL << 40, buf, sizeof(buf));
	assert_string_equal(buf, "2048T");
	unit_format_exact(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_utf8_and_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_size_exact),
	};

	return cmocka_run_group_tests(tests, setup_utf8, NULL);
}
