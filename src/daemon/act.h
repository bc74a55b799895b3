/* cgkitd's actor: what the judge decides, done to the kernel through the
 * library (policy_apply, cgops, mark), never through a cgrun subprocess.
 * See docs/cgkitd.8 and the rules spec's "Meaning".
 *
 * Groups. A user's group is PARENT/users/NAME (users.group below the
 * parent), made with the base limits and marked MARK_DAEMON; an absolute
 * users.group is the host's own group, adopted: limits are written there,
 * nothing is made, moved or removed. A scope-process penalty's group is
 * PARENT/penalty/RULE/PID, made with the penalty's limits. A group that is
 * there without cgkitd's mark (and is not adopted) is never written.
 *
 * Safety. Every action on a process re-reads its start time first (a
 * reused pid is never hit); pid 1, kernel threads, cgkitd and its children
 * are refused here whatever the caller says (exemptions by rule are the
 * caller's, who knows the rules' matching).
 *
 * What a penalty touched is returned as a string (JSON) that the daemon
 * keeps with the penalty in the judge (judge_set_actor_data) and the
 * state, so that a restart can release it. In a dry run nothing in the
 * kernel changes. */
#ifndef CGKIT_ACT_H
#define CGKIT_ACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgops.h"
#include "err.h"
#include "layout.h"
#include "rules.h"

#define ACT_TERM_GRACE_US (10ULL * 1000000) /* TERM, then KILL this much later */
#define ACT_PENDING_MAX 64

/* A KILL due later (after a TERM). */
struct act_pending {
	uint64_t due;	       /* wall clock, us */
	bool group;	       /* every process of dirs[] (user), else proc */
	struct cg_proc proc;   /* the process */
	char *dirs[CG_MAX_HIER];
	size_t n;
};

/* A user-scope penalty with limits in force: the user's group holds the
 * base limits with every such penalty of the user laid over them, in the
 * order they came (two rules that cap one user both hold). */
struct act_active {
	uid_t uid;
	char rule[65];
	size_t penalty;   /* index into the rule's penalties */
};

struct actor {
	const struct cg_layout *l;
	const struct rules *r; /* the rules in force (the daemon swaps them on reload) */
	bool dry_run;
	pid_t self;
	struct act_pending pending[ACT_PENDING_MAX];
	size_t n_pending;
	struct act_active *active;
	size_t n_active, cap_active;
};

void act_init(struct actor *a, const struct cg_layout *l, const struct rules *r, bool dry_run);
void act_free(struct actor *a);
/* A user penalty taken up from the state after a restart (its limits are in
 * the kernel already): noted so that another penalty of the user, or a
 * release, keeps it. */
void act_note_user_penalty(struct actor *a, uid_t uid, const char *rule, size_t penalty);

/* The user's group: its directory in each hierarchy (*dirs malloc'ed, each
 * string too; free with act_dirs_free) and its path relative to the
 * hierarchies' roots (rel, for measure_group). make: make it (with the
 * base limits) when it is not there; adopted groups are never made. 0, or
 * -1 (ENOENT: not there and not made; EPERM: there, but not cgkitd's). */
int act_user_group(struct actor *a, uid_t uid, const char *name, bool make, char ***dirs,
		   size_t *n, char *rel, size_t rel_len, cg_err *e);
void act_dirs_free(char **dirs, size_t n);

/* The name of uid ("1000" when it has none), into out. Kept from one
 * call to the next until /etc/passwd changes. */
void act_user_name(uid_t uid, char *out, size_t len);

/* Is the process one that nothing may touch (pid 1, kernel thread,
 * cgkitd, a child of cgkitd), or gone? Reads its stat once. */
bool act_untouchable(const struct actor *a, pid_t pid);

/* Where a process is put by the per-user classification: 1 when moved
 * into its user's group, 0 when it stays (already there, adopted groups,
 * a cgrun launch's group, a penalty group, gone), -1 on error. `cgtext`
 * is its /proc/PID/cgroup text (NULL: read here), name the user's (NULL:
 * looked up). When it is to be moved (in a dry run too), before(group,
 * ctx) is called first, so that the move is logged before it is made.
 * *in_group (may be NULL) is set when the process is in its user's group in
 * every hierarchy afterwards (moved, or there already). */
typedef void (*act_before_move)(const char *group, void *ctx);
int act_classify(struct actor *a, const struct cg_proc *p, uid_t uid, const char *name,
		 const char *cgtext, char *group, size_t group_len, act_before_move before, void *ctx,
		 bool *in_group, cg_err *e);

/* Applies penalty pen of rule to the offender: scope user (uid, name) or
 * process (p). *data gets what was touched (malloc'ed JSON) or NULL;
 * groups (may be NULL) gets the group path per hierarchy, comma separated,
 * for the log. now: the wall clock, us (for a TERM's KILL). 0, or -1 with
 * nothing left changed. */
int act_penalty(struct actor *a, const struct rule *rule, const struct rule_penalty *pen,
		uid_t uid, const char *name, const struct cg_proc *p, uint64_t now, char **data,
		char *groups, size_t groups_len, cg_err *e);

/* Undoes a penalty from what act_penalty recorded (data, NULL: nothing was
 * recorded, e.g. a dry run or a kill): thaws, writes the base limits back
 * (user) or moves the processes back where they came from and removes the
 * penalty group (process). */
int act_release(struct actor *a, uid_t uid, const char *name, const char *data, cg_err *e);

/* The KILLs that are due. */
void act_tick(struct actor *a, uint64_t now);

/* Fills g for the directories dirs[] (which mount each is below, v2, its
 * controller name as /proc/PID/cgroup says it). */
void act_cg_dirs(const struct cg_layout *l, char *const *dirs, size_t n, struct cg_dirs *g);

#endif
