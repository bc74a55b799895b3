/* What the planner's files share (plan.c, the core, and src/res_*.c, one
 * per resource): the planner's state and the helpers that plan a write.
 * Internal to the engine: nothing outside the planner includes it. */
#ifndef CGKIT_PLAN_IMPL_H
#define CGKIT_PLAN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mapping.h"
#include "plan.h"
#include "resource.h"

#define VAL_MAX 4096   /* the longest value read or written */

/* One group of the profile's tree. */
struct node {
	const struct group_spec *g;
	char rel[2048];       /* below the parent: "web", "web/workers" */
	char key[160];        /* prefix of its keys: "", "children[0]." */
	int parent;           /* index of the parent node, -1 for the top */
	bool top;
};

struct shadow {
	char *path, *value;
};

struct planner {
	const struct profile *p;
	const struct cg_layout *l;
	const struct plan_opts *o;
	const struct cg_reader *rd;
	struct plan *pl;
	struct diags *d;
	cg_err *e;
	struct map_where w;
	bool blind;           /* cg_reader_empty: read nothing, assume all there */
	struct node *nodes;
	size_t n_nodes;
	struct shadow *sh;
	size_t n_sh;
	/* guess_missing: 1 when the group is missing in the first hierarchy
	 * (so taken as missing in the others), -1 when it is there, 0 unknown */
	int guess;
	/* directories asked about, and the answer: each is asked once */
	struct {
		char *dir;
		bool there;
	} *seen;
	size_t n_seen;
	/* res_io.c's: per device of each node, its numbers or a label when
	 * unknown (freed by plan.c with the rest) */
	struct map_dev **devnums;
	char ***devlabels;
	/* res_io.c's io_weight_knob answer per hierarchy, found once: 0 = not yet */
	struct {
		bool known, alt, none;
		enum map_knob k;
	} iow[CTRL_COUNT + 1];
};

int pl_oom(struct planner *P);
/* Is dir one this plan makes? */
bool pl_planned_dir(const struct planner *P, const char *dir);
/* Does dir exist? The reader is asked once per directory. */
bool pl_ask_dir(struct planner *P, const char *dir);
/* What path holds now, as far as this plan knows: what an earlier op of the
 * plan wrote, a new group's default (dflt), or the file. Returns 1 with the
 * value (trailing newline cut), 0 when there is no such file, -1 on error. */
int pl_current(struct planner *P, const char *path, const char *dflt, char *buf, size_t len);
/* pl_current of knob k in dir (k's default in a new group); path gets the
 * file's path, for the write that follows. */
int pl_knob_current(struct planner *P, const char *dir, enum map_knob k, bool v2, char *path,
		    size_t plen, char *buf, size_t len);
/* Plans a write. old: what undoes it (NULL in a new directory); key is
 * prefixed with the node's key prefix (n may be NULL); line:col 0 for none. */
int pl_write(struct planner *P, const char *path, const char *value, const char *old,
	     const struct node *n, const char *key, int line, int col);
/* dir/file; paths longer than len cannot be opened anyway: they come out cut. */
void pl_join(char *out, size_t len, const char *dir, const char *file);
/* The node's directory in hierarchy h. */
void pl_node_dir(const struct planner *P, size_t h, const struct node *n, char *out, size_t len);
/* The hierarchy of controller c, or -1. */
int pl_hier(const struct planner *P, enum cg_ctrl c);
/* A profile limit: MAP_UNLIMITED when unset or "max". */
uint64_t pl_limit(const struct pval *v);

#endif
