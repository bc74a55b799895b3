/* A profile made in code: what cgtop and the daemon use instead of writing
 * YAML. Each key goes through the same walk as a file (profile.c), on a tree
 * of one key made here, so a value means and is refused exactly as it is in
 * a file; the checks between keys wait for profile_check(). */
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_tree.h"

#define KEY_PART_MAX 64
#define KEY_MAX (2 * KEY_PART_MAX)

static struct node scalar_node(const char *s)
{
	return (struct node){.kind = NODE_SCALAR, .plain = true, .s = s, .len = strlen(s)};
}

/* The first error of `e` as "GROUP: KEY: message" into err. */
static int first_error(const struct perrs *e, const char *group, cg_err *err)
{
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i].warning)
			continue;
		if (group && *group)
			return cg_err_set(err, 0, "group %s: %s: %s", group, e->v[i].key,
					  e->v[i].msg);
		return cg_err_set(err, 0, "%s: %s", e->v[i].key, e->v[i].msg);
	}
	return cg_err_set(err, 0, "out of memory");
}

static struct group_spec *find_group(struct profile *p, const char *path, cg_err *err)
{
	const struct group_spec *g;

	if (profile_find_child(p, path, &g) < 0) {
		cg_err_set(err, 0,
			   "there is no group \"%s\" in profile %s: add it with "
			   "profile_add_child() first",
			   DIAG_CUT(path, 200), p->group.name.s ? p->group.name.s : "(unnamed)");
		return NULL;
	}
	return (struct group_spec *)g; /* p is not const: neither are its groups */
}

/* Walks {section: {key: value}} (or {key: value}) into g; errors into e. */
static void walk_one(const char *key, const char *value, struct group_spec *g, struct profile *top,
		     const struct profile_opts *opts, struct perrs *e)
{
	const char *dot = strchr(key, '.');
	char section[KEY_PART_MAX + 1];
	struct node k1, k2, val = scalar_node(value), inner, root;
	struct node *inner_items[2] = {&k2, &val}, *root_items[2] = {&k1, &val};

	if (dot) {
		snprintf(section, sizeof(section), "%.*s", (int)(dot - key), key);
		k1 = scalar_node(section);
		k2 = scalar_node(dot + 1);
		inner = (struct node){.kind = NODE_MAP, .items = inner_items, .n = 2};
		root_items[1] = &inner;
	} else {
		k1 = scalar_node(key);
	}
	root = (struct node){.kind = NODE_MAP, .items = root_items, .n = 2};
	profile_walk_partial(&root, g, top, opts, e);
}

int profile_set_in(struct profile *p, const char *group, const char *key, const char *value,
		   cg_err *err)
{
	struct group_spec *g = find_group(p, group, err);
	struct profile *scratch;
	struct perrs e = {0};
	int r = 0;

	if (!g)
		return -1;
	if (!key || !*key || strlen(key) > (size_t)KEY_MAX)
		return cg_err_set(err, 0, "the key is empty or too long: give one such as cpu.max");
	if (!value)
		return cg_err_set(err, 0, "%s: the value is missing", key);
	/* Tried on a blank profile first, so that a refused value changes nothing. */
	scratch = calloc(1, sizeof(*scratch));
	if (!scratch)
		return cg_err_set(err, ENOMEM, "out of memory");
	walk_one(key, value, &scratch->group, g == &p->group ? scratch : NULL, &p->opts, &e);
	profile_free(scratch);
	if (perrs_errors(&e) == 0) {
		perrs_free(&e);
		walk_one(key, value, g, g == &p->group ? p : NULL, &p->opts, &e);
	}
	if (perrs_errors(&e) > 0)
		r = first_error(&e, group, err);
	perrs_free(&e);
	return r;
}

int profile_set(struct profile *p, const char *key, const char *value, cg_err *err)
{
	return profile_set_in(p, "", key, value, err);
}

struct profile *profile_new(const char *name, const char *parent, const struct profile_opts *opts,
			    cg_err *err)
{
	struct profile *p = calloc(1, sizeof(*p));

	if (!p) {
		cg_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (opts)
		p->opts = *opts;
	if (!name) {
		cg_err_set(err, 0, "name: the name is missing: a profile needs a name");
		profile_free(p);
		return NULL;
	}
	if (profile_set(p, "name", name, err) < 0 ||
	    profile_set(p, "parent", parent ? parent : PROFILE_DEFAULT_PARENT, err) < 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}

int profile_add_child(struct profile *p, const char *group, const char *name, cg_err *err)
{
	struct group_spec *g = find_group(p, group, err), *c;
	const char *why;

	if (!g)
		return -1;
	if (!name)
		return cg_err_set(err, 0, "name: the name is missing: each child group needs one");
	if ((why = profile_name_invalid(name)))
		return cg_err_set(err, 0, "name: \"%s\": %s", DIAG_CUT(name, 40), why);
	for (size_t i = 0; i < g->n_children; i++)
		if (g->children[i].name.s && !strcmp(g->children[i].name.s, name))
			return cg_err_set(err, 0,
					  "name: \"%s\" is already the name of another child: "
					  "give each child its own name",
					  DIAG_CUT(name, 64));
	c = realloc(g->children, (g->n_children + 1) * sizeof(*c));
	if (!c)
		return cg_err_set(err, ENOMEM, "out of memory");
	g->children = c;
	c = &g->children[g->n_children];
	memset(c, 0, sizeof(*c));
	c->name.s = strdup(name);
	if (!c->name.s)
		return cg_err_set(err, ENOMEM, "out of memory");
	g->n_children++;
	return 0;
}

int profile_check(struct profile *p, cg_err *err)
{
	struct perrs e = {0};
	int r = 0;

	profile_walk_checks(p, &e);
	if (perrs_errors(&e) > 0)
		r = first_error(&e, NULL, err);
	perrs_free(&e);
	return r;
}

/* ---- limits copied in (the daemon: base limits, a penalty over them) ---- */

static void merge_pval(struct pval *to, const struct pval *from)
{
	if (from->set)
		*to = *from;
}

static int dup_pstr(struct pstr *to, const struct pstr *from)
{
	char *s = NULL;

	if (from->s && !(s = strdup(from->s)))
		return -1;
	free(to->s);
	*to = *from;
	to->s = s;
	return 0;
}

static int merge_io(struct io_spec *to, const struct io_spec *from)
{
	struct io_device *v = NULL;

	merge_pval(&to->weight, &from->weight);
	if (from->n_devices == 0)
		return 0;
	v = calloc(from->n_devices, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < from->n_devices; i++) {
		v[i] = from->devices[i];
		v[i].path.s = NULL;
		if (dup_pstr(&v[i].path, &from->devices[i].path) < 0) {
			for (size_t j = 0; j < i; j++)
				free(v[j].path.s);
			free(v);
			return -1;
		}
	}
	for (size_t i = 0; i < to->n_devices; i++)
		free(to->devices[i].path.s);
	free(to->devices);
	to->devices = v;
	to->n_devices = from->n_devices;
	return 0;
}

int profile_merge_limits(struct profile *p, const char *group, const struct group_spec *from,
			 cg_err *err)
{
	struct group_spec *g = find_group(p, group, err);
	const struct cpu_spec *c = &from->cpu;
	const struct memory_spec *m = &from->memory;

	if (!g)
		return -1;
	if (c->present) {
		g->cpu.present = true;
		if (c->max.set || c->quota.set) {
			/* one of max and quota: the later one wins whole */
			memset(&g->cpu.max, 0, sizeof(g->cpu.max));
			memset(&g->cpu.quota, 0, sizeof(g->cpu.quota));
		}
		merge_pval(&g->cpu.max, &c->max);
		merge_pval(&g->cpu.quota, &c->quota);
		merge_pval(&g->cpu.period, &c->period);
		merge_pval(&g->cpu.weight, &c->weight);
	}
	if (m->present) {
		g->memory.present = true;
		merge_pval(&g->memory.max, &m->max);
		merge_pval(&g->memory.high, &m->high);
		merge_pval(&g->memory.swap, &m->swap);
		/* a lower max than the base's high takes the high down with it */
		if (m->max.set && !m->high.set && g->memory.high.set && !m->max.is_max &&
		    (g->memory.high.is_max || g->memory.high.v > m->max.v))
			g->memory.high = m->max;
	}
	if (from->io.present) {
		g->io.present = true;
		if (merge_io(&g->io, &from->io) < 0)
			return cg_err_set(err, ENOMEM, "out of memory");
	}
	if (from->cpuset.present) {
		g->cpuset.present = true;
		if ((from->cpuset.cpus.s && dup_pstr(&g->cpuset.cpus, &from->cpuset.cpus) < 0) ||
		    (from->cpuset.mems.s && dup_pstr(&g->cpuset.mems, &from->cpuset.mems) < 0))
			return cg_err_set(err, ENOMEM, "out of memory");
	}
	if (from->pids.present) {
		g->pids.present = true;
		merge_pval(&g->pids.max, &from->pids.max);
	}
	return 0;
}
