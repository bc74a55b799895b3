/* The profile's limits: the sections cpu, memory, io, cpuset and pids of a
 * group (docs/cgprofile.5), each a table of keys with its values' units and
 * ranges and the checks between its keys. A group's walk (profile.c) and
 * other languages' limits (profile_walk_limits: cgkitd's penalties) read
 * them here, so a limit means, and is refused, the same everywhere. */
#include "profile_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

#define CPU_WEIGHT_MIN 1
#define CPU_WEIGHT_MAX 10000
#define PERIOD_MIN_US 1000
#define PERIOD_MAX_US 1000000
#define QUOTA_MIN_US 1000
#define QUOTA_MAX_US ((1ULL << 44) - 1) /* the kernel's max_cfs_runtime */
#define PIDS_MAX_LIMIT 4194304		/* PID_MAX_LIMIT */
#define CPU_ID_MAX 8191			/* NR_CPUS at its largest */
#define MEM_ID_MAX 1023			/* MAX_NUMNODES */
#define DEV_MAJOR_MAX 4095
#define DEV_MINOR_MAX 1048575

static bool has_nonzero_digit(const char *s)
{
	return strpbrk(s, "123456789") != NULL;
}

/* A value that came to 0 where 0 is not allowed. */
static bool zero_refused(struct walker *w, const struct node *v, const struct pval *pv,
			 bool zero_ok, const char *right)
{
	if (zero_ok || pv->is_max || pv->v)
		return false;
	if (has_nonzero_digit(v->s))
		walk_err(w, v, "\"%s\" rounds down to 0, which is not allowed here: give %s",
			 DIAG_CUT(v->s, 40), right);
	else
		walk_err(w, v, "0 is not allowed here: give %s", right);
	return true;
}

enum size_kind { SIZE_MEMORY, SIZE_RATE };

static void val_size(struct walker *w, const struct node *k, const struct node *v, struct pval *pv,
		     enum size_kind kind, bool zero_ok)
{
	const char *right = kind == SIZE_MEMORY
				    ? "a size such as 512M, 1.5G or 25% (of RAM), or max"
				    : "a rate in bytes per second such as 10M, or max";
	const char *s = walk_want_scalar(w, v, right), *why;
	uint64_t host = kind == SIZE_MEMORY ? w->opts->host_ram : 0;

	if (!s)
		return;
	if (unit_parse_size(s, host, true, &pv->v, &why) < 0) {
		if (kind == SIZE_MEMORY && !host && strchr(s, '%'))
			why = "a percentage of RAM needs the host's RAM size, which is not known "
			      "here: give a size such as 512M";
		walk_err(w, v, "\"%s\" is not a size: %s", DIAG_CUT(s, 40), why);
		return;
	}
	pv->is_max = pv->v == UNIT_MAX;
	walk_set_pos(pv, k, v);
	if (zero_refused(w, v, pv, zero_ok, right))
		return;
	if (kind == SIZE_MEMORY && unit_check_mem_size(pv->v, unit_page_size(), &why) < 0) {
		if (strchr(s, '%'))
			walk_err(w, v, "%s (%llu bytes) %s", DIAG_CUT(s, 40),
				 (unsigned long long)pv->v, why);
		else
			walk_err(w, v, "%s %s", DIAG_CUT(s, 40), why);
	}
}

/* The scalar text of a value to parse, or NULL when there is nothing left
 * to do: not a scalar (reported), or "max" where max is allowed (set). */
static const char *scalar_or_max(struct walker *w, const struct node *k, const struct node *v,
				 struct pval *pv, bool allow_max, const char *right)
{
	const char *s = walk_want_scalar(w, v, right);

	if (s && allow_max && !strcmp(s, "max")) {
		pv->v = UNIT_MAX;
		pv->is_max = true;
		walk_set_pos(pv, k, v);
		return NULL;
	}
	return s;
}

static void val_count(struct walker *w, const struct node *k, const struct node *v, struct pval *pv,
		      uint64_t lo, uint64_t hi, bool allow_max, const char *right)
{
	const char *s = scalar_or_max(w, k, v, pv, allow_max, right), *why;

	if (!s)
		return;
	if (unit_parse_uint(s, &pv->v, &why) < 0) {
		/* the reason without its generic advice: `right` says it better */
		const char *cut = strstr(why, ": give ");
		int n = cut ? (int)(cut - why) : (int)strlen(why);

		if (!strncmp(why, "not a", 5))
			walk_err(w, v, "\"%s\" is not a whole number: give %s", DIAG_CUT(s, 40),
				 right);
		else
			walk_err(w, v, "\"%s\" is not a whole number (%.*s): give %s",
				 DIAG_CUT(s, 40), n, why, right);
		return;
	}
	walk_set_pos(pv, k, v);
	if (pv->v < lo || pv->v > hi)
		walk_err(w, v, "%llu is out of range: give %s", (unsigned long long)pv->v, right);
}

static void val_duration(struct walker *w, const struct node *k, const struct node *v,
			 struct pval *pv, bool allow_max, const char *right)
{
	const char *s = scalar_or_max(w, k, v, pv, allow_max, right);

	if (s)
		walk_parsed(w, k, v, s, pv, unit_parse_duration, "a duration");
}

static void val_cpu_amount(struct walker *w, const struct node *k, const struct node *v,
			   struct pval *pv)
{
	const char *right = "a cpu amount such as 20% (of one cpu), 0.2 (cpus), 200m or max";
	const char *s = walk_want_scalar(w, v, right);

	if (!s || !walk_parsed(w, k, v, s, pv, unit_parse_cpu, "a cpu amount"))
		return;
	pv->is_max = pv->v == UNIT_MAX;
	zero_refused(w, v, pv, false, right);
}

static void val_quota(struct walker *w, const struct node *k, const struct node *v, struct pval *pv)
{
	val_duration(w, k, v, pv, true, "a quota per period such as 20ms, 20000 (us) or max");
	if (!pv->set || pv->is_max)
		return;
	if (pv->v < QUOTA_MIN_US)
		walk_err(w, v,
			 "a quota under 1ms: the kernel's smallest quota is 1ms; give at least "
			 "1ms (1000us), or max");
	else if (pv->v > QUOTA_MAX_US)
		walk_err(w, v,
			 "the quota is larger than the kernel takes (%llu us): write max for no "
			 "limit",
			 (unsigned long long)QUOTA_MAX_US);
}

static void val_period(struct walker *w, const struct node *k, const struct node *v,
		       struct pval *pv)
{
	char d[32];

	val_duration(w, k, v, pv, false, "a period from 1ms to 1s, such as 100ms");
	if (!pv->set || (pv->v >= PERIOD_MIN_US && pv->v <= PERIOD_MAX_US))
		return;
	unit_format_duration(pv->v, d, sizeof(d));
	walk_err(w, v,
		 "a period of %s is out of range: give 1ms .. 1s (1000 .. 1000000 us), such "
		 "as 100ms",
		 d);
}

/* cpu.max becomes a quota per period: the kernel's bounds on quotas apply. */
void limits_check_cpu(struct walker *w, const struct cpu_spec *c)
{
	unsigned __int128 q;
	size_t old;
	char per[32];

	if (!c->max.set || c->max.is_max || !c->max.v || c->period.v < PERIOD_MIN_US ||
	    c->period.v > PERIOD_MAX_US)
		return;
	q = (unsigned __int128)c->max.v * c->period.v / 1000000;
	old = walk_enter(w, "max");
	unit_format_duration(c->period.v, per, sizeof(per));
	if (q < QUOTA_MIN_US)
		walk_err_pos(
			w, c->max.line, c->max.col,
			"this cap gives a quota of %lluus per %s period, under the kernel's "
			"smallest "
			"quota of 1ms: give at least %llu%% of a cpu, or a longer cpu.period",
			(unsigned long long)q, per,
			(unsigned long long)((QUOTA_MIN_US * 100000000ULL / c->period.v + 999999) /
					     1000000));
	else if (q > QUOTA_MAX_US)
		walk_err_pos(w, c->max.line, c->max.col,
			     "this cap is larger than the kernel takes: write max for no limit");
	walk_pop(w, old);
}

static void parse_cpu_cap(struct walker *w, const struct node *k, const char *other)
{
	const struct node *o = walk_seen(w->at, other);

	if (o)
		walk_err(w, k,
			 "cpu.max and cpu.quota both set the cap (the other is at line %d, "
			 "column %d): keep one of them",
			 o->line, o->col);
}

static void parse_cpu_max(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	parse_cpu_cap(w, k, "quota");
	val_cpu_amount(w, k, v, f);
}

static void parse_cpu_quota(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	parse_cpu_cap(w, k, "max");
	val_quota(w, k, v, f);
}

static void parse_cpu_period(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_period(w, k, v, f);
}

static void parse_weight(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_count(w, k, v, f, CPU_WEIGHT_MIN, CPU_WEIGHT_MAX, false,
		  "a weight from 1 to 10000 (default 100)");
}

static const struct walk_key cpu_keys[] = {
	{"max", parse_cpu_max, offsetof(struct cpu_spec, max), false},
	{"quota", parse_cpu_quota, offsetof(struct cpu_spec, quota), false},
	{"period", parse_cpu_period, offsetof(struct cpu_spec, period), false},
	{"weight", parse_weight, offsetof(struct cpu_spec, weight), false},
};

void limits_walk_cpu(struct walker *w, const struct node *k, const struct node *m, void *f)
{
	struct cpu_spec *c = f;
	struct walk_map at;

	(void)k;
	c->present = true;
	if (!walk_section(w, m, "a mapping of cpu settings (max, quota, period, weight)", cpu_keys,
			  N_OF(cpu_keys), c, &at))
		return;
	if (!c->period.set)
		c->period.v = PROFILE_DEFAULT_PERIOD_US;
	if (!w->partial)
		limits_check_cpu(w, c);
}

static void parse_mem_limit(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_size(w, k, v, f, SIZE_MEMORY, false);
}

static void parse_mem_swap(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_size(w, k, v, f, SIZE_MEMORY, true);
}

static const struct walk_key memory_keys[] = {
	{"max", parse_mem_limit, offsetof(struct memory_spec, max), false},
	{"high", parse_mem_limit, offsetof(struct memory_spec, high), false},
	{"swap", parse_mem_swap, offsetof(struct memory_spec, swap), false},
};

/* Between memory's keys: high <= max; swap only on top of a max. `swap_key`:
 * where swap was given, NULL when it was not. */
void limits_check_memory(struct walker *w, const struct memory_spec *mem,
			 const struct node *swap_key)
{
	if (mem->high.set && mem->max.set && !mem->high.is_max && !mem->max.is_max &&
	    mem->high.v > mem->max.v) {
		size_t old = walk_enter(w, "high");
		char h[32], mx[32];

		unit_format_size(mem->high.v, h, sizeof(h));
		unit_format_size(mem->max.v, mx, sizeof(mx));
		walk_err_pos(w, mem->high.line, mem->high.col,
			     "memory.high (%s) is above memory.max (%s): give at most %s, or drop "
			     "memory.high",
			     h, mx, mx);
		walk_pop(w, old);
	}
	if (swap_key && !mem->max.set) {
		size_t old = walk_enter(w, "swap");

		walk_err(w, swap_key,
			 "memory.swap needs memory.max: swap is allowed on top of the "
			 "memory limit; add memory.max (a size, or max)");
		walk_pop(w, old);
	}
}

void limits_walk_memory(struct walker *w, const struct node *k, const struct node *m, void *f)
{
	struct memory_spec *mem = f;
	struct walk_map at;

	(void)k;
	mem->present = true;
	if (!walk_section(w, m, "a mapping of memory settings (max, high, swap)", memory_keys,
			  N_OF(memory_keys), mem, &at))
		return;
	if (!w->partial)
		limits_check_memory(w, mem, walk_seen(&at, "swap"));
}

static void parse_device_path(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct io_device *dev = f;
	const char *s;
	unsigned long long maj, min;
	int end = 0;

	walk_str(w, k, v, &dev->path, "a block device such as /dev/vda, or MAJ:MIN such as 253:0");
	s = dev->path.s;
	if (!s)
		return;
	if (s[0] == '/')
		return;
	if (s[0] >= '0' && s[0] <= '9' && sscanf(s, "%llu:%llu%n", &maj, &min, &end) == 2 &&
	    !s[end] && strspn(s, "0123456789:") == strlen(s)) {
		if (maj > DEV_MAJOR_MAX || min > DEV_MINOR_MAX) {
			walk_err(w, v,
				 "\"%s\" is not a device number: the major is 0 .. %d and the "
				 "minor 0 .. %d",
				 DIAG_CUT(s, 40), DEV_MAJOR_MAX, DEV_MINOR_MAX);
			return;
		}
		dev->has_majmin = true;
		dev->major = (unsigned)maj;
		dev->minor = (unsigned)min;
		return;
	}
	walk_err(w, v,
		 "\"%s\" is not a device: give the block device's path (/dev/vda) or its "
		 "numbers MAJ:MIN (253:0)",
		 DIAG_CUT(s, 40));
}

static void parse_rate(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_size(w, k, v, f, SIZE_RATE, false);
}

static void parse_iops(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_count(w, k, v, f, 1, UINT64_MAX - 1, true,
		  "a number of operations per second such as 1000, or max");
}

/* path's field is the whole device: it sets path and the numbers */
static const struct walk_key device_keys[] = {
	{"path", parse_device_path, 0, false},
	{"read_bps", parse_rate, offsetof(struct io_device, read_bps), false},
	{"write_bps", parse_rate, offsetof(struct io_device, write_bps), false},
	{"read_iops", parse_iops, offsetof(struct io_device, read_iops), false},
	{"write_iops", parse_iops, offsetof(struct io_device, write_iops), false},
};

static void walk_device(struct walker *w, const struct node *m, void *item)
{
	struct io_device *dev = item;
	struct walk_map at;
	bool has_limit = false;

	dev->line = m->line;
	dev->col = m->col;
	if (!walk_section(w, m,
			  "a device: a mapping with path and limits (read_bps, write_bps, "
			  "read_iops, write_iops)",
			  device_keys, N_OF(device_keys), dev, &at))
		return;
	for (size_t i = 0; i < N_OF(device_keys); i++)
		if (device_keys[i].parse != parse_device_path && at.seen[i])
			has_limit = true;
	if (!walk_seen(&at, "path")) {
		size_t old = walk_enter(w, "path");

		walk_err(w, m, "the device has no path: add path: /dev/vda (or MAJ:MIN)");
		walk_pop(w, old);
	} else if (!has_limit) {
		walk_warn(w, m,
			  "this device sets no limit: add read_bps, write_bps, read_iops or "
			  "write_iops, or remove it");
	}
}

static const char *device_path_of(const void *arr, size_t i)
{
	return ((const struct io_device *)arr)[i].path.s;
}

static void device_twice(struct walker *w, const void *item, const void *first)
{
	const struct io_device *dev = item, *o = first;

	walk_err_pos(w, dev->path.line, dev->path.col,
		     "the device \"%s\" is already limited at line %d: give each device "
		     "one entry",
		     DIAG_CUT(dev->path.s, 40), o->path.line);
}

static const struct walk_list device_list = {
	sizeof(struct io_device),
	"a list of devices (- path: /dev/vda)",
	walk_device,
	device_path_of,
	"path",
	device_twice,
};

static void walk_devices(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct io_spec *io = f;

	(void)k;
	if (io->devices) /* a second devices key: reported as a duplicate */
		return;
	io->devices = walk_list(w, v, &device_list, &io->n_devices);
}

static void parse_io_weight(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_count(w, k, v, f, 1, 10000, false, "a weight from 1 to 10000 (default 100)");
}

/* devices' field is the whole io section: it sets devices and n_devices */
static const struct walk_key io_keys[] = {
	{"weight", parse_io_weight, offsetof(struct io_spec, weight), false},
	{"devices", walk_devices, 0, false},
};

void limits_walk_io(struct walker *w, const struct node *k, const struct node *m, void *f)
{
	struct io_spec *io = f;
	struct walk_map at;

	(void)k;
	io->present = true;
	walk_section(w, m, "a mapping of io settings (weight, devices)", io_keys, N_OF(io_keys), io,
		     &at);
}

static void val_list(struct walker *w, const struct node *k, const struct node *v, struct pstr *ps,
		     unsigned max_id, const char *what)
{
	const char *s = walk_want_scalar(w, v, "a list of ids such as \"0-3,6\""), *why;
	char *out;

	if (!s)
		return;
	out = walk_calloc(w, strlen(s) + 16, 1);
	if (!out)
		return;
	if (unit_parse_list(s, max_id, out, strlen(s) + 16, &why) < 0) {
		walk_err(w, v, "\"%s\" is not a list of %s: %s", DIAG_CUT(s, 40), what, why);
		free(out);
		return;
	}
	free(ps->s);
	ps->s = out;
	ps->line = v->line;
	ps->col = v->col;
	ps->kline = k->line;
	ps->kcol = k->col;
}

static void parse_cpus(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_list(w, k, v, f, CPU_ID_MAX, "cpus");
}

static void parse_mems(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_list(w, k, v, f, MEM_ID_MAX, "memory nodes");
}

static const struct walk_key cpuset_keys[] = {
	{"cpus", parse_cpus, offsetof(struct cpuset_spec, cpus), false},
	{"mems", parse_mems, offsetof(struct cpuset_spec, mems), false},
};

void limits_walk_cpuset(struct walker *w, const struct node *k, const struct node *m, void *f)
{
	struct cpuset_spec *cs = f;
	struct walk_map at;

	(void)k;
	cs->present = true;
	walk_section(w, m, "a mapping of cpuset settings (cpus, mems)", cpuset_keys,
		     N_OF(cpuset_keys), cs, &at);
}

static void parse_pids_max(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	val_count(w, k, v, f, 1, PIDS_MAX_LIMIT, true,
		  "a number of processes from 1 to 4194304, or max");
}

static const struct walk_key pids_keys[] = {
	{"max", parse_pids_max, offsetof(struct pids_spec, max), false},
};

void limits_walk_pids(struct walker *w, const struct node *k, const struct node *m, void *f)
{
	struct pids_spec *pids = f;
	struct walk_map at;

	(void)k;
	pids->present = true;
	walk_section(w, m, "a mapping of pids settings (max)", pids_keys, N_OF(pids_keys), pids,
		     &at);
}
