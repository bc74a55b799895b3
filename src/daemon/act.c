/* cgkitd's actor (see act.h). */
#include "act.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "json.h"
#include "mapping.h"
#include "mark.h"
#include "match.h"
#include "policy.h"
#include "proc.h"
#include "profile.h"
#include "sys.h"

/* for errors nobody reads: the library fills its cg_err unconditionally */
static cg_err scratch_err;

#define ACT_WAIT_MS 2000

void act_init(struct actor *a, const struct cg_layout *l, const struct rules *r, bool dry_run)
{
	memset(a, 0, sizeof(*a));
	a->l = l;
	a->r = r;
	a->dry_run = dry_run;
	a->self = getpid();
}

static void pending_drop(struct actor *a, size_t i)
{
	for (size_t k = 0; k < a->pending[i].n; k++)
		free(a->pending[i].dirs[k]);
	a->pending[i] = a->pending[--a->n_pending];
}

void act_free(struct actor *a)
{
	while (a->n_pending)
		pending_drop(a, 0);
	free(a->active);
	a->active = NULL;
	a->n_active = a->cap_active = 0;
}

static void active_drop(struct actor *a, uid_t uid, const char *rule)
{
	for (size_t i = 0; i < a->n_active; i++)
		if (a->active[i].uid == uid && !strcmp(a->active[i].rule, rule)) {
			memmove(&a->active[i], &a->active[i + 1],
				(a->n_active - i - 1) * sizeof(a->active[0]));
			a->n_active--;
			return;
		}
}

void act_note_user_penalty(struct actor *a, uid_t uid, const char *rule, size_t penalty)
{
	active_drop(a, uid, rule);
	if (a->n_active == a->cap_active) {
		size_t cap = a->cap_active ? a->cap_active * 2 : 8;
		struct act_active *v = realloc(a->active, cap * sizeof(*v));

		if (!v)
			return;
		a->active = v;
		a->cap_active = cap;
	}
	a->active[a->n_active].uid = uid;
	snprintf(a->active[a->n_active].rule, sizeof(a->active[0].rule), "%s", rule);
	a->active[a->n_active].penalty = penalty;
	a->n_active++;
}

/* Lays every penalty of uid in force (the rules in force name them) over
 * the base limits in u. */
static int merge_active(struct actor *a, uid_t uid, struct profile *p, const char *leaf, cg_err *e)
{
	for (size_t i = 0; i < a->n_active; i++) {
		const struct rule *r;

		if (a->active[i].uid != uid || !(r = rules_find(a->r, a->active[i].rule)) ||
		    a->active[i].penalty >= r->n_penalties)
			continue;
		if (profile_merge_limits(p, leaf, &r->penalties[a->active[i].penalty].limits, e) < 0)
			return -1;
	}
	return 0;
}

void act_dirs_free(char **dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
}

/* Names looked up, kept until /etc/passwd changes (its mtime, size or
 * inode): a classification asked for the user's name three times, each a
 * read of the whole file. Users that NSS gets from elsewhere (LDAP, sssd)
 * are kept as long; a name changed there shows after the next change of
 * /etc/passwd or a restart. */
#define NAME_CACHE_MAX 256

static struct {
	uid_t uid;
	char name[64];
} name_cache[NAME_CACHE_MAX];
static size_t name_cache_n;
static struct stat name_cache_st;

static bool passwd_changed(void)
{
	struct stat st;

	if (stat("/etc/passwd", &st) < 0)
		memset(&st, 0, sizeof(st));
	if (st.st_mtim.tv_sec == name_cache_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == name_cache_st.st_mtim.tv_nsec && st.st_size == name_cache_st.st_size &&
	    st.st_ino == name_cache_st.st_ino)
		return false;
	name_cache_st = st;
	return true;
}

void act_user_name(uid_t uid, char *out, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[4096], name[64];

	if (passwd_changed())
		name_cache_n = 0;
	for (size_t i = 0; i < name_cache_n; i++)
		if (name_cache[i].uid == uid) {
			snprintf(out, len, "%s", name_cache[i].name);
			return;
		}
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(name, sizeof(name), "%s", pw.pw_name);
	else
		snprintf(name, sizeof(name), "%u", (unsigned)uid);
	if (strlen(name) < sizeof(name) - 1) {   /* a name cut short is looked up each time */
		if (name_cache_n == NAME_CACHE_MAX)
			name_cache_n = 0;
		name_cache[name_cache_n].uid = uid;
		memcpy(name_cache[name_cache_n].name, name, sizeof(name));
		name_cache_n++;
	}
	snprintf(out, len, "%s", name);
}

bool act_untouchable(const struct actor *a, pid_t pid)
{
	struct cg_proc_stat st;

	if (pid <= 1 || pid == a->self)
		return true;
	if (cg_proc_stat(pid, &st, &scratch_err) < 0)
		return true;
	return (st.flags & CG_PF_KTHREAD) || st.ppid == a->self || st.ppid == 2 || pid == 2;
}

/* ---- directories ---- */

void act_cg_dirs(const struct cg_layout *l, char *const *dirs, size_t n, struct cg_dirs *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n && g->n < CG_MAX_HIER; i++) {
		struct cg_hdir *h = &g->h[g->n++];
		size_t best = 0;

		h->dir = dirs[i];
		if (l->unified) {
			size_t m = strlen(l->unified);

			if (!strncmp(dirs[i], l->unified, m) && (dirs[i][m] == '/' || !dirs[i][m])) {
				h->v2 = true;
				h->mount = l->unified;
				h->root = l->unified_root;
				best = m;
			}
		}
		for (int c = 0; c < CTRL_COUNT; c++) {
			const char *mt = l->v1_mount[c];
			size_t m = mt ? strlen(mt) : 0;

			if (!mt || m <= best || strncmp(dirs[i], mt, m) != 0 || (dirs[i][m] != '/' && dirs[i][m]))
				continue;
			best = m;
			h->v2 = false;
			h->mount = mt;
			h->root = l->v1_root[c];
			h->ctrl = cg_ctrl_name((enum cg_ctrl)c, false);
		}
	}
}

static bool dir_exists(const char *d)
{
	struct stat st;

	return stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p of the part of dir below mount, each new directory marked. */
static int mkdir_marked(const char *mount, const char *dir, cg_err *e)
{
	char path[PATH_MAX];
	size_t m = strlen(mount);

	snprintf(path, sizeof(path), "%s", dir);
	for (char *s = path + m + 1;; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (!dir_exists(path)) {
			if (sys_mkdir(path, 0755) < 0 && errno != EEXIST)
				return cg_err_sys(e, "making %s", path);
			(void)mark_set(path, MARK_DAEMON);
		}
		if (end)
			break;
		*s = '/';
	}
	return 0;
}

/* Appends the v1 freezer hierarchy's directory for rel to dirs (made). */
static int add_freezer(struct actor *a, char ***dirs, size_t *n, const char *rel, bool make,
		       cg_err *e)
{
	const char *mt = cg_layout_mount(a->l, CTRL_FREEZER);
	char path[PATH_MAX], **v;

	if (!mt || cg_layout_is_v2(a->l, CTRL_FREEZER))
		return 0;
	for (size_t i = 0; i < *n; i++)
		if (!strncmp((*dirs)[i], mt, strlen(mt)) && (*dirs)[i][strlen(mt)] == '/')
			return 0;
	snprintf(path, sizeof(path), "%s/%s", mt, rel);
	if (make && !a->dry_run && mkdir_marked(mt, path, e) < 0)
		return -1;
	v = realloc(*dirs, (*n + 1) * sizeof(*v));
	if (!v)
		return cg_err_set(e, ENOMEM, "out of memory");
	*dirs = v;
	if (!(v[*n] = strdup(path)))
		return cg_err_set(e, ENOMEM, "out of memory");
	(*n)++;
	return 0;
}

/* rel of a directory: the part below its mount. */
static void dir_rel(const struct cg_layout *l, const char *dir, char *rel, size_t len)
{
	struct cg_dirs g;
	char *const d[1] = { (char *)dir };

	act_cg_dirs(l, d, 1, &g);
	if (g.h[0].mount) {
		const char *s = dir + strlen(g.h[0].mount);

		snprintf(rel, len, "%s", *s == '/' ? s + 1 : s);
	} else {
		snprintf(rel, len, "%s", dir);
	}
}

/* A profile for the group at path (components separated by '/') below
 * parent; *leaf gets the path of the last one below the top ("" when one). */
static struct profile *profile_for(const char *parent, const char *path, char *leaf, size_t len,
				   cg_err *e)
{
	char buf[PATH_MAX], *save = NULL, *tok, *top;
	struct profile *p;

	snprintf(buf, sizeof(buf), "%s", path);
	top = strtok_r(buf, "/", &save);
	if (!top) {
		cg_err_set(e, EINVAL, "empty group path");
		return NULL;
	}
	p = profile_new(top, parent, NULL, e);
	if (!p)
		return NULL;
	leaf[0] = '\0';
	while ((tok = strtok_r(NULL, "/", &save))) {
		if (profile_add_child(p, leaf, tok, e) < 0) {
			profile_free(p);
			return NULL;
		}
		snprintf(leaf + strlen(leaf), len - strlen(leaf), "%s%s", leaf[0] ? "/" : "", tok);
	}
	return p;
}

static const char *parent_of(const struct actor *a)
{
	return a->r->parent.s ? a->r->parent.s : RULES_DEFAULT_PARENT;
}

/* Sections present (no values) for every controller the host has that the
 * daemon measures, so the group lives in those hierarchies. */
static void measuring_sections(const struct cg_layout *l, struct group_spec *g)
{
	memset(g, 0, sizeof(*g));
	g->cpu.present = cg_layout_mount(l, CTRL_CPU) != NULL;
	g->memory.present = cg_layout_mount(l, CTRL_MEMORY) != NULL;
	g->pids.present = cg_layout_mount(l, CTRL_PIDS) != NULL;
}

struct usergroup {
	struct profile *p;
	char leaf[PATH_MAX];
	const char *parent;
};

/* The user's group as a profile: with parent and the path below it. */
static int user_profile(struct actor *a, uid_t uid, const char *name, struct usergroup *u,
			cg_err *e)
{
	const struct rules_users *us = &a->r->users;
	char path[PATH_MAX], parent[PATH_MAX];
	const char *why = NULL, *tmpl = us->group.s ? us->group.s : RULES_DEFAULT_GROUP;
	struct group_spec meas;
	char *slash;

	if (match_expand_group(tmpl, name, (uint32_t)uid, path, sizeof(path), &why) < 0)
		return cg_err_set(e, EINVAL, "users.group for %s: %s", name, why ? why : "invalid");
	if (us->adopt) {
		/* /user.slice/user-1000.slice: parent user.slice, group user-1000.slice */
		const char *s = path + strspn(path, "/");

		slash = strrchr(s, '/');
		if (!slash)
			return cg_err_set(e, EINVAL, "users.group %s: no parent", path);
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - s), s);
		u->p = profile_new(slash + 1, parent, NULL, e);
		u->leaf[0] = '\0';
	} else {
		u->p = profile_for(a->r->parent_self ? "self" : parent_of(a), path, u->leaf,
				   sizeof(u->leaf), e);
	}
	if (!u->p)
		return -1;
	measuring_sections(a->l, &meas);
	if (profile_merge_limits(u->p, u->leaf, &meas, e) < 0 ||
	    profile_merge_limits(u->p, u->leaf, &us->limits, e) < 0) {
		profile_free(u->p);
		return -1;
	}
	return 0;
}

static int group_dirs(struct actor *a, const struct profile *p, const char *leaf, char ***dirs,
		      size_t *n, cg_err *e)
{
	return policy_group_dirs(p, a->l, NULL, leaf, dirs, n, e);
}

/* Applies p; the group's directories are marked MARK_DAEMON (adopt: not). */
static int apply_marked(struct actor *a, const struct profile *p, const char *leaf, bool adopt,
			char **dirs, size_t n, cg_err *e)
{
	struct diags d;

	if (a->dry_run)
		return 0;
	diags_init(&d, "<cgkitd>");
	if (policy_apply(p, a->l, NULL, &d, e) < 0) {
		if (d.errors && !e->msg[0])
			cg_err_set(e, EINVAL, "%s: %s", d.items[0].key, d.items[0].msg);
		return -1;
	}
	if (!adopt) {
		char **top = NULL;
		size_t nt = 0;

		for (size_t i = 0; i < n; i++)
			(void)mark_set(dirs[i], MARK_DAEMON);
		if (leaf[0] && policy_group_dirs(p, a->l, NULL, NULL, &top, &nt, &scratch_err) == 0) {
			for (size_t i = 0; i < nt; i++)
				if (!mark_has(top[i], MARK_DAEMON))
					(void)mark_set(top[i], MARK_DAEMON);
			act_dirs_free(top, nt);
		}
	}
	return 0;
}

/* Is dir ours to write: made by cgkitd, or missing (then we make it)? */
static bool ours(const char *dir)
{
	return !dir_exists(dir) || mark_has(dir, MARK_DAEMON);
}

int act_user_group(struct actor *a, uid_t uid, const char *name, bool make, char ***dirs,
		   size_t *n, char *rel, size_t rel_len, cg_err *e)
{
	struct usergroup u;
	bool adopt = a->r->users.adopt;
	int rc = 0;

	*dirs = NULL;
	*n = 0;
	if (user_profile(a, uid, name, &u, e) < 0)
		return -1;
	if (group_dirs(a, u.p, u.leaf, dirs, n, e) < 0 || *n == 0) {
		profile_free(u.p);
		if (*n == 0 && !e->msg[0])
			cg_err_set(e, ENOENT, "no hierarchy for the users' groups");
		return -1;
	}
	dir_rel(a->l, (*dirs)[0], rel, rel_len);
	if (!dir_exists((*dirs)[0])) {
		if (adopt || !make)
			rc = cg_err_set(e, ENOENT, "%s is not there", (*dirs)[0]);
		else
			rc = apply_marked(a, u.p, u.leaf, false, *dirs, *n, e);
	} else if (!adopt && !mark_has((*dirs)[0], MARK_DAEMON)) {
		rc = cg_err_set(e, EPERM, "%s is there but cgkitd did not make it: not written",
				(*dirs)[0]);
	} else if (adopt && make) {
		/* adopted: the base limits are written (once a start) */
		rc = apply_marked(a, u.p, u.leaf, true, *dirs, *n, e);
	}
	if (rc == 0 && !adopt)
		rc = add_freezer(a, dirs, n, rel, make, e);
	profile_free(u.p);
	if (rc < 0) {
		act_dirs_free(*dirs, *n);
		*dirs = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- classification ---- */

/* Is the process in a group that stays (a cgrun launch's leaf, a penalty
 * group of cgkitd), from its /proc/PID/cgroup text? */
static bool in_kept_group(const char *text, const char *penalty_rel)
{
	const char *cur = text;
	struct proc_cgline line;
	char scratch[4096];

	while (proc_cgroup_next(&cur, &line, scratch, sizeof(scratch)) == 1) {
		const char *base = strrchr(line.path, '/');

		if (base && mark_is_launch_leaf(base + 1))
			return true;
		if (penalty_rel[0] && strstr(line.path, penalty_rel))
			return true;
	}
	return false;
}

int act_classify(struct actor *a, const struct cg_proc *p, uid_t uid, const char *name,
		 const char *cgtext, char *group, size_t group_len, act_before_move before, void *ctx,
		 bool *in_group, cg_err *e)
{
	_cleanup_free_ char *own = NULL;
	char **dirs = NULL, rel[PATH_MAX], pen[PATH_MAX], own_name[256];
	size_t n = 0;
	struct cg_dirs g;
	struct cg_where w = { 0 };
	bool there = true;
	int rc;

	if (in_group)
		*in_group = false;
	if (!a->r->users.present || a->r->users.adopt || act_untouchable(a, p->pid))
		return 0;
	if (!cgtext) {
		char buf[8192];

		if (cg_proc_read(p->pid, "cgroup", buf, sizeof(buf)) < 0)
			return 0;
		own = strdup(buf);
		cgtext = own;
		if (!cgtext)
			return cg_err_set(e, ENOMEM, "out of memory");
	}
	snprintf(pen, sizeof(pen), "/penalty/");
	if (in_kept_group(cgtext, pen))
		return 0;
	if (!name) {
		act_user_name(uid, own_name, sizeof(own_name));
		name = own_name;
	}
	if (act_user_group(a, uid, name, true, &dirs, &n, rel, sizeof(rel), e) < 0)
		return -1;
	if (group)
		snprintf(group, group_len, "/%s", rel);
	act_cg_dirs(a->l, dirs, n, &g);
	if (cg_proc_where(p->pid, &g, &w, &scratch_err) == 0) {
		for (size_t i = 0; i < w.n && i < g.n; i++)
			if (!w.dir[i] || strcmp(w.dir[i], g.h[i].dir) != 0)
				there = false;
		cg_where_free(&w);
	} else {
		there = false;
	}
	if (!there && before)
		before(group ? group : "", ctx);
	if (there || a->dry_run) {
		act_dirs_free(dirs, n);
		if (in_group)
			*in_group = there;
		return there ? 0 : 1;
	}
	rc = cg_move_process(&g, p, CG_MOVE_ROLLBACK, e);
	act_dirs_free(dirs, n);
	if (in_group)
		*in_group = rc > 0;
	return rc < 0 ? -1 : rc > 0;
}

/* ---- penalties ---- */

static void groups_text(char *const *dirs, size_t n, char *out, size_t len)
{
	if (!out)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "," : "", dirs[i]);
}

/* The keys a penalty sets that must go back to their default at release
 * when the base does not set them. */
static void reset_keys(const struct group_spec *pen, struct json *j)
{
	if (pen->cpu.max.set || pen->cpu.quota.set)
		json_str(j, "cpu.max");
	if (pen->cpu.weight.set)
		json_str(j, "cpu.weight");
	if (pen->memory.max.set)
		json_str(j, "memory.max");
	if (pen->memory.high.set)
		json_str(j, "memory.high");
	if (pen->memory.swap.set)
		json_str(j, "memory.swap");
	if (pen->pids.max.set)
		json_str(j, "pids.max");
	if (pen->io.weight.set)
		json_str(j, "io.weight");
}

static bool base_sets(const struct group_spec *b, const char *key)
{
	if (!strcmp(key, "cpu.max"))
		return b->cpu.max.set || b->cpu.quota.set;
	if (!strcmp(key, "cpu.weight"))
		return b->cpu.weight.set;
	if (!strcmp(key, "memory.max"))
		return b->memory.max.set;
	if (!strcmp(key, "memory.high"))
		return b->memory.high.set;
	if (!strcmp(key, "memory.swap"))
		return b->memory.swap.set;
	if (!strcmp(key, "pids.max"))
		return b->pids.max.set;
	if (!strcmp(key, "io.weight"))
		return b->io.weight.set;
	return true;
}

static const char *reset_value(const char *key)
{
	return strstr(key, "weight") ? "100" : "max";
}

static char *json_take(struct json *j)
{
	const char *t = json_text(j, NULL);
	char *s = t ? strdup(t) : NULL;

	json_free(j);
	return s;
}

static void pending_add(struct actor *a, bool group, const struct cg_proc *p, char *const *dirs,
			size_t n, uint64_t due)
{
	struct act_pending *k;

	if (a->n_pending >= ACT_PENDING_MAX)
		return;
	k = &a->pending[a->n_pending++];
	memset(k, 0, sizeof(*k));
	k->due = due;
	k->group = group;
	if (p)
		k->proc = *p;
	for (size_t i = 0; i < n && i < CG_MAX_HIER; i++)
		if ((k->dirs[k->n] = strdup(dirs[i])))
			k->n++;
}

void act_tick(struct actor *a, uint64_t now)
{
	for (size_t i = 0; i < a->n_pending;) {
		struct act_pending *k = &a->pending[i];

		if (k->due > now) {
			i++;
			continue;
		}
		if (k->group) {
			struct cg_dirs g;
			struct cg_signal_count c = { 0 };

			act_cg_dirs(a->l, k->dirs, k->n, &g);
			(void)cg_signal_all(&g, SIGKILL, CG_LIST_RECURSIVE, &c, &scratch_err);
		} else if (!act_untouchable(a, k->proc.pid)) {
			(void)cg_signal_proc(&k->proc, SIGKILL, &scratch_err);
		}
		pending_drop(a, i);
	}
}

static int user_penalty(struct actor *a, const struct rule *rule, const struct rule_penalty *pen,
			uid_t uid, const char *name, uint64_t now, char **data, char *groups,
			size_t glen, cg_err *e)
{
	char **dirs = NULL, rel[PATH_MAX];
	size_t n = 0;
	struct cg_dirs g;
	struct usergroup u;
	struct json j;
	bool frozen = false;
	int rc = 0;

	if (act_user_group(a, uid, name, false, &dirs, &n, rel, sizeof(rel), e) < 0)
		return -1;
	groups_text(dirs, n, groups, glen);
	act_cg_dirs(a->l, dirs, n, &g);
	if (a->dry_run)
		goto out;
	if (pen->n_limits > 0) {
		if (user_profile(a, uid, name, &u, e) < 0) {
			rc = -1;
			goto out;
		}
		/* this penalty over the base, with the user's others in force */
		act_note_user_penalty(a, uid, rule->name.s, (size_t)(pen - rule->penalties));
		rc = merge_active(a, uid, u.p, u.leaf, e);
		if (rc == 0)
			rc = profile_check(u.p, e);
		if (rc == 0)
			rc = apply_marked(a, u.p, u.leaf, true, dirs, n, e);
		profile_free(u.p);
		if (rc < 0) {
			active_drop(a, uid, rule->name.s);
			goto out;
		}
	}
	if (pen->freeze.set && pen->freeze.v) {
		if (cg_freeze(&g, ACT_WAIT_MS, e) < 0) {
			rc = -1;
			goto out;
		}
		frozen = true;
	}
	if (pen->kill_signal) {
		struct cg_signal_count c = { 0 };

		if (cg_signal_all(&g, pen->kill_signal, CG_LIST_RECURSIVE, &c, e) < 0) {
			rc = -1;
			goto out;
		}
		if (pen->kill_signal == SIGTERM)
			pending_add(a, true, NULL, dirs, n, now + ACT_TERM_GRACE_US);
	}
	json_init(&j);
	json_obj_begin(&j);
	json_key(&j, "scope");
	json_str(&j, "user");
	json_key(&j, "rule");
	json_str(&j, rule->name.s);
	json_key(&j, "groups");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_str(&j, dirs[i]);
	json_arr_end(&j);
	json_key(&j, "frozen");
	json_bool(&j, frozen);
	json_key(&j, "reset");
	json_arr_begin(&j);
	reset_keys(&pen->limits, &j);
	json_arr_end(&j);
	json_obj_end(&j);
	*data = json_take(&j);
out:
	act_dirs_free(dirs, n);
	return rc;
}

static int process_penalty(struct actor *a, const struct rule *rule,
			   const struct rule_penalty *pen, const struct cg_proc *p, uint64_t now,
			   char **data, char *groups, size_t glen, cg_err *e)
{
	char path[PATH_MAX], leaf[PATH_MAX], rel[PATH_MAX], **dirs = NULL;
	size_t n = 0;
	struct profile *prof;
	struct cg_dirs g;
	struct cg_where w = { 0 };
	struct cg_ids moved = { 0 };
	struct json j;
	bool frozen = false, group = pen->n_limits > 0 || (pen->freeze.set && pen->freeze.v);
	int rc = 0;

	if (act_untouchable(a, p->pid) || !cg_proc_alive(p))
		return cg_err_set(e, ESRCH, "process %d is gone or may not be touched", (int)p->pid);
	if (!group) {
		/* a kill alone: through a pidfd */
		if (!a->dry_run) {
			if (cg_signal_proc(p, pen->kill_signal, e) < 0)
				return -1;
			if (pen->kill_signal == SIGTERM)
				pending_add(a, false, p, NULL, 0, now + ACT_TERM_GRACE_US);
		}
		if (groups)
			groups[0] = '\0';
		return 0;
	}
	snprintf(path, sizeof(path), "penalty/%s/%d", rule->name.s, (int)p->pid);
	prof = profile_for(a->r->parent_self ? "self" : parent_of(a), path, leaf, sizeof(leaf), e);
	if (!prof)
		return -1;
	if (profile_merge_limits(prof, leaf, &pen->limits, e) < 0 || profile_check(prof, e) < 0 ||
	    group_dirs(a, prof, leaf, &dirs, &n, e) < 0) {
		profile_free(prof);
		return -1;
	}
	if (n == 0 && a->l->unified && a->l->mode == CG_MODE_V2) {
		profile_free(prof);
		return cg_err_set(e, ENOENT, "no hierarchy for the penalty group");
	}
	if (n > 0)
		dir_rel(a->l, dirs[0], rel, sizeof(rel));
	else
		snprintf(rel, sizeof(rel), "%.2000s/%.2000s",
			 a->r->parent_self ? cg_layout_self(a->l, CTRL_FREEZER) : parent_of(a), path);
	for (size_t i = 0; i < n; i++)
		if (!ours(dirs[i])) {
			rc = cg_err_set(e, EPERM, "%s is there but cgkitd did not make it", dirs[i]);
			goto out;
		}
	if (n > 0)
		rc = apply_marked(a, prof, leaf, false, dirs, n, e);
	if (rc == 0 && pen->freeze.set && pen->freeze.v)
		rc = add_freezer(a, &dirs, &n, rel, true, e);
	if (rc < 0)
		goto out;
	groups_text(dirs, n, groups, glen);
	if (a->dry_run)
		goto out;
	act_cg_dirs(a->l, dirs, n, &g);
	if (cg_proc_where(p->pid, &g, &w, e) < 0 ||
	    cg_move_process(&g, p, CG_MOVE_DESCENDANTS | CG_MOVE_ROLLBACK, e) < 0) {
		rc = -1;
		(void)cg_remove_group(&g, ACT_WAIT_MS, &scratch_err);
		goto out;
	}
	if (pen->freeze.set && pen->freeze.v) {
		if (cg_freeze(&g, ACT_WAIT_MS, e) < 0) {
			rc = -1;
			goto out;
		}
		frozen = true;
	}
	if (pen->kill_signal) {
		(void)cg_signal_proc(p, pen->kill_signal, &scratch_err);
		if (pen->kill_signal == SIGTERM)
			pending_add(a, false, p, NULL, 0, now + ACT_TERM_GRACE_US);
	}
	(void)cg_procs_list(&g, 0, &moved, &scratch_err);
	json_init(&j);
	json_obj_begin(&j);
	json_key(&j, "scope");
	json_str(&j, "process");
	json_key(&j, "groups");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		json_str(&j, dirs[i]);
	json_arr_end(&j);
	json_key(&j, "from");
	json_arr_begin(&j);
	for (size_t i = 0; i < w.n; i++)
		json_str(&j, w.dir[i]);
	json_arr_end(&j);
	json_key(&j, "procs");
	json_arr_begin(&j);
	for (size_t i = 0; i < moved.n; i++) {
		struct cg_proc q;

		if (cg_proc_get(moved.v[i], &q, &scratch_err) == 0) {
			json_arr_begin(&j);
			json_int(&j, q.pid);
			json_uint(&j, q.start);
			json_arr_end(&j);
		}
	}
	json_arr_end(&j);
	json_key(&j, "frozen");
	json_bool(&j, frozen);
	json_obj_end(&j);
	*data = json_take(&j);
out:
	cg_where_free(&w);
	cg_ids_free(&moved);
	act_dirs_free(dirs, n);
	profile_free(prof);
	return rc;
}

int act_penalty(struct actor *a, const struct rule *rule, const struct rule_penalty *pen,
		uid_t uid, const char *name, const struct cg_proc *p, uint64_t now, char **data,
		char *groups, size_t groups_len, cg_err *e)
{
	*data = NULL;
	if (groups)
		groups[0] = '\0';
	if (rule->scope == RULE_SCOPE_USER)
		return user_penalty(a, rule, pen, uid, name, now, data, groups, groups_len, e);
	return process_penalty(a, rule, pen, p, now, data, groups, groups_len, e);
}

/* ---- release ---- */

static size_t str_array(struct json_doc *d, yaml_node_t *root, const char *key, char **out,
			size_t max)
{
	yaml_node_t *arr = json_member(d, root, key);
	size_t n = 0;

	for (size_t i = 0; arr && i < json_len(arr) && n < max; i++) {
		const char *s = json_as_str(json_item(d, arr, i));

		if (s)
			out[n++] = (char *)s;
	}
	return n;
}

static int release_user(struct actor *a, uid_t uid, const char *name, struct json_doc *d,
			yaml_node_t *root, cg_err *e)
{
	char *dirs[CG_MAX_HIER] = { 0 }, *reset[16] = { 0 };
	size_t n = str_array(d, root, "groups", dirs, CG_MAX_HIER);
	size_t nr = str_array(d, root, "reset", reset, 16);
	bool frozen = false;
	struct usergroup u = { 0 };
	struct cg_dirs g;
	int rc = 0;

	const char *rule = json_as_str(json_member(d, root, "rule"));

	(void)json_as_bool(json_member(d, root, "frozen"), &frozen);
	if (rule)
		active_drop(a, uid, rule);
	act_cg_dirs(a->l, dirs, n, &g);
	if (frozen && n > 0 && dir_exists(dirs[0]))
		rc = cg_thaw(&g, ACT_WAIT_MS, e);
	if (nr == 0 || !a->r->users.present)
		return rc;
	if (user_profile(a, uid, name, &u, e) < 0)
		return -1;
	/* the default for what the penalty set and the base does not; then
	 * the user's other penalties still in force */
	for (size_t i = 0; i < nr; i++)
		if (!base_sets(&a->r->users.limits, reset[i]))
			(void)profile_set_in(u.p, u.leaf, reset[i], reset_value(reset[i]), &scratch_err);
	if (merge_active(a, uid, u.p, u.leaf, e) < 0 || profile_check(u.p, e) < 0) {
		profile_free(u.p);
		return -1;
	}
	if (n > 0 && dir_exists(dirs[0]) && (a->r->users.adopt || mark_has(dirs[0], MARK_DAEMON)) &&
	    apply_marked(a, u.p, u.leaf, true, dirs, n, e) < 0)
		rc = -1;
	profile_free(u.p);
	return rc;
}

/* The nearest directory at or above dir that is there (not above mount). */
static void nearest_existing(const char *dir, const char *mount, char *out, size_t len)
{
	snprintf(out, len, "%s", dir);
	while (!dir_exists(out)) {
		char *s = strrchr(out, '/');

		if (!s || (mount && (size_t)(s - out) < strlen(mount)))
			break;
		*s = '\0';
	}
}

static int release_process(struct actor *a, struct json_doc *d, yaml_node_t *root, cg_err *e)
{
	char *dirs[CG_MAX_HIER], *from[CG_MAX_HIER], back[CG_MAX_HIER][PATH_MAX];
	char *backp[CG_MAX_HIER];
	size_t n = str_array(d, root, "groups", dirs, CG_MAX_HIER);
	size_t nf = str_array(d, root, "from", from, CG_MAX_HIER);
	struct cg_dirs g, to;
	struct cg_ids procs = { 0 };
	bool frozen = false;
	int rc = 0;

	if (n == 0)
		return 0;
	(void)json_as_bool(json_member(d, root, "frozen"), &frozen);
	act_cg_dirs(a->l, dirs, n, &g);
	if (frozen)
		(void)cg_thaw(&g, ACT_WAIT_MS, &scratch_err);
	/* back where they came from, hierarchy by hierarchy, where that is still there */
	for (size_t i = 0; i < n; i++) {
		nearest_existing(i < nf ? from[i] : dirs[i], g.h[i].mount, back[i], PATH_MAX);
		backp[i] = back[i];
	}
	act_cg_dirs(a->l, backp, n, &to);
	if (cg_procs_list(&g, CG_LIST_RECURSIVE, &procs, e) < 0)
		return -1;
	for (size_t i = 0; i < procs.n; i++) {
		struct cg_proc q;

		if (cg_proc_get(procs.v[i], &q, &scratch_err) < 0)
			continue;
		if (cg_move_process(&to, &q, 0, e) < 0)
			rc = -1;
	}
	cg_ids_free(&procs);
	if (cg_remove_group(&g, ACT_WAIT_MS, rc < 0 ? &scratch_err : e) < 0)
		rc = -1;
	return rc;
}

int act_release(struct actor *a, uid_t uid, const char *name, const char *data, cg_err *e)
{
	struct json_doc d = { 0 };
	yaml_node_t *root;
	const char *scope;
	char why[256];
	int rc = 0;

	if (!data || a->dry_run)
		return 0;
	if (json_doc_load(&d, data, strlen(data), why, sizeof(why)) < 0)
		return cg_err_set(e, EINVAL, "the penalty's record is damaged: %s", why);
	root = json_root(&d);
	scope = root ? json_as_str(json_member(&d, root, "scope")) : NULL;
	if (scope && !strcmp(scope, "user"))
		rc = release_user(a, uid, name, &d, root, e);
	else if (scope && !strcmp(scope, "process"))
		rc = release_process(a, &d, root, e);
	json_doc_free(&d);
	return rc;
}
