/* The policy engine: carries out a plan all or nothing, removes groups, and
 * shows them (the show itself is show.c, through cg_reader_fs). File names
 * and formats come from mapping.c. */
#include "policy.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgops.h"
#include "cleanup.h"
#include "mapping.h"
#include "mark.h"
#include "show.h"
#include "sys.h"
#include "units.h"

/* How long a removal waits for the kernel to let a group go (a process
 * that just left it is not yet gone). */
#define REMOVE_WAIT_MS 500

/* ---- execute ---- */

struct undo_state {
	const char *first_path;
	int first_errno;
	int failed;
};

static void undo_one(const struct plan_op *op, const char *used, bool created, struct undo_state *u)
{
	int rc = 0;
	const char *path = op->path;

	if (op->kind == PLAN_MKDIR) {
		cg_err why = { 0 };

		if (created && cg_remove_wait(op->path, REMOVE_WAIT_MS, &why) < 0) {
			rc = -1;
			errno = why.errnum;
		}
	} else if (op->old && used) {
		path = used;
		rc = sys_write_file(used, op->old);
	}
	if (rc < 0) {
		if (!u->failed++) {
			u->first_path = path;
			u->first_errno = errno;
		}
	}
}

/* Runs the ops in order; returns the index of the one that failed (errno
 * set, *failed the file), or pl->n. Records what each did, for the undo. */
static size_t run_ops(const struct plan *pl, bool *created, const char **used, const char **failed)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct plan_op *op = &pl->ops[i];

		if (op->kind == PLAN_MKDIR) {
			if (sys_mkdir(op->path, 0755) == 0)
				created[i] = true;
			/* EEXIST: another cgrun made it just now; unless the plan
			 * only guessed it was missing: then it is wrong */
			else if (errno != EEXIST || op->guessed)
				break;
			continue;
		}
		*failed = op->path;
		if (sys_write_file(op->path, op->value) == 0) {
			used[i] = op->path;
			continue;
		}
		if (errno == ENOENT && op->alt_path) {
			*failed = op->alt_path;
			if (sys_write_file(op->alt_path, op->alt_value) == 0) {
				used[i] = op->alt_path;
				continue;
			}
		}
		break;
	}
	if (i < pl->n && pl->ops[i].kind == PLAN_MKDIR)
		*failed = pl->ops[i].path;
	return i;
}

/* "50.2M": a size for a message, to a tenth of a unit. */
static void approx_size(uint64_t v, char *out, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;
	double d = (double)v;

	while (u < 3 && d >= 1024) {
		d /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%" PRIu64 " bytes", v);
	else
		snprintf(out, len, "%.1f%c", d, units[u]);
}

/* v1 answers EBUSY to a memory limit below what the group uses when it
 * cannot reclaim enough (no swap, or memory it cannot drop): say so, with
 * the usage, and what to do. (v2 takes any memory.max and OOM-kills.) */
static void explain_mem_busy(const struct plan_op *op, const char *path, const char *value,
			     cg_err *e)
{
	bool v2 = false;
	const char *slash = strrchr(path, '/');
	char usage_path[PATH_MAX], buf[64], lim[32], use[32], least[32];
	uint64_t want, usage;
	size_t len = strlen(e->msg), kl = op->key ? strlen(op->key) : 0;

	/* the profile's max ("memory.max", "children[0].memory.max"), not the
	 * swap limit that v1 may write to the same file first */
	if (!slash || kl < 4 || strcmp(op->key + kl - 4, ".max") != 0)
		return;
	if (!strcmp(slash + 1, map_file(MK_MEM_MAX, true)))
		v2 = true;
	else if (strcmp(slash + 1, map_file(MK_MEM_MAX, false)) != 0)
		return;
	snprintf(usage_path, sizeof(usage_path), "%.*s/%s", (int)(slash - path), path,
		 map_file(MK_MEM_USAGE, v2));
	if (map_parse_limit(value, &want) < 0 || want == MAP_UNLIMITED ||
	    sys_read_file(usage_path, buf, sizeof(buf)) < 0 || map_parse_limit(buf, &usage) < 0)
		return;
	unit_format_size(want, lim, sizeof(lim));
	approx_size(usage, use, sizeof(use));
	/* the usage, rounded up to a whole MiB */
	unit_format_size((usage + (1ULL << 20) - 1) >> 20 << 20, least, sizeof(least));
	snprintf(e->msg + len, sizeof(e->msg) - len,
		 "; the group uses %s now, and the kernel could not reclaim it below the new "
		 "limit of %s (memory it cannot drop or swap out): give memory.max at least %s, "
		 "or stop or shrink the processes in the group first",
		 use, lim, least);
}

/* The error of op failing with err at path. */
static void explain(const struct plan_op *op, const char *path, int err, cg_err *e)
{
	const char *value = path == op->alt_path ? op->alt_value : op->value;
	size_t len;

	if (op->kind == PLAN_MKDIR)
		cg_err_set(e, err, "%s: %s (creating the group)", path, strerror(err));
	else if (op->key && op->line > 0)
		cg_err_set(e, err, "%s: %s (writing \"%s\" for %s at line %d:%d)", path, strerror(err),
			   value, op->key, op->line, op->col);
	else if (op->key)
		cg_err_set(e, err, "%s: %s (writing \"%s\" for %s)", path, strerror(err), value, op->key);
	else
		cg_err_set(e, err, "%s: %s (writing \"%s\")", path, strerror(err), value);
	len = strlen(e->msg);
	if (op->kind == PLAN_WRITE && err == EBUSY)
		explain_mem_busy(op, path, value, e);
	if (op->kind == PLAN_WRITE && strstr(path, "/cgroup.subtree_control")) {
		if (err == EBUSY)
			snprintf(e->msg + len, sizeof(e->msg) - len,
				 "; cgroup v2 enables no controller below a group that holds "
				 "processes itself: choose a parent without processes");
		else if (err == ENOENT)
			snprintf(e->msg + len, sizeof(e->msg) - len,
				 "; the controller is not in that group's cgroup.controllers "
				 "(not enabled or not delegated above it)");
	}
}

int policy_execute(const struct plan *pl, cg_err *e)
{
	bool *created = calloc(pl->n + 1, sizeof(bool));
	const char **used = calloc(pl->n + 1, sizeof(char *));
	struct undo_state u = { 0 };
	const char *path = NULL;
	size_t i, len;
	int err;

	if (!created || !used) {
		free(created);
		free(used);
		return cg_err_set(e, ENOMEM, "out of memory");
	}
	i = run_ops(pl, created, used, &path);
	if (i == pl->n || !path) {
		free(created);
		free(used);
		return 0;
	}
	err = errno;
	for (size_t j = i; j-- > 0;)
		undo_one(&pl->ops[j], used[j], created[j], &u);
	explain(&pl->ops[i], path, err, e);
	len = strlen(e->msg);
	if (u.failed)
		snprintf(e->msg + len, sizeof(e->msg) - len,
			 "; undoing the apply failed in %d step%s, first %s: %s", u.failed,
			 u.failed == 1 ? "" : "s", u.first_path, strerror(u.first_errno));
	else
		snprintf(e->msg + len, sizeof(e->msg) - len, "; nothing was changed");
	free(created);
	free(used);
	return -1;
}

bool policy_guess_failed(const struct plan *pl, const cg_err *e)
{
	if (e->errnum != EEXIST)
		return false;
	for (size_t i = 0; i < pl->n; i++)
		if (pl->ops[i].guessed)
			return true;
	return false;
}

/* Marks the parents the plan made above its groups (`parent: a/b` where a
 * was missing), so that they go with their last child, as a launch's do. */
static void mark_made_parents(const struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		const char *dir = pl->ops[i].path;
		size_t len = strlen(dir);

		if (pl->ops[i].kind != PLAN_MKDIR)
			continue;
		for (size_t j = 0; j < pl->n_group_dirs; j++)
			if (!strncmp(pl->group_dirs[j], dir, len) && pl->group_dirs[j][len] == '/') {
				(void)mark_set(dir, MARK_ANCESTOR);
				break;
			}
	}
}

int policy_apply(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		 struct diags *d, cg_err *e)
{
	struct plan_opts guess = o ? *o : (struct plan_opts){ 0 };
	int n = d->n, errors = d->errors, warnings = d->warnings;
	struct plan pl = { 0 };
	int rc;

	/* a new group is missing everywhere: plan it on one stat, and plan
	 * again, asking about every directory, if that was wrong */
	guess.guess_missing = true;
	rc = plan_build(p, l, &guess, &cg_reader_fs, &pl, d, e);
	if (rc == 0)
		rc = policy_execute(&pl, e);
	if (rc < 0 && policy_guess_failed(&pl, e)) {
		plan_free(&pl);
		d->n = n;   /* the second plan says the same again */
		d->errors = errors;
		d->warnings = warnings;
		cg_err_clear(e);
		rc = plan_build(p, l, o, &cg_reader_fs, &pl, d, e);
		if (rc == 0)
			rc = policy_execute(&pl, e);
	}
	if (rc == 0)
		mark_made_parents(&pl);
	plan_free(&pl);
	return rc;
}

/* ---- where the groups are ---- */

/* map_where() for callers that have no diagnostics to print: the first
 * diagnostic becomes the error. */
static int where(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		 struct map_where *w, cg_err *e)
{
	struct diags d;

	diags_init(&d, p->path);
	cg_err_clear(e);
	if (map_where(p, l, o ? o->parent : NULL, w, &d, e) == 0)
		return 0;
	if (d.n > 0 && !e->msg[0])
		cg_err_set(e, 0, "%s:%d:%d: %s: %s", p->path ? p->path : "<profile>", d.items[0].line,
			   d.items[0].col, d.items[0].key, d.items[0].msg);
	return -1;
}

int policy_group_dirs(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		      const char *child, char ***dirs, size_t *n, cg_err *e)
{
	struct map_where w;
	char **out;

	*dirs = NULL;
	*n = 0;
	if (child && *child) {
		for (const char *s = child; *s;) {
			size_t len = strcspn(s, "/");
			char name[PROFILE_NAME_MAX + 2];
			const char *why;

			snprintf(name, sizeof(name), "%.*s", (int)(len > PROFILE_NAME_MAX + 1 ? PROFILE_NAME_MAX + 1 : len), s);
			why = profile_name_invalid(name);
			if (why)
				return cg_err_set(e, EINVAL, "child group '%s': '%s' is not a group name: %s",
						  child, name, why);
			s += len;
			s += strspn(s, "/");
		}
		if (!group_find_child(&p->group, child))
			return cg_err_set(e, ENOENT, "the profile has no child group '%s' below '%s'",
					  child, p->group.name.s);
	}
	if (where(p, l, o, &w, e) < 0)
		return -1;
	out = calloc(w.n + 1, sizeof(*out));
	if (!out) {
		map_where_free(&w);
		return cg_err_set(e, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < w.n; i++) {
		int r = child && *child ? asprintf(&out[i], "%s/%s/%s", w.h[i].base, p->group.name.s, child)
					: asprintf(&out[i], "%s/%s", w.h[i].base, p->group.name.s);

		if (r < 0) {
			for (size_t j = 0; j < i; j++)
				free(out[j]);
			free(out);
			map_where_free(&w);
			return cg_err_set(e, ENOMEM, "out of memory");
		}
	}
	*dirs = out;
	*n = w.n;
	map_where_free(&w);
	return 0;
}

int policy_adopt(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		 cg_err *e)
{
	char **dirs;
	size_t n;

	if (policy_group_dirs(p, l, o, NULL, &dirs, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		mark_clear(dirs[i]);
		free(dirs[i]);
	}
	free(dirs);
	return 0;
}

/* ---- remove ---- */

struct dirlist {
	char **d;
	size_t n;
};

static void dirlist_free(struct dirlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->d[i]);
	free(l->d);
	l->d = NULL;
	l->n = 0;
}

/* Appends dir's subdirectories that --remove may take, deepest first, then
 * dir itself. g is the profile's group for dir (NULL below a launch's leaf
 * or a parent a launch made); all: dir is a group a launch made, or --force
 * takes what is in it. Below that, what is neither described nor marked is
 * not cgkit's: refused (-1, e names it) before anything is removed. */
static int collect(const char *dir, const struct group_spec *g, bool all, bool force,
		   struct dirlist *l, cg_err *e)
{
	struct stat st;
	char **n, **names = NULL;
	size_t count = 0;
	int rc = 0;

	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return cg_err_sys(e, "%s", dir);
	}
	if (cg_children(dir, &names, &count, e) < 0)
		return -1;
	for (size_t i = 0; i < count && rc == 0; i++) {
		_cleanup_free_ char *sub = NULL;
		const struct group_spec *child;
		bool known, whole = all;

		if (asprintf(&sub, "%s/%s", dir, names[i]) < 0) {
			rc = cg_err_set(e, ENOMEM, "out of memory");
			break;
		}
		/* described, or a launch's leaf in a described group; else a
		 * launch's group (all of it), or a parent a launch made */
		child = g ? group_find_child(g, names[i]) : NULL;
		known = all || child || (g && mark_is_launch_leaf(names[i]));
		if (!known && (mark_has(sub, MARK_LAUNCH) || force))
			known = whole = true;
		if (!known && !mark_has(sub, MARK_ANCESTOR))
			rc = cg_err_set(e, ENOTEMPTY,
					"group %s is not in the profile and cgkit did not make it; "
					"nothing was removed: add it to the profile's children, "
					"remove it yourself, or use --force to remove it with the group",
					sub);
		else
			rc = collect(sub, child, whole, force, l, e);
	}
	cg_names_free(names);
	if (rc < 0)
		return -1;
	n = realloc(l->d, (l->n + 1) * sizeof(*n));
	if (!n || !(n[l->n] = strdup(dir))) {
		if (n)
			l->d = n;
		return cg_err_set(e, ENOMEM, "out of memory");
	}
	l->d = n;
	l->n++;
	return 0;
}

/* Is path dir itself, or a file directly in it? */
static bool in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (!path[n] || (path[n] == '/' && !strchr(path + n + 1, '/')));
}

/* Makes again the group directories gone[] that a refused remove had
 * already taken away, with the values the profile gives them (the ops of a
 * fresh plan that fall in those directories). */
static int remake(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		  char *const *gone, size_t n, cg_err *e)
{
	struct plan pl = { 0 };
	struct diags d;
	size_t k = 0;
	int rc;

	diags_init(&d, p->path);
	if (plan_build(p, l, o, &cg_reader_fs, &pl, &d, e) < 0)
		return -1;
	for (size_t i = 0; i < pl.n; i++) {
		bool keep = false;

		for (size_t j = 0; j < n && !keep; j++)
			keep = in_dir(pl.ops[i].path, gone[j]) &&
			       (pl.ops[i].kind == PLAN_WRITE || !strcmp(pl.ops[i].path, gone[j]));
		if (keep) {
			struct plan_op t = pl.ops[k];

			pl.ops[k++] = pl.ops[i];
			pl.ops[i] = t;
		}
	}
	/* run only the first k; plan_free frees them all */
	{
		size_t all = pl.n;

		pl.n = k;
		rc = policy_execute(&pl, e);
		pl.n = all;
	}
	plan_free(&pl);
	return rc;
}

/* The common case in one rmdir per hierarchy: a profile without children,
 * the group a leaf with no process in it, in the profile's hierarchies only
 * (w->h[0 .. needed)). rmdir is the kernel's own check (EBUSY for a process
 * or a child), so nothing is read first. Returns 1 when every hierarchy's group
 * is gone, 0 when one refused (the ones removed before it are made again),
 * -1 when that failed too. */
static int remove_fast(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		       const struct map_where *w, size_t needed, size_t *remade, cg_err *e)
{
	char *gone[CTRL_COUNT];
	size_t n = 0;
	int rc = 1;

	for (size_t h = 0; h < needed && rc == 1; h++) {
		char *top;

		if (asprintf(&top, "%s/%s", w->h[h].base, p->group.name.s) < 0) {
			rc = -1;
			cg_err_set(e, ENOMEM, "out of memory");
			break;
		}
		if (sys_rmdir(top) == 0) {
			gone[n++] = top;
			continue;
		}
		if (errno != ENOENT)
			rc = 0;
		free(top);
	}
	if (rc == 0 && n > 0 && remake(p, l, o, gone, n, e) < 0) {
		size_t len = strlen(e->msg);

		snprintf(e->msg + len, sizeof(e->msg) - len,
			 "; a remove refused in one hierarchy had already removed %s, and making it "
			 "again failed",
			 gone[0]);
		rc = -1;
	}
	if (rc == 0)
		*remade = n;
	for (size_t i = 0; i < n; i++)
		free(gone[i]);
	return rc;
}

/* The group may be in hierarchies the profile no longer needs (a section
 * dropped and the profile applied again): w gets the profile's hierarchies
 * first (*needed of them), then every other one the layout has. */
static int where_every(const struct profile *p, const struct cg_layout *l,
		       const struct plan_opts *o, struct map_where *w, size_t *needed, cg_err *e)
{
	if (where(p, l, o, w, e) < 0)
		return -1;
	*needed = w->n;
	for (int c = 0; c < CTRL_COUNT; c++)
		if (cg_layout_mount(l, (enum cg_ctrl)c) && map_where_add(w, l, (enum cg_ctrl)c, e) < 0) {
			map_where_free(w);
			return -1;
		}
	return 0;
}

/* Is the group there in a hierarchy the profile no longer needs? */
static bool left_elsewhere(const struct profile *p, const struct map_where *w, size_t needed)
{
	for (size_t h = needed; h < w->n; h++) {
		char top[PATH_MAX];
		struct stat st;

		snprintf(top, sizeof(top), "%s/%s", w->h[h].base, p->group.name.s);
		if (stat(top, &st) == 0)
			return true;
	}
	return false;
}

static void note_remade(cg_err *e, size_t remade)
{
	size_t len = strlen(e->msg);

	if (remade)
		snprintf(e->msg + len, sizeof(e->msg) - len,
			 "; the group had already been removed in %zu other hierarch%s and was made again "
			 "there with the profile's values (their usage counters start from zero)",
			 remade, remade == 1 ? "y" : "ies");
}

/* The parents --apply or a launch made for the group (marked) go with it
 * once empty; the caller's own group and those above it never. */
static void remove_made_parents(const struct profile *p, const struct map_where *w)
{
	if (!strcmp(w->parent, "self"))
		return;
	for (size_t h = 0; h < w->n; h++) {
		char top[PATH_MAX];

		snprintf(top, sizeof(top), "%s/%s", w->h[h].base, p->group.name.s);
		mark_remove_ancestors(top);
	}
}

/* Refuses (-1) when a group about to be removed holds a process. */
static int check_procs(const struct map_where *w, const struct dirlist *dl, cg_err *e)
{
	for (size_t h = 0; h < w->n; h++)
		for (size_t i = 0; i < dl[h].n; i++) {
			struct cg_ids ids = { 0 };
			size_t count;
			long first;

			if (cg_procs_read(dl[h].d[i], w->h[h].v2, 0, &ids, e) < 0)
				return -1;
			count = ids.n;
			first = count ? ids.v[0] : 0;
			cg_ids_free(&ids);
			if (count)
				return cg_err_set(
					e, EBUSY,
					"group %s has %zu process%s in it (pid %ld%s); stop %s, or use "
					"--force to move %s to %s%s",
					dl[h].d[i], count, count == 1 ? "" : "es", first,
					count > 1 ? ", ..." : "", count == 1 ? "it" : "them",
					count == 1 ? "it" : "them", w->h[h].base,
					w->h[h].v2 ? " (or the nearest group above it that may hold "
						     "processes)" : "");
		}
	return 0;
}

int policy_remove(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		  bool force, cg_err *e)
{
	struct map_where w;
	struct dirlist dl[CTRL_COUNT] = { 0 };
	size_t remade = 0, needed;
	int rc = -1;

	if (where_every(p, l, o, &w, &needed, e) < 0)
		return -1;
	/* a profile with children has directories below the group: the
	 * careful path removes them first */
	if (!force && p->group.n_children == 0 && !left_elsewhere(p, &w, needed)) {
		int fast = remove_fast(p, l, o, &w, needed, &remade, e);

		if (fast != 0) {
			if (fast > 0)
				remove_made_parents(p, &w);
			map_where_free(&w);
			return fast > 0 ? 0 : -1;
		}
	}
	/* children, processes, groups cgkit did not make, or a group still
	 * going away: look closely, and refuse before anything is removed */
	for (size_t h = 0; h < w.n; h++) {
		char top[PATH_MAX];

		snprintf(top, sizeof(top), "%s/%s", w.h[h].base, p->group.name.s);
		if (collect(top, &p->group, false, force, &dl[h], e) < 0) {
			note_remade(e, remade);
			goto out;
		}
	}
	if (!force && check_procs(&w, dl, e) < 0) {
		note_remade(e, remade);
		goto out;
	}
	for (size_t h = 0; h < w.n; h++)
		for (size_t i = 0; i < dl[h].n; i++) {
			struct cg_hdir parent = { .dir = w.h[h].base, .v2 = w.h[h].v2,
						  .mount = w.h[h].mount };

			if (force && cg_move_all(dl[h].d[i], &parent, e) < 0)
				goto out;
			if (cg_remove_wait(dl[h].d[i], REMOVE_WAIT_MS, e) < 0)
				goto out;
		}
	remove_made_parents(p, &w);
	rc = 0;
out:
	for (size_t h = 0; h < w.n; h++)
		dirlist_free(&dl[h]);
	map_where_free(&w);
	return rc;
}

/* ---- show ---- */

int policy_show(const struct profile *p, const struct cg_layout *l, const struct plan_opts *o,
		FILE *out, cg_err *e)
{
	struct map_where w;
	int rc;

	if (where(p, l, o, &w, e) < 0)
		return -1;
	rc = show_groups(p, l, &w, &cg_reader_fs, out, e);
	map_where_free(&w);
	return rc;
}

struct profile *policy_read(const struct profile *p, const struct cg_layout *l,
			    const struct plan_opts *o, cg_err *e)
{
	_cleanup_free_ char *text = NULL;
	struct profile *live;
	struct diags d;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return cg_err_sys(e, "reading the group back"), NULL;
	rc = policy_show(p, l, o, f, e);
	if (fclose(f) != 0 && rc == 0)
		rc = cg_err_sys(e, "reading the group back");
	if (rc < 0)
		return NULL;
	diags_init(&d, "(live group)");
	live = profile_parse(text, len, "(live group)", &p->opts, &d);
	if (!live) {
		cg_err_set(e, 0, "%s: the values read back are not a profile: %s: %s",
			   p->group.name.s, d.n ? d.items[0].key : "", d.n ? d.items[0].msg : "?");
		return NULL;
	}
	/* show prints the group, not where it is: that is the caller's */
	live->parent_self = p->parent_self;
	free(live->parent.s);
	live->parent.s = NULL;
	if (p->parent.s && !(live->parent.s = strdup(p->parent.s))) {
		profile_free(live);
		return cg_err_set(e, ENOMEM, "out of memory"), NULL;
	}
	return live;
}
