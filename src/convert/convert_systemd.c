/* systemd: a unit's resource-control properties (systemd.resource-control(5)
 * of systemd 252): a drop-in, systemd-run's -p arguments, and back from a
 * unit and its drop-ins.
 *
 * Units as that page says: CPUQuota= is a share of ONE cpu (150% = 1.5 cpus,
 * the profile's own cpu.max in %); Memory*= sizes take K, M, G, T to the
 * base 1024 (the profile's too); IO*BandwidthMax= and IO*IOPSMax= take K, M,
 * G, T to the base 1000 (a profile's rates are base 1024: written here as
 * plain numbers, so nothing depends on the base). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "convert.h"
#include "profile_emit.h"
#include "units.h"

/* ---- profile -> systemd ---- */

static void fmt_quota(uint64_t ucpu, char *out, size_t len, bool *rounded)
{
	/* systemd reads "N.NN%": permyriad; up, so that the cap is never tighter */
	uint64_t pm = (ucpu + 99) / 100;

	*rounded = pm * 100 != ucpu;
	if (pm % 100)
		snprintf(out, len, "%" PRIu64 ".%02" PRIu64 "%%", pm / 100, pm % 100);
	else
		snprintf(out, len, "%" PRIu64 "%%", pm / 100);
}

static void fmt_span(uint64_t us, char *out, size_t len)
{
	if (us % 1000000 == 0)
		snprintf(out, len, "%" PRIu64 "s", us / 1000000);
	else if (us % 1000 == 0)
		snprintf(out, len, "%" PRIu64 "ms", us / 1000);
	else
		snprintf(out, len, "%" PRIu64 "us", us);
}

static void fmt_mem(const struct pval *v, char *out, size_t len)
{
	if (v->is_max)
		snprintf(out, len, "infinity");
	else
		unit_format_exact(v->v, out, len);
}

/* The properties, NAME=VALUE each, in the order of systemd's page. */
struct props {
	char **v;
	size_t n;
};

static int add_prop(struct props *ps, cg_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int add_prop(struct props *ps, cg_err *err, const char *fmt, ...)
{
	char **n = realloc(ps->v, (ps->n + 1) * sizeof(*n));
	va_list ap;
	int r;

	if (!n)
		return cg_err_set(err, ENOMEM, "out of memory");
	ps->v = n;
	va_start(ap, fmt);
	r = vasprintf(&ps->v[ps->n], fmt, ap);
	va_end(ap);
	if (r < 0)
		return cg_err_set(err, ENOMEM, "out of memory");
	ps->n++;
	return 0;
}

static void free_props(struct props *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i]);
	free(ps->v);
}

/* systemd wants a path: a device given as MAJ:MIN is /dev/block/MAJ:MIN */
static void dev_path(const struct io_device *dv, char *out, size_t len)
{
	if (dv->has_majmin)
		snprintf(out, len, "/dev/block/%u:%u", dv->major, dv->minor);
	else
		snprintf(out, len, "%s", dv->path.s ? dv->path.s : "");
}

static int io_props(const struct io_spec *io, struct props *ps, cg_err *err)
{
	static const struct {
		const char *name;
		size_t off;
	} lim[] = {
		{"IOReadBandwidthMax", offsetof(struct io_device, read_bps)},
		{"IOWriteBandwidthMax", offsetof(struct io_device, write_bps)},
		{"IOReadIOPSMax", offsetof(struct io_device, read_iops)},
		{"IOWriteIOPSMax", offsetof(struct io_device, write_iops)},
	};
	int r = 0;

	if (io->weight.set)
		r |= add_prop(ps, err, "IOWeight=%" PRIu64, io->weight.v);
	for (size_t k = 0; k < sizeof(lim) / sizeof(lim[0]); k++)
		for (size_t i = 0; i < io->n_devices; i++) {
			const struct io_device *dv = &io->devices[i];
			const struct pval *v = (const struct pval *)((const char *)dv + lim[k].off);
			char path[300];

			if (!v->set)
				continue;
			dev_path(dv, path, sizeof(path));
			if (v->is_max)
				r |= add_prop(ps, err, "%s=%s infinity", lim[k].name, path);
			else
				r |= add_prop(ps, err, "%s=%s %" PRIu64, lim[k].name, path, v->v);
		}
	return r;
}

static int cpu_props(const struct profile *p, struct props *ps, struct diags *d, cg_err *err)
{
	const struct cpu_spec *c = &p->group.cpu;
	char b[64];
	bool rounded = false;
	int r = 0;

	if (c->max.set && c->max.is_max) {
		r |= add_prop(ps, err, "CPUQuota=");
	} else if (c->max.set || c->quota.set) {
		uint64_t ucpu = c->max.set ? c->max.v
					   : c->quota.v * 1000000 / profile_cpu_period_us(c);
		const struct pval *at = c->max.set ? &c->max : &c->quota;

		fmt_quota(ucpu, b, sizeof(b), &rounded);
		if (!c->max.set && c->quota.v * 1000000 % profile_cpu_period_us(c))
			rounded = true;
		if (rounded)
			diags_warn(d, at->line, at->col, c->max.set ? "cpu.max" : "cpu.quota",
				   "systemd's CPUQuota= has 1/100 of a percent: written as %s", b);
		r |= add_prop(ps, err, "CPUQuota=%s", b);
	}
	if (c->period.set) {
		fmt_span(c->period.v, b, sizeof(b));
		r |= add_prop(ps, err, "CPUQuotaPeriodSec=%s", b);
	}
	if (c->weight.set)
		r |= add_prop(ps, err, "CPUWeight=%" PRIu64, c->weight.v);
	return r;
}

static int props_of(const struct profile *p, struct props *ps, struct diags *d, cg_err *err)
{
	const struct group_spec *g = &p->group;
	char b[64];
	int r = cpu_props(p, ps, d, err);

	if (g->memory.max.set) {
		fmt_mem(&g->memory.max, b, sizeof(b));
		r |= add_prop(ps, err, "MemoryMax=%s", b);
	}
	if (g->memory.high.set) {
		fmt_mem(&g->memory.high, b, sizeof(b));
		r |= add_prop(ps, err, "MemoryHigh=%s", b);
	}
	/* the profile's swap is on top of memory.max, as memory.swap.max is */
	if (g->memory.swap.set) {
		fmt_mem(&g->memory.swap, b, sizeof(b));
		r |= add_prop(ps, err, "MemorySwapMax=%s", b);
	}
	r |= io_props(&g->io, ps, err);
	if (g->cpuset.cpus.s)
		r |= add_prop(ps, err, "AllowedCPUs=%s", g->cpuset.cpus.s);
	if (g->cpuset.mems.s)
		r |= add_prop(ps, err, "AllowedMemoryNodes=%s", g->cpuset.mems.s);
	if (g->pids.max.set) {
		if (g->pids.max.is_max)
			r |= add_prop(ps, err, "TasksMax=infinity");
		else
			r |= add_prop(ps, err, "TasksMax=%" PRIu64, g->pids.max.v);
	}
	return r ? -1 : 0;
}

/* What a unit's resource control does not carry: said, never dropped. */
static void warn_lost(const struct profile *p, struct diags *d, const char *to)
{
	const struct group_spec *g = &p->group;

	for (size_t i = 0; i < g->n_children; i++)
		diags_warn(d, g->children[i].line, g->children[i].col, "children",
			   "child group \"%s\" is not carried over: in systemd it is a unit of its "
			   "own (a slice, or a service in it); convert it from a profile of its own",
			   DIAG_CUT(g->children[i].name.s ? g->children[i].name.s : "", 40));
	if (p->namespaces || p->hostname.s || p->rootfs.s || p->n_layers || p->user.s ||
	    p->workdir.s || p->n_env) {
		int line = p->ns_line, col = p->ns_col;
		const struct pstr *s[] = {&p->hostname, &p->rootfs, &p->user, &p->workdir};

		for (size_t i = 0; !line && i < sizeof(s) / sizeof(s[0]); i++)
			if (s[i]->s)
				line = s[i]->kline, col = s[i]->kcol;
		if (!line && p->n_env)
			line = p->env[0].line, col = p->env[0].col;
		diags_warn(d, line, col, NULL,
			   "the launch settings (namespaces, hostname, rootfs, layers, user, "
			   "workdir, env) are not carried over to %s: set them in the unit "
			   "(PrivateNetwork=, User=, WorkingDirectory=, Environment=, ...)",
			   to);
	}
}

static const char *section_of(const char *variant, cg_err *err)
{
	if (!variant || !strcmp(variant, "service"))
		return "Service";
	if (!strcmp(variant, "scope"))
		return "Scope";
	if (!strcmp(variant, "slice"))
		return "Slice";
	cg_err_set(err, EINVAL,
		   "'%s' is not a kind of unit: give systemd (a [Service] drop-in), "
		   "systemd:service, systemd:scope or systemd:slice",
		   variant);
	return NULL;
}

int convert_to_systemd(const struct profile *p, const struct convert_opts *o, FILE *out,
		       struct diags *d, cg_err *err)
{
	const char *sec = section_of(o->variant, err);
	struct props ps = {0};

	if (!sec)
		return -1;
	if (props_of(p, &ps, d, err) < 0) {
		free_props(&ps);
		return -1;
	}
	warn_lost(p, d, "a unit's resource control");
	fprintf(out, "# cgkit profile %s (cgrun --to systemd%s%s)\n", p->group.name.s,
		o->variant ? ":" : "", o->variant ? o->variant : "");
	if (p->group.description.s)
		fprintf(out, "# %s\n", p->group.description.s);
	fprintf(out, "# Put it in /etc/systemd/system/UNIT.d/cgkit.conf, then systemctl "
		     "daemon-reload.\n[%s]\n", sec);
	for (size_t i = 0; i < ps.n; i++)
		fprintf(out, "%s\n", ps.v[i]);
	free_props(&ps);
	return 0;
}

static void put_shell_word(const char *s, FILE *out)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			   "=%/._:,+-@") == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	fputc('\'', out);
}

int convert_to_systemd_run(const struct profile *p, const struct convert_opts *o, FILE *out,
			   struct diags *d, cg_err *err)
{
	struct props ps = {0};

	if (o->variant)
		return cg_err_set(err, EINVAL, "systemd-run has no kinds: give systemd-run alone");
	if (props_of(p, &ps, d, err) < 0) {
		free_props(&ps);
		return -1;
	}
	warn_lost(p, d, "systemd-run's properties");
	for (size_t i = 0; i < ps.n; i++) {
		fputs(i ? " -p " : "-p ", out);
		put_shell_word(ps.v[i], out);
	}
	fputc('\n', out);
	free_props(&ps);
	return 0;
}

/* ---- systemd -> profile ---- */

/* Where a value stood, for its messages. */
struct at {
	struct diags *d;
	int line, col;
	const char *key;
};

#define AT_ERR(a, ...) diags_error((a)->d, (a)->line, (a)->col, (a)->key, __VA_ARGS__)
#define AT_WARN(a, ...) diags_warn((a)->d, (a)->line, (a)->col, (a)->key, __VA_ARGS__)

/* the profile's own check of one value, its message at the unit's place */
static void set_key(struct profile *p, const struct at *a, const char *key, const char *value)
{
	cg_err e = {0};

	if (profile_set(p, key, value, &e) < 0)
		AT_ERR(a, "%s (as the profile's %s)", e.msg, key);
}

/* systemd's time span: "100ms", "0.1s", "1s 500ms", "50000us"; bare: seconds */
static int parse_span(const char *s, uint64_t *us)
{
	static const struct {
		const char *u;
		uint64_t mul;
	} units[] = {{"usec", 1}, {"us", 1}, {"msec", 1000}, {"ms", 1000}, {"seconds", 1000000},
		     {"second", 1000000}, {"sec", 1000000}, {"s", 1000000}, {"minutes", 60000000},
		     {"minute", 60000000}, {"min", 60000000}, {"m", 60000000}};
	uint64_t total = 0;
	bool any = false;

	while (*s) {
		char *end;
		double v;
		size_t n;
		uint64_t mul = 1000000;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		v = strtod(s, &end);
		s = end;
		n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
		if (n) {
			size_t i;

			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
				if (strlen(units[i].u) == n && !strncmp(s, units[i].u, n))
					break;
			if (i == sizeof(units) / sizeof(units[0]))
				return -1;
			mul = units[i].mul;
			s += n;
		}
		if (!(v >= 0 && v * (double)mul < 1e15))
			return -1;
		total += (uint64_t)(v * (double)mul + 0.5);
		any = true;
	}
	*us = total;
	return any ? 0 : -1;
}

/* "10M" to the base 1000, "1000", "infinity" (UINT64_MAX) */
static int parse_rate1000(const char *s, uint64_t *out)
{
	static const char sfx[] = "KMGT";
	char *end;
	double v;
	uint64_t mul = 1;

	if (!strcmp(s, "infinity")) {
		*out = UINT64_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	if (*end) {
		const char *u = strchr(sfx, *end);

		if (!u || end[1])
			return -1;
		for (long i = 0; i <= u - sfx; i++)
			mul *= 1000;
	}
	if (!(v * (double)mul < 1.8e19))
		return -1;
	*out = (uint64_t)(v * (double)mul + 0.5);
	return 0;
}

/* The unit's place of each key that the checks between keys name. */
struct seen {
	int line, col;
};

struct sd_state {
	struct profile *p;
	struct seen mem_max, mem_high, mem_swap, quota;
};

static struct io_device *device_of(struct profile *p, const char *path, const struct at *a)
{
	struct io_spec *io = &p->group.io;
	unsigned maj, min;
	int end = 0;
	bool numbers = sscanf(path, "/dev/block/%u:%u%n", &maj, &min, &end) == 2 && !path[end];
	struct io_device *n;

	for (size_t i = 0; i < io->n_devices; i++) {
		const struct io_device *o = &io->devices[i];

		if (numbers ? o->has_majmin && o->major == maj && o->minor == min
			    : !strcmp(o->path.s, path))
			return &io->devices[i];
	}
	n = realloc(io->devices, (io->n_devices + 1) * sizeof(*n));
	if (!n)
		return NULL;
	io->devices = n;
	n = &io->devices[io->n_devices++];
	memset(n, 0, sizeof(*n));
	io->present = true;
	n->line = a->line;
	n->col = a->col;
	if (numbers) {
		/* systemd's way to name a device by its numbers: the profile's MAJ:MIN */
		if (asprintf(&n->path.s, "%u:%u", maj, min) < 0)
			n->path.s = NULL;
		n->has_majmin = true;
		n->major = maj;
		n->minor = min;
	} else {
		n->path.s = strdup(path);
	}
	return n->path.s ? n : NULL;
}

static void set_io_limit(struct sd_state *st, const struct at *a, const char *value, size_t off,
			 bool iops)
{
	const char *sp = strrchr(value, ' ');
	_cleanup_free_ char *path = NULL;
	struct io_device *dv;
	struct pval *v;
	uint64_t n;

	if (!sp || sp == value) {
		AT_ERR(a, "\"%s\" is not \"DEVICE LIMIT\": give a device and a limit, such as "
			  "\"/dev/vda 10M\"",
		       DIAG_CUT(value, 60));
		return;
	}
	path = strndup(value, (size_t)(sp - value));
	if (!path)
		return;
	while (*++sp == ' ')
		;
	if (parse_rate1000(sp, &n) < 0 || n == 0) {
		AT_ERR(a, "\"%s\" is not a limit: give a number with K, M, G or T (base 1000), or "
			  "infinity",
		       DIAG_CUT(sp, 40));
		return;
	}
	if (path[0] != '/') {
		AT_ERR(a, "\"%s\" is not a path: give the block device, such as /dev/vda",
		       DIAG_CUT(path, 60));
		return;
	}
	if (strncmp(path, "/dev/", 5) != 0)
		AT_WARN(a, "\"%s\" is not a device node: systemd limits the device of its file "
			   "system, cgkit needs the device itself; the profile says it as written",
			DIAG_CUT(path, 60));
	if (n == UINT64_MAX && !iops) {
		AT_WARN(a, "infinity is no limit: left out (a profile's bandwidth is a number)");
		return;
	}
	dv = device_of(st->p, path, a);
	if (!dv)
		return;
	v = (struct pval *)((char *)dv + off);
	*v = (struct pval){.set = true, .is_max = n == UINT64_MAX, .v = n, .line = a->line,
			   .col = a->col};
}

/* resource-control properties a profile has no word for: said, not lost */
static const char *const not_carried[] = {
	"CPUAccounting", "MemoryAccounting", "IOAccounting", "TasksAccounting", "IPAccounting",
	"BlockIOAccounting", "StartupCPUWeight", "StartupAllowedCPUs",
	"StartupAllowedMemoryNodes", "StartupIOWeight", "CPUShares", "StartupCPUShares",
	"MemoryMin", "MemoryLow", "DefaultMemoryMin", "DefaultMemoryLow", "MemoryZSwapMax",
	"IODeviceWeight", "IODeviceLatencyTargetSec", "BlockIOWeight", "StartupBlockIOWeight",
	"BlockIODeviceWeight", "BlockIOReadBandwidth", "BlockIOWriteBandwidth", "DeviceAllow",
	"DevicePolicy", "Delegate", "DisableControllers", "ManagedOOMSwap",
	"ManagedOOMMemoryPressure", "ManagedOOMMemoryPressureLimit", "ManagedOOMPreference",
	"IPAddressAllow", "IPAddressDeny", "IPIngressFilterPath", "IPEgressFilterPath",
	"BPFProgram", "SocketBindAllow", "SocketBindDeny", "RestrictNetworkInterfaces",
	"MemoryPressureWatch", "MemoryPressureThresholdSec", "CoredumpReceive", "Slice",
};

static void set_cpu_quota(struct sd_state *st, const struct at *a, const char *v)
{
	size_t n = strlen(v);

	if (!*v) { /* the reset: no quota */
		set_key(st->p, a, "cpu.max", "max");
	} else if (n < 2 || v[n - 1] != '%') {
		AT_ERR(a, "\"%s\" is not a percentage: give a share of one cpu such as 150%% "
			  "(1.5 cpus)",
		       DIAG_CUT(v, 40));
		return;
	} else {
		set_key(st->p, a, "cpu.max", v);
	}
	st->quota = (struct seen){a->line, a->col};
}

static void set_period(struct sd_state *st, const struct at *a, const char *v)
{
	uint64_t us;
	char b[32];

	if (!*v) {
		memset(&st->p->group.cpu.period, 0, sizeof(st->p->group.cpu.period));
		st->p->group.cpu.period.v = PROFILE_DEFAULT_PERIOD_US;
		return;
	}
	if (parse_span(v, &us) < 0) {
		AT_ERR(a, "\"%s\" is not a time span: give one such as 100ms", DIAG_CUT(v, 40));
		return;
	}
	if (us < 1000 || us > 1000000) {
		/* systemd clamps it to the kernel's range; so does this */
		uint64_t c = us < 1000 ? 1000 : 1000000;

		fmt_span(c, b, sizeof(b));
		AT_WARN(a, "systemd clamps the period to 1ms .. 1s: %s", b);
		us = c;
	}
	snprintf(b, sizeof(b), "%" PRIu64 "us", us);
	set_key(st->p, a, "cpu.period", b);
}

static void set_mem(struct sd_state *st, const struct at *a, const char *key, const char *v,
		    struct seen *seen)
{
	if (!*v || !strcmp(v, "infinity"))
		set_key(st->p, a, key, "max");
	else
		set_key(st->p, a, key, v);
	*seen = (struct seen){a->line, a->col};
}

static void set_list(struct sd_state *st, const struct at *a, const char *key, const char *v)
{
	_cleanup_free_ char *c = calloc(1, strlen(v) + 1);
	size_t k = 0;

	if (!c)
		return;
	/* systemd takes spaces between items too: "0 1  3" is 0,1,3 */
	for (const char *s = v; *s; s++) {
		if (*s == ' ' || *s == ',') {
			if (k && c[k - 1] != ',')
				c[k++] = ',';
			continue;
		}
		c[k++] = *s;
	}
	if (k && c[k - 1] == ',')
		c[--k] = 0;
	if (!*c) {
		AT_WARN(a, "an empty list resets it: the profile leaves it out");
		return;
	}
	set_key(st->p, a, key, c);
}

static void set_tasks(struct sd_state *st, const struct at *a, const char *v)
{
	if (!*v || !strcmp(v, "infinity"))
		set_key(st->p, a, "pids.max", "max");
	else if (strchr(v, '%'))
		AT_WARN(a, "a percentage of the system's limit is not carried over: give a number "
			   "of tasks");
	else
		set_key(st->p, a, "pids.max", v);
}

static void one_prop(struct sd_state *st, const struct at *a, const char *k, const char *v)
{
	if (!strcmp(k, "CPUQuota"))
		set_cpu_quota(st, a, v);
	else if (!strcmp(k, "CPUQuotaPeriodSec"))
		set_period(st, a, v);
	else if (!strcmp(k, "CPUWeight")) {
		if (!strcmp(v, "idle"))
			AT_WARN(a, "idle scheduling is not carried over: a profile's weight is "
				   "1 .. 10000");
		else if (*v)
			set_key(st->p, a, "cpu.weight", v);
	} else if (!strcmp(k, "MemoryMax") || !strcmp(k, "MemoryLimit")) {
		if (!strcmp(k, "MemoryLimit"))
			AT_WARN(a, "MemoryLimit= is the old name of MemoryMax=: read as that");
		set_mem(st, a, "memory.max", v, &st->mem_max);
	} else if (!strcmp(k, "MemoryHigh"))
		set_mem(st, a, "memory.high", v, &st->mem_high);
	else if (!strcmp(k, "MemorySwapMax"))
		set_mem(st, a, "memory.swap", v, &st->mem_swap);
	else if (!strcmp(k, "IOWeight")) {
		if (*v)
			set_key(st->p, a, "io.weight", v);
	} else if (!strcmp(k, "IOReadBandwidthMax"))
		set_io_limit(st, a, v, offsetof(struct io_device, read_bps), false);
	else if (!strcmp(k, "IOWriteBandwidthMax"))
		set_io_limit(st, a, v, offsetof(struct io_device, write_bps), false);
	else if (!strcmp(k, "IOReadIOPSMax"))
		set_io_limit(st, a, v, offsetof(struct io_device, read_iops), true);
	else if (!strcmp(k, "IOWriteIOPSMax"))
		set_io_limit(st, a, v, offsetof(struct io_device, write_iops), true);
	else if (!strcmp(k, "AllowedCPUs"))
		set_list(st, a, "cpuset.cpus", v);
	else if (!strcmp(k, "AllowedMemoryNodes"))
		set_list(st, a, "cpuset.mems", v);
	else if (!strcmp(k, "TasksMax"))
		set_tasks(st, a, v);
	else if (!strcmp(k, "Description")) {
		if (*v)
			set_key(st->p, a, "description", v);
	} else {
		for (size_t i = 0; i < sizeof(not_carried) / sizeof(not_carried[0]); i++)
			if (!strcmp(k, not_carried[i])) {
				AT_WARN(a, "%s= is not carried over: a profile has no such setting", k);
				return;
			}
	}
}

/* One file: [Section] lines, KEY=VALUE, '#' and ';' comments, a trailing
 * backslash continues the line. Every section is read: a drop-in's keys
 * count wherever they stand. */
static int read_unit(struct sd_state *st, const char *path, struct diags *d, cg_err *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL, *joined = NULL;
	size_t cap = 0;
	int lineno = 0;

	if (!f)
		return cg_err_sys(err, "%s", path);
	for (;;) {
		ssize_t n = getline(&line, &cap, f);
		int at_line;
		char *s, *eq, *k, *v;

		if (n < 0)
			break;
		at_line = ++lineno;
		free(joined);
		joined = strdup(line);
		if (!joined)
			return cg_err_set(err, ENOMEM, "out of memory");
		/* continuations */
		for (;;) {
			size_t l = strlen(joined);
			char *nj;

			while (l && (joined[l - 1] == '\n' || joined[l - 1] == '\r'))
				joined[--l] = 0;
			if (!l || joined[l - 1] != '\\')
				break;
			joined[l - 1] = ' ';
			if (getline(&line, &cap, f) < 0)
				break;
			lineno++;
			if (asprintf(&nj, "%s%s", joined, line) < 0)
				return cg_err_set(err, ENOMEM, "out of memory");
			free(joined);
			joined = nj;
		}
		s = joined + strspn(joined, " \t");
		if (!*s || *s == '#' || *s == ';' || *s == '[')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			diags_error(d, at_line, (int)(s - joined) + 1, NULL,
				    "not KEY=VALUE, a [Section] or a comment: give NAME=VALUE such "
				    "as CPUQuota=20%%");
			continue;
		}
		k = s;
		v = eq + 1;
		*eq = 0;
		for (char *e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = 0;
		v += strspn(v, " \t");
		for (size_t l = strlen(v); l && (v[l - 1] == ' ' || v[l - 1] == '\t'); l--)
			v[l - 1] = 0;
		{
			struct at a = {d, at_line, (int)(v - joined) + 1, k};

			one_prop(st, &a, k, v);
		}
	}
	return 0;
}

/* "web.service", "web.service.d/limits.conf" -> "web" */
static char *name_of(const char *path)
{
	_cleanup_free_ char *c = strdup(path);
	char *b, *dot;

	if (!c)
		return NULL;
	b = strrchr(c, '/');
	if (b && b - c > 2 && !strncmp(b - 2, ".d", 2)) {
		/* a drop-in, UNIT.d/NAME.conf: the directory names the unit */
		b[-2] = 0;
		b = strrchr(c, '/');
	}
	b = b ? b + 1 : c;
	dot = strrchr(b, '.');
	if (dot && dot != b)
		*dot = 0;
	for (char *s = b; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			*s = '_';
	if (b[0] == '.' || !b[0])
		b[0] = 'u';
	if (strlen(b) > PROFILE_NAME_MAX)
		b[PROFILE_NAME_MAX] = 0;
	return strdup(b);
}

/* The checks between keys, at the unit's place of the later key. */
static void check_between(struct sd_state *st, const char *last, struct diags *d)
{
	struct memory_spec *m = &st->p->group.memory;
	cg_err e = {0};

	if (m->swap.set && !m->max.set) {
		struct at a = {d, st->mem_swap.line, st->mem_swap.col, "MemorySwapMax"};

		AT_WARN(&a, "a profile's swap goes on top of a memory limit, and there is no "
			    "MemoryMax=: memory.max is max");
		m->max = (struct pval){.set = true, .is_max = true};
	}
	if (profile_check(st->p, &e) < 0) {
		struct seen *s = m->high.set ? &st->mem_high : &st->quota;

		diags_error(d, s->line, s->col, NULL, "%s", e.msg);
	}
	(void)last;
}

int convert_from_systemd(const char *const *files, size_t n, const struct convert_opts *o,
			 struct convert_sink *sink, struct diags *d, cg_err *err)
{
	_cleanup_free_ char *name = name_of(files[0]), *comment = NULL;
	struct sd_state st = {0};
	struct profile_opts po = {.host_ram = (uint64_t)sysconf(_SC_PHYS_PAGES) *
					      (uint64_t)sysconf(_SC_PAGESIZE)};
	int rc = 0, errors = 0;

	if (o->variant)
		return cg_err_set(err, EINVAL, "systemd has no kinds to read: give --from systemd");
	if (!name)
		return cg_err_set(err, ENOMEM, "out of memory");
	st.p = profile_new(name, NULL, &po, err);
	if (!st.p)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = read_unit(&st, files[i], &d[i], err);
		errors += d[i].errors;
	}
	if (rc == 0 && !errors) {
		check_between(&st, files[n - 1], &d[n - 1]);
		errors += d[n - 1].errors;
	}
	if (rc == 0 && !errors) {
		if (asprintf(&comment, "from %s%s by cgrun --from systemd", files[0],
			     n > 1 ? " and its drop-ins" : "") < 0)
			rc = cg_err_set(err, ENOMEM, "out of memory");
		else
			rc = convert_sink_profile(sink, NULL, st.p, comment, err);
	}
	profile_free(st.p);
	return rc;
}
