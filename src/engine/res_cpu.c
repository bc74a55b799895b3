/* cpu: quota, period and weight. v1 writes cpu.cfs_period_us,
 * cpu.cfs_quota_us and cpu.shares in the order the kernel accepts (a CFS
 * quota that would break "a child's ratio within its parent's" goes to -1
 * first); v2 writes cpu.max and cpu.weight. File names: mapping.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_impl.h"
#include "units.h"

struct cpu_pair {
	uint64_t period, quota;   /* quota MAP_UNLIMITED for none */
};

static int read_u64(struct planner *P, const char *path, const char *dflt, uint64_t *v)
{
	char buf[VAL_MAX];
	int r = pl_current(P, path, dflt, buf, sizeof(buf));

	if (r < 0)
		return -1;
	if (r == 0 || map_parse_limit(buf, v) < 0) {
		if (r == 0)
			return cg_err_set(P->e, ENOENT, "%s: No such file or directory", path);
		return cg_err_set(P->e, 0, "%s: unexpected value '%s'", path, buf);
	}
	return 0;
}

static int cpu_v1_current(struct planner *P, const char *dir, struct cpu_pair *c)
{
	char pp[4096], qp[4096];

	pl_join(pp, sizeof(pp), dir, map_file(MK_CPU_PERIOD, false));
	pl_join(qp, sizeof(qp), dir, map_file(MK_CPU_QUOTA, false));
	if (read_u64(P, pp, map_default(MK_CPU_PERIOD, false), &c->period) < 0 ||
	    read_u64(P, qp, map_default(MK_CPU_QUOTA, false), &c->quota) < 0)
		return -1;
	return 0;
}

static struct cpu_pair cpu_wanted(const struct cpu_spec *cpu)
{
	struct cpu_pair w = { profile_cpu_period_us(cpu), profile_cpu_quota_us(cpu) };

	if (w.quota == UINT64_MAX)
		w.quota = MAP_UNLIMITED;
	return w;
}

/* quota/period of a below b's? (an unlimited quota is above every limit) */
static bool ratio_below(struct cpu_pair a, struct cpu_pair b)
{
	if (a.quota == MAP_UNLIMITED)
		return false;
	if (b.quota == MAP_UNLIMITED)
		return true;
	return (unsigned __int128)a.quota * b.period < (unsigned __int128)b.quota * a.period;
}

static const struct pval *cpu_quota_pval(const struct cpu_spec *cpu, const char **key)
{
	*key = cpu->quota.set ? "cpu.quota" : "cpu.max";
	return cpu->quota.set ? &cpu->quota : &cpu->max;
}

static int relax_one(struct planner *P, size_t h, const struct node *n)
{
	struct cpu_pair cur = { 0 }, want = cpu_wanted(&n->g->cpu);
	char dir[4096], path[4096], old[64];
	const char *key;
	const struct pval *qv = cpu_quota_pval(&n->g->cpu, &key);

	pl_node_dir(P, h, n, dir, sizeof(dir));
	if (cpu_v1_current(P, dir, &cur) < 0)
		return -1;
	if (cur.quota == MAP_UNLIMITED || (cur.period == want.period && cur.quota == want.quota))
		return 0;
	/* Period first would leave old-quota/new-period for a moment; a lower
	 * ratio below a group of the tree may clash with a child not yet
	 * lowered. -1 counts as the parent's ratio, which the kernel accepts. */
	if (cur.period == want.period && !(ratio_below(want, cur) && !n->top))
		return 0;
	pl_join(path, sizeof(path), dir, map_file(MK_CPU_QUOTA, false));
	map_format_limit(cur.quota, false, old, sizeof(old));
	return pl_write(P, path, "-1", old, n, key, qv->line, qv->col);
}

static int cpu_v1(struct planner *P, size_t h, const struct node *n)
{
	const struct cpu_spec *cpu = &n->g->cpu;
	struct cpu_pair cur = { 0 }, want = cpu_wanted(cpu);
	char dir[4096], pp[4096], qp[4096], sp[4096], v[64], old[64];
	const char *qkey;
	const struct pval *qv = cpu_quota_pval(cpu, &qkey);
	uint64_t shares, cur_shares = 0;

	pl_node_dir(P, h, n, dir, sizeof(dir));
	pl_join(pp, sizeof(pp), dir, map_file(MK_CPU_PERIOD, false));
	pl_join(qp, sizeof(qp), dir, map_file(MK_CPU_QUOTA, false));
	pl_join(sp, sizeof(sp), dir, map_file(MK_CPU_SHARES, false));
	if (cpu_v1_current(P, dir, &cur) < 0)
		return -1;
	/* to "no limit": the quota goes first, so the period never meets it */
	if (want.quota == MAP_UNLIMITED && cur.quota != MAP_UNLIMITED) {
		map_format_limit(cur.quota, false, old, sizeof(old));
		if (pl_write(P, qp, "-1", old, n, qkey, qv->line, qv->col) < 0)
			return -1;
		cur.quota = MAP_UNLIMITED;
	}
	if (cur.period != want.period) {
		snprintf(v, sizeof(v), "%" PRIu64, want.period);
		snprintf(old, sizeof(old), "%" PRIu64, cur.period);
		if (pl_write(P, pp, v, old, n, "cpu.period", cpu->period.line, cpu->period.col) < 0)
			return -1;
	}
	if (cur.quota != want.quota) {
		map_format_limit(want.quota, false, v, sizeof(v));
		map_format_limit(cur.quota, false, old, sizeof(old));
		if (pl_write(P, qp, v, old, n, qkey, qv->line, qv->col) < 0)
			return -1;
	}
	shares = cpu->weight.set ? map_cpu_shares(cpu->weight.v) : map_cpu_shares(100);
	if (read_u64(P, sp, map_default(MK_CPU_SHARES, false), &cur_shares) < 0)
		return -1;
	if (shares != cur_shares) {
		snprintf(v, sizeof(v), "%" PRIu64, shares);
		snprintf(old, sizeof(old), "%" PRIu64, cur_shares);
		if (pl_write(P, sp, v, old, n, "cpu.weight", cpu->weight.line, cpu->weight.col) < 0)
			return -1;
	}
	return 0;
}

static int cpu_v2(struct planner *P, size_t h, const struct node *n)
{
	const struct cpu_spec *cpu = &n->g->cpu;
	struct cpu_pair want = cpu_wanted(cpu);
	char dir[4096], path[4096], cur[VAL_MAX], v[64];
	const char *qkey;
	const struct pval *qv = cpu_quota_pval(cpu, &qkey);
	uint64_t q, p, w;
	int r;

	pl_node_dir(P, h, n, dir, sizeof(dir));
	r = pl_knob_current(P, dir, MK_CPU_MAX, true, path, sizeof(path), cur, sizeof(cur));
	if (r < 0)
		return -1;
	if (r == 0 || map_parse_cpu_max(cur, &q, &p) < 0 || q != want.quota || p != want.period) {
		if (want.quota == MAP_UNLIMITED)
			snprintf(v, sizeof(v), "max %" PRIu64, want.period);
		else
			snprintf(v, sizeof(v), "%" PRIu64 " %" PRIu64, want.quota, want.period);
		if (pl_write(P, path, v, r ? cur : NULL, n, qkey, qv->line, qv->col) < 0)
			return -1;
	}
	r = pl_knob_current(P, dir, MK_CPU_WEIGHT, true, path, sizeof(path), cur, sizeof(cur));
	if (r < 0)
		return -1;
	w = cpu->weight.set ? cpu->weight.v : 100;
	if (r == 0 || map_parse_weight(cur, &q) < 0 || q != w) {
		snprintf(v, sizeof(v), "%" PRIu64, w);
		if (pl_write(P, path, v, r ? cur : NULL, n, "cpu.weight", cpu->weight.line,
			       cpu->weight.col) < 0)
			return -1;
	}
	return 0;
}


/* v1 phase 2: top-down, a quota in the way goes to -1 first. */
static int cpu_prepare(struct planner *P, size_t h)
{
	if (P->w.h[h].v2)
		return 0;
	for (size_t i = 0; i < P->n_nodes; i++)
		if (P->nodes[i].g->cpu.present && relax_one(P, h, &P->nodes[i]) < 0)
			return -1;
	return 0;
}

static int cpu_plan(struct planner *P, size_t h, size_t idx)
{
	const struct node *n = &P->nodes[idx];

	return P->w.h[h].v2 ? cpu_v2(P, h, n) : cpu_v1(P, h, n);
}

/* ---- show ---- */

static void print_cpu(FILE *out, int ind, uint64_t quota, uint64_t period, uint64_t weight)
{
	char d[64];

	if (quota == MAP_UNLIMITED) {
		fprintf(out, "%*smax: max\n", ind, "");
	} else if (period && quota * 100 % period == 0) {
		fprintf(out, "%*smax: %" PRIu64 "%%\n", ind, "", quota * 100 / period);
	} else if (period) {
		char pct[32];
		size_t n = (size_t)snprintf(pct, sizeof(pct), "%.3f", (double)quota * 100 / (double)period);

		while (n > 0 && pct[n - 1] == '0')
			pct[--n] = '\0';
		fprintf(out, "%*smax: %s%%\n", ind, "", pct);
	}
	unit_format_duration(period, d, sizeof(d));
	fprintf(out, "%*speriod: %s\n", ind, "", d);
	fprintf(out, "%*sweight: %" PRIu64 "\n", ind, "", weight);
}

static void show_cpu(FILE *out, int ind, const struct cg_reader *rd, const char *dir, bool v2)
{
	char a[256], b[256];
	uint64_t q, p, w;

	if (v2) {
		if (!show_get(rd, dir, map_file(MK_CPU_MAX, true), a, sizeof(a)) ||
		    map_parse_cpu_max(a, &q, &p) < 0)
			return;
		if (!show_get(rd, dir, map_file(MK_CPU_WEIGHT, true), b, sizeof(b)) || map_parse_weight(b, &w) < 0)
			w = 100;
	} else {
		uint64_t s;

		if (!show_get(rd, dir, map_file(MK_CPU_QUOTA, false), a, sizeof(a)) || map_parse_limit(a, &q) < 0 ||
		    !show_get(rd, dir, map_file(MK_CPU_PERIOD, false), b, sizeof(b)) || map_parse_limit(b, &p) < 0)
			return;
		w = show_get(rd, dir, map_file(MK_CPU_SHARES, false), a, sizeof(a)) && map_parse_limit(a, &s) == 0
			    ? map_weight_from_shares(s)
			    : 100;
	}
	fprintf(out, "%*scpu:\n", ind, "");
	print_cpu(out, ind + 2, q, p, w);
}

const struct resource res_cpu = {
	.name = "cpu",
	.ctrl = CTRL_CPU,
	.prepare = cpu_prepare,
	.plan = cpu_plan,
	.show = show_cpu,
};
