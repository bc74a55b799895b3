/* cgkitd's history recording (see history_rec.h). */
#include "history_rec.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "metrics.h"
#include "stats.h"
#include "stats_prom.h"

struct hist_rec {
	const struct cg_layout *l;
	struct hist_writer *w;
	uint64_t interval;
	char *dir;
	struct metrics_sel sel;   /* the groups recorded: metrics' selection */
	struct stats_collector *c;
	struct hist_group *g;
	size_t cap_g;
	/* the queue of action lines and the stop flag, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct { uint64_t t; char *line; } q[HIST_REC_QUEUE];
	size_t q_head, q_n;
	unsigned long dropped;
	bool stop;
	pthread_t th;
	bool running;
	/* said once until it works again */
	bool said_read, said_write;
};

const char *hist_rec_dir(const struct rules_history *h)
{
	return h->dir.s ? h->dir.s : HIST_REC_DEFAULT_DIR;
}

uint64_t hist_rec_interval(const struct rules_history *h)
{
	return h->interval.set && h->interval.v ? h->interval.v : HIST_REC_DEFAULT_INTERVAL_US;
}

uint64_t hist_rec_keep(const struct rules_history *h)
{
	return h->keep.set ? h->keep.v : HIST_REC_DEFAULT_KEEP_US;
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

bool hist_rec_config_differs(const struct rules *a, const struct rules *b)
{
	const struct rules_history *x = &a->history, *y = &b->history;

	if (x->present != y->present)
		return true;
	if (!x->present)
		return false;
	if (strcmp(hist_rec_dir(x), hist_rec_dir(y)) != 0 ||
	    hist_rec_interval(x) != hist_rec_interval(y) || hist_rec_keep(x) != hist_rec_keep(y) ||
	    x->max.set != y->max.set || (x->max.set && x->max.v != y->max.v))
		return true;
	/* the selection recorded is metrics' */
	if (a->metrics.depth.set != b->metrics.depth.set ||
	    (a->metrics.depth.set && a->metrics.depth.v != b->metrics.depth.v))
		return true;
	if (a->metrics.groups.set != b->metrics.groups.set ||
	    a->metrics.groups.n != b->metrics.groups.n)
		return true;
	for (size_t i = 0; i < a->metrics.groups.n; i++)
		if (str_differs(a->metrics.groups.v[i].s, b->metrics.groups.v[i].s))
			return true;
	return false;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- the thread ---- */

/* The queued lines, written in order; called without the lock held. */
static void write_events(struct hist_rec *s)
{
	for (;;) {
		uint64_t t;
		char *line;
		cg_err e = { 0 };

		pthread_mutex_lock(&s->mu);
		if (!s->q_n) {
			pthread_mutex_unlock(&s->mu);
			return;
		}
		t = s->q[s->q_head].t;
		line = s->q[s->q_head].line;
		s->q_head = (s->q_head + 1) % HIST_REC_QUEUE;
		s->q_n--;
		pthread_mutex_unlock(&s->mu);
		if (hist_write_event(s->w, t, line, &e) < 0) {
			if (!s->said_write)
				fprintf(stderr, "cgkitd: history: %s\n", e.msg);
			s->said_write = true;
		}
		free(line);
	}
}

static void record_sample(struct hist_rec *s)
{
	const char *const *groups = (const char *const *)s->sel.groups;
	struct stats_prom_opts o = { false, groups, s->sel.ngroups, s->sel.depth, 0 };
	uint64_t t = wall_us();
	size_t n = 0, count;
	cg_err e = { 0 };
	char disp[4096];

	if (!s->c) {
		struct stats_opts so = { 0 };

		so.start = s->sel.start;
		so.metrics = true; /* every value every time: the store keeps deltas */
		s->c = stats_open(s->l, &so, &e);
	}
	if (!s->c || stats_refresh(s->c, &e) < 0) {
		if (!s->said_read)
			fprintf(stderr, "cgkitd: history: reading the groups: %s\n", e.msg);
		s->said_read = true;
		return;
	}
	s->said_read = false;
	count = stats_count(s->c);
	if (count > s->cap_g) {
		struct hist_group *v = realloc(s->g, count * sizeof(*v));

		if (!v)
			return;
		s->g = v;
		s->cap_g = count;
	}
	for (size_t i = 0; i < count; i++) {
		const struct stats_group *g = stats_group_at(s->c, i);
		const struct stats_sample *sm = stats_group_sample(s->c, i);

		if (!g || g->vanished || !sm)
			continue;
		snprintf(disp, sizeof(disp), "/%s", g->path);
		if (!stats_prom_selected(&o, disp))
			continue;
		s->g[n].path = g->path;
		s->g[n].s = *sm;
		n++;
	}
	if (hist_write_sample(s->w, t, s->g, n, &e) < 0) {
		if (!s->said_write)
			fprintf(stderr, "cgkitd: history: %s\n", e.msg);
		s->said_write = true;
	} else {
		s->said_write = false;
	}
}

static void *rec_main(void *arg)
{
	struct hist_rec *s = arg;
	uint64_t next = mono_us();

	for (;;) {
		bool stop, due;

		write_events(s);
		if (mono_us() >= next) {
			record_sample(s);
			next += s->interval;
			/* behind (a slow disk, a stopped process): no burst to catch up */
			if (next <= mono_us())
				next = mono_us() + s->interval;
			continue;
		}
		pthread_mutex_lock(&s->mu);
		due = false;
		while (!s->stop && !s->q_n && !due) {
			struct timespec ts = { (time_t)(next / 1000000), (long)(next % 1000000) * 1000 };

			due = pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT;
		}
		stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;
	}
	write_events(s);
	return NULL;
}

/* ---- start, stop ---- */

static void rec_free(struct hist_rec *s)
{
	if (s->w)
		hist_writer_close(s->w);
	if (s->c)
		stats_close(s->c);
	metrics_sel_free(&s->sel);
	free(s->dir);
	free(s->g);
	for (size_t i = 0; i < s->q_n; i++)
		free(s->q[(s->q_head + i) % HIST_REC_QUEUE].line);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

struct hist_rec *hist_rec_start(const struct rules *r, const struct cg_layout *l, cg_err *e)
{
	const struct rules_history *h = &r->history;
	struct hist_opts o = { 0 };
	pthread_condattr_t ca;
	struct hist_rec *s = calloc(1, sizeof(*s));
	sigset_t all, old;

	if (!s) {
		cg_err_set(e, ENOMEM, "history: out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->l = l;
	s->interval = hist_rec_interval(h);
	s->dir = strdup(hist_rec_dir(h));
	if (!s->dir || metrics_sel_make(&s->sel, &r->metrics) < 0) {
		cg_err_set(e, ENOMEM, "history: out of memory");
		rec_free(s);
		return NULL;
	}
	o.dir = s->dir;
	o.interval_us = s->interval;
	o.keep_us = hist_rec_keep(h);
	o.max_bytes = h->max.set ? h->max.v : 0;
	if (hist_writer_open(&s->w, &o, e) < 0) {
		s->w = NULL;
		rec_free(s);
		return NULL;
	}
	/* the thread takes no signal: the loop reads them (signalfd) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	errno = pthread_create(&s->th, NULL, rec_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno) {
		cg_err_sys(e, "history: starting the recorder's thread");
		rec_free(s);
		return NULL;
	}
	s->running = true;
	return s;
}

void hist_rec_event(struct hist_rec *s, uint64_t time_us, const char *line)
{
	size_t len;
	char *c;

	if (!s || !line)
		return;
	len = strlen(line);
	while (len && line[len - 1] == '\n')
		len--;
	c = strndup(line, len);
	pthread_mutex_lock(&s->mu);
	if (c && s->q_n < HIST_REC_QUEUE) {
		s->q[(s->q_head + s->q_n) % HIST_REC_QUEUE].t = time_us;
		s->q[(s->q_head + s->q_n) % HIST_REC_QUEUE].line = c;
		s->q_n++;
		c = NULL;
		pthread_cond_signal(&s->cv);
	} else if (s->dropped++ == 0) {
		/* stderr outside a hot path: the first drop only */
		fprintf(stderr, "cgkitd: history: the recorder is behind: action lines are "
				"left out of the history (the action log has them)\n");
	}
	pthread_mutex_unlock(&s->mu);
	free(c);
}

void hist_rec_stop(struct hist_rec *s)
{
	if (!s)
		return;
	if (s->running) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->th, NULL);
	}
	rec_free(s);
}
