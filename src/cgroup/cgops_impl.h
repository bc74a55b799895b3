/* What the cgroup-operations files share (cgops_proc.c processes from /proc,
 * cgops_list.c a group's processes and children, cgops_move.c moving,
 * cgops_signal.c freezing, signals and kill-all, cgops_remove.c removing).
 * Internal to that layer: everyone else includes cgops.h. */
#ifndef CGKIT_CGOPS_IMPL_H
#define CGKIT_CGOPS_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgops.h"

void cgops_sleep_ms(long ms);
long cgops_now_ms(void);

/* Adds id to s unless it holds it already; -1 (ENOMEM) on no memory. */
int cgops_ids_add(struct cg_ids *s, pid_t id);

/* The thread ids of pid, added to out; -1 with ESRCH when it is gone. */
int cgops_read_tids(pid_t pid, struct cg_ids *out);

/* Is the process (still) in dir of hierarchy h, or below it? Unknown
 * (no mount given) counts as yes. */
bool cgops_proc_in(pid_t pid, const struct cg_hdir *h);

/* The ids in dir/file, one a line, added to out; a directory that is gone
 * adds nothing. -1 with errno. */
int cgops_read_ids(const char *dir, const char *file, struct cg_ids *out);

/* Writes id to dir/file (a move); -1 with errno. */
int cgops_write_id(const char *dir, const char *file, pid_t id);

#endif
