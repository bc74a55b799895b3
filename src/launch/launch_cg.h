/* The cgroup side of a launch: the group is applied and the launch's leaf
 * `<group>/run-<PID>` created and joined under one lock, so that launches of
 * one profile that start and end in any order never race; at the end the
 * leaf is emptied and removed, and the group too when a launch created it and
 * no other launch uses it.
 *
 * Groups that a launch (or --pid) creates carry the mark "launch" (mark.h)
 * on their directory in every hierarchy: that is how the end of a launch and
 * `cgrun --gc` recognise a group they may remove, without writing anything
 * into groups cgkit did not create. A group made with `cgrun --apply` has no
 * mark (policy_adopt) and is never removed by a launch. */
#ifndef CGKIT_LAUNCH_CG_H
#define CGKIT_LAUNCH_CG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgops.h"
#include "diag.h"
#include "err.h"
#include "layout.h"
#include "mapping.h"
#include "mark.h"
#include "plan.h"
#include "profile.h"

#define LAUNCH_LOCK_DIR "/run/cgkit"
#define LAUNCH_LOCK_FILE LAUNCH_LOCK_DIR "/groups.lock"
/* Where the lock is: LAUNCH_LOCK_DIR; unit tests point it elsewhere. */
extern const char *launch_lock_dir;
#define LAUNCH_MAX_HIER (CTRL_COUNT + 1)

struct launch_cg {
	size_t n;                          /* hierarchies the group lives in */
	char *top[LAUNCH_MAX_HIER];        /* the profile's group, per hierarchy */
	char *group[LAUNCH_MAX_HIER];      /* the group launched into (top, or -g child) */
	char *leaf[LAUNCH_MAX_HIER];       /* group/run-PID */
	bool v2[LAUNCH_MAX_HIER];          /* the hierarchy is the unified one */
	unsigned ctrls[LAUNCH_MAX_HIER];   /* 1 << cg_ctrl held by each hierarchy */
	const struct cg_layout *layout;    /* not owned */

	bool created;                      /* this launch's apply created the group */
	bool unmarkable;                   /* ... and could not mark it (no xattrs) */
	bool flat;                         /* the profile's group has no children */
	bool parent_self;                  /* the group is below the caller's own */
	int lock_fd;

	/* The profile without the command line's resource overrides, and those
	 * overrides as given ("--cpu 90% --pids max"), or NULL when there are
	 * none (not owned). An override that would change a group that exists
	 * and was applied (no launch mark) or is in use (another launch's leaf,
	 * processes) is refused: it would change the group for good, or under
	 * another launch's feet. */
	const struct profile *base;
	const char *overrides;
};

void launch_cg_init(struct launch_cg *c);
void launch_cg_free(struct launch_cg *c);

/* The leaf of controller `ctrl`, or NULL when the group is not in its
 * hierarchy. */
const char *launch_cg_leaf(const struct launch_cg *c, enum cg_ctrl ctrl);
const char *launch_cg_group(const struct launch_cg *c, enum cg_ctrl ctrl);

/* A launch (and --pid): applies the profile (tried again on ENOENT: the
 * group removed under us by someone else) and
 * returns with the lock held (c->lock_fd), so that the group stays until the
 * command has moved into its leaf. A child cloned with the lock's file
 * descriptor shares the lock; it is free again when all have closed it.
 *
 * cgrun makes the leaves (launch_cg_make_leaves) while the child sets up
 * what needs no cgroup; the command then moves itself in
 * (launch_cg_open_leaves, launch_cg_join_fds). Why it moves itself rather
 * than have cgrun write its pid to cgroup.procs: a process that moves
 * itself, one thread ("0" to v1 `tasks`), skips the global
 * cgroup_threadgroup_rwsem write lock, whose RCU grace period made each
 * launch's first cgroup.procs write cost 12.7 ms against 1.1 ms on the test
 * host (v1). Either way nothing of the command runs before it is in its leaf
 * in every hierarchy. */
int launch_cg_prepare(struct launch_cg *c, const struct profile *p, const struct cg_layout *l,
		      const struct plan_opts *po, const char *child, struct diags *d, cg_err *e);
/* Names the leaves after the child's pid, for the end of the launch. */
int launch_cg_set_pid(struct launch_cg *c, pid_t pid, cg_err *e);
/* In cgrun, once the child is cloned: makes its leaf run-<pid> in every
 * hierarchy (an existing one is fine), while the child sets up what needs
 * no cgroup path (hostname, lo); a mkdir per hierarchy costs 20 to 50 us. */
int launch_cg_make_leaves(const struct launch_cg *c, cg_err *e);
/* In the child, once cgrun has made the leaves: opens the file of the leaf
 * run-<host_pid> in every hierarchy that moves a process in (v1 tasks, v2
 * cgroup.procs; fds: one per hierarchy), while the host's /sys/fs/cgroup is
 * still in view. Returns 0, or -1 with the reason in why. */
int launch_cg_open_leaves(const struct launch_cg *c, pid_t host_pid, int *fds, char *why, size_t len);
/* Moves the calling process in through those files ("0") and closes them:
 * the command itself (the tiny init of a pid namespace opens them and stays
 * out). Returns 0, or -1 with the reason in why. */
int launch_cg_join_fds(const struct launch_cg *c, int *fds, char *why, size_t len);

/* Kills whatever is left in the leaf (v2 cgroup.kill; on v1 a kill loop,
 * then freeze, kill, thaw through the v1 freezer if processes keep forking),
 * removes the leaf (retrying on EBUSY), and then, under the lock, the group
 * when it carries the mark and no run-* leaf is left in it. The first error
 * is returned; the rest is still done. */
int launch_cg_leave(struct launch_cg *c, cg_err *e);

/* The group seen as cgops sees it: dirs (c->leaf, c->group or c->top) in
 * each hierarchy, with the mount, controller and mount root that tell
 * where a process is (for cg_move_process's rollback). Nothing is copied. */
void launch_cg_dirs(const struct launch_cg *c, char *const *dirs, struct cg_dirs *out);

/* Undoes a --pid that failed, once its processes are back where they were:
 * removes the leaves (nothing is killed: a leaf that still holds a process
 * stays), and the group as the end of a launch does. */
int launch_cg_abandon(struct launch_cg *c, cg_err *e);

/* What --gc removed: count is every directory; removed (when not NULL) is
 * told the ones worth naming (a leaf, a parent, a group with all that was
 * below it), for the command to print. */
struct launch_gc_out {
	void (*removed)(void *ctx, const char *dir);
	void *ctx;
	int count;
};

/* Removes the empty run-<PID> leaves of gone processes inside groups a
 * launch marked, those groups when unused, and the parents a launch made,
 * below the parent directories (one per hierarchy); it enters no group cgkit
 * did not mark. out may be NULL. Returns the count removed, or -1. */
int launch_cg_gc(const struct cg_layout *l, const char *parent, struct launch_gc_out *out,
		 cg_err *e);

/* The same for one group that a profile names, given its directory in each
 * hierarchy: its empty run-<PID> leaves (also in a group --apply made), then
 * the group itself when it is marked and unused. */
int launch_cg_gc_group(char *const *dirs, size_t n, struct launch_gc_out *out);

/* Refuses (-1, e) a profile whose group would go into a launch's leaf
 * run-<PID>, as a nested `cgrun -- cgrun --apply -p P` with parent: self
 * would: the leaf could not be removed when that launch ends. */
int launch_cg_check_parent(const struct profile *p, const struct cg_layout *l,
			   const char *parent_override, cg_err *e);

/* A counter of the leaf (group false) or of the group launched into (true),
 * read where mapping.h says it is on this layout (v1 CPU usage is
 * cpuacct's, v2's cpu's). 0, or -1 when unreadable or not there. */
int launch_cg_counter(const struct launch_cg *c, enum map_counter k, bool group, uint64_t *out);
/* The group's limit of knob k (MK_MEM_MAX, MK_PIDS_MAX): MAP_UNLIMITED for
 * none. 0, or -1. */
int launch_cg_limit(const struct launch_cg *c, enum map_knob k, uint64_t *out);

/* Takes and drops the lock serialising group creation and removal: in
 * launch_lock_dir for root; for a user that is not root in
 * $XDG_RUNTIME_DIR/cgkit, or else /tmp/cgkit-UID (see launch_lock_user_dir). */
int launch_lock(cg_err *e);
/* The lock's directory of user uid: XDG/cgkit when xdg (XDG_RUNTIME_DIR) is a
 * directory of the user's own with mode 0700, else TMP/cgkit-UID (tmp NULL:
 * /tmp); made 0700 when missing, and refused unless it is a directory (not a
 * symlink) that the user owns, that nobody else may write or read. */
int launch_lock_user_dir(unsigned uid, const char *xdg, const char *tmp, char *out, size_t len,
			 cg_err *e);

/* For a caller that is not root (nothing is checked for root): may the
 * profile's group be made where it goes, with the caller's rights (cgroup v2
 * delegation, deleg.h)? When the caller's own group holds processes and its
 * parent is delegated too, `self` in l is moved to that parent (the group
 * goes beside the caller's). Returns 0, or -1 with e, nothing written. */
int launch_unpriv_check(const struct profile *p, struct cg_layout *l, const char *parent_override,
			cg_err *e);
void launch_unlock(int fd);

/* What `cgrun --pid` does, as a library call (cgtop's C uses it too): moves
 * pid with all its threads (and with tree its descendants) into a leaf
 * run-<pid> of the profile's group (or of its child `child`), made and left
 * as a launch's. Refuses, before touching anything, pid 1, a kernel thread,
 * a zombie, the caller and its ancestors; a move the kernel refuses
 * half-way is undone (every process back where it was, what this call
 * made removed) and e says why. On success moved lists the processes now
 * there (free with cg_ids_free) and c holds the leaves (launch_cg_free).
 * Host checks of the profile go to d. */
struct cg_ids;
int launch_pid_move(struct launch_cg *c, const struct profile *p, const struct cg_layout *l,
		    const struct plan_opts *po, const char *child, pid_t pid, bool tree,
		    struct cg_ids *moved, struct diags *d, cg_err *e);

#endif
