/* Pure computations of the statistics: the columns, counter deltas that
 * survive wraps and resets, rates and percentages. */
#include "stats_calc.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define V(x) SV_BIT(SV_##x)

const struct stats_col_info stats_cols[COL_COUNT] = {
	[COL_TASKS] = {"tasks", "TASKS", "tasks", UNIT_COUNT, 5, V(TASKS),
		       "processes in the group itself (not below)"},
	[COL_CPU] = {"cpu", "CPU%", "cpu_pct", UNIT_PCT, 6, V(CPU_NS),
		     "cpu used over the interval, % of one cpu (key %: of the machine)"},
	[COL_THROTTLED] = {"throttled", "THR%", "throttled_pct", UNIT_PCT, 5,
			   V(PERIODS) | V(THROTTLED) | V(QUOTA_US),
			   "share of the interval's cpu periods that were throttled"},
	[COL_CPU_LIMIT] = {"cpu_limit", "CPULIM", "cpu_limit_pct", UNIT_PCT, 6,
			   V(QUOTA_US) | V(PERIOD_US), "cpu quota, % of one cpu"},
	[COL_MEM] = {"mem", "MEM", "mem_bytes", UNIT_BYTES, 6, V(MEM) | V(MEM_INACTIVE_FILE),
		     "memory in use without inactive page cache (key M: raw usage)"},
	[COL_MEM_LIMIT] = {"mem_limit", "MEMLIM", "mem_limit_bytes", UNIT_BYTES, 6, V(MEM_LIMIT),
			   "memory limit"},
	[COL_MEM_PCT] = {"mem_pct", "MEM%", "mem_pct", UNIT_PCT, 5,
			 V(MEM) | V(MEM_INACTIVE_FILE) | V(MEM_LIMIT),
			 "memory in use as % of the limit"},
	[COL_SWAP] = {"swap", "SWAP", "swap_bytes", UNIT_BYTES, 6, V(SWAP), "swap in use"},
	[COL_IO_READ] = {"io_read", "READ/s", "io_read_bytes_per_s", UNIT_RATE, 7, V(IO_RBYTES),
			 "bytes read per second, all devices"},
	[COL_IO_WRITE] = {"io_write", "WRITE/s", "io_write_bytes_per_s", UNIT_RATE, 7,
			  V(IO_WBYTES), "bytes written per second, all devices"},
	[COL_PIDS] = {"pids", "PIDS", "pids", UNIT_COUNT, 5, V(PIDS),
		      "tasks (threads) in the group and below"},
	[COL_PIDS_LIMIT] = {"pids_limit", "PIDLIM", "pids_limit", UNIT_COUNT, 6, V(PIDS_MAX),
			    "limit on the tasks of the group and below (pids: max)"},
	[COL_OOM] = {"oom", "OOM", "oom_kills", UNIT_COUNT, 4, V(OOM_KILLS),
		     "processes killed by the OOM killer (a new kill highlights the row)"},
	[COL_PSI_CPU] = {"psi_cpu", "PSCPU", "psi_cpu_some_avg10_pct", UNIT_PCT, 5, V(PSI_CPU),
			 "cpu pressure, some avg10 (%)"},
	[COL_PSI_MEM] = {"psi_mem", "PSMEM", "psi_mem_some_avg10_pct", UNIT_PCT, 5, V(PSI_MEM),
			 "memory pressure, some avg10 (%)"},
	[COL_PSI_IO] = {"psi_io", "PSIO", "psi_io_some_avg10_pct", UNIT_PCT, 5, V(PSI_IO),
			"io pressure, some avg10 (%)"},
	[COL_PENALTY] = {"penalty", "PENALTY", "penalty", UNIT_TEXT, 14, 0,
			 "cgkitd's penalty on the group or process: rule#tier and time left"},
};

int stats_col_by_name(const char *name)
{
	static const struct {
		const char *alias;
		int col;
	} aliases[] = {
		{"memory", COL_MEM}, {"io", COL_IO_READ},  {"throttle", COL_THROTTLED},
		{"name", COL_NAME},  {"path", COL_NAME},   {"oom_kills", COL_OOM},
	};

	for (size_t i = 0; i < COL_COUNT; i++)
		if (strcasecmp(name, stats_cols[i].name) == 0)
			return (int)i;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(name, aliases[i].alias) == 0)
			return aliases[i].col;
	return -1;
}

int stats_cols_parse(const char *list, uint32_t *out, cg_err *e)
{
	char word[64];
	uint32_t cols = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(word)) {
			p += n + (p[n] == ',');
			continue;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		p += n + (p[n] == ',');
		if (strcasecmp(word, "all") == 0) {
			cols |= COL_ALL;
		} else if (strcasecmp(word, "default") == 0) {
			cols |= STATS_COLS_DEFAULT;
		} else if (strcasecmp(word, "io") == 0) {
			cols |= COL_BIT(COL_IO_READ) | COL_BIT(COL_IO_WRITE);
		} else if (strcasecmp(word, "psi") == 0 || strcasecmp(word, "pressure") == 0) {
			cols |= COL_BIT(COL_PSI_CPU) | COL_BIT(COL_PSI_MEM) | COL_BIT(COL_PSI_IO);
		} else {
			int c = stats_col_by_name(word);

			if (c < 0 || c >= COL_COUNT) {
				char names[512] = "";

				for (size_t i = 0; i < COL_COUNT; i++) {
					strcat(names, stats_cols[i].name);
					strcat(names, i + 1 < COL_COUNT ? ", " : "");
				}
				return cg_err_set(e, EINVAL,
						  "unknown field \"%s\"; fields are %s, or io, psi, "
						  "all, default",
						  word, names);
			}
			cols |= COL_BIT(c);
		}
	}
	if (!cols)
		return cg_err_set(e, EINVAL, "no field named in \"%s\"", list);
	*out = cols;
	return 0;
}

uint32_t stats_cols_vals(uint32_t cols)
{
	uint32_t v = 0;

	for (size_t i = 0; i < COL_COUNT; i++)
		if (cols & COL_BIT(i))
			v |= stats_cols[i].vals;
	return v;
}

/* ---- cgroup.procs ---- */

uint64_t stats_count_lines(const char *s)
{
	uint64_t n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* ---- deltas and rates ---- */

bool stats_counter_delta(uint64_t prev, uint64_t cur, unsigned bits, uint64_t plausible,
			 uint64_t *delta)
{
	uint64_t d;

	if (cur >= prev) {
		*delta = cur - prev;
		return true;
	}
	if (bits >= 64)
		d = UINT64_MAX - prev + cur + 1;
	else {
		uint64_t mod = UINT64_C(1) << bits;

		if (prev >= mod)
			return false;
		d = mod - prev + cur;
	}
	if (d > plausible)
		return false;
	*delta = d;
	return true;
}

static bool has(const struct stats_sample *s, enum stats_val v)
{
	return s && (s->have & SV_BIT(v));
}

static bool both(const struct stats_sample *a, const struct stats_sample *b, enum stats_val v)
{
	return has(a, v) && has(b, v);
}

/* A rate from a counter; NAN when it cannot be known. */
static double rate(const struct stats_sample *prev, const struct stats_sample *cur,
		   enum stats_val v, uint64_t interval_ns, uint64_t plausible)
{
	uint64_t d;

	if (!both(prev, cur, v) || interval_ns == 0)
		return NAN;
	/* beyond what the host could do, forwards or wrapped: a reset */
	if (!stats_counter_delta(prev->v[v], cur->v[v], 64, plausible, &d) || d > plausible)
		return NAN;
	return (double)d * 1e9 / (double)interval_ns;
}

static double limit(const struct stats_sample *s, enum stats_val v)
{
	if (!has(s, v))
		return NAN;
	return s->v[v] == STATS_UNLIMITED ? INFINITY : (double)s->v[v];
}

void stats_compute(const struct stats_sample *prev, const struct stats_sample *cur,
		   uint64_t interval_ns, unsigned ncpu, struct stats_row *row)
{
	double *f = row->f;
	uint64_t dp, dt;

	for (size_t i = 0; i < COL_COUNT; i++)
		f[i] = NAN;
	row->mem_raw = NAN;
	if (ncpu == 0)
		ncpu = 1;

	f[COL_TASKS] = has(cur, SV_TASKS) ? (double)cur->v[SV_TASKS] : NAN;

	/* More cpu time than all cpus could give (+25% for jitter between
	 * the reads) is a reset, not a wrap. */
	f[COL_CPU] = rate(prev, cur, SV_CPU_NS, interval_ns,
			  interval_ns * ncpu + interval_ns * ncpu / 4) * 100.0 / 1e9;
	if (!isnan(f[COL_CPU]) && f[COL_CPU] > 100.0 * ncpu)
		f[COL_CPU] = 100.0 * ncpu;

	if (both(prev, cur, SV_PERIODS) && both(prev, cur, SV_THROTTLED)) {
		uint64_t max_periods = interval_ns / 1000 + 1;   /* periods are >= 1ms */

		if (stats_counter_delta(prev->v[SV_PERIODS], cur->v[SV_PERIODS], 64, max_periods,
					&dp) &&
		    stats_counter_delta(prev->v[SV_THROTTLED], cur->v[SV_THROTTLED], 64,
					max_periods, &dt))
			f[COL_THROTTLED] = dp == 0 ? 0.0 : dt > dp ? 100.0 : 100.0 * (double)dt / (double)dp;
	} else if (both(prev, cur, SV_QUOTA_US) && cur->v[SV_QUOTA_US] == STATS_UNLIMITED &&
		   !has(cur, SV_PERIODS)) {
		/* No quota: nothing to throttle the group against. */
		f[COL_THROTTLED] = 0.0;
	}

	if (has(cur, SV_QUOTA_US) && cur->v[SV_QUOTA_US] == STATS_UNLIMITED)
		f[COL_CPU_LIMIT] = INFINITY;
	else if (has(cur, SV_QUOTA_US) && has(cur, SV_PERIOD_US) && cur->v[SV_PERIOD_US])
		f[COL_CPU_LIMIT] =
			100.0 * (double)cur->v[SV_QUOTA_US] / (double)cur->v[SV_PERIOD_US];

	if (has(cur, SV_MEM)) {
		uint64_t m = cur->v[SV_MEM];

		row->mem_raw = (double)m;
		if (has(cur, SV_MEM_INACTIVE_FILE))
			f[COL_MEM] = (double)(m > cur->v[SV_MEM_INACTIVE_FILE]
						      ? m - cur->v[SV_MEM_INACTIVE_FILE]
						      : 0);
	}
	f[COL_MEM_LIMIT] = limit(cur, SV_MEM_LIMIT);
	if (!isnan(f[COL_MEM]) && !isnan(f[COL_MEM_LIMIT]))
		f[COL_MEM_PCT] = isinf(f[COL_MEM_LIMIT]) || f[COL_MEM_LIMIT] <= 0
					 ? NAN
					 : 100.0 * f[COL_MEM] / f[COL_MEM_LIMIT];
	f[COL_SWAP] = has(cur, SV_SWAP) ? (double)cur->v[SV_SWAP] : NAN;

	/* 64 GiB/s per interval second is beyond any device here: a reset. */
	f[COL_IO_READ] = rate(prev, cur, SV_IO_RBYTES, interval_ns, (interval_ns + 1) * 64);
	f[COL_IO_WRITE] = rate(prev, cur, SV_IO_WBYTES, interval_ns, (interval_ns + 1) * 64);

	f[COL_PIDS] = has(cur, SV_PIDS) ? (double)cur->v[SV_PIDS] : NAN;
	f[COL_PIDS_LIMIT] = limit(cur, SV_PIDS_MAX);
	f[COL_OOM] = has(cur, SV_OOM_KILLS) ? (double)cur->v[SV_OOM_KILLS] : NAN;
	f[COL_PSI_CPU] = has(cur, SV_PSI_CPU) ? (double)cur->v[SV_PSI_CPU] / 100.0 : NAN;
	f[COL_PSI_MEM] = has(cur, SV_PSI_MEM) ? (double)cur->v[SV_PSI_MEM] / 100.0 : NAN;
	f[COL_PSI_IO] = has(cur, SV_PSI_IO) ? (double)cur->v[SV_PSI_IO] / 100.0 : NAN;
}
