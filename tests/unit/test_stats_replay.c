/* cgtop's replay and pictures, the pure parts: the times a user gives
 * (--since/--until, the @ key), samples fed to a collector instead of read
 * (the rows as live cgtop computes them), the ring of last figures, and the
 * characters of sparklines and graphs in both charsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "stats.h"

/* 2026-12-01 12:00:00 UTC */
#define NOW ((time_t)1796126400)
#define US 1000000ull

static int setup_utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static uint64_t parse_ok(const char *s)
{
	cg_err e = {0};
	uint64_t t = 0;

	if (stats_time_parse(s, NOW, &t, &e) < 0)
		fail_msg("'%s': %s", s, e.msg);
	return t;
}

static void test_time_forms(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("now"), NOW * US);
	assert_int_equal(parse_ok("03:10"), (NOW - 12 * 3600 + 3 * 3600 + 600) * US);
	assert_int_equal(parse_ok("03:10:05"), (NOW - 12 * 3600 + 3 * 3600 + 605) * US);
	assert_int_equal(parse_ok("2026-12-01 03:10"), (NOW - 12 * 3600 + 3 * 3600 + 600) * US);
	assert_int_equal(parse_ok("2026-11-30T23:59:59"), (NOW - 12 * 3600 - 1) * US);
	assert_int_equal(parse_ok("2026-12-01"), (NOW - 12 * 3600) * US);
	assert_int_equal(parse_ok("10m ago"), (NOW - 600) * US);
	assert_int_equal(parse_ok("1h 30min ago"), (NOW - 5400) * US);
	assert_int_equal(parse_ok("2 days ago"), (NOW - 2 * 86400) * US);
	assert_int_equal(parse_ok("today"), (NOW - 12 * 3600) * US);
	assert_int_equal(parse_ok("yesterday"), (NOW - 36 * 3600) * US);
	assert_int_equal(parse_ok("@1796126400"), NOW * US);
}

static void test_time_local_zone(void **state)
{
	(void)state;
	setenv("TZ", "CET-1", 1);
	tzset();
	/* 03:10 in UTC+1 is 02:10 UTC */
	assert_int_equal(parse_ok("03:10"), (NOW - 12 * 3600 + 2 * 3600 + 600) * US);
	setup_utc(NULL);
}

static void test_time_errors_say_the_forms(void **state)
{
	static const char *bad[] = {"", "3", "25:00", "03:61", "3:1", "2026-13-01", "2026-02-30",
				    "2026-12-01 3", "10 ago", "10x ago", "ago", "10m", "tomorrowish",
				    "@", "@12x", "03:10 ", "100000000000d ago"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cg_err e = {0};
		uint64_t t = 42;

		if (stats_time_parse(bad[i], NOW, &t, &e) != -1)
			fail_msg("'%s' taken as %llu", bad[i], (unsigned long long)t);
		assert_non_null(strstr(e.msg, "HH:MM"));
		assert_non_null(strstr(e.msg, "ago"));
	}
}

static struct stats_sample cpu_sample(uint64_t cpu_ns)
{
	struct stats_sample s = {0};

	s.v[SV_CPU_NS] = cpu_ns;
	s.v[SV_MEM] = 100u << 20;
	s.v[SV_MEM_INACTIVE_FILE] = 0;
	s.have = SV_BIT(SV_CPU_NS) | SV_BIT(SV_MEM) | SV_BIT(SV_MEM_INACTIVE_FILE);
	return s;
}

static void test_feed_rows_as_live(void **state)
{
	struct stats_opts o = {.cols = STATS_COLS_DEFAULT};
	cg_err e = {0};
	struct stats_collector *c = stats_open_replay(&o, 4, &e);
	struct stats_feed_group g[3];
	long i;

	(void)state;
	assert_non_null(c);
	assert_true(stats_is_replay(c));
	/* a parent not given: the nearest given ancestor is the parent */
	g[0] = (struct stats_feed_group){"a/b/c", cpu_sample(0)};
	g[1] = (struct stats_feed_group){"a", cpu_sample(0)};
	g[2] = (struct stats_feed_group){"", cpu_sample(0)};
	assert_int_equal(stats_feed(c, 1000 * US, g, 3, &e), 0);
	assert_int_equal(stats_count(c), 3);
	assert_string_equal(stats_group_at(c, 0)->path, "");
	i = stats_find(c, "a/b/c");
	assert_true(i >= 0);
	assert_true(isnan(stats_group_at(c, (size_t)i)->row.f[COL_CPU]));
	assert_int_equal(stats_group_at(c, (size_t)i)->parent, stats_find(c, "a"));
	/* 5 s later, 1 s of cpu: 20% */
	g[0].s = cpu_sample(1000000000ull);
	g[1].s = cpu_sample(2000000000ull);
	g[2].s = cpu_sample(3000000000ull);
	assert_int_equal(stats_feed(c, 1005 * US, g, 3, &e), 0);
	i = stats_find(c, "a/b/c");
	assert_float_equal(stats_group_at(c, (size_t)i)->row.f[COL_CPU], 20.0, 1e-6);
	assert_float_equal(stats_group_at(c, (size_t)stats_find(c, "a"))->row.f[COL_CPU], 40.0, 1e-6);
	/* the ring holds both refreshes */
	{
		double v[8];
		size_t n = stats_ring_get(stats_group_ring(c, (size_t)i), RING_CPU, v, 8);

		assert_int_equal(n, 2);
		assert_true(isnan(v[0]));
		assert_float_equal(v[1], 20.0, 1e-6);
	}
	/* a group gone is dropped; one that comes has no rate */
	g[1] = (struct stats_feed_group){"z", cpu_sample(5)};
	assert_int_equal(stats_feed(c, 1010 * US, g, 2, &e), 0);
	assert_int_equal(stats_count(c), 3);   /* "", a/b/c, z */
	assert_int_equal(stats_find(c, "a"), -1);
	assert_true(isnan(stats_group_at(c, (size_t)stats_find(c, "z"))->row.f[COL_CPU]));
	/* forgetting: the next feed starts afresh */
	stats_feed_forget(c);
	g[0].s = cpu_sample(9000000000ull);
	assert_int_equal(stats_feed(c, 1015 * US, g, 2, &e), 0);
	assert_true(isnan(stats_group_at(c, (size_t)stats_find(c, "a/b/c"))->row.f[COL_CPU]));
	stats_close(c);
}

static void test_feed_below_start(void **state)
{
	struct stats_opts o = {.start = "/a/"};
	cg_err e = {0};
	struct stats_collector *c = stats_open_replay(&o, 1, &e);
	struct stats_feed_group g[3] = {
		{"", cpu_sample(0)}, {"ab", cpu_sample(0)}, {"a/x", cpu_sample(0)}};

	(void)state;
	assert_int_equal(stats_feed(c, US, g, 3, &e), 0);
	/* "a" made up as the top, "ab" and the root are not below it */
	assert_int_equal(stats_count(c), 2);
	assert_string_equal(stats_group_at(c, 0)->path, "a");
	assert_string_equal(stats_group_at(c, 1)->path, "a/x");
	assert_int_equal(stats_group_at(c, 1)->parent, 0);
	stats_close(c);
}

static void test_ring_keeps_the_last(void **state)
{
	struct stats_ring r = {0};
	double v[STATS_RING];

	(void)state;
	for (int i = 0; i < STATS_RING + 5; i++) {
		struct stats_row row = {0};

		row.f[COL_CPU] = i;
		stats_ring_push(&r, &row);
	}
	assert_int_equal(stats_ring_get(&r, RING_CPU, v, 3), 3);
	assert_float_equal(v[0], STATS_RING + 2, 0);
	assert_float_equal(v[2], STATS_RING + 4, 0);
	assert_int_equal(stats_ring_get(&r, RING_CPU, v, STATS_RING), STATS_RING);
	assert_float_equal(v[0], 5, 0);
}

static void test_spark_both_charsets(void **state)
{
	const double v[] = {0, 12.5, 50, 100, NAN, 200};
	char buf[64];

	(void)state;
	assert_int_equal(stats_spark(v, 6, 100, true, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "\u2581\u2582\u2585\u2588 \u2588");
	assert_int_equal(stats_spark(v, 6, 100, false, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "_.=# #");
	/* top 0: the largest value */
	assert_int_equal(stats_spark(v, 3, 0, false, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "_:#");
	/* cut at whole characters */
	assert_int_equal(stats_spark(v, 6, 100, true, buf, 8), 2);
	assert_string_equal(buf, "\u2581\u2582");
}

static void test_graph_lines(void **state)
{
	const double v[] = {0, 25, 50, 100, NAN, 60};
	char buf[64];

	(void)state;
	/* 2 lines high: 100 fills both, 50 the lower, 25 half the lower */
	assert_int_equal(stats_graph_line(v, 6, 100, 2, 0, false, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "   # .");
	assert_int_equal(stats_graph_line(v, 6, 100, 2, 1, false, buf, sizeof(buf)), 6);
	assert_string_equal(buf, " :## #");
	assert_int_equal(stats_graph_line(v, 6, 100, 2, 0, true, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "   \u2588 \u2582");
	assert_int_equal(stats_graph_line(v, 6, 100, 2, 1, true, buf, sizeof(buf)), 6);
	assert_string_equal(buf, " \u2584\u2588\u2588 \u2588");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_forms),
		cmocka_unit_test(test_time_local_zone),
		cmocka_unit_test(test_time_errors_say_the_forms),
		cmocka_unit_test(test_feed_rows_as_live),
		cmocka_unit_test(test_feed_below_start),
		cmocka_unit_test(test_ring_keeps_the_last),
		cmocka_unit_test(test_spark_both_charsets),
		cmocka_unit_test(test_graph_lines),
	};

	return cmocka_run_group_tests(tests, setup_utc, NULL);
}
