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
 * Every write is left out when the file already holds the value. */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "mapping.h"

#define VAL_MAX 4096

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
	/* per device of each node: its numbers, or a label when unknown */
	struct map_dev **devnums;
	char ***devlabels;
	/* io_weight_knob's answer per hierarchy, found once: 0 = not yet */
	struct {
		bool known, alt, none;
		enum map_knob k;
	} iow[CTRL_COUNT + 1];
};

/* ---- the plan and what it has done so far ---- */

static int oom(struct planner *P)
{
	return cg_err_set(P->e, ENOMEM, "out of memory");
}

static bool planned_dir(const struct planner *P, const char *dir)
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

/* Does dir exist? The reader is asked once per directory: the io probe and
 * the mkdir decisions ask about the same group directories. */
static bool ask_dir(struct planner *P, const char *dir);

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
				P->guess = ask_dir(P, pl->group_dirs[0]) ? -1 : 1;
			return P->guess > 0;
		}
	return false;
}

static bool ask_dir(struct planner *P, const char *dir)
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
	return planned_dir(P, parent);
}

static bool dir_exists(struct planner *P, const char *dir)
{
	if (planned_dir(P, dir))
		return true;
	if (P->blind)
		return mount_point(P, dir);
	/* below a directory this plan makes, nothing exists yet: no need to ask */
	if (parent_planned(P, dir))
		return false;
	return ask_dir(P, dir);
}

/* Is the directory holding path one this plan makes? */
static bool in_new_dir(const struct planner *P, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (!slash)
		return false;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return planned_dir(P, dir) || (P->blind && !mount_point(P, dir));
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
static int current(struct planner *P, const char *path, const char *dflt, char *buf, size_t len)
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
		return oom(P);
	/* (below a directory the plan makes, it is known to be missing) */
	op->guessed = !parent_planned(P, dir) && guessed_missing(P, dir);
	return 0;
}

/* Plans a write. old: what undoes it (NULL in a new directory); key is
 * prefixed with the node's key prefix; pos may be NULL. */
static int plan_write(struct planner *P, const char *path, const char *value, const char *old,
		      const struct node *n, const char *key, int line, int col)
{
	struct plan_op *op = add_op(P, PLAN_WRITE, path);
	struct shadow *s;

	if (!op)
		return oom(P);
	op->value = strdup(value);
	op->old = old && !in_new_dir(P, path) ? strdup(old) : NULL;
	op->line = line;
	op->col = col;
	if (key && asprintf(&op->key, "%s%s", n ? n->key : "", key) < 0)
		op->key = NULL;
	if (!op->value || (old && !in_new_dir(P, path) && !op->old) || (key && !op->key))
		return oom(P);
	s = shadow_find(P, path);
	if (!s) {
		struct shadow *ns = realloc(P->sh, (P->n_sh + 1) * sizeof(*ns));

		if (!ns)
			return oom(P);
		P->sh = ns;
		s = &P->sh[P->n_sh];
		s->path = strdup(path);
		s->value = NULL;
		if (!s->path)
			return oom(P);
		P->n_sh++;
	}
	free(s->value);
	s->value = strdup(value);
	return s->value ? 0 : oom(P);
}

/* Paths longer than PATH_MAX cannot be opened anyway; they come out cut. */
static void join(char *out, size_t len, const char *dir, const char *file)
{
	if ((size_t)snprintf(out, len, "%s/%s", dir, file) >= len)
		out[len - 1] = '\0';
}

/* The node's directory in hierarchy h. */
static void node_dir(const struct planner *P, size_t h, const struct node *n, char *out, size_t len)
{
	join(out, len, P->w.h[h].base, n->rel);
}

/* ---- the tree ---- */

static int add_nodes(struct planner *P, const struct group_spec *g, const char *rel,
		     const char *key, int parent)
{
	struct node *nn = realloc(P->nodes, (P->n_nodes + 1) * sizeof(*nn));
	int me = (int)P->n_nodes;

	if (!nn)
		return oom(P);
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
static int hier(const struct planner *P, enum cg_ctrl c)
{
	return map_where_find(&P->w, P->l, c);
}

/* ---- host checks ---- */

static void check_list(struct planner *P, const struct pstr *v,
		       const char *key, const struct map_list *online, const char *online_text,
		       const char *what)
{
	struct map_list want;
	int bad;

	if (!v->s)
		return;
	if (map_list_parse(v->s, &want) < 0) {
		diags_error(P->d, v->line, v->col, key, "'%s' is not a list like \"0-3,6\"", v->s);
		return;
	}
	bad = map_list_first_outside(&want, online);
	if (bad >= 0)
		diags_error(P->d, v->line, v->col, key, "%s %d is not online on this host (online: %s)",
			    what, bad, online_text[0] ? online_text : "none");
}

static int read_online(struct planner *P, const char *path, const char *dflt, char *buf,
		       size_t len, struct map_list *out)
{
	ssize_t n = P->rd->read(P->rd->ctx, path, buf, len);

	if (n < 0) {
		if (errno != ENOENT)
			return cg_err_sys(P->e, "%s", path);
		snprintf(buf, len, "%s", dflt);   /* no NUMA: node 0 only */
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (map_list_parse(buf, out) < 0)
		return cg_err_set(P->e, 0, "%s: '%s' is not a list", path, buf);
	return 0;
}

static int check_cpusets(struct planner *P)
{
	const char *cp = P->o && P->o->cpus_online ? P->o->cpus_online
						    : "/sys/devices/system/cpu/online";
	const char *mp = P->o && P->o->mems_online ? P->o->mems_online
						    : "/sys/devices/system/node/online";
	char cbuf[VAL_MAX], mbuf[VAL_MAX];
	struct map_list cpus, mems;
	bool need = false;

	for (size_t i = 0; i < P->n_nodes; i++)
		need = need || P->nodes[i].g->cpuset.present;
	if (!need || P->blind)
		return 0;
	if (read_online(P, cp, "0", cbuf, sizeof(cbuf), &cpus) < 0 ||
	    read_online(P, mp, "0", mbuf, sizeof(mbuf), &mems) < 0)
		return -1;
	for (size_t i = 0; i < P->n_nodes; i++) {
		const struct node *n = &P->nodes[i];
		char key[200];

		if (!n->g->cpuset.present)
			continue;
		snprintf(key, sizeof(key), "%scpuset.cpus", n->key);
		check_list(P, &n->g->cpuset.cpus, key, &cpus, cbuf, "cpu");
		snprintf(key, sizeof(key), "%scpuset.mems", n->key);
		check_list(P, &n->g->cpuset.mems, key, &mems, mbuf, "memory node");
	}
	return 0;
}

/* Device k of node i, looked up, is one an earlier entry names too (by
 * another path, a link, or its numbers): an error naming both places.
 * found[j]: entry j has its numbers (not a label, not a failed look-up).
 * Two lines for one device would undo each other on every other apply. */
static bool same_device_twice(struct planner *P, size_t i, size_t k, const bool *found)
{
	const struct io_spec *io = &P->nodes[i].g->io;
	const struct map_dev *m = &P->devnums[i][k];

	for (size_t j = 0; j < k; j++) {
		const struct io_device *a = &io->devices[j], *b = &io->devices[k];
		char key[200];

		if (!found[j] ||
		    P->devnums[i][j].major != m->major || P->devnums[i][j].minor != m->minor)
			continue;
		snprintf(key, sizeof(key), "%sio.devices[%zu].path", P->nodes[i].key, k);
		diags_error(P->d, b->path.line, b->path.col, key,
			    "%s (%u:%u) is the same device as %sio.devices[%zu] (\"%s\", at "
			    "%s:%d:%d): give each device one entry",
			    b->path.s, m->major, m->minor, P->nodes[i].key, j, a->path.s,
			    P->d->path, a->path.line, a->path.col);
		return true;
	}
	return false;
}

/* Looks up every io device: numbers from "MAJ:MIN" or from the node. */
static int check_devices(struct planner *P)
{
	P->devnums = calloc(P->n_nodes, sizeof(struct map_dev *));
	P->devlabels = calloc(P->n_nodes, sizeof(*P->devlabels));
	if (!P->devnums || !P->devlabels)
		return oom(P);
	for (size_t i = 0; i < P->n_nodes; i++) {
		const struct io_spec *io = &P->nodes[i].g->io;

		if (!io->present || !io->n_devices)
			continue;
		_cleanup_free_ bool *found = calloc(io->n_devices, sizeof(*found));

		P->devnums[i] = calloc(io->n_devices, sizeof(struct map_dev));
		P->devlabels[i] = calloc(io->n_devices, sizeof(*P->devlabels[i]));
		if (!P->devnums[i] || !P->devlabels[i] || !found)
			return oom(P);
		for (size_t k = 0; k < io->n_devices; k++) {
			const struct io_device *dv = &io->devices[k];
			struct map_dev *m = &P->devnums[i][k];
			char key[200];

			snprintf(key, sizeof(key), "%sio.devices[%zu].path", P->nodes[i].key, k);
			if (dv->has_majmin) {
				m->major = dv->major;
				m->minor = dv->minor;
			} else if (!P->rd->blkdev) {
				if (asprintf(&P->devlabels[i][k], "<MAJ:MIN of %s>", dv->path.s) < 0)
					return oom(P);
			} else if (P->rd->blkdev(P->rd->ctx, dv->path.s, &m->major, &m->minor) < 0) {
				if (errno == ENOTBLK)
					diags_error(P->d, dv->path.line, dv->path.col, key,
						    "%s is not a block device; name a disk like /dev/vda, "
						    "or give \"MAJ:MIN\"", dv->path.s);
				else
					diags_error(P->d, dv->path.line, dv->path.col, key,
						    "%s: %s; name a block device like /dev/vda, or give "
						    "\"MAJ:MIN\"", dv->path.s, strerror(errno));
				continue;
			}
			if (P->devlabels[i][k])
				continue;
			if (same_device_twice(P, i, k, found))
				continue;
			found[k] = true;
			if (!P->blind) {
				/* the kernel limits whole disks, not partitions */
				char sys[96];

				snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", m->major, m->minor);
				if (P->rd->exists(P->rd->ctx, sys))
					diags_error(P->d, dv->path.line, dv->path.col, key,
						    "%s (%u:%u) is a partition; io limits apply to a whole "
						    "disk: name the disk it is on", dv->path.s, m->major, m->minor);
			}
		}
	}
	return 0;
}

/* Which file carries io weight in hierarchy h: the CFQ-style one or BFQ's.
 * *alt is set when only the kernel can tell (v2, nothing made yet). */
static enum map_knob io_weight_probe(struct planner *P, size_t h, bool *alt, bool *none);

static enum map_knob io_weight_knob(struct planner *P, size_t h, bool *alt, bool *none)
{
	if (!P->iow[h].known) {
		P->iow[h].k = io_weight_probe(P, h, &P->iow[h].alt, &P->iow[h].none);
		P->iow[h].known = true;
	}
	*alt = P->iow[h].alt;
	*none = P->iow[h].none;
	return P->iow[h].k;
}

static enum map_knob io_weight_probe(struct planner *P, size_t h, bool *alt, bool *none)
{
	bool v2 = P->w.h[h].v2;
	const char *w = map_file(MK_IO_WEIGHT, v2), *b = map_file(MK_IO_BFQ_WEIGHT, v2);
	char dir[4096], path[4096];

	*alt = *none = false;
	if (P->blind)
		return MK_IO_WEIGHT;
	/* the group, or its nearest ancestor that is not the root (the root
	 * group has no weight file) */
	snprintf(dir, sizeof(dir), "%s/%s", P->w.h[h].base, P->nodes[0].rel);
	while (strlen(dir) > strlen(P->w.h[h].mount)) {
		if (!ask_dir(P, dir)) {   /* not made yet: no files to look at */
			*strrchr(dir, '/') = '\0';
			continue;
		}
		join(path, sizeof(path), dir, w);
		if (P->rd->exists(P->rd->ctx, path))
			return MK_IO_WEIGHT;
		join(path, sizeof(path), dir, b);
		if (P->rd->exists(P->rd->ctx, path))
			return MK_IO_BFQ_WEIGHT;
		*strrchr(dir, '/') = '\0';
	}
	/* the root: CFQ showed blkio.weight there; BFQ only its statistics;
	 * v2's io.cost.qos says io.weight works */
	join(path, sizeof(path), P->w.h[h].mount, v2 ? "io.cost.qos" : w);
	if (P->rd->exists(P->rd->ctx, path))
		return MK_IO_WEIGHT;
	join(path, sizeof(path), P->w.h[h].mount, "blkio.bfq.io_service_bytes");
	if (!v2 && P->rd->exists(P->rd->ctx, path))
		return MK_IO_BFQ_WEIGHT;
	if (v2)
		*alt = true;
	else
		*none = true;
	return MK_IO_WEIGHT;
}

static int host_checks(struct planner *P)
{
	int im = hier(P, CTRL_MEMORY), ii = hier(P, CTRL_IO);
	bool want_swap = false;

	if (check_cpusets(P) < 0 || check_devices(P) < 0)
		return -1;
	/* v1 swap needs swap accounting (memory.memsw.*); ask only when a
	 * group sets swap */
	for (size_t i = 0; i < P->n_nodes && im >= 0; i++)
		want_swap = want_swap || P->nodes[i].g->memory.swap.set;
	if (want_swap && !P->w.h[im].v2 && !P->blind) {
		char path[4096];

		join(path, sizeof(path), P->w.h[im].mount, map_file(MK_MEM_SWAP, false));
		if (!P->rd->exists(P->rd->ctx, path))
			for (size_t i = 0; i < P->n_nodes; i++) {
				const struct pval *s = &P->nodes[i].g->memory.swap;
				char key[200];

				if (!s->set)
					continue;
				snprintf(key, sizeof(key), "%smemory.swap", P->nodes[i].key);
				diags_warn(P->d, s->line, s->col, key,
					   "this host has no memory.memsw.limit_in_bytes (swap "
					   "accounting is off; boot with swapaccount=1): swap is not "
					   "limited");
			}
	}
	if (ii >= 0) {
		bool alt, none;

		io_weight_knob(P, (size_t)ii, &alt, &none);
		for (size_t i = 0; none && i < P->n_nodes; i++) {
			const struct pval *w = &P->nodes[i].g->io.weight;
			char key[200];

			if (!w->set)
				continue;
			snprintf(key, sizeof(key), "%sio.weight", P->nodes[i].key);
			diags_error(P->d, w->line, w->col, key,
				    "this host has neither blkio.weight nor blkio.bfq.weight (load the "
				    "bfq I/O scheduler), so io weight cannot be set; remove io.weight");
		}
	}
	return 0;
}

/* ---- phase 1: directories ---- */

static int subtree_enable(struct planner *P, const char *dir, unsigned want)
{
	char path[4096], cur[VAL_MAX], add[256] = "", undo[256] = "";
	size_t ao = 0, uo = 0;
	int r;

	want &= (1u << CTRL_CPU) | (1u << CTRL_MEMORY) | (1u << CTRL_IO) | (1u << CTRL_CPUSET) |
		(1u << CTRL_PIDS);
	if (!want)
		return 0;
	join(path, sizeof(path), dir, "cgroup.subtree_control");
	r = current(P, path, "", cur, sizeof(cur));
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
	if (plan_write(P, path, add, undo, NULL, NULL, 0, 0) < 0)
		return -1;
	/* what the file says afterwards, for a later look at it */
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
		return sh->value ? 0 : oom(P);
	}
}

static int plan_dirs(struct planner *P, size_t h)
{
	const struct map_hier *mh = &P->w.h[h];
	size_t ml = strlen(mh->mount);
	char dir[4096];

	/* the ancestors, from the mount point down to the parent; when the
	 * parent is there (the caller's own group always is), so are they */
	bool there = strlen(mh->base) == ml ||
		     (!P->blind && (!strcmp(P->w.parent, "self") || ask_dir(P, mh->base)));

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
		node_dir(P, h, &P->nodes[i], dir, sizeof(dir));
		if (!dir_exists(P, dir) && plan_mkdir(P, dir) < 0)
			return -1;
		if (mh->v2 && subtree_enable(P, dir, below_ctrls(P, i) & mh->ctrls) < 0)
			return -1;
	}
	return 0;
}

/* ---- v1 cpu: relax, then period and quota ---- */

struct cpu_pair {
	uint64_t period, quota;   /* quota MAP_UNLIMITED for none */
};

static int read_u64(struct planner *P, const char *path, const char *dflt, uint64_t *v)
{
	char buf[VAL_MAX];
	int r = current(P, path, dflt, buf, sizeof(buf));

	if (r < 0)
		return -1;
	if (r == 0 || map_parse_limit(buf, v) < 0) {
		if (r == 0)
			return cg_err_set(P->e, ENOENT, "%s: No such file or directory", path);
		return cg_err_set(P->e, 0, "%s: unexpected value '%s'", path, buf);
	}
	return 0;
}

static int cpu_v1_current(struct planner *P, const char *dir, struct cpu_pair *c)
{
	char pp[4096], qp[4096];

	join(pp, sizeof(pp), dir, map_file(MK_CPU_PERIOD, false));
	join(qp, sizeof(qp), dir, map_file(MK_CPU_QUOTA, false));
	if (read_u64(P, pp, map_default(MK_CPU_PERIOD, false), &c->period) < 0 ||
	    read_u64(P, qp, map_default(MK_CPU_QUOTA, false), &c->quota) < 0)
		return -1;
	return 0;
}

static struct cpu_pair cpu_wanted(const struct cpu_spec *cpu)
{
	struct cpu_pair w = { profile_cpu_period_us(cpu), profile_cpu_quota_us(cpu) };

	if (w.quota == UINT64_MAX)
		w.quota = MAP_UNLIMITED;
	return w;
}

/* quota/period of a below b's? (an unlimited quota is above every limit) */
static bool ratio_below(struct cpu_pair a, struct cpu_pair b)
{
	if (a.quota == MAP_UNLIMITED)
		return false;
	if (b.quota == MAP_UNLIMITED)
		return true;
	return (unsigned __int128)a.quota * b.period < (unsigned __int128)b.quota * a.period;
}

static const struct pval *cpu_quota_pval(const struct cpu_spec *cpu, const char **key)
{
	*key = cpu->quota.set ? "cpu.quota" : "cpu.max";
	return cpu->quota.set ? &cpu->quota : &cpu->max;
}

static int cpu_v1_relax(struct planner *P, size_t h, const struct node *n)
{
	struct cpu_pair cur = { 0 }, want = cpu_wanted(&n->g->cpu);
	char dir[4096], path[4096], old[64];
	const char *key;
	const struct pval *qv = cpu_quota_pval(&n->g->cpu, &key);

	node_dir(P, h, n, dir, sizeof(dir));
	if (cpu_v1_current(P, dir, &cur) < 0)
		return -1;
	if (cur.quota == MAP_UNLIMITED || (cur.period == want.period && cur.quota == want.quota))
		return 0;
	/* Period first would leave old-quota/new-period for a moment; a lower
	 * ratio below a group of the tree may clash with a child not yet
	 * lowered. -1 counts as the parent's ratio, which the kernel accepts. */
	if (cur.period == want.period && !(ratio_below(want, cur) && !n->top))
		return 0;
	join(path, sizeof(path), dir, map_file(MK_CPU_QUOTA, false));
	map_format_limit(cur.quota, false, old, sizeof(old));
	return plan_write(P, path, "-1", old, n, key, qv->line, qv->col);
}

static int cpu_v1(struct planner *P, size_t h, const struct node *n)
{
	const struct cpu_spec *cpu = &n->g->cpu;
	struct cpu_pair cur = { 0 }, want = cpu_wanted(cpu);
	char dir[4096], pp[4096], qp[4096], sp[4096], v[64], old[64];
	const char *qkey;
	const struct pval *qv = cpu_quota_pval(cpu, &qkey);
	uint64_t shares, cur_shares = 0;

	node_dir(P, h, n, dir, sizeof(dir));
	join(pp, sizeof(pp), dir, map_file(MK_CPU_PERIOD, false));
	join(qp, sizeof(qp), dir, map_file(MK_CPU_QUOTA, false));
	join(sp, sizeof(sp), dir, map_file(MK_CPU_SHARES, false));
	if (cpu_v1_current(P, dir, &cur) < 0)
		return -1;
	/* to "no limit": the quota goes first, so the period never meets it */
	if (want.quota == MAP_UNLIMITED && cur.quota != MAP_UNLIMITED) {
		map_format_limit(cur.quota, false, old, sizeof(old));
		if (plan_write(P, qp, "-1", old, n, qkey, qv->line, qv->col) < 0)
			return -1;
		cur.quota = MAP_UNLIMITED;
	}
	if (cur.period != want.period) {
		snprintf(v, sizeof(v), "%" PRIu64, want.period);
		snprintf(old, sizeof(old), "%" PRIu64, cur.period);
		if (plan_write(P, pp, v, old, n, "cpu.period", cpu->period.line, cpu->period.col) < 0)
			return -1;
	}
	if (cur.quota != want.quota) {
		map_format_limit(want.quota, false, v, sizeof(v));
		map_format_limit(cur.quota, false, old, sizeof(old));
		if (plan_write(P, qp, v, old, n, qkey, qv->line, qv->col) < 0)
			return -1;
	}
	shares = cpu->weight.set ? map_cpu_shares(cpu->weight.v) : map_cpu_shares(100);
	if (read_u64(P, sp, map_default(MK_CPU_SHARES, false), &cur_shares) < 0)
		return -1;
	if (shares != cur_shares) {
		snprintf(v, sizeof(v), "%" PRIu64, shares);
		snprintf(old, sizeof(old), "%" PRIu64, cur_shares);
		if (plan_write(P, sp, v, old, n, "cpu.weight", cpu->weight.line, cpu->weight.col) < 0)
			return -1;
	}
	return 0;
}

static int cpu_v2(struct planner *P, size_t h, const struct node *n)
{
	const struct cpu_spec *cpu = &n->g->cpu;
	struct cpu_pair want = cpu_wanted(cpu);
	char dir[4096], path[4096], cur[VAL_MAX], v[64];
	const char *qkey;
	const struct pval *qv = cpu_quota_pval(cpu, &qkey);
	uint64_t q, p, w;
	int r;

	node_dir(P, h, n, dir, sizeof(dir));
	join(path, sizeof(path), dir, map_file(MK_CPU_MAX, true));
	r = current(P, path, map_default(MK_CPU_MAX, true), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r == 0 || map_parse_cpu_max(cur, &q, &p) < 0 || q != want.quota || p != want.period) {
		if (want.quota == MAP_UNLIMITED)
			snprintf(v, sizeof(v), "max %" PRIu64, want.period);
		else
			snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, want.quota, want.period);
		if (plan_write(P, path, v, r ? cur : NULL, n, qkey, qv->line, qv->col) < 0)
			return -1;
	}
	join(path, sizeof(path), dir, map_file(MK_CPU_WEIGHT, true));
	r = current(P, path, map_default(MK_CPU_WEIGHT, true), cur, sizeof(cur));
	if (r < 0)
		return -1;
	w = cpu->weight.set ? cpu->weight.v : 100;
	if (r == 0 || map_parse_weight(cur, &q) < 0 || q != w) {
		snprintf(v, sizeof(v), "%" PRIu64, w);
		if (plan_write(P, path, v, r ? cur : NULL, n, "cpu.weight", cpu->weight.line,
			       cpu->weight.col) < 0)
			return -1;
	}
	return 0;
}

/* ---- memory ---- */

static uint64_t limit_of(const struct pval *v)
{
	return !v->set || v->is_max ? MAP_UNLIMITED : v->v;
}

/* Plans one byte limit if the file's value differs; *cur_out gets the value
 * it had. present: false when the file does not exist. */
static int mem_knob(struct planner *P, const char *dir, enum map_knob k, bool v2, uint64_t want,
		    const struct node *n, const char *key, const struct pval *pv, bool *present,
		    uint64_t *cur_out, bool dry)
{
	char path[4096], cur[VAL_MAX], v[64];
	uint64_t c;
	int r;

	join(path, sizeof(path), dir, map_file(k, v2));
	r = current(P, path, map_default(k, v2), cur, sizeof(cur));
	if (r < 0)
		return -1;
	*present = r == 1;
	if (r == 0)
		return 0;
	if (map_parse_limit(cur, &c) < 0)
		return cg_err_set(P->e, 0, "%s: unexpected value '%s'", path, cur);
	if (cur_out)
		*cur_out = c;
	want = map_round_bytes(want);
	if (dry || c == want)
		return 0;
	map_format_limit(want, v2, v, sizeof(v));
	return plan_write(P, path, v, cur, n, key, pv->line, pv->col);
}

static int memory(struct planner *P, size_t h, const struct node *n)
{
	const struct memory_spec *m = &n->g->memory;
	bool v2 = P->w.h[h].v2, present;
	uint64_t max = limit_of(&m->max), high = limit_of(&m->high), swap, cur_memsw = 0;
	char dir[4096];

	node_dir(P, h, n, dir, sizeof(dir));
	if (v2) {
		swap = limit_of(&m->swap);
		if (mem_knob(P, dir, MK_MEM_MAX, true, max, n, "memory.max", &m->max, &present, NULL, false) < 0 ||
		    mem_knob(P, dir, MK_MEM_HIGH, true, high, n, "memory.high", &m->high, &present, NULL, false) < 0 ||
		    mem_knob(P, dir, MK_MEM_SWAP, true, swap, n, "memory.swap", &m->swap, &present, NULL, false) < 0)
			return -1;
		return 0;
	}
	/* v1 memsw limits memory + swap together, and must stay >= the limit */
	swap = max == MAP_UNLIMITED || limit_of(&m->swap) == MAP_UNLIMITED ? MAP_UNLIMITED
									   : max + m->swap.v;
	if (mem_knob(P, dir, MK_MEM_SWAP, false, swap, n, "memory.swap", &m->swap, &present,
		     &cur_memsw, true) < 0)
		return -1;
	if (present && cur_memsw != MAP_UNLIMITED && map_round_bytes(max) > cur_memsw) {
		/* the limit rises above the current memsw (no limit included:
		 * MAP_UNLIMITED is above every number): memsw first */
		if (mem_knob(P, dir, MK_MEM_SWAP, false, swap, n, "memory.swap", &m->swap, &present, NULL, false) < 0 ||
		    mem_knob(P, dir, MK_MEM_MAX, false, max, n, "memory.max", &m->max, &present, NULL, false) < 0)
			return -1;
	} else {
		if (mem_knob(P, dir, MK_MEM_MAX, false, max, n, "memory.max", &m->max, &present, NULL, false) < 0)
			return -1;
		if (mem_knob(P, dir, MK_MEM_SWAP, false, swap, n, "memory.swap", &m->swap, &present, NULL, false) < 0)
			return -1;
	}
	return mem_knob(P, dir, MK_MEM_HIGH, false, high, n, "memory.high", &m->high, &present, NULL, false);
}

/* ---- io ---- */

static int io_weight(struct planner *P, size_t h, const struct node *n)
{
	const struct pval *w = &n->g->io.weight;
	bool v2 = P->w.h[h].v2, alt, none;
	enum map_knob k = io_weight_knob(P, h, &alt, &none);
	char dir[4096], path[4096], cur[VAL_MAX], v[64];
	uint64_t want, c;
	int r;

	if (none)
		return 0;
	node_dir(P, h, n, dir, sizeof(dir));
	join(path, sizeof(path), dir, map_file(k, v2));
	r = current(P, path, map_default(k, v2), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r == 0)   /* this group has no such file: the other one, then */
		return 0;
	/* unset: the kernel's default, which is where 100 maps */
	want = map_io_weight_to(k, v2, w->set ? w->v : 100);
	if (map_parse_weight(cur, &c) == 0 && c == want)
		return 0;
	snprintf(v, sizeof(v), v2 ? "default %" PRIu64 : "%" PRIu64, want);
	if (plan_write(P, path, v, cur, n, "io.weight", w->line, w->col) < 0)
		return -1;
	if (alt) {
		struct plan_op *op = &P->pl->ops[P->pl->n - 1];
		uint64_t b = map_io_weight_to(MK_IO_BFQ_WEIGHT, true, w->set ? w->v : 100);

		join(path, sizeof(path), dir, map_file(MK_IO_BFQ_WEIGHT, true));
		snprintf(v, sizeof(v), "default %" PRIu64, b);
		op->alt_path = strdup(path);
		op->alt_value = strdup(v);
		if (!op->alt_path || !op->alt_value)
			return oom(P);
	}
	return 0;
}

static uint64_t rate_of(const struct pval *v)
{
	return !v->set || v->is_max ? MAP_UNLIMITED : v->v;
}

/* The devices the profile wants, in its order (entry i is devices[i]), then
 * those the group has limits for now but the profile no longer lists. */
static int io_devs(struct planner *P, size_t idx, struct map_devs *want)
{
	const struct io_spec *io = &P->nodes[idx].g->io;

	want->d = calloc(io->n_devices + 1, sizeof(*want->d));
	if (!want->d)
		return oom(P);
	for (size_t k = 0; k < io->n_devices; k++) {
		const struct io_device *dv = &io->devices[k];
		struct map_dev *d = &want->d[want->n++];

		d->major = P->devnums[idx][k].major;
		d->minor = P->devnums[idx][k].minor;
		d->v[MAP_RBPS] = rate_of(&dv->read_bps);
		d->v[MAP_WBPS] = rate_of(&dv->write_bps);
		d->v[MAP_RIOPS] = rate_of(&dv->read_iops);
		d->v[MAP_WIOPS] = rate_of(&dv->write_iops);
	}
	return 0;
}

static const struct pval *dev_pval(const struct io_device *dv, int which)
{
	switch (which) {
	case MAP_RBPS: return &dv->read_bps;
	case MAP_WBPS: return &dv->write_bps;
	case MAP_RIOPS: return &dv->read_iops;
	default: return &dv->write_iops;
	}
}

static const char *const dev_keys[MAP_NDEV] = { "read_bps", "write_bps", "read_iops", "write_iops" };

static const char *dev_label(const struct planner *P, size_t idx, size_t i)
{
	return i < P->nodes[idx].g->io.n_devices ? P->devlabels[idx][i] : NULL;
}

static const struct io_device *dev_spec(const struct planner *P, size_t idx, size_t i)
{
	const struct io_spec *io = &P->nodes[idx].g->io;

	return i < io->n_devices ? &io->devices[i] : NULL;
}

/* Appends the current devices that want lacks. */
static int merge_current(struct planner *P, struct map_devs *want, const struct map_devs *cur)
{
	for (size_t i = 0; i < cur->n; i++)
		if (!map_devs_get(want, cur->d[i].major, cur->d[i].minor))
			return oom(P);
	return 0;
}

static int io_devices_v1(struct planner *P, size_t h, size_t idx, struct map_devs *want)
{
	const struct node *n = &P->nodes[idx];
	struct map_devs cur = { 0 };
	char dir[4096], path[4096], text[VAL_MAX], v[256], old[256], key[64];
	int rc = -1;

	node_dir(P, h, n, dir, sizeof(dir));
	for (int w = 0; w < MAP_NDEV; w++) {
		int r;

		join(path, sizeof(path), dir, map_file(map_v1_dev_knob(w), false));
		r = current(P, path, "", text, sizeof(text));
		if (r < 0)
			goto out;
		if (r && map_devs_add_v1(&cur, w, text) < 0) {
			cg_err_set(P->e, 0, "%s: unexpected content '%s'", path, text);
			goto out;
		}
	}
	if (merge_current(P, want, &cur) < 0)
		goto out;
	for (int w = 0; w < MAP_NDEV; w++) {
		join(path, sizeof(path), dir, map_file(map_v1_dev_knob(w), false));
		for (size_t i = 0; i < want->n; i++) {
			const struct map_dev *d = &want->d[i];
			const char *label = dev_label(P, idx, i);
			struct map_dev *c = label ? NULL : map_devs_get(&cur, d->major, d->minor);
			const struct io_device *dv = dev_spec(P, idx, i);
			const struct pval *pv = dv ? dev_pval(dv, w) : NULL;
			uint64_t was = c ? c->v[w] : MAP_UNLIMITED;

			if (!label && !c) {
				oom(P);
				goto out;
			}
			if (was == d->v[w])
				continue;
			map_format_v1_dev(d, w, label, v, sizeof(v));
			if (c)
				map_format_v1_dev(c, w, NULL, old, sizeof(old));
			snprintf(key, sizeof(key), "io.devices[%zu].%s", i, dev_keys[w]);
			if (plan_write(P, path, v, c ? old : NULL, n, dv ? key : "io.devices",
				       pv && pv->set ? pv->line : 0, pv && pv->set ? pv->col : 0) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	map_devs_free(&cur);
	return rc;
}

static int io_devices_v2(struct planner *P, size_t h, size_t idx, struct map_devs *want)
{
	const struct node *n = &P->nodes[idx];
	struct map_devs cur = { 0 };
	char dir[4096], path[4096], text[VAL_MAX], v[256], old[256], key[64];
	int r, rc = -1;

	node_dir(P, h, n, dir, sizeof(dir));
	join(path, sizeof(path), dir, map_file(MK_IO_MAX, true));
	r = current(P, path, "", text, sizeof(text));
	if (r < 0)
		return -1;
	if (r && map_devs_add_io_max(&cur, text) < 0) {
		cg_err_set(P->e, 0, "%s: unexpected content '%s'", path, text);
		goto out;
	}
	if (merge_current(P, want, &cur) < 0)
		goto out;
	for (size_t i = 0; i < want->n; i++) {
		const struct map_dev *d = &want->d[i];
		const char *label = dev_label(P, idx, i);
		struct map_dev *c = label ? NULL : map_devs_get(&cur, d->major, d->minor);
		const struct io_device *dv = dev_spec(P, idx, i);
		struct map_dev none = *d;

		if (!label && !c) {
			oom(P);
			goto out;
		}
		for (int w = 0; w < MAP_NDEV; w++)
			none.v[w] = MAP_UNLIMITED;
		if (!memcmp((c ? c : &none)->v, d->v, sizeof(d->v)))
			continue;
		map_format_io_max(d, label, v, sizeof(v));
		if (c)
			map_format_io_max(c, NULL, old, sizeof(old));
		snprintf(key, sizeof(key), "io.devices[%zu]", i);
		if (plan_write(P, path, v, c ? old : NULL, n, dv ? key : "io.devices",
			       dv ? dv->line : 0, dv ? dv->col : 0) < 0)
			goto out;
	}
	rc = 0;
out:
	map_devs_free(&cur);
	return rc;
}

static int io(struct planner *P, size_t h, size_t idx)
{
	struct map_devs want = { 0 };
	int rc;

	if (io_weight(P, h, &P->nodes[idx]) < 0 || io_devs(P, idx, &want) < 0) {
		map_devs_free(&want);
		return -1;
	}
	rc = P->w.h[h].v2 ? io_devices_v2(P, h, idx, &want) : io_devices_v1(P, h, idx, &want);
	map_devs_free(&want);
	return rc;
}

/* ---- pids ---- */

static int pids(struct planner *P, size_t h, const struct node *n)
{
	const struct pval *m = &n->g->pids.max;
	bool v2 = P->w.h[h].v2;
	char dir[4096], path[4096], cur[VAL_MAX], v[64];
	uint64_t want = limit_of(m), c;
	int r;

	node_dir(P, h, n, dir, sizeof(dir));
	join(path, sizeof(path), dir, map_file(MK_PIDS_MAX, v2));
	r = current(P, path, map_default(MK_PIDS_MAX, v2), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r && map_parse_limit(cur, &c) == 0 && c == want)
		return 0;
	map_format_limit(want, true, v, sizeof(v));   /* pids.max says "max" on v1 too */
	return plan_write(P, path, v, r ? cur : NULL, n, "pids.max", m->line, m->col);
}

/* ---- cpuset ---- */

static const enum map_knob cs_knobs[2] = { MK_CPUSET_CPUS, MK_CPUSET_MEMS };

static const struct pstr *cs_pstr(const struct group_spec *g, int i)
{
	return i == 0 ? &g->cpuset.cpus : &g->cpuset.mems;
}

/* v2: the profile's list, or "" (the parent's) where unset. */
static int cpuset_v2(struct planner *P, size_t h, const struct node *n)
{
	char dir[4096], path[4096], cur[VAL_MAX];

	node_dir(P, h, n, dir, sizeof(dir));
	for (int i = 0; i < 2; i++) {
		const struct pstr *ps = cs_pstr(n->g, i);
		const char *want = ps->s ? ps->s : "";
		struct map_list a, b;
		int r;

		join(path, sizeof(path), dir, map_file(cs_knobs[i], true));
		r = current(P, path, map_default(cs_knobs[i], true), cur, sizeof(cur));
		if (r < 0)
			return -1;
		if (r && map_list_parse(cur, &a) == 0 && map_list_parse(want, &b) == 0 &&
		    map_list_equal(&a, &b))
			continue;
		if (plan_write(P, path, want, r ? cur : NULL, n, i ? "cpuset.mems" : "cpuset.cpus",
			       ps->line, ps->col) < 0)
			return -1;
	}
	return 0;
}

/* v1: what a directory of the cpuset hierarchy ends with: the node's own
 * list, else its parent's final one. */
static int cs_final(struct planner *P, const char *dir, const struct node *n, int i, char *out,
		    size_t len)
{
	char parent[4096], path[4096];
	int r;

	if (n && n->g->cpuset.present && cs_pstr(n->g, i)->s) {
		snprintf(out, len, "%s", cs_pstr(n->g, i)->s);
		return 0;
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	*strrchr(parent, '/') = '\0';
	join(path, sizeof(path), parent, map_file(cs_knobs[i], false));
	/* the parent is already at its final value or a superset of it only
	 * when it is not in the tree; a parent node's final is computed again */
	if (n && !n->top) {
		const struct node *pn = &P->nodes[n->parent];

		return cs_final(P, parent, pn, i, out, len);
	}
	if (P->blind) {
		if ((size_t)snprintf(out, len, "<%s>", path) >= len)
			out[len - 1] = '\0';
		return 0;
	}
	r = current(P, path, NULL, out, len);
	if (r < 0)
		return -1;
	if (r == 0)
		return cg_err_set(P->e, ENOENT, "%s: No such file or directory", path);
	return 0;
}

/* Top-down: fills a new directory; grows an existing one to old + new. */
static int cs_grow(struct planner *P, const char *dir, const struct node *n)
{
	char path[4096], cur[VAL_MAX], fin[VAL_MAX], v[VAL_MAX];
	bool is_new = planned_dir(P, dir) || P->blind;

	if (!is_new && !(n && n->g->cpuset.present))
		return 0;   /* an existing group without a cpuset section stays as it is */
	for (int i = 0; i < 2; i++) {
		const struct pstr *ps = n ? cs_pstr(n->g, i) : NULL;
		struct map_list a, b;
		int r;

		if (cs_final(P, dir, n, i, fin, sizeof(fin)) < 0)
			return -1;
		join(path, sizeof(path), dir, map_file(cs_knobs[i], false));
		if (is_new) {
			if (plan_write(P, path, fin, NULL, n, ps && ps->s ? (i ? "cpuset.mems" : "cpuset.cpus") : NULL,
				       ps && ps->s ? ps->line : 0, ps && ps->s ? ps->col : 0) < 0)
				return -1;
			continue;
		}
		r = current(P, path, NULL, cur, sizeof(cur));
		if (r < 0)
			return -1;
		if (r == 0 || map_list_parse(cur, &a) < 0 || map_list_parse(fin, &b) < 0 ||
		    map_list_subset(&b, &a))
			continue;
		map_list_union(&b, &a);
		map_list_format(&b, v, sizeof(v));
		if (plan_write(P, path, v, cur, n, i ? "cpuset.mems" : "cpuset.cpus", ps->line, ps->col) < 0)
			return -1;
	}
	return 0;
}

static bool is_node_dir(const struct planner *P, size_t h, const char *dir)
{
	char nd[4096];

	for (size_t i = 0; i < P->n_nodes; i++) {
		node_dir(P, h, &P->nodes[i], nd, sizeof(nd));
		if (!strcmp(nd, dir))
			return true;
	}
	return false;
}

/* Groups below dir that the profile does not name (a launch's run-PID leaf)
 * keep what they have of the list allowed (all of it when nothing is left),
 * deepest first, so that dir can shrink to allowed. */
static int cs_fit_below(struct planner *P, size_t h, const char *dir, int i,
			const struct map_list *allowed)
{
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!P->rd->subdirs || P->blind)
		return 0;
	if (P->rd->subdirs(P->rd->ctx, dir, &names, &n) < 0)
		rc = cg_err_sys(P->e, "%s", dir);
	for (size_t k = 0; rc == 0 && k < n; k++) {
		char sub[4096], path[4096], cur[VAL_MAX], v[VAL_MAX];
		struct map_list a, fit;
		int r;

		join(sub, sizeof(sub), dir, names[k]);
		if (is_node_dir(P, h, sub) || planned_dir(P, sub))
			continue;
		join(path, sizeof(path), sub, map_file(cs_knobs[i], false));
		r = current(P, path, NULL, cur, sizeof(cur));
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 0 || map_list_parse(cur, &a) < 0)
			continue;
		fit = a;
		for (size_t w = 0; w < MAP_LIST_IDS / 64; w++)
			fit.w[w] &= allowed->w[w];
		if (map_list_first_outside(&fit, &(struct map_list){ 0 }) < 0)
			fit = *allowed;
		rc = cs_fit_below(P, h, sub, i, &fit);
		if (rc == 0 && !map_list_equal(&fit, &a)) {
			map_list_format(&fit, v, sizeof(v));
			rc = plan_write(P, path, v, cur, NULL, NULL, 0, 0);
		}
	}
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	free(names);
	return rc;
}

/* Bottom-up: an existing group shrinks to its final lists. A group of the
 * tree without a cpuset section keeps what it has of its parent's new list
 * (all of it when nothing is left): the kernel wants a child's cpus and mems
 * within its parent's. */
static int cs_shrink(struct planner *P, size_t h, const char *dir, const struct node *n)
{
	char path[4096], cur[VAL_MAX], fin[VAL_MAX];

	if (planned_dir(P, dir) || P->blind)
		return 0;
	for (int i = 0; i < 2; i++) {
		const struct pstr *ps = cs_pstr(n->g, i);
		bool own = n->g->cpuset.present;
		struct map_list a, b;
		int r;

		if (cs_final(P, dir, n, i, fin, sizeof(fin)) < 0)
			return -1;
		join(path, sizeof(path), dir, map_file(cs_knobs[i], false));
		r = current(P, path, NULL, cur, sizeof(cur));
		if (r < 0)
			return -1;
		if (r == 0 || map_list_parse(cur, &a) < 0 || map_list_parse(fin, &b) < 0)
			continue;
		if (map_list_equal(&a, &b) || (!own && map_list_subset(&a, &b)))
			continue;
		if (!own) {
			struct map_list k = a;

			for (size_t w = 0; w < MAP_LIST_IDS / 64; w++)
				k.w[w] &= b.w[w];
			if (map_list_first_outside(&b, &(struct map_list){ 0 }) >= 0 &&
			    map_list_first_outside(&k, &(struct map_list){ 0 }) >= 0)
				map_list_format(&k, fin, sizeof(fin));
		}
		if (map_list_parse(fin, &b) == 0 && cs_fit_below(P, h, dir, i, &b) < 0)
			return -1;
		if (plan_write(P, path, fin, cur, n, own ? (i ? "cpuset.mems" : "cpuset.cpus") : NULL,
			       own ? ps->line : 0, own ? ps->col : 0) < 0)
			return -1;
	}
	return 0;
}

/* New children of a v1 cpuset group (a launch's run-PID leaf) take its
 * cpus and mems when the group says cgroup.clone_children. */
static int cs_clone_children(struct planner *P, const char *dir, const struct node *n)
{
	char path[4096], cur[VAL_MAX];
	int r;

	join(path, sizeof(path), dir, "cgroup.clone_children");
	r = current(P, path, "0", cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r && !strcmp(cur, "1"))
		return 0;
	return plan_write(P, path, "1", r ? cur : NULL, n, NULL, 0, 0);
}

static int cpuset_v1_grow(struct planner *P, size_t h)
{
	const struct map_hier *mh = &P->w.h[h];
	char dir[4096];

	for (const char *s = mh->base + strlen(mh->mount); *s;) {
		const char *e = strchrnul(s + 1, '/');

		snprintf(dir, sizeof(dir), "%.*s", (int)(e - mh->base), mh->base);
		if ((planned_dir(P, dir) || P->blind) && cs_grow(P, dir, NULL) < 0)
			return -1;
		s = e;
	}
	for (size_t i = 0; i < P->n_nodes; i++) {
		node_dir(P, h, &P->nodes[i], dir, sizeof(dir));
		if (cs_grow(P, dir, &P->nodes[i]) < 0 || cs_clone_children(P, dir, &P->nodes[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- putting it together ---- */

static int plan_node(struct planner *P, size_t idx)
{
	const struct node *n = &P->nodes[idx];
	int h;

	if (n->g->cpu.present && (h = hier(P, CTRL_CPU)) >= 0 &&
	    (P->w.h[h].v2 ? cpu_v2(P, (size_t)h, n) : cpu_v1(P, (size_t)h, n)) < 0)
		return -1;
	if (n->g->memory.present && (h = hier(P, CTRL_MEMORY)) >= 0 && memory(P, (size_t)h, n) < 0)
		return -1;
	if (n->g->io.present && (h = hier(P, CTRL_IO)) >= 0 && io(P, (size_t)h, idx) < 0)
		return -1;
	if (n->g->cpuset.present && (h = hier(P, CTRL_CPUSET)) >= 0 && P->w.h[h].v2 &&
	    cpuset_v2(P, (size_t)h, n) < 0)
		return -1;
	if (n->g->pids.present && (h = hier(P, CTRL_PIDS)) >= 0 && pids(P, (size_t)h, n) < 0)
		return -1;
	return 0;
}

static int plan_all(struct planner *P)
{
	int hc = hier(P, CTRL_CPU), hs = hier(P, CTRL_CPUSET);
	char dir[4096];

	for (size_t h = 0; h < P->w.n; h++)
		if (plan_dirs(P, h) < 0)
			return -1;
	if (hc >= 0 && !P->w.h[hc].v2)
		for (size_t i = 0; i < P->n_nodes; i++)
			if (P->nodes[i].g->cpu.present && cpu_v1_relax(P, (size_t)hc, &P->nodes[i]) < 0)
				return -1;
	if (hs >= 0 && !P->w.h[hs].v2 && cpuset_v1_grow(P, (size_t)hs) < 0)
		return -1;
	for (size_t i = 0; i < P->n_nodes; i++)
		if (plan_node(P, i) < 0)
			return -1;
	if (hs >= 0 && !P->w.h[hs].v2)
		for (size_t i = P->n_nodes; i-- > 0;) {
			node_dir(P, (size_t)hs, &P->nodes[i], dir, sizeof(dir));
			if (cs_shrink(P, (size_t)hs, dir, &P->nodes[i]) < 0)
				return -1;
		}
	return 0;
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

		node_dir(&P, h, &P.nodes[0], dir, sizeof(dir));
		out->group_dirs[h] = strdup(dir);
		if (!out->group_dirs[h]) {
			oom(&P);
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
