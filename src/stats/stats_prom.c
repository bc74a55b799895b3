/* The collector's figures as Prometheus metrics: see stats_prom.h.
 *
 * Families and their units follow Prometheus's naming conventions (and
 * cAdvisor's container_* families where ours match one): a prefix, base
 * units in the name, counters ending in _total. Labels are `cgroup` (the
 * path as cgtop shows it: "/", "/a/b") and, where a file has several
 * values, `event` or `device`; never a pid, never a command line. */
#include "stats_prom.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum fam {
	FAM_CPU_USAGE,
	FAM_CPU_USER,
	FAM_CPU_SYSTEM,
	FAM_CFS_PERIODS,
	FAM_CFS_THROTTLED_PERIODS,
	FAM_CFS_THROTTLED_SECONDS,
	FAM_MEM_USAGE,
	FAM_MEM_WORKING_SET,
	FAM_MEM_SWAP,
	FAM_MEM_EVENTS,
	FAM_IO_READ,
	FAM_IO_WRITTEN,
	FAM_PIDS,
	FAM_PSI_CPU_WAITING,
	FAM_PSI_CPU_STALLED,
	FAM_PSI_MEM_WAITING,
	FAM_PSI_MEM_STALLED,
	FAM_PSI_IO_WAITING,
	FAM_PSI_IO_STALLED,
	FAM_SPEC_CPU_QUOTA,
	FAM_SPEC_MEM_MAX,
	FAM_SPEC_MEM_HIGH,
	FAM_SPEC_PIDS_MAX,
	FAM_COUNT
};

static const struct fam_def {
	const char *name, *type, *help;
} fams[FAM_COUNT] = {
	[FAM_CPU_USAGE] = {"cgkit_cpu_usage_seconds_total", "counter",
			   "CPU time used by the group and its subtree."},
	[FAM_CPU_USER] = {"cgkit_cpu_user_seconds_total", "counter",
			  "CPU time used in user mode by the group and its subtree."},
	[FAM_CPU_SYSTEM] = {"cgkit_cpu_system_seconds_total", "counter",
			    "CPU time used in kernel mode by the group and its subtree."},
	[FAM_CFS_PERIODS] = {"cgkit_cpu_cfs_periods_total", "counter",
			     "CFS bandwidth periods that have elapsed with runnable tasks."},
	[FAM_CFS_THROTTLED_PERIODS] = {"cgkit_cpu_cfs_throttled_periods_total", "counter",
				       "CFS bandwidth periods in which the group was throttled."},
	[FAM_CFS_THROTTLED_SECONDS] = {"cgkit_cpu_cfs_throttled_seconds_total", "counter",
				       "Time the group's tasks were throttled by its CPU quota."},
	[FAM_MEM_USAGE] = {"cgkit_memory_usage_bytes", "gauge",
			   "Memory used by the group and its subtree, page cache included."},
	[FAM_MEM_WORKING_SET] = {"cgkit_memory_working_set_bytes", "gauge",
				 "Memory usage less the inactive file cache (at least 0)."},
	[FAM_MEM_SWAP] = {"cgkit_memory_swap_bytes", "gauge",
			  "Swap used by the group and its subtree."},
	[FAM_MEM_EVENTS] = {"cgkit_memory_events_total", "counter",
			    "Memory events (v2 memory.events; v1: oom_kill, and max = memory.failcnt)."},
	[FAM_IO_READ] = {"cgkit_io_read_bytes_total", "counter",
			 "Bytes read from a block device by the group and its subtree."},
	[FAM_IO_WRITTEN] = {"cgkit_io_written_bytes_total", "counter",
			    "Bytes written to a block device by the group and its subtree."},
	[FAM_PIDS] = {"cgkit_pids_current", "gauge",
		      "Tasks (threads) in the group and its subtree."},
	[FAM_PSI_CPU_WAITING] = {"cgkit_pressure_cpu_waiting_seconds_total", "counter",
				 "Time some tasks of the group waited for a CPU (PSI some)."},
	[FAM_PSI_CPU_STALLED] = {"cgkit_pressure_cpu_stalled_seconds_total", "counter",
				 "Time all non-idle tasks of the group waited for a CPU (PSI full)."},
	[FAM_PSI_MEM_WAITING] = {"cgkit_pressure_memory_waiting_seconds_total", "counter",
				 "Time some tasks of the group waited for memory (PSI some)."},
	[FAM_PSI_MEM_STALLED] = {"cgkit_pressure_memory_stalled_seconds_total", "counter",
				 "Time all non-idle tasks of the group waited for memory (PSI full)."},
	[FAM_PSI_IO_WAITING] = {"cgkit_pressure_io_waiting_seconds_total", "counter",
				"Time some tasks of the group waited for I/O (PSI some)."},
	[FAM_PSI_IO_STALLED] = {"cgkit_pressure_io_stalled_seconds_total", "counter",
				"Time all non-idle tasks of the group waited for I/O (PSI full)."},
	[FAM_SPEC_CPU_QUOTA] = {"cgkit_spec_cpu_quota_cpus", "gauge",
				"CPU quota as CPUs (quota / period); +Inf for none."},
	[FAM_SPEC_MEM_MAX] = {"cgkit_spec_memory_max_bytes", "gauge",
			      "Memory limit (v2 memory.max, v1 memory.limit_in_bytes); +Inf for none."},
	[FAM_SPEC_MEM_HIGH] = {"cgkit_spec_memory_high_bytes", "gauge",
			       "Memory throttling threshold (v2 memory.high, v1 soft limit); +Inf for none."},
	[FAM_SPEC_PIDS_MAX] = {"cgkit_spec_pids_max", "gauge",
			       "Limit on the group's tasks (pids.max); +Inf for none."},
};

/* ---- text ---- */

/* Length of the valid UTF-8 character at s, or 0 when s holds none. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* s escaped for a label value or HELP text: backslash, newline (and quote
 * when quote) escaped; a byte outside valid UTF-8 as the text \xHH. */
static void put_escaped(FILE *out, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fprintf(out, "\\\\x%02x", *p);
			p++;
		} else if (*p == '\\') {
			fputs("\\\\", out);
			p++;
		} else if (*p == '\n') {
			fputs("\\n", out);
			p++;
		} else if (*p == '"' && quote) {
			fputs("\\\"", out);
			p++;
		} else {
			fwrite(p, 1, n, out);
			p += n;
		}
	}
}

/* A sample's value, into buf (64 bytes): +Inf/-Inf, whole numbers up to
 * 2^53 with their digits (no printf), else the shortest text that reads
 * back as the same double. Returns its length. */
static size_t value_text(double v, char *buf)
{
	if (isinf(v)) {
		memcpy(buf, v > 0 ? "+Inf" : "-Inf", 5);
		return 4;
	}
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		uint64_t u = (uint64_t)fabs(v);
		char tmp[24], *p = tmp + sizeof(tmp);
		size_t n;

		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			*--p = '-';
		n = (size_t)(tmp + sizeof(tmp) - p);
		memcpy(buf, p, n);
		return n;
	}
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, 64, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return strlen(buf);
}

static void put_value(FILE *out, double v)
{
	char buf[64];

	fwrite_unlocked(buf, 1, value_text(v, buf), out);
}

void stats_prom_family(FILE *out, const struct stats_prom_opts *o, const char *name,
		       const char *type, const char *help)
{
	size_t n = strlen(name);

	if (o && o->openmetrics && strcmp(type, "counter") == 0 && n > 6 &&
	    strcmp(name + n - 6, "_total") == 0)
		n -= 6;
	fprintf(out, "# HELP %.*s ", (int)n, name);
	put_escaped(out, help, o && o->openmetrics);
	fprintf(out, "\n# TYPE %.*s %s\n", (int)n, name, type);
}

void stats_prom_sample(FILE *out, const char *name, const char *const *labels, double v)
{
	if (isnan(v))
		return;
	fputs(name, out);
	if (labels && labels[0]) {
		fputc('{', out);
		for (size_t k = 0; labels[k] && labels[k + 1]; k += 2) {
			fprintf(out, "%s%s=\"", k ? "," : "", labels[k]);
			put_escaped(out, labels[k + 1], true);
			fputc('"', out);
		}
		fputc('}', out);
	}
	fputc(' ', out);
	put_value(out, v);
	fputc('\n', out);
}

void stats_prom_end(FILE *out, const struct stats_prom_opts *o)
{
	if (o && o->openmetrics)
		fputs("# EOF\n", out);
}

/* ---- the groups ---- */

/* Values in kernel units over per (1e9 for ns -> s): a division gives the
 * double nearest the decimal, which prints short (0.718062, not
 * 0.7180620000000001). */
static double val(const struct stats_sample *s, enum stats_val v, double per)
{
	return s && (s->have & SV_BIT(v)) ? (double)s->v[v] / per : NAN;
}

static double limit(const struct stats_sample *s, enum stats_val v)
{
	if (!s || !(s->have & SV_BIT(v)))
		return NAN;
	return s->v[v] == STATS_UNLIMITED ? INFINITY : (double)s->v[v];
}

static double more(const struct stats_more *m, enum stats_more_val v, double per)
{
	return m && (m->have & (1u << v)) ? (double)m->v[v] / per : NAN;
}

/* The group samples are built in one buffer, written out when nearly full:
 * no stdio call per piece of a line. */
#define OUT_CAP 65536
struct outbuf {
	FILE *out;
	size_t n;
	char b[OUT_CAP];
};

static void out_flush(struct outbuf *o)
{
	if (o->n)
		fwrite(o->b, 1, o->n, o->out);
	o->n = 0;
}

static void out_put(struct outbuf *o, const char *s, size_t n)
{
	if (o->n + n > OUT_CAP) {
		out_flush(o);
		if (n > OUT_CAP) {
			fwrite(s, 1, n, o->out);
			return;
		}
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

#define OUT_LIT(o, lit) out_put(o, lit, sizeof(lit) - 1)

/* A group's cgroup label value, escaped once, and its length. */
struct lab {
	const char *s;
	size_t n;
};

/* One group sample: cg is the cgroup label's value, escaped already; the
 * second label (k2, v2) needs no escaping (event names, MAJ:MIN). */
static void put_line(struct outbuf *o, const char *name, const struct lab *cg, const char *k2,
		     const char *v2, double v)
{
	char val[64];
	size_t vn = value_text(v, val);

	out_put(o, name, strlen(name));
	OUT_LIT(o, "{cgroup=\"");
	out_put(o, cg->s, cg->n);
	if (k2) {
		OUT_LIT(o, "\",");
		out_put(o, k2, strlen(k2));
		OUT_LIT(o, "=\"");
		out_put(o, v2, strlen(v2));
	}
	OUT_LIT(o, "\"} ");
	out_put(o, val, vn);
	OUT_LIT(o, "\n");
}

/* Writes (out) or counts (out NULL) the samples of family f for one group;
 * cg is its cgroup label's value, escaped. */
static size_t fam_group(struct outbuf *out, enum fam f, const struct lab *cg,
			const struct stats_sample *s, const struct stats_more *m)
{
	const char *name = fams[f].name;
	double v = NAN;
	size_t n = 0;

	switch (f) {
	case FAM_CPU_USAGE:
		v = val(s, SV_CPU_NS, 1e9);
		break;
	case FAM_CPU_USER:
		v = more(m, SM_CPU_USER_NS, 1e9);
		break;
	case FAM_CPU_SYSTEM:
		v = more(m, SM_CPU_SYSTEM_NS, 1e9);
		break;
	case FAM_CFS_PERIODS:
		v = val(s, SV_PERIODS, 1);
		break;
	case FAM_CFS_THROTTLED_PERIODS:
		v = val(s, SV_THROTTLED, 1);
		break;
	case FAM_CFS_THROTTLED_SECONDS:
		v = more(m, SM_THROTTLED_NS, 1e9);
		break;
	case FAM_MEM_USAGE:
		v = val(s, SV_MEM, 1);
		break;
	case FAM_MEM_WORKING_SET:
		if (s && (s->have & SV_BIT(SV_MEM)) && (s->have & SV_BIT(SV_MEM_INACTIVE_FILE)))
			v = s->v[SV_MEM] > s->v[SV_MEM_INACTIVE_FILE]
				    ? (double)(s->v[SV_MEM] - s->v[SV_MEM_INACTIVE_FILE])
				    : 0;
		break;
	case FAM_MEM_SWAP:
		v = val(s, SV_SWAP, 1);
		break;
	case FAM_MEM_EVENTS: {
		static const struct {
			const char *event;
			int sm;   /* -1: SV_OOM_KILLS */
		} ev[] = {{"low", SM_EV_LOW}, {"high", SM_EV_HIGH}, {"max", SM_EV_MAX},
			  {"oom", SM_EV_OOM},  {"oom_kill", -1}};

		for (size_t k = 0; k < sizeof(ev) / sizeof(ev[0]); k++) {
			double e = ev[k].sm < 0 ? val(s, SV_OOM_KILLS, 1)
						: more(m, (enum stats_more_val)ev[k].sm, 1);

			if (isnan(e))
				continue;
			if (out)
				put_line(out, name, cg, "event", ev[k].event, e);
			n++;
		}
		return n;
	}
	case FAM_IO_READ:
	case FAM_IO_WRITTEN:
		for (size_t k = 0; m && k < m->ndev; k++) {
			char dev[32];

			if (out) {
				snprintf(dev, sizeof(dev), "%u:%u", m->dev[k].major, m->dev[k].minor);
				put_line(out, name, cg, "device", dev,
					 (double)(f == FAM_IO_READ ? m->dev[k].rbytes : m->dev[k].wbytes));
			}
			n++;
		}
		return n;
	case FAM_PIDS:
		v = val(s, SV_PIDS, 1);
		break;
	case FAM_PSI_CPU_WAITING:
	case FAM_PSI_CPU_STALLED:
	case FAM_PSI_MEM_WAITING:
	case FAM_PSI_MEM_STALLED:
	case FAM_PSI_IO_WAITING:
	case FAM_PSI_IO_STALLED:
		v = more(m, (enum stats_more_val)(SM_PSI_CPU_SOME_NS + (f - FAM_PSI_CPU_WAITING)),
			 1e9);
		break;
	case FAM_SPEC_CPU_QUOTA:
		if (s && (s->have & SV_BIT(SV_QUOTA_US))) {
			if (s->v[SV_QUOTA_US] == STATS_UNLIMITED)
				v = INFINITY;
			else if ((s->have & SV_BIT(SV_PERIOD_US)) && s->v[SV_PERIOD_US] &&
				 s->v[SV_PERIOD_US] != STATS_UNLIMITED)
				v = (double)s->v[SV_QUOTA_US] / (double)s->v[SV_PERIOD_US];
		}
		break;
	case FAM_SPEC_MEM_MAX:
		v = limit(s, SV_MEM_LIMIT);
		break;
	case FAM_SPEC_MEM_HIGH:
		if (m && (m->have & (1u << SM_MEM_HIGH)))
			v = m->v[SM_MEM_HIGH] == STATS_UNLIMITED ? INFINITY : (double)m->v[SM_MEM_HIGH];
		break;
	case FAM_SPEC_PIDS_MAX:
		v = limit(s, SV_PIDS_MAX);
		break;
	case FAM_COUNT:
		break;
	}
	if (isnan(v))
		return 0;
	if (out)
		put_line(out, name, cg, NULL, NULL, v);
	return 1;
}

/* Levels of rest below its prefix: "" 0, "/a" 1, "/a/b" 2. */
static int levels(const char *rest)
{
	int d = 0;

	for (const char *q = rest; *q; q++)
		d += *q == '/';
	return d;
}

/* Does the display path p ("/", "/a/b") fall under one of the prefixes, at
 * most depth levels below it? No prefix: "/". */
static bool selected(const struct stats_prom_opts *o, const char *p)
{
	static const char *const all[] = {"/"};
	const char *const *pre = o->groups && o->ngroups ? o->groups : all;
	size_t npre = o->groups && o->ngroups ? o->ngroups : 1;

	for (size_t k = 0; k < npre; k++) {
		size_t n = strlen(pre[k]);
		const char *rest;

		while (n > 1 && pre[k][n - 1] == '/')
			n--;
		if (n == 0 || (n == 1 && pre[k][0] == '/'))
			rest = strcmp(p, "/") == 0 ? "" : p;
		else if (pre[k][0] == '/' && strncmp(p, pre[k], n) == 0 &&
			 (p[n] == '\0' || p[n] == '/'))
			rest = p + n;
		else if (pre[k][0] != '/' && strncmp(p + 1, pre[k], n) == 0 &&
			 (p[n + 1] == '\0' || p[n + 1] == '/'))
			rest = p + n + 1;   /* "cgkit" as "/cgkit" */
		else
			continue;
		if (o->depth < 0 || levels(rest) <= o->depth)
			return true;
	}
	return false;
}

bool stats_prom_selected(const struct stats_prom_opts *o, const char *path)
{
	return selected(o, path);
}

size_t stats_prom_groups(FILE *out, const struct stats_collector *c,
			 const struct stats_prom_opts *o, size_t *left_out)
{
	size_t n = stats_count(c), max = o->max_series ? o->max_series : STATS_PROM_MAX_SERIES;
	size_t written = 0, cut = 0, nlab = 0;
	char path[4096];
	/* the groups taken, and their cgroup label escaped once, in one block */
	size_t *take = malloc((n ? n : 1) * sizeof(*take));
	size_t *lab_at = malloc((n ? n : 1) * sizeof(*lab_at));
	char *labs = NULL;
	size_t labs_len = 0;
	FILE *lf = open_memstream(&labs, &labs_len);
	struct outbuf *ob = NULL;
	struct lab *lab = NULL;

	if (!take || !lab_at || !lf) {
		/* no room to choose: the families, no sample */
		if (lf)
			fclose(lf);
		free(labs);
		free(take);
		free(lab_at);
		for (size_t f = 0; f < FAM_COUNT; f++)
			stats_prom_family(out, o, fams[f].name, fams[f].type, fams[f].help);
		if (left_out)
			*left_out = 0;
		return 0;
	}
	static const struct lab none = {"", 0};   /* counting writes nothing */

	for (size_t i = 0; i < n; i++) {
		const struct stats_group *g = stats_group_at(c, i);
		size_t series = 0;

		if (g->vanished)
			continue;
		stats_display_path(g, path, sizeof(path));
		if (!selected(o, path))
			continue;
		for (size_t f = 0; f < FAM_COUNT; f++)
			series += fam_group(NULL, (enum fam)f, &none, stats_group_sample(c, i),
					    stats_group_more(c, i));
		if (written + series > max) {
			cut += series;
			continue;
		}
		written += series;
		take[nlab] = i;
		lab_at[nlab++] = (size_t)ftell(lf);
		put_escaped(lf, path, true);
		fputc('\0', lf);
	}
	ob = malloc(sizeof(*ob));
	lab = malloc((nlab ? nlab : 1) * sizeof(*lab));
	if (fclose(lf) != 0 || !ob || !lab) {
		free(labs);
		labs = NULL;
		nlab = 0;
		written = 0;
	}
	for (size_t k = 0; k < nlab; k++)
		lab[k] = (struct lab){labs + lab_at[k],
				      (k + 1 < nlab ? lab_at[k + 1] : labs_len) - lab_at[k] - 1};
	if (ob)
		*ob = (struct outbuf){.out = out};
	for (size_t f = 0; f < FAM_COUNT; f++) {
		stats_prom_family(out, o, fams[f].name, fams[f].type, fams[f].help);
		for (size_t k = 0; k < nlab; k++)
			fam_group(ob, (enum fam)f, &lab[k], stats_group_sample(c, take[k]),
				  stats_group_more(c, take[k]));
		if (ob)
			out_flush(ob);
	}
	free(ob);
	free(lab);
	free(labs);
	free(take);
	free(lab_at);
	if (left_out)
		*left_out = cut;
	return written;
}
