/* cpuset: cpus and mems. The host check says which are online. v2 writes
 * the lists (empty: the parent's). A new v1 cpuset group starts empty, so
 * it is filled (its own lists, else its parent's) before anything can join
 * it: grown top-down to old + new in phase 2, shrunk bottom-up to the final
 * lists in phase 4, groups the profile does not name (a launch's leaves)
 * kept inside their parent's lists. File names: mapping.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_impl.h"

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

static int cpuset_check_values(struct planner *P)
{
	const char *cp = P->o && P->o->cpus_online ? P->o->cpus_online : map_sys_online(false);
	const char *mp = P->o && P->o->mems_online ? P->o->mems_online : map_sys_online(true);
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


static const enum map_knob cs_knobs[2] = { MK_CPUSET_CPUS, MK_CPUSET_MEMS };

static const struct pstr *cs_pstr(const struct group_spec *g, int i)
{
	return i == 0 ? &g->cpuset.cpus : &g->cpuset.mems;
}

/* v2: the profile's list, or "" (the parent's) where unset. */
static int cpuset_v2(struct planner *P, size_t h, const struct node *n)
{
	char dir[4096], path[4096], cur[VAL_MAX];

	pl_node_dir(P, h, n, dir, sizeof(dir));
	for (int i = 0; i < 2; i++) {
		const struct pstr *ps = cs_pstr(n->g, i);
		const char *want = ps->s ? ps->s : "";
		struct map_list a, b;
		int r;

		r = pl_knob_current(P, dir, cs_knobs[i], true, path, sizeof(path), cur, sizeof(cur));
		if (r < 0)
			return -1;
		if (r && map_list_parse(cur, &a) == 0 && map_list_parse(want, &b) == 0 &&
		    map_list_equal(&a, &b))
			continue;
		if (pl_write(P, path, want, r ? cur : NULL, n, i ? "cpuset.mems" : "cpuset.cpus",
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
	pl_join(path, sizeof(path), parent, map_file(cs_knobs[i], false));
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
	r = pl_current(P, path, NULL, out, len);
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
	bool is_new = pl_planned_dir(P, dir) || P->blind;

	if (!is_new && !(n && n->g->cpuset.present))
		return 0;   /* an existing group without a cpuset section stays as it is */
	for (int i = 0; i < 2; i++) {
		const struct pstr *ps = n ? cs_pstr(n->g, i) : NULL;
		struct map_list a, b;
		int r;

		if (cs_final(P, dir, n, i, fin, sizeof(fin)) < 0)
			return -1;
		pl_join(path, sizeof(path), dir, map_file(cs_knobs[i], false));
		if (is_new) {
			if (pl_write(P, path, fin, NULL, n, ps && ps->s ? (i ? "cpuset.mems" : "cpuset.cpus") : NULL,
				       ps && ps->s ? ps->line : 0, ps && ps->s ? ps->col : 0) < 0)
				return -1;
			continue;
		}
		r = pl_current(P, path, NULL, cur, sizeof(cur));
		if (r < 0)
			return -1;
		if (r == 0 || map_list_parse(cur, &a) < 0 || map_list_parse(fin, &b) < 0 ||
		    map_list_subset(&b, &a))
			continue;
		map_list_union(&b, &a);
		map_list_format(&b, v, sizeof(v));
		if (pl_write(P, path, v, cur, n, i ? "cpuset.mems" : "cpuset.cpus", ps->line, ps->col) < 0)
			return -1;
	}
	return 0;
}

static bool is_node_dir(const struct planner *P, size_t h, const char *dir)
{
	char nd[4096];

	for (size_t i = 0; i < P->n_nodes; i++) {
		pl_node_dir(P, h, &P->nodes[i], nd, sizeof(nd));
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

		pl_join(sub, sizeof(sub), dir, names[k]);
		if (is_node_dir(P, h, sub) || pl_planned_dir(P, sub))
			continue;
		pl_join(path, sizeof(path), sub, map_file(cs_knobs[i], false));
		r = pl_current(P, path, NULL, cur, sizeof(cur));
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
			rc = pl_write(P, path, v, cur, NULL, NULL, 0, 0);
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

	if (pl_planned_dir(P, dir) || P->blind)
		return 0;
	for (int i = 0; i < 2; i++) {
		const struct pstr *ps = cs_pstr(n->g, i);
		bool own = n->g->cpuset.present;
		struct map_list a, b;
		int r;

		if (cs_final(P, dir, n, i, fin, sizeof(fin)) < 0)
			return -1;
		pl_join(path, sizeof(path), dir, map_file(cs_knobs[i], false));
		r = pl_current(P, path, NULL, cur, sizeof(cur));
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
		if (pl_write(P, path, fin, cur, n, own ? (i ? "cpuset.mems" : "cpuset.cpus") : NULL,
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

	r = pl_knob_current(P, dir, MK_CLONE_CHILDREN, false, path, sizeof(path), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r && !strcmp(cur, "1"))
		return 0;
	return pl_write(P, path, "1", r ? cur : NULL, n, NULL, 0, 0);
}

static int cpuset_v1_grow(struct planner *P, size_t h)
{
	const struct map_hier *mh = &P->w.h[h];
	char dir[4096];

	for (const char *s = mh->base + strlen(mh->mount); *s;) {
		const char *e = strchrnul(s + 1, '/');

		snprintf(dir, sizeof(dir), "%.*s", (int)(e - mh->base), mh->base);
		if ((pl_planned_dir(P, dir) || P->blind) && cs_grow(P, dir, NULL) < 0)
			return -1;
		s = e;
	}
	for (size_t i = 0; i < P->n_nodes; i++) {
		pl_node_dir(P, h, &P->nodes[i], dir, sizeof(dir));
		if (cs_grow(P, dir, &P->nodes[i]) < 0 || cs_clone_children(P, dir, &P->nodes[i]) < 0)
			return -1;
	}
	return 0;
}


static int cpuset_prepare(struct planner *P, size_t h)
{
	return P->w.h[h].v2 ? 0 : cpuset_v1_grow(P, h);
}

static int cpuset_plan(struct planner *P, size_t h, size_t idx)
{
	return P->w.h[h].v2 ? cpuset_v2(P, h, &P->nodes[idx]) : 0;
}

/* v1 phase 4: bottom-up, each group shrinks to its final lists. */
static int cpuset_finish(struct planner *P, size_t h)
{
	char dir[4096];

	if (P->w.h[h].v2)
		return 0;
	for (size_t i = P->n_nodes; i-- > 0;) {
		pl_node_dir(P, h, &P->nodes[i], dir, sizeof(dir));
		if (cs_shrink(P, h, dir, &P->nodes[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- show ---- */

static void show_cpuset(FILE *out, int ind, const struct cg_reader *rd, const char *dir, bool v2)
{
	char cpus[4096], mems[4096];

	if (!show_get(rd, dir, map_file(MK_CPUSET_CPUS, v2), cpus, sizeof(cpus)) ||
	    !show_get(rd, dir, map_file(MK_CPUSET_MEMS, v2), mems, sizeof(mems)))
		return;
	/* v2: an empty list is no restriction of the group's own (it has its
	 * parent's): nothing to show, and "" is no list a profile takes */
	if (!*cpus && !*mems)
		return;
	fprintf(out, "%*scpuset:\n", ind, "");
	if (*cpus)
		fprintf(out, "%*scpus: \"%s\"\n", ind + 2, "", cpus);
	if (*mems)
		fprintf(out, "%*smems: \"%s\"\n", ind + 2, "", mems);
}

const struct resource res_cpuset = {
	.name = "cpuset",
	.ctrl = CTRL_CPUSET,
	.check_values = cpuset_check_values,
	.prepare = cpuset_prepare,
	.plan = cpuset_plan,
	.finish = cpuset_finish,
	.show = show_cpuset,
};
