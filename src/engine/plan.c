/* Planning: the ordered mkdir/write operations that make a profile's groups
 * converge. The file names and value formats come from mapping.c; this file
 * knows the order the kernel accepts them in:
 *   1. directories, root first (v2: "+ctrl" in each ancestor's
 *      cgroup.subtree_control before the level below is made);
 *   2. top-down "relaxing" writes (v1): a CFS quota that would break the
 *      kernel's rule (a child's quota/period may not exceed its parent's)
 *      on the way goes to -1 first; a v1 cpuset that grows takes the union
 *      of old and new first, and a new v1 cpuset group is filled (its own
 *      cpus/mems, else its parent's) before anything can join it;
 *   3. each group's knobs, top-down;
 *   4. bottom-up: v1 cpusets shrink to their final value.
 * Every write is left out when the file already holds the value. This file
 * is the core (the plan, directories, v2 subtree_control, the order of the
 * phases); each resource's checks and knobs are in src/res_NAME.c, walked
 * through the table below. */
#include "plan_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* ---- the plan and what it has done so far ---- */

int pl_oom(struct planner *P)
{
	return cg_err_set(P->e, ENOMEM, "out of memory");
}

bool pl_planned_dir(const struct planner *P, const char *dir)
{
	for (size_t i = 0; i < P->pl->n; i++)
		if (P->pl->ops[i].kind == PLAN_MKDIR && !strcmp(P->pl->ops[i].path, dir))
			return true;
	return false;
}

static bool mount_point(const struct planner *P, const char *dir)
{
	for (size_t i = 0; i < P->w.n; i++)
		if (!strcmp(P->w.h[i].mount, dir))
			return true;
	return false;
}

/* The group's own directory in a hierarchy after the first, while the guess
 * (plan_opts.guess_missing) says it is missing everywhere? */
static bool guessed_missing(struct planner *P, const char *dir)
{
	const struct plan *pl = P->pl;

	if (!P->o || !P->o->guess_missing || P->blind || pl->n_group_dirs < 2)
		return false;
	for (size_t h = 1; h < pl->n_group_dirs; h++)
		if (!strcmp(dir, pl->group_dirs[h])) {
			if (!P->guess)
				P->guess = pl_ask_dir(P, pl->group_dirs[0]) ? -1 : 1;
			return P->guess > 0;
		}
	return false;
}

/* The io probe and the mkdir decisions ask about the same directories. */
bool pl_ask_dir(struct planner *P, const char *dir)
{
	bool there;
	void *n;

	for (size_t i = 0; i < P->n_seen; i++)
		if (!strcmp(P->seen[i].dir, dir))
			return P->seen[i].there;
	there = !guessed_missing(P, dir) && P->rd->exists(P->rd->ctx, dir);
	n = realloc(P->seen, (P->n_seen + 1) * sizeof(*P->seen));
	if (n) {
		P->seen = n;
		P->seen[P->n_seen].dir = strdup(dir);
		P->seen[P->n_seen].there = there;
		if (P->seen[P->n_seen].dir)
			P->n_seen++;
	}
	return there;
}

static bool parent_planned(const struct planner *P, const char *dir)
{
	const char *slash = strrchr(dir, '/');
	char parent[4096];

	if (!slash || slash == dir)
		return false;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir);
	return pl_planned_dir(P, parent);
}

static bool dir_exists(struct planner *P, const char *dir)
{
	if (pl_planned_dir(P, dir))
		return true;
	if (P->blind)
		return mount_point(P, dir);
	/* below a directory this plan makes, nothing exists yet: no need to ask */
	if (parent_planned(P, dir))
		return false;
	return pl_ask_dir(P, dir);
}

/* Is the directory holding path one this plan makes? */
static bool in_new_dir(const struct planner *P, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (!slash)
		return false;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return pl_planned_dir(P, dir) || (P->blind && !mount_point(P, dir));
}

static struct shadow *shadow_find(struct planner *P, const char *path)
{
	for (size_t i = 0; i < P->n_sh; i++)
		if (!strcmp(P->sh[i].path, path))
			return &P->sh[i];
	return NULL;
}

/* What path holds now, as far as this plan knows: what an earlier op of the
 * plan wrote, a new group's default (dflt), or the file. Returns 1 with the
 * value (trailing newline cut), 0 when there is no such file, -1 on error. */
int pl_current(struct planner *P, const char *path, const char *dflt, char *buf, size_t len)
{
	struct shadow *s = shadow_find(P, path);
	ssize_t n;

	if (s) {
		snprintf(buf, len, "%s", s->value);
		return 1;
	}
	if (in_new_dir(P, path) || P->blind) {
		if (!dflt)
			return 0;
		snprintf(buf, len, "%s", dflt);
		return 1;
	}
	n = P->rd->read(P->rd->ctx, path, buf, len);
	if (n < 0) {
		if (errno == ENOENT)
			return 0;
		return cg_err_sys(P->e, "%s", path);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 1;
}

static struct plan_op *add_op(struct planner *P, enum plan_op_kind kind, const char *path)
{
	struct plan *pl = P->pl;
	struct plan_op *op;

	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 32;
		struct plan_op *n = realloc(pl->ops, cap * sizeof(*n));

		if (!n)
			return NULL;
		pl->ops = n;
		pl->cap = cap;
	}
	op = &pl->ops[pl->n];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->path = strdup(path);
	if (!op->path)
		return NULL;
	pl->n++;
	return op;
}

static int plan_mkdir(struct planner *P, const char *dir)
{
	struct plan_op *op = add_op(P, PLAN_MKDIR, dir);

	if (!op)
		return pl_oom(P);
	/* (below a directory the plan makes, it is known to be missing) */
	op->guessed = !parent_planned(P, dir) && guessed_missing(P, dir);
	return 0;
}

/* Plans a write. old: what undoes it (NULL in a new directory); key is
 * prefixed with the node's key prefix; pos may be NULL. */
int pl_write(struct planner *P, const char *path, const char *value, const char *old,
		      const struct node *n, const char *key, int line, int col)
{
	struct plan_op *op = add_op(P, PLAN_WRITE, path);
	struct shadow *s;

	if (!op)
		return pl_oom(P);
	op->value = strdup(value);
	op->old = old && !in_new_dir(P, path) ? strdup(old) : NULL;
	op->line = line;
	op->col = col;
	if (key && asprintf(&op->key, "%s%s", n ? n->key : "", key) < 0)
		op->key = NULL;
	if (!op->value || (old && !in_new_dir(P, path) && !op->old) || (key && !op->key))
		return pl_oom(P);
	s = shadow_find(P, path);
	if (!s) {
		struct shadow *ns = realloc(P->sh, (P->n_sh + 1) * sizeof(*ns));

		if (!ns)
			return pl_oom(P);
		P->sh = ns;
		s = &P->sh[P->n_sh];
		s->path = strdup(path);
		s->value = NULL;
		if (!s->path)
			return pl_oom(P);
		P->n_sh++;
	}
	free(s->value);
	s->value = strdup(value);
	return s->value ? 0 : pl_oom(P);
}

int pl_knob_current(struct planner *P, const char *dir, enum map_knob k, bool v2, char *path,
		    size_t plen, char *buf, size_t len)
{
	pl_join(path, plen, dir, map_file(k, v2));
	return pl_current(P, path, map_default(k, v2), buf, len);
}

/* Paths longer than PATH_MAX cannot be opened anyway; they come out cut. */
void pl_join(char *out, size_t len, const char *dir, const char *file)
{
	if ((size_t)snprintf(out, len, "%s/%s", dir, file) >= len)
		out[len - 1] = '\0';
}

/* The node's directory in hierarchy h. */
void pl_node_dir(const struct planner *P, size_t h, const struct node *n, char *out, size_t len)
{
	pl_join(out, len, P->w.h[h].base, n->rel);
}

/* ---- the tree ---- */

static int add_nodes(struct planner *P, const struct group_spec *g, const char *rel,
		     const char *key, int parent)
{
	struct node *nn = realloc(P->nodes, (P->n_nodes + 1) * sizeof(*nn));
	int me = (int)P->n_nodes;

	if (!nn)
		return pl_oom(P);
	P->nodes = nn;
	nn = &P->nodes[P->n_nodes++];
	memset(nn, 0, sizeof(*nn));
	nn->g = g;
	nn->parent = parent;
	nn->top = parent < 0;
	snprintf(nn->rel, sizeof(nn->rel), "%s", rel);
	snprintf(nn->key, sizeof(nn->key), "%s", key);
	for (size_t i = 0; i < g->n_children; i++) {
		char crel[2048], ckey[160];

		snprintf(crel, sizeof(crel), "%s/%s", rel, g->children[i].name.s);
		snprintf(ckey, sizeof(ckey), "%schildren[%zu].", key, i);
		if (add_nodes(P, &g->children[i], crel, ckey, me) < 0)
			return -1;
	}
	return 0;
}

/* Controllers that the node's descendants have sections for. */
static unsigned below_ctrls(const struct planner *P, size_t idx)
{
	unsigned c = 0;

	for (size_t i = idx + 1; i < P->n_nodes; i++) {
		int a = P->nodes[i].parent;

		while (a >= 0 && (size_t)a != idx)
			a = P->nodes[a].parent;
		if (a >= 0)
			c |= map_group_ctrls(P->nodes[i].g);
	}
	return c;
}

/* The hierarchy of controller c, or -1. */
int pl_hier(const struct planner *P, enum cg_ctrl c)
{
	return map_where_find(&P->w, P->l, c);
}


uint64_t pl_limit(const struct pval *v)
{
	return !v->set || v->is_max ? MAP_UNLIMITED : v->v;
}

/* ---- the resources ---- */

const struct resource *const resources[] = {
	&res_cpu, &res_memory, &res_io, &res_cpuset, &res_pids, NULL,
};

/* The diagnostics come out in this order: the values a profile names first
 * (cpus and mems, then disks), then the files the host lacks (swap
 * accounting, then an io weight file). */
static const struct resource *const check_order[] = { &res_cpuset, &res_memory, &res_io, NULL };

static int host_checks(struct planner *P)
{
	for (const struct resource *const *r = check_order; *r; r++)
		if ((*r)->check_values && (*r)->check_values(P) < 0)
			return -1;
	for (const struct resource *const *r = check_order; *r; r++)
		if ((*r)->check_files && (*r)->check_files(P) < 0)
			return -1;
	return 0;
}

/* ---- phase 1: directories ---- */

/* What cgroup.subtree_control says after "+ctrl" (cur and want), for a
 * later look at it in this plan. */
static int subtree_after(struct planner *P, const char *path, const char *cur, unsigned want)
{
	struct shadow *sh = shadow_find(P, path);
	char after[VAL_MAX];
	size_t o = (size_t)snprintf(after, sizeof(after), "%s", cur);

	for (int c = 0; c < CTRL_COUNT && o < sizeof(after); c++)
		if (want & (1u << c))
			o += (size_t)snprintf(after + o, sizeof(after) - o, "%s%s", o ? " " : "",
					      cg_ctrl_name(c, true));
	free(sh->value);
	sh->value = strdup(after);
	return sh->value ? 0 : pl_oom(P);
}

static int subtree_enable(struct planner *P, const char *dir, unsigned want)
{
	char path[4096], cur[VAL_MAX], add[256] = "", undo[256] = "";
	size_t ao = 0, uo = 0;
	int r;

	want &= (1u << CTRL_CPU) | (1u << CTRL_MEMORY) | (1u << CTRL_IO) | (1u << CTRL_CPUSET) |
		(1u << CTRL_PIDS);
	if (!want)
		return 0;
	r = pl_knob_current(P, dir, MK_SUBTREE_CONTROL, true, path, sizeof(path), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r == 0)
		cur[0] = '\0';
	for (int c = 0; c < CTRL_COUNT; c++) {
		const char *name = cg_ctrl_name(c, true);
		bool on = false;

		if (!(want & (1u << c)))
			continue;
		for (char *s = cur; *s;) {
			size_t len = strcspn(s, " ");

			if (len == strlen(name) && !strncmp(s, name, len))
				on = true;
			s += len;
			s += strspn(s, " ");
		}
		if (on)
			continue;
		ao += (size_t)snprintf(add + ao, sizeof(add) - ao, "%s+%s", ao ? " " : "", name);
		uo += (size_t)snprintf(undo + uo, sizeof(undo) - uo, "%s-%s", uo ? " " : "", name);
	}
	if (!ao)
		return 0;
	if (pl_write(P, path, add, undo, NULL, NULL, 0, 0) < 0)
		return -1;
	return subtree_after(P, path, cur, want);
}

static int plan_dirs(struct planner *P, size_t h)
{
	const struct map_hier *mh = &P->w.h[h];
	size_t ml = strlen(mh->mount);
	char dir[4096];

	/* the ancestors, from the mount point down to the parent; when the
	 * parent is there (the caller's own group always is), so are they */
	bool there = strlen(mh->base) == ml ||
		     (!P->blind && (!strcmp(P->w.parent, "self") || pl_ask_dir(P, mh->base)));

	if (mh->v2 && subtree_enable(P, mh->mount, mh->ctrls) < 0)
		return -1;
	for (const char *s = mh->base + ml; *s;) {
		const char *e = strchrnul(s + 1, '/');

		snprintf(dir, sizeof(dir), "%.*s", (int)(e - mh->base), mh->base);
		if (!there && !dir_exists(P, dir) && plan_mkdir(P, dir) < 0)
			return -1;
		if (mh->v2 && subtree_enable(P, dir, mh->ctrls) < 0)
			return -1;
		s = e;
	}
	for (size_t i = 0; i < P->n_nodes; i++) {
		pl_node_dir(P, h, &P->nodes[i], dir, sizeof(dir));
		if (!dir_exists(P, dir) && plan_mkdir(P, dir) < 0)
			return -1;
		if (mh->v2 && subtree_enable(P, dir, below_ctrls(P, i) & mh->ctrls) < 0)
			return -1;
	}
	return 0;
}

/* ---- putting it together ---- */

/* Phase 3: the group's knobs, one resource after the other. */
static int plan_node(struct planner *P, size_t idx)
{
	unsigned own = map_group_ctrls(P->nodes[idx].g);

	for (const struct resource *const *r = resources; *r; r++) {
		int h = pl_hier(P, (*r)->ctrl);

		if ((own & (1u << (*r)->ctrl)) && h >= 0 && (*r)->plan(P, (size_t)h, idx) < 0)
			return -1;
	}
	return 0;
}

/* Phase 2 (first) or 4 of every resource that has it. */
static int plan_phase(struct planner *P, bool first)
{
	for (const struct resource *const *r = resources; *r; r++) {
		int (*fn)(struct planner *, size_t) = first ? (*r)->prepare : (*r)->finish;
		int h = pl_hier(P, (*r)->ctrl);

		if (fn && h >= 0 && fn(P, (size_t)h) < 0)
			return -1;
	}
	return 0;
}

static int plan_all(struct planner *P)
{
	for (size_t h = 0; h < P->w.n; h++)
		if (plan_dirs(P, h) < 0)
			return -1;
	if (plan_phase(P, true) < 0)
		return -1;
	for (size_t i = 0; i < P->n_nodes; i++)
		if (plan_node(P, i) < 0)
			return -1;
	return plan_phase(P, false);
}

static void planner_free(struct planner *P)
{
	for (size_t i = 0; i < P->n_sh; i++) {
		free(P->sh[i].path);
		free(P->sh[i].value);
	}
	free(P->sh);
	for (size_t i = 0; i < P->n_seen; i++)
		free(P->seen[i].dir);
	free(P->seen);
	for (size_t i = 0; P->devnums && i < P->n_nodes; i++) {
		free(P->devnums[i]);
		for (size_t k = 0; P->devlabels[i] && k < P->nodes[i].g->io.n_devices; k++)
			free(P->devlabels[i][k]);
		free(P->devlabels[i]);
	}
	free(P->devnums);
	free(P->devlabels);
	free(P->nodes);
	map_where_free(&P->w);
}

int plan_build(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
	       const struct cg_reader *rd, struct plan *out, struct diags *d, cg_err *e)
{
	struct planner P = { .p = p, .l = l, .o = o, .rd = rd, .pl = out, .d = d, .e = e };
	int errors = d->errors, rc = -1;

	memset(out, 0, sizeof(*out));
	P.blind = rd == &cg_reader_empty;
	/* names are checked here, before any path is built */
	if (map_where(p, l, o ? o->parent : NULL, &P.w, d, e) < 0)
		return -1;
	if (add_nodes(&P, &p->group, p->group.name.s, "", -1) < 0)
		goto out;
	for (size_t h = 0; h < P.w.n; h++) {
		char dir[4096];

		pl_node_dir(&P, h, &P.nodes[0], dir, sizeof(dir));
		out->group_dirs[h] = strdup(dir);
		if (!out->group_dirs[h]) {
			pl_oom(&P);
			goto out;
		}
		out->n_group_dirs = h + 1;
	}
	if (host_checks(&P) < 0)
		goto out;
	if (d->errors > errors)
		goto out;
	rc = plan_all(&P);
out:
	planner_free(&P);
	if (rc < 0)
		plan_free(out);
	return rc;
}

void plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->ops[i].path);
		free(pl->ops[i].value);
		free(pl->ops[i].old);
		free(pl->ops[i].alt_path);
		free(pl->ops[i].alt_value);
		free(pl->ops[i].key);
	}
	free(pl->ops);
	for (size_t i = 0; i < pl->n_group_dirs; i++)
		free(pl->group_dirs[i]);
	memset(pl, 0, sizeof(*pl));
}

void plan_print(const struct plan *pl, FILE *out)
{
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_op *op = &pl->ops[i];

		if (op->kind == PLAN_MKDIR)
			fprintf(out, "mkdir %s\n", op->path);
		else
			fprintf(out, "write %s %s\n", op->path, op->value);
	}
}

