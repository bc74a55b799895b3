/* The cgroup side of a launch (see launch_cg.h). */
#include "launch_cg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgops.h"
#include "cleanup.h"
#include "mapping.h"
#include "mark.h"
#include "policy.h"
#include "sys.h"

#define ENTER_TRIES 8
#define RMDIR_WAIT_MS 3000

void launch_cg_init(struct launch_cg *c)
{
	memset(c, 0, sizeof(*c));
	c->lock_fd = -1;
}

void launch_cg_free(struct launch_cg *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->top[i]);
		free(c->group[i]);
		free(c->leaf[i]);
	}
	launch_unlock(c->lock_fd);
	launch_cg_init(c);
}

static int find_first(unsigned ctrls)
{
	for (int ct = 0; ct < CTRL_COUNT; ct++)
		if (ctrls & (1u << ct))
			return ct;
	return -1;
}

static int find_ctrl(const struct launch_cg *c, enum cg_ctrl ctrl)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->ctrls[i] & (1u << ctrl))
			return (int)i;
	return -1;
}

const char *launch_cg_leaf(const struct launch_cg *c, enum cg_ctrl ctrl)
{
	int i = find_ctrl(c, ctrl);

	return i < 0 ? NULL : c->leaf[i];
}

const char *launch_cg_group(const struct launch_cg *c, enum cg_ctrl ctrl)
{
	int i = find_ctrl(c, ctrl);

	return i < 0 ? NULL : c->group[i];
}

const char *launch_lock_dir = LAUNCH_LOCK_DIR;

/* A directory of uid's own that nobody else may write or read, not a
 * symlink. */
static bool private_dir(const char *dir, unsigned uid)
{
	struct stat st;

	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid &&
	       !(st.st_mode & 077);
}

int launch_lock_user_dir(unsigned uid, const char *xdg, const char *tmp, char *out, size_t len,
			 cg_err *e)
{
	if (xdg && *xdg == '/' && private_dir(xdg, uid))
		snprintf(out, len, "%s/cgkit", xdg);
	else
		snprintf(out, len, "%s/cgkit-%u", tmp && *tmp ? tmp : "/tmp", uid);
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return cg_err_sys(e, "creating the launch lock's directory %s", out);
	if (!private_dir(out, uid))
		return cg_err_set(e, EPERM,
				  "the launch lock's directory %s is not a directory of yours (uid %u) "
				  "with mode 0700 (someone else made it, or it is a symlink): remove it, "
				  "or set XDG_RUNTIME_DIR to your own runtime directory",
				  out, uid);
	return 0;
}

int launch_lock(cg_err *e)
{
	char path[4096], dir[4000];
	int fd;

	if (geteuid() != 0 && !strcmp(launch_lock_dir, LAUNCH_LOCK_DIR)) {
		if (launch_lock_user_dir((unsigned)geteuid(), getenv("XDG_RUNTIME_DIR"), "/tmp", dir,
					 sizeof(dir), e) < 0)
			return -1;
	} else {
		snprintf(dir, sizeof(dir), "%s", launch_lock_dir);
	}
	snprintf(path, sizeof(path), "%s/groups.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return cg_err_sys(e, "creating %s", dir);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	}
	if (fd < 0)
		return cg_err_sys(e, "opening the lock %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			cg_err_sys(e, "locking %s", path);
			close(fd);
			return -1;
		}
	}
	return fd;
}

void launch_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Which controllers the hierarchy holding dir serves. */
static unsigned ctrls_of(const struct cg_layout *l, const char *dir, bool *v2)
{
	unsigned m = 0;
	int ct;

	*v2 = false;
	for (ct = 0; ct < CTRL_COUNT; ct++) {
		const char *mnt = cg_layout_mount(l, (enum cg_ctrl)ct);
		size_t len = mnt ? strlen(mnt) : 0;

		if (mnt && !strncmp(dir, mnt, len) && dir[len] == '/') {
			m |= 1u << ct;
			if (cg_layout_is_v2(l, (enum cg_ctrl)ct))
				*v2 = true;
		}
	}
	return m;
}

/* Does the plan make dir? Then it was not there when the plan was made (the
 * launch lock keeps other launches from making it meanwhile). */
static bool planned(const struct plan *pl, const char *dir)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->ops[i].kind == PLAN_MKDIR && !strcmp(pl->ops[i].path, dir))
			return true;
	return false;
}

/* The ancestors of the group that do not exist yet, deepest first: the
 * apply creates them (`parent: cgkit/tenants`), and they are marked so that
 * they go again, with a plain rmdir, once empty. */
static size_t missing_ancestors(const struct plan *pl, const char *top, char **out, size_t max)
{
	_cleanup_free_ char *p = strdup(top);
	size_t n = 0;
	char *slash;

	while (p && n < max && (slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		if (!planned(pl, p))
			break;
		out[n++] = strdup(p);
	}
	return n;
}

static void mark_ancestors(char **dirs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (dirs[i])
			(void)mark_set(dirs[i], MARK_ANCESTOR);
		free(dirs[i]);
	}
}

/* Fills top/group/leaf from the plan's group directories. */
static int set_dirs(struct launch_cg *c, const struct cg_layout *l, const struct plan *pl,
		    const char *child, pid_t pid, cg_err *e)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->top[i]);
		free(c->group[i]);
		free(c->leaf[i]);
		c->top[i] = c->group[i] = c->leaf[i] = NULL;
	}
	c->n = 0;
	for (i = 0; i < pl->n_group_dirs && i < LAUNCH_MAX_HIER; i++) {
		const char *g = pl->group_dirs[i];

		c->top[i] = strdup(g);
		if (!child)
			c->group[i] = strdup(g);
		else if (asprintf(&c->group[i], "%s/%s", g, child) < 0)
			c->group[i] = NULL;
		if (!c->top[i] || !c->group[i] ||
		    (pid && asprintf(&c->leaf[i], "%s/run-%d", c->group[i], (int)pid) < 0)) {
			c->n = i + 1;
			return cg_err_set(e, ENOMEM, "out of memory");
		}
		c->ctrls[i] = ctrls_of(l, g, &c->v2[i]);
		c->n = i + 1;
	}
	/* a profile with no resource section needs no hierarchy: the launch
	 * then has no leaf, only its namespaces */
	return 0;
}

static void mark_created(struct launch_cg *c)
{
	size_t i;

	/* where the kernel has no xattrs on cgroupfs, the group is only
	 * removed by the launch that created it */
	c->unmarkable = false;
	for (i = 0; i < c->n; i++)
		if (mark_set(c->top[i], MARK_LAUNCH) < 0)
			c->unmarkable = true;
}

/* v2: a leaf has a controller's files (memory.events, memory.peak,
 * pids.peak, cpu.stat's throttling) only when its group enables the
 * controller for its children. The group's limits cap the leaves either way;
 * this is for the per-launch accounting and OOM report. Best effort: a group
 * that holds processes itself cannot enable them (then the counters are
 * missing and --stats says unknown). */
static void enable_for_leaves(const char *group)
{
	char path[4096], avail[512], on[512], add[600] = "";
	char *save = NULL, *tok;

	snprintf(path, sizeof(path), "%s/%s", group, map_cgfile(MF_CONTROLLERS, true));
	if (sys_read_file(path, avail, sizeof(avail)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", group, map_cgfile(MF_SUBTREE, true));
	if (sys_read_file(path, on, sizeof(on)) < 0)
		return;
	for (tok = strtok_r(avail, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char padded[64];
		char onp[520];

		snprintf(padded, sizeof(padded), " %s ", tok);
		snprintf(onp, sizeof(onp), " %s ", on);
		for (char *q = onp; *q; q++)
			if (*q == '\n')
				*q = ' ';
		if (strstr(onp, padded))
			continue;
		snprintf(add + strlen(add), sizeof(add) - strlen(add), "%s+%s", *add ? " " : "", tok);
	}
	if (*add)
		(void)sys_write_file(path, add);
}

static bool pid_alive(int pid);

/* The group would go into a launch's leaf (`cgrun -- cgrun --apply` with
 * parent: self): the leaf could never be removed, and --gc would not clear
 * it. */
static int parent_is_leaf(const char *parent, const char *as_given, cg_err *e)
{
	const char *last = strrchr(parent, '/');

	if (!last || !mark_is_launch_leaf(last + 1))
		return 0;
	return cg_err_set(e, 0,
			  "%s%s is the leaf of a launch (%s): a group made there would keep the "
			  "leaf from being removed when that launch ends; give --parent (such as "
			  "--parent cgkit) to put the group elsewhere",
			  strcmp(as_given, "self") ? "the parent " : "parent: self, ",
			  strcmp(as_given, "self") ? as_given : "the caller's own group,", parent);
}

int launch_cg_check_parent(const struct profile *p, const struct cg_layout *l,
			   const char *parent_override, cg_err *e)
{
	struct map_where w;
	struct diags d;
	cg_err ignore = { 0 };
	int rc = 0;

	diags_init(&d, p->path ? p->path : "");
	/* a profile the mapping refuses: the plan says why */
	if (map_where(p, l, parent_override, &w, &d, &ignore) == 0)
		for (size_t i = 0; i < w.n && rc == 0; i++)
			rc = parent_is_leaf(w.h[i].base, w.parent, e);
	map_where_free(&w);
	return rc;
}

/* Is dir or a group below it in use: processes in it, or the leaf of a
 * launch whose process lives (its child may not have joined yet)? Sets
 * *leaf when a launch's leaf is what uses it. */
static bool in_use(const char *dir, bool v2, bool *leaf)
{
	char **names = NULL;
	size_t n = 0;
	bool used = cg_has_procs(dir, v2, NULL) > 0;

	if (!used && cg_children(dir, &names, &n, NULL) < 0)
		return false;
	for (size_t i = 0; i < n && !used; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (mark_is_launch_leaf(names[i]) && pid_alive(atoi(names[i] + 4))) {
			*leaf = true;
			used = true;
		} else if (in_use(path, v2, leaf)) {
			*leaf = *leaf || mark_is_launch_leaf(names[i]);
			used = true;
		}
	}
	cg_names_free(names);
	return used;
}

/* Does plan `pl` write a value that the plan of the profile without the
 * overrides would not? */
static bool overrides_change(const struct plan *pl, const struct plan *base)
{
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_op *op = &pl->ops[i];
		size_t k;

		if (op->kind != PLAN_WRITE)
			continue;
		for (k = 0; k < base->n; k++)
			if (base->ops[k].kind == PLAN_WRITE && !strcmp(base->ops[k].path, op->path) &&
			    !strcmp(base->ops[k].value, op->value))
				break;
		if (k == base->n)
			return true;
	}
	return false;
}

/* The overrides may change an existing group only when a launch made it
 * and nothing uses it now. */
static int check_overrides(const struct launch_cg *c, const struct plan *pl,
			   const struct cg_layout *l, const struct plan_opts *o, cg_err *e)
{
	struct plan base = { 0 };
	struct diags d;
	const char *why = NULL;
	const char *name = c->base->group.name.s ? c->base->group.name.s : "?";
	size_t i;
	bool change;

	diags_init(&d, c->base->path ? c->base->path : "");
	if (plan_build(c->base, l, o, &cg_reader_fs, &base, &d, e) < 0) {
		plan_free(&base);
		return -1;   /* the full plan was fine: not expected */
	}
	change = overrides_change(pl, &base);
	plan_free(&base);
	if (!change)
		return 0;
	for (i = 0; i < c->n && !why; i++) {
		bool leaf = false;

		if (!mark_has(c->top[i], MARK_LAUNCH))
			why = "was made with cgrun --apply";
		else if (in_use(c->top[i], c->v2[i], &leaf))
			why = leaf ? "is in use by another launch" : "has processes in it";
	}
	if (!why)
		return 0;
	return cg_err_set(e, 0,
			  "%s: the group %s (%s) exists and %s; a launch's override would change "
			  "its limits for every process in it and after the launch: to change the "
			  "group, edit the profile and run cgrun --apply -p PROFILE; to launch with "
			  "other limits, give another --name",
			  c->overrides, name, c->top[0], why);
}

/* One attempt: plan and apply. ENOENT in e->errnum asks for another
 * attempt. */
static int enter_once(struct launch_cg *c, const struct profile *p, const struct cg_layout *l,
		      const struct plan_opts *po, const char *child, bool *guess, struct diags *d,
		      cg_err *e)
{
	struct plan_opts o = po ? *po : (struct plan_opts){ 0 };
	struct plan pl = { 0 };
	char *anc[LAUNCH_MAX_HIER][16];
	size_t n_anc[LAUNCH_MAX_HIER] = { 0 };
	bool existed;
	size_t i;
	int rc;

	c->layout = l;
	o.guess_missing = *guess;
	rc = plan_build(p, l, &o, &cg_reader_fs, &pl, d, e);
	if (rc == 0)
		rc = set_dirs(c, l, &pl, child, 0, e);
	if (rc < 0) {
		plan_free(&pl);
		return -1;
	}
	existed = c->n == 0 || !planned(&pl, c->top[0]);
	for (i = 0; i < c->n && !existed; i++) {
		_cleanup_free_ char *up = strdup(c->top[i]);
		char *slash = up ? strrchr(up, '/') : NULL;

		if (slash)
			*slash = '\0';
		if (up && parent_is_leaf(up, map_parent(p, po ? po->parent : NULL), e) < 0) {
			plan_free(&pl);
			return -1;
		}
	}
	if (existed && c->n && c->base && c->overrides && check_overrides(c, &pl, l, &o, e) < 0) {
		plan_free(&pl);
		return -1;
	}
	/* the caller's own group and those above it are there, and never
	 * made by a launch */
	c->parent_self = !strcmp(map_parent(p, po ? po->parent : NULL), "self");
	for (i = 0; !existed && !c->parent_self && i < c->n; i++)
		n_anc[i] = missing_ancestors(&pl, c->top[i], anc[i], 16);
	rc = policy_execute(&pl, e);
	if (rc < 0 && policy_guess_failed(&pl, e))
		*guess = false;   /* the group is there after all: plan again */
	plan_free(&pl);
	for (i = 0; !existed && i < c->n; i++)
		mark_ancestors(anc[i], rc < 0 ? 0 : n_anc[i]);
	if (rc < 0) {
		for (i = 0; !existed && i < c->n; i++)
			for (size_t k = 0; k < n_anc[i]; k++)
				free(anc[i][k]);
		return -1;
	}
	if (!existed) {
		c->created = true;
		mark_created(c);
	}
	for (i = 0; i < c->n; i++)
		if (c->v2[i])
			enable_for_leaves(c->group[i]);
	return 0;
}

static int enter(struct launch_cg *c, const struct profile *p, const struct cg_layout *l,
		 const struct plan_opts *po, const char *child, struct diags *d, cg_err *e)
{
	int tries, n = d->n, warnings = d->warnings;
	bool guess = true;

	c->lock_fd = launch_lock(e);
	if (c->lock_fd < 0)
		return -1;
	for (tries = 0; tries < ENTER_TRIES; tries++) {
		bool guessed = guess;

		cg_err_clear(e);
		if (enter_once(c, p, l, po, child, &guess, d, e) == 0)
			break;
		if (d->errors || (e->errnum != ENOENT && guess == guessed))
			break;
		d->n = n;   /* planning again says the same warnings again */
		d->warnings = warnings;
	}
	return e->msg[0] ? -1 : 0;
}

int launch_cg_prepare(struct launch_cg *c, const struct profile *p, const struct cg_layout *l,
		      const struct plan_opts *po, const char *child, struct diags *d, cg_err *e)
{
	if (enter(c, p, l, po, child, d, e) < 0) {
		launch_unlock(c->lock_fd);
		c->lock_fd = -1;
		return -1;
	}
	return 0;
}

int launch_cg_set_pid(struct launch_cg *c, pid_t pid, cg_err *e)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->leaf[i]);
		if (asprintf(&c->leaf[i], "%s/run-%d", c->group[i], (int)pid) < 0) {
			c->leaf[i] = NULL;
			return cg_err_set(e, ENOMEM, "out of memory");
		}
	}
	return 0;
}

int launch_cg_make_leaves(const struct launch_cg *c, cg_err *e)
{
	for (size_t i = 0; i < c->n; i++)
		if (sys_mkdir(c->leaf[i], 0755) < 0 && errno != EEXIST)
			return cg_err_sys(e, "creating the leaf %s", c->leaf[i]);
	return 0;
}

int launch_cg_open_leaves(const struct launch_cg *c, pid_t host_pid, int *fds, char *why, size_t len)
{
	char path[4096];

	for (size_t i = 0; i < c->n; i++) {
		/* one thread, the caller: v1 tasks, v2 cgroup.procs */
		snprintf(path, sizeof(path), "%s/run-%d/%s", c->group[i], (int)host_pid,
			 map_cgfile(c->v2[i] ? MF_PROCS : MF_THREADS, c->v2[i]));
		fds[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			snprintf(why, len, "opening the leaf %s: %s", path, strerror(errno));
			while (i-- > 0)
				close(fds[i]);
			return -1;
		}
	}
	return 0;
}

int launch_cg_join_fds(const struct launch_cg *c, int *fds, char *why, size_t len)
{
	int rc = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (rc == 0 && write(fds[i], "0", 1) != 1) {
			snprintf(why, len, "moving into the leaf below %s: %s", c->group[i],
				 strerror(errno));
			rc = -1;
		}
		close(fds[i]);
	}
	return rc;
}

void launch_cg_dirs(const struct launch_cg *c, char *const *dirs, struct cg_dirs *out)
{
	const struct cg_layout *l = c->layout;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->n && i < CG_MAX_HIER; i++) {
		struct cg_hdir *h = &out->h[out->n++];
		int ct = find_first(c->ctrls[i]);

		h->dir = dirs[i];
		h->v2 = c->v2[i];
		if (!l || ct < 0)
			continue;
		h->mount = cg_layout_mount(l, (enum cg_ctrl)ct);
		h->ctrl = c->v2[i] ? NULL : cg_ctrl_name((enum cg_ctrl)ct, false);
		h->root = c->v2[i] ? l->unified_root : l->v1_root[ct];
	}
}

/* The leaf's processes: the usual case, and always with a pid namespace,
 * is that none is left (one read); else everything in it is killed (see
 * cg_kill_all), on v1 through a spare group cgrun-kill-<PID> of the freezer
 * hierarchy next to cgrun's own when the group is not in that hierarchy. */
static int kill_leftovers(const struct launch_cg *c, cg_err *e)
{
	const struct cg_layout *l = c->layout;
	struct cg_dirs g;
	_cleanup_free_ char *spare = NULL;
	int rc = cg_has_procs(c->leaf[0], c->v2[0], e);

	if (rc <= 0)
		return rc;
	launch_cg_dirs(c, c->leaf, &g);
	if (l && cg_layout_mount(l, CTRL_FREEZER) && !cg_layout_is_v2(l, CTRL_FREEZER) &&
	    find_ctrl(c, CTRL_FREEZER) < 0) {
		const char *fself = cg_layout_self(l, CTRL_FREEZER);

		if (asprintf(&spare, "%s%s%s/cgrun-kill-%d", cg_layout_mount(l, CTRL_FREEZER),
			     *fself ? "/" : "", fself, (int)getpid()) < 0)
			spare = NULL;
		g.spare_freezer = spare;
	}
	if (cg_kill_all(&g, RMDIR_WAIT_MS, e) < 0) {
		cg_err_prefix(e, "emptying the leaf %s", c->leaf[0]);
		return -1;
	}
	return 0;
}

/* Is a launch's leaf anywhere below dir? */
static bool has_run_leaf(const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	bool found = false;

	if (cg_children(dir, &names, &n, NULL) < 0)
		return false;
	for (size_t i = 0; i < n && !found; i++) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		found = mark_is_launch_leaf(names[i]) || has_run_leaf(sub);
	}
	cg_names_free(names);
	return found;
}

/* Removes dir and every group below it, deepest first; stops at the first
 * one that is busy. Counts what it removed (count may be NULL). */
static int rmdir_tree(const char *dir, int *count)
{
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (cg_children(dir, &names, &n, NULL) < 0)
		return errno == ENOENT ? 0 : -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		rc = rmdir_tree(sub, count);
	}
	cg_names_free(names);
	if (rc < 0)
		return -1;
	if (sys_rmdir(dir) < 0)
		return errno == ENOENT ? 0 : -1;
	if (count)
		(*count)++;
	return 0;
}

int launch_cg_leave(struct launch_cg *c, cg_err *e)
{
	int rc = 0;
	size_t i;
	bool busy = false;

	if (c->n == 0)
		return 0;
	if (c->leaf[0]) {
		rc = kill_leftovers(c, e);
		for (i = 0; i < c->n; i++)
			if (cg_remove_wait(c->leaf[i], RMDIR_WAIT_MS, rc < 0 ? NULL : e) < 0)
				rc = -1;
	}
	/* (any hierarchy: another launch may have removed the group from some
	 * hierarchies and met this launch's last leaf in the others) */
	for (i = 0; i < c->n && !mark_has(c->top[i], MARK_LAUNCH); i++)
		;
	if (i == c->n && !(c->created && c->unmarkable))
		return rc;
	/* a launch that failed before its child ran still holds the lock */
	if (c->lock_fd < 0)
		c->lock_fd = launch_lock(rc == 0 ? e : NULL);
	if (c->lock_fd < 0)
		return -1;
	/* a group with no children of its own: rmdir says EBUSY while any
	 * launch's leaf is in it, no need to look */
	for (i = 0; i < c->n && c->flat && !busy; i++) {
		if (!mark_has(c->top[i], MARK_LAUNCH) && !(c->created && c->unmarkable))
			continue;
		if (sys_rmdir(c->top[i]) == 0 || errno == ENOENT) {
			if (!c->parent_self)
				mark_remove_ancestors(c->top[i]);
		} else {
			busy = true;
		}
	}
	for (i = 0; i < c->n && !c->flat; i++)
		busy = busy || has_run_leaf(c->top[i]);
	for (i = 0; i < c->n && !busy && !c->flat; i++) {
		if (rmdir_tree(c->top[i], NULL) < 0) {
			if (errno != EBUSY && rc == 0)
				rc = cg_err_sys(e, "removing the group %s", c->top[i]);
			continue;
		}
		if (!c->parent_self)
			mark_remove_ancestors(c->top[i]);
	}
	launch_unlock(c->lock_fd);
	c->lock_fd = -1;
	return rc;
}

int launch_cg_counter(const struct launch_cg *c, enum map_counter k, bool group, uint64_t *out)
{
	/* v1's file where the controller is on v1, else v2's where it is on v2 */
	for (int v2 = 0; v2 < 2 && c->layout; v2++) {
		enum cg_ctrl ct = map_counter_ctrl(k, v2);
		const char *dir = group ? launch_cg_group(c, ct) : launch_cg_leaf(c, ct);
		const char *file = map_counter_file(k, v2);
		char path[4096], buf[4096];

		if (!dir || !file || cg_layout_is_v2(c->layout, ct) != (bool)v2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (sys_read_file(path, buf, sizeof(buf)) >= 0 && map_parse_counter(k, v2, buf, out) == 0)
			return 0;
	}
	return -1;
}

int launch_cg_limit(const struct launch_cg *c, enum map_knob k, uint64_t *out)
{
	const char *dir = launch_cg_group(c, map_ctrl(k));
	bool v2 = c->layout && cg_layout_is_v2(c->layout, map_ctrl(k));
	const char *file = map_file(k, v2);
	char path[4096], buf[64];

	if (!dir || !file)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (sys_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return map_parse_limit(buf, out);
}

int launch_cg_abandon(struct launch_cg *c, cg_err *e)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->leaf[i])
			(void)sys_rmdir(c->leaf[i]);
		free(c->leaf[i]);
		c->leaf[i] = NULL;
	}
	return launch_cg_leave(c, e);
}

/* Alive, and not a zombie that nobody reaps (a killed cgrun's init). */
static bool pid_alive(int pid)
{
	char path[64], buf[512], *rp;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (sys_read_file(path, buf, sizeof(buf)) < 0 || !(rp = strrchr(buf, ')')))
		return false;
	return rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

/* Counts a removed directory, and tells the caller the ones worth naming
 * (a leaf, a parent, a group with whatever was below it). */
static void gc_removed(struct launch_gc_out *out, const char *dir, int before)
{
	if (out->count == before)
		out->count++;
	if (out->removed)
		out->removed(out->ctx, dir);
}

/* Walks the groups below dir that a launch marked, and only those: `ours`
 * says that dir itself is a launch's group or inside one, where a run-<PID>
 * leaf is a launch's. A group cgkit did not mark (the service manager's, or
 * one made with --apply) is neither removed nor entered. */
static void gc_dir(const char *dir, bool ours, struct launch_gc_out *out)
{
	char **names = NULL;
	size_t n = 0;
	int lfd;

	if (cg_children(dir, &names, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i];
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/%s", dir, name);
		if (ours && mark_is_launch_leaf(name)) {
			bool removed;

			/* a live launch's child may not have moved in yet */
			if (pid_alive(atoi(name + 4)))
				continue;
			/* under the lock: a launch's leaf is empty between its
			 * mkdir and its join */
			lfd = launch_lock(NULL);
			removed = sys_rmdir(sub) == 0;
			launch_unlock(lfd);
			if (removed)
				gc_removed(out, sub, out->count);
			continue;
		}
		if (mark_has(sub, MARK_ANCESTOR)) {
			gc_dir(sub, false, out);
			lfd = launch_lock(NULL);
			if (sys_rmdir(sub) == 0)
				gc_removed(out, sub, out->count);
			launch_unlock(lfd);
			continue;
		}
		if (!ours && !mark_has(sub, MARK_LAUNCH))
			continue;
		gc_dir(sub, true, out);
		if (!mark_has(sub, MARK_LAUNCH))
			continue;   /* a child group of a launch's: goes with it */
		lfd = launch_lock(NULL);
		if (!has_run_leaf(sub)) {
			int before = out->count;

			if (rmdir_tree(sub, &out->count) == 0 && out->count > before)
				gc_removed(out, sub, before);
		}
		launch_unlock(lfd);
	}
	cg_names_free(names);
}

int launch_cg_gc_group(char *const *dirs, size_t n, struct launch_gc_out *out)
{
	int lfd;
	size_t i;
	bool busy = false;

	/* the profile names the group: its run-<PID> leaves are a launch's
	 * even when --apply made it */
	for (i = 0; i < n; i++)
		gc_dir(dirs[i], true, out);
	if (!n || !mark_has(dirs[0], MARK_LAUNCH))
		return out->count;
	lfd = launch_lock(NULL);
	for (i = 0; i < n; i++)
		busy = busy || has_run_leaf(dirs[i]);
	for (i = 0; i < n && !busy; i++) {
		int before = out->count;

		if (rmdir_tree(dirs[i], &out->count) == 0 && out->count > before)
			gc_removed(out, dirs[i], before);
	}
	launch_unlock(lfd);
	return out->count;
}

int launch_cg_gc(const struct cg_layout *l, const char *parent, struct launch_gc_out *out,
		 cg_err *e)
{
	const char *seen[CTRL_COUNT] = { 0 };
	struct launch_gc_out none = { 0 };
	size_t n_seen = 0, k;
	int ct;

	(void)e;   /* a hierarchy without the parent has nothing to collect */
	if (!out)
		out = &none;
	for (ct = 0; ct < CTRL_COUNT; ct++) {
		const char *mnt = cg_layout_mount(l, (enum cg_ctrl)ct);
		char dir[4096];
		bool dup = false;

		if (!mnt)
			continue;
		for (k = 0; k < n_seen; k++)
			dup = dup || !strcmp(seen[k], mnt);
		if (dup)
			continue;
		seen[n_seen++] = mnt;
		if (!strcmp(parent, "self")) {
			const char *self = cg_layout_self(l, (enum cg_ctrl)ct);

			snprintf(dir, sizeof(dir), "%s%s%s", mnt, *self ? "/" : "", self);
		} else {
			snprintf(dir, sizeof(dir), "%s/%s", mnt, parent);
		}
		gc_dir(dir, mark_has(dir, MARK_LAUNCH), out);
		/* the parent itself, when a launch made it and it is empty now */
		if (mark_has(dir, MARK_ANCESTOR)) {
			int lfd = launch_lock(NULL);

			if (sys_rmdir(dir) == 0) {
				gc_removed(out, dir, out->count);
				mark_remove_ancestors(dir);
			}
			launch_unlock(lfd);
		}
	}
	return out->count;
}
