/* What cgtop shows of cgkitd's state (state.h): which groups and processes
 * are under a penalty, as a label "RULE#TIER LEFT" ("cpu-hog#2 14m").
 *
 * The state file says who is penalised (a uid, or a pid and its start time),
 * not where: the groups are found by cgkitd's naming (docs/cgkitd.8), the
 * actor's record is not read. A group is under a penalty when its path
 *   - ends in penalty/RULE/PID and the state has a penalty of scope process
 *     of that rule on that pid (the group cgkitd moved the process into);
 *   - ends in users/NAME and NAME is the name of a uid under a penalty of
 *     scope user, or ends in user-UID.slice (an adopted group).
 * A process is under a penalty when the state lists its pid, and its start
 * time when both are known.
 *
 * penalty_view_update() is the only part that does I/O: one stat() of the
 * file per call, a read (and getpwuid() per user entry) only when the file
 * changed. The rest is pure, and costs nothing when no penalty runs. */
#ifndef CGKIT_PENALTY_VIEW_H
#define CGKIT_PENALTY_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"
#include "state.h"

#define PENALTY_STATE_DEFAULT "/var/lib/cgkit/state.json"

struct penalty_view {
	struct state st;
	char **users;	  /* per entry of st: the name of a scope-user entry's uid, or NULL */
	size_t penalised; /* entries with a running penalty */
	/* the file as last read */
	bool present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

void penalty_view_init(struct penalty_view *v);
void penalty_view_free(struct penalty_view *v);
/* Takes st over (it is emptied) and names the users with getpwuid(). -1: no
 * memory (the view is empty then). */
int penalty_view_set(struct penalty_view *v, struct state *st);
/* Reads path again when it changed (device, inode, size or mtime) since the
 * last call. An absent file is an empty view, no error. 0: unchanged;
 * 1: read again; -1: damaged or unreadable, the view is empty, e says why. */
int penalty_view_update(struct penalty_view *v, const char *path, cg_err *e);

/* Pure. One penalty as shown: "RULE#TIER LEFT" (TIER counts from 1; LEFT
 * "45s", "14m", "3h", "2d"; none for a penalty with no end). */
void penalty_label(const struct judge_entry *e, uint64_t now_us, char *buf, size_t len);
/* The penalties on the group (path relative to the mounts: "a/b"), their
 * labels joined by ", " into buf ("" for none). Returns how many. */
size_t penalty_view_group(const struct penalty_view *v, const char *path, uint64_t now_us,
			  char *buf, size_t len);
/* The same for a process; start 0: not known (any start matches). */
size_t penalty_view_proc(const struct penalty_view *v, pid_t pid, uint64_t start, uint64_t now_us,
			 char *buf, size_t len);

#endif
