/* The Prometheus/OpenMetrics renderer (stats_prom.h) over the collector in
 * its metrics mode, on a fake cgroup tree in a temporary directory, for a
 * v1 layout (one hierarchy per controller) and a v2 layout: the exact text
 * of a small tree in both formats, the escaping of odd group names, +Inf
 * for no limit, selection by prefix and depth, the cap on series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fakecg.h"
#include "layout.h"
#include "stats.h"
#include "stats_prom.h"

struct fake {
	char root[256];
	struct cg_layout l;
};

static char *at(const struct fake *f, const char *rel)
{
	char *s;

	assert_true(asprintf(&s, "%s/%s", f->root, rel) > 0);
	return s;
}

/* A group directory (rel below the root) and its files: "name", "value", ... NULL. */
static void group(const struct fake *f, const char *rel, ...)
{
	char *dir = at(f, rel);
	va_list ap;
	const char *name;

	mkdir(dir, 0755);
	va_start(ap, rel);
	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);

		fake_put(dir, name, value);
	}
	va_end(ap);
	free(dir);
}

#define PSI(some, full)                                                                          \
	"some avg10=0.00 avg60=0.00 avg300=0.00 total=" some "\n"                                \
	"full avg10=0.00 avg60=0.00 avg300=0.00 total=" full "\n"

/* v2: "/" (no controller files), "app" with every file, "app/web" with a
 * few, "other". */
static int setup_v2(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	snprintf(f->root, sizeof(f->root), "/tmp/cgkit-test-prom-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	group(f, ".", "cgroup.procs", "1\n", NULL);
	group(f, "app", "cgroup.procs", "",
	      "cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n"
			  "nr_periods 10\nnr_throttled 4\nthrottled_usec 250000\n",
	      "cpu.max", "20000 100000\n", "memory.current", "1048576\n",
	      "memory.stat", "anon 4096\nfile 8192\ninactive_file 262144\n",
	      "memory.max", "max\n", "memory.high", "524288\n", "memory.swap.current", "4096\n",
	      "memory.events", "low 0\nhigh 3\nmax 2\noom 1\noom_kill 1\n",
	      "io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
			 "253:1 rbytes=1 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
	      "pids.current", "3\n", "pids.max", "max\n",
	      "cpu.pressure", PSI("1500", "0"), "memory.pressure", PSI("250", "125"),
	      "io.pressure", PSI("2", "1"), NULL);
	group(f, "app/web", "cgroup.procs", "200\n", "cpu.max", "max 100000\n",
	      "memory.current", "1000\n", "memory.stat", "inactive_file 5000\n",
	      "pids.max", "64\n", NULL);
	group(f, "other", "cgroup.procs", "", "pids.current", "0\n", NULL);
	f->l.mode = CG_MODE_V2;
	f->l.unified = strdup(f->root);
	f->l.unified_ctrls = (1u << CTRL_CPU) | (1u << CTRL_MEMORY) | (1u << CTRL_IO) |
			     (1u << CTRL_PIDS);
	*state = f;
	return 0;
}

/* v1: cpu, cpuacct, memory, blkio, pids; "app" in all of them. */
static int setup_v1(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	static const char *const h[] = {"cpu", "cpuacct", "memory", "blkio", "pids"};
	static const enum cg_ctrl ctrl[] = {CTRL_CPU, CTRL_CPUACCT, CTRL_MEMORY, CTRL_IO, CTRL_PIDS};

	snprintf(f->root, sizeof(f->root), "/tmp/cgkit-test-prom-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	for (size_t i = 0; i < 5; i++) {
		char rel[64];

		group(f, h[i], "cgroup.procs", "1\n", NULL);
		snprintf(rel, sizeof(rel), "%s/app", h[i]);
		group(f, rel, "cgroup.procs", "", NULL);
		f->l.v1_mount[ctrl[i]] = at(f, h[i]);
	}
	group(f, "cpu/app", "cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 250000000\n",
	      "cpu.cfs_quota_us", "50000\n", "cpu.cfs_period_us", "100000\n", NULL);
	group(f, "cpuacct/app", "cpuacct.usage", "2000000000\n", "cpuacct.stat", "user 150\nsystem 50\n",
	      NULL);
	group(f, "memory/app", "memory.usage_in_bytes", "1048576\n",
	      "memory.stat", "cache 0\ntotal_inactive_file 2000000\ntotal_swap 8192\n",
	      "memory.limit_in_bytes", "9223372036854771712\n",
	      "memory.soft_limit_in_bytes", "524288\n",
	      "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
	      "memory.failcnt", "5\n", NULL);
	group(f, "blkio/app", "blkio.throttle.io_service_bytes_recursive",
	      "8:0 Read 100\n8:0 Write 200\n8:0 Sync 300\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 300\n"
	      "8:16 Read 1\n8:16 Write 2\n8:16 Total 3\nTotal 303\n", NULL);
	group(f, "pids/app", "pids.current", "7\n", "pids.max", "100\n", NULL);
	f->l.mode = CG_MODE_V1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f->l.unified);
	for (size_t c = 0; c < CTRL_COUNT; c++)
		free(f->l.v1_mount[c]);
	free(f);
	return 0;
}

static struct stats_collector *open_metrics(struct fake *f)
{
	struct stats_opts o = {.metrics = true};
	cg_err e = {0};
	struct stats_collector *c = stats_open(&f->l, &o, &e);

	if (!c)
		fail_msg("stats_open: %s", e.msg);
	if (stats_refresh(c, &e) < 0)
		fail_msg("stats_refresh: %s", e.msg);
	return c;
}

/* The renderer's text for these options (free it). */
static char *render(struct stats_collector *c, const struct stats_prom_opts *o, size_t *written,
		    size_t *left_out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	*written = stats_prom_groups(out, c, o, left_out);
	stats_prom_end(out, o);
	fclose(out);
	return buf;
}

/* Only the sample lines (no # lines) of text. */
static char *samples(const char *text)
{
	char *out = calloc(1, strlen(text) + 1), *w = out;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (*p != '#') {
			memcpy(w, p, n);
			w += n;
		}
		p += n;
	}
	return out;
}

/* The exact text for "/app" alone (depth 0): checked by hand against the
 * files written in setup_v2 / setup_v1. */
static const char prom_v2[] =
	"# HELP cgkit_cpu_usage_seconds_total CPU time used by the group and its subtree.\n"
	"# TYPE cgkit_cpu_usage_seconds_total counter\n"
	"cgkit_cpu_usage_seconds_total{cgroup=\"/app\"} 1.5\n"
	"# HELP cgkit_cpu_user_seconds_total CPU time used in user mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_user_seconds_total counter\n"
	"cgkit_cpu_user_seconds_total{cgroup=\"/app\"} 1\n"
	"# HELP cgkit_cpu_system_seconds_total CPU time used in kernel mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_system_seconds_total counter\n"
	"cgkit_cpu_system_seconds_total{cgroup=\"/app\"} 0.5\n"
	"# HELP cgkit_cpu_cfs_periods_total CFS bandwidth periods that have elapsed with runnable tasks.\n"
	"# TYPE cgkit_cpu_cfs_periods_total counter\n"
	"cgkit_cpu_cfs_periods_total{cgroup=\"/app\"} 10\n"
	"# HELP cgkit_cpu_cfs_throttled_periods_total CFS bandwidth periods in which the group was throttled.\n"
	"# TYPE cgkit_cpu_cfs_throttled_periods_total counter\n"
	"cgkit_cpu_cfs_throttled_periods_total{cgroup=\"/app\"} 4\n"
	"# HELP cgkit_cpu_cfs_throttled_seconds_total Time the group's tasks were throttled by its CPU quota.\n"
	"# TYPE cgkit_cpu_cfs_throttled_seconds_total counter\n"
	"cgkit_cpu_cfs_throttled_seconds_total{cgroup=\"/app\"} 0.25\n"
	"# HELP cgkit_memory_usage_bytes Memory used by the group and its subtree, page cache included.\n"
	"# TYPE cgkit_memory_usage_bytes gauge\n"
	"cgkit_memory_usage_bytes{cgroup=\"/app\"} 1048576\n"
	"# HELP cgkit_memory_working_set_bytes Memory usage less the inactive file cache (at least 0).\n"
	"# TYPE cgkit_memory_working_set_bytes gauge\n"
	"cgkit_memory_working_set_bytes{cgroup=\"/app\"} 786432\n"
	"# HELP cgkit_memory_swap_bytes Swap used by the group and its subtree.\n"
	"# TYPE cgkit_memory_swap_bytes gauge\n"
	"cgkit_memory_swap_bytes{cgroup=\"/app\"} 4096\n"
	"# HELP cgkit_memory_events_total Memory events (v2 memory.events; v1: oom_kill, and max = memory.failcnt).\n"
	"# TYPE cgkit_memory_events_total counter\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"low\"} 0\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"high\"} 3\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"max\"} 2\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"oom\"} 1\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"oom_kill\"} 1\n"
	"# HELP cgkit_io_read_bytes_total Bytes read from a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_read_bytes_total counter\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"8:0\"} 4096\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"253:1\"} 1\n"
	"# HELP cgkit_io_written_bytes_total Bytes written to a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_written_bytes_total counter\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"8:0\"} 8192\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"253:1\"} 0\n"
	"# HELP cgkit_pids_current Tasks (threads) in the group and its subtree.\n"
	"# TYPE cgkit_pids_current gauge\n"
	"cgkit_pids_current{cgroup=\"/app\"} 3\n"
	"# HELP cgkit_pressure_cpu_waiting_seconds_total Time some tasks of the group waited for a CPU (PSI some).\n"
	"# TYPE cgkit_pressure_cpu_waiting_seconds_total counter\n"
	"cgkit_pressure_cpu_waiting_seconds_total{cgroup=\"/app\"} 0.0015\n"
	"# HELP cgkit_pressure_cpu_stalled_seconds_total Time all non-idle tasks of the group waited for a CPU (PSI full).\n"
	"# TYPE cgkit_pressure_cpu_stalled_seconds_total counter\n"
	"cgkit_pressure_cpu_stalled_seconds_total{cgroup=\"/app\"} 0\n"
	"# HELP cgkit_pressure_memory_waiting_seconds_total Time some tasks of the group waited for memory (PSI some).\n"
	"# TYPE cgkit_pressure_memory_waiting_seconds_total counter\n"
	"cgkit_pressure_memory_waiting_seconds_total{cgroup=\"/app\"} 0.00025\n"
	"# HELP cgkit_pressure_memory_stalled_seconds_total Time all non-idle tasks of the group waited for memory (PSI full).\n"
	"# TYPE cgkit_pressure_memory_stalled_seconds_total counter\n"
	"cgkit_pressure_memory_stalled_seconds_total{cgroup=\"/app\"} 0.000125\n"
	"# HELP cgkit_pressure_io_waiting_seconds_total Time some tasks of the group waited for I/O (PSI some).\n"
	"# TYPE cgkit_pressure_io_waiting_seconds_total counter\n"
	"cgkit_pressure_io_waiting_seconds_total{cgroup=\"/app\"} 2e-06\n"
	"# HELP cgkit_pressure_io_stalled_seconds_total Time all non-idle tasks of the group waited for I/O (PSI full).\n"
	"# TYPE cgkit_pressure_io_stalled_seconds_total counter\n"
	"cgkit_pressure_io_stalled_seconds_total{cgroup=\"/app\"} 1e-06\n"
	"# HELP cgkit_spec_cpu_quota_cpus CPU quota as CPUs (quota / period); +Inf for none.\n"
	"# TYPE cgkit_spec_cpu_quota_cpus gauge\n"
	"cgkit_spec_cpu_quota_cpus{cgroup=\"/app\"} 0.2\n"
	"# HELP cgkit_spec_memory_max_bytes Memory limit (v2 memory.max, v1 memory.limit_in_bytes); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_max_bytes gauge\n"
	"cgkit_spec_memory_max_bytes{cgroup=\"/app\"} +Inf\n"
	"# HELP cgkit_spec_memory_high_bytes Memory throttling threshold (v2 memory.high, v1 soft limit); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_high_bytes gauge\n"
	"cgkit_spec_memory_high_bytes{cgroup=\"/app\"} 524288\n"
	"# HELP cgkit_spec_pids_max Limit on the group's tasks (pids.max); +Inf for none.\n"
	"# TYPE cgkit_spec_pids_max gauge\n"
	"cgkit_spec_pids_max{cgroup=\"/app\"} +Inf\n";

static const char om_v2[] =
	"# HELP cgkit_cpu_usage_seconds CPU time used by the group and its subtree.\n"
	"# TYPE cgkit_cpu_usage_seconds counter\n"
	"cgkit_cpu_usage_seconds_total{cgroup=\"/app\"} 1.5\n"
	"# HELP cgkit_cpu_user_seconds CPU time used in user mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_user_seconds counter\n"
	"cgkit_cpu_user_seconds_total{cgroup=\"/app\"} 1\n"
	"# HELP cgkit_cpu_system_seconds CPU time used in kernel mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_system_seconds counter\n"
	"cgkit_cpu_system_seconds_total{cgroup=\"/app\"} 0.5\n"
	"# HELP cgkit_cpu_cfs_periods CFS bandwidth periods that have elapsed with runnable tasks.\n"
	"# TYPE cgkit_cpu_cfs_periods counter\n"
	"cgkit_cpu_cfs_periods_total{cgroup=\"/app\"} 10\n"
	"# HELP cgkit_cpu_cfs_throttled_periods CFS bandwidth periods in which the group was throttled.\n"
	"# TYPE cgkit_cpu_cfs_throttled_periods counter\n"
	"cgkit_cpu_cfs_throttled_periods_total{cgroup=\"/app\"} 4\n"
	"# HELP cgkit_cpu_cfs_throttled_seconds Time the group's tasks were throttled by its CPU quota.\n"
	"# TYPE cgkit_cpu_cfs_throttled_seconds counter\n"
	"cgkit_cpu_cfs_throttled_seconds_total{cgroup=\"/app\"} 0.25\n"
	"# HELP cgkit_memory_usage_bytes Memory used by the group and its subtree, page cache included.\n"
	"# TYPE cgkit_memory_usage_bytes gauge\n"
	"cgkit_memory_usage_bytes{cgroup=\"/app\"} 1048576\n"
	"# HELP cgkit_memory_working_set_bytes Memory usage less the inactive file cache (at least 0).\n"
	"# TYPE cgkit_memory_working_set_bytes gauge\n"
	"cgkit_memory_working_set_bytes{cgroup=\"/app\"} 786432\n"
	"# HELP cgkit_memory_swap_bytes Swap used by the group and its subtree.\n"
	"# TYPE cgkit_memory_swap_bytes gauge\n"
	"cgkit_memory_swap_bytes{cgroup=\"/app\"} 4096\n"
	"# HELP cgkit_memory_events Memory events (v2 memory.events; v1: oom_kill, and max = memory.failcnt).\n"
	"# TYPE cgkit_memory_events counter\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"low\"} 0\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"high\"} 3\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"max\"} 2\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"oom\"} 1\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"oom_kill\"} 1\n"
	"# HELP cgkit_io_read_bytes Bytes read from a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_read_bytes counter\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"8:0\"} 4096\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"253:1\"} 1\n"
	"# HELP cgkit_io_written_bytes Bytes written to a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_written_bytes counter\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"8:0\"} 8192\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"253:1\"} 0\n"
	"# HELP cgkit_pids_current Tasks (threads) in the group and its subtree.\n"
	"# TYPE cgkit_pids_current gauge\n"
	"cgkit_pids_current{cgroup=\"/app\"} 3\n"
	"# HELP cgkit_pressure_cpu_waiting_seconds Time some tasks of the group waited for a CPU (PSI some).\n"
	"# TYPE cgkit_pressure_cpu_waiting_seconds counter\n"
	"cgkit_pressure_cpu_waiting_seconds_total{cgroup=\"/app\"} 0.0015\n"
	"# HELP cgkit_pressure_cpu_stalled_seconds Time all non-idle tasks of the group waited for a CPU (PSI full).\n"
	"# TYPE cgkit_pressure_cpu_stalled_seconds counter\n"
	"cgkit_pressure_cpu_stalled_seconds_total{cgroup=\"/app\"} 0\n"
	"# HELP cgkit_pressure_memory_waiting_seconds Time some tasks of the group waited for memory (PSI some).\n"
	"# TYPE cgkit_pressure_memory_waiting_seconds counter\n"
	"cgkit_pressure_memory_waiting_seconds_total{cgroup=\"/app\"} 0.00025\n"
	"# HELP cgkit_pressure_memory_stalled_seconds Time all non-idle tasks of the group waited for memory (PSI full).\n"
	"# TYPE cgkit_pressure_memory_stalled_seconds counter\n"
	"cgkit_pressure_memory_stalled_seconds_total{cgroup=\"/app\"} 0.000125\n"
	"# HELP cgkit_pressure_io_waiting_seconds Time some tasks of the group waited for I/O (PSI some).\n"
	"# TYPE cgkit_pressure_io_waiting_seconds counter\n"
	"cgkit_pressure_io_waiting_seconds_total{cgroup=\"/app\"} 2e-06\n"
	"# HELP cgkit_pressure_io_stalled_seconds Time all non-idle tasks of the group waited for I/O (PSI full).\n"
	"# TYPE cgkit_pressure_io_stalled_seconds counter\n"
	"cgkit_pressure_io_stalled_seconds_total{cgroup=\"/app\"} 1e-06\n"
	"# HELP cgkit_spec_cpu_quota_cpus CPU quota as CPUs (quota / period); +Inf for none.\n"
	"# TYPE cgkit_spec_cpu_quota_cpus gauge\n"
	"cgkit_spec_cpu_quota_cpus{cgroup=\"/app\"} 0.2\n"
	"# HELP cgkit_spec_memory_max_bytes Memory limit (v2 memory.max, v1 memory.limit_in_bytes); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_max_bytes gauge\n"
	"cgkit_spec_memory_max_bytes{cgroup=\"/app\"} +Inf\n"
	"# HELP cgkit_spec_memory_high_bytes Memory throttling threshold (v2 memory.high, v1 soft limit); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_high_bytes gauge\n"
	"cgkit_spec_memory_high_bytes{cgroup=\"/app\"} 524288\n"
	"# HELP cgkit_spec_pids_max Limit on the group's tasks (pids.max); +Inf for none.\n"
	"# TYPE cgkit_spec_pids_max gauge\n"
	"cgkit_spec_pids_max{cgroup=\"/app\"} +Inf\n"
	"# EOF\n";

static const char prom_v1[] =
	"# HELP cgkit_cpu_usage_seconds_total CPU time used by the group and its subtree.\n"
	"# TYPE cgkit_cpu_usage_seconds_total counter\n"
	"cgkit_cpu_usage_seconds_total{cgroup=\"/app\"} 2\n"
	"# HELP cgkit_cpu_user_seconds_total CPU time used in user mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_user_seconds_total counter\n"
	"cgkit_cpu_user_seconds_total{cgroup=\"/app\"} 1.5\n"
	"# HELP cgkit_cpu_system_seconds_total CPU time used in kernel mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_system_seconds_total counter\n"
	"cgkit_cpu_system_seconds_total{cgroup=\"/app\"} 0.5\n"
	"# HELP cgkit_cpu_cfs_periods_total CFS bandwidth periods that have elapsed with runnable tasks.\n"
	"# TYPE cgkit_cpu_cfs_periods_total counter\n"
	"cgkit_cpu_cfs_periods_total{cgroup=\"/app\"} 10\n"
	"# HELP cgkit_cpu_cfs_throttled_periods_total CFS bandwidth periods in which the group was throttled.\n"
	"# TYPE cgkit_cpu_cfs_throttled_periods_total counter\n"
	"cgkit_cpu_cfs_throttled_periods_total{cgroup=\"/app\"} 4\n"
	"# HELP cgkit_cpu_cfs_throttled_seconds_total Time the group's tasks were throttled by its CPU quota.\n"
	"# TYPE cgkit_cpu_cfs_throttled_seconds_total counter\n"
	"cgkit_cpu_cfs_throttled_seconds_total{cgroup=\"/app\"} 0.25\n"
	"# HELP cgkit_memory_usage_bytes Memory used by the group and its subtree, page cache included.\n"
	"# TYPE cgkit_memory_usage_bytes gauge\n"
	"cgkit_memory_usage_bytes{cgroup=\"/app\"} 1048576\n"
	"# HELP cgkit_memory_working_set_bytes Memory usage less the inactive file cache (at least 0).\n"
	"# TYPE cgkit_memory_working_set_bytes gauge\n"
	"cgkit_memory_working_set_bytes{cgroup=\"/app\"} 0\n"
	"# HELP cgkit_memory_swap_bytes Swap used by the group and its subtree.\n"
	"# TYPE cgkit_memory_swap_bytes gauge\n"
	"cgkit_memory_swap_bytes{cgroup=\"/app\"} 8192\n"
	"# HELP cgkit_memory_events_total Memory events (v2 memory.events; v1: oom_kill, and max = memory.failcnt).\n"
	"# TYPE cgkit_memory_events_total counter\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"max\"} 5\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"oom_kill\"} 2\n"
	"# HELP cgkit_io_read_bytes_total Bytes read from a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_read_bytes_total counter\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"8:0\"} 100\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"8:16\"} 1\n"
	"# HELP cgkit_io_written_bytes_total Bytes written to a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_written_bytes_total counter\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"8:0\"} 200\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"8:16\"} 2\n"
	"# HELP cgkit_pids_current Tasks (threads) in the group and its subtree.\n"
	"# TYPE cgkit_pids_current gauge\n"
	"cgkit_pids_current{cgroup=\"/app\"} 7\n"
	"# HELP cgkit_pressure_cpu_waiting_seconds_total Time some tasks of the group waited for a CPU (PSI some).\n"
	"# TYPE cgkit_pressure_cpu_waiting_seconds_total counter\n"
	"# HELP cgkit_pressure_cpu_stalled_seconds_total Time all non-idle tasks of the group waited for a CPU (PSI full).\n"
	"# TYPE cgkit_pressure_cpu_stalled_seconds_total counter\n"
	"# HELP cgkit_pressure_memory_waiting_seconds_total Time some tasks of the group waited for memory (PSI some).\n"
	"# TYPE cgkit_pressure_memory_waiting_seconds_total counter\n"
	"# HELP cgkit_pressure_memory_stalled_seconds_total Time all non-idle tasks of the group waited for memory (PSI full).\n"
	"# TYPE cgkit_pressure_memory_stalled_seconds_total counter\n"
	"# HELP cgkit_pressure_io_waiting_seconds_total Time some tasks of the group waited for I/O (PSI some).\n"
	"# TYPE cgkit_pressure_io_waiting_seconds_total counter\n"
	"# HELP cgkit_pressure_io_stalled_seconds_total Time all non-idle tasks of the group waited for I/O (PSI full).\n"
	"# TYPE cgkit_pressure_io_stalled_seconds_total counter\n"
	"# HELP cgkit_spec_cpu_quota_cpus CPU quota as CPUs (quota / period); +Inf for none.\n"
	"# TYPE cgkit_spec_cpu_quota_cpus gauge\n"
	"cgkit_spec_cpu_quota_cpus{cgroup=\"/app\"} 0.5\n"
	"# HELP cgkit_spec_memory_max_bytes Memory limit (v2 memory.max, v1 memory.limit_in_bytes); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_max_bytes gauge\n"
	"cgkit_spec_memory_max_bytes{cgroup=\"/app\"} +Inf\n"
	"# HELP cgkit_spec_memory_high_bytes Memory throttling threshold (v2 memory.high, v1 soft limit); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_high_bytes gauge\n"
	"cgkit_spec_memory_high_bytes{cgroup=\"/app\"} 524288\n"
	"# HELP cgkit_spec_pids_max Limit on the group's tasks (pids.max); +Inf for none.\n"
	"# TYPE cgkit_spec_pids_max gauge\n"
	"cgkit_spec_pids_max{cgroup=\"/app\"} 100\n";

static const char om_v1[] =
	"# HELP cgkit_cpu_usage_seconds CPU time used by the group and its subtree.\n"
	"# TYPE cgkit_cpu_usage_seconds counter\n"
	"cgkit_cpu_usage_seconds_total{cgroup=\"/app\"} 2\n"
	"# HELP cgkit_cpu_user_seconds CPU time used in user mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_user_seconds counter\n"
	"cgkit_cpu_user_seconds_total{cgroup=\"/app\"} 1.5\n"
	"# HELP cgkit_cpu_system_seconds CPU time used in kernel mode by the group and its subtree.\n"
	"# TYPE cgkit_cpu_system_seconds counter\n"
	"cgkit_cpu_system_seconds_total{cgroup=\"/app\"} 0.5\n"
	"# HELP cgkit_cpu_cfs_periods CFS bandwidth periods that have elapsed with runnable tasks.\n"
	"# TYPE cgkit_cpu_cfs_periods counter\n"
	"cgkit_cpu_cfs_periods_total{cgroup=\"/app\"} 10\n"
	"# HELP cgkit_cpu_cfs_throttled_periods CFS bandwidth periods in which the group was throttled.\n"
	"# TYPE cgkit_cpu_cfs_throttled_periods counter\n"
	"cgkit_cpu_cfs_throttled_periods_total{cgroup=\"/app\"} 4\n"
	"# HELP cgkit_cpu_cfs_throttled_seconds Time the group's tasks were throttled by its CPU quota.\n"
	"# TYPE cgkit_cpu_cfs_throttled_seconds counter\n"
	"cgkit_cpu_cfs_throttled_seconds_total{cgroup=\"/app\"} 0.25\n"
	"# HELP cgkit_memory_usage_bytes Memory used by the group and its subtree, page cache included.\n"
	"# TYPE cgkit_memory_usage_bytes gauge\n"
	"cgkit_memory_usage_bytes{cgroup=\"/app\"} 1048576\n"
	"# HELP cgkit_memory_working_set_bytes Memory usage less the inactive file cache (at least 0).\n"
	"# TYPE cgkit_memory_working_set_bytes gauge\n"
	"cgkit_memory_working_set_bytes{cgroup=\"/app\"} 0\n"
	"# HELP cgkit_memory_swap_bytes Swap used by the group and its subtree.\n"
	"# TYPE cgkit_memory_swap_bytes gauge\n"
	"cgkit_memory_swap_bytes{cgroup=\"/app\"} 8192\n"
	"# HELP cgkit_memory_events Memory events (v2 memory.events; v1: oom_kill, and max = memory.failcnt).\n"
	"# TYPE cgkit_memory_events counter\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"max\"} 5\n"
	"cgkit_memory_events_total{cgroup=\"/app\",event=\"oom_kill\"} 2\n"
	"# HELP cgkit_io_read_bytes Bytes read from a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_read_bytes counter\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"8:0\"} 100\n"
	"cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"8:16\"} 1\n"
	"# HELP cgkit_io_written_bytes Bytes written to a block device by the group and its subtree.\n"
	"# TYPE cgkit_io_written_bytes counter\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"8:0\"} 200\n"
	"cgkit_io_written_bytes_total{cgroup=\"/app\",device=\"8:16\"} 2\n"
	"# HELP cgkit_pids_current Tasks (threads) in the group and its subtree.\n"
	"# TYPE cgkit_pids_current gauge\n"
	"cgkit_pids_current{cgroup=\"/app\"} 7\n"
	"# HELP cgkit_pressure_cpu_waiting_seconds Time some tasks of the group waited for a CPU (PSI some).\n"
	"# TYPE cgkit_pressure_cpu_waiting_seconds counter\n"
	"# HELP cgkit_pressure_cpu_stalled_seconds Time all non-idle tasks of the group waited for a CPU (PSI full).\n"
	"# TYPE cgkit_pressure_cpu_stalled_seconds counter\n"
	"# HELP cgkit_pressure_memory_waiting_seconds Time some tasks of the group waited for memory (PSI some).\n"
	"# TYPE cgkit_pressure_memory_waiting_seconds counter\n"
	"# HELP cgkit_pressure_memory_stalled_seconds Time all non-idle tasks of the group waited for memory (PSI full).\n"
	"# TYPE cgkit_pressure_memory_stalled_seconds counter\n"
	"# HELP cgkit_pressure_io_waiting_seconds Time some tasks of the group waited for I/O (PSI some).\n"
	"# TYPE cgkit_pressure_io_waiting_seconds counter\n"
	"# HELP cgkit_pressure_io_stalled_seconds Time all non-idle tasks of the group waited for I/O (PSI full).\n"
	"# TYPE cgkit_pressure_io_stalled_seconds counter\n"
	"# HELP cgkit_spec_cpu_quota_cpus CPU quota as CPUs (quota / period); +Inf for none.\n"
	"# TYPE cgkit_spec_cpu_quota_cpus gauge\n"
	"cgkit_spec_cpu_quota_cpus{cgroup=\"/app\"} 0.5\n"
	"# HELP cgkit_spec_memory_max_bytes Memory limit (v2 memory.max, v1 memory.limit_in_bytes); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_max_bytes gauge\n"
	"cgkit_spec_memory_max_bytes{cgroup=\"/app\"} +Inf\n"
	"# HELP cgkit_spec_memory_high_bytes Memory throttling threshold (v2 memory.high, v1 soft limit); +Inf for none.\n"
	"# TYPE cgkit_spec_memory_high_bytes gauge\n"
	"cgkit_spec_memory_high_bytes{cgroup=\"/app\"} 524288\n"
	"# HELP cgkit_spec_pids_max Limit on the group's tasks (pids.max); +Inf for none.\n"
	"# TYPE cgkit_spec_pids_max gauge\n"
	"cgkit_spec_pids_max{cgroup=\"/app\"} 100\n"
	"# EOF\n";

static void exact(void **state, bool openmetrics, const char *want)
{
	struct fake *f = *state;
	struct stats_collector *c = open_metrics(f);
	static const char *const app[] = {"/app"};
	struct stats_prom_opts o = {.openmetrics = openmetrics, .groups = app, .ngroups = 1, .depth = 0};
	size_t w, lo = 99;
	char *t = render(c, &o, &w, &lo);

	assert_string_equal(t, want);
	assert_int_equal(lo, 0);
	free(t);
	stats_close(c);
}

static void test_v2_exact_prometheus(void **state)
{
	exact(state, false, prom_v2);
}

static void test_v2_exact_openmetrics(void **state)
{
	exact(state, true, om_v2);
}

static void test_v1_exact_prometheus(void **state)
{
	exact(state, false, prom_v1);
}

static void test_v1_exact_openmetrics(void **state)
{
	exact(state, true, om_v1);
}

/* Every family has HELP and TYPE even with no sample at all. */
static void test_families_without_samples(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c = open_metrics(f);
	static const char *const none[] = {"/nothing-here"};
	struct stats_prom_opts o = {.groups = none, .ngroups = 1, .depth = -1};
	size_t w, lo;
	char *t = render(c, &o, &w, &lo), *smp = samples(t);

	assert_int_equal(w, 0);
	assert_string_equal(smp, "");
	assert_non_null(strstr(t, "# HELP cgkit_pressure_io_stalled_seconds_total "));
	assert_non_null(strstr(t, "# TYPE cgkit_spec_pids_max gauge\n"));
	free(smp);
	free(t);
	stats_close(c);
}

/* Odd group names: a quote, a backslash, a newline and a byte that is not
 * UTF-8 (0xff), and a valid UTF-8 name kept as it is. */
static void test_v2_escaping(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;
	static const char *const app[] = {"/app/"};
	struct stats_prom_opts o = {.groups = app, .ngroups = 1, .depth = 1};
	size_t w, lo;
	char *t, *smp;

	group(f, "app/we\"ird\\\nx\xff", "pids.current", "5\n", NULL);
	group(f, "app/caf\xc3\xa9", "pids.current", "6\n", NULL);
	c = open_metrics(f);
	t = render(c, &o, &w, &lo);
	smp = samples(t);
	assert_non_null(strstr(smp, "\ncgkit_pids_current{cgroup=\"/app/we\\\"ird\\\\\\nx\\\\xff\"} 5\n"));
	assert_non_null(strstr(smp, "\ncgkit_pids_current{cgroup=\"/app/caf\xc3\xa9\"} 6\n"));
	/* every sample on one line: no raw newline inside a label */
	for (char *p = smp; *p; p = strchr(p, '\n') + 1)
		assert_true(strncmp(p, "cgkit_", 6) == 0);
	free(smp);
	free(t);
	stats_close(c);
}

static void test_sample_values(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	const char *lab[] = {"rule", "a\"b\\c\nd", "action", "cap", NULL};
	struct stats_prom_opts om = {.openmetrics = true};

	(void)state;
	assert_non_null(out);
	stats_prom_sample(out, "x", NULL, NAN);           /* skipped */
	stats_prom_sample(out, "x", NULL, INFINITY);
	stats_prom_sample(out, "x", NULL, -INFINITY);
	stats_prom_sample(out, "x", NULL, 18446744073709551615.0);
	stats_prom_sample(out, "x", NULL, 9007199254740992.0 - 1);
	stats_prom_sample(out, "x", NULL, 0.1);
	stats_prom_sample(out, "x_total", lab, 3);
	stats_prom_family(out, &om, "y_total", "counter", "a \\ b");
	stats_prom_family(out, NULL, "y_total", "counter", "a \\ b\nc");
	stats_prom_family(out, &om, "z", "gauge", "g");
	stats_prom_end(out, NULL);
	stats_prom_end(out, &om);
	fclose(out);
	assert_string_equal(buf, "x +Inf\n"
				 "x -Inf\n"
				 "x 1.8446744073709552e+19\n"
				 "x 9007199254740991\n"
				 "x 0.1\n"
				 "x_total{rule=\"a\\\"b\\\\c\\nd\",action=\"cap\"} 3\n"
				 "# HELP y a \\\\ b\n# TYPE y counter\n"
				 "# HELP y_total a \\\\ b\\nc\n# TYPE y_total counter\n"
				 "# HELP z g\n# TYPE z gauge\n"
				 "# EOF\n");
	free(buf);
}

/* The groups a selection gives, as "path path ..." of the pids/memory samples. */
static void check_selection(struct stats_collector *c, const char *const *groups, size_t n,
			    int depth, const char *want)
{
	struct stats_prom_opts o = {.groups = groups, .ngroups = n, .depth = depth};
	size_t w, lo;
	char *t = render(c, &o, &w, &lo), *smp = samples(t), got[1024] = "";

	/* the distinct cgroup labels, in the order of first sample */
	for (char *p = smp; *p; p = strchr(p, '\n') + 1) {
		char *l = strstr(p, "cgroup=\""), lab[256], key[260];
		size_t k;

		if (!l || l > strchr(p, '\n'))
			continue;
		l += 8;
		k = strcspn(l, "\"");
		snprintf(lab, sizeof(lab), "%.*s", (int)k, l);
		snprintf(key, sizeof(key), " %s ", lab);
		if (!strstr(got, key) && strncmp(got, key + 1, strlen(key + 1)) != 0)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s ", *got ? "" : "",
				 lab);
	}
	if (*got)
		got[strlen(got) - 1] = '\0';
	assert_string_equal(got, want);
	assert_int_equal(lo, 0);
	free(smp);
	free(t);
}

static void test_v2_selection(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c = open_metrics(f);
	static const char *const app[] = {"/app"}, *const app_noslash[] = {"app"},
				 *const root[] = {"/"}, *const ap[] = {"/ap"},
				 *const two[] = {"/other", "/app/web"};

	check_selection(c, NULL, 0, -1, "/app /app/web /other");
	check_selection(c, app, 1, -1, "/app /app/web");
	check_selection(c, app, 1, 0, "/app");
	check_selection(c, app_noslash, 1, 0, "/app");
	check_selection(c, root, 1, 1, "/app /other");
	check_selection(c, root, 1, 0, "");   /* "/" itself has no file here */
	check_selection(c, ap, 1, -1, "");    /* a prefix is whole components */
	check_selection(c, two, 2, 0, "/app/web /other");
	stats_close(c);
}

/* The cap takes groups whole, in path order, while they fit; the rest is
 * counted. */
static void test_v2_max_series(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c = open_metrics(f);
	static const char *const app[] = {"/app"};
	struct stats_prom_opts o = {.groups = app, .ngroups = 1, .depth = 0};
	size_t n_app, all, lo, w;
	char *t;

	free(render(c, &o, &n_app, &lo));
	assert_int_equal(n_app, 29);
	o = (struct stats_prom_opts){.depth = -1};
	free(render(c, &o, &all, &lo));
	assert_int_equal(all, 29 + 4 + 1);   /* /app/web: 4, /other: 1 */
	o.max_series = 30;                    /* /app fits, /app/web not, /other does */
	t = render(c, &o, &w, &lo);
	assert_int_equal(w, 30);
	assert_int_equal(lo, 4);
	assert_null(strstr(t, "/app/web"));
	assert_non_null(strstr(t, "cgkit_pids_current{cgroup=\"/other\"} 0\n"));
	free(t);
	o.max_series = 3;                     /* only /other */
	t = render(c, &o, &w, &lo);
	assert_int_equal(w, 1);
	assert_int_equal(lo, 33);
	free(t);
	stats_close(c);
}

/* A long-lived collector (cgkitd's): what a file no longer says is gone
 * from the next scrape, not kept from the one before. */
static void test_v2_no_stale_values(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c = open_metrics(f);
	static const char *const app[] = {"/app"};
	struct stats_prom_opts o = {.groups = app, .ngroups = 1, .depth = 0};
	cg_err e = {0};
	size_t w, lo;
	char *t;

	t = render(c, &o, &w, &lo);
	assert_non_null(strstr(t, "device=\"253:1\"} 1\n"));
	assert_non_null(strstr(t, "cgkit_spec_memory_high_bytes{cgroup=\"/app\"} 524288\n"));
	free(t);
	group(f, "app", "io.stat", "8:0 rbytes=5000 wbytes=9000 rios=1 wios=2 dbytes=0 dios=0\n",
	      "cpu.stat", "usage_usec 2500000\nnr_periods 11\nnr_throttled 4\n", NULL);
	group(f, "app", "memory.high", "max\n", NULL);
	assert_int_equal(stats_refresh(c, &e), 0);
	t = render(c, &o, &w, &lo);
	assert_non_null(strstr(t, "cgkit_io_read_bytes_total{cgroup=\"/app\",device=\"8:0\"} 5000\n"));
	assert_null(strstr(t, "253:1"));
	assert_non_null(strstr(t, "cgkit_cpu_usage_seconds_total{cgroup=\"/app\"} 2.5\n"));
	assert_null(strstr(t, "cgkit_cpu_user_seconds_total{"));
	assert_null(strstr(t, "cgkit_cpu_cfs_throttled_seconds_total{"));
	assert_non_null(strstr(t, "cgkit_spec_memory_high_bytes{cgroup=\"/app\"} +Inf\n"));
	free(t);
	stats_close(c);
}

/* What a scrape costs (issue 12): in metrics mode cgroup.procs is neither
 * read nor held open (no family counts tasks: cgkit_pids_current is
 * pids.current), so the files kept open are the same with or without it. */
static void test_v2_no_procs(void **state)
{
	struct fake *f = *state;
	static const char *const rel[] = {"cgroup.procs", "app/cgroup.procs",
					  "app/web/cgroup.procs", "other/cgroup.procs"};
	struct stats_collector *c = open_metrics(f);
	size_t kept, kept_without, fallback;

	stats_fd_usage(c, &kept, &fallback);
	stats_close(c);
	for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
		char *p = at(f, rel[k]);

		assert_int_equal(unlink(p), 0);
		free(p);
	}
	c = open_metrics(f);
	stats_fd_usage(c, &kept_without, &fallback);
	assert_int_equal(kept, kept_without);
	stats_close(c);
}

/* A group's cpu counters are not read again while its parent's stood
 * still (the parent's hold the subtree's) and it has no quota; once the
 * parent's move, the group's new values are there. (The fake lets the
 * child's file change alone, which the kernel cannot: that shows the read
 * was spared.) */
static void test_v2_idle_subtree_spared(void **state)
{
	struct fake *f = *state;
	static const char *const web[] = {"/app/web"};
	struct stats_prom_opts o = {.groups = web, .ngroups = 1, .depth = 0};
	struct stats_collector *c;
	cg_err e = {0};
	size_t w, lo;
	char *t;

	group(f, "app/web", "cpu.stat", "usage_usec 100\nuser_usec 100\nsystem_usec 0\n", NULL);
	c = open_metrics(f);
	assert_int_equal(stats_refresh(c, &e), 0);   /* app stood still */
	group(f, "app/web", "cpu.stat", "usage_usec 200\nuser_usec 200\nsystem_usec 0\n", NULL);
	assert_int_equal(stats_refresh(c, &e), 0);
	t = render(c, &o, &w, &lo);
	assert_non_null(strstr(t, "cgkit_cpu_usage_seconds_total{cgroup=\"/app/web\"} 0.0001\n"));
	assert_non_null(strstr(t, "cgkit_cpu_user_seconds_total{cgroup=\"/app/web\"} 0.0001\n"));
	free(t);
	group(f, "app", "cpu.stat", "usage_usec 1500100\nuser_usec 1000100\nsystem_usec 500000\n"
				    "nr_periods 10\nnr_throttled 4\nthrottled_usec 250000\n", NULL);
	assert_int_equal(stats_refresh(c, &e), 0);
	t = render(c, &o, &w, &lo);
	assert_non_null(strstr(t, "cgkit_cpu_usage_seconds_total{cgroup=\"/app/web\"} 0.0002\n"));
	assert_non_null(strstr(t, "cgkit_cpu_user_seconds_total{cgroup=\"/app/web\"} 0.0002\n"));
	free(t);
	stats_close(c);
}

/* A long-lived collector sees a group go (not shown with its last values,
 * also when its files were spared) and a new one come, at the next scrape. */
static void test_v2_groups_come_and_go(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c = open_metrics(f);
	struct stats_prom_opts o = {.depth = -1};
	cg_err e = {0};
	size_t w, lo;
	char *t, *dir = at(f, "app/web");
	static const char *const files[] = {"cgroup.procs", "cpu.max", "memory.current",
					    "memory.stat", "pids.max"};

	assert_int_equal(stats_refresh(c, &e), 0);
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		char *p = at(f, "app/web");
		char *q;

		assert_true(asprintf(&q, "%s/%s", p, files[k]) > 0);
		assert_int_equal(unlink(q), 0);
		free(q);
		free(p);
	}
	assert_int_equal(rmdir(dir), 0);
	free(dir);
	assert_int_equal(stats_refresh(c, &e), 0);
	t = render(c, &o, &w, &lo);
	assert_null(strstr(t, "/app/web"));
	free(t);
	/* below a group that has none: within check_every (4) scrapes */
	group(f, "app/db", "pids.current", "7\n", NULL);
	for (int k = 0; k < 4; k++)
		assert_int_equal(stats_refresh(c, &e), 0);
	t = render(c, &o, &w, &lo);
	assert_non_null(strstr(t, "cgkit_pids_current{cgroup=\"/app/db\"} 7\n"));
	free(t);
	/* below a group that has some: at the next scrape */
	group(f, "app/cache", "pids.current", "2\n", NULL);
	assert_int_equal(stats_refresh(c, &e), 0);
	t = render(c, &o, &w, &lo);
	assert_non_null(strstr(t, "cgkit_pids_current{cgroup=\"/app/cache\"} 2\n"));
	free(t);
	stats_close(c);
}

/* The default cap (issue 12): 800 groups of 26 series (cpu.stat: 6, io.stat
 * of 10 devices: 20), 20,800 in all, past the old default of 20,000, are
 * whole; a cap of 20,000 leaves the last groups out whole. */
static void test_v2_default_cap(void **state)
{
	struct fake *f = *state;
	struct stats_collector *c;
	struct stats_prom_opts o = {.depth = -1};
	size_t w, lo, base;
	char rel[64], io[1024] = "";

	c = open_metrics(f);
	free(render(c, &o, &base, &lo));
	stats_close(c);
	for (int d = 0; d < 10; d++)
		snprintf(io + strlen(io), sizeof(io) - strlen(io),
			 "8:%d rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n", d * 16);
	group(f, "many", NULL);
	for (int k = 0; k < 800; k++) {
		snprintf(rel, sizeof(rel), "many/g%04d", k);
		group(f, rel, "cpu.stat", "usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 0\n"
					  "nr_throttled 0\nthrottled_usec 0\n", "io.stat", io, NULL);
	}
	c = open_metrics(f);
	free(render(c, &o, &w, &lo));
	assert_int_equal(lo, 0);
	assert_int_equal(w, base + 800 * 26);
	o.max_series = 20000;
	free(render(c, &o, &w, &lo));
	assert_int_equal(w + lo, base + 800 * 26);
	assert_true(w <= 20000 && w > 20000 - 26);
	stats_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_exact_prometheus, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_exact_openmetrics, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v1_exact_prometheus, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v1_exact_openmetrics, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_families_without_samples, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(test_v2_escaping, setup_v2, teardown),
		cmocka_unit_test(test_sample_values),
		cmocka_unit_test_setup_teardown(test_v2_selection, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_max_series, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_no_procs, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_default_cap, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_idle_subtree_spared, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_groups_come_and_go, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(test_v2_no_stale_values, setup_v2, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
