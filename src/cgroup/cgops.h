/* Operations on a group's processes, in every hierarchy the group lives in:
 * list its processes and threads, move a process with all of its threads
 * (and its descendants) in, freeze and thaw, signal or kill everything in
 * it, remove it and wait for the kernel to let it go. The one place that
 * does these things; the engine, the launcher, cgtop and the daemon call it.
 *
 * Everything takes directories (struct cg_dirs), never a layout, so the same
 * code runs against the real mount and against a fake tree in a unit test;
 * kernel file names come from mapping.h, system calls a test must fail go
 * through sys.h. Errors come back in a cg_err; nothing is printed here. */
#ifndef CGKIT_CGOPS_H
#define CGKIT_CGOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "layout.h"

#define CG_MAX_HIER (CTRL_COUNT + 1)

/* One group, seen in each hierarchy that holds it. Nothing is owned. */
struct cg_hdir {
	const char *dir;     /* the group's directory in this hierarchy */
	bool v2;             /* the hierarchy is the unified one */
	/* For finding where a process is (rollback, membership checks): the
	 * hierarchy's mount point, and on v1 one controller it holds as
	 * /proc/PID/cgroup names it ("cpu", "freezer"). NULL: not known. */
	const char *mount;
	const char *ctrl;
	/* The part of the hierarchy the mount shows (mountinfo's root field:
	 * "/x" for a bind mount of a subtree); NULL or "/": all of it. */
	const char *root;
};
struct cg_dirs {
	size_t n;
	struct cg_hdir h[CG_MAX_HIER];
	/* v1, when no hierarchy of the group freezes (its ctrl is not
	 * "freezer"): a group of the freezer hierarchy cg_kill_all() may make
	 * and remove again to freeze a fork loop in; NULL: none. */
	const char *spare_freezer;
};

/* Where /proc is; unit tests point it at a fake one. */
extern const char *cg_proc_root;

/* A process as a caller recorded it: a pid is reused once its process is
 * gone, the start time (field 22 of /proc/PID/stat) tells the two apart.
 * start 0: not recorded, the pid is taken as it is. */
struct cg_proc {
	pid_t pid;
	unsigned long long start;
};
/* The fields of /proc/PID/stat that cgkit reads (man 5 proc numbers them). */
struct cg_proc_stat {
	pid_t ppid;                     /* 4 */
	char state;                     /* 3: R S D Z T ... */
	char comm[16];                  /* 2, without the parentheses */
	unsigned long flags;            /* 9: PF_*; CG_PF_KTHREAD marks a kernel thread */
	unsigned long long utime, stime;   /* 14, 15: clock ticks */
	long threads;                   /* 20 */
	unsigned long long start;       /* 22: clock ticks after boot */
	long rss_pages;                 /* 24: the resident set (statm's second field) */
};
#define CG_PF_KTHREAD 0x00200000UL
/* Pure: the fields from the text of a stat file (the command may hold spaces
 * and parentheses: it ends at the last ')'). 0, or -1 when it is not one. */
int cg_proc_stat_parse(const char *text, struct cg_proc_stat *out);
/* Reads and parses /proc/PID/stat; -1 (ESRCH) when the process is gone. */
int cg_proc_stat(pid_t pid, struct cg_proc_stat *out, cg_err *e);
/* The text of /proc/PID/<file> (NUL-terminated, cut at len-1), its length,
 * or -1 with errno (ESRCH when the process is gone). */
ssize_t cg_proc_read(pid_t pid, const char *file, char *buf, size_t len);
/* Records pid's start time. -1 (ESRCH) when there is no such process. */
int cg_proc_get(pid_t pid, struct cg_proc *out, cg_err *e);
/* Is the recorded process still there (and not a reused pid)? */
bool cg_proc_alive(const struct cg_proc *p);

/* A set of pids or tids, each once. */
struct cg_ids {
	pid_t *v;
	size_t n, cap;
};
void cg_ids_free(struct cg_ids *s);
bool cg_ids_has(const struct cg_ids *s, pid_t id);

/* What cg_procs_list() lists. */
enum {
	CG_LIST_THREADS = 1,     /* threads (v1 tasks, v2 cgroup.threads), not processes */
	CG_LIST_RECURSIVE = 2,   /* and those of every group below */
};
/* The processes (or threads) of one directory, added to out. A directory
 * that is gone adds nothing. */
int cg_procs_read(const char *dir, bool v2, unsigned flags, struct cg_ids *out, cg_err *e);
/* The same over every hierarchy of g, each pid once. */
int cg_procs_list(const struct cg_dirs *g, unsigned flags, struct cg_ids *out, cg_err *e);
/* The child groups of dir (names, sorted); *names NULL-terminated, free with
 * cg_names_free. A directory that is gone has none. */
int cg_children(const char *dir, char ***names, size_t *n, cg_err *e);
void cg_names_free(char **names);
/* The descendants of pid (children, their children...), breadth first, from /proc. */
int cg_proc_descendants(pid_t pid, struct cg_ids *out, cg_err *e);
/* The command name of pid (/proc/PID/comm), "?" when it is gone. */
void cg_proc_comm(pid_t pid, char *out, size_t len);
/* The threads of pid, from /proc/PID/task. -1 (ESRCH) when it is gone. */
int cg_proc_threads(pid_t pid, struct cg_ids *out, cg_err *e);
/* Does dir hold a process itself (not below)? 1 yes, 0 no or gone, -1. The
 * cheap check: one small read. */
int cg_has_procs(const char *dir, bool v2, cg_err *e);

/* Where a process is: its directory in each hierarchy of g (a path below
 * g->h[i].mount, from /proc/PID/cgroup). Needs mount (and ctrl on v1). */
struct cg_where {
	size_t n;
	char *dir[CG_MAX_HIER];
};
int cg_proc_where(pid_t pid, const struct cg_dirs *g, struct cg_where *out, cg_err *e);
void cg_where_free(struct cg_where *w);

enum {
	CG_MOVE_DESCENDANTS = 1,   /* its children and theirs too, also those forked meanwhile */
	CG_MOVE_ROLLBACK = 2,      /* a failure puts back every process already moved */
};
/* Moves the process into g in every hierarchy: its pid into cgroup.procs,
 * then on v1 each thread of /proc/PID/task that is not yet in `tasks` on its
 * own, again until no new thread (or descendant) shows up. A process that
 * exits meanwhile is no error; one whose start time no longer matches p is
 * not touched. Returns how many processes were moved (0: it was gone), or
 * -1: then with CG_MOVE_ROLLBACK each process moved so far is back where
 * it was (read from /proc/PID/cgroup first; needs mount and ctrl in g). */
int cg_move_process(const struct cg_dirs *g, const struct cg_proc *p, unsigned flags, cg_err *e);

/* Moves every process of the directory `from` (in to's hierarchy) into
 * to->dir, again while new ones appear: what emptying a group before
 * removing it takes. On v2 a group with controllers enabled for its
 * children holds no process (EBUSY): then the nearest group above to->dir
 * that takes it, down to to->mount. 0, or -1 (EBUSY when they keep
 * coming). */
int cg_move_all(const char *from, const struct cg_hdir *to, cg_err *e);

/* Freezes every process of the group (and of the groups below): v1 through
 * the hierarchy whose ctrl is "freezer" (FROZEN, then waits until it reads
 * so), v2 through cgroup.freeze (waits for "frozen 1" in cgroup.events).
 * Gives up after timeout_ms, thaws again and says what it saw. ENOTSUP when
 * g has no freezer. */
int cg_freeze(const struct cg_dirs *g, int timeout_ms, cg_err *e);
int cg_thaw(const struct cg_dirs *g, int timeout_ms, cg_err *e);
/* 1 frozen, 0 thawed, 2 in between; -1 when g has no freezer or it is unreadable. */
int cg_frozen(const struct cg_dirs *g, cg_err *e);

/* Sends sig to one recorded process, through a pidfd where the kernel has
 * them (the start time is checked on the pidfd: no reused pid is hit), else
 * kill(2). Returns 1 sent, 0 gone, -1 (e.g. EPERM). */
int cg_signal_proc(const struct cg_proc *p, int sig, cg_err *e);
struct cg_signal_count {
	size_t sent, gone, denied;
};
/* Sends sig to every process of the group (CG_LIST_RECURSIVE: and below).
 * Each pid read from cgroup.procs is opened as a pidfd and checked to be in
 * the group still before the signal goes. A process that refuses (EPERM) is
 * counted, not an error. -1 only when the group cannot be read. */
int cg_signal_all(const struct cg_dirs *g, int sig, unsigned flags, struct cg_signal_count *c,
		  cg_err *e);
/* Kills every process of the group (and below) and waits, up to
 * timeout_ms, until it is empty: v2 cgroup.kill; v1 rounds of SIGKILL, and
 * when processes keep forking, freeze (g's freezer), kill, thaw; with no
 * freezer in g, its processes are moved into g->spare_freezer (made here and
 * removed again) and frozen, killed and thawed there. */
int cg_kill_all(const struct cg_dirs *g, int timeout_ms, cg_err *e);

/* rmdir, retried on EBUSY with a growing pause up to timeout_ms (the kernel
 * lets a group go a little after its last process died). A group that is
 * gone already is fine. On giving up the error says what is still inside. */
int cg_remove_wait(const char *dir, int timeout_ms, cg_err *e);
/* The same in every hierarchy of g, within one timeout_ms for all; each is
 * tried, the first error is kept. */
int cg_remove_group(const struct cg_dirs *g, int timeout_ms, cg_err *e);

#endif
