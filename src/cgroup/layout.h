/* Where the cgroup controllers are: the one place that finds out whether a
 * host is cgroup v1, hybrid or v2, from /proc/self/mountinfo and
 * /proc/self/cgroup. Parsing is pure; cg_layout_detect() reads the files. */
#ifndef CGKIT_LAYOUT_H
#define CGKIT_LAYOUT_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

enum cg_ctrl {
	CTRL_CPU,
	CTRL_CPUACCT,   /* v1 only: CPU usage; on v2 folded into cpu */
	CTRL_MEMORY,
	CTRL_IO,        /* v1 "blkio", v2 "io" */
	CTRL_CPUSET,
	CTRL_PIDS,
	CTRL_FREEZER,   /* v1 only; v2 has cgroup.freeze in every group */
	CTRL_COUNT
};

enum cg_mode {
	CG_MODE_NONE,
	CG_MODE_V1,      /* v1 controllers, no cgroup2 mount */
	CG_MODE_HYBRID,  /* v1 controllers plus a cgroup2 mount */
	CG_MODE_V2,      /* only the unified hierarchy */
};

struct cg_layout {
	enum cg_mode mode;
	char *unified;                /* cgroup2 mount point, or NULL */
	unsigned unified_ctrls;       /* 1 << cg_ctrl available in the cgroup2 root */
	char *v1_mount[CTRL_COUNT];   /* mount point per v1 controller, or NULL */
	/* The calling process's own group in each hierarchy, from /proc/self/cgroup,
	 * relative to the hierarchy's root, "" for the root ("/x/y" -> "x/y"). */
	char *self_v1[CTRL_COUNT];
	char *self_unified;
	/* The part of the hierarchy a mount shows (mountinfo's root field): "/"
	 * normally, "/x" for a bind mount of a subtree or inside a cgroup namespace. */
	char *v1_root[CTRL_COUNT];
	char *unified_root;
};

const char *cg_ctrl_name(enum cg_ctrl c, bool v2);   /* "blkio" / "io" ... */
const char *cg_mode_name(enum cg_mode m);           /* "v1", "hybrid", "v2" */

/* Pure: builds the layout from the texts of the two proc files. */
int cg_layout_parse(const char *mountinfo, const char *proc_cgroup, struct cg_layout *out,
		    cg_err *e);
/* Pure: records the controllers listed in the cgroup2 root's cgroup.controllers
 * (text), except those a v1 mount holds, and settles the mode. */
int cg_layout_set_unified_ctrls(struct cg_layout *l, const char *controllers, cg_err *e);
/* Reads /proc/self/mountinfo, /proc/self/cgroup and <unified>/cgroup.controllers. */
int cg_layout_detect(struct cg_layout *out, cg_err *e);
/* A standard system of mode v1 or v2 under root (default /sys/fs/cgroup),
 * every controller available, the caller at the root of every hierarchy. */
int cg_layout_standard(enum cg_mode mode, const char *root, struct cg_layout *out, cg_err *e);
void cg_layout_free(struct cg_layout *l);

/* Is controller c on the unified hierarchy in this layout? */
bool cg_layout_is_v2(const struct cg_layout *l, enum cg_ctrl c);
/* Mount point holding c, or NULL when the host lacks it. */
const char *cg_layout_mount(const struct cg_layout *l, enum cg_ctrl c);
/* The caller's own group for c, relative to its mount ("" for the root). */
const char *cg_layout_self(const struct cg_layout *l, enum cg_ctrl c);

#endif
