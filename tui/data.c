/* cgtop's data: the refresh through the collector, the rows to show, the
 * process list of the group opened. No drawing here (screen.c), no keys
 * (keys.c). */
#include "cgtop.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cgtop_say(struct cgtop *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cgtop_build_view(struct cgtop *t)
{
	size_t n = stats_count(t->c);

	if (n > t->order_cap) {
		size_t cap = n + n / 2 + 16;
		uint32_t *o = realloc(t->order, cap * sizeof(*o));
		uint32_t *s = o ? realloc(t->scratch, 2 * cap * sizeof(*s)) : NULL;

		if (o)
			t->order = o;
		if (!o || !s) {
			t->n_order = 0;
			return;
		}
		t->scratch = s;
		t->order_cap = cap;
	}
	t->view.filter = t->filter;
	t->n_order = stats_view(t->c, &t->view, t->order, t->scratch);
}

void cgtop_read_penalties(struct cgtop *t)
{
	struct timespec ts;
	cg_err e = {0};

	clock_gettime(CLOCK_REALTIME, &ts);
	t->now_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	if (!t->state_path || !(t->cols & COL_BIT(COL_PENALTY)))
		return; /* not shown: not read */
	if (penalty_view_update(&t->pen, t->state_path, &e) < 0) {
		/* once per change of the file; nothing shown meanwhile */
		if (t->batch)
			fprintf(stderr, "cgtop: cgkitd state: %s\n", e.msg);
		else
			cgtop_say(t, "cgkitd state: %s", e.msg);
	}
}

static bool group_penalty(void *data, const struct stats_group *g, enum stats_col col, char *buf,
			  size_t len)
{
	const struct cgtop *t = data;

	(void)col;
	return penalty_view_group(&t->pen, g->path, t->now_us, buf, len) > 0;
}

bool cgtop_proc_penalty(const struct cgtop *t, const struct stats_proc *p, char *buf, size_t len)
{
	return penalty_view_proc(&t->pen, p->pid, p->start, t->now_us, buf, len) > 0;
}

int cgtop_refresh(struct cgtop *t)
{
	cg_err e = {0};
	uint64_t t0 = mono_ns();

	if (stats_refresh(t->c, &e) < 0) {
		cgtop_say(t, "refresh: %s", e.msg);
		return -1;
	}
	stats_host_read(&t->host);
	cgtop_read_penalties(t);
	t->refresh_ms = (double)(mono_ns() - t0) / 1e6;
	cgtop_build_view(t);
	return 0;
}

struct stats_frame cgtop_frame(const struct cgtop *t)
{
	return (struct stats_frame){
		.c = t->c,
		.host = &t->host,
		.layout = t->replay_dir ? "replay" : cg_mode_name(t->layout.mode),
		.interval_s = t->interval,
		.refresh_ms = t->refresh_ms,
		.cols = t->cols,
		.machine_pct = t->machine_pct,
		.mem_raw = t->mem_raw,
		.order = t->order,
		.n = t->n_order,
		.text = group_penalty,
		.text_data = (void *)t,
		.time_us = t->replay_dir ? t->replay_us : 0,
		.events = t->frame_events,
		.n_events = t->frame_events ? t->n_events : 0,
	};
}

long cgtop_selected_group(const struct cgtop *t)
{
	if (t->mode == MODE_PROCS)
		return t->proc_group_idx;
	if (t->n_order == 0 || t->sel >= t->n_order)
		return -1;
	return t->order[t->sel];
}

void cgtop_read_cols(struct cgtop *t, uint32_t cols)
{
	if (cols != t->read_cols) {
		stats_set_cols(t->c, cols);
		t->read_cols = cols;
	}
}

void cgtop_read_procs(struct cgtop *t)
{
	char bufs[CG_MAX_HIER][4096];
	struct cg_dirs d;
	cg_err e = {0};
	long i = stats_find(t->c, t->proc_group);

	if (i < 0) {
		cgtop_say(t, "/%s is gone", t->proc_group);
		t->mode = MODE_GROUPS;
		return;
	}
	t->proc_group_idx = i;
	stats_group_cgdirs(t->c, (size_t)i, &d, bufs);
	if (stats_procs_read(&t->procs, &d, true, &e) < 0)
		cgtop_say(t, "%s", e.msg);
}

static int proc_cmp_sort;
static const struct stats_procs *proc_cmp_ps;
static bool proc_cmp_rev;

static int proc_cmp(const void *a, const void *b)
{
	const struct stats_proc *pa = &proc_cmp_ps->p[*(const uint32_t *)a];
	const struct stats_proc *pb = &proc_cmp_ps->p[*(const uint32_t *)b];
	int r;

	switch (proc_cmp_sort) {
	case 'm':
		r = pa->rss_bytes < pb->rss_bytes ? 1 : pa->rss_bytes > pb->rss_bytes ? -1 : 0;
		break;
	case 'n':
		r = strcmp(pa->cmd, pb->cmd);
		break;
	case 'p':
		r = pa->pid - pb->pid;
		break;
	default: {
		double ca = isnan(pa->cpu_pct) ? -1 : pa->cpu_pct, cb = isnan(pb->cpu_pct) ? -1 : pb->cpu_pct;

		r = ca < cb ? 1 : ca > cb ? -1 : 0;
	}
	}
	if (r == 0)
		r = pa->pid - pb->pid;
	return proc_cmp_rev ? -r : r;
}

void cgtop_sort_procs(struct cgtop *t)
{
	struct stats_procs *ps = &t->procs;

	free(t->proc_order);
	t->proc_order = calloc(ps->n ? ps->n : 1, sizeof(*t->proc_order));
	if (!t->proc_order)
		return;
	for (size_t i = 0; i < ps->n; i++)
		t->proc_order[i] = (uint32_t)i;
	proc_cmp_sort = t->proc_sort;
	proc_cmp_ps = ps;
	proc_cmp_rev = t->proc_reverse;
	qsort(t->proc_order, ps->n, sizeof(*t->proc_order), proc_cmp);
}
