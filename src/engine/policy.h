/* The policy engine: carries out a plan all or nothing, removes groups, and
 * reports a group's values in profile terms. Touches cgroupfs only through
 * sys.h. */
#ifndef CGKIT_POLICY_H
#define CGKIT_POLICY_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "layout.h"
#include "plan.h"
#include "profile.h"

/* Runs every op in order. On a failure, writes back every value it changed
 * (in reverse order) and removes every directory it made, then returns -1
 * with the failing file and the kernel's reason in e. */
int policy_execute(const struct plan *pl, cg_err *e);

/* Did executing pl fail (e) because a mkdir it only guessed was needed
 * (plan_opts.guess_missing) met a directory that is there? Plan again
 * without the guess. */
bool policy_guess_failed(const struct plan *pl, const cg_err *e);

/* Plans and executes. The parents it had to make (`parent: a/b`, a
 * missing) are marked (mark.h) so that policy_remove takes them with their
 * last child; parents that were there are never marked. */
int policy_apply(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		 struct diags *d, cg_err *e);

/* After `cgrun --apply`: the group is the user's now, not a launch's; its
 * mark goes, so that no launch or --gc removes it. */
int policy_adopt(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		 cg_err *e);

/* Removes the group in every hierarchy where it is (also those the profile
 * no longer needs), with the children the profile describes, launch leaves
 * (run-<pid>) and groups cgkit marked below it; then the empty parents that
 * cgkit made for it (marked). Refuses, changing nothing, while processes are
 * in any of them or while a sub-group is neither described nor marked (the
 * error names it), unless force: then processes are moved to the group's
 * parent and unknown sub-groups removed too. Removing a group that is not
 * there is not an error. Callers serialise with launches (launch_lock). */
int policy_remove(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		  bool force, cg_err *e);

/* Prints the group's current values as the kernel reports them, in profile
 * terms (YAML, one key a line): show_groups() (show.h) on the real files. */
int policy_show(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		FILE *out, cg_err *e);

/* The live group that p names (its sections and children) read back into a
 * profile: the values the kernel reports, in profile terms. It goes through
 * what --show prints and the profile parser, so that a value read back
 * means exactly what the same line in a file would (the one owner of each
 * unit and range), and applying the result to the group changes nothing.
 * The parent is p's. NULL with e set when the group is not there. */
struct profile *policy_read(const struct profile *p, const struct cg_layout *l,
			    const struct plan_opts *o, cg_err *e);

/* The group's directory (or, with child "a/b", that child group's) in every
 * hierarchy the profile needs, in the order of plan.group_dirs. *dirs is
 * malloc'ed, each string too. Nothing is read or made. */
int policy_group_dirs(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		      const char *child, char ***dirs, size_t *n, cg_err *e);

#endif
