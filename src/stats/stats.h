/* Per-group usage statistics, shared by cgtop and `cgrun --stats`.
 *
 * stats.c      the collector: finds the groups (the union of the v1
 *              hierarchies by relative path, or the one v2 tree) and reads
 *              their files, kept open and read with pread.
 * stats_calc.c pure computations (stats_calc.h): counter deltas (wrap,
 *              reset), rates, percentages. The kernel's files and formats
 *              are mapping.c's (its read side).
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
#include <time.h>

#include "cgops.h"
#include "err.h"
#include "layout.h"
#include "stats_calc.h"

/* ---- the last figures of a group, for pictures (stats_spark.c) ---- */

#define STATS_RING 120
enum stats_ring_val { RING_CPU, RING_MEM, RING_THR, RING_COUNT };  /* %, bytes, % */
struct stats_ring {
	float v[RING_COUNT][STATS_RING];   /* NAN: unknown */
	unsigned n, pos;                   /* values held, next slot */
};
/* Adds one refresh's figures (CPU% of one cpu, memory without cache, throttled %). */
void stats_ring_push(struct stats_ring *r, const struct stats_row *row);
/* The last at most max values of v, oldest first, into out; returns how many. */
size_t stats_ring_get(const struct stats_ring *r, enum stats_ring_val v, double *out, size_t max);
/* A sparkline: one character per value, its height the share of top (top
 * <= 0 or NAN: the largest value). utf8: the blocks U+2581..U+2588, else
 * the ASCII ramp "_.:-=+*#"; an unknown value is a space. Writes at most
 * len bytes (NUL included, whole characters); returns the columns written. */
int stats_spark(const double *v, size_t n, double top, bool utf8, char *out, size_t len);
/* Line `line` (0: the top one) of a bar graph `height` lines high, one
 * column per value scaled to top as for stats_spark: utf8 with eighth
 * blocks, else "#" for a full cell, ":" for at least half, "." for less.
 * Same return as stats_spark. */
int stats_graph_line(const double *v, size_t n, double top, int height, int line, bool utf8,
		     char *out, size_t len);

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
	unsigned long refreshes; /* how many the caller will make (cgtop -b -n N: N + 1);
				  * 0: not known, many. A file is kept open only
				  * when a refresh to come is likely to read it */
	bool first_unseen;       /* the first refresh is not shown (cgtop -b: it
				  * only gives the rates a start): it reads
				  * only what a rate needs, the rest comes with
				  * the second */
	bool metrics;            /* a metrics reader (stats_prom.h): every value
				  * as it is now (a file is spared only when its
				  * values cannot have moved: due_metrics()), the
				  * groups gone dropped at once, every column but
				  * the tasks, and the figures only metrics show
				  * (struct stats_more) */
};

/* What a metrics reader gets beyond the columns' values (stats_opts.metrics),
 * in base units where the kernel's differ (ns, bytes). */
enum stats_more_val {
	SM_CPU_USER_NS,      /* v2 cpu.stat user_usec / v1 cpuacct.stat user (USER_HZ) */
	SM_CPU_SYSTEM_NS,
	SM_THROTTLED_NS,     /* v2 cpu.stat throttled_usec / v1 cpu.stat throttled_time */
	SM_MEM_HIGH,         /* v2 memory.high / v1 memory.soft_limit_in_bytes */
	SM_EV_LOW,           /* v2 memory.events */
	SM_EV_HIGH,
	SM_EV_MAX,           /* v2 memory.events max / v1 memory.failcnt */
	SM_EV_OOM,
	SM_PSI_CPU_SOME_NS,  /* v2 pressure files: "some"/"full" total= */
	SM_PSI_CPU_FULL_NS,
	SM_PSI_MEM_SOME_NS,
	SM_PSI_MEM_FULL_NS,
	SM_PSI_IO_SOME_NS,
	SM_PSI_IO_FULL_NS,
	SM_COUNT
};
struct stats_dev_io {
	unsigned major, minor;
	uint64_t rbytes, wbytes;   /* cumulative */
};
struct stats_more {
	uint64_t v[SM_COUNT];
	uint32_t have;             /* 1u << SM_* when read */
	struct stats_dev_io *dev;  /* per device, from the io file */
	size_t ndev, cap;
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
/* The raw values of group i's last refresh (kernel units: stats_calc.h), or NULL. */
const struct stats_sample *stats_group_sample(const struct stats_collector *c, size_t i);
/* The figures only a metrics reader gets (stats_opts.metrics), or NULL
 * (not asked for, or no such group). */
const struct stats_more *stats_group_more(const struct stats_collector *c, size_t i);
/* Index of the group with this relative path, or -1. */
long stats_find(const struct stats_collector *c, const char *path);
unsigned stats_ncpu(const struct stats_collector *c);
/* Absolute directory of the group in the hierarchy of ctrl, or -1 when the
 * group is not there. */
int stats_group_dir(const struct stats_collector *c, size_t i, enum cg_ctrl ctrl, char *buf,
		    size_t len);
/* The group as cgops takes it: its directory in each hierarchy holding it
 * (written into bufs), whether that is the unified tree, the mount, and on
 * v1 a controller the mount holds (MAP_V1_FREEZER where it holds that). */
void stats_group_cgdirs(const struct stats_collector *c, size_t i, struct cg_dirs *out,
			char (*bufs)[4096]);
/* Files kept open, files read with open/read/close for want of fds. */
void stats_fd_usage(const struct stats_collector *c, size_t *kept, size_t *fallback_reads);
/* The last figures of group i (stats_ring), or NULL. */
const struct stats_ring *stats_group_ring(const struct stats_collector *c, size_t i);

/* ---- replay: samples given instead of read (stats.c) ---- */

/* One group's raw values as a history holds them (history.h's hist_group). */
struct stats_feed_group {
	const char *path;        /* "" for the root, "a/b" */
	struct stats_sample s;
};
/* A collector that reads no file: its groups and samples come from
 * stats_feed(); the view, the rows and the printers are the same. ncpu:
 * for the CPU% of the machine. */
struct stats_collector *stats_open_replay(const struct stats_opts *o, unsigned ncpu, cg_err *e);
/* One sample of every group, taken at time_us: the groups are those given
 * (below opts.start; the top made up, without values, when absent), each
 * row computed from its previous fed sample (stats_compute). Groups not
 * given are dropped. */
int stats_feed(struct stats_collector *c, uint64_t time_us, const struct stats_feed_group *g,
	       size_t n, cg_err *e);
/* The next stats_feed() starts afresh: no rates, empty rings (a jump in time). */
void stats_feed_forget(struct stats_collector *c);
bool stats_is_replay(const struct stats_collector *c);
/* A time as journalctl takes it, in local time: "HH:MM[:SS]" (today),
 * "YYYY-MM-DD [HH:MM[:SS]]", "10m ago" (s, m, h, d, w; "1h 30m ago"),
 * "now", "today", "yesterday", "@SECONDS"; now is the clock's. In
 * microseconds since the epoch; -1 (EINVAL, the forms in the message). */
int stats_time_parse(const char *s, time_t now, uint64_t *out_us, cg_err *e);

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
	uint64_t start;      /* start time, field 22 of /proc/PID/stat (clock ticks after boot) */
	char user[24];
	char cmd[200];
};

struct stats_procs {
	struct stats_proc *p;
	size_t n, cap;
	uint64_t t_prev_ns;
};

/* Reads the processes of g (cgops; and of the groups below when
 * recursive), then their /proc entries; cpu% from the previous read of the
 * same list. A process that exits meanwhile is left out. */
int stats_procs_read(struct stats_procs *ps, const struct cg_dirs *g, bool recursive, cg_err *e);
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
	/* The text of a UNIT_TEXT column (COL_PENALTY) for g, into buf; false
	 * or NULL: none ("-", JSON null). */
	bool (*text)(void *data, const struct stats_group *g, enum stats_col col, char *buf,
		     size_t len);
	void *text_data;
	uint64_t time_us;         /* a replayed frame: when it was recorded (0: live) */
	const char *const *events;   /* and the actions recorded with it */
	size_t n_events;
};
/* The text of column col for g under the frame (UNIT_TEXT columns); false: none. */
bool stats_frame_text(const struct stats_frame *f, const struct stats_group *g, enum stats_col col,
		      char *buf, size_t len);
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
/* Whether the current locale (LC_CTYPE) is UTF-8. */
bool stats_locale_utf8(void);
/* s as a JSON string, quotes included: control characters escaped, and each
 * byte that is not part of valid UTF-8 written as \ufffd. */
void stats_json_string(FILE *out, const char *s);
void stats_print_text(const struct stats_frame *f, FILE *out);
void stats_print_json(const struct stats_frame *f, FILE *out);

#endif
