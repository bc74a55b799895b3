/* The mapping's pure conversions: weights, limits, cpu.max, device lines,
 * cpu lists; and where groups live on co-mounted and hybrid layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mapping.h"

static void test_files(void **state)
{
	(void)state;
	assert_string_equal(map_file(MK_CPU_PERIOD, false), "cpu.cfs_period_us");
	assert_null(map_file(MK_CPU_PERIOD, true));
	assert_string_equal(map_file(MK_CPU_MAX, true), "cpu.max");
	assert_null(map_file(MK_CPU_MAX, false));
	assert_string_equal(map_file(MK_MEM_MAX, false), "memory.limit_in_bytes");
	assert_string_equal(map_file(MK_MEM_MAX, true), "memory.max");
	assert_string_equal(map_file(MK_MEM_HIGH, false), "memory.soft_limit_in_bytes");
	assert_string_equal(map_file(MK_MEM_SWAP, false), "memory.memsw.limit_in_bytes");
	assert_string_equal(map_file(MK_MEM_SWAP, true), "memory.swap.max");
	assert_string_equal(map_file(MK_IO_WEIGHT, false), "blkio.weight");
	assert_string_equal(map_file(MK_IO_BFQ_WEIGHT, false), "blkio.bfq.weight");
	assert_string_equal(map_file(MK_IO_WEIGHT, true), "io.weight");
	assert_string_equal(map_file(MK_IO_BFQ_WEIGHT, true), "io.bfq.weight");
	assert_string_equal(map_file(MK_IO_RBPS, false), "blkio.throttle.read_bps_device");
	assert_string_equal(map_file(MK_IO_WIOPS, false), "blkio.throttle.write_iops_device");
	assert_string_equal(map_file(MK_IO_MAX, true), "io.max");
	assert_string_equal(map_file(MK_PIDS_MAX, false), "pids.max");
	for (int k = 0; k < MK_COUNT; k++)
		assert_true(map_file((enum map_knob)k, false) || map_file((enum map_knob)k, true));
}

static void test_weights(void **state)
{
	(void)state;
	/* cpu.shares = weight * 1024 / 100, at least 2 */
	assert_int_equal(map_cpu_shares(100), 1024);
	assert_int_equal(map_cpu_shares(200), 2048);
	assert_int_equal(map_cpu_shares(10000), 102400);
	assert_int_equal(map_cpu_shares(1), 10);
	assert_int_equal(map_cpu_shares(0), 2);
	for (uint64_t w = 1; w <= 10000; w++)
		assert_int_equal(map_weight_from_shares(map_cpu_shares(w)), w);
}

/* io.weight onto the kernel's weights: piecewise linear, each default onto
 * the other's (1..100 and 100..10000), and back along the same segments. */
static void test_io_weights(void **state)
{
	(void)state;
	/* v2 io.weight is the profile's own scale */
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, true, 1), 1);
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, true, 300), 300);
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, true, 10000), 10000);
	assert_int_equal(map_io_weight_from(MK_IO_WEIGHT, true, 300), 300);
	/* BFQ (v1 blkio.bfq.weight, v2 io.bfq.weight), 1..1000, default 100 */
	for (int v2 = 0; v2 < 2; v2++) {
		assert_int_equal(map_io_weight_to(MK_IO_BFQ_WEIGHT, v2, 1), 1);
		assert_int_equal(map_io_weight_to(MK_IO_BFQ_WEIGHT, v2, 50), 50);
		assert_int_equal(map_io_weight_to(MK_IO_BFQ_WEIGHT, v2, 100), 100);
		assert_int_equal(map_io_weight_to(MK_IO_BFQ_WEIGHT, v2, 300), 118);
		assert_int_equal(map_io_weight_to(MK_IO_BFQ_WEIGHT, v2, 1200), 200);
		assert_int_equal(map_io_weight_to(MK_IO_BFQ_WEIGHT, v2, 10000), 1000);
		assert_int_equal(map_io_weight_from(MK_IO_BFQ_WEIGHT, v2, 1), 1);
		assert_int_equal(map_io_weight_from(MK_IO_BFQ_WEIGHT, v2, 100), 100);
		assert_int_equal(map_io_weight_from(MK_IO_BFQ_WEIGHT, v2, 118), 298);
		assert_int_equal(map_io_weight_from(MK_IO_BFQ_WEIGHT, v2, 200), 1200);
		assert_int_equal(map_io_weight_from(MK_IO_BFQ_WEIGHT, v2, 1000), 10000);
	}
	/* CFQ (v1 blkio.weight), 10..1000, default 500 */
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, false, 1), 10);
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, false, 50), 253);
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, false, 100), 500);
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, false, 300), 510);
	assert_int_equal(map_io_weight_to(MK_IO_WEIGHT, false, 10000), 1000);
	assert_int_equal(map_io_weight_from(MK_IO_WEIGHT, false, 10), 1);
	assert_int_equal(map_io_weight_from(MK_IO_WEIGHT, false, 253), 50);
	assert_int_equal(map_io_weight_from(MK_IO_WEIGHT, false, 500), 100);
	assert_int_equal(map_io_weight_from(MK_IO_WEIGHT, false, 1000), 10000);
	/* out of the kernel's range: its ends */
	assert_int_equal(map_io_weight_from(MK_IO_WEIGHT, false, 5), 1);
	assert_int_equal(map_io_weight_from(MK_IO_BFQ_WEIGHT, false, 5000), 10000);
	/* a weight reads back as itself where the kernel has a value for each
	 * (1..100), and else as a weight with the same kernel value */
	for (int s = 0; s < 3; s++) {
		enum map_knob k = s == 0 ? MK_IO_WEIGHT : MK_IO_BFQ_WEIGHT;
		bool v2 = s == 2;
		uint64_t lo = s == 0 ? 10 : 1;

		for (uint64_t w = 1; w <= 100; w++)
			assert_int_equal(map_io_weight_from(k, v2, map_io_weight_to(k, v2, w)), w);
		for (uint64_t w = 100; w < 10000; w++)
			assert_true(map_io_weight_to(k, v2, w) <= map_io_weight_to(k, v2, w + 1));
		for (uint64_t w = 1; w <= 10000; w++) {
			uint64_t b = map_io_weight_to(k, v2, w);

			assert_int_equal(map_io_weight_to(k, v2, map_io_weight_from(k, v2, b)), b);
		}
		for (uint64_t b = lo; b < 1000; b++)
			assert_true(map_io_weight_from(k, v2, b) <= map_io_weight_from(k, v2, b + 1));
	}
}

static void test_limits(void **state)
{
	uint64_t v, q, p;

	(void)state;
	assert_int_equal(map_parse_limit("max\n", &v), 0);
	assert_true(v == MAP_UNLIMITED);
	assert_int_equal(map_parse_limit("-1", &v), 0);
	assert_true(v == MAP_UNLIMITED);
	assert_int_equal(map_parse_limit("9223372036854771712\n", &v), 0);
	assert_true(v == MAP_UNLIMITED);
	assert_int_equal(map_parse_limit("268435456", &v), 0);
	assert_int_equal(v, 268435456);
	assert_int_equal(map_parse_limit("12 34", &v), -1);
	assert_int_equal(map_parse_limit("", &v), -1);
	assert_int_equal(map_parse_limit("x", &v), -1);
	assert_int_equal(map_round_bytes(1000000), 999424);
	assert_true(map_round_bytes(MAP_UNLIMITED) == MAP_UNLIMITED);
	assert_int_equal(map_parse_cpu_max("max 100000\n", &q, &p), 0);
	assert_true(q == MAP_UNLIMITED);
	assert_int_equal(p, 100000);
	assert_int_equal(map_parse_cpu_max("20000 50000", &q, &p), 0);
	assert_int_equal(q, 20000);
	assert_int_equal(map_parse_cpu_max("20000", &q, &p), -1);
	assert_int_equal(map_parse_weight("default 100\n8:0 50\n", &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(map_parse_weight("39\n", &v), 0);
	assert_int_equal(v, 39);
}

static void test_devices(void **state)
{
	struct map_devs ds = { 0 };
	char line[256];

	(void)state;
	assert_int_equal(map_devs_add_v1(&ds, MAP_RBPS, "8:0 1048576\n254:0 5\n"), 0);
	assert_int_equal(map_devs_add_v1(&ds, MAP_WIOPS, "254:0 500\n"), 0);
	assert_int_equal(ds.n, 2);
	map_format_v1_dev(map_devs_get(&ds, 254, 0), MAP_WIOPS, NULL, line, sizeof(line));
	assert_string_equal(line, "254:0 500");
	map_format_v1_dev(map_devs_get(&ds, 254, 0), MAP_WBPS, NULL, line, sizeof(line));
	assert_string_equal(line, "254:0 0");
	map_format_io_max(map_devs_get(&ds, 254, 0), NULL, line, sizeof(line));
	assert_string_equal(line, "254:0 rbps=5 wbps=max riops=max wiops=500");
	map_devs_free(&ds);
	/* io.max with keys this code does not know (latency targets) */
	assert_int_equal(map_devs_add_io_max(&ds, "8:16 rbps=2 wbps=max riops=max wiops=7 latency=5\n"), 0);
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.d[0].v[MAP_RBPS], 2);
	assert_int_equal(ds.d[0].v[MAP_WIOPS], 7);
	assert_true(ds.d[0].v[MAP_WBPS] == MAP_UNLIMITED);
	map_format_io_max(&ds.d[0], "<dev>", line, sizeof(line));
	assert_string_equal(line, "<dev> rbps=2 wbps=max riops=max wiops=7");
	assert_int_equal(map_devs_add_io_max(&ds, "garbage"), -1);
	assert_int_equal(map_devs_add_v1(&ds, MAP_RBPS, "8:0"), -1);
	map_devs_free(&ds);
}

static void test_lists(void **state)
{
	struct map_list a, b;
	char s[256];

	(void)state;
	assert_int_equal(map_list_parse("0-3,6\n", &a), 0);
	map_list_format(&a, s, sizeof(s));
	assert_string_equal(s, "0-3,6");
	assert_int_equal(map_list_parse("6,0,1,2-3", &b), 0);
	assert_true(map_list_equal(&a, &b));
	assert_int_equal(map_list_parse("", &b), 0);
	assert_true(map_list_subset(&b, &a));
	assert_int_equal(map_list_parse("5", &b), 0);
	assert_false(map_list_subset(&b, &a));
	assert_int_equal(map_list_first_outside(&b, &a), 5);
	map_list_union(&b, &a);
	map_list_format(&b, s, sizeof(s));
	assert_string_equal(s, "0-3,5-6");
	assert_int_equal(map_list_parse("3-1", &b), -1);
	assert_int_equal(map_list_parse("1,,2", &b), -1);
	assert_int_equal(map_list_parse("99999", &b), -1);
}

static struct profile one_group(const char *name, bool cpu, bool io)
{
	struct profile p;

	memset(&p, 0, sizeof(p));
	p.group.name.s = (char *)name;
	p.group.cpu.present = cpu;
	p.group.io.present = io;
	p.parent.s = (char *)"cgkit";
	return p;
}

/* cpu,cpuacct mounted together: one hierarchy, one group directory. */
static void test_where_comounted(void **state)
{
	struct cg_layout l;
	struct profile p = one_group("web", true, false);
	struct map_where w;
	struct diags d;
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(cg_layout_standard(CG_MODE_V1, "/cg", &l, &e), 0);
	free(l.v1_mount[CTRL_CPU]);
	free(l.v1_mount[CTRL_CPUACCT]);
	l.v1_mount[CTRL_CPU] = strdup("/cg/cpu,cpuacct");
	l.v1_mount[CTRL_CPUACCT] = strdup("/cg/cpu,cpuacct");
	diags_init(&d, "t");
	assert_int_equal(map_where(&p, &l, NULL, &w, &d, &e), 0);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.h[0].base, "/cg/cpu,cpuacct/cgkit");
	assert_int_equal(w.h[0].ctrls, (1u << CTRL_CPU) | (1u << CTRL_CPUACCT));
	map_where_free(&w);
	/* apart (this host): two */
	cg_layout_free(&l);
	assert_int_equal(cg_layout_standard(CG_MODE_V1, "/cg", &l, &e), 0);
	assert_int_equal(map_where(&p, &l, NULL, &w, &d, &e), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.h[1].base, "/cg/cpuacct/cgkit");
	map_where_free(&w);
	cg_layout_free(&l);
}

/* Hybrid with io on cgroup2: cpu on v1, io in the unified tree. */
static void test_where_hybrid(void **state)
{
	struct cg_layout l;
	struct profile p = one_group("web", true, true);
	struct map_where w;
	struct diags d;
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(cg_layout_standard(CG_MODE_V1, "/cg", &l, &e), 0);
	free(l.v1_mount[CTRL_IO]);
	l.v1_mount[CTRL_IO] = NULL;
	l.unified = strdup("/cg/unified");
	l.self_unified = strdup("");
	l.mode = CG_MODE_HYBRID;
	assert_int_equal(cg_layout_set_unified_ctrls(&l, "io hugetlb", &e), 0);
	diags_init(&d, "t");
	assert_int_equal(map_where(&p, &l, NULL, &w, &d, &e), 0);
	assert_int_equal(w.n, 3);
	assert_int_equal(map_where_find(&w, &l, CTRL_IO), 2);
	assert_string_equal(w.h[2].base, "/cg/unified/cgkit");
	assert_true(w.h[2].v2);
	assert_false(w.h[0].v2);
	map_where_free(&w);
	cg_layout_free(&l);
}

static void test_kv_v2_memory_events(void **state)
{
	const char *ev = "low 0\nhigh 12\nmax 40\noom 2\noom_kill 1\noom_group_kill 0\n";
	uint64_t v = 99;

	(void)state;
	assert_int_equal(map_parse_keyed(ev, "oom_kill", &v), 0);
	assert_int_equal(v, 1);
	/* "oom" must not match "oom_kill" nor the other way round */
	assert_int_equal(map_parse_keyed(ev, "oom", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(map_parse_keyed(ev, "high", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(map_parse_keyed(ev, "oom_kil", &v), -1);
	assert_int_equal(map_parse_keyed(ev, "swap", &v), -1);
}

static void test_kv_v1_oom_control_and_cpu_stat(void **state)
{
	const char *oc = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
	const char *cs = "nr_periods 60\nnr_throttled 59\nthrottled_time 4716914686\n";
	uint64_t v = 0;

	(void)state;
	assert_int_equal(map_parse_keyed(oc, "oom_kill", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(map_parse_keyed(cs, "nr_throttled", &v), 0);
	assert_int_equal(v, 59);
	assert_int_equal(map_parse_keyed(cs, "throttled_time", &v), 0);
	assert_int_equal(v, 4716914686ULL);
	assert_int_equal(map_parse_keyed("", "nr_periods", &v), -1);
	assert_int_equal(map_parse_keyed("nr_periods x\n", "nr_periods", &v), -1);
}

/* The counters a launch reports, read through their owner. */
static void test_counters(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(map_parse_counter(MC_OOM_KILLS, true, "oom 2\noom_kill 1\n", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(map_parse_counter(MC_CPU_USAGE, true, "usage_usec 1500\nuser_usec 1\n", &v), 0);
	assert_int_equal(v, 1500000);   /* into nanoseconds */
	assert_int_equal(map_parse_counter(MC_CPU_USAGE, false, "2500\n", &v), 0);
	assert_int_equal(v, 2500);
	assert_int_equal(map_parse_counter(MC_MEM_PEAK, true, "max\n", &v), -1);
	assert_int_equal(map_parse_counter(MC_CPU_THROTTLED, false, "nr_periods 3\n", &v), -1);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_v2_memory_events),
		cmocka_unit_test(test_kv_v1_oom_control_and_cpu_stat),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_files),   cmocka_unit_test(test_weights),
		cmocka_unit_test(test_io_weights),
		cmocka_unit_test(test_limits),  cmocka_unit_test(test_devices),
		cmocka_unit_test(test_lists),   cmocka_unit_test(test_where_comounted),
		cmocka_unit_test(test_where_hybrid),
	};

	return cmocka_run_group_tests_name("mapping", tests, NULL, NULL);
}
