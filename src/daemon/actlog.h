/* cgkitd's action log and notify command (the rules spec's "The action
 * log"): one JSON object a line, appended with O_APPEND in one write,
 * BEFORE the action is taken; the notify command (the rule's, else the
 * top-level one) gets the same line on its stdin, is killed after
 * ACTLOG_NOTIFY_TIMEOUT_US, and its failure is logged, never fatal. The
 * daemon's loop polls the children's pidfds (actlog_fds) and calls
 * actlog_reap; nothing here blocks. */
#ifndef CGKIT_ACTLOG_H
#define CGKIT_ACTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "judge.h"

#define ACTLOG_NOTIFY_TIMEOUT_US (5ULL * 1000000)
#define ACTLOG_CHILDREN_MAX 32

/* One action, as the log says it. Strings may be NULL (written null). */
struct actlog_entry {
	uint64_t time;	    /* us since the epoch */
	const char *action; /* "cap", "move", ...; a dry run prefixes "would-" */
	const char *rule;
	const char *scope; /* "user", "process" */
	const char *user;
	uid_t uid;
	pid_t pid; /* 0: none (scope user) */
	const char *comm, *exe;
	unsigned offence;
	double measures[JM_N]; /* NAN: not a measure of `when` */
	const char *limits;    /* JSON object text of the penalty's limits, or NULL */
	uint64_t until;	       /* 0: null */
	const char *groups;    /* comma-separated group paths */
	const char *why;       /* release, forgive: the reason; NULL: none */
	const char *error;     /* the action failed: why */
};

struct actlog_child {
	pid_t pid;
	int pidfd;
	uint64_t deadline;
	bool killed;
	char cmd[256];
};

struct actlog {
	char *path;
	int fd;
	bool dry_run;
	struct actlog_child kids[ACTLOG_CHILDREN_MAX];
	size_t n_kids;
};

/* Opens (creating, with its directory) the log. -1 with e. */
int actlog_open(struct actlog *lg, const char *path, bool dry_run, cg_err *e);
void actlog_close(struct actlog *lg);
/* The JSON line (with '\n') for an entry, malloc'ed, or NULL. */
char *actlog_format(const struct actlog *lg, const struct actlog_entry *en);
/* Writes the line; runs notify (NULL: none) with it on stdin. A failed
 * write or notify is said on stderr, never fatal. Also prints one line to
 * stderr (the journal). */
void actlog_write(struct actlog *lg, const struct actlog_entry *en, const char *notify);
/* The children's pidfds into fds (at most max); returns how many. */
size_t actlog_fds(const struct actlog *lg, int *fds, size_t max);
/* Reaps the children that ended, kills those past their deadline; now in
 * us (wall clock). Returns the earliest deadline left (0: none). */
uint64_t actlog_reap(struct actlog *lg, uint64_t now);

#endif
