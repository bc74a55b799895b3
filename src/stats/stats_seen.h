/* Which groups hold a thread, for the collector (stats.c): every thread's
 * /proc/PID/task/TID/cgroup, read once. In a big tree most groups are
 * empty, and the threads of a host are far fewer than its groups: one pass
 * over /proc then tells the groups whose cgroup.procs is empty without
 * reading it. Only a group that holds no thread is ever called empty (a
 * hash that collides says "holds one": its file is read), and the pass
 * gives up, so that every cgroup.procs is read, whenever /proc might not
 * show every thread cgroup.procs would list. */
#ifndef CGKIT_STATS_SEEN_H
#define CGKIT_STATS_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A hierarchy as /proc/PID/cgroup names it. */
struct stats_seen_hier {
	const char *ctrl;    /* v1: a controller its line lists ("cpuacct"); v2: NULL */
	const char *root;    /* the part of the hierarchy its mount shows ("/") */
};

struct stats_seen {
	uint64_t *tab;       /* hashes of (hierarchy, relative path), 0 for empty */
	size_t cap, n;
};

/* Threads on the host (/proc/loadavg), 0 when unknown. */
unsigned long stats_seen_threads(void);
/* Reads every thread's groups in the nh hierarchies. 0, or -1 when it cannot
 * tell (not root, another pid namespace's /proc, a line it cannot parse, no
 * memory): then nothing is known. */
int stats_seen_read(struct stats_seen *s, const struct stats_seen_hier *h, size_t nh);
/* Whether a thread was seen in the group at rel ("" or "a/b") of hierarchy h. */
bool stats_seen_has(const struct stats_seen *s, size_t h, const char *rel);
void stats_seen_free(struct stats_seen *s);

#endif
