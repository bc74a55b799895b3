/* OCI: the runtime spec's linux.resources (runtime-spec config-linux.md),
 * both ways.
 *
 * The legacy fields are cgroup v1's files: cpu.shares (the profile's weight
 * by the spec's mapping, weight * 1024 / 100), quota and period in us,
 * memory.limit, memory.swap = memory + swap (memsw: the profile's swap is on
 * top of the limit, so swap = limit + swap), memory.reservation (v1's soft
 * limit, which is the profile's memory.high on v1), blockIO.weight (CFQ's
 * 10..1000: lossy), throttle devices by major and minor, pids.limit; -1 is
 * no limit. On cgroup v2 the runtimes convert those with formulas of their
 * own (runc: shares to weight, reservation to memory.low), so "unified"
 * carries the kernel's v2 values exactly: it wins over the legacy fields. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "convert.h"
#include "jread.h"
#include "layout.h"
#include "mapping.h"
#include "profile_emit.h"

/* ---- profile -> OCI ---- */

struct jw {
	FILE *out;
	int depth;
	bool first;
};

static void jw_sep(struct jw *w)
{
	if (!w->first)
		fputc(',', w->out);
	fprintf(w->out, "\n%*s", 2 * w->depth, "");
	w->first = false;
}

static void jw_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c < 0x20)
			fprintf(out, "\\u%04x", *c);
		else
			fputc(*c, out);
	fputc('"', out);
}

static void jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	jw_str(w->out, k);
	fputs(": ", w->out);
}

static void jw_open(struct jw *w, const char *k, char c)
{
	if (k)
		jw_key(w, k);
	else if (w->depth)
		jw_sep(w);
	fputc(c, w->out);
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->first)
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	fputc(c, w->out);
	w->first = false;
}

static void jw_int(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	fprintf(w->out, "%" PRId64, v);
}

static void jw_kstr(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w->out, v);
}

static int64_t lim(const struct pval *v)
{
	return v->is_max ? -1 : (int64_t)v->v;
}

struct devnum {
	unsigned major, minor;
};

static int dev_numbers(const struct io_device *dv, struct devnum *n, struct diags *d)
{
	struct stat st;

	if (dv->has_majmin) {
		n->major = dv->major;
		n->minor = dv->minor;
		return 0;
	}
	if (stat(dv->path.s, &st) < 0 || !S_ISBLK(st.st_mode)) {
		diags_error(d, dv->path.line, dv->path.col, "io.devices",
			    "\"%s\" is not a block device on this host: OCI names a device by its "
			    "numbers; give path: MAJ:MIN",
			    DIAG_CUT(dv->path.s, 60));
		return -1;
	}
	n->major = major(st.st_rdev);
	n->minor = minor(st.st_rdev);
	return 0;
}

static void throttle(struct jw *w, const struct io_spec *io, const struct devnum *nums,
		     const char *key, size_t off, struct diags *d)
{
	bool any = false;

	for (size_t i = 0; i < io->n_devices; i++) {
		const struct pval *v = (const struct pval *)((const char *)&io->devices[i] + off);

		if (!v->set)
			continue;
		if (v->is_max) {
			diags_warn(d, v->line, v->col, key,
				   "max is no limit: OCI has no word for it, left out");
			continue;
		}
		if (!any)
			jw_open(w, key, '[');
		any = true;
		jw_open(w, NULL, '{');
		jw_int(w, "major", nums[i].major);
		jw_int(w, "minor", nums[i].minor);
		jw_int(w, "rate", (int64_t)v->v);
		jw_close(w, '}');
	}
	if (any)
		jw_close(w, ']');
}

static void put_cpu(struct jw *w, const struct group_spec *g)
{
	const struct cpu_spec *c = &g->cpu;
	uint64_t quota = profile_cpu_quota_us(c);

	if (!c->max.set && !c->quota.set && !c->weight.set && !c->period.set &&
	    !g->cpuset.cpus.s && !g->cpuset.mems.s)
		return;
	jw_open(w, "cpu", '{');
	if (c->weight.set)
		jw_int(w, "shares", (int64_t)map_cpu_shares(c->weight.v));
	if (c->max.set || c->quota.set)
		jw_int(w, "quota", quota == UINT64_MAX ? -1 : (int64_t)quota);
	if (c->max.set || c->quota.set || c->period.set)
		jw_int(w, "period", (int64_t)profile_cpu_period_us(c));
	if (g->cpuset.cpus.s)
		jw_kstr(w, "cpus", g->cpuset.cpus.s);
	if (g->cpuset.mems.s)
		jw_kstr(w, "mems", g->cpuset.mems.s);
	jw_close(w, '}');
}

static void put_memory(struct jw *w, const struct memory_spec *m, bool v2, struct diags *d)
{
	if (!m->max.set && !m->high.set && !m->swap.set)
		return;
	jw_open(w, "memory", '{');
	if (m->max.set)
		jw_int(w, "limit", lim(&m->max));
	/* v1's soft limit; a v2 runtime makes it memory.low: unified says high */
	if (m->high.set && !v2)
		jw_int(w, "reservation", lim(&m->high));
	if (m->swap.set) {
		if (m->swap.is_max || m->max.is_max) {
			if (!m->swap.is_max)
				diags_warn(d, m->swap.line, m->swap.col, "memory.swap",
					   "OCI's swap is memory + swap, and memory has no limit: "
					   "written as -1 (no limit)%s",
					   v2 ? "; unified memory.swap.max is exact" : "");
			jw_int(w, "swap", -1);
		} else {
			jw_int(w, "swap", (int64_t)(m->max.v + m->swap.v));
		}
	}
	jw_close(w, '}');
}

static int put_blockio(struct jw *w, const struct io_spec *io, bool v2, struct diags *d)
{
	struct devnum *nums;
	int bad = 0;

	if (!io->present || (!io->weight.set && !io->n_devices))
		return 0;
	nums = calloc(io->n_devices + 1, sizeof(*nums));
	if (!nums)
		return -1;
	for (size_t i = 0; i < io->n_devices; i++)
		bad |= dev_numbers(&io->devices[i], &nums[i], d);
	if (bad) {
		free(nums);
		return 0;
	}
	jw_open(w, "blockIO", '{');
	if (io->weight.set) {
		uint64_t bw = map_io_weight_to(MK_IO_WEIGHT, false, io->weight.v);

		if (!v2 && map_io_weight_from(MK_IO_WEIGHT, false, bw) != io->weight.v)
			diags_warn(d, io->weight.line, io->weight.col, "io.weight",
				   "blockIO.weight is 10 .. 1000: %" PRIu64 " is written as %" PRIu64
				   ", which reads back as %" PRIu64,
				   io->weight.v, bw, map_io_weight_from(MK_IO_WEIGHT, false, bw));
		jw_int(w, "weight", (int64_t)bw);
	}
	throttle(w, io, nums, "throttleReadBpsDevice", offsetof(struct io_device, read_bps), d);
	throttle(w, io, nums, "throttleWriteBpsDevice", offsetof(struct io_device, write_bps), d);
	throttle(w, io, nums, "throttleReadIOPSDevice", offsetof(struct io_device, read_iops), d);
	throttle(w, io, nums, "throttleWriteIOPSDevice", offsetof(struct io_device, write_iops), d);
	jw_close(w, '}');
	free(nums);
	return 0;
}

static void put_unified(struct jw *w, const struct group_spec *g)
{
	const struct cpu_spec *c = &g->cpu;
	const struct memory_spec *m = &g->memory;
	char b[128];
	bool any = false;

#define UKEY(k, v)                                                                                 \
	do {                                                                                       \
		if (!any)                                                                          \
			jw_open(w, "unified", '{');                                                \
		any = true;                                                                        \
		jw_kstr(w, k, v);                                                                  \
	} while (0)
	if (c->max.set || c->quota.set || c->period.set) {
		uint64_t q = profile_cpu_quota_us(c);

		if (q == UINT64_MAX)
			snprintf(b, sizeof(b), "max %" PRIu64, profile_cpu_period_us(c));
		else
			snprintf(b, sizeof(b), "%" PRIu64 " %" PRIu64, q, profile_cpu_period_us(c));
		UKEY("cpu.max", b);
	}
	if (c->weight.set) {
		snprintf(b, sizeof(b), "%" PRIu64, c->weight.v);
		UKEY("cpu.weight", b);
	}
	if (g->cpuset.cpus.s)
		UKEY("cpuset.cpus", g->cpuset.cpus.s);
	if (g->cpuset.mems.s)
		UKEY("cpuset.mems", g->cpuset.mems.s);
	if (g->io.weight.set) {
		snprintf(b, sizeof(b), "default %" PRIu64, g->io.weight.v);
		UKEY("io.weight", b);
	}
	if (m->max.set) {
		map_format_limit(m->max.is_max ? UINT64_MAX : m->max.v, true, b, sizeof(b));
		UKEY("memory.max", b);
	}
	if (m->high.set) {
		map_format_limit(m->high.is_max ? UINT64_MAX : m->high.v, true, b, sizeof(b));
		UKEY("memory.high", b);
	}
	if (m->swap.set) {
		map_format_limit(m->swap.is_max ? UINT64_MAX : m->swap.v, true, b, sizeof(b));
		UKEY("memory.swap.max", b);
	}
	if (g->pids.max.set) {
		map_format_limit(g->pids.max.is_max ? UINT64_MAX : g->pids.max.v, true, b, sizeof(b));
		UKEY("pids.max", b);
	}
#undef UKEY
	if (any)
		jw_close(w, '}');
}

static int want_v2(const char *variant, bool *v2, cg_err *err)
{
	struct cg_layout l = {0};

	if (variant && !strcmp(variant, "v1")) {
		*v2 = false;
		return 0;
	}
	if (variant && !strcmp(variant, "v2")) {
		*v2 = true;
		return 0;
	}
	if (variant)
		return cg_err_set(err, EINVAL,
				  "'%s' is not a layout: give oci (this host's), oci:v1 or oci:v2",
				  variant);
	/* this host's: v2 where its cpu controller is */
	if (cg_layout_detect(&l, err) < 0)
		return -1;
	*v2 = cg_layout_is_v2(&l, CTRL_CPU);
	cg_layout_free(&l);
	return 0;
}

int convert_to_oci(const struct profile *p, const struct convert_opts *o, FILE *out,
		   struct diags *d, cg_err *err)
{
	const struct group_spec *g = &p->group;
	struct jw w = {.out = out, .first = true};
	bool v2 = false;

	if (want_v2(o->variant, &v2, err) < 0)
		return -1;
	for (size_t i = 0; i < g->n_children; i++)
		diags_warn(d, g->children[i].line, g->children[i].col, "children",
			   "child group \"%s\" is not carried over: a container has one group; "
			   "convert it from a profile of its own",
			   DIAG_CUT(g->children[i].name.s ? g->children[i].name.s : "", 40));
	if (p->namespaces || p->hostname.s || p->rootfs.s || p->n_layers || p->user.s ||
	    p->workdir.s || p->n_env)
		diags_warn(d, p->ns_line, p->ns_col, NULL,
			   "the launch settings (namespaces, hostname, rootfs, layers, user, "
			   "workdir, env) are not carried over to linux.resources: they are the "
			   "config's linux.namespaces, hostname, root, process.user, process.cwd "
			   "and process.env");
	jw_open(&w, NULL, '{');
	put_cpu(&w, g);
	put_memory(&w, &g->memory, v2, d);
	if (g->pids.max.set) {
		jw_open(&w, "pids", '{');
		jw_int(&w, "limit", lim(&g->pids.max));
		jw_close(&w, '}');
	}
	if (put_blockio(&w, &g->io, v2, d) < 0)
		return cg_err_set(err, ENOMEM, "out of memory");
	if (v2)
		put_unified(&w, g);
	jw_close(&w, '}');
	fputc('\n', out);
	return 0;
}

/* ---- OCI -> profile ---- */

struct oci_rd {
	struct profile *p;
	struct diags *d;
	bool v2_weight_seen; /* unified said it: the legacy field is not needed */
};

static void at_err(struct oci_rd *r, const struct jnode *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void at_err(struct oci_rd *r, const struct jnode *n, const char *key, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diags_error(r->d, n->line, n->col, key, "%s", msg);
}

static void at_warn_lost(struct oci_rd *r, const struct jnode *n, const char *key,
			 const char *why)
{
	diags_warn(r->d, n->line, n->col, key, "not carried over: %s", why);
}

static void set_key(struct oci_rd *r, const struct jnode *n, const char *okey, const char *key,
		    const char *value)
{
	cg_err e = {0};

	if (profile_set(r->p, key, value, &e) < 0)
		at_err(r, n, okey, "%s (as the profile's %s)", e.msg, key);
}

/* an OCI number: >= 0, or -1 for no limit (*max) */
static bool get_limit(struct oci_rd *r, const struct jnode *n, const char *key, uint64_t *v,
		      bool *max)
{
	int64_t x;

	if (jint(n, &x) < 0 || x < -1) {
		at_err(r, n, key, "%s is not a limit: give a whole number of at least 0, or -1 for "
				  "no limit",
		       n->kind == J_NUM ? n->s : jkind_name(n->kind));
		return false;
	}
	*max = x == -1;
	*v = x == -1 ? 0 : (uint64_t)x;
	return true;
}

static bool want_obj(struct oci_rd *r, const struct jnode *n, const char *key)
{
	if (n->kind == J_OBJ)
		return true;
	at_err(r, n, key, "%s here: give an object {...}", jkind_name(n->kind));
	return false;
}

/* every member of obj that is not in `known` is said to be lost */
static void warn_unknown(struct oci_rd *r, const struct jnode *obj, const char *prefix,
			 const char *const *known)
{
	for (size_t i = 0; i + 1 < obj->n; i += 2) {
		const char *k = obj->items[i]->s;
		bool ok = false;
		char key[160];

		for (size_t j = 0; known[j]; j++)
			ok |= !strcmp(known[j], k);
		if (ok)
			continue;
		snprintf(key, sizeof(key), "%s%s", prefix, k);
		at_warn_lost(r, obj->items[i], key, "a profile has no such setting");
	}
}

static void read_cpu(struct oci_rd *r, const struct jnode *c)
{
	static const char *const known[] = {"shares", "quota", "period", "cpus", "mems", NULL};
	const struct jnode *n;
	uint64_t quota = 0, period = PROFILE_DEFAULT_PERIOD_US, v;
	bool qmax = false, m, has_q = false;
	char b[64];

	if (!want_obj(r, c, "cpu"))
		return;
	warn_unknown(r, c, "cpu.", known);
	if ((n = jget(c, "shares")) && get_limit(r, n, "cpu.shares", &v, &m) && !m && v) {
		snprintf(b, sizeof(b), "%" PRIu64, map_weight_from_shares(v));
		set_key(r, n, "cpu.shares", "cpu.weight", b);
	}
	if ((n = jget(c, "period")) && get_limit(r, n, "cpu.period", &v, &m) && !m && v) {
		period = v;
		if (v != PROFILE_DEFAULT_PERIOD_US) {
			snprintf(b, sizeof(b), "%" PRIu64 "us", v);
			set_key(r, n, "cpu.period", "cpu.period", b);
		}
	}
	if ((n = jget(c, "quota")) && get_limit(r, n, "cpu.quota", &quota, &qmax)) {
		has_q = true;
		if (qmax || quota == 0)
			set_key(r, n, "cpu.quota", "cpu.max", "max");
		else if (quota * 1000000 % period == 0) {
			/* a whole number of micro-cpus: the profile's own cap */
			profile_fmt_cpu(quota * 1000000 / period, b, sizeof(b));
			set_key(r, n, "cpu.quota", "cpu.max", b);
		} else {
			snprintf(b, sizeof(b), "%" PRIu64 "us", quota);
			set_key(r, n, "cpu.quota", "cpu.quota", b);
		}
	}
	(void)has_q;
	if ((n = jget(c, "cpus"))) {
		if (n->kind != J_STR)
			at_err(r, n, "cpu.cpus", "%s here: give a list such as \"0-3\"", jkind_name(n->kind));
		else if (*n->s)
			set_key(r, n, "cpu.cpus", "cpuset.cpus", n->s);
	}
	if ((n = jget(c, "mems"))) {
		if (n->kind != J_STR)
			at_err(r, n, "cpu.mems", "%s here: give a list such as \"0\"", jkind_name(n->kind));
		else if (*n->s)
			set_key(r, n, "cpu.mems", "cpuset.mems", n->s);
	}
}

static void set_size(struct oci_rd *r, const struct jnode *n, const char *okey, const char *key,
		     uint64_t v, bool max)
{
	char b[64];

	if (max)
		snprintf(b, sizeof(b), "max");
	else
		snprintf(b, sizeof(b), "%" PRIu64, v);
	set_key(r, n, okey, key, b);
}

static void read_memory(struct oci_rd *r, const struct jnode *mem)
{
	static const char *const known[] = {"limit", "reservation", "swap", NULL};
	const struct jnode *n, *sn;
	uint64_t limit = 0, v;
	bool lmax = true, m, has_limit = false;

	if (!want_obj(r, mem, "memory"))
		return;
	warn_unknown(r, mem, "memory.", known);
	if ((n = jget(mem, "limit")) && get_limit(r, n, "memory.limit", &limit, &lmax)) {
		has_limit = true;
		set_size(r, n, "memory.limit", "memory.max", limit, lmax);
	}
	if ((n = jget(mem, "reservation")) && get_limit(r, n, "memory.reservation", &v, &m)) {
		diags_warn(r->d, n->line, n->col, "memory.reservation",
			   "read as memory.high (cgroup v1's soft limit, where cgkit writes "
			   "memory.high); a v2 runtime makes it memory.low, which a profile has not");
		set_size(r, n, "memory.reservation", "memory.high", v, m);
	}
	if ((sn = jget(mem, "swap")) && get_limit(r, sn, "memory.swap", &v, &m)) {
		/* OCI's swap is memory + swap */
		if (m)
			set_size(r, sn, "memory.swap", "memory.swap", 0, true);
		else if (!has_limit || lmax)
			at_err(r, sn, "memory.swap",
			       "OCI's swap is memory + swap, and memory.limit %s: give a limit, or "
			       "-1 for no swap limit",
			       has_limit ? "is -1 (none)" : "is not given");
		else if (v < limit)
			at_err(r, sn, "memory.swap",
			       "%" PRIu64 " is below memory.limit (%" PRIu64 "): OCI's swap is "
			       "memory + swap, at least the limit",
			       v, limit);
		else
			set_size(r, sn, "memory.swap", "memory.swap", v - limit, false);
	}
}

static void read_throttle(struct oci_rd *r, const struct jnode *arr, const char *key,
			  size_t off)
{
	struct io_spec *io = &r->p->group.io;

	if (arr->kind != J_ARR) {
		at_err(r, arr, key, "%s here: give a list of {major, minor, rate}", jkind_name(arr->kind));
		return;
	}
	for (size_t i = 0; i < arr->n; i++) {
		const struct jnode *it = arr->items[i], *ma, *mi, *ra;
		uint64_t maj, min, rate;
		struct io_device *dv = NULL;
		struct pval *v;

		if (!want_obj(r, it, key))
			continue;
		ma = jget(it, "major"), mi = jget(it, "minor"), ra = jget(it, "rate");
		if (!ma || !mi || !ra || juint(ma, &maj) < 0 || juint(mi, &min) < 0 ||
		    juint(ra, &rate) < 0 || maj > 4095 || min > 1048575) {
			at_err(r, it, key, "a device is {\"major\": N, \"minor\": N, \"rate\": N} "
					   "(whole numbers; major up to 4095, minor up to 1048575)");
			continue;
		}
		if (rate == 0) {
			diags_warn(r->d, ra->line, ra->col, key, "a rate of 0 is no limit: left out");
			continue;
		}
		for (size_t k = 0; k < io->n_devices; k++)
			if (io->devices[k].major == maj && io->devices[k].minor == min)
				dv = &io->devices[k];
		if (!dv) {
			struct io_device *nd = realloc(io->devices, (io->n_devices + 1) * sizeof(*nd));

			if (!nd)
				return;
			io->devices = nd;
			dv = &io->devices[io->n_devices++];
			memset(dv, 0, sizeof(*dv));
			dv->has_majmin = true;
			dv->major = (unsigned)maj;
			dv->minor = (unsigned)min;
			dv->line = it->line;
			dv->col = it->col;
			if (asprintf(&dv->path.s, "%u:%u", dv->major, dv->minor) < 0) {
				dv->path.s = NULL;
				io->n_devices--;
				return;
			}
		}
		v = (struct pval *)((char *)dv + off);
		*v = (struct pval){.set = true, .v = rate, .line = ra->line, .col = ra->col};
		io->present = true;
	}
}

static void read_blockio(struct oci_rd *r, const struct jnode *b)
{
	static const char *const known[] = {"weight", "throttleReadBpsDevice",
					    "throttleWriteBpsDevice", "throttleReadIOPSDevice",
					    "throttleWriteIOPSDevice", NULL};
	const struct jnode *n;
	uint64_t v;
	char s[32];

	if (!want_obj(r, b, "blockIO"))
		return;
	warn_unknown(r, b, "blockIO.", known);
	if ((n = jget(b, "weight")) && !r->v2_weight_seen) {
		if (juint(n, &v) < 0 || v < 10 || v > 1000) {
			at_err(r, n, "blockIO.weight", "give a weight from 10 to 1000");
		} else {
			snprintf(s, sizeof(s), "%" PRIu64, map_io_weight_from(MK_IO_WEIGHT, false, v));
			set_key(r, n, "blockIO.weight", "io.weight", s);
		}
	}
	if ((n = jget(b, "throttleReadBpsDevice")))
		read_throttle(r, n, "blockIO.throttleReadBpsDevice", offsetof(struct io_device, read_bps));
	if ((n = jget(b, "throttleWriteBpsDevice")))
		read_throttle(r, n, "blockIO.throttleWriteBpsDevice", offsetof(struct io_device, write_bps));
	if ((n = jget(b, "throttleReadIOPSDevice")))
		read_throttle(r, n, "blockIO.throttleReadIOPSDevice", offsetof(struct io_device, read_iops));
	if ((n = jget(b, "throttleWriteIOPSDevice")))
		read_throttle(r, n, "blockIO.throttleWriteIOPSDevice", offsetof(struct io_device, write_iops));
}

/* unified: the kernel's v2 files, exact; they win over the legacy fields */
static void read_unified(struct oci_rd *r, const struct jnode *u)
{
	if (!want_obj(r, u, "unified"))
		return;
	for (size_t i = 0; i + 1 < u->n; i += 2) {
		const char *k = u->items[i]->s;
		const struct jnode *v = u->items[i + 1];
		char key[160], b[64];
		uint64_t q, per;

		snprintf(key, sizeof(key), "unified.%s", k);
		if (v->kind != J_STR) {
			at_err(r, v, key, "%s here: unified's values are strings", jkind_name(v->kind));
			continue;
		}
		if (!strcmp(k, "cpu.max")) {
			if (map_parse_cpu_max(v->s, &q, &per) < 0 || !per) {
				at_err(r, v, key, "\"%s\" is not QUOTA PERIOD: give \"20000 100000\" or \"max 100000\"",
				       DIAG_CUT(v->s, 40));
				continue;
			}
			memset(&r->p->group.cpu.max, 0, sizeof(r->p->group.cpu.max));
			memset(&r->p->group.cpu.quota, 0, sizeof(r->p->group.cpu.quota));
			memset(&r->p->group.cpu.period, 0, sizeof(r->p->group.cpu.period));
			if (per != PROFILE_DEFAULT_PERIOD_US) {
				snprintf(b, sizeof(b), "%" PRIu64 "us", per);
				set_key(r, v, key, "cpu.period", b);
			}
			if (q == MAP_UNLIMITED)
				set_key(r, v, key, "cpu.max", "max");
			else if (q * 1000000 % per == 0) {
				profile_fmt_cpu(q * 1000000 / per, b, sizeof(b));
				set_key(r, v, key, "cpu.max", b);
			} else {
				snprintf(b, sizeof(b), "%" PRIu64 "us", q);
				set_key(r, v, key, "cpu.quota", b);
			}
		} else if (!strcmp(k, "cpu.weight")) {
			set_key(r, v, key, "cpu.weight", v->s);
		} else if (!strcmp(k, "cpuset.cpus") || !strcmp(k, "cpuset.mems")) {
			set_key(r, v, key, k, v->s);
		} else if (!strcmp(k, "io.weight")) {
			const char *w = strncmp(v->s, "default ", 8) ? v->s : v->s + 8;

			if (strchr(w, ':'))
				at_warn_lost(r, v, key, "a profile has one io weight, no per-device ones");
			else
				set_key(r, v, key, "io.weight", w);
		} else if (!strcmp(k, "memory.max") || !strcmp(k, "memory.high") ||
			   !strcmp(k, "memory.swap.max") || !strcmp(k, "pids.max")) {
			const char *pk = !strcmp(k, "memory.swap.max") ? "memory.swap" : k;

			set_key(r, v, key, pk, v->s);
		} else {
			at_warn_lost(r, u->items[i], key, "a profile has no such setting");
		}
	}
}

static const struct jnode *resources_of(struct oci_rd *r, const struct jnode *root)
{
	const struct jnode *linux_, *res;

	if (root->kind != J_OBJ) {
		at_err(r, root, NULL, "%s: give a config.json, or its linux.resources object",
		       jkind_name(root->kind));
		return NULL;
	}
	/* a bare linux.resources: none of a config's own keys */
	if (!jget(root, "linux") && !jget(root, "ociVersion") && !jget(root, "process") &&
	    !jget(root, "root"))
		return root;
	linux_ = jget(root, "linux");
	if (!linux_) {
		at_err(r, root, NULL, "no \"linux\" object: give a config.json with "
				      "linux.resources, or that object alone");
		return NULL;
	}
	if (!want_obj(r, linux_, "linux"))
		return NULL;
	res = jget(linux_, "resources");
	if (!res) {
		diags_warn(r->d, linux_->line, linux_->col, "linux",
			   "no linux.resources: the profile sets no limit");
		return NULL;
	}
	return want_obj(r, res, "linux.resources") ? res : NULL;
}

static void read_resources(struct oci_rd *r, const struct jnode *res)
{
	static const char *const known[] = {"cpu", "memory", "pids", "blockIO", "unified", NULL};
	const struct jnode *n;

	warn_unknown(r, res, "", known);
	if ((n = jget(res, "cpu")))
		read_cpu(r, n);
	if ((n = jget(res, "memory")))
		read_memory(r, n);
	if ((n = jget(res, "pids")) && want_obj(r, n, "pids")) {
		const struct jnode *l = jget(n, "limit");
		uint64_t v;
		bool m;

		if (l && get_limit(r, l, "pids.limit", &v, &m)) {
			char b[32];

			snprintf(b, sizeof(b), "%" PRIu64, v);
			set_key(r, l, "pids.limit", "pids.max", m || v == 0 ? "max" : b);
		}
	}
	if ((n = jget(res, "unified"))) {
		const struct jnode *w = n->kind == J_OBJ ? jget(n, "io.weight") : NULL;

		r->v2_weight_seen = w != NULL;
	}
	if ((n = jget(res, "blockIO")))
		read_blockio(r, n);
	/* last: where both say a value, unified's is the kernel's own */
	if ((n = jget(res, "unified")))
		read_unified(r, n);
}

/* ".../bundle/config.json" -> "bundle"; "web.json" -> "web" */
static char *oci_name(const char *path)
{
	_cleanup_free_ char *c = strdup(path);
	char *b, *dot;

	if (!c)
		return NULL;
	b = strrchr(c, '/');
	if (!strcmp(b ? b + 1 : c, "config.json")) {
		if (b) {
			*b = 0;
			b = strrchr(c, '/');
			b = b ? b + 1 : c;
		} else {
			b = "container";
		}
	} else {
		b = b ? b + 1 : c;
		dot = strrchr(b, '.');
		if (dot && dot != b)
			*dot = 0;
	}
	if (!*b || !strcmp(b, ".") || !strcmp(b, ".."))
		b = "container";
	for (char *s = b; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			*s = '_';
	if (b[0] == '.')
		b[0] = '_';
	if (strlen(b) > PROFILE_NAME_MAX)
		b[PROFILE_NAME_MAX] = 0;
	return strdup(b);
}

static char *read_all(const char *path, size_t *len, cg_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (fd < 0) {
		cg_err_sys(err, "%s", path);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (*len + 4096 > cap) {
			char *nb;

			if (cap > JREAD_MAX_BYTES) {
				free(buf);
				cg_err_set(err, EFBIG, "%s: over %d MiB: not a config.json", path,
					   (int)(JREAD_MAX_BYTES >> 20));
				return NULL;
			}
			nb = realloc(buf, cap = cap * 2 + 8192);
			if (!nb) {
				free(buf);
				cg_err_set(err, ENOMEM, "out of memory");
				return NULL;
			}
			buf = nb;
		}
		n = read(fd, buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			cg_err_sys(err, "%s", path);
			return NULL;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	buf[*len] = 0;
	return buf;
}

int convert_oci_from_text(const char *buf, size_t len, const char *path,
			  const struct profile_opts *po, struct convert_sink *sink, struct diags *d,
			  cg_err *err)
{
	_cleanup_free_ char *name = NULL, *comment = NULL;
	struct oci_rd r = {.d = d};
	struct jnode *root = NULL;
	const struct jnode *res;
	char why[300];
	int line, col, rc = 0;

	if (jread(buf, len, &root, &line, &col, why, sizeof(why)) < 0) {
		diags_error(d, line, col, NULL, "%s", why);
		return 0;
	}
	name = oci_name(path);
	r.p = name ? profile_new(name, NULL, po, err) : NULL;
	if (!r.p) {
		jfree(root);
		return name ? -1 : cg_err_set(err, ENOMEM, "out of memory");
	}
	res = resources_of(&r, root);
	if (res)
		read_resources(&r, res);
	if (!d->errors) {
		cg_err e = {0};

		if (profile_check(r.p, &e) < 0)
			diags_error(d, res ? res->line : 1, res ? res->col : 1, NULL, "%s", e.msg);
	}
	if (!d->errors) {
		if (asprintf(&comment, "from %s by cgrun --from oci", path) < 0)
			rc = cg_err_set(err, ENOMEM, "out of memory");
		else
			rc = convert_sink_profile(sink, NULL, r.p, comment, err);
	}
	profile_free(r.p);
	jfree(root);
	return rc;
}

int convert_from_oci(const char *const *files, size_t n, const struct convert_opts *o,
		     struct convert_sink *sink, struct diags *d, cg_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct profile_opts po = {.host_ram = (uint64_t)sysconf(_SC_PHYS_PAGES) *
					      (uint64_t)sysconf(_SC_PAGESIZE)};
	size_t len;

	if (o->variant)
		return cg_err_set(err, EINVAL, "oci reads both layouts: give --from oci");
	if (n != 1)
		return cg_err_set(err, EINVAL, "give one config.json (or linux.resources object)");
	buf = read_all(files[0], &len, err);
	if (!buf)
		return -1;
	return convert_oci_from_text(buf, len, files[0], &po, sink, d, err);
}
