/* Units of the profile format: every unit of the spec's table, its edges,
 * and the junk that must be refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "units.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

static uint64_t size_ok(const char *s, uint64_t ram)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (unit_parse_size(s, ram, true, &v, &why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	return v;
}

static const char *size_bad(const char *s, uint64_t ram, bool allow_max)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (unit_parse_size(s, ram, allow_max, &v, &why) == 0)
		fail_msg("\"%s\" accepted as %llu", s, (unsigned long long)v);
	assert_non_null(why);
	return why;
}

static void test_size_plain_and_suffixes(void **state)
{
	(void)state;
	assert_int_equal(size_ok("0", 0), 0);
	assert_int_equal(size_ok("536870912", 0), 536870912ULL);
	assert_int_equal(size_ok("512M", 0), 512 * MiB);
	assert_int_equal(size_ok("64K", 0), 64 * KiB);
	assert_int_equal(size_ok("64k", 0), 64 * KiB);
	assert_int_equal(size_ok("64Ki", 0), 64 * KiB);
	assert_int_equal(size_ok("64KiB", 0), 64 * KiB);
	assert_int_equal(size_ok("64KB", 0), 64 * KiB);
	assert_int_equal(size_ok("512MiB", 0), 512 * MiB);
	assert_int_equal(size_ok("512MB", 0), 512 * MiB);
	assert_int_equal(size_ok("2G", 0), 2 * GiB);
	assert_int_equal(size_ok("2GiB", 0), 2 * GiB);
	assert_int_equal(size_ok("3T", 0), 3 * TiB);
	assert_int_equal(size_ok("3TB", 0), 3 * TiB);
}

static void test_size_fractions_round_down(void **state)
{
	(void)state;
	assert_int_equal(size_ok("1.5G", 0), GiB + GiB / 2);
	assert_int_equal(size_ok("0.5K", 0), 512);
	/* 0.1K = 102.4 bytes -> 102 */
	assert_int_equal(size_ok("0.1K", 0), 102);
	/* 1.999999999999999999K = 2047.99.. -> 2047 */
	assert_int_equal(size_ok("1.999999999999999999K", 0), 2047);
	assert_int_equal(size_ok("0.0001K", 0), 0);
}

static void test_size_percent_of_ram(void **state)
{
	(void)state;
	assert_int_equal(size_ok("25%", 8 * GiB), 2 * GiB);
	assert_int_equal(size_ok("100%", 8 * GiB), 8 * GiB);
	assert_int_equal(size_ok("12.5%", 8 * GiB), GiB);
	/* 1% of 1000 bytes is 10; 0.15% is 1.5 -> 1 */
	assert_int_equal(size_ok("0.15%", 1000), 1);
	assert_non_null(strstr(size_bad("101%", 8 * GiB, true), "at most 100%"));
	/* no RAM size given: % is refused (rates, or a caller without RAM) */
	assert_non_null(strstr(size_bad("25%", 0, true), "only for memory"));
}

static void test_size_max(void **state)
{
	(void)state;
	assert_true(size_ok("max", 0) == UNIT_MAX);
	assert_non_null(strstr(size_bad("max", 0, false), "512M"));
}

static void test_size_overflow(void **state)
{
	(void)state;
	/* 2^64 - 1 bytes is the largest count; one more does not fit */
	assert_true(size_ok("18446744073709551615", 0) == UINT64_MAX);
	size_bad("18446744073709551616", 0, true);
	assert_int_equal(size_ok("16777215T", 0), 16777215ULL * TiB);
	assert_non_null(strstr(size_bad("16777216T", 0, true), "too large"));
	size_bad("99999999999999999999999999T", 0, true);
}

static void test_size_junk(void **state)
{
	(void)state;
	assert_non_null(strstr(size_bad("12Q", 0, true), "unknown unit"));
	assert_non_null(strstr(size_bad("-1", 0, true), "negative"));
	assert_non_null(strstr(size_bad("1e5", 0, true), "exponent"));
	assert_non_null(strstr(size_bad("", 0, true), "empty"));
	assert_non_null(strstr(size_bad(" 5M", 0, true), "spaces"));
	assert_non_null(strstr(size_bad("5M ", 0, true), "spaces"));
	assert_non_null(strstr(size_bad("5 M", 0, true), "unknown unit"));
	assert_non_null(strstr(size_bad("+5M", 0, true), "sign"));
	assert_non_null(strstr(size_bad(".5M", 0, true), "digit before the point"));
	assert_non_null(strstr(size_bad("5.M", 0, true), "digit after the point"));
	assert_non_null(strstr(size_bad("1.5", 0, true), "whole number"));
	assert_non_null(strstr(size_bad("512m", 0, true), "upper case"));
	assert_non_null(strstr(size_bad("0x100", 0, true), "hexadecimal"));
	assert_non_null(strstr(size_bad("1_000", 0, true), "separators"));
	assert_non_null(strstr(size_bad("512B", 0, true), "plain number"));
	assert_non_null(strstr(size_bad("M", 0, true), "not a number"));
	assert_non_null(strstr(size_bad("1.0000000000000000001K", 0, true), "at most 18"));
}

static uint64_t dur_ok(const char *s)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (unit_parse_duration(s, &v, &why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	return v;
}

static const char *dur_bad(const char *s)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (unit_parse_duration(s, &v, &why) == 0)
		fail_msg("\"%s\" accepted as %llu", s, (unsigned long long)v);
	return why;
}

/* A memory limit under one page would be 0 in the kernel: refused, with
 * the page size and the least that works; 0 and max are left to the caller. */
static void test_mem_size_below_page(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(unit_check_mem_size(1024, 4096, &why), -1);
	assert_string_equal(why, "is below one page (4096 bytes): the kernel would round it to 0; "
				 "write at least 4K");
	assert_int_equal(unit_check_mem_size(1, 4096, &why), -1);
	assert_int_equal(unit_check_mem_size(4095, 4096, &why), -1);
	assert_int_equal(unit_check_mem_size(65535, 65536, &why), -1);
	assert_non_null(strstr(why, "(65536 bytes)"));
	assert_non_null(strstr(why, "at least 64K"));
	assert_int_equal(unit_check_mem_size(4096, 4096, &why), 0);
	assert_int_equal(unit_check_mem_size(4097, 4096, &why), 0);
	assert_int_equal(unit_check_mem_size(0, 4096, &why), 0);
	assert_int_equal(unit_check_mem_size(UNIT_MAX, 4096, &why), 0);
	assert_true(unit_page_size() >= 4096);
}

static void test_duration(void **state)
{
	(void)state;
	assert_int_equal(dur_ok("100000"), 100000);
	assert_int_equal(dur_ok("100ms"), 100000);
	assert_int_equal(dur_ok("0.1s"), 100000);
	assert_int_equal(dur_ok("1s"), 1000000);
	assert_int_equal(dur_ok("250us"), 250);
	assert_int_equal(dur_ok("1.5ms"), 1500);
	assert_int_equal(dur_ok("0.0005ms"), 0); /* 0.5us rounds down */
	assert_int_equal(dur_ok("0"), 0);
	assert_non_null(strstr(dur_bad("1.5"), "whole microseconds"));
	assert_non_null(strstr(dur_bad("20%"), "us, ms or s"));
	assert_non_null(strstr(dur_bad("5min"), "us, ms or s"));
	assert_non_null(strstr(dur_bad("-5ms"), "negative"));
	assert_non_null(strstr(dur_bad(""), "empty"));
	assert_non_null(dur_bad("99999999999999999999s"));
	assert_non_null(strstr(dur_bad("18446744073709551615s"), "too large"));
}

static uint64_t cpu_ok(const char *s)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (unit_parse_cpu(s, &v, &why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	return v;
}

static const char *cpu_bad(const char *s)
{
	const char *why = NULL;
	uint64_t v = 0;

	if (unit_parse_cpu(s, &v, &why) == 0)
		fail_msg("\"%s\" accepted as %llu", s, (unsigned long long)v);
	return why;
}

static void test_cpu_amount(void **state)
{
	(void)state;
	assert_int_equal(cpu_ok("20%"), 200000);
	assert_int_equal(cpu_ok("150%"), 1500000);
	assert_int_equal(cpu_ok("12.5%"), 125000);
	assert_int_equal(cpu_ok("0.2"), 200000);
	assert_int_equal(cpu_ok("1.5"), 1500000);
	assert_int_equal(cpu_ok("2"), 2000000);
	assert_int_equal(cpu_ok("200m"), 200000);
	assert_int_equal(cpu_ok("250m"), 250000);
	assert_int_equal(cpu_ok("0.5m"), 500);
	assert_int_equal(cpu_ok("0.0000001"), 0); /* rounds down; the profile refuses 0 */
	assert_true(cpu_ok("max") == UNIT_MAX);
	assert_non_null(strstr(cpu_bad("20 %"), "unknown unit"));
	assert_non_null(strstr(cpu_bad("2c"), "200m"));
	assert_non_null(strstr(cpu_bad("-1"), "negative"));
	assert_non_null(strstr(cpu_bad("1e3"), "exponent"));
	assert_non_null(strstr(cpu_bad("MAX"), "not a number"));
	assert_non_null(strstr(cpu_bad("99999999999999999999"), "too large"));
}

static void test_uint(void **state)
{
	const char *why;
	uint64_t v;

	(void)state;
	assert_int_equal(unit_parse_uint("1000", &v, &why), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(unit_parse_uint("18446744073709551615", &v, &why), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(unit_parse_uint("18446744073709551616", &v, &why), -1);
	assert_int_equal(unit_parse_uint("1.5", &v, &why), -1);
	assert_non_null(strstr(why, "whole number"));
	assert_int_equal(unit_parse_uint("10M", &v, &why), -1);
	assert_int_equal(unit_parse_uint("-3", &v, &why), -1);
	assert_non_null(strstr(why, "negative"));
}

static void list_ok(const char *s, unsigned max_id, const char *want)
{
	char out[128];
	const char *why = NULL;

	if (unit_parse_list(s, max_id, out, sizeof(out), &why) != 0)
		fail_msg("\"%s\" refused: %s", s, why);
	assert_string_equal(out, want);
}

static const char *list_bad(const char *s, unsigned max_id)
{
	char out[128];
	const char *why = NULL;

	if (unit_parse_list(s, max_id, out, sizeof(out), &why) == 0)
		fail_msg("\"%s\" accepted as %s", s, out);
	assert_non_null(why);
	return why;
}

static void test_list_normalised(void **state)
{
	(void)state;
	list_ok("0-3,6", 63, "0-3,6");
	list_ok("0", 63, "0");
	list_ok("6,0-3", 63, "0-3,6");
	list_ok("0,1,2,3", 63, "0-3");
	list_ok("2-3,0-1", 63, "0-3");
	list_ok("0-5,2-3", 63, "0-5");
	list_ok("1-1", 63, "1");
	list_ok("3,3,3", 63, "3");
	list_ok("007", 63, "7");
	list_ok("63", 63, "63");
	list_ok("0-4294967295", 4294967295u, "0-4294967295");
}

static void test_list_junk(void **state)
{
	(void)state;
	assert_non_null(strstr(list_bad("", 63), "empty"));
	assert_non_null(strstr(list_bad("5-2", 63), "low to high"));
	assert_non_null(strstr(list_bad("0-3,", 63), "ends with a comma"));
	assert_non_null(strstr(list_bad("0, 1", 63), "no spaces"));
	assert_non_null(strstr(list_bad("64", 63), "0 to 63"));
	assert_non_null(strstr(list_bad("0-99999999999999999999", 63), "0 to 63"));
	assert_non_null(strstr(list_bad("a", 63), "0-3,6"));
	assert_non_null(strstr(list_bad("-1", 63), "0-3,6"));
	assert_non_null(strstr(list_bad("1-", 63), "0-3,6"));
	assert_non_null(strstr(list_bad("0-7:2/4", 63), "0-3,6"));
	assert_non_null(strstr(list_bad(",", 63), "0-3,6"));
}

static void test_format(void **state)
{
	char b[32];

	(void)state;
	unit_format_size(64 * MiB, b, sizeof(b));
	assert_string_equal(b, "64M");
	unit_format_size(GiB + GiB / 2, b, sizeof(b));
	assert_string_equal(b, "1.5G");
	unit_format_size(512, b, sizeof(b));
	assert_string_equal(b, "512");
	unit_format_size(1000, b, sizeof(b));
	assert_string_equal(b, "1000");
	unit_format_size(UNIT_MAX, b, sizeof(b));
	assert_string_equal(b, "max");
	unit_format_duration(100000, b, sizeof(b));
	assert_string_equal(b, "100ms");
	unit_format_duration(1000000, b, sizeof(b));
	assert_string_equal(b, "1s");
	unit_format_duration(250, b, sizeof(b));
	assert_string_equal(b, "250us");
	unit_format_duration(0, b, sizeof(b));
	assert_string_equal(b, "0us");
}

/* What the formatter writes, the parser reads back to the same value. */
static void test_format_round_trip(void **state)
{
	const uint64_t sizes[] = {0,	   1,	     1023, 1024, 1536, 64 * MiB, GiB + GiB / 2,
				  3 * TiB, 123456789};
	const uint64_t durs[] = {0, 1, 999, 1000, 1500, 100000, 1000000, 2500000};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char b[32];

		unit_format_size(sizes[i], b, sizeof(b));
		assert_int_equal(size_ok(b, 0), sizes[i]);
	}
	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		char b[32];

		unit_format_duration(durs[i], b, sizeof(b));
		assert_int_equal(dur_ok(b), durs[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_plain_and_suffixes),
		cmocka_unit_test(test_size_fractions_round_down),
		cmocka_unit_test(test_size_percent_of_ram),
		cmocka_unit_test(test_size_max),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_size_junk),
		cmocka_unit_test(test_mem_size_below_page),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_cpu_amount),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_list_normalised),
		cmocka_unit_test(test_list_junk),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
