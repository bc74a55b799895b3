/* Per-group usage statistics, shared by cgtop and `cgrun --stats`.
 *
 * stats.c      the collector: finds the groups (the union of the v1
 *              hierarchies by relative path, or the one v2 tree) and reads
 *              their files, kept open and read with pread.
 * stats_calc.c pure computations: counter deltas (wrap, reset), rates,
 *              percentages, the parsers of the kernel's file formats.
 * stats_view.c pure: which rows to show, in which order (tree or flat,
 *              sorted, filtered, depth-limited).
 * stats_host.c the host's own figures (cpu, memory, load).
 * stats_print.c batch frames and JSON lines.
 *
 * Every value can be unknown (file absent, unreadable, first sample): rows
 * hold NAN then, and printers show "-" (JSON null), never 0. */
#ifndef CGKIT_STATS_H
#define CGKIT_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "layout.h"

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
#define STATS_UNLIMITED UINT64_MAX

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
	COL_COUNT,
	COL_NAME = COL_COUNT,   /* sort key only: the path */
};
#define COL_BIT(c) (1u << (c))
#define COL_ALL ((1u << COL_COUNT) - 1)

enum stats_unit { UNIT_COUNT, UNIT_PCT, UNIT_BYTES, UNIT_RATE };

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

/* ---- pure computations (stats_calc.c) ---- */

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

/* Parsers of the kernel's formats; each returns 0 or -1 when the text does
 * not hold what is asked. */
int stats_parse_u64(const char *s, uint64_t *out);          /* "123\n", "max" */
int stats_parse_limit(const char *s, uint64_t *out);        /* "max", "-1", huge -> UNLIMITED */
int stats_parse_key(const char *text, const char *key, uint64_t *out);  /* "key N" lines */
int stats_parse_cpu_max(const char *s, uint64_t *quota, uint64_t *period);  /* "max 100000" */
int stats_parse_psi_some_avg10(const char *s, uint64_t *hundredths);
/* v1 blkio "MAJ:MIN Read N" lines, v2 io.stat "MAJ:MIN rbytes=N wbytes=N". */
int stats_parse_blkio(const char *s, uint64_t *rbytes, uint64_t *wbytes);
int stats_parse_iostat(const char *s, uint64_t *rbytes, uint64_t *wbytes);
/* Number of lines (pids) in cgroup.procs text. */
uint64_t stats_count_lines(const char *s);

/* ---- the collector (stats.c) ---- */

struct stats_group {
	char *path;              /* relative to the hierarchies' roots: "" or "a/b" */
	const char *name;        /* last component of path ("/" for the root) */
	int parent;              /* index, -1 for the top */
	unsigned depth;          /* 0 for the top */
	bool fresh;              /* no previous sample: rates unknown */
	bool vanished;           /* went away since the last scan */
	bool force;              /* read every file at the next refresh */
	bool late;               /* appeared after cgtop started */
	unsigned oom_flash;      /* refreshes left to highlight a new OOM kill */
	struct stats_row row;
	/* collector's own */
	uint32_t hier;           /* bit per hierarchy holding the group */
	bool has_children;       /* in some hierarchy */
	uint32_t nchild[8];      /* subdirectories seen, per hierarchy */
	uint64_t ino;
	struct stats_state *st;  /* open files and samples */
};

struct stats_state;

struct stats_opts {
	const char *start;       /* subtree to show, relative ("" or NULL: all) */
	uint32_t cols;           /* columns wanted (decides which files are read) */
	unsigned slow_every;     /* every file at least every N refreshes (default 10) */
	unsigned check_every;    /* look for new/removed groups every N (default 4) */
	bool no_skip;            /* read every file every refresh (benchmarks) */
};

struct stats_collector;

/* The layout is borrowed and must outlive the collector. Raises the soft
 * open-file limit to the hard one. */
struct stats_collector *stats_open(const struct cg_layout *l, const struct stats_opts *o,
				   cg_err *e);
/* One refresh: finds new/removed groups as needed, reads, computes rows. */
int stats_refresh(struct stats_collector *c, cg_err *e);
/* Same, with the time of the refresh given (CLOCK_MONOTONIC ns; for tests). */
int stats_refresh_at(struct stats_collector *c, uint64_t now_ns, cg_err *e);
void stats_close(struct stats_collector *c);
/* Reads every file of group i at the next refresh (after changing it). */
void stats_touch(struct stats_collector *c, size_t i);
/* Changes the columns (which files are read from the next refresh). */
void stats_set_cols(struct stats_collector *c, uint32_t cols);

size_t stats_count(const struct stats_collector *c);
/* Groups that were there at the last refresh (stats_count() may still hold
 * some that vanished, until the next scan drops them). */
size_t stats_live_count(const struct stats_collector *c);
const struct stats_group *stats_group_at(const struct stats_collector *c, size_t i);
/* Index of the group with this relative path, or -1. */
long stats_find(const struct stats_collector *c, const char *path);
unsigned stats_ncpu(const struct stats_collector *c);
/* Absolute directory of the group in the hierarchy of ctrl, or -1 when the
 * group is not there. */
int stats_group_dir(const struct stats_collector *c, size_t i, enum cg_ctrl ctrl, char *buf,
		    size_t len);
/* Every directory of the group (one per hierarchy holding it); returns the count. */
size_t stats_group_dirs(const struct stats_collector *c, size_t i, char (*bufs)[4096],
			size_t max);
/* Files kept open, files read with open/read/close for want of fds. */
void stats_fd_usage(const struct stats_collector *c, size_t *kept, size_t *fallback_reads);

/* ---- the view (stats_view.c) ---- */

struct stats_view_opts {
	int sort;              /* enum stats_col or COL_NAME */
	bool reverse;          /* ascending instead of the key's natural order */
	bool tree;             /* children below their parent */
	int max_depth;         /* below the top; -1: all */
	const char *filter;    /* substring of the path, or NULL */
};
/* Writes the indexes of the rows to show, in order, into order (room for
 * stats_count()); returns how many. Allocates nothing when scratch has room
 * for 2 * stats_count() entries. */
size_t stats_view(const struct stats_collector *c, const struct stats_view_opts *o,
		  uint32_t *order, uint32_t *scratch);
/* Same, over plain arrays (for tests and the process list). */
size_t stats_view_groups(const struct stats_group *g, size_t n, const struct stats_view_opts *o,
			 uint32_t *order, uint32_t *scratch);

/* ---- the host (stats_host.c) ---- */

struct stats_host {
	double cpu_pct;        /* busy share of the whole machine, NAN at first */
	uint64_t mem_total, mem_used;   /* bytes; used = total - available */
	double load[3];
	unsigned ncpu;
	uint64_t prev_busy, prev_total;
};
void stats_host_read(struct stats_host *h);

/* ---- the processes of a group (stats_procs.c) ---- */

struct stats_proc {
	int pid;
	unsigned uid;
	char state;          /* R S D Z T ... from /proc/PID/stat */
	double cpu_pct;      /* of one cpu since the last read; NAN at first */
	uint64_t rss_bytes;
	uint64_t ticks;      /* utime + stime */
	char user[24];
	char cmd[200];
};

struct stats_procs {
	struct stats_proc *p;
	size_t n, cap;
	uint64_t t_prev_ns;
};

/* Reads the pids in dirs[]/cgroup.procs (each pid once), then their /proc
 * entries; cpu% from the previous read of the same list. A process that
 * exits meanwhile is left out. */
int stats_procs_read(struct stats_procs *ps, char (*dirs)[4096], size_t ndirs, bool recursive,
		     cg_err *e);
/* The pids only (for signals and moving), deduplicated; returns the count or
 * -1. *pids is malloc'ed. */
long stats_group_pids(char (*dirs)[4096], size_t ndirs, bool recursive, int **pids, cg_err *e);
void stats_procs_free(struct stats_procs *ps);

/* ---- printing (stats_print.c) ---- */

struct stats_frame {
	const struct stats_collector *c;
	const struct stats_host *host;
	const char *layout;       /* "v1", "hybrid", "v2" */
	double interval_s;
	double refresh_ms;        /* cost of the last refresh */
	uint32_t cols;
	bool machine_pct;         /* CPU% of the whole machine, not of one cpu */
	bool mem_raw;             /* memory with page cache */
	const uint32_t *order;
	size_t n;
};
/* Formats one value as it appears on screen ("12.5", "1.2G", "max", "-"). */
void stats_format(enum stats_col col, double v, char *buf, size_t len);
/* The figure shown for column col of row r under the frame's toggles. */
double stats_frame_value(const struct stats_frame *f, const struct stats_group *g,
			 enum stats_col col);
/* Group path as shown: "/" for the root, "/a/b". */
void stats_display_path(const struct stats_group *g, char *buf, size_t len);
/* A group name or path as a terminal may show it. Printable characters stay
 * as they are (UTF-8 ones only when utf8: the locale's charset is UTF-8); a
 * tab becomes "\t"; every other control character, byte that is not valid
 * UTF-8 (any byte above 0x7e when !utf8) and character that takes no column
 * (combining marks, direction overrides) becomes "\xHH", one per byte.
 * Writes at most len bytes (whole characters, NUL included); returns the
 * columns the text takes. */
int stats_text_escape(const char *s, bool utf8, char *out, size_t len);
/* The same, cut to at most w columns: the cut is marked with "\u2026" (...)
 * when utf8, else "~"; keep_end keeps the end of the text ("...b/c"), else
 * its start. Returns the columns taken (at most w; the caller pads). */
int stats_text_fit(const char *s, int w, bool keep_end, bool utf8, char *out, size_t len);
/* A size as a profile writes it, in the largest unit that keeps it exact
 * (1G, 512M, 1536K, 4097 for bytes): never rounded. */
void stats_size_exact(uint64_t bytes, char *buf, size_t len);
/* Whether the current locale (LC_CTYPE) is UTF-8. */
bool stats_locale_utf8(void);
/* s as a JSON string, quotes included: control characters escaped, and each
 * byte that is not part of valid UTF-8 written as \ufffd. */
void stats_json_string(FILE *out, const char *s);
void stats_print_text(const struct stats_frame *f, FILE *out);
void stats_print_json(const struct stats_frame *f, FILE *out);

#endif
