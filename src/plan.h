/* Planning: profile + layout + what the tree holds now -> the ordered list of
 * mkdir and write operations that make the groups converge to the profile.
 * This is the one place that knows v1's files from v2's (the spec's mapping
 * table and the order of writes). Pure: it reads the tree only through the
 * cg_reader it is given, so it runs against a fake tree or no tree at all. */
#ifndef CGKIT_PLAN_H
#define CGKIT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "err.h"
#include "layout.h"
#include "profile.h"

enum plan_op_kind { PLAN_MKDIR, PLAN_WRITE };

struct plan_op {
	enum plan_op_kind kind;
	char *path;         /* absolute */
	char *value;        /* PLAN_WRITE: what to write */
	char *old;          /* PLAN_WRITE: what the file held when planned, or NULL */
	int line, col;      /* the profile value behind this write, or 0 */
	const char *key;    /* the profile key ("cpu.max"), or NULL */
};

struct plan {
	struct plan_op *ops;
	size_t n, cap;
	/* One directory per hierarchy the group lives in, for remove/show/launch. */
	char *group_dirs[CTRL_COUNT + 1];
	size_t n_group_dirs;
};

/* How the planner sees the tree. read() returns the length or -1 (errno set,
 * ENOENT when absent); exists() says whether a directory is there. */
struct cg_reader {
	ssize_t (*read)(void *ctx, const char *path, char *buf, size_t len);
	bool (*exists)(void *ctx, const char *path);
	void *ctx;
};
extern const struct cg_reader cg_reader_fs;      /* the real files */
extern const struct cg_reader cg_reader_empty;   /* nothing exists (--layout) */

struct plan_opts {
	const char *parent;     /* overrides the profile's parent, or NULL */
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
