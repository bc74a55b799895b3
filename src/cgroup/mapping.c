#include "mapping.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

struct knob_info {
	enum cg_ctrl ctrl;
	const char *v1, *v2;
	const char *dflt_v1, *dflt_v2;   /* a new group's value */
};

/* v1 cpuset starts empty in a new group: that is why its values are copied
 * from the parent before a task can join. */
static const struct knob_info knobs[MK_COUNT] = {
	[MK_CPU_PERIOD] = { CTRL_CPU, "cpu.cfs_period_us", NULL, "100000", NULL },
	[MK_CPU_QUOTA] = { CTRL_CPU, "cpu.cfs_quota_us", NULL, "-1", NULL },
	[MK_CPU_SHARES] = { CTRL_CPU, "cpu.shares", NULL, "1024", NULL },
	[MK_CPU_MAX] = { CTRL_CPU, NULL, "cpu.max", NULL, "max 100000" },
	[MK_CPU_WEIGHT] = { CTRL_CPU, NULL, "cpu.weight", NULL, "100" },
	[MK_MEM_MAX] = { CTRL_MEMORY, "memory.limit_in_bytes", "memory.max", "-1", "max" },
	[MK_MEM_HIGH] = { CTRL_MEMORY, "memory.soft_limit_in_bytes", "memory.high", "-1", "max" },
	[MK_MEM_SWAP] = { CTRL_MEMORY, "memory.memsw.limit_in_bytes", "memory.swap.max", "-1", "max" },
	[MK_IO_WEIGHT] = { CTRL_IO, "blkio.weight", "io.weight", "500", "default 100" },
	[MK_IO_BFQ_WEIGHT] = { CTRL_IO, "blkio.bfq.weight", "io.bfq.weight", "100", "default 100" },
	[MK_IO_RBPS] = { CTRL_IO, "blkio.throttle.read_bps_device", NULL, "", NULL },
	[MK_IO_WBPS] = { CTRL_IO, "blkio.throttle.write_bps_device", NULL, "", NULL },
	[MK_IO_RIOPS] = { CTRL_IO, "blkio.throttle.read_iops_device", NULL, "", NULL },
	[MK_IO_WIOPS] = { CTRL_IO, "blkio.throttle.write_iops_device", NULL, "", NULL },
	[MK_IO_MAX] = { CTRL_IO, NULL, "io.max", NULL, "" },
	[MK_CPUSET_CPUS] = { CTRL_CPUSET, "cpuset.cpus", "cpuset.cpus", "", "" },
	[MK_CPUSET_MEMS] = { CTRL_CPUSET, "cpuset.mems", "cpuset.mems", "", "" },
	[MK_PIDS_MAX] = { CTRL_PIDS, "pids.max", "pids.max", "max", "max" },
	[MK_MEM_USAGE] = { CTRL_MEMORY, "memory.usage_in_bytes", "memory.current", NULL, NULL },
	[MK_SUBTREE_CONTROL] = { CTRL_COUNT, NULL, "cgroup.subtree_control", NULL, "" },
	[MK_CLONE_CHILDREN] = { CTRL_COUNT, "cgroup.clone_children", NULL, "0", NULL },
	[MK_IO_COST_QOS] = { CTRL_IO, NULL, "io.cost.qos", NULL, NULL },
	[MK_IO_BFQ_STATS] = { CTRL_IO, "blkio.bfq.io_service_bytes", NULL, NULL, NULL },
};

const char *map_file(enum map_knob k, bool v2)
{
	return v2 ? knobs[k].v2 : knobs[k].v1;
}

const char *map_default(enum map_knob k, bool v2)
{
	return v2 ? knobs[k].dflt_v2 : knobs[k].dflt_v1;
}

enum cg_ctrl map_ctrl(enum map_knob k)
{
	return knobs[k].ctrl;
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

/* A decimal number ending at whitespace or the end; *end after it. */
static int parse_u64(const char *s, uint64_t *out, const char **end)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &e, 10);
	if (errno)
		return -1;
	*out = v;
	if (end)
		*end = e;
	return 0;
}

int map_parse_limit(const char *s, uint64_t *out)
{
	const char *end;

	s = skip_ws(s);
	if (!strncmp(s, "max", 3)) {
		end = s + 3;
		*out = MAP_UNLIMITED;
	} else if (!strncmp(s, "-1", 2)) {
		end = s + 2;
		*out = MAP_UNLIMITED;
	} else if (parse_u64(s, out, &end) == 0) {
		if (*out >= MAP_V1_MEM_UNLIMITED)
			*out = MAP_UNLIMITED;
	} else {
		return -1;
	}
	return *skip_ws(end) ? -1 : 0;
}

uint64_t map_round_bytes(uint64_t v)
{
	if (v == MAP_UNLIMITED)
		return v;
	v = v / MAP_PAGE_SIZE * MAP_PAGE_SIZE;
	return v >= MAP_V1_MEM_UNLIMITED ? MAP_UNLIMITED : v;
}

void map_format_limit(uint64_t v, bool v2, char *out, size_t len)
{
	if (v == MAP_UNLIMITED)
		snprintf(out, len, "%s", v2 ? "max" : "-1");
	else
		snprintf(out, len, "%" PRIu64, v);
}

uint64_t map_cpu_shares(uint64_t weight)
{
	uint64_t s = weight * 1024 / 100;

	return s < 2 ? 2 : s;
}

uint64_t map_weight_from_shares(uint64_t shares)
{
	uint64_t w = (shares * 100 + 512) / 1024;

	return w < 1 ? 1 : w > 10000 ? 10000 : w;
}

/* The kernel's lowest, default and highest weight for knob k. */
static void io_weight_scale(enum map_knob k, bool v2, uint64_t s[3])
{
	bool cfq = k == MK_IO_WEIGHT && !v2, same = k == MK_IO_WEIGHT && v2;

	s[0] = cfq ? 10 : 1;
	s[1] = cfq ? 500 : 100;
	s[2] = same ? 10000 : 1000;
}

/* x from [x0, x1] onto [y0, y1] (y1 >= y0), rounded to the nearest. */
static uint64_t lerp(uint64_t x, uint64_t x0, uint64_t x1, uint64_t y0, uint64_t y1)
{
	return y0 + ((x - x0) * (y1 - y0) * 2 + (x1 - x0)) / (2 * (x1 - x0));
}

/* the profile's weights: lowest, default, highest */
static const uint64_t io_weight_profile[3] = { 1, 100, 10000 };

/* x on scale from (lowest, default, highest) put on scale to: clamped, then
 * linear on each side of the default. */
static uint64_t rescale(uint64_t x, const uint64_t from[3], const uint64_t to[3])
{
	x = x < from[0] ? from[0] : x > from[2] ? from[2] : x;
	return x <= from[1] ? lerp(x, from[0], from[1], to[0], to[1])
			    : lerp(x, from[1], from[2], to[1], to[2]);
}

uint64_t map_io_weight_to(enum map_knob k, bool v2, uint64_t weight)
{
	uint64_t s[3];

	io_weight_scale(k, v2, s);
	return rescale(weight, io_weight_profile, s);
}

uint64_t map_io_weight_from(enum map_knob k, bool v2, uint64_t kernel)
{
	uint64_t s[3];

	io_weight_scale(k, v2, s);
	return rescale(kernel, s, io_weight_profile);
}

int map_parse_cpu_max(const char *s, uint64_t *quota, uint64_t *period)
{
	const char *end;

	s = skip_ws(s);
	if (!strncmp(s, "max", 3)) {
		*quota = MAP_UNLIMITED;
		end = s + 3;
	} else if (parse_u64(s, quota, &end) < 0) {
		return -1;
	}
	if (*end != ' ')
		return -1;
	if (parse_u64(end + 1, period, &end) < 0)
		return -1;
	return *skip_ws(end) ? -1 : 0;
}

int map_parse_weight(const char *s, uint64_t *out)
{
	s = skip_ws(s);
	if (!strncmp(s, "default ", 8))
		s += 8;
	return parse_u64(s, out, NULL);
}

struct map_dev *map_devs_get(struct map_devs *ds, unsigned major, unsigned minor)
{
	struct map_dev *n;

	for (size_t i = 0; i < ds->n; i++)
		if (ds->d[i].major == major && ds->d[i].minor == minor)
			return &ds->d[i];
	n = realloc(ds->d, (ds->n + 1) * sizeof(*n));
	if (!n)
		return NULL;
	ds->d = n;
	n = &ds->d[ds->n++];
	n->major = major;
	n->minor = minor;
	for (int i = 0; i < MAP_NDEV; i++)
		n->v[i] = MAP_UNLIMITED;
	return n;
}

void map_devs_free(struct map_devs *ds)
{
	free(ds->d);
	ds->d = NULL;
	ds->n = 0;
}

/* "MAJ:MIN" at *s; advances past it. */
static int parse_majmin(const char **s, unsigned *major, unsigned *minor)
{
	uint64_t a, b;
	const char *e;

	if (parse_u64(*s, &a, &e) < 0 || *e != ':' || parse_u64(e + 1, &b, &e) < 0 ||
	    a > UINT32_MAX || b > UINT32_MAX)
		return -1;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	*s = e;
	return 0;
}

int map_devs_add_v1(struct map_devs *ds, int which, const char *text)
{
	const char *s = text;

	while (*(s = skip_ws(s))) {
		unsigned major, minor;
		uint64_t v;
		struct map_dev *d;

		if (parse_majmin(&s, &major, &minor) < 0 || *s != ' ' ||
		    parse_u64(s + 1, &v, &s) < 0)
			return -1;
		d = map_devs_get(ds, major, minor);
		if (!d)
			return -1;
		d->v[which] = v == 0 ? MAP_UNLIMITED : v;
	}
	return 0;
}

int map_devs_add_io_max(struct map_devs *ds, const char *text)
{
	static const char *const keys[MAP_NDEV] = { "rbps=", "wbps=", "riops=", "wiops=" };
	const char *s = text;

	while (*(s = skip_ws(s))) {
		unsigned major, minor;
		struct map_dev *d;

		if (parse_majmin(&s, &major, &minor) < 0)
			return -1;
		d = map_devs_get(ds, major, minor);
		if (!d)
			return -1;
		while (*s == ' ') {
			s++;
			for (int k = 0; k < MAP_NDEV; k++) {
				size_t kl = strlen(keys[k]);

				if (strncmp(s, keys[k], kl) != 0)
					continue;
				s += kl;
				if (!strncmp(s, "max", 3)) {
					d->v[k] = MAP_UNLIMITED;
					s += 3;
				} else if (parse_u64(s, &d->v[k], &s) < 0) {
					return -1;
				}
				break;
			}
			/* keys this code does not know (latency targets) are skipped */
			while (*s && *s != ' ' && *s != '\n')
				s++;
		}
	}
	return 0;
}

enum map_knob map_v1_dev_knob(int which)
{
	static const enum map_knob k[MAP_NDEV] = { MK_IO_RBPS, MK_IO_WBPS, MK_IO_RIOPS, MK_IO_WIOPS };

	return k[which];
}

void map_format_v1_dev(const struct map_dev *d, int which, const char *label, char *out,
		       size_t len)
{
	/* "0" removes the device's line */
	uint64_t v = d->v[which] == MAP_UNLIMITED ? 0 : d->v[which];

	if (label)
		snprintf(out, len, "%s %" PRIu64, label, v);
	else
		snprintf(out, len, "%u:%u %" PRIu64, d->major, d->minor, v);
}

void map_format_io_max(const struct map_dev *d, const char *label, char *out, size_t len)
{
	static const char *const keys[MAP_NDEV] = { "rbps", "wbps", "riops", "wiops" };
	size_t o = label ? (size_t)snprintf(out, len, "%s", label)
			 : (size_t)snprintf(out, len, "%u:%u", d->major, d->minor);

	for (int k = 0; k < MAP_NDEV && o < len; k++) {
		if (d->v[k] == MAP_UNLIMITED)
			o += (size_t)snprintf(out + o, len - o, " %s=max", keys[k]);
		else
			o += (size_t)snprintf(out + o, len - o, " %s=%" PRIu64, keys[k], d->v[k]);
	}
}

int map_list_parse(const char *s, struct map_list *out)
{
	memset(out, 0, sizeof(*out));
	s = skip_ws(s);
	while (*s) {
		uint64_t a, b;
		const char *e;

		if (parse_u64(s, &a, &e) < 0)
			return -1;
		b = a;
		if (*e == '-' && parse_u64(e + 1, &b, &e) < 0)
			return -1;
		if (a > b || b >= MAP_LIST_IDS)
			return -1;
		for (uint64_t i = a; i <= b; i++)
			out->w[i / 64] |= 1ULL << (i % 64);
		s = e;
		if (*s == ',')
			s++;
		else if (*skip_ws(s))
			return -1;
		else
			break;
	}
	return 0;
}

static bool list_has(const struct map_list *l, unsigned i)
{
	return l->w[i / 64] >> (i % 64) & 1;
}

void map_list_format(const struct map_list *l, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < MAP_LIST_IDS && o < len; i++) {
		unsigned j = i;

		if (!list_has(l, i))
			continue;
		while (j + 1 < MAP_LIST_IDS && list_has(l, j + 1))
			j++;
		if (j == i)
			o += (size_t)snprintf(out + o, len - o, "%s%u", o ? "," : "", i);
		else
			o += (size_t)snprintf(out + o, len - o, "%s%u-%u", o ? "," : "", i, j);
		i = j;
	}
}

bool map_list_equal(const struct map_list *a, const struct map_list *b)
{
	return !memcmp(a, b, sizeof(*a));
}

bool map_list_subset(const struct map_list *a, const struct map_list *of)
{
	for (size_t i = 0; i < MAP_LIST_IDS / 64; i++)
		if (a->w[i] & ~of->w[i])
			return false;
	return true;
}

void map_list_union(struct map_list *a, const struct map_list *b)
{
	for (size_t i = 0; i < MAP_LIST_IDS / 64; i++)
		a->w[i] |= b->w[i];
}

int map_list_first_outside(const struct map_list *a, const struct map_list *of)
{
	for (size_t i = 0; i < MAP_LIST_IDS / 64; i++) {
		uint64_t out = a->w[i] & ~of->w[i];

		if (out)
			return (int)(i * 64 + (size_t)__builtin_ctzll(out));
	}
	return -1;
}

unsigned map_group_ctrls(const struct group_spec *g)
{
	unsigned c = 0;

	if (g->cpu.present)
		c |= 1u << CTRL_CPU;
	if (g->memory.present)
		c |= 1u << CTRL_MEMORY;
	if (g->io.present)
		c |= 1u << CTRL_IO;
	if (g->cpuset.present)
		c |= 1u << CTRL_CPUSET;
	if (g->pids.present)
		c |= 1u << CTRL_PIDS;
	return c;
}

static const struct pval *first_set(const struct pval *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->set)
			return v[i];
	return NULL;
}

void map_section_pos(const struct group_spec *g, enum cg_ctrl c, int *line, int *col)
{
	const struct pval *cpu[] = { &g->cpu.max, &g->cpu.quota, &g->cpu.period, &g->cpu.weight };
	const struct pval *mem[] = { &g->memory.max, &g->memory.high, &g->memory.swap };
	const struct pval *io[] = { &g->io.weight };
	const struct pval *pids[] = { &g->pids.max };
	const struct pval *v = NULL;

	*line = *col = 0;
	switch (c) {
	case CTRL_CPU: v = first_set(cpu, 4); break;
	case CTRL_MEMORY: v = first_set(mem, 3); break;
	case CTRL_IO:
		v = first_set(io, 1);
		if (!v && g->io.n_devices) {
			*line = g->io.devices[0].line;
			*col = g->io.devices[0].col;
		}
		break;
	case CTRL_CPUSET: {
		const struct pstr *s = g->cpuset.cpus.s ? &g->cpuset.cpus : &g->cpuset.mems;

		*line = s->line;
		*col = s->col;
		break;
	}
	case CTRL_PIDS: v = first_set(pids, 1); break;
	default: break;
	}
	if (v) {
		*line = v->line;
		*col = v->col;
	}
}

/* Checks every name of the tree; key is the dotted key of the group's name. */
static void check_names(const struct group_spec *g, const char *key, struct diags *d)
{
	const char *why = g->name.s ? profile_name_invalid(g->name.s) : "missing";

	if (why)
		diags_error(d, g->name.line, g->name.col, key, "'%s' is not a group name: %s",
			    g->name.s ? g->name.s : "", why);
	for (size_t i = 0; i < g->n_children; i++) {
		char ck[160];

		snprintf(ck, sizeof(ck), "%.*schildren[%zu].name", (int)(strlen(key) - 4), key, i);
		check_names(&g->children[i], ck, d);
	}
}

static unsigned tree_ctrls(const struct group_spec *g)
{
	unsigned c = map_group_ctrls(g);

	for (size_t i = 0; i < g->n_children; i++)
		c |= tree_ctrls(&g->children[i]);
	return c;
}

/* The first group of the tree (pre-order) that has a section for c. */
static const struct group_spec *first_with(const struct group_spec *g, enum cg_ctrl c)
{
	if (map_group_ctrls(g) & (1u << c))
		return g;
	for (size_t i = 0; i < g->n_children; i++) {
		const struct group_spec *f = first_with(&g->children[i], c);

		if (f)
			return f;
	}
	return NULL;
}

static void path_join(char *out, size_t len, const char *a, const char *b)
{
	if (!b || !*b)
		snprintf(out, len, "%s", a);
	else
		snprintf(out, len, "%s/%s", a, b);
}

int map_where_find(const struct map_where *w, const struct cg_layout *l, enum cg_ctrl c)
{
	const char *m = cg_layout_mount(l, c);

	if (!m)
		return -1;
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->h[i].mount, m) && (w->h[i].ctrls & (1u << c)))
			return (int)i;
	return -1;
}

int map_where_add(struct map_where *w, const struct cg_layout *l, enum cg_ctrl c, cg_err *e)
{
	const char *m = cg_layout_mount(l, c);
	bool self = !strcmp(w->parent, "self");
	char base[4096];
	size_t i;

	for (i = 0; i < w->n; i++)
		if (!strcmp(w->h[i].mount, m))
			break;
	if (i == w->n) {
		path_join(base, sizeof(base), m, self ? cg_layout_self(l, c) : w->parent);
		w->h[i].base = strdup(base);
		if (!w->h[i].base)
			return cg_err_set(e, ENOMEM, "out of memory");
		w->h[i].mount = m;
		w->h[i].v2 = cg_layout_is_v2(l, c);
		w->n++;
	}
	w->h[i].ctrls |= 1u << c;
	return 0;
}

const char *map_parent(const struct profile *p, const char *parent_override)
{
	return parent_override ? parent_override
	       : p->parent_self ? "self"
	       : p->parent.s    ? p->parent.s
				: PROFILE_DEFAULT_PARENT;
}

int map_where(const struct profile *p, const struct cg_layout *l, const char *parent_override,
	      struct map_where *w, struct diags *d, cg_err *e)
{
	int errors = d->errors;
	const char *parent = map_parent(p, parent_override);

	memset(w, 0, sizeof(*w));
	w->parent = parent;
	check_names(&p->group, "name", d);
	if (strcmp(parent, "self") != 0) {
		const char *why = profile_parent_invalid(parent);

		if (why)
			diags_error(d, parent_override ? 0 : p->parent.line,
				    parent_override ? 0 : p->parent.col, "parent",
				    "'%s' is not a parent: %s", parent, why);
	}
	w->ctrls = tree_ctrls(&p->group);
	for (int c = 0; c < CTRL_COUNT; c++) {
		const struct group_spec *g;
		int line, col;

		if (!(w->ctrls & (1u << c)) || cg_layout_mount(l, c))
			continue;
		g = first_with(&p->group, c);
		map_section_pos(g, c, &line, &col);
		diags_error(d, line, col, cg_ctrl_name(c, true),
			    "this host has no %s controller (not on a cgroup v1 mount%s); remove the "
			    "section or enable the controller",
			    cg_ctrl_name(c, l->mode == CG_MODE_V2),
			    l->unified ? ", not in the cgroup2 root's cgroup.controllers" : "");
	}
	if (d->errors > errors)
		return -1;
	/* v1 measures CPU usage in cpuacct, which may be a hierarchy of its own */
	if ((w->ctrls & (1u << CTRL_CPU)) && !cg_layout_is_v2(l, CTRL_CPU) &&
	    cg_layout_mount(l, CTRL_CPUACCT) && !cg_layout_is_v2(l, CTRL_CPUACCT))
		w->ctrls |= 1u << CTRL_CPUACCT;
	for (int c = 0; c < CTRL_COUNT; c++)
		if ((w->ctrls & (1u << c)) && map_where_add(w, l, c, e) < 0) {
			map_where_free(w);
			return -1;
		}
	/* on v2 a group without limits still has its place in the one tree */
	if (w->n == 0 && l->mode == CG_MODE_V2 && l->unified) {
		char base[4096];

		path_join(base, sizeof(base), l->unified,
			  !strcmp(parent, "self") ? l->self_unified : parent);
		w->h[0].base = strdup(base);
		if (!w->h[0].base)
			return cg_err_set(e, ENOMEM, "out of memory");
		w->h[0].mount = l->unified;
		w->h[0].v2 = true;
		w->n = 1;
	}
	return 0;
}

void map_where_free(struct map_where *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->h[i].base);
	w->n = 0;
}

/* ---- Group files: membership, freezing, killing ---- */

static const char *const cgfiles[MF_COUNT][2] = {
	[MF_PROCS] = { "cgroup.procs", "cgroup.procs" },
	[MF_THREADS] = { "tasks", "cgroup.threads" },
	[MF_FREEZE] = { "freezer.state", "cgroup.freeze" },
	[MF_FREEZE_STATE] = { "freezer.state", "cgroup.events" },
	[MF_KILL] = { NULL, "cgroup.kill" },
	[MF_EVENTS] = { NULL, "cgroup.events" },
	[MF_CONTROLLERS] = { NULL, "cgroup.controllers" },
	[MF_SUBTREE] = { NULL, "cgroup.subtree_control" },
};

const char *map_cgfile(enum map_cgfile f, bool v2)
{
	return cgfiles[f][v2];
}

const char *map_freeze_value(bool freeze, bool v2)
{
	if (v2)
		return freeze ? "1" : "0";
	return freeze ? "FROZEN" : "THAWED";
}

long long map_keyed_value(const char *text, const char *key)
{
	uint64_t v;

	return map_parse_keyed(text, key, &v) < 0 ? -1 : v > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)v;
}

int map_parse_frozen(const char *text, bool v2)
{
	if (v2) {
		long long v = map_keyed_value(text, "frozen");

		return v < 0 ? -1 : v > 0 ? 1 : 0;
	}
	if (!strncmp(text, "FROZEN", 6))
		return 1;
	if (!strncmp(text, "THAWED", 6))
		return 0;
	if (!strncmp(text, "FREEZING", 8))
		return 2;
	return -1;
}

void map_blk_file(unsigned major, unsigned minor, enum map_blk f, char *out, size_t len)
{
	snprintf(out, len, "/sys/dev/block/%u:%u/%s", major, minor,
		 f == MAP_BLK_PARTITION ? "partition" : "uevent");
}

int map_blk_devnode(const char *uevent, char *out, size_t len)
{
	for (const char *s = uevent; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (!strncmp(s, "DEVNAME=", 8)) {
			snprintf(out, len, "/dev/%.*s", (int)strcspn(s + 8, "\n"), s + 8);
			return 0;
		}
	return -1;
}

const char *map_sys_online(bool mems)
{
	return mems ? "/sys/devices/system/node/online" : "/sys/devices/system/cpu/online";
}

/* ---- Counters ---- */

struct counter_info {
	enum cg_ctrl ctrl[2];
	const char *file[2];
	const char *key[2];      /* NULL: the whole file is the number */
	uint64_t scale[2];       /* into the counter's unit */
};

static const struct counter_info counters[MC_COUNT] = {
	[MC_OOM_KILLS] = { { CTRL_MEMORY, CTRL_MEMORY }, { "memory.oom_control", "memory.events" },
			   { "oom_kill", "oom_kill" }, { 1, 1 } },
	[MC_CPU_USAGE] = { { CTRL_CPUACCT, CTRL_CPU }, { "cpuacct.usage", "cpu.stat" },
			   { NULL, "usage_usec" }, { 1, 1000 } },
	[MC_CPU_PERIODS] = { { CTRL_CPU, CTRL_CPU }, { "cpu.stat", "cpu.stat" },
			     { "nr_periods", "nr_periods" }, { 1, 1 } },
	[MC_CPU_THROTTLED] = { { CTRL_CPU, CTRL_CPU }, { "cpu.stat", "cpu.stat" },
			       { "nr_throttled", "nr_throttled" }, { 1, 1 } },
	[MC_MEM_PEAK] = { { CTRL_MEMORY, CTRL_MEMORY }, { "memory.max_usage_in_bytes", "memory.peak" },
			  { NULL, NULL }, { 1, 1 } },
	[MC_PIDS_PEAK] = { { CTRL_PIDS, CTRL_PIDS }, { "pids.peak", "pids.peak" }, { NULL, NULL },
			   { 1, 1 } },
	[MC_CPU_RT_RUNTIME] = { { CTRL_CPU, CTRL_CPU }, { "cpu.rt_runtime_us", NULL }, { NULL, NULL },
				{ 1, 1 } },
};

const char *map_counter_file(enum map_counter c, bool v2)
{
	return counters[c].file[v2];
}

enum cg_ctrl map_counter_ctrl(enum map_counter c, bool v2)
{
	return counters[c].ctrl[v2];
}

int map_parse_counter(enum map_counter c, bool v2, const char *text, uint64_t *out)
{
	const char *key = counters[c].key[v2];
	uint64_t v;

	if (key) {
		if (map_parse_keyed(text, key, &v) < 0)
			return -1;
	} else {
		if (*text < '0' || *text > '9')
			return -1;
		v = strtoull(text, NULL, 10);
	}
	*out = v * counters[c].scale[v2];
	return 0;
}

/* ---- Read side: the files the statistics and cgtop read ---- */

static const struct {
	enum cg_ctrl ctrl;
	const char *v1, *v2;
} stat_files[MS_COUNT] = {
	[MS_CPU_USAGE] = { CTRL_CPUACCT, "cpuacct.usage", "cpu.stat" },
	[MS_CPU_STAT] = { CTRL_CPU, "cpu.stat", NULL },
	[MS_CPU_QUOTA] = { CTRL_CPU, NULL, NULL },       /* MK_CPU_QUOTA, MK_CPU_MAX */
	[MS_CPU_PERIOD] = { CTRL_CPU, NULL, NULL },      /* MK_CPU_PERIOD */
	[MS_MEM_USAGE] = { CTRL_MEMORY, NULL, NULL },    /* MK_MEM_USAGE */
	[MS_MEM_STAT] = { CTRL_MEMORY, "memory.stat", "memory.stat" },
	[MS_MEM_LIMIT] = { CTRL_MEMORY, NULL, NULL },    /* MK_MEM_MAX */
	[MS_SWAP_USAGE] = { CTRL_MEMORY, NULL, "memory.swap.current" },
	[MS_OOM] = { CTRL_MEMORY, "memory.oom_control", "memory.events" },
	[MS_IO_BYTES] = { CTRL_IO, "blkio.throttle.io_service_bytes_recursive", "io.stat" },
	[MS_PIDS_CURRENT] = { CTRL_PIDS, "pids.current", "pids.current" },
	[MS_PIDS_MAX] = { CTRL_PIDS, NULL, NULL },       /* MK_PIDS_MAX */
	[MS_PROCS] = { CTRL_COUNT, NULL, NULL },         /* MF_PROCS */
	[MS_PSI_CPU] = { CTRL_COUNT, NULL, "cpu.pressure" },
	[MS_PSI_MEM] = { CTRL_COUNT, NULL, "memory.pressure" },
	[MS_PSI_IO] = { CTRL_COUNT, NULL, "io.pressure" },
	[MS_CPU_ACCT_STAT] = { CTRL_CPUACCT, "cpuacct.stat", NULL },
	[MS_MEM_HIGH] = { CTRL_MEMORY, NULL, NULL },     /* MK_MEM_HIGH */
	[MS_MEM_FAILCNT] = { CTRL_MEMORY, "memory.failcnt", NULL },
};

const char *map_stat_file(enum map_stat f, bool v2)
{
	switch (f) {
	case MS_CPU_QUOTA: return map_file(v2 ? MK_CPU_MAX : MK_CPU_QUOTA, v2);
	case MS_CPU_PERIOD: return map_file(MK_CPU_PERIOD, v2);
	case MS_MEM_USAGE: return map_file(MK_MEM_USAGE, v2);
	case MS_MEM_LIMIT: return map_file(MK_MEM_MAX, v2);
	case MS_PIDS_MAX: return map_file(MK_PIDS_MAX, v2);
	case MS_MEM_HIGH: return map_file(MK_MEM_HIGH, v2);
	case MS_PROCS: return map_cgfile(MF_PROCS, v2);
	default: return (unsigned)f < MS_COUNT ? (v2 ? stat_files[f].v2 : stat_files[f].v1) : NULL;
	}
}

enum cg_ctrl map_stat_ctrl(enum map_stat f)
{
	return (unsigned)f < MS_COUNT ? stat_files[f].ctrl : CTRL_COUNT;
}

static const char *const stat_keys[MSK_COUNT][2] = {
	[MSK_CPU_USAGE_USEC] = { NULL, "usage_usec" },
	[MSK_NR_PERIODS] = { "nr_periods", "nr_periods" },
	[MSK_NR_THROTTLED] = { "nr_throttled", "nr_throttled" },
	[MSK_INACTIVE_FILE] = { "total_inactive_file", "inactive_file" },
	[MSK_SWAP] = { "total_swap", NULL },
	[MSK_OOM_KILL] = { "oom_kill", "oom_kill" },
	[MSK_CPU_USER] = { "user", "user_usec" },
	[MSK_CPU_SYSTEM] = { "system", "system_usec" },
	[MSK_THROTTLED_TIME] = { "throttled_time", "throttled_usec" },
	[MSK_EV_LOW] = { NULL, "low" },
	[MSK_EV_HIGH] = { NULL, "high" },
	[MSK_EV_MAX] = { NULL, "max" },
	[MSK_EV_OOM] = { NULL, "oom" },
};

const char *map_stat_key(enum map_stat_key k, bool v2)
{
	return (unsigned)k < MSK_COUNT ? stat_keys[k][v2] : NULL;
}

/* Digits at s, without overflow; the end, or NULL when there are none. */
static const char *digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	*out = v;
	return s;
}

int map_parse_u64(const char *s, uint64_t *out)
{
	const char *end = digits(s, out);

	return end && (!*end || *end == '\n' || *end == ' ') ? 0 : -1;
}

int map_parse_keyed(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return digits(p + kl + 1, out) ? 0 : -1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

int map_parse_psi_some_avg10(const char *s, uint64_t *hundredths)
{
	const char *p = strstr(s, "some avg10=");
	uint64_t whole, frac = 0;
	const char *q;

	if (!p || !(q = digits(p + 11, &whole)))
		return -1;
	if (q[0] == '.' && q[1] >= '0' && q[1] <= '9') {
		frac = (uint64_t)(q[1] - '0') * 10;
		if (q[2] >= '0' && q[2] <= '9')
			frac += (uint64_t)(q[2] - '0');
	}
	*hundredths = whole * 100 + frac;
	return 0;
}

int map_parse_psi_some_total(const char *s, uint64_t *usec)
{
	const char *p = strstr(s, "some avg10="), *nl;

	if (!p)
		return -1;
	nl = strchr(p, '\n');
	p = strstr(p, " total=");
	if (!p || (nl && p > nl))
		return -1;
	return digits(p + 7, usec) ? 0 : -1;
}

int map_parse_psi_total(const char *s, bool full, uint64_t *usec)
{
	const char *key = full ? "full avg10=" : "some avg10=";
	const char *p, *nl;

	for (p = s; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, strlen(key)))
			break;
	if (!p)
		return -1;
	nl = strchr(p, '\n');
	p = strstr(p, " total=");
	if (!p || (nl && p > nl))
		return -1;
	return digits(p + 7, usec) ? 0 : -1;
}

/* "MAJ:MIN" at p; the end, or NULL. */
static const char *dev_id(const char *p, unsigned *major, unsigned *minor)
{
	uint64_t a, b;

	if (!(p = digits(p, &a)) || *p != ':' || !(p = digits(p + 1, &b)) || a > UINT32_MAX ||
	    b > UINT32_MAX)
		return NULL;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return p;
}

int map_parse_io_devs(const char *s, bool v2, void (*fn)(void *data, const struct map_io_dev *d),
		      void *data)
{
	struct map_io_dev cur = {0};
	bool open_dev = false, any = false;
	int n = 0;

	for (const char *p = s; p && *p;) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		unsigned major, minor;
		const char *q = dev_id(p, &major, &minor);
		uint64_t v;

		if (!q || *q != ' ') {
			any |= !v2 && !strncmp(p, "Total ", 6);
			p = nl ? nl + 1 : NULL;
			continue;
		}
		any = true;
		if (v2) {
			struct map_io_dev d = {major, minor, 0, 0};
			const char *r = strstr(q, " rbytes="), *w = strstr(q, " wbytes=");

			if (r && r < end)
				digits(r + 8, &d.rbytes);
			if (w && w < end)
				digits(w + 8, &d.wbytes);
			fn(data, &d);
			n++;
		} else {
			/* v1: one line per device and operation, a device's lines together */
			if (open_dev && (cur.major != major || cur.minor != minor)) {
				fn(data, &cur);
				n++;
				open_dev = false;
			}
			if (!open_dev) {
				cur = (struct map_io_dev){major, minor, 0, 0};
				open_dev = true;
			}
			if (!strncmp(q, " Read ", 6) && digits(q + 6, &v))
				cur.rbytes = v;
			else if (!strncmp(q, " Write ", 7) && digits(q + 7, &v))
				cur.wbytes = v;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (open_dev) {
		fn(data, &cur);
		n++;
	}
	/* v2 io.stat of a group that did no io is empty: no device */
	return v2 || any ? n : -1;
}

int map_parse_blkio_bytes(const char *s, uint64_t *rbytes, uint64_t *wbytes)
{
	uint64_t r = 0, w = 0, v;
	bool any = false;

	/* "8:0 Read 123" per device and op; "Total N" closes the file. */
	for (const char *p = s; p && *p;) {
		const char *sp = strchr(p, ' ');
		const char *nl = strchr(p, '\n');
		const char *colon = strchr(p, ':');

		if (sp && (!nl || sp < nl) && colon && colon < sp) {
			if (!strncmp(sp + 1, "Read ", 5) && digits(sp + 6, &v)) {
				r += v;
				any = true;
			} else if (!strncmp(sp + 1, "Write ", 6) && digits(sp + 7, &v)) {
				w += v;
				any = true;
			}
		} else if (!strncmp(p, "Total ", 6)) {
			any = true;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!any)
		return -1;
	*rbytes = r;
	*wbytes = w;
	return 0;
}

int map_parse_io_stat_bytes(const char *s, uint64_t *rbytes, uint64_t *wbytes)
{
	uint64_t r = 0, w = 0, v;

	for (const char *p = s; p && *p;) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		const char *q;

		q = strstr(p, " rbytes=");
		if (q && q < end && digits(q + 8, &v))
			r += v;
		q = strstr(p, " wbytes=");
		if (q && q < end && digits(q + 8, &v))
			w += v;
		p = nl ? nl + 1 : NULL;
	}
	*rbytes = r;
	*wbytes = w;
	return 0;
}

uint64_t map_v1_swap_from_memsw(uint64_t memsw, uint64_t limit)
{
	if (memsw == MAP_UNLIMITED || limit == MAP_UNLIMITED)
		return MAP_UNLIMITED;
	return memsw > limit ? memsw - limit : 0;
}
