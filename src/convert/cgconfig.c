/* cgconfig.conf(5) -> profiles: each `group PATH { CONTROLLER { KEY = VALUE; } }`
 * becomes one profile, name = the last component of PATH, parent = the rest
 * (group a/b/c -> a-b-c.yaml with name c, parent a/b). The kernel files are
 * read back into profile keys through the mapping's own inverses (cpu.shares
 * -> cpu.weight, blkio.weight -> io.weight); every converted profile is then
 * parsed as a profile, so what the profile format refuses is an error at
 * the cgconfig.conf value it came from. */
#include "cgconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert.h"
#include "mapping.h"
#include "profile.h"
#include "units.h"

struct lim {
	bool set, is_max;
	uint64_t v;
	int line, col; /* of the cgconfig.conf value */
};

struct dev {
	unsigned maj, min;
	struct lim rbps, wbps, riops, wiops;
};

struct grp {
	const struct cgc_node *n;
	bool cpu, memory, io, cpuset, pids; /* sections present */
	struct lim quota, period, weight;
	struct lim mmax, mhigh, mswap, memsw;
	struct lim ioweight;
	struct dev *devs;
	size_t n_devs;
	const struct cgc_node *cpus, *mems;
	struct lim pmax;
	struct diags *d;
	const char *ctrl; /* the section being read */
};

#define NOT_CARRIED "not carried: a profile sets cpu, memory, io (blkio), cpuset and pids"

static void lim_set(struct lim *l, const struct cgc_node *s, bool is_max, uint64_t v)
{
	*l = (struct lim){true, is_max, v, s->vline, s->vcol};
}

static void bad_value(struct grp *g, const struct cgc_node *s, const char *right)
{
	diags_error(g->d, s->vline, s->vcol, s->word, "\"%s\" is not %s", DIAG_CUT(s->value, 40),
		    right);
}

/* "max", "-1", the kernel's "unlimited", or a number. */
static int read_limit(struct grp *g, const struct cgc_node *s, struct lim *l)
{
	uint64_t v;

	if (map_parse_limit(s->value, &v) < 0) {
		bad_value(g, s, "a number, -1 or max");
		return -1;
	}
	lim_set(l, s, v == MAP_UNLIMITED, v);
	return 0;
}

/* As read_limit, with the kernel's size suffixes (512M) too. */
static int read_size(struct grp *g, const struct cgc_node *s, struct lim *l)
{
	uint64_t v;
	const char *why;

	if (map_parse_limit(s->value, &v) == 0) {
		lim_set(l, s, v == MAP_UNLIMITED, v);
		return 0;
	}
	if (unit_parse_size(s->value, 0, true, &v, &why) < 0) {
		bad_value(g, s, "a size in bytes (512M, 536870912), -1 or max");
		return -1;
	}
	lim_set(l, s, v == UNIT_MAX, v);
	return 0;
}

static void h_quota(struct grp *g, const struct cgc_node *s)
{
	read_limit(g, s, &g->quota);
}

static void h_period(struct grp *g, const struct cgc_node *s)
{
	if (read_limit(g, s, &g->period) == 0 && g->period.is_max) {
		bad_value(g, s, "a period in microseconds");
		g->period.set = false;
	}
}

static void h_cpu_max(struct grp *g, const struct cgc_node *s)
{
	uint64_t q, p;

	if (map_parse_cpu_max(s->value, &q, &p) < 0) {
		bad_value(g, s, "a cpu.max value (\"QUOTA PERIOD\", \"max PERIOD\" or \"max\")");
		return;
	}
	lim_set(&g->quota, s, q == MAP_UNLIMITED, q);
	lim_set(&g->period, s, false, p);
}

static void h_shares(struct grp *g, const struct cgc_node *s)
{
	uint64_t shares, w;

	if (map_parse_limit(s->value, &shares) < 0 || shares == MAP_UNLIMITED || shares < 2) {
		bad_value(g, s, "a number of shares (2 or more)");
		return;
	}
	w = map_weight_from_shares(shares);
	lim_set(&g->weight, s, false, w);
	if (map_cpu_shares(w) != shares)
		diags_warn(g->d, s->vline, s->vcol, s->word,
			   "%llu becomes cpu.weight %llu, which cgrun writes as cpu.shares %llu "
			   "(weight x 1024 / 100)",
			   (unsigned long long)shares, (unsigned long long)w,
			   (unsigned long long)map_cpu_shares(w));
}

static void h_cpu_weight(struct grp *g, const struct cgc_node *s)
{
	read_limit(g, s, &g->weight);
}

static void h_mem_max(struct grp *g, const struct cgc_node *s)
{
	read_size(g, s, &g->mmax);
}

static void h_mem_high(struct grp *g, const struct cgc_node *s)
{
	read_size(g, s, &g->mhigh);
}

static void h_mem_swap(struct grp *g, const struct cgc_node *s)
{
	read_size(g, s, &g->mswap);
}

static void h_memsw(struct grp *g, const struct cgc_node *s)
{
	read_size(g, s, &g->memsw);
}

/* A weight file: "500", or v2's "default 100" (per-device lines are not carried). */
static void read_io_weight(struct grp *g, const struct cgc_node *s, enum map_knob k, bool v2)
{
	uint64_t w;

	if (map_parse_weight(s->value, &w) < 0) {
		bad_value(g, s, "a weight");
		return;
	}
	if (strchr(s->value, ':'))
		diags_warn(g->d, s->vline, s->vcol, s->word,
			   "per-device weights are " NOT_CARRIED " (a profile has one io.weight)");
	lim_set(&g->ioweight, s, false, map_io_weight_from(k, v2, w));
}

static void h_blkio_weight(struct grp *g, const struct cgc_node *s)
{
	read_io_weight(g, s, MK_IO_WEIGHT, false);
}

static void h_blkio_bfq_weight(struct grp *g, const struct cgc_node *s)
{
	read_io_weight(g, s, MK_IO_BFQ_WEIGHT, false);
}

static void h_io_weight(struct grp *g, const struct cgc_node *s)
{
	read_io_weight(g, s, MK_IO_WEIGHT, true);
}

static void h_io_bfq_weight(struct grp *g, const struct cgc_node *s)
{
	read_io_weight(g, s, MK_IO_BFQ_WEIGHT, true);
}

static struct dev *dev_get(struct grp *g, unsigned maj, unsigned min)
{
	struct dev *v;

	for (size_t i = 0; i < g->n_devs; i++)
		if (g->devs[i].maj == maj && g->devs[i].min == min)
			return &g->devs[i];
	v = realloc(g->devs, (g->n_devs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	g->devs = v;
	v = &g->devs[g->n_devs++];
	memset(v, 0, sizeof(*v));
	v->maj = maj;
	v->min = min;
	return v;
}

/* "MAJ:MIN" at the start of s; returns the rest or NULL. */
static const char *read_majmin(const char *s, unsigned *maj, unsigned *min)
{
	int n = 0;

	if (sscanf(s, "%u:%u%n", maj, min, &n) != 2 || n == 0)
		return NULL;
	return s + n;
}

/* v1 blkio.throttle.*_device: "MAJ:MIN N" */
static void read_throttle(struct grp *g, const struct cgc_node *s, size_t field)
{
	unsigned maj, min;
	const char *rest = read_majmin(s->value, &maj, &min);
	uint64_t v;
	struct dev *dv;

	if (!rest || map_parse_limit(rest, &v) < 0) {
		bad_value(g, s, "\"MAJ:MIN RATE\" (\"8:0 1048576\")");
		return;
	}
	dv = dev_get(g, maj, min);
	if (dv)
		lim_set((struct lim *)((char *)dv + field), s, v == MAP_UNLIMITED || v == 0, v);
}

static void h_rbps(struct grp *g, const struct cgc_node *s)
{
	read_throttle(g, s, offsetof(struct dev, rbps));
}

static void h_wbps(struct grp *g, const struct cgc_node *s)
{
	read_throttle(g, s, offsetof(struct dev, wbps));
}

static void h_riops(struct grp *g, const struct cgc_node *s)
{
	read_throttle(g, s, offsetof(struct dev, riops));
}

static void h_wiops(struct grp *g, const struct cgc_node *s)
{
	read_throttle(g, s, offsetof(struct dev, wiops));
}

/* v2 io.max: "MAJ:MIN rbps=N wbps=max riops=N wiops=N" */
static void h_io_max(struct grp *g, const struct cgc_node *s)
{
	static const struct {
		const char *key;
		size_t field;
	} keys[] = {{"rbps=", offsetof(struct dev, rbps)},
		    {"wbps=", offsetof(struct dev, wbps)},
		    {"riops=", offsetof(struct dev, riops)},
		    {"wiops=", offsetof(struct dev, wiops)}};
	unsigned maj, min;
	const char *p = read_majmin(s->value, &maj, &min);
	struct dev *dv;
	char *copy, *tok, *save = NULL;

	if (!p) {
		bad_value(g, s, "\"MAJ:MIN rbps=N wbps=N riops=N wiops=N\"");
		return;
	}
	dv = dev_get(g, maj, min);
	copy = strdup(p);
	if (!dv || !copy) {
		free(copy);
		return;
	}
	for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		size_t i;
		uint64_t v;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(tok, keys[i].key, strlen(keys[i].key)))
				break;
		if (i == sizeof(keys) / sizeof(keys[0]) ||
		    map_parse_limit(tok + strlen(keys[i].key), &v) < 0) {
			bad_value(g, s, "\"MAJ:MIN rbps=N wbps=N riops=N wiops=N\"");
			break;
		}
		lim_set((struct lim *)((char *)dv + keys[i].field), s, v == MAP_UNLIMITED, v);
	}
	free(copy);
}

static void h_cpus(struct grp *g, const struct cgc_node *s)
{
	g->cpus = s;
}

static void h_mems(struct grp *g, const struct cgc_node *s)
{
	g->mems = s;
}

static void h_pids(struct grp *g, const struct cgc_node *s)
{
	read_limit(g, s, &g->pmax);
}

static const struct {
	const char *key;
	void (*fn)(struct grp *g, const struct cgc_node *s);
} handlers[] = {
	{"cpu.cfs_quota_us", h_quota},
	{"cpu.cfs_period_us", h_period},
	{"cpu.max", h_cpu_max},
	{"cpu.shares", h_shares},
	{"cpu.weight", h_cpu_weight},
	{"memory.limit_in_bytes", h_mem_max},
	{"memory.max", h_mem_max},
	{"memory.soft_limit_in_bytes", h_mem_high},
	{"memory.high", h_mem_high},
	{"memory.memsw.limit_in_bytes", h_memsw},
	{"memory.swap.max", h_mem_swap},
	{"blkio.weight", h_blkio_weight},
	{"blkio.bfq.weight", h_blkio_bfq_weight},
	{"io.weight", h_io_weight},
	{"io.bfq.weight", h_io_bfq_weight},
	{"blkio.throttle.read_bps_device", h_rbps},
	{"blkio.throttle.write_bps_device", h_wbps},
	{"blkio.throttle.read_iops_device", h_riops},
	{"blkio.throttle.write_iops_device", h_wiops},
	{"io.max", h_io_max},
	{"cpuset.cpus", h_cpus},
	{"cpuset.mems", h_mems},
	{"pids.max", h_pids},
};

/* The profile section a controller block fills: its flag's place in
 * struct grp, 0 for none. */
static size_t section_of(const char *ctrl)
{
	if (!strcmp(ctrl, "cpu"))
		return offsetof(struct grp, cpu);
	if (!strcmp(ctrl, "memory"))
		return offsetof(struct grp, memory);
	if (!strcmp(ctrl, "blkio") || !strcmp(ctrl, "io"))
		return offsetof(struct grp, io);
	if (!strcmp(ctrl, "cpuset"))
		return offsetof(struct grp, cpuset);
	if (!strcmp(ctrl, "pids"))
		return offsetof(struct grp, pids);
	return 0;
}

static void read_setting(struct grp *g, const struct cgc_node *s)
{
	size_t clen = strlen(g->ctrl);

	if (!s->value) {
		diags_error(g->d, s->line, s->col, s->word,
			    "a block inside controller %s: it holds settings (KEY = VALUE;) only",
			    g->ctrl);
		return;
	}
	if (strncmp(s->word, g->ctrl, clen) != 0 || s->word[clen] != '.') {
		diags_warn(g->d, s->line, s->col, s->word,
			   "not a file of controller %s: not carried (put it in its own "
			   "controller's block)",
			   g->ctrl);
		return;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcmp(s->word, handlers[i].key)) {
			handlers[i].fn(g, s);
			return;
		}
	diags_warn(g->d, s->line, s->col, s->word, "%s", NOT_CARRIED);
}

static void read_controller(struct grp *g, const struct cgc_node *c)
{
	size_t sec = section_of(c->word);

	if (c->arg) {
		diags_error(g->d, c->vline, c->vcol, c->word,
			    "a controller block has no name: write %s { ... }", c->word);
		return;
	}
	if (!sec) {
		diags_warn(g->d, c->line, c->col, c->word, "controller %s is %s", c->word,
			   NOT_CARRIED);
		return;
	}
	*(bool *)((char *)g + sec) = true;
	g->ctrl = c->word;
	for (size_t i = 0; i < c->n_kids; i++)
		read_setting(g, &c->kids[i]);
}

static void read_group(struct grp *g, const struct cgc_node *n)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		const struct cgc_node *k = &n->kids[i];

		if (k->value)
			diags_error(g->d, k->line, k->col, k->word,
				    "a setting directly in a group: put it in its controller's "
				    "block (cpu { cpu.shares = 512; })");
		else if (!strcmp(k->word, "perm"))
			diags_warn(g->d, k->line, k->col, "perm",
				   "owners and modes are not carried: cgrun makes the groups "
				   "owned by root with the kernel's modes");
		else
			read_controller(g, k);
	}
}

/* The text of the profile, and for each of its lines the cgconfig.conf
 * place it came from (for the profile parser's messages). */
struct yout {
	FILE *f;
	char *text;
	size_t len;
	int lines;
	int (*from)[2];
	bool oom;
};

__attribute__((format(printf, 3, 4))) static void yline(struct yout *y, const struct lim *at,
							const char *fmt, ...)
{
	va_list ap;
	int(*from)[2] = realloc(y->from, (size_t)(y->lines + 2) * sizeof(*from));

	if (!from) {
		y->oom = true;
		return;
	}
	y->from = from;
	y->lines++;
	y->from[y->lines][0] = at ? at->line : 0;
	y->from[y->lines][1] = at ? at->col : 0;
	va_start(ap, fmt);
	vfprintf(y->f, fmt, ap);
	va_end(ap);
	fputc('\n', y->f);
}

static void ylim(struct yout *y, const char *indent, const char *key, const struct lim *l,
		 const char *unit)
{
	if (!l->set)
		return;
	if (l->is_max)
		yline(y, l, "%s%s: max", indent, key);
	else
		yline(y, l, "%s%s: %llu%s", indent, key, (unsigned long long)l->v, unit);
}

/* memory.memsw.limit_in_bytes is memory + swap; a profile's swap is on top. */
static void memsw_to_swap(struct grp *g)
{
	const struct lim *m = &g->memsw;

	if (!m->set || g->mswap.set)
		return;
	if (m->is_max) {
		if (g->mmax.set && !g->mmax.is_max)
			g->mswap = (struct lim){true, true, 0, m->line, m->col};
		return;
	}
	if (!g->mmax.set || g->mmax.is_max || m->v < g->mmax.v) {
		diags_warn(g->d, m->line, m->col, "memory.memsw.limit_in_bytes",
			   "not carried: it needs a memory.limit_in_bytes at most this size "
			   "(a profile's memory.swap is swap on top of memory.max)");
		return;
	}
	g->mswap = (struct lim){true, false, m->v - g->mmax.v, m->line, m->col};
}

static void emit_devices(struct grp *g, struct yout *y)
{
	if (!g->n_devs)
		return;
	yline(y, NULL, "  devices:");
	for (size_t i = 0; i < g->n_devs; i++) {
		const struct dev *v = &g->devs[i];
		const struct lim *first = v->rbps.set	 ? &v->rbps
					  : v->wbps.set	 ? &v->wbps
					  : v->riops.set ? &v->riops
							 : &v->wiops;

		yline(y, first, "    - path: \"%u:%u\"", v->maj, v->min);
		ylim(y, "      ", "read_bps", &v->rbps, "");
		ylim(y, "      ", "write_bps", &v->wbps, "");
		ylim(y, "      ", "read_iops", &v->riops, "");
		ylim(y, "      ", "write_iops", &v->wiops, "");
	}
}

static void emit_str(struct yout *y, const char *key, const struct cgc_node *s)
{
	struct lim at = {true, false, 0, s->vline, s->vcol};

	if (strpbrk(s->value, "\"\\\n"))
		yline(y, &at, "  %s: \"?\"", key); /* let the profile parser refuse it */
	else
		yline(y, &at, "  %s: \"%s\"", key, s->value);
}

static void emit_sections(struct grp *g, struct yout *y)
{
	if (g->cpu) {
		yline(y, NULL, "cpu:");
		if (g->quota.set && g->quota.is_max)
			yline(y, &g->quota, "  max: max");
		else
			ylim(y, "  ", "quota", &g->quota, "us");
		ylim(y, "  ", "period", &g->period, "us");
		ylim(y, "  ", "weight", &g->weight, "");
	}
	if (g->memory) {
		memsw_to_swap(g);
		yline(y, NULL, "memory:");
		ylim(y, "  ", "max", &g->mmax, "");
		ylim(y, "  ", "high", &g->mhigh, "");
		ylim(y, "  ", "swap", &g->mswap, "");
	}
	if (g->io) {
		yline(y, NULL, "io:");
		ylim(y, "  ", "weight", &g->ioweight, "");
		emit_devices(g, y);
	}
	if (g->cpuset) {
		yline(y, NULL, "cpuset:");
		if (g->cpus)
			emit_str(y, "cpus", g->cpus);
		if (g->mems)
			emit_str(y, "mems", g->mems);
	}
	if (g->pids) {
		yline(y, NULL, "pids:");
		ylim(y, "  ", "max", &g->pmax, "");
	}
}

/* A name for a comment line: control characters would end it. */
static void comment_safe(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Parses the profile it made: what the format refuses is an error at the
 * value it came from. */
static struct profile *check_profile(struct grp *g, struct yout *y)
{
	struct profile_opts opts = {0};
	struct diags pd;
	struct profile *p;

	diags_init(&pd, "<converted>");
	p = profile_parse(y->text, y->len, "<converted>", &opts, &pd);
	for (int i = 0; i < pd.n; i++) {
		const struct diag *it = &pd.items[i];
		int line = 0, col = 0;

		if (it->line > 0 && it->line <= y->lines) {
			line = y->from[it->line][0];
			col = y->from[it->line][1];
		}
		if (!line) {
			line = g->n->line;
			col = g->n->col;
		}
		diags_add(g->d, it->warning, line, col, it->key, "as a profile: %s", it->msg);
	}
	return p;
}

/* group a/b/c -> a-b-c.yaml */
static char *file_name(const char *path)
{
	char *f;

	while (*path == '/')
		path++;
	if (asprintf(&f, "%s.yaml", path) < 0)
		return NULL;
	for (char *c = f; *c; c++)
		if (*c == '/')
			*c = '-';
	return f;
}

/* "a/b/c" -> name c, parent a/b; "." and bad names are not carried. */
static int split_path(struct grp *g, char *path, const char **name, const char **parent)
{
	const struct cgc_node *n = g->n;
	char *slash;
	const char *why;

	while (*path == '/')
		path++;
	if (!strcmp(path, ".") || !*path) {
		diags_warn(g->d, n->vline, n->vcol, "group",
			   "the root group (.) is not carried: a profile makes a group below a "
			   "parent, and the root's owners and modes are not a profile's");
		return -1;
	}
	slash = strrchr(path, '/');
	*name = slash ? slash + 1 : path;
	*parent = slash ? path : NULL;
	if (slash)
		*slash = '\0';
	why = profile_name_invalid(*name);
	if (!why && *parent)
		why = profile_parent_invalid(*parent);
	if (why) {
		diags_error(g->d, n->vline, n->vcol, "group",
			    "\"%s\" cannot be a profile's place: %s", DIAG_CUT(n->arg, 60), why);
		return -1;
	}
	if (!*parent)
		diags_warn(g->d, n->vline, n->vcol, "group",
			   "%s is at the root of the hierarchy: its profile has no parent "
			   "(the default, %s, applies; give cgrun --parent to choose)",
			   *name, PROFILE_DEFAULT_PARENT);
	return 0;
}

/* One group into the sink as FILE.yaml. Returns 0, 1 when the group is
 * not carried (a warning says why), -1 on an error (in d or err). */
static int convert_group(const struct cgc_node *n, const char *path, struct diags *d,
			 struct convert_sink *sink, struct hsearch_data *files, cg_err *err)
{
	struct grp g = {.n = n, .d = d};
	struct yout y = {0};
	struct profile *prof = NULL;
	char *where = NULL, *p = NULL, *file = NULL, *comment = NULL;
	const char *name, *parent;
	int errors = d->errors, rc = -1;

	if (!n->arg) {
		diags_error(d, n->line, n->col, "group",
			    "a group needs a name: group NAME { ... }");
		return -1;
	}
	p = strdup(n->arg);
	where = strdup(path);
	y.f = open_memstream(&y.text, &y.len);
	if (!p || !where || !y.f) {
		cg_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (split_path(&g, p, &name, &parent) < 0) {
		rc = d->errors > errors ? -1 : 1;
		goto out;
	}
	read_group(&g, n);
	yline(&y, NULL, "name: %s", name);
	if (parent)
		yline(&y, NULL, "parent: %s", parent);
	emit_sections(&g, &y);
	if (fclose(y.f) != 0 || y.oom) {
		y.f = NULL;
		cg_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	y.f = NULL;
	if (d->errors > errors || !(prof = check_profile(&g, &y)))
		goto out;
	file = file_name(n->arg);
	if (!file) {
		cg_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* the sink keeps its own copy of the name: the table points at that one */
	if (hsearch_r((ENTRY){.key = file}, FIND, &(ENTRY *){NULL}, files)) {
		diags_error(d, n->vline, n->vcol, "group",
			    "%s gives the file %s, as a group before it does: give each "
			    "group once (a '-' and a '/' in names can meet)",
			    DIAG_CUT(n->arg, 60), file);
		goto out;
	}
	comment_safe(where);
	if (asprintf(&comment, "From %s, group %s (line %d), by cgrun --from cgconfig.", where,
		     n->arg, n->line) < 0) {
		comment = NULL;
		cg_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	rc = convert_sink_profile(sink, file, prof, comment, err);
	if (rc == 0 && !hsearch_r((ENTRY){.key = sink->docs[sink->n_docs - 1].name}, ENTER,
				  &(ENTRY *){NULL}, files))
		rc = cg_err_set(err, ENOMEM, "out of memory");
out:
	if (y.f)
		fclose(y.f);
	profile_free(prof);
	free(y.text);
	free(y.from);
	free(g.devs);
	free(p);
	free(where);
	free(file);
	free(comment);
	return rc;
}

static int top_section(const struct cgc_node *k, const char *path, struct diags *d,
		       struct convert_sink *sink, struct hsearch_data *files, cg_err *err)
{
	if (k->value) {
		diags_error(d, k->line, k->col, k->word,
			    "a setting outside any section: cgconfig.conf has group, template, "
			    "mount and default sections");
		return 0;
	}
	if (!strcmp(k->word, "mount")) {
		diags_warn(d, k->line, k->col, "mount",
			   "not carried: cgrun mounts nothing; it uses the hierarchies the host "
			   "has mounted");
		return 0;
	}
	if (!strcmp(k->word, "default")) {
		diags_warn(d, k->line, k->col, "default",
			   "the default owners and modes are not carried: cgrun makes groups "
			   "owned by root with the kernel's modes");
		return 0;
	}
	if (!strcmp(k->word, "template")) {
		diags_warn(d, k->line, k->col, "template",
			   "not carried: a template is made for cgrulesengd's rules; cgkitd's "
			   "per-user groups (users.limits of its rules file) hold such limits");
		return 0;
	}
	if (strcmp(k->word, "group") != 0) {
		diags_error(
			d, k->line, k->col, k->word,
			"unknown section: cgconfig.conf has group, template, mount and default");
		return 0;
	}
	return convert_group(k, path, d, sink, files, err) < 0 && err->msg[0] ? -1 : 0;
}

int cgconfig_convert(const char *buf, size_t len, const char *path, struct diags *d,
		     struct convert_sink *sink, cg_err *err)
{
	struct cgc_node *root = cgc_parse(buf, len, d);
	struct hsearch_data files = {0};
	size_t docs = sink->n_docs;
	int rc = 0;

	if (!root)
		return -1;
	/* the file names given so far, this file's and the ones before it */
	if (!hcreate_r((docs + root->n_kids) * 2 + 16, &files)) {
		cgc_free(root);
		return cg_err_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < docs && rc == 0; i++)
		if (sink->docs[i].name &&
		    !hsearch_r((ENTRY){.key = sink->docs[i].name}, ENTER, &(ENTRY *){NULL}, &files))
			rc = cg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < root->n_kids && rc == 0; i++)
		rc = top_section(&root->kids[i], path, d, sink, &files, err);
	hdestroy_r(&files);
	if (rc == 0 && !d->errors && sink->n_docs == docs)
		diags_warn(d, 0, 0, NULL, "no group to convert: nothing written");
	cgc_free(root);
	if (rc == 0 && !d->errors)
		return 0;
	while (sink->n_docs > docs) { /* a failed file gives nothing */
		sink->n_docs--;
		free(sink->docs[sink->n_docs].name);
		free(sink->docs[sink->n_docs].text);
	}
	return -1;
}

/* Reads a file for a converter: at most 1 MiB, as the profile's limit. */
int convert_read_file(const char *path, char **buf, size_t *len, cg_err *err)
{
	FILE *f = fopen(path, "re");
	char *b;
	size_t n;

	if (!f)
		return cg_err_sys(err, "%s", path);
	b = malloc(CGC_MAX_BYTES + 1);
	if (!b) {
		fclose(f);
		return cg_err_set(err, ENOMEM, "out of memory");
	}
	n = fread(b, 1, CGC_MAX_BYTES + 1, f);
	if (ferror(f)) {
		cg_err_sys(err, "%s", path);
		fclose(f);
		free(b);
		return -1;
	}
	fclose(f);
	if (n > CGC_MAX_BYTES) {
		free(b);
		return cg_err_set(err, EFBIG, "%s: the file is over 1 MiB", path);
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int convert_from_cgconfig(const char *const *files, size_t n, const struct convert_opts *o,
			  struct convert_sink *sink, struct diags *d, cg_err *err)
{
	int rc = 0;

	(void)o;
	for (size_t i = 0; i < n; i++) {
		char *buf = NULL;
		size_t len = 0;

		if (convert_read_file(files[i], &buf, &len, err) < 0)
			return -1;
		if (cgconfig_convert(buf, len, files[i], &d[i], sink, err) < 0)
			rc = -1;
		free(buf);
		if (err->msg[0])
			return -1;
	}
	return rc;
}
