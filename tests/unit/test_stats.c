/* The collector against a fake cgroup tree in a temporary directory, for a
 * v1 layout (one hierarchy per controller, groups matched by relative path)
 * and a v2 layout. The test rewrites the files between refreshes, as the
 * kernel would, and gives the time of each refresh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgops.h"
#include "layout.h"
#include "stats.h"

#define SEC 1000000000ull

struct fake {
	char root[256];
	struct cg_layout l;
};

static void put(const struct fake *f, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes a file in place (same inode: the collector keeps it open). */
static void put(const struct fake *f, const char *rel, const char *fmt, ...)
{
	char path[1024], text[4096];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void mk(const struct fake *f, const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void rm_rf(const char *path)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void rm_rel(const struct fake *f, const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	rm_rf(path);
}

static char *abs_of(const struct fake *f, const char *rel)
{
	char *s;

	assert_true(asprintf(&s, "%s/%s", f->root, rel) > 0);
	return s;
}

/* v1: cpu, cpuacct, memory, blkio, pids hierarchies; group "app" in all,
 * "app/web" in cpu, cpuacct and memory, "other" only in memory. */
static int setup_v1(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	static const char *const h[] = {"cpu", "cpuacct", "memory", "blkio", "pids"};

	snprintf(f->root, sizeof(f->root), "/tmp/cgkit-test-stats-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	for (size_t i = 0; i < 5; i++) {
		char rel[64];

		mk(f, h[i]);
		snprintf(rel, sizeof(rel), "%s/app", h[i]);
		mk(f, rel);
		snprintf(rel, sizeof(rel), "%s/app/cgroup.procs", h[i]);
		put(f, rel, "%s", "");
		snprintf(rel, sizeof(rel), "%s/cgroup.procs", h[i]);
		put(f, rel, "1\n2\n");
	}
	mk(f, "cpu/app/web");
	mk(f, "cpuacct/app/web");
	mk(f, "memory/app/web");
	mk(f, "memory/other");
	put(f, "pids/app/cgroup.procs", "100\n101\n102\n");
	f->l.mode = CG_MODE_V1;
	f->l.v1_mount[CTRL_CPU] = abs_of(f, "cpu");
	f->l.v1_mount[CTRL_CPUACCT] = abs_of(f, "cpuacct");
	f->l.v1_mount[CTRL_MEMORY] = abs_of(f, "memory");
	f->l.v1_mount[CTRL_IO] = abs_of(f, "blkio");
	f->l.v1_mount[CTRL_PIDS] = abs_of(f, "pids");
	*state = f;
	return 0;
}

static int setup_v2(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	snprintf(f->root, sizeof(f->root), "/tmp/cgkit-test-stats-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	mk(f, "app");
	mk(f, "app/web");
	put(f, "cgroup.procs", "1\n");
	put(f, "app/cgroup.procs", "%s", "");
	put(f, "app/web/cgroup.procs", "200\n");
	f->l.mode = CG_MODE_V2;
	f->l.unified = strdup(f->root);
	f->l.unified_ctrls = (1u << CTRL_CPU) | (1u << CTRL_MEMORY) | (1u << CTRL_IO) |
			     (1u << CTRL_PIDS);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	rm_rf(f->root);
	free(f->l.unified);
	for (size_t c = 0; c < CTRL_COUNT; c++)
		free(f->l.v1_mount[c]);
	free(f);
	return 0;
}

static const struct stats_group *grp(struct stats_collector *c, const char *path)
{
	long i = stats_find(c, path);

	return i < 0 ? NULL : stats_group_at(c, (size_t)i);
}

static struct stats_collector *open_all(struct fake *f)
{
	struct stats_opts o = {.cols = COL_ALL, .slow_every = 1, .check_every = 1};
	cg_err e = {0};
	struct stats_collector *c = stats_open(&f->l, &o, &e);

	if (!c)
		fail_msg("stats_open: %s", e.msg);
	return c;
}

static void refresh(struct stats_collector *c, uint64_t t)
{
	cg_err e = {0};

	if (stats_refresh_at(c, t, &e) < 0)
		fail_msg("stats_refresh: %s", e.msg);
}

static void app_v1(struct fake *f, uint64_t cpu_ns, uint64_t periods, uint64_t thr, uint64_t rd)
{
	put(f, "cpuacct/app/cpuacct.usage", "%llu\n", (unsigned long long)cpu_ns);
	put(f, "cpuacct/cpuacct.usage", "%llu\n", (unsigned long long)cpu_ns * 2);
	put(f, "cpu/app/cpu.stat", "nr_periods %llu\nnr_throttled %llu\nthrottled_time 5\n",
	    (unsigned long long)periods, (unsigned long long)thr);
	put(f, "blkio/app/blkio.throttle.io_service_bytes_recursive",
	    "8:0 Read %llu\n8:0 Write 0\n8:0 Sync 0\nTotal %llu\n", (unsigned long long)rd,
	    (unsigned long long)rd);
}

static void test_v1_union_tree(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c = open_all(f);
	const struct stats_group *g;

	/* "/", "app", "app/web", "other": the union by relative path */
	assert_int_equal(stats_count(c), 4);
	g = grp(c, "app/web");
	assert_non_null(g);
	assert_string_equal(g->name, "web");
	assert_int_equal(g->depth, 2);
	assert_string_equal(stats_group_at(c, (size_t)g->parent)->path, "app");
	g = grp(c, "/other");
	assert_non_null(g);
	assert_int_equal(g->depth, 1);
	assert_int_equal(g->parent, 0);
	stats_close(c);
}

static void test_v1_rates_and_limits(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;
	const struct stats_group *g;

	app_v1(f, 1 * SEC, 100, 10, 4096);
	put(f, "cpu/app/cpu.cfs_quota_us", "20000\n");
	put(f, "cpu/app/cpu.cfs_period_us", "100000\n");
	put(f, "memory/app/memory.usage_in_bytes", "%d\n", 100 << 20);
	put(f, "memory/app/memory.stat", "cache 1\ninactive_file 1\ntotal_inactive_file %d\ntotal_swap 4096\n",
	    30 << 20);
	put(f, "memory/app/memory.limit_in_bytes", "%d\n", 200 << 20);
	put(f, "memory/app/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
	put(f, "pids/app/pids.current", "3\n");
	put(f, "pids/app/pids.max", "max\n");
	c = open_all(f);

	refresh(c, 10 * SEC);
	g = grp(c, "app");
	/* first sample: no rates yet, but the levels are there */
	assert_true(isnan(g->row.f[COL_CPU]));
	assert_float_equal(g->row.f[COL_MEM], 70.0 * 1048576, 1);
	assert_float_equal(g->row.f[COL_TASKS], 3, 0);   /* from the pids hierarchy */

	app_v1(f, 1 * SEC + SEC / 5, 110, 18, 4096 + 2048);
	refresh(c, 11 * SEC);
	g = grp(c, "app");
	assert_float_equal(g->row.f[COL_CPU], 20.0, 0.01);
	assert_float_equal(g->row.f[COL_THROTTLED], 80.0, 0.01);
	assert_float_equal(g->row.f[COL_CPU_LIMIT], 20.0, 0.01);
	assert_float_equal(g->row.f[COL_MEM_PCT], 35.0, 0.01);
	assert_float_equal(g->row.f[COL_SWAP], 4096, 0);
	assert_float_equal(g->row.f[COL_IO_READ], 2048, 0.01);
	assert_float_equal(g->row.f[COL_PIDS], 3, 0);
	assert_true(isinf(g->row.f[COL_PIDS_LIMIT]));
	assert_float_equal(g->row.f[COL_OOM], 0, 0);
	assert_int_equal(g->oom_flash, 0);
	/* files that are not there show as unknown, not zero */
	g = grp(c, "other");
	assert_true(isnan(g->row.f[COL_CPU]));
	assert_true(isnan(g->row.f[COL_MEM]));
	assert_true(isnan(g->row.f[COL_PIDS]));
	/* no pressure files on v1 */
	assert_true(isnan(grp(c, "app")->row.f[COL_PSI_CPU]));

	/* counters going backwards: unknown for that interval, never negative */
	app_v1(f, SEC / 2, 5, 1, 10);
	refresh(c, 12 * SEC);
	g = grp(c, "app");
	assert_true(isnan(g->row.f[COL_CPU]));
	assert_true(isnan(g->row.f[COL_THROTTLED]));
	assert_true(isnan(g->row.f[COL_IO_READ]));
	/* and fine again on the next */
	app_v1(f, SEC / 2 + SEC / 10, 15, 1, 10);
	refresh(c, 13 * SEC);
	g = grp(c, "app");
	assert_float_equal(g->row.f[COL_CPU], 10.0, 0.01);
	assert_float_equal(g->row.f[COL_THROTTLED], 0.0, 0.01);

	/* a new OOM kill makes the row stand out for a while */
	put(f, "memory/app/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	refresh(c, 14 * SEC);
	g = grp(c, "app");
	assert_float_equal(g->row.f[COL_OOM], 1, 0);
	assert_true(g->oom_flash > 0);
	stats_close(c);
}

static void test_v1_unreadable_and_garbage(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;
	const struct stats_group *g;
	char path[1024];

	app_v1(f, SEC, 1, 0, 0);
	/* a file that cannot be read (a directory in its place) and one that
	 * holds nonsense */
	mk(f, "memory/app/memory.usage_in_bytes");
	put(f, "pids/app/pids.current", "not a number\n");
	c = open_all(f);
	refresh(c, SEC);
	refresh(c, 2 * SEC);
	g = grp(c, "app");
	assert_true(isnan(g->row.f[COL_MEM]));
	assert_true(isnan(g->row.f[COL_PIDS]));
	assert_false(isnan(g->row.f[COL_CPU]));
	snprintf(path, sizeof(path), "%s/memory/app/memory.usage_in_bytes", f->root);
	rmdir(path);
	stats_close(c);
}

static void test_v1_vanished_and_recreated(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;
	const struct stats_group *g;

	put(f, "cpuacct/app/web/cpuacct.usage", "%llu\n", 50 * SEC);
	c = open_all(f);
	refresh(c, SEC);
	refresh(c, 2 * SEC);
	assert_non_null(grp(c, "app/web"));

	/* the group goes away in every hierarchy: dropped, no error */
	rm_rel(f, "cpu/app/web");
	rm_rel(f, "cpuacct/app/web");
	rm_rel(f, "memory/app/web");
	refresh(c, 3 * SEC);
	refresh(c, 4 * SEC);
	assert_null(grp(c, "app/web"));
	assert_int_equal(stats_count(c), 3);

	/* made again under the same name, counters from zero: rates unknown
	 * at first, then right; never negative */
	mk(f, "cpuacct/app/web");
	put(f, "cpuacct/app/web/cpuacct.usage", "%llu\n", SEC / 10);
	refresh(c, 5 * SEC);
	refresh(c, 6 * SEC);
	g = grp(c, "app/web");
	assert_non_null(g);
	assert_true(isnan(g->row.f[COL_CPU]) || g->row.f[COL_CPU] >= 0);
	put(f, "cpuacct/app/web/cpuacct.usage", "%llu\n", SEC / 10 + SEC / 4);
	/* the parent moved too (hierarchical counters) */
	put(f, "cpuacct/app/cpuacct.usage", "%llu\n", 100 * SEC);
	refresh(c, 7 * SEC);
	g = grp(c, "app/web");
	assert_float_equal(g->row.f[COL_CPU], 25.0, 0.01);
	stats_close(c);
}

static void test_v1_out_of_fds_falls_back(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;
	struct rlimit old, low = {.rlim_cur = 160, .rlim_max = 160};
	size_t kept, fallback;
	char rel[128];

	/* more files than the fd limit allows: read with open/read/close */
	for (int i = 0; i < 60; i++) {
		snprintf(rel, sizeof(rel), "cpuacct/app/g%d", i);
		mk(f, rel);
		snprintf(rel, sizeof(rel), "cpuacct/app/g%d/cpuacct.usage", i);
		put(f, rel, "%d\n", i);
		snprintf(rel, sizeof(rel), "memory/app/g%d", i);
		mk(f, rel);
		snprintf(rel, sizeof(rel), "memory/app/g%d/memory.usage_in_bytes", i);
		put(f, rel, "%d\n", 4096 * i);
	}
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* valgrind keeps fds of its own at the top of the range and refuses a
	 * lower hard limit (make valgrind sets VALGRIND) */
	if (getenv("VALGRIND"))
		skip();
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	c = open_all(f);
	refresh(c, SEC);
	refresh(c, 2 * SEC);
	stats_fd_usage(c, &kept, &fallback);
	assert_true(kept <= 160);
	assert_true(fallback > 0);
	assert_float_equal(grp(c, "app/g59")->row.mem_raw, 4096.0 * 59, 0);
	assert_float_equal(grp(c, "app/g59")->row.f[COL_TASKS], 0, 0);
	stats_close(c);
	setrlimit(RLIMIT_NOFILE, &old);
}

/* A run that says it is short (cgtop -b -n 1: two refreshes) shows the
 * same figures, and keeps open only the files its last refresh reads again
 * (usage, not the limits, memory.stat or cgroup.procs), so that its one
 * frame does not make the kernel hold a buffer for every file it read. */
static void test_v1_short_run_same_figures_fewer_fds(void **state)
{
	struct fake *f = *state;
	struct stats_opts lo = {.cols = STATS_COLS_DEFAULT}, so = lo;
	struct stats_collector *c[2];
	size_t kept[2], fallback[2];
	cg_err e = {0};

	so.refreshes = 2;
	app_v1(f, 1 * SEC, 100, 10, 4096);
	put(f, "cpu/app/cpu.cfs_quota_us", "-1\n");
	put(f, "cpu/app/cpu.cfs_period_us", "100000\n");
	put(f, "memory/app/memory.usage_in_bytes", "%d\n", 100 << 20);
	put(f, "memory/app/memory.stat", "total_inactive_file %d\ntotal_swap 0\n", 30 << 20);
	put(f, "memory/app/memory.limit_in_bytes", "%d\n", 200 << 20);
	put(f, "memory/app/memory.oom_control", "oom_kill 1\n");
	put(f, "pids/app/pids.current", "3\n");
	put(f, "pids/app/pids.max", "50\n");
	c[0] = stats_open(&f->l, &lo, &e);
	c[1] = stats_open(&f->l, &so, &e);
	assert_non_null(c[0]);
	assert_non_null(c[1]);
	for (int k = 0; k < 2; k++)
		refresh(c[k], 10 * SEC);
	app_v1(f, 1 * SEC + SEC / 4, 100, 10, 4096);
	for (int k = 0; k < 2; k++) {
		const struct stats_group *g;

		refresh(c[k], 11 * SEC);
		g = grp(c[k], "app");
		assert_float_equal(g->row.f[COL_CPU], 25.0, 0.01);
		assert_float_equal(g->row.f[COL_THROTTLED], 0, 0);   /* no quota */
		assert_true(isinf(g->row.f[COL_CPU_LIMIT]));
		assert_float_equal(g->row.f[COL_MEM], 70.0 * 1048576, 1);
		assert_float_equal(g->row.f[COL_MEM_PCT], 35.0, 0.01);
		assert_float_equal(g->row.f[COL_OOM], 1, 0);
		assert_float_equal(g->row.f[COL_PIDS_LIMIT], 50, 0);
		assert_float_equal(g->row.f[COL_TASKS], 3, 0);
		stats_fd_usage(c[k], &kept[k], &fallback[k]);
	}
	assert_true(kept[1] < kept[0]);
	assert_int_equal(fallback[1], 0);   /* not for want of fds */
	stats_close(c[0]);
	stats_close(c[1]);
}

static void web_v2(struct fake *f, uint64_t usage_us, uint64_t periods, uint64_t thr)
{
	put(f, "app/web/cpu.stat",
	    "usage_usec %llu\nuser_usec 1\nsystem_usec 1\nnr_periods %llu\nnr_throttled %llu\n"
	    "throttled_usec 9\n",
	    (unsigned long long)usage_us, (unsigned long long)periods, (unsigned long long)thr);
	put(f, "app/cpu.stat", "usage_usec %llu\n", (unsigned long long)usage_us * 3);
}

/* cgtop -b: the first refresh is not shown, only the rates start from it.
 * The frame shows what the files hold at the second refresh, every column
 * (the limits, tasks and memory included, which the first one left out),
 * and the rates between the two. */
static void test_v1_first_unseen_shows_the_second_refresh(void **state)
{
	struct fake *f = *state;
	struct stats_opts o = {.cols = STATS_COLS_DEFAULT, .refreshes = 2, .first_unseen = true};
	struct stats_collector *c;
	const struct stats_group *g;
	cg_err e = {0};

	app_v1(f, 1 * SEC, 100, 10, 4096);
	put(f, "cpu/app/cpu.cfs_quota_us", "50000\n");
	put(f, "cpu/app/cpu.cfs_period_us", "100000\n");
	put(f, "memory/app/memory.usage_in_bytes", "%d\n", 100 << 20);
	put(f, "memory/app/memory.stat", "total_inactive_file %d\ntotal_swap 0\n", 30 << 20);
	put(f, "memory/app/memory.limit_in_bytes", "%d\n", 200 << 20);
	put(f, "memory/app/memory.oom_control", "oom_kill 1\n");
	put(f, "pids/app/pids.current", "3\n");
	put(f, "pids/app/pids.max", "50\n");
	put(f, "cpuacct/app/web/cpuacct.usage", "5\n");   /* idle */
	put(f, "cpuacct/app/web/cgroup.procs", "%s", "");
	c = stats_open(&f->l, &o, &e);
	assert_non_null(c);
	refresh(c, 10 * SEC);
	/* what the frame must show changes before the second refresh */
	app_v1(f, 1 * SEC + SEC / 4, 110, 15, 4096 + 1000);
	put(f, "memory/app/memory.usage_in_bytes", "%d\n", 120 << 20);
	put(f, "memory/app/memory.stat", "total_inactive_file %d\ntotal_swap 4096\n", 20 << 20);
	put(f, "memory/app/memory.limit_in_bytes", "%d\n", 400 << 20);
	put(f, "memory/app/memory.oom_control", "oom_kill 2\n");
	put(f, "pids/app/cgroup.procs", "100\n101\n");
	put(f, "pids/app/pids.current", "2\n");
	put(f, "pids/app/pids.max", "60\n");
	refresh(c, 11 * SEC);
	g = grp(c, "app");
	assert_float_equal(g->row.f[COL_CPU], 25.0, 0.01);
	assert_float_equal(g->row.f[COL_THROTTLED], 50.0, 0.01);   /* 5 of 10 periods */
	assert_float_equal(g->row.f[COL_CPU_LIMIT], 50.0, 0.01);
	assert_float_equal(g->row.f[COL_IO_READ], 1000, 0.01);
	assert_float_equal(g->row.f[COL_MEM], 100.0 * 1048576, 1);
	assert_float_equal(g->row.f[COL_MEM_LIMIT], 400.0 * 1048576, 1);
	assert_float_equal(g->row.f[COL_SWAP], 4096, 0);
	assert_float_equal(g->row.f[COL_OOM], 2, 0);
	assert_float_equal(g->row.f[COL_PIDS], 2, 0);
	assert_float_equal(g->row.f[COL_PIDS_LIMIT], 60, 0);
	assert_float_equal(g->row.f[COL_TASKS], 2, 0);
	/* and the groups whose counters did not move have their tasks too */
	g = grp(c, "app/web");
	assert_true(g->row.f[COL_TASKS] == 0);   /* not NAN ("-"), which compares equal */
	stats_close(c);
}

/* A group that uses no memory has no page cache and, on v1 when its parent
 * (read in the same refresh) has no swap, no swap: its memory.stat is not
 * read (here it holds what the kernel never would, to tell). A parent with
 * swap leaves the child's file read. */
static void test_v1_empty_group_memory_stat_not_read(void **state)
{
	struct fake *f = *state;
	struct stats_opts o = {.cols = STATS_COLS_DEFAULT};
	struct stats_collector *c;
	const struct stats_group *g;
	cg_err e = {0};

	put(f, "memory/memory.usage_in_bytes", "%d\n", 100 << 20);
	put(f, "memory/memory.stat", "total_inactive_file %d\ntotal_swap 0\n", 10 << 20);
	put(f, "memory/app/memory.usage_in_bytes", "0\n");
	put(f, "memory/app/memory.stat", "total_inactive_file 0\ntotal_swap 4096\n");
	c = stats_open(&f->l, &o, &e);
	assert_non_null(c);
	refresh(c, 10 * SEC);
	g = grp(c, "app");
	assert_true(g->row.f[COL_MEM] == 0);
	assert_true(g->row.f[COL_SWAP] == 0);
	assert_true(grp(c, "/")->row.f[COL_SWAP] == 0);
	stats_close(c);

	put(f, "memory/memory.stat", "total_inactive_file %d\ntotal_swap 8192\n", 10 << 20);
	c = stats_open(&f->l, &o, &e);
	assert_non_null(c);
	refresh(c, 10 * SEC);
	assert_true(grp(c, "app")->row.f[COL_SWAP] == 4096);
	stats_close(c);
}

/* Many groups to count tasks in and few threads: one pass over /proc finds
 * the groups holding a thread, and only their cgroup.procs is read. The fake
 * /proc has one thread, in "app" (pids) and "app" (memory); "other" (memory
 * only) has a cgroup.procs that no thread backs, to tell it was not read. */
static void test_v1_tasks_of_empty_groups_from_proc(void **state)
{
	struct fake *f = *state;
	struct stats_opts o = {.cols = STATS_COLS_DEFAULT};
	const char *saved = cg_proc_root;
	struct stats_collector *c;
	char self[32], *proc, *link;
	cg_err e = {0};

	if (geteuid() != 0)
		skip();   /* the pass is for root, whom /proc hides nothing from */
	mk(f, "proc");
	mk(f, "proc/4242");
	mk(f, "proc/4242/task");
	mk(f, "proc/4242/task/4242");
	put(f, "proc/loadavg", "0.00 0.00 0.00 1/1 4242\n");
	put(f, "proc/4242/task/4242/cgroup", "9:pids:/app\n4:memory:/app\n2:cpuacct:/\n0::/\n");
	put(f, "memory/other/cgroup.procs", "7\n");
	snprintf(self, sizeof(self), "%d", (int)getpid());
	link = abs_of(f, "proc/self");
	assert_int_equal(symlink(self, link), 0);
	proc = abs_of(f, "proc");
	cg_proc_root = proc;
	c = stats_open(&f->l, &o, &e);
	assert_non_null(c);
	refresh(c, 10 * SEC);
	assert_true(grp(c, "app")->row.f[COL_TASKS] == 3);    /* read: a thread is there */
	assert_true(grp(c, "other")->row.f[COL_TASKS] == 0);  /* not read */
	stats_close(c);

	/* another pid namespace's /proc: every file is read */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("1", link), 0);
	c = stats_open(&f->l, &o, &e);
	assert_non_null(c);
	refresh(c, 10 * SEC);
	assert_true(grp(c, "other")->row.f[COL_TASKS] == 1);
	stats_close(c);
	cg_proc_root = saved;
	free(proc);
	free(link);
}

static void test_v2_everything(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;
	const struct stats_group *g;

	web_v2(f, 1000000, 50, 0);
	put(f, "app/web/cpu.max", "50000 100000\n");
	put(f, "app/web/memory.current", "%d\n", 64 << 20);
	put(f, "app/web/memory.stat", "anon 1\nfile 2\ninactive_file %d\nactive_file 3\n", 16 << 20);
	put(f, "app/web/memory.max", "max\n");
	put(f, "app/web/memory.swap.current", "0\n");
	put(f, "app/web/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
	put(f, "app/web/io.stat", "8:0 rbytes=100 wbytes=1000 rios=1 wios=1 dbytes=0 dios=0\n");
	put(f, "app/web/pids.current", "7\n");
	put(f, "app/web/pids.max", "64\n");
	put(f, "app/web/cpu.pressure", "some avg10=3.50 avg60=1.00 avg300=0.00 total=1\n"
				       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	c = open_all(f);
	assert_int_equal(stats_count(c), 3);
	refresh(c, SEC);
	web_v2(f, 1000000 + 500000, 60, 5);
	put(f, "app/web/io.stat", "8:0 rbytes=100 wbytes=3000 rios=1 wios=2 dbytes=0 dios=0\n");
	put(f, "app/web/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
	refresh(c, 3 * SEC);
	g = grp(c, "app/web");
	assert_non_null(g);
	assert_float_equal(g->row.f[COL_CPU], 25.0, 0.01);
	assert_float_equal(g->row.f[COL_THROTTLED], 50.0, 0.01);
	assert_float_equal(g->row.f[COL_CPU_LIMIT], 50.0, 0.01);
	assert_float_equal(g->row.f[COL_MEM], 48.0 * 1048576, 1);
	assert_true(isinf(g->row.f[COL_MEM_LIMIT]));
	assert_true(isnan(g->row.f[COL_MEM_PCT]));
	assert_float_equal(g->row.f[COL_SWAP], 0, 0);
	assert_float_equal(g->row.f[COL_IO_WRITE], 1000, 0.01);
	assert_float_equal(g->row.f[COL_IO_READ], 0, 0.01);
	assert_float_equal(g->row.f[COL_PIDS], 7, 0);
	assert_float_equal(g->row.f[COL_PIDS_LIMIT], 64, 0);
	assert_float_equal(g->row.f[COL_TASKS], 1, 0);
	assert_float_equal(g->row.f[COL_OOM], 1, 0);
	assert_true(g->oom_flash > 0);
	assert_float_equal(g->row.f[COL_PSI_CPU], 3.5, 0.001);
	/* where the kernel gives no pressure file: unknown */
	assert_true(isnan(g->row.f[COL_PSI_IO]));
	/* the root has no cpu.max nor memory.current on v2 */
	g = grp(c, "");
	assert_true(isnan(g->row.f[COL_CPU_LIMIT]));
	assert_true(isnan(g->row.f[COL_MEM]));

	/* a group appears: found without restarting */
	mk(f, "app/new");
	put(f, "app/new/cgroup.procs", "%s", "");
	refresh(c, 4 * SEC);
	refresh(c, 5 * SEC);
	assert_non_null(grp(c, "app/new"));
	stats_close(c);
}

static void test_v2_oom_flash_old_and_late_groups(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;

	/* kills from before cgtop started are counted, not highlighted */
	put(f, "app/web/memory.events", "oom 3\noom_kill 3\n");
	c = open_all(f);
	refresh(c, SEC);
	refresh(c, 2 * SEC);
	assert_float_equal(grp(c, "app/web")->row.f[COL_OOM], 3, 0);
	assert_int_equal(grp(c, "app/web")->oom_flash, 0);
	/* a group made while cgtop runs, killed before it was first read:
	 * the kill is new to the user */
	mk(f, "app/late");
	put(f, "app/late/memory.events", "oom 1\noom_kill 1\n");
	refresh(c, 3 * SEC);
	refresh(c, 4 * SEC);
	assert_non_null(grp(c, "app/late"));
	assert_true(grp(c, "app/late")->oom_flash > 0);
	/* the highlight wears off */
	for (uint64_t t = 5; t < 30; t++)
		refresh(c, t * SEC);
	assert_int_equal(grp(c, "app/late")->oom_flash, 0);
	stats_close(c);
}

static void test_v2_subtree_and_missing_start(void **state)
{
	struct fake *f = *state;
	struct stats_opts o = {.cols = STATS_COLS_DEFAULT, .start = "/app"};
	cg_err e = {0};
	struct stats_collector *c = stats_open(&f->l, &o, &e);

	assert_non_null(c);
	assert_int_equal(stats_count(c), 2);
	assert_string_equal(stats_group_at(c, 0)->path, "app");
	assert_int_equal(stats_group_at(c, 0)->depth, 0);
	assert_int_equal(stats_group_at(c, 1)->depth, 1);
	stats_close(c);
	o.start = "nope";
	assert_null(stats_open(&f->l, &o, &e));
	assert_non_null(strstr(e.msg, "nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v1_union_tree, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_rates_and_limits, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_unreadable_and_garbage, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_vanished_and_recreated, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_out_of_fds_falls_back, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_short_run_same_figures_fewer_fds, setup_v1,
						teardown),
		cmocka_unit_test_setup_teardown(test_v1_first_unseen_shows_the_second_refresh,
						setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_empty_group_memory_stat_not_read, setup_v1,
						teardown),
		cmocka_unit_test_setup_teardown(test_v1_tasks_of_empty_groups_from_proc, setup_v1,
						teardown),
		cmocka_unit_test_setup_teardown(test_v2_everything, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_oom_flash_old_and_late_groups, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_subtree_and_missing_start, setup_v2, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
