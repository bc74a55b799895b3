/* Seeing processes: the kernel's process-event connector (netlink,
 * CN_IDX_PROC), and the scan of /proc that stands in for it where it is not
 * there (a user or pid namespace other than the host's, an old kernel
 * without root) and after a lost message.
 *
 * procev_open() subscribes and waits for the kernel's answer to the
 * subscription: a kernel that ignores it (another namespace) sends none, so
 * the open fails with a reason instead of staying silent for ever. The fd
 * goes into the caller's poll loop; procev_read() decodes what is there. */
#ifndef CGKIT_PROCEV_H
#define CGKIT_PROCEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum procev_type {
	PROCEV_FORK,   /* a new process (thread: a new thread of ptgid's process) */
	PROCEV_EXEC,
	PROCEV_UID,    /* ruid/euid changed */
	PROCEV_EXIT,   /* thread: one thread of a process that goes on */
	PROCEV_COMM,   /* the command name changed (prctl PR_SET_NAME of the main thread) */
};

struct procev {
	enum procev_type type;
	uint64_t ts_ns;       /* when, the kernel's CLOCK_MONOTONIC */
	pid_t pid, tgid;      /* the thread and its process (FORK: the child) */
	bool thread;          /* pid != tgid: a thread, not a process; callers ignore it */
	pid_t ppid, ptgid;    /* FORK, EXIT: the parent thread and process */
	uid_t ruid, euid;     /* UID */
	int exit_code;        /* EXIT: the wait status (exit_code << 8 or signal) */
	int exit_signal;      /* EXIT: what the parent is sent (SIGCHLD) */
	char comm[16];        /* COMM */
};

/* Pure: the events of one netlink datagram (any number of messages), at
 * most max of them into ev. Other connectors' messages, the kernel's
 * acknowledgements and events cgkit does not use (GID, SID, PTRACE,
 * COREDUMP) are skipped. Returns how many were written. */
size_t procev_decode(const void *buf, size_t len, struct procev *ev, size_t max);

struct procev_src;

/* Subscribes, sets a large receive buffer (SO_RCVBUFFORCE as root), and
 * waits up to timeout_ms (0: 500) for the kernel's acknowledgement. -1
 * with a reason when events cannot be had: no connector (EPROTONOSUPPORT),
 * refused (EPERM: not root on a kernel before 6.6), ignored (ENOTSUP: a
 * user or pid namespace other than the host's). Events that arrive while
 * it waits are kept for the first procev_read(). */
int procev_open(struct procev_src **out, int timeout_ms, cg_err *e);
/* Non-blocking; poll it for POLLIN. */
int procev_fd(const struct procev_src *s);
/* What is there to read now, at most max events: returns how many (0:
 * nothing more now). *lost is set true when the kernel dropped messages
 * since the last read (ENOBUFS: the receive buffer overflowed): the caller
 * rescans /proc. -1 on another error. */
ssize_t procev_read(struct procev_src *s, struct procev *ev, size_t max, bool *lost, cg_err *e);
/* Messages lost so far (ENOBUFS seen), and the receive buffer the kernel
 * gave (bytes). */
unsigned long procev_lost(const struct procev_src *s);
int procev_rcvbuf(const struct procev_src *s);
void procev_close(struct procev_src *s);

/* ---- the scan of /proc (cg_proc_root) ---- */

enum {
	PROCSCAN_UID = 1,   /* ruid, euid (/proc/PID/status) */
	PROCSCAN_EXE = 2,   /* exe (readlink /proc/PID/exe) */
};
struct procscan_ent {
	pid_t pid, ppid;
	unsigned long long start;   /* field 22 of stat: tells a reused pid apart */
	char comm[16];
	uid_t ruid, euid;           /* PROCSCAN_UID, else (uid_t)-1 */
	char *exe;                  /* PROCSCAN_EXE: the resolved path (" (deleted)" kept),
				     * NULL when unreadable */
};
struct procscan {
	struct procscan_ent *v;
	size_t n, cap;
};
/* Every process of /proc but kernel threads: one read of stat each, and
 * what `what` asks for. A process that exits meanwhile is left out. */
int procev_scan(struct procscan *out, unsigned what, cg_err *e);
void procscan_free(struct procscan *s);

#endif
