/* One process's facts and measures, read from /proc (cg_proc_root) only for
 * the pids the daemon asks about and only the files it asks for. The stat
 * file (ppid, start time, comm, kernel thread, cpu time, RSS, threads) is
 * cgops' reader; the rest (ids, exe, io, cgroups) is here.
 *
 * A process that exits while it is read gives -1 with ESRCH: the caller
 * drops it quietly. */
#ifndef CGKIT_PROC_H
#define CGKIT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgops.h"
#include "err.h"

enum {
	PROC_STAT = 1,     /* ppid, start, comm, kthread, cpu_ns, rss_bytes, threads: one read */
	PROC_UIDS = 2,     /* ruid, euid: /proc/PID/status */
	PROC_EXE = 4,      /* exe: readlink /proc/PID/exe */
	PROC_IO = 8,       /* io_bytes: /proc/PID/io (root only; have_io false otherwise) */
	PROC_CGROUP = 16,  /* cgroup: the text of /proc/PID/cgroup */
};

struct proc_info {
	pid_t pid;
	unsigned have;              /* PROC_* read */
	/* PROC_STAT */
	pid_t ppid;
	unsigned long long start;   /* clock ticks after boot (field 22) */
	char comm[16];
	bool kthread;
	uint64_t cpu_ns;            /* utime + stime, cumulative */
	uint64_t rss_bytes;
	unsigned threads;
	/* PROC_UIDS */
	uid_t ruid, euid;
	/* PROC_EXE: malloc'd; NULL for a kernel thread or one whose exe cannot
	 * be read; a deleted file keeps its path and " (deleted)" */
	char *exe;
	/* PROC_IO: read_bytes + write_bytes (storage, not pipes or caches) */
	bool have_io;
	uint64_t io_bytes;
	/* PROC_CGROUP: malloc'd, as the kernel writes it */
	char *cgroup;
};

/* Reads what `what` asks for. 0, or -1 (ESRCH: gone; then nothing is held). */
int proc_info_read(pid_t pid, unsigned what, struct proc_info *out, cg_err *e);
void proc_info_free(struct proc_info *p);

/* The single readers, for callers that want one fact. */
int proc_uids(pid_t pid, uid_t *ruid, uid_t *euid, cg_err *e);
/* The resolved exe into buf; 0, or -1 (ESRCH gone; ENOENT: a kernel thread
 * or a zombie, which have none; EACCES: not ours to read). */
int proc_exe(pid_t pid, char *buf, size_t len, cg_err *e);
/* 1 read, 0 not available (no permission, no task io accounting), -1 (ESRCH). */
int proc_io_bytes(pid_t pid, uint64_t *bytes, cg_err *e);
/* Clock ticks -> ns (sysconf(_SC_CLK_TCK)). */
uint64_t proc_ticks_ns(unsigned long long ticks);

/* Pure: "Uid:\t1000\t1000\t1000\t1000" of a status text. 0 or -1. */
int proc_parse_uids(const char *status, uid_t *ruid, uid_t *euid);
/* Pure: read_bytes + write_bytes of an io text. 0 or -1. */
int proc_parse_io(const char *io, uint64_t *bytes);

/* Pure: the lines of a /proc/PID/cgroup text one by one ("4:cpu,cpuacct:/a",
 * "0::/a"): *cur starts at the text; 1 with a line (ctrls "" for the
 * unified one; pointers into scratch), 0 at the end. */
struct proc_cgline {
	unsigned id;
	const char *ctrls;   /* "cpu,cpuacct", "" */
	const char *path;    /* "/a" */
};
int proc_cgroup_next(const char **cur, struct proc_cgline *line, char *scratch, size_t len);
/* Pure: is the process, in any hierarchy, in group prefix or below it
 * (prefix "/system.slice" takes "/system.slice/x.service", not
 * "/system.slice2")? */
bool proc_cgroup_under(const char *text, const char *prefix);

#endif
