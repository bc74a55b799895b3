/* Planning: profile + layout + what the tree holds now -> the ordered list of
 * mkdir and write operations that make the groups converge to the profile:
 * the order of writes the kernel accepts, with the file names and formats
 * of mapping.c. Pure: it reads the tree only through the cg_reader it is
 * given (reader.h), so it runs against a fake tree or no tree at all. The
 * core is plan.c; each resource's part is src/res_NAME.c (resource.h). */
#ifndef CGKIT_PLAN_H
#define CGKIT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "err.h"
#include "layout.h"
#include "profile.h"
#include "reader.h"

enum plan_op_kind { PLAN_MKDIR, PLAN_WRITE };

struct plan_op {
	enum plan_op_kind kind;
	char *path;         /* absolute */
	char *value;        /* PLAN_WRITE: what to write */
	/* PLAN_WRITE: what to write to undo it (the value the file held when
	 * planned; "-cpu" for "+cpu" in cgroup.subtree_control; a device's old
	 * line), or NULL in a directory this plan creates. */
	char *old;
	/* PLAN_WRITE: when path is missing (ENOENT), write alt_value to alt_path
	 * instead (v2 io.weight else io.bfq.weight in a group not yet made). */
	char *alt_path, *alt_value;
	int line, col;      /* the profile value behind this write, or 0 */
	char *key;          /* the profile key ("cpu.max", "children[0].pids.max"), or NULL */
	/* PLAN_MKDIR: planned on plan_opts.guess_missing's guess, not asked:
	 * EEXIST from it means the guess was wrong (see policy_execute). */
	bool guessed;
};

struct plan {
	struct plan_op *ops;
	size_t n, cap;
	/* One directory per hierarchy the group lives in, for remove/show/launch. */
	char *group_dirs[CTRL_COUNT + 1];
	size_t n_group_dirs;
};

struct plan_opts {
	const char *parent;     /* overrides the profile's parent, or NULL */
	/* Host files for the online checks; NULL: /sys/devices/system/cpu/online
	 * and /sys/devices/system/node/online (read through the cg_reader). */
	const char *cpus_online, *mems_online;
	/* When the group's directory is missing in the first hierarchy, take it
	 * as missing in the others without asking (a stat each saved on every
	 * new group). Only for a plan that is carried out at once, by a caller
	 * that plans again without the guess when a guessed mkdir meets EEXIST. */
	bool guess_missing;
};

/* Builds the plan. Host checks (cpu/mem online, device is a block device,
 * controller available) go to `d` with the profile's line:column; other
 * failures to `e`. Returns 0, or -1 with d->errors > 0 or e set. */
int plan_build(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
	       const struct cg_reader *rd, struct plan *out, struct diags *d, cg_err *e);
void plan_free(struct plan *pl);
/* One line per op: "mkdir DIR" / "write FILE VALUE". */
void plan_print(const struct plan *pl, FILE *out);

#endif
