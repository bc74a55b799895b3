/* cgtop's state and its data (data.c), shared by the loops (main.c), the
 * screen (screen.h), the key bindings (keys.h) and the actions on groups
 * (actions.h). The numbers come from the library's collector (src/stats/stats.h);
 * this directory only draws them and acts on keys. */
#ifndef CGTOP_H
#define CGTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "penalty_view.h"
#include "stats.h"

enum cgtop_mode { MODE_GROUPS, MODE_PROCS, MODE_HELP, MODE_DETAIL };
/* The sparkline column: CPU%, memory, none (s cycles). */
enum cgtop_spark { SPARK_CPU, SPARK_MEM, SPARK_OFF };

struct hist_reader;

struct cgtop {
	/* options */
	double interval;          /* seconds */
	long iterations;          /* -n; 0: until q */
	int depth;                /* --depth; -1: all */
	const char *start;        /* group path to start from / -p */
	const char *profiles;     /* --profiles: the directory C offers, or NULL */
	bool batch, json;
	bool metrics, openmetrics;  /* --format prometheus / openmetrics: once */
	size_t max_series;        /* --max-series; 0: the renderer's default */
	bool no_skip;             /* --no-skip: every file at every refresh */
	uint32_t cols;
	uint32_t read_cols;       /* columns the collector reads (those that fit) */
	const char *state_path;   /* cgkitd's state file (--cgkitd-state, CGKIT_STATE) */

	/* data */
	struct cg_layout layout;
	struct stats_collector *c;
	struct stats_host host;
	double refresh_ms;
	uint32_t *order, *scratch;
	size_t order_cap, n_order;
	struct stats_view_opts view;
	char filter[256];
	bool machine_pct, mem_raw, paused;
	struct penalty_view pen;  /* cgkitd's penalties, read when the file changes */
	uint64_t now_us;          /* wall clock of the last refresh (penalty time left) */

	/* screen */
	enum cgtop_mode mode;
	size_t sel, top;          /* selected row and first row shown */
	char sel_path[4096];      /* selection follows the group when rows move */
	struct stats_procs procs;
	uint32_t *proc_order;
	int proc_sort;            /* 'c' cpu, 'm' rss, 'p' pid, 'n' command */
	bool proc_reverse;
	char proc_group[4096];    /* path of the group whose processes are shown */
	long proc_group_idx;
	enum cgtop_spark spark;
	char detail_path[4096];   /* d: the group whose graphs are shown */
	char msg[512];            /* one line for the user, shown until the next key */
	bool quit;

	/* replay (replay.c): frames of a history instead of the kernel's files */
	const char *replay_dir;   /* --replay DIR, or NULL: live */
	uint64_t since_us, until_us;   /* --since, --until; 0: none */
	struct hist_reader *hr;
	uint64_t replay_first, replay_last;   /* the frames shown may be these and between */
	uint64_t replay_us;       /* time of the frame shown */
	bool playing;             /* space: the frames go by at the recorded pace */
	struct stats_feed_group *feed;
	size_t feed_cap;
	char event[512];          /* the last action recorded at the frame shown */
	uint64_t event_us;
	size_t n_events;          /* recorded at the frame shown */
	const char *const *frame_events;   /* batch: the frame's events, while printed */
};

/* What a key or an action changed: what the loop redoes before it draws
 * again (it always draws after a key). */
enum {
	CGTOP_VIEW = 1,     /* the rows to show (sort, filter, tree) */
	CGTOP_PROCS = 2,    /* the process list, read afresh (it was opened) */
};

/* data.c */
/* Sets the one-line message shown in the bottom bar. */
void cgtop_say(struct cgtop *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cgtop_refresh(struct cgtop *t);
void cgtop_build_view(struct cgtop *t);
struct stats_frame cgtop_frame(const struct cgtop *t);
/* The selected group's index, or -1. */
long cgtop_selected_group(const struct cgtop *t);
/* The collector reads only the files these columns need. */
void cgtop_read_cols(struct cgtop *t, uint32_t cols);
/* The processes of the group opened (t->proc_group), and their order. */
void cgtop_read_procs(struct cgtop *t);
void cgtop_sort_procs(struct cgtop *t);
/* cgkitd's state file read again if it changed (one stat() a refresh). */
void cgtop_read_penalties(struct cgtop *t);
/* The penalties on process p, into buf; false: none. */
bool cgtop_proc_penalty(const struct cgtop *t, const struct stats_proc *p, char *buf, size_t len);

/* replay.c */
/* Opens --replay's directory; the frames shown are those --since/--until allow. */
int cgtop_replay_open(struct cgtop *t, cg_err *e);
void cgtop_replay_close(struct cgtop *t);
/* Shows the frame at or after at_us (within the range), with the frames
 * before it fed first (rates, sparklines). */
int cgtop_replay_goto(struct cgtop *t, uint64_t at_us, cg_err *e);
/* One frame forward (dir > 0) or back: 1, 0 at the end of the range, -1. */
int cgtop_replay_step(struct cgtop *t, int dir, cg_err *e);
/* Batch: every frame of the range (at most -n), print() after each. */
int cgtop_replay_frames(struct cgtop *t, int (*print)(struct cgtop *t), cg_err *e);
/* Playing: the next frame (stops at the end, with a message). */
void cgtop_replay_play(struct cgtop *t);
/* Local time "YYYY-MM-DD HH:MM:SS". */
void cgtop_time_text(uint64_t us, char *buf, size_t len);

#endif
