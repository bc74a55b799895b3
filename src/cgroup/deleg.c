/* cgroup v2 delegation checks for a caller that is not root (see deleg.h). */
#include "deleg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgops.h"
#include "sys.h"

/* The controllers a v2 group may hand down that a profile may need. */
static const enum cg_ctrl v2_ctrls[] = {CTRL_CPU, CTRL_MEMORY, CTRL_IO, CTRL_CPUSET, CTRL_PIDS};

bool cg_deleg_writable(const char *dir)
{
	static const char *const files[] = {"cgroup.procs", "cgroup.subtree_control",
					    "cgroup.threads"};
	char path[4096];
	struct stat st;

	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) < 0)
		return false;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (access(path, W_OK) < 0)
			return false;
	}
	return true;
}

/* Does the space-separated list (a cgroup.controllers or
 * cgroup.subtree_control text) hold name? */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static int read_list(const char *dir, const char *file, char *buf, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return sys_read_file(path, buf, len) < 0 ? -1 : 0;
}

/* The directory itself, or its nearest ancestor that exists (a parent such
 * as a/b that the plan would make), not above the mount. */
static void existing(const char *base, const char *mount, char *out, size_t len)
{
	size_t mlen = strlen(mount);
	struct stat st;
	char *slash;

	snprintf(out, len, "%s", base);
	while (stat(out, &st) < 0 && strlen(out) > mlen && (slash = strrchr(out, '/')) &&
	       (size_t)(slash - out) >= mlen)
		*slash = '\0';
}

/* "cpu memory": the v2 controllers in mask. */
static void names_of(unsigned mask, char *out, size_t len)
{
	*out = '\0';
	for (size_t i = 0; i < sizeof(v2_ctrls) / sizeof(v2_ctrls[0]); i++)
		if (mask & (1u << v2_ctrls[i]))
			snprintf(out + strlen(out), len - strlen(out), "%s%s", *out ? " " : "",
				 cg_ctrl_name(v2_ctrls[i], true));
}

/* Is the caller's group (base) full of processes with the controllers not
 * enabled below it? */
static bool internal_procs(const char *base, const char *mount, unsigned need)
{
	char on[512];

	if (!strcmp(base, mount) || cg_has_procs(base, true, NULL) <= 0)
		return false;
	if (read_list(base, "cgroup.subtree_control", on, sizeof(on)) < 0)
		return true;
	for (size_t i = 0; i < sizeof(v2_ctrls) / sizeof(v2_ctrls[0]); i++)
		if ((need & (1u << v2_ctrls[i])) && !listed(on, cg_ctrl_name(v2_ctrls[i], true)))
			return true;
	return false;
}

static int check_hier(const struct map_hier *h, bool parent_self, const char *name, unsigned uid,
		      char **sibling, cg_err *e)
{
	char dir[4096], have[512], missing[128], wanted[128];
	unsigned need = 0, lack = 0;
	size_t mlen = strlen(h->mount);
	const char *slash;

	for (size_t i = 0; i < sizeof(v2_ctrls) / sizeof(v2_ctrls[0]); i++)
		need |= h->ctrls & (1u << v2_ctrls[i]);
	names_of(need, wanted, sizeof(wanted));
	existing(h->base, h->mount, dir, sizeof(dir));
	if (!cg_deleg_writable(dir))
		return cg_err_set(
			e, EACCES,
			"%s is not delegated to you (uid %u): you may not write its "
			"cgroup.procs, cgroup.subtree_control and cgroup.threads; as a user, "
			"cgrun makes groups only in a subtree delegated to you (give parent: "
			"self and start cgrun inside it), or run it as root; see "
			"UNPRIVILEGED USE in cgrun(1)",
			dir, uid);
	if (read_list(dir, "cgroup.controllers", have, sizeof(have)) < 0)
		return cg_err_sys(e, "reading %s/cgroup.controllers", dir);
	for (size_t i = 0; i < sizeof(v2_ctrls) / sizeof(v2_ctrls[0]); i++)
		if ((need & (1u << v2_ctrls[i])) && !listed(have, cg_ctrl_name(v2_ctrls[i], true)))
			lack |= 1u << v2_ctrls[i];
	if (lack) {
		names_of(lack, missing, sizeof(missing));
		return cg_err_set(e, 0,
				  "%s %s not enabled for your subtree (%s has only '%s'): ask your "
				  "administrator for Delegate=%s, see cgrun(1)",
				  missing, strchr(missing, ' ') ? "are" : "is", dir,
				  strtok(have, "\n") ? have : "", wanted);
	}
	if (strcmp(dir, h->base) != 0 || !internal_procs(dir, h->mount, need))
		return 0;
	/* the caller's group (or the parent given) holds processes: a group
	 * below it could not have the controllers */
	slash = strrchr(dir, '/');
	if (parent_self && slash && (size_t)(slash - dir) >= mlen) {
		char up[4096];

		snprintf(up, sizeof(up), "%.*s", (int)(slash - dir), dir);
		if ((size_t)(slash - dir) > mlen && cg_deleg_writable(up)) {
			if (!strcmp(slash + 1, name))
				return cg_err_set(
					e, 0,
					"your group %s holds processes, and the group %s would "
					"go beside it under the same name: give another --name",
					dir, name);
			*sibling = strdup(up + mlen + (up[mlen] == '/'));
			return *sibling ? 0 : cg_err_set(e, ENOMEM, "out of memory");
		}
		return cg_err_set(
			e, 0,
			"your group %s holds processes (cgrun's own, at least), and a cgroup v2 "
			"group with processes cannot enable %s for groups below it; its parent "
			"%.*s is not delegated to you, so the group cannot go beside it either: "
			"start cgrun from a leaf of its own in your delegated subtree (mkdir "
			"%s/shell; echo $$ > %s/shell/cgroup.procs; or systemd-run --user --scope "
			"cgrun ...), see cgrun(1)",
			dir, wanted[0] ? wanted : "controllers", (int)(slash - dir), dir, dir, dir);
	}
	return cg_err_set(
		e, 0,
		"the parent %s holds processes, and a cgroup v2 group with processes cannot "
		"enable %s for groups below it: give a parent without processes, or parent: "
		"self from a leaf of its own in your delegated subtree, see cgrun(1)",
		dir, wanted);
}

int cg_deleg_check(const struct cg_layout *l, const struct map_where *w, bool parent_self,
		   const char *name, unsigned uid, char **sibling, cg_err *e)
{
	*sibling = NULL;
	(void)l;
	for (size_t i = 0; i < w->n; i++) {
		const struct map_hier *h = &w->h[i];

		if (!h->v2) {
			int c = 0;

			while (c < CTRL_COUNT && !(h->ctrls & (1u << c)))
				c++;
			return cg_err_set(e, 0,
					  "%s is on a cgroup v1 mount (%s): cgroup v1 has no "
					  "delegation: run as root, or on a cgroup v2 host ask for "
					  "Delegate=yes (see UNPRIVILEGED USE in cgrun(1))",
					  c < CTRL_COUNT ? cg_ctrl_name((enum cg_ctrl)c, false)
							 : "the group",
					  h->mount);
		}
	}
	for (size_t i = 0; i < w->n; i++)
		if (check_hier(&w->h[i], parent_self, name, uid, sibling, e) < 0) {
			free(*sibling);
			*sibling = NULL;
			return -1;
		}
	return 0;
}
