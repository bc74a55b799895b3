/* cgtop --replay: the frames of a history directory (src/history) fed to a
 * collector that reads no file (stats_open_replay), so that the view, the
 * rows and the printers are live cgtop's. */
#include "cgtop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"

/* Frames fed before the one shown, so that the sparklines have a past. */
#define REPLAY_PAST 60

int cgtop_replay_open(struct cgtop *t, cg_err *e)
{
	uint64_t first, last;

	if (hist_reader_open(&t->hr, t->replay_dir, e) < 0) {
		cg_err_prefix(e, "--replay %s", t->replay_dir);
		return -1;
	}
	hist_range(t->hr, &first, &last);
	if (!first && !last)
		return cg_err_set(e, ENOENT, "--replay %s: no sample is recorded there", t->replay_dir);
	if ((t->since_us && t->since_us > last) || (t->until_us && t->until_us < first) ||
	    (t->since_us && t->until_us && t->since_us > t->until_us)) {
		char a[32], b[32];

		cgtop_time_text(first, a, sizeof(a));
		cgtop_time_text(last, b, sizeof(b));
		return cg_err_set(e, ERANGE, "--replay %s: no sample between --since and --until; "
					     "the history holds %s to %s", t->replay_dir, a, b);
	}
	t->replay_first = t->since_us > first ? t->since_us : first;
	t->replay_last = t->until_us && t->until_us < last ? t->until_us : last;
	return 0;
}

void cgtop_replay_close(struct cgtop *t)
{
	if (t->hr)
		hist_reader_close(t->hr);
	t->hr = NULL;
	free(t->feed);
	t->feed = NULL;
}

void cgtop_time_text(uint64_t us, char *buf, size_t len)
{
	time_t s = (time_t)(us / 1000000u);
	struct tm tm;

	if (!localtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "@%llu", (unsigned long long)s);
}

/* Feeds frame f to the collector; the frame becomes the one shown. */
static int feed(struct cgtop *t, const struct hist_frame *f, cg_err *e)
{
	if (f->n > t->feed_cap) {
		size_t cap = f->n + f->n / 2 + 16;
		struct stats_feed_group *g = realloc(t->feed, cap * sizeof(*g));

		if (!g)
			return cg_err_sys(e, "replaying a sample");
		t->feed = g;
		t->feed_cap = cap;
	}
	for (size_t i = 0; i < f->n; i++)
		t->feed[i] = (struct stats_feed_group){.path = f->g[i].path, .s = f->g[i].s};
	if (stats_feed(t->c, f->time_us, t->feed, f->n, e) < 0)
		return -1;
	if (!t->replay_us && f->interval_us)   /* the pace; + and - change it */
		t->interval = (double)f->interval_us / 1e6;
	t->replay_us = f->time_us;
	t->n_events = f->n_events;
	if (f->n_events) {
		/* the last action recorded since the previous sample */
		snprintf(t->event, sizeof(t->event), "%s", f->events[f->n_events - 1]);
		t->event_us = f->time_us;
	}
	return 0;
}

int cgtop_replay_goto(struct cgtop *t, uint64_t at_us, cg_err *e)
{
	struct hist_frame f;
	uint64_t want, from;
	int r;

	if (at_us < t->replay_first)
		at_us = t->replay_first;
	if (at_us > t->replay_last)
		at_us = t->replay_last;
	if (hist_seek(t->hr, at_us, e) < 0 || (r = hist_next(t->hr, &f, e)) < 0)
		return -1;
	if (r == 0)
		return cg_err_set(e, ENOENT, "no sample at or after the time asked");
	want = f.time_us;
	/* back some frames (the rates and the sparklines start there) */
	from = want;
	if (hist_seek(t->hr, want, e) < 0)
		return -1;
	for (int k = 0; k < REPLAY_PAST; k++) {
		if ((r = hist_prev(t->hr, &f, e)) < 0)
			return -1;
		if (r == 0)
			break;
		from = f.time_us;
	}
	stats_feed_forget(t->c);
	t->event[0] = '\0';
	if (hist_seek(t->hr, from, e) < 0)
		return -1;
	while ((r = hist_next(t->hr, &f, e)) == 1 && f.time_us <= want)
		if (feed(t, &f, e) < 0)
			return -1;
	if (r < 0)
		return -1;
	if (t->event_us < want)
		t->event[0] = '\0';   /* shown only at their own frame */
	return 0;
}

int cgtop_replay_step(struct cgtop *t, int dir, cg_err *e)
{
	struct hist_frame f;
	int r;

	if (dir < 0) {
		if (hist_seek(t->hr, t->replay_us, e) < 0 || (r = hist_prev(t->hr, &f, e)) < 0)
			return -1;
		if (r == 0 || f.time_us < t->replay_first)
			return 0;
		return cgtop_replay_goto(t, f.time_us, e) < 0 ? -1 : 1;
	}
	if (hist_seek(t->hr, t->replay_us + 1, e) < 0 || (r = hist_next(t->hr, &f, e)) < 0)
		return -1;
	if (r == 0 || f.time_us > t->replay_last)
		return 0;
	t->event[0] = '\0';
	return feed(t, &f, e) < 0 ? -1 : 1;
}

int cgtop_replay_frames(struct cgtop *t, int (*print)(struct cgtop *t), cg_err *e)
{
	struct hist_frame f;
	long done = 0;
	int r;

	/* the sample before the first frame gives it its rates */
	if (hist_seek(t->hr, t->replay_first, e) < 0 || (r = hist_prev(t->hr, &f, e)) < 0)
		return -1;
	if (r == 1 && feed(t, &f, e) < 0)
		return -1;
	if (hist_seek(t->hr, t->replay_first, e) < 0)
		return -1;
	while ((r = hist_next(t->hr, &f, e)) == 1 && f.time_us <= t->replay_last) {
		t->event[0] = '\0';
		if (feed(t, &f, e) < 0)
			return -1;
		t->frame_events = f.events;
		cgtop_build_view(t);
		if (print(t) < 0)
			return -1;
		t->frame_events = NULL;
		if (t->iterations && ++done >= t->iterations)
			break;
	}
	return r < 0 ? -1 : 0;
}

void cgtop_replay_play(struct cgtop *t)
{
	cg_err e = {0};
	int r = cgtop_replay_step(t, 1, &e);

	if (r < 0) {
		cgtop_say(t, "replay: %s", e.msg);
		t->playing = false;
	} else if (r == 0) {
		cgtop_say(t, "replay: the last recorded sample");
		t->playing = false;
	}
	cgtop_build_view(t);
}
