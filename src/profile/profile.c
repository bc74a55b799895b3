/* The profile language: checks the YAML tree (profile_tree.c) against the
 * format (docs/cgprofile.5) and fills struct profile.
 *
 * Every error found is collected, not only the first; each names the dotted
 * key and points at the key (unknown, duplicate, misplaced) or at the value
 * (bad value), and says what would be right. */
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "profile_tree.h"
#include "profile_limits.h"
#include "walk.h"

#define HOSTNAME_MAX 64
#define USER_NAME_MAX 32

/* The namespaces' names, in the order of enum ns_kind's bits. */
static const char *const ns_names[] = {"pid", "mount", "uts", "ipc", "net", "cgroup", "user"};

/* ---- names ---- */

const char *profile_name_invalid(const char *name)
{
	size_t len = strlen(name);

	if (!len)
		return "the name is empty: give 1 to 64 of A-Z a-z 0-9 _ . -";
	if (len > PROFILE_NAME_MAX)
		return "the name is longer than 64 characters: give 1 to 64 of A-Z a-z 0-9 _ . -";
	if (name[0] == '.')
		return "a name may not start with '.': give 1 to 64 of A-Z a-z 0-9 _ . -, "
		       "starting with a letter, digit, _ or -";
	for (const char *p = name; *p; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-')
			continue;
		if (c == '/')
			return "a name may not contain '/': it is one group; put sub-groups in "
			       "children";
		return "a name may only hold A-Z a-z 0-9 _ . - (1 to 64 of them)";
	}
	return NULL;
}

const char *profile_parent_invalid(const char *parent)
{
	const char *p = parent;

	if (!strcmp(parent, "self"))
		return NULL;
	if (!*parent)
		return "the parent is empty: give a relative path such as cgkit/tenants, or self";
	if (*parent == '/')
		return "the parent is an absolute path: give a path relative to the cgroup root "
		       "such as cgkit/tenants, or self";
	if (!strncmp(parent, "self/", 5))
		return "self stands alone: write parent: self and put sub-groups in children";
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		char comp[PROFILE_NAME_MAX + 2];

		if (!len)
			return "the parent has an empty component (a '//' or a '/' at the end): "
			       "give names separated by single '/', such as cgkit/tenants";
		if (len == 2 && !strncmp(p, "..", 2))
			return "the parent may not contain '..': give a path below the cgroup root "
			       "such as cgkit/tenants, or self";
		if (len > PROFILE_NAME_MAX)
			return "a component of the parent is longer than 64 characters";
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (profile_name_invalid(comp))
			return comp[0] == '.' ? "a component of the parent starts with '.': give "
						"names of A-Z a-z 0-9 _ . - "
						"separated by '/', such as cgkit/tenants"
					      : "the parent may only hold names of A-Z a-z 0-9 _ . "
						"- separated by '/', such "
						"as cgkit/tenants, or be self";
		p += len;
		if (*p == '/')
			p++;
		if (!*p && slash)
			return "the parent ends with '/': write cgkit/tenants, not cgkit/tenants/";
	}
	return NULL;
}

/* ---- the walk's words ---- */

static void misplaced_key(struct walker *w, const struct node *k)
{
	if (!strcmp(k->s, "parent"))
		walk_err(w, k,
			 "misplaced key: parent belongs at the top of the profile; a child "
			 "group lives inside its parent group");
	else
		walk_err(w, k,
			 "misplaced key: launch settings (namespaces, hostname, rootfs, layers, "
			 "user, workdir, env) belong at the top of the profile; a child takes only "
			 "name, description, cpu, memory, io, cpuset, pids and children");
}

static const struct walk_lang profile_lang = {
	.words = &ptree_profile_words,
	.file = "a profile file",
	.empty = "the profile is empty: a profile needs at least \"name: NAME\"",
	.size_first = true,
	.key_example = "max",
	.merge_keys = "merge keys (<<) are not supported: alias a whole section instead "
		      "(cpu: *small), or write the keys out",
	.misplaced = misplaced_key,
};

/* ---- launch settings (top only) ---- */

static void walk_namespaces(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct profile *p = f;
	char list[128];

	(void)k;
	p->ns_line = v->line;
	p->ns_col = v->col;
	walk_join_names(ns_names, N_OF(ns_names), list, sizeof(list));
	if (!walk_want_kind(w, v, NODE_SEQ, "a list of namespaces such as [pid, mount, uts]") ||
	    v->kind != NODE_SEQ)
		return;
	for (size_t i = 0; i < v->n; i++) {
		const struct node *it = v->items[i];
		size_t old = walk_push(w, "[%zu]", i);
		const char *s = walk_want_scalar(w, it, "a namespace name");
		int id;

		if (s) {
			id = walk_find_name(s, ns_names, N_OF(ns_names));
			if (id < 0) {
				const char *near = walk_nearest(s, ns_names, N_OF(ns_names));

				if (near)
					walk_err(w, it,
						 "unknown namespace \"%s\"; did you mean \"%s\"?",
						 DIAG_CUT(s, 40), near);
				else
					walk_err(w, it,
						 "unknown namespace \"%s\"; the namespaces are: "
						 "%s",
						 DIAG_CUT(s, 40), list);
			} else if (p->namespaces & (1u << id)) {
				walk_warn(w, it, "namespace \"%s\" is listed twice: once is enough",
					  s);
			} else {
				p->namespaces |= 1u << id;
			}
		}
		walk_pop(w, old);
	}
}

static bool hostname_ok(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > HOSTNAME_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return false;
	return true;
}

static bool uname_ok(const char *s, size_t len)
{
	if (!len || len > USER_NAME_MAX || (s[0] >= '0' && s[0] <= '9') || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static bool id_ok(const char *s, size_t len)
{
	unsigned long long v = 0;

	if (!len || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v < 4294967295ULL; /* (uid_t)-1 means "no change" */
}

static bool user_ok(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t ul = colon ? (size_t)(colon - s) : strlen(s);

	if (!(id_ok(s, ul) || uname_ok(s, ul)))
		return false;
	if (!colon)
		return true;
	return id_ok(colon + 1, strlen(colon + 1)) || uname_ok(colon + 1, strlen(colon + 1));
}

static void walk_layer(struct walker *w, const struct node *it, void *item)
{
	struct pstr *l = item;

	walk_abs_path(w, it, it, l, "a directory such as /srv/layers/app");
	if (l->s && strpbrk(l->s, ":,"))
		walk_err(w, it,
			 "overlayfs cannot take a layer path with ':' or ',': "
			 "rename or link the directory");
}

static void walk_layers(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct profile *p = f;

	(void)k;
	if (!walk_want_kind(w, v, NODE_SEQ,
			    "a list of directories, top first, such as [/srv/layers/app]") ||
	    v->kind != NODE_SEQ)
		return;
	p->layers = walk_items(w, v, sizeof(*p->layers), &p->n_layers, walk_layer);
}

static bool env_name_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static void walk_env(struct walker *w, const struct node *key, const struct node *m, void *f)
{
	struct profile *p = f;

	(void)key;
	if (!walk_want_kind(w, m, NODE_MAP, "a mapping of NAME: value, such as {LANG: C.UTF-8}") ||
	    m->kind != NODE_MAP)
		return;
	p->env = walk_calloc(w, m->n / 2, sizeof(*p->env));
	if (!p->env)
		return;
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct node *k = walk_pair_key(w, m->items[i]), *v = m->items[i + 1];
		struct env_var *ev;
		const char *s;
		size_t old;

		if (!k)
			continue;
		old = walk_enter(w, k->s);
		if (!env_name_ok(k->s)) {
			walk_err(w, k,
				 "\"%s\" is not a variable name: give letters, digits and _, "
				 "not starting with a digit (LANG, MY_VAR)",
				 DIAG_CUT(k->s, 40));
		} else if (node_is_null(v)) {
			walk_err(w, v,
				 "the value is missing: give one, or \"\" for an empty value");
		} else if ((s = walk_want_scalar(w, v, "a value (a string or number)"))) {
			ev = &p->env[p->n_env++];
			ev->name = walk_strdup(w, k->s);
			ev->value = walk_strdup(w, s);
			ev->line = k->line;
			ev->col = k->col;
		}
		walk_pop(w, old);
	}
}

/* ---- groups ---- */

static void walk_group(struct walker *w, const struct node *m, struct group_spec *g,
		       struct profile *top);
static void check_launch(struct walker *w, struct profile *p, const struct node *layers_key);

static const char *child_name_of(const void *arr, size_t i)
{
	return ((const struct group_spec *)arr)[i].name.s;
}

static void walk_child(struct walker *w, const struct node *m, void *item)
{
	walk_group(w, m, item, NULL);
}

static void child_twice(struct walker *w, const void *item, const void *first)
{
	const struct group_spec *c = item, *o = first;

	walk_err_pos(w, c->name.line, c->name.col,
		     "\"%s\" is already the name of another child (line %d): give each child "
		     "its own name",
		     DIAG_CUT(c->name.s, 64), o->name.line);
}

static const struct walk_list child_list = {
	sizeof(struct group_spec),
	"a list of groups (- name: workers)",
	walk_child,
	child_name_of,
	"name",
	child_twice,
};

static void walk_children(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct group_spec *g = f;

	(void)k;
	if (g->children) /* a second children key: reported as a duplicate */
		return;
	g->children = walk_list(w, v, &child_list, &g->n_children);
}

static void parse_name(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct pstr *name = f;
	const char *why;

	walk_str(w, k, v, name, "a name: 1 to 64 of A-Z a-z 0-9 _ . -");
	if (name->s && (why = profile_name_invalid(name->s)))
		walk_err(w, v, "\"%s\": %s", DIAG_CUT(name->s, 40), why);
}

static void parse_description(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct pstr *d = f;

	if (node_is_null(v)) {
		free(d->s);
		d->s = walk_strdup(w, "");
	} else {
		walk_str(w, k, v, d, "a line of text");
	}
}

static void parse_parent(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct profile *p = f;
	const char *why;

	walk_str(w, k, v, &p->parent, "a relative path such as cgkit/tenants, or self");
	if (p->parent.s && (why = profile_parent_invalid(p->parent.s)))
		walk_err(w, v, "\"%s\": %s", DIAG_CUT(p->parent.s, 40), why);
	p->parent_self = p->parent.s && !strcmp(p->parent.s, "self");
}

/* A string value that a test accepts, and what the message says otherwise
 * (after the quoted value). */
struct checked_str {
	const char *right;
	bool (*ok)(const char *s);
	const char *bad;
};

static void val_checked(struct walker *w, const struct node *k, const struct node *v,
			struct pstr *ps, const struct checked_str *c)
{
	walk_str(w, k, v, ps, c->right);
	if (ps->s && !c->ok(ps->s))
		walk_err(w, v, "\"%s\" %s", DIAG_CUT(ps->s, 40), c->bad);
}

static void parse_hostname(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	static const struct checked_str host = {
		"a host name such as web", hostname_ok,
		"is not a host name: give 1 to 64 letters, digits, '-' and '.', such as web-1"
	};

	val_checked(w, k, v, f, &host);
}

static void parse_rootfs(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	walk_abs_path(w, k, v, f, "a directory such as /srv/rootfs/alpine");
}

static void parse_user(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	static const struct checked_str user = {
		"uid[:gid] such as 1000:1000, or a user name", user_ok,
		"is not a user: give uid[:gid] (1000 or 1000:1000) or a user name (www-data, or "
		"www-data:www-data)"
	};

	val_checked(w, k, v, f, &user);
}

static void parse_workdir(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	walk_abs_path(w, k, v, f, "an absolute directory such as /srv/app");
}

/* The keys of a group; the top_only ones (launch settings) are fields of
 * struct profile, an offset 0 row takes the whole struct. The order is the
 * order of "the keys here are: ..." in messages. */
static const struct walk_key group_keys[] = {
	{"name", parse_name, offsetof(struct group_spec, name), false},
	{"description", parse_description, offsetof(struct group_spec, description), false},
	{"cpu", limits_walk_cpu, offsetof(struct group_spec, cpu), false},
	{"memory", limits_walk_memory, offsetof(struct group_spec, memory), false},
	{"io", limits_walk_io, offsetof(struct group_spec, io), false},
	{"cpuset", limits_walk_cpuset, offsetof(struct group_spec, cpuset), false},
	{"pids", limits_walk_pids, offsetof(struct group_spec, pids), false},
	{"children", walk_children, 0, false},
	{"parent", parse_parent, 0, true},
	{"namespaces", walk_namespaces, 0, true},
	{"hostname", parse_hostname, offsetof(struct profile, hostname), true},
	{"rootfs", parse_rootfs, offsetof(struct profile, rootfs), true},
	{"layers", walk_layers, 0, true},
	{"user", parse_user, offsetof(struct profile, user), true},
	{"workdir", parse_workdir, offsetof(struct profile, workdir), true},
	{"env", walk_env, 0, true},
};

/* Checks between launch keys, once they are all read. */
static void check_launch(struct walker *w, struct profile *p, const struct node *layers_key)
{
	size_t old;

	if (p->hostname.s && !(p->namespaces & NS_UTS)) {
		old = walk_enter(w, "hostname");
		walk_err_pos(w, p->hostname.kline, p->hostname.kcol,
			     "hostname needs the uts namespace: add uts to namespaces");
		walk_pop(w, old);
	}
	if (p->rootfs.s && !(p->namespaces & NS_MOUNT)) {
		old = walk_enter(w, "rootfs");
		walk_err_pos(w, p->rootfs.kline, p->rootfs.kcol,
			     "rootfs needs the mount namespace: add mount to namespaces");
		walk_pop(w, old);
	}
	if (layers_key && !(p->namespaces & NS_MOUNT)) {
		old = walk_enter(w, "layers");
		walk_err(w, layers_key, "layers need the mount namespace: add mount to namespaces");
		walk_pop(w, old);
	}
}

static void walk_group(struct walker *w, const struct node *m, struct group_spec *g,
		       struct profile *top)
{
	struct walk_map at;

	g->line = m->line;
	g->col = m->col;
	if (m->kind != NODE_MAP) {
		char what[64];

		walk_err(w, m, "expected %s, found %s",
			 top ? "a profile: a mapping of keys (name: web, cpu: {max: 20%}, ...)"
			     : "a group: a mapping with name and resource keys (- name: workers)",
			 node_what(m, what, sizeof(what)));
		return;
	}
	walk_pairs(w, m, group_keys, N_OF(group_keys), g, top, &at);
	if (w->partial)
		return;
	if (!walk_seen(&at, "name")) {
		size_t old = walk_enter(w, "name");

		walk_err(w, m,
			 "the name is missing: %s needs name: NAME (1 to 64 of A-Z a-z 0-9 _ . -)",
			 top ? "a profile" : "each child group");
		walk_pop(w, old);
	}
	if (top)
		check_launch(w, top, walk_seen(&at, "layers"));
}

/* ---- for profile_build.c ---- */

void profile_walk_partial(const struct node *m, struct group_spec *g, struct profile *top,
			  const struct profile_opts *opts, struct perrs *e)
{
	struct walker w = {.e = e, .lang = &profile_lang, .opts = opts, .partial = true};
	int line = g->line, col = g->col;

	walk_group(&w, m, g, top);
	g->line = line; /* the group stays where it was made */
	g->col = col;
}

/* The checks between keys that the walks of cpu, memory (profile_limits.c)
 * and a group make on a file, on a group made in code: there each key was
 * checked alone. */
static void check_group(struct walker *w, const struct group_spec *g)
{
	const struct cpu_spec *c = &g->cpu;
	size_t old;

	old = walk_enter(w, "cpu");
	if (c->max.set && c->quota.set) {
		size_t k = walk_enter(w, "quota");

		walk_err_pos(w, c->quota.kline, c->quota.kcol,
			     "cpu.max and cpu.quota both set the cap: keep one of them");
		walk_pop(w, k);
	}
	limits_check_cpu(w, c);
	walk_pop(w, old);
	old = walk_enter(w, "memory");
	{
		const struct node swap_key = {.line = g->memory.swap.kline,
					      .col = g->memory.swap.kcol};

		limits_check_memory(w, &g->memory, g->memory.swap.set ? &swap_key : NULL);
	}
	walk_pop(w, old);
	for (size_t i = 0; i < g->n_children; i++) {
		old = walk_push(w, "%schildren[%zu]", w->klen ? "." : "", i);
		check_group(w, &g->children[i]);
		walk_pop(w, old);
	}
}

void profile_walk_checks(struct profile *p, struct perrs *e)
{
	struct walker w = {.e = e, .lang = &profile_lang, .opts = &p->opts};

	check_group(&w, &p->group);
	check_launch(&w, p, NULL);
}

/* ---- for other languages' limits (profile_tree.h) ---- */

static void group_free(struct group_spec *g);

/* The group keys that are limits: rows cpu .. pids of group_keys. */
static bool is_limit_key(const struct walk_key *row)
{
	return row->parse == limits_walk_cpu || row->parse == limits_walk_memory ||
	       row->parse == limits_walk_io || row->parse == limits_walk_cpuset ||
	       row->parse == limits_walk_pids;
}

int profile_walk_limits(const struct node *m, struct group_spec *g, const char *key,
			const char *const *other, size_t n_other, const struct profile_opts *opts,
			struct perrs *e)
{
	static const struct profile_opts no_opts;
	struct walker w = {.e = e, .lang = &profile_lang, .opts = opts ? opts : &no_opts};
	const char *names[WALK_KEYS_MAX + 16];
	size_t n_names = 0;
	int given = 0;

	walk_push(&w, "%s", key ? key : "");
	for (size_t i = 0; i < N_OF(group_keys); i++)
		if (is_limit_key(&group_keys[i]))
			names[n_names++] = group_keys[i].name;
	for (size_t i = 0; i < n_other && n_names < N_OF(names); i++)
		names[n_names++] = other[i];
	if (m->kind != NODE_MAP)
		return 0;
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct node *k = walk_pair_key(&w, m->items[i]), *v = m->items[i + 1];
		const struct walk_key *row;
		size_t old;

		if (!k || walk_find_name(k->s, other, n_other) >= 0)
			continue;
		old = walk_enter(&w, k->s);
		row = walk_key_find(group_keys, N_OF(group_keys), k->s);
		if (row && is_limit_key(row)) {
			row->parse(&w, k, v, (char *)g + row->off);
			given++;
		} else {
			walk_unknown_key(&w, k, names, n_names);
		}
		walk_pop(&w, old);
	}
	return given;
}

void profile_group_free(struct group_spec *g)
{
	group_free(g);
}

/* ---- the API ---- */

static void group_free(struct group_spec *g)
{
	free(g->name.s);
	free(g->description.s);
	free(g->cpuset.cpus.s);
	free(g->cpuset.mems.s);
	for (size_t i = 0; i < g->io.n_devices; i++)
		free(g->io.devices[i].path.s);
	free(g->io.devices);
	for (size_t i = 0; i < g->n_children; i++)
		group_free(&g->children[i]);
	free(g->children);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	group_free(&p->group);
	free(p->path);
	free(p->parent.s);
	free(p->hostname.s);
	free(p->rootfs.s);
	free(p->user.s);
	free(p->workdir.s);
	for (size_t i = 0; i < p->n_layers; i++)
		free(p->layers[i].s);
	free(p->layers);
	for (size_t i = 0; i < p->n_env; i++) {
		free(p->env[i].name);
		free(p->env[i].value);
	}
	free(p->env);
	free(p);
}

struct profile *profile_parse(const char *buf, size_t len, const char *path,
			      const struct profile_opts *opts, struct diags *d)
{
	static const struct profile_opts no_opts;
	struct perrs e = {0};
	struct walker w = {.e = &e, .lang = &profile_lang, .opts = opts ? opts : &no_opts};
	struct profile *p = NULL;
	const struct node *root;
	struct ptree t;

	root = walk_doc_root(&t, buf, len, &profile_lang, &e);
	if (root) {
		p = walk_calloc(&w, 1, sizeof(*p));
		if (p) {
			p->opts = *w.opts;
			walk_group(&w, root, &p->group, p);
			p->path = path ? walk_strdup(&w, path) : NULL;
			if (!p->parent.s && !p->parent.line)
				p->parent.s = walk_strdup(&w, PROFILE_DEFAULT_PARENT);
		}
	}
	if (walk_doc_end(&t, &e, d) > 0 || !p) {
		profile_free(p);
		p = NULL;
	}
	return p;
}

struct profile *profile_load(const char *path, const struct profile_opts *opts, struct diags *d)
{
	size_t len;
	_cleanup_free_ char *buf = walk_read_file(path, &profile_lang, &len, d);

	if (!buf)
		return NULL;
	return profile_parse(buf, len, path, opts, d);
}

uint64_t profile_cpu_period_us(const struct cpu_spec *cpu)
{
	return cpu->period.set ? cpu->period.v : PROFILE_DEFAULT_PERIOD_US;
}

uint64_t profile_cpu_quota_us(const struct cpu_spec *cpu)
{
	if (cpu->quota.set)
		return cpu->quota.is_max ? UINT64_MAX : cpu->quota.v;
	if (cpu->max.set && !cpu->max.is_max) {
		unsigned __int128 q =
			(unsigned __int128)cpu->max.v * profile_cpu_period_us(cpu) / 1000000;

		return q >= UINT64_MAX ? UINT64_MAX - 1 : (uint64_t)q;
	}
	return UINT64_MAX;
}

const struct group_spec *group_find_child(const struct group_spec *g, const char *path)
{
	while (g && path && *path) {
		size_t len = strcspn(path, "/");
		const struct group_spec *found = NULL;

		for (size_t i = 0; i < g->n_children && !found; i++) {
			const char *n = g->children[i].name.s;

			if (n && strlen(n) == len && !strncmp(n, path, len))
				found = &g->children[i];
		}
		g = found;
		path += len;
		path += strspn(path, "/");
	}
	return g;
}

int profile_find_child(const struct profile *p, const char *path, const struct group_spec **out)
{
	const struct group_spec *g = group_find_child(&p->group, path);

	if (!g)
		return -1;
	*out = g;
	return 0;
}
