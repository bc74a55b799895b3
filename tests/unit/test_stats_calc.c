/* The pure side of cgtop's statistics: the kernel's formats (as mapping.c parses them),
 * counter deltas through wraps and resets, rates and percentages, column
 * names, and the order of rows (tree, flat, filter, depth). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mapping.h"
#include "stats.h"

#define SEC 1000000000ull

static void test_parse_numbers_and_limits(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(map_parse_u64("123\n", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(map_parse_u64("", &v), -1);
	assert_int_equal(map_parse_u64("12x", &v), -1);
	assert_int_equal(map_parse_u64("99999999999999999999999", &v), -1);
	assert_int_equal(map_parse_limit("max\n", &v), 0);
	assert_true(v == STATS_UNLIMITED);
	assert_int_equal(map_parse_limit("-1\n", &v), 0);
	assert_true(v == STATS_UNLIMITED);
	/* v1's "no limit" for memory is the largest page-aligned number */
	assert_int_equal(map_parse_limit("9223372036854771712\n", &v), 0);
	assert_true(v == STATS_UNLIMITED);
	assert_int_equal(map_parse_limit("536870912\n", &v), 0);
	assert_int_equal(v, 536870912);
}

static void test_parse_key_matches_whole_keys(void **state)
{
	const char *st = "cache 10\nrss 20\ntotal_cache 30\ninactive_file 5\ntotal_inactive_file 7\n";
	const char *ev = "low 0\nhigh 1\nmax 2\noom 3\noom_kill 4\n";
	uint64_t v;

	(void)state;
	assert_int_equal(map_parse_keyed(st, "inactive_file", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(map_parse_keyed(st, "total_inactive_file", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(map_parse_keyed(ev, "oom", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(map_parse_keyed(ev, "oom_kill", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(map_parse_keyed(ev, "absent", &v), -1);
}

static void test_parse_cpu_max_psi_io(void **state)
{
	uint64_t q, p, r, w;

	(void)state;
	assert_int_equal(map_parse_cpu_max("max 100000\n", &q, &p), 0);
	assert_true(q == STATS_UNLIMITED);
	assert_int_equal(p, 100000);
	assert_int_equal(map_parse_cpu_max("20000 50000\n", &q, &p), 0);
	assert_int_equal(q, 20000);
	assert_int_equal(p, 50000);
	assert_int_equal(map_parse_cpu_max("garbage", &q, &p), -1);

	assert_int_equal(map_parse_psi_some_avg10(
				 "some avg10=12.34 avg60=1.00 avg300=0.00 total=99\n"
				 "full avg10=0.50 avg60=0.00 avg300=0.00 total=9\n", &q), 0);
	assert_int_equal(q, 1234);
	assert_int_equal(map_parse_psi_some_avg10("full avg10=1.00\n", &q), -1);

	assert_int_equal(map_parse_blkio_bytes("8:0 Read 100\n8:0 Write 50\n8:0 Sync 150\n"
					   "8:16 Read 1\n8:16 Write 2\nTotal 153\n", &r, &w), 0);
	assert_int_equal(r, 101);
	assert_int_equal(w, 52);
	/* a group that did no io: "Total 0" is zero, not unknown */
	assert_int_equal(map_parse_blkio_bytes("Total 0\n", &r, &w), 0);
	assert_int_equal(r + w, 0);
	assert_int_equal(map_parse_blkio_bytes("", &r, &w), -1);
	assert_int_equal(map_parse_io_stat_bytes("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"
					    "8:16 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n",
					    &r, &w), 0);
	assert_int_equal(r, 11);
	assert_int_equal(w, 22);
	assert_int_equal(stats_count_lines("1\n2\n3\n"), 3);
	assert_int_equal(stats_count_lines(""), 0);
}

/* The collector and cgtop take every file name and key from mapping.c: the
 * knobs the engine writes and the files the statistics read are the same
 * names, and v1's "no limit" has one threshold. */
static void test_read_side_is_mappings(void **state)
{
	uint64_t v;

	(void)state;
	assert_string_equal(map_stat_file(MS_CPU_QUOTA, false), map_file(MK_CPU_QUOTA, false));
	assert_string_equal(map_stat_file(MS_CPU_QUOTA, true), map_file(MK_CPU_MAX, true));
	assert_string_equal(map_stat_file(MS_MEM_LIMIT, false), map_file(MK_MEM_MAX, false));
	assert_string_equal(map_stat_file(MS_MEM_USAGE, true), map_file(MK_MEM_USAGE, true));
	assert_string_equal(map_stat_file(MS_PIDS_MAX, true), map_file(MK_PIDS_MAX, true));
	assert_string_equal(map_stat_file(MS_PROCS, false), map_cgfile(MF_PROCS, false));
	assert_null(map_stat_file(MS_CPU_PERIOD, true));
	assert_null(map_stat_file(MS_PSI_CPU, false));
	assert_int_equal(map_stat_ctrl(MS_CPU_USAGE), CTRL_CPUACCT);
	assert_int_equal(map_stat_ctrl(MS_PROCS), CTRL_COUNT);
	assert_null(map_stat_key(MSK_SWAP, true));
	assert_string_equal(map_stat_key(MSK_INACTIVE_FILE, false), "total_inactive_file");
	/* a v1 limit of 2^62 is a limit; only the kernel's own "none" is none */
	assert_int_equal(map_parse_limit("4611686018427387904\n", &v), 0);
	assert_true(v == UINT64_C(4611686018427387904));
	/* v1 swap is memsw above the memory limit */
	assert_true(map_v1_swap_from_memsw(3 << 20, 1 << 20) == 2 << 20);
	assert_true(map_v1_swap_from_memsw(MAP_UNLIMITED, 1 << 20) == MAP_UNLIMITED);
	assert_true(map_v1_swap_from_memsw(1 << 20, MAP_UNLIMITED) == MAP_UNLIMITED);
	/* the shared "key value" parser: whole keys, numbers only */
	assert_int_equal(map_keyed_value("populated 1\nfrozen 0\n", "frozen"), 0);
	assert_int_equal(map_keyed_value("frozen x\n", "frozen"), -1);
	assert_int_equal(map_parse_keyed("nr_periods 5\nnr_periods_x 9\n", "nr_periods_x", &v), 0);
	assert_int_equal(v, 9);
}

static void test_counter_delta_wrap_and_reset(void **state)
{
	uint64_t d;

	(void)state;
	assert_true(stats_counter_delta(100, 150, 64, 1000, &d));
	assert_int_equal(d, 50);
	/* a 32-bit counter that wrapped by a little: believed */
	assert_true(stats_counter_delta(UINT32_MAX - 9, 5, 32, 1000, &d));
	assert_int_equal(d, 15);
	/* a 64-bit wrap */
	assert_true(stats_counter_delta(UINT64_MAX - 1, 3, 64, 1000, &d));
	assert_int_equal(d, 5);
	/* a fall that would mean an absurd delta is a reset: unknown */
	assert_false(stats_counter_delta(5000000, 10, 64, 1000, &d));
	assert_false(stats_counter_delta(5000000, 10, 32, 1000, &d));
}

static struct stats_sample sample(uint64_t cpu_ns, uint64_t periods, uint64_t throttled)
{
	struct stats_sample s = {0};

	s.v[SV_CPU_NS] = cpu_ns;
	s.v[SV_PERIODS] = periods;
	s.v[SV_THROTTLED] = throttled;
	s.v[SV_QUOTA_US] = 20000;
	s.v[SV_PERIOD_US] = 100000;
	s.have = SV_BIT(SV_CPU_NS) | SV_BIT(SV_PERIODS) | SV_BIT(SV_THROTTLED) |
		 SV_BIT(SV_QUOTA_US) | SV_BIT(SV_PERIOD_US);
	return s;
}

static void test_compute_cpu_and_throttling(void **state)
{
	struct stats_sample a = sample(1 * SEC, 100, 10), b = sample(1 * SEC + SEC / 5, 110, 18);
	struct stats_row r;

	(void)state;
	stats_compute(&a, &b, SEC, 4, &r);
	assert_float_equal(r.f[COL_CPU], 20.0, 0.001);
	assert_float_equal(r.f[COL_THROTTLED], 80.0, 0.001);
	assert_float_equal(r.f[COL_CPU_LIMIT], 20.0, 0.001);

	/* first sample: no rate, but the limit is known */
	stats_compute(NULL, &b, SEC, 4, &r);
	assert_true(isnan(r.f[COL_CPU]));
	assert_true(isnan(r.f[COL_THROTTLED]));
	assert_float_equal(r.f[COL_CPU_LIMIT], 20.0, 0.001);

	/* counters going backwards (group re-created): unknown, never negative */
	stats_compute(&b, &a, SEC, 4, &r);
	assert_true(isnan(r.f[COL_CPU]));
	assert_true(isnan(r.f[COL_THROTTLED]));

	/* more cpu than the host has, as after a reset that looks like a
	 * wrap: unknown; a little jitter over: clamped to the host */
	b = sample(1 * SEC + 10 * SEC, 110, 18);
	stats_compute(&a, &b, SEC, 4, &r);
	assert_true(isnan(r.f[COL_CPU]));
	b = sample(1 * SEC + 4 * SEC + SEC / 10, 110, 18);
	stats_compute(&a, &b, SEC, 4, &r);
	assert_float_equal(r.f[COL_CPU], 400.0, 0.001);

	/* no periods went by: 0% throttled, not 0/0 */
	b = sample(1 * SEC, 100, 10);
	stats_compute(&a, &b, SEC, 4, &r);
	assert_float_equal(r.f[COL_THROTTLED], 0.0, 0.001);
}

static void test_compute_memory_io_limits(void **state)
{
	struct stats_sample a = {0}, b;
	struct stats_row r;

	(void)state;
	a.v[SV_MEM] = 100 << 20;
	a.v[SV_MEM_INACTIVE_FILE] = 30 << 20;
	a.v[SV_MEM_LIMIT] = 200 << 20;
	a.v[SV_IO_RBYTES] = 1000;
	a.v[SV_IO_WBYTES] = 0;
	a.v[SV_PIDS_MAX] = STATS_UNLIMITED;
	a.have = SV_BIT(SV_MEM) | SV_BIT(SV_MEM_INACTIVE_FILE) | SV_BIT(SV_MEM_LIMIT) |
		 SV_BIT(SV_IO_RBYTES) | SV_BIT(SV_IO_WBYTES) | SV_BIT(SV_PIDS_MAX);
	b = a;
	b.v[SV_IO_RBYTES] = 5000;
	b.v[SV_IO_WBYTES] = 2000;
	stats_compute(&a, &b, 2 * SEC, 1, &r);
	assert_float_equal(r.f[COL_MEM], 70.0 * 1048576, 1);
	assert_float_equal(r.mem_raw, 100.0 * 1048576, 1);
	assert_float_equal(r.f[COL_MEM_PCT], 35.0, 0.001);
	assert_float_equal(r.f[COL_IO_READ], 2000.0, 0.001);
	assert_float_equal(r.f[COL_IO_WRITE], 1000.0, 0.001);
	assert_true(isinf(r.f[COL_PIDS_LIMIT]));
	/* values never read are unknown, not zero */
	assert_true(isnan(r.f[COL_SWAP]));
	assert_true(isnan(r.f[COL_PIDS]));
	assert_true(isnan(r.f[COL_OOM]));
	/* no limit: no percentage of it */
	b.v[SV_MEM_LIMIT] = STATS_UNLIMITED;
	stats_compute(&a, &b, 2 * SEC, 1, &r);
	assert_true(isinf(r.f[COL_MEM_LIMIT]));
	assert_true(isnan(r.f[COL_MEM_PCT]));
	/* inactive cache above usage (read at different moments): 0, not a wrap */
	b.v[SV_MEM_INACTIVE_FILE] = 200 << 20;
	stats_compute(&a, &b, 2 * SEC, 1, &r);
	assert_float_equal(r.f[COL_MEM], 0, 0.1);
}

static void test_format_shows_dash_for_unknown(void **state)
{
	char buf[32];

	(void)state;
	stats_format(COL_CPU, NAN, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	stats_format(COL_MEM_LIMIT, INFINITY, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	stats_format(COL_MEM, 0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	stats_format(COL_MEM, 1536.0 * 1024 * 1024, buf, sizeof(buf));
	assert_string_equal(buf, "1.5G");
	stats_format(COL_CPU, 19.96, buf, sizeof(buf));
	assert_string_equal(buf, "20");
	stats_format(COL_CPU, 3.14159, buf, sizeof(buf));
	assert_string_equal(buf, "3.1");
}

static void test_fields_parse(void **state)
{
	uint32_t cols = 0;
	cg_err e = {0};

	(void)state;
	assert_int_equal(stats_cols_parse("cpu,mem,io", &cols, &e), 0);
	assert_int_equal(cols, COL_BIT(COL_CPU) | COL_BIT(COL_MEM) | COL_BIT(COL_IO_READ) |
				       COL_BIT(COL_IO_WRITE));
	assert_int_equal(stats_cols_parse("psi", &cols, &e), 0);
	assert_int_equal(cols, COL_BIT(COL_PSI_CPU) | COL_BIT(COL_PSI_MEM) | COL_BIT(COL_PSI_IO));
	assert_int_equal(stats_cols_parse("cpu,bogus", &cols, &e), -1);
	assert_non_null(strstr(e.msg, "\"bogus\""));
	assert_non_null(strstr(e.msg, "throttled"));   /* says what would be right */
	assert_int_equal(stats_col_by_name("name"), COL_NAME);
	assert_int_equal(stats_col_by_name("MEM"), COL_MEM);
	assert_int_equal(stats_col_by_name("nope"), -1);
	/* json names carry their unit */
	for (size_t c = 0; c < COL_COUNT; c++)
		assert_non_null(stats_cols[c].json);
	assert_string_equal(stats_cols[COL_CPU].json, "cpu_pct");
	assert_string_equal(stats_cols[COL_MEM].json, "mem_bytes");
}

/* A small tree:  / (0) ; a (1) ; a/x (2) ; a/y (3) ; b (4) ; b/z (5) */
static void make_tree(struct stats_group *g, const double cpu[6])
{
	static char paths[6][8] = {"", "a", "a/x", "a/y", "b", "b/z"};
	static const int parent[6] = {-1, 0, 1, 1, 0, 4};

	memset(g, 0, 6 * sizeof(*g));
	for (int i = 0; i < 6; i++) {
		g[i].path = paths[i];
		g[i].parent = parent[i];
		g[i].depth = i == 0 ? 0 : parent[i] == 0 ? 1 : 2;
		for (int c = 0; c < COL_COUNT; c++)
			g[i].row.f[c] = NAN;
		g[i].row.f[COL_CPU] = cpu[i];
	}
}

static void test_view_tree_flat_filter_depth(void **state)
{
	struct stats_group g[6];
	const double cpu[6] = {90, 10, 1, 9, 80, NAN};
	uint32_t order[6], scratch[12];
	struct stats_view_opts o = {.sort = COL_CPU, .tree = true, .max_depth = -1};
	size_t n;

	(void)state;
	make_tree(g, cpu);
	/* tree: children under their parent, busiest sibling first */
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(n, 6);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 4);   /* b 80 */
	assert_int_equal(order[2], 5);   /* b/z */
	assert_int_equal(order[3], 1);   /* a 10 */
	assert_int_equal(order[4], 3);   /* a/y 9 */
	assert_int_equal(order[5], 2);   /* a/x 1 */
	/* reverse: least busy first, unknown still last */
	o.reverse = true;
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	/* flat: all sorted together, unknown (NAN) last */
	o.reverse = false;
	o.tree = false;
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(n, 6);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 4);
	assert_int_equal(order[5], 5);
	/* filter in tree mode keeps the ancestors of a match */
	o.tree = true;
	o.filter = "a/y";
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(n, 3);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 3);
	/* flat filter shows only matches */
	o.tree = false;
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(n, 1);
	assert_int_equal(order[0], 3);
	/* depth */
	o.filter = NULL;
	o.tree = true;
	o.max_depth = 1;
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(n, 3);
	/* by name */
	o.max_depth = -1;
	o.sort = COL_NAME;
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 3);
	assert_int_equal(order[4], 4);
	/* vanished groups are not shown */
	g[4].vanished = true;
	g[5].vanished = true;
	n = stats_view_groups(g, 6, &o, order, scratch);
	assert_int_equal(n, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_numbers_and_limits),
		cmocka_unit_test(test_parse_key_matches_whole_keys),
		cmocka_unit_test(test_parse_cpu_max_psi_io),
		cmocka_unit_test(test_read_side_is_mappings),
		cmocka_unit_test(test_counter_delta_wrap_and_reset),
		cmocka_unit_test(test_compute_cpu_and_throttling),
		cmocka_unit_test(test_compute_memory_io_limits),
		cmocka_unit_test(test_format_shows_dash_for_unknown),
		cmocka_unit_test(test_fields_parse),
		cmocka_unit_test(test_view_tree_flat_filter_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
