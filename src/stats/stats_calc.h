/* The pure part of the statistics (stats_calc.c): the raw values a sample
 * holds, the columns a user sees, and the computation of one row from two
 * samples (counter deltas that survive wraps and resets, rates,
 * percentages). No I/O; the kernel's file formats are parsed by mapping.c,
 * the files are read by the collector (stats.h). */
#ifndef CGKIT_STATS_CALC_H
#define CGKIT_STATS_CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Raw values read from the files, in kernel units. */
enum stats_val {
	SV_CPU_NS,          /* cumulative cpu time */
	SV_PERIODS,         /* cpu.stat nr_periods */
	SV_THROTTLED,       /* cpu.stat nr_throttled */
	SV_QUOTA_US,        /* STATS_UNLIMITED for none */
	SV_PERIOD_US,
	SV_MEM,             /* usage in bytes, page cache included */
	SV_MEM_INACTIVE_FILE,
	SV_MEM_LIMIT,       /* STATS_UNLIMITED for none */
	SV_SWAP,
	SV_OOM_KILLS,       /* cumulative */
	SV_IO_RBYTES,       /* cumulative, all devices */
	SV_IO_WBYTES,
	SV_PIDS,
	SV_PIDS_MAX,        /* STATS_UNLIMITED for none */
	SV_TASKS,           /* processes in the group itself (cgroup.procs) */
	SV_PSI_CPU,         /* "some avg10" in hundredths of a percent */
	SV_PSI_MEM,
	SV_PSI_IO,
	SV_COUNT
};
#define SV_BIT(v) (1u << (v))
#define STATS_UNLIMITED UINT64_MAX   /* mapping.h's MAP_UNLIMITED */

struct stats_sample {
	uint64_t v[SV_COUNT];
	uint32_t have;      /* SV_BIT(v) when v[v] was read */
};

/* The columns a user can choose; also the sort keys. */
enum stats_col {
	COL_TASKS,
	COL_CPU,
	COL_THROTTLED,
	COL_CPU_LIMIT,
	COL_MEM,
	COL_MEM_LIMIT,
	COL_MEM_PCT,
	COL_SWAP,
	COL_IO_READ,
	COL_IO_WRITE,
	COL_PIDS,
	COL_PIDS_LIMIT,
	COL_OOM,
	COL_PSI_CPU,
	COL_PSI_MEM,
	COL_PSI_IO,
	COL_PENALTY,        /* text: cgkitd's penalty, from the frame's text() */
	COL_COUNT,
	COL_NAME = COL_COUNT,   /* sort key only: the path */
};
#define COL_BIT(c) (1u << (c))
#define COL_ALL ((1u << COL_COUNT) - 1)

/* UNIT_TEXT: no figure (the row holds NAN); the printers ask the frame. */
enum stats_unit { UNIT_COUNT, UNIT_PCT, UNIT_BYTES, UNIT_RATE, UNIT_TEXT };

struct stats_col_info {
	const char *name;    /* for --fields and --sort: "cpu", "mem_limit" */
	const char *title;   /* column header: "CPU%" */
	const char *json;    /* JSON key with its unit: "cpu_pct" */
	enum stats_unit unit;
	int width;           /* characters on screen */
	uint32_t vals;       /* raw values it needs */
	const char *help;    /* one line for the man page and help screen */
};
extern const struct stats_col_info stats_cols[COL_COUNT];
/* "cpu,mem,io" -> columns (io = io_read,io_write; psi = the three psi_*;
 * "all"; "default"). Returns -1 with the unknown name in e. */
int stats_cols_parse(const char *list, uint32_t *out, cg_err *e);
/* Column for a --sort name ("cpu", "mem", "io", "pids", "throttled", "name",
 * or any column name); -1 when unknown. */
int stats_col_by_name(const char *name);
/* Without COL_PENALTY: cgtop adds it when cgkitd's state file is there. */
#define STATS_COLS_DEFAULT                                                             \
	(COL_BIT(COL_TASKS) | COL_BIT(COL_CPU) | COL_BIT(COL_THROTTLED) |                 \
	 COL_BIT(COL_CPU_LIMIT) | COL_BIT(COL_MEM) | COL_BIT(COL_MEM_LIMIT) |             \
	 COL_BIT(COL_MEM_PCT) | COL_BIT(COL_SWAP) | COL_BIT(COL_IO_READ) |                \
	 COL_BIT(COL_IO_WRITE) | COL_BIT(COL_PIDS) | COL_BIT(COL_PIDS_LIMIT) |            \
	 COL_BIT(COL_OOM) | COL_BIT(COL_PSI_CPU) | COL_BIT(COL_PSI_MEM) | COL_BIT(COL_PSI_IO))
/* Raw values the columns need. */
uint32_t stats_cols_vals(uint32_t cols);

/* One group's figures for the last interval; NAN when unknown, INFINITY for
 * "no limit". */
struct stats_row {
	double f[COL_COUNT];
	double mem_raw;      /* usage with page cache (COL_MEM is without) */
};

/* Delta of a cumulative counter. A counter below its previous value either
 * wrapped (at 2^bits) or was reset (group re-created, counter cleared): a
 * wrap is believed only when the wrapped delta is at most `plausible`.
 * Returns false (delta unknown) on a reset. */
bool stats_counter_delta(uint64_t prev, uint64_t cur, unsigned bits, uint64_t plausible,
			 uint64_t *delta);
/* Fills row from two samples taken interval_ns apart on a host with ncpu
 * cpus. prev may be NULL (first sample: rates unknown). */
void stats_compute(const struct stats_sample *prev, const struct stats_sample *cur,
		   uint64_t interval_ns, unsigned ncpu, struct stats_row *row);

/* Number of lines (pids) in cgroup.procs text. */
uint64_t stats_count_lines(const char *s);

#endif
