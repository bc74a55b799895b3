/* The curses screen: a header, the group (or process) table, a bottom bar
 * of keys; and the questions an action asks (a prompt, a menu, y/N).
 * Drawing only reads cgtop's state and the collector's rows; the loop is
 * main.c's, the keys keys.c's. */
#include "screen.h"

#include <curses.h>
#include <term.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mapping.h"

#define HEADER_LINES 2
#define PATH_MIN 16

enum { PAIR_HEAD = 1, PAIR_SEL, PAIR_OOM, PAIR_BAR, PAIR_KEY };

/* Columns dropped first when the terminal is narrow. */
static const enum stats_col drop_order[] = {
	COL_PSI_IO,  COL_PSI_MEM,  COL_SWAP,       COL_PIDS_LIMIT, COL_IO_WRITE, COL_PSI_CPU,
	COL_MEM_PCT, COL_IO_READ,  COL_OOM,        COL_PIDS,       COL_TASKS,    COL_CPU_LIMIT,
	COL_PENALTY, COL_THROTTLED, COL_MEM_LIMIT,
};

static uint32_t fit_cols(uint32_t cols, int width, int *path_w)
{
	int used = 0;

	for (size_t c = 0; c < COL_COUNT; c++)
		if (cols & COL_BIT(c))
			used += stats_cols[c].width + 1;
	for (size_t k = 0; k < sizeof(drop_order) / sizeof(drop_order[0]) && width - used < PATH_MIN + 8; k++)
		if (cols & COL_BIT(drop_order[k])) {
			cols &= ~COL_BIT(drop_order[k]);
			used -= stats_cols[drop_order[k]].width + 1;
		}
	*path_w = width - used > PATH_MIN ? width - used : PATH_MIN;
	return cols;
}

/* Whether the terminal takes UTF-8 (the locale's charset), set at start. */
static bool screen_utf8;

/* Prints s in at most w columns, escaped as stats_text_escape() says (a
 * name is whatever bytes a user gave mkdir: none of them may reach the
 * terminal as a control sequence); a cut is marked, keep_end keeps the end
 * of a path ("\u2026/b/c"). Returns the columns printed. */
static int put_text(const char *s, int w, bool keep_end)
{
	char out[4 * 4200];
	int cols;

	if (w <= 0)
		return 0;
	cols = stats_text_fit(s, w, keep_end, screen_utf8, out, sizeof(out));
	addstr(out);
	return cols;
}

/* The same, padded with spaces to exactly w columns. */
static void put_fit(const char *s, int w, bool keep_end)
{
	int cols = put_text(s, w, keep_end);

	if (w > cols)
		printw("%*s", w - cols, "");
}

/* For a user that is not root: may it act on group gi (signal, freeze,
 * limit, cap)? Its cgroup.procs is writable in a hierarchy cgtop shows: a
 * group of the user's delegated subtree, or one the user made. The actions
 * still refuse what the kernel would; this only marks the rows. */
static bool may_act(const struct cgtop *t, size_t gi)
{
	static const enum cg_ctrl ctrls[] = { CTRL_CPU,     CTRL_MEMORY, CTRL_PIDS,
					      CTRL_FREEZER, CTRL_IO,     CTRL_CPUSET };
	char dir[4096], file[4200];

	for (size_t k = 0; k < sizeof(ctrls) / sizeof(ctrls[0]); k++) {
		if (stats_group_dir(t->c, gi, ctrls[k], dir, sizeof(dir)) < 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir,
			 map_cgfile(MF_PROCS, cg_layout_is_v2(&t->layout, ctrls[k])));
		if (access(file, W_OK) == 0)
			return true;
	}
	return false;
}

/* Keeps the selection on the same group when rows move. */
static void follow_selection(struct cgtop *t)
{
	if (t->mode != MODE_GROUPS || !t->sel_path[0])
		return;
	for (size_t i = 0; i < t->n_order; i++)
		if (strcmp(stats_group_at(t->c, t->order[i])->path, t->sel_path + 1) == 0) {
			t->sel = i;
			return;
		}
	if (t->sel >= t->n_order)
		t->sel = t->n_order ? t->n_order - 1 : 0;
}

static void remember_selection(struct cgtop *t)
{
	long g = cgtop_selected_group(t);

	if (t->mode == MODE_GROUPS && g >= 0)
		snprintf(t->sel_path, sizeof(t->sel_path), "/%s", stats_group_at(t->c, (size_t)g)->path);
}

static void draw_header(struct cgtop *t)
{
	char used[16], total[16];
	const struct stats_host *h = &t->host;

	if (t->replay_dir) {
		char when[32];

		cgtop_time_text(t->replay_us, when, sizeof(when));
		move(0, 0);
		clrtoeol();
		attron(A_BOLD);
		printw("cgtop  REPLAY %s", when);
		attroff(A_BOLD);
		printw("  %s  ", t->playing ? "PLAYING" : "PAUSED");
		put_text(t->replay_dir, COLS - getcurx(stdscr) - 1, true);
		move(1, 0);
		clrtoeol();
		printw("layout replay  groups %zu  interval %.1fs%s%s%s", stats_live_count(t->c),
		       t->interval, t->view.tree ? "  tree" : "  flat", t->filter[0] ? "  filter: " : "",
		       t->filter);
		if (t->event[0]) {
			printw("  event: ");
			put_text(t->event, COLS - getcurx(stdscr) - 1, false);
		}
		return;
	}
	stats_format(COL_MEM, (double)h->mem_used, used, sizeof(used));
	stats_format(COL_MEM, (double)h->mem_total, total, sizeof(total));
	move(0, 0);
	clrtoeol();
	if (isnan(h->cpu_pct))
		printw("cgtop  cpu -%% of %u", h->ncpu);
	else
		printw("cgtop  cpu %.1f%% of %u", h->cpu_pct, h->ncpu);
	printw("  mem %s/%s  load %.2f %.2f %.2f", used, total, h->load[0], h->load[1], h->load[2]);
	move(1, 0);
	clrtoeol();
	printw("layout %s  groups %zu  interval %.1fs  refresh %.1fms%s%s%s%s%s",
	       cg_mode_name(t->layout.mode), stats_live_count(t->c), t->interval, t->refresh_ms,
	       t->paused ? "  PAUSED" : "", t->view.tree ? "  tree" : "  flat",
	       t->filter[0] ? "  filter: " : "", t->filter, t->machine_pct ? "  cpu%: machine" : "");
	if (t->mem_raw)
		printw("  mem: raw");
}

static void draw_bar(struct cgtop *t)
{
	static const char *const groups_bar[][2] = {
		{"h", "help"}, {"Enter", "procs"}, {"c/m/i/p/t/n", "sort"}, {"T", "tree"},
		{"/", "filter"}, {"k", "signal"}, {"f", "freeze"}, {"e", "limit"},
		{"C", "cap"}, {"F", "fields"}, {"q", "quit"},
	};
	static const char *const procs_bar[][2] = {
		{"Esc", "groups"}, {"c/m/p/n", "sort"}, {"k", "signal"}, {"C", "cap"}, {"q", "quit"},
	};
	static const char *const replay_bar[][2] = {
		{"h", "help"}, {"[ ]", "step"}, {"@", "go to"}, {"space", "play"},
		{"c/m/i/p/t/n", "sort"}, {"T", "tree"}, {"/", "filter"}, {"F", "fields"}, {"q", "quit"},
	};
	const char *const(*bar)[2] = t->mode == MODE_PROCS ? procs_bar : t->replay_dir ? replay_bar : groups_bar;
	size_t n = t->mode == MODE_PROCS ? sizeof(procs_bar) / sizeof(procs_bar[0])
		   : t->replay_dir	 ? sizeof(replay_bar) / sizeof(replay_bar[0])
					 : sizeof(groups_bar) / sizeof(groups_bar[0]);

	move(LINES - 1, 0);
	clrtoeol();
	if (t->msg[0]) {
		attron(A_BOLD);
		put_text(t->msg, COLS - 1, false);
		attroff(A_BOLD);
		return;
	}
	for (size_t i = 0; i < n && getcurx(stdscr) < COLS - 12; i++) {
		attron(COLOR_PAIR(PAIR_KEY) | A_BOLD);
		printw("%s", bar[i][0]);
		attroff(COLOR_PAIR(PAIR_KEY) | A_BOLD);
		printw(" %s  ", bar[i][1]);
	}
}

/* Columns the sparkline takes (a space before it), 0: none. It takes
 * no room from the columns chosen, and leaves the path 40 columns. */
static int spark_width(const struct cgtop *t)
{
	int path_w;

	if (t->spark == SPARK_OFF)
		return 0;
	fit_cols(t->cols, COLS, &path_w);
	return path_w - 25 >= 40 ? 25 : 0;
}

/* The top of a picture's scale: a limit that is set, else a round figure
 * above the largest value (100% for CPU%). */
static double scale_for(const double *v, size_t n, double limit, double round_to)
{
	double top = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]) && !isinf(v[i]) && v[i] > top)
			top = v[i];
	if (!isnan(limit) && !isinf(limit) && limit > 0 && limit >= top)
		return limit;
	return round_to > 0 ? ceil((top > 0 ? top : 1) / round_to) * round_to : top;
}

/* The last values of group gi as the sparkline column shows them. */
static void draw_spark(const struct cgtop *t, size_t gi, int w)
{
	const struct stats_ring *r = stats_group_ring(t->c, gi);
	const struct stats_group *g = stats_group_at(t->c, gi);
	double v[STATS_RING];
	char out[4 * STATS_RING + 1];
	size_t n;
	int cols;
	bool unknown;

	if (!r || w <= 0)
		return;
	n = stats_ring_get(r, t->spark == SPARK_CPU ? RING_CPU : RING_MEM, v, (size_t)w);
	/* no figure for the last refresh (a new group's first): "-" in the
	 * newest cell, as the other columns show an unknown value */
	unknown = n == 0 || isnan(v[n - 1]);
	if (unknown && n)
		n--;
	cols = stats_spark(v, n,
			   t->spark == SPARK_CPU ? scale_for(v, n, NAN, 100)
						 : scale_for(v, n, g->row.f[COL_MEM_LIMIT], 0),
			   screen_utf8, out, sizeof(out));
	cols += unknown;
	addch(' ');
	if (w > cols)
		printw("%*s", w - cols, "");   /* the newest at the right */
	addstr(out);
	if (unknown)
		addch('-');
}

static void draw_groups(struct cgtop *t)
{
	struct stats_frame f = cgtop_frame(t);
	int path_w, rows = LINES - HEADER_LINES - 2, spark_w = spark_width(t);
	uint32_t cols = fit_cols(t->cols, COLS - spark_w, &path_w);
	char buf[32], name[4200];

	follow_selection(t);
	if (rows < 1)
		return;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;
	if (t->top + (size_t)rows > t->n_order)
		t->top = t->n_order > (size_t)rows ? t->n_order - (size_t)rows : 0;

	move(HEADER_LINES, 0);
	attron(COLOR_PAIR(PAIR_HEAD) | A_BOLD);
	/* a user that is not root: '*' after the groups it may act on */
	printw("%-*s", path_w, geteuid() != 0 ? "GROUP (* yours)" : "GROUP");
	for (size_t c = 0; c < COL_COUNT; c++) {
		if (!(cols & COL_BIT(c)))
			continue;
		bool sorted = (int)c == t->view.sort ||
			      (t->view.sort == COL_IO_READ && c == COL_IO_WRITE);
		const char *title = c == COL_CPU && t->machine_pct ? "CPU%M"
				    : c == COL_MEM && t->mem_raw  ? "MEMRAW"
								  : stats_cols[c].title;

		printw(stats_cols[c].unit == UNIT_TEXT ? " %-*s" : " %*s", stats_cols[c].width, title);
		if (sorted) {
			int x = getcurx(stdscr);

			mvchgat(HEADER_LINES, x - stats_cols[c].width, stats_cols[c].width,
				A_BOLD | A_UNDERLINE, PAIR_HEAD, NULL);
			move(HEADER_LINES, x);
		}
	}
	if (spark_w)
		/* right-aligned, as the newest value is */
		printw(" %*s", spark_w - 1, t->spark == SPARK_CPU ? "CPU%-HISTORY" : "MEM-HISTORY");
	printw("%*s", COLS - getcurx(stdscr), "");
	attroff(COLOR_PAIR(PAIR_HEAD) | A_BOLD);

	for (int r = 0; r < rows; r++) {
		size_t i = t->top + (size_t)r;
		int y = HEADER_LINES + 1 + r;
		const struct stats_group *g;
		int attr = 0;

		move(y, 0);
		clrtoeol();
		if (i >= t->n_order)
			continue;
		g = stats_group_at(t->c, t->order[i]);
		if (t->view.tree)
			snprintf(name, sizeof(name), "%*s%s", (int)(2 * g->depth), "",
				 g->depth ? g->name : (*g->path ? g->path : "/"));
		else
			stats_display_path(g, name, sizeof(name));
		if (geteuid() != 0 && may_act(t, t->order[i]) && strlen(name) + 2 < sizeof(name))
			strcat(name, " *");
		if (g->oom_flash)
			attr |= COLOR_PAIR(PAIR_OOM) | A_BOLD;
		if (i == t->sel)
			attr = COLOR_PAIR(PAIR_SEL) | A_BOLD;
		attron(attr);
		put_fit(name, path_w, !t->view.tree);
		for (size_t c = 0; c < COL_COUNT; c++) {
			if (!(cols & COL_BIT(c)))
				continue;
			if (stats_cols[c].unit == UNIT_TEXT) {
				char text[256];

				if (!stats_frame_text(&f, g, (enum stats_col)c, text, sizeof(text)))
					snprintf(text, sizeof(text), "-");
				addch(' ');
				put_fit(text, stats_cols[c].width, false);
				continue;
			}
			stats_format((enum stats_col)c, stats_frame_value(&f, g, (enum stats_col)c), buf,
				     sizeof(buf));
			printw(" %*s", stats_cols[c].width, buf);
		}
		if (spark_w)
			draw_spark(t, t->order[i], spark_w - 1);
		if (i == t->sel)
			printw("%*s", COLS - getcurx(stdscr) > 0 ? COLS - getcurx(stdscr) : 0, "");
		attroff(attr);
	}
	remember_selection(t);
}

static void draw_procs(struct cgtop *t)
{
	int rows = LINES - HEADER_LINES - 2;
	char rss[16], cpu[16], pen[256];
	struct stats_procs *ps = &t->procs;
	/* the penalty column when the groups show it */
	int pw = t->cols & COL_BIT(COL_PENALTY) ? stats_cols[COL_PENALTY].width + 1 : 0;

	if (!t->proc_order)
		return;
	if (t->sel >= ps->n)
		t->sel = ps->n ? ps->n - 1 : 0;
	if (t->sel < t->top)
		t->top = t->sel;
	if (rows > 0 && t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;

	move(HEADER_LINES, 0);
	attron(COLOR_PAIR(PAIR_HEAD) | A_BOLD);
	printw("%7s %-10s %1s %6s %7s  ", "PID", "USER", "S", "CPU%", "RSS");
	if (pw)
		printw("%-*s", pw, stats_cols[COL_PENALTY].title);
	printw("COMMAND   (%zu processes of /", ps->n);
	put_text(t->proc_group, COLS > 90 ? COLS - 90 : 1, true);
	printw(" and below)");
	printw("%*s", COLS - getcurx(stdscr) > 0 ? COLS - getcurx(stdscr) : 0, "");
	attroff(COLOR_PAIR(PAIR_HEAD) | A_BOLD);
	for (int r = 0; r < rows; r++) {
		size_t i = t->top + (size_t)r;
		const struct stats_proc *p;

		move(HEADER_LINES + 1 + r, 0);
		clrtoeol();
		if (i >= ps->n)
			continue;
		p = &ps->p[t->proc_order[i]];
		stats_format(COL_MEM, (double)p->rss_bytes, rss, sizeof(rss));
		stats_format(COL_CPU, p->cpu_pct, cpu, sizeof(cpu));
		if (i == t->sel)
			attron(COLOR_PAIR(PAIR_SEL) | A_BOLD);
		printw("%7d ", p->pid);
		put_fit(p->user, 10, false);
		printw(" %c %6s %7s  ", p->state, cpu, rss);
		if (pw) {
			if (!cgtop_proc_penalty(t, p, pen, sizeof(pen)))
				snprintf(pen, sizeof(pen), "-");
			put_fit(pen, pw - 1, false);
			addch(' ');
		}
		put_text(p->cmd, COLS > 36 + pw ? COLS - 36 - pw : 1, false);
		if (i == t->sel) {
			printw("%*s", COLS - getcurx(stdscr) > 0 ? COLS - getcurx(stdscr) : 0, "");
			attroff(COLOR_PAIR(PAIR_SEL) | A_BOLD);
		}
	}
}

/* One graph of the detail view: a title, then h lines, the scale at the left. */
static int draw_graph(int y, int h, const char *title, const double *v, size_t n, double top,
		      enum stats_col unit)
{
	char out[4 * STATS_RING + 1], lab[32];

	move(y++, 0);
	clrtoeol();
	attron(A_BOLD);
	put_text(title, COLS - 1, false);
	attroff(A_BOLD);
	for (int l = 0; l < h; l++) {
		move(y + l, 0);
		clrtoeol();
		lab[0] = '\0';
		if (l == 0)
			stats_format(unit, top, lab, sizeof(lab));
		else if (l == h - 1)
			snprintf(lab, sizeof(lab), "0");
		printw("%7s |", lab);
		stats_graph_line(v, n, top, h, l, screen_utf8, out, sizeof(out));
		addstr(out);
	}
	return y + h;
}

/* d: the selected group's CPU% against its cap, memory against its limit,
 * throttling, over the figures kept (the newest at the right). */
static void draw_detail(struct cgtop *t)
{
	long gi = stats_find(t->c, t->detail_path);
	int avail = LINES - HEADER_LINES - 2 - 4, w = COLS - 10, y = HEADER_LINES;
	double v[STATS_RING];
	char title[512], a[32], b[32];
	const struct stats_ring *r;
	const struct stats_group *g;
	size_t n;
	int h_cpu, h_mem, h_thr;

	move(y++, 0);
	clrtoeol();
	attron(A_BOLD);
	printw("graphs of /");
	put_text(t->detail_path, COLS - 40 > 8 ? COLS - 40 : 8, true);
	attroff(A_BOLD);
	printw("   (d or Esc: back)");
	if (gi < 0 || avail < 6 || w < 8) {
		move(y, 0);
		printw(gi < 0 ? "the group is not there now" : "the terminal is too small for graphs");
		return;
	}
	g = stats_group_at(t->c, (size_t)gi);
	r = stats_group_ring(t->c, (size_t)gi);
	if (w > STATS_RING)
		w = STATS_RING;
	h_cpu = avail * 2 / 5;
	h_mem = avail * 2 / 5;
	h_thr = avail - h_cpu - h_mem;
	n = stats_ring_get(r, RING_CPU, v, (size_t)w);
	stats_format(COL_CPU_LIMIT, g->row.f[COL_CPU_LIMIT], a, sizeof(a));
	snprintf(title, sizeof(title), "CPU%% (of one cpu)  now %.1f  cap %s%s", g->row.f[COL_CPU], a,
		 isinf(g->row.f[COL_CPU_LIMIT]) || isnan(g->row.f[COL_CPU_LIMIT]) ? "" : "  (the scale's top)");
	y = draw_graph(y, h_cpu, title, v, n, scale_for(v, n, g->row.f[COL_CPU_LIMIT], 100), COL_CPU);
	n = stats_ring_get(r, RING_MEM, v, (size_t)w);
	stats_format(COL_MEM, g->row.f[COL_MEM], a, sizeof(a));
	stats_format(COL_MEM_LIMIT, g->row.f[COL_MEM_LIMIT], b, sizeof(b));
	snprintf(title, sizeof(title), "memory  now %s  limit %s%s", a, b,
		 isinf(g->row.f[COL_MEM_LIMIT]) || isnan(g->row.f[COL_MEM_LIMIT]) ? "" : "  (the scale's top)");
	y = draw_graph(y, h_mem, title, v, n, scale_for(v, n, g->row.f[COL_MEM_LIMIT], 0), COL_MEM);
	n = stats_ring_get(r, RING_THR, v, (size_t)w);
	snprintf(title, sizeof(title), "throttled %% of periods  now %.1f", g->row.f[COL_THROTTLED]);
	draw_graph(y, h_thr, title, v, n, 100, COL_THROTTLED);
}

static void draw_help(const char *const (*help)[2], size_t n)
{
	int y = HEADER_LINES;

	move(y++, 0);
	attron(A_BOLD);
	printw("cgtop keys (any key goes back)");
	attroff(A_BOLD);
	for (size_t i = 0; i < n && y < LINES - 1; i++) {
		move(y++, 0);
		clrtoeol();
		attron(A_BOLD);
		printw("  %-12s", help[i][0]);
		attroff(A_BOLD);
		printw(" %s", help[i][1]);
	}
	while (y < LINES - 1) {
		move(y++, 0);
		clrtoeol();
	}
}

uint32_t screen_columns(const struct cgtop *t)
{
	int path_w;

	return fit_cols(t->cols, COLS - spark_width(t), &path_w) | (t->view.sort < COL_COUNT ? COL_BIT(t->view.sort) : 0);
}

void screen_draw(struct cgtop *t, const char *const (*help)[2], size_t nhelp)
{
	erase();
	draw_header(t);
	switch (t->mode) {
	case MODE_GROUPS:
		draw_groups(t);
		break;
	case MODE_PROCS:
		draw_procs(t);
		break;
	case MODE_HELP:
		draw_help(help, nhelp);
		break;
	case MODE_DETAIL:
		draw_detail(t);
		break;
	}
	draw_bar(t);
	refresh();
}

bool screen_prompt(struct cgtop *t, const char *question, char *buf, size_t len)
{
	size_t n = strlen(buf);
	int ch;

	(void)t;
	curs_set(1);
	timeout(-1);
	for (;;) {
		move(LINES - 1, 0);
		clrtoeol();
		attron(A_BOLD);
		put_text(question, COLS - 2 - (int)n > 8 ? COLS - 2 - (int)n : 8, false);
		attroff(A_BOLD);
		printw("%s", buf);
		refresh();
		ch = getch();
		if (ch == 27) {
			curs_set(0);
			return false;
		}
		if (ch == '\n' || ch == KEY_ENTER || ch == '\r')
			break;
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
			buf[--n] = '\0';
		else if (ch >= 32 && ch < 127 && n + 1 < len) {
			buf[n++] = (char)ch;
			buf[n] = '\0';
		}
	}
	curs_set(0);
	return true;
}

int screen_menu(struct cgtop *t, const char *title, const char *const *items, size_t n)
{
	size_t sel = 0;
	int w = (int)strlen(title) + 4, h = (int)n + 2, ch;

	(void)t;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(items[i]) + 6 > w)
			w = (int)strlen(items[i]) + 6;
	if (w > COLS - 2)
		w = COLS - 2;
	if (h > LINES - 2)
		h = LINES - 2;
	timeout(-1);
	for (;;) {
		int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
		size_t first = sel >= (size_t)(h - 2) ? sel - (size_t)(h - 2) + 1 : 0;

		for (int y = 0; y < h; y++) {
			move(y0 + y, x0);
			attron(COLOR_PAIR(PAIR_BAR));
			printw("%*s", w, "");
			attroff(COLOR_PAIR(PAIR_BAR));
		}
		attron(COLOR_PAIR(PAIR_BAR) | A_BOLD);
		move(y0, x0 + 1);
		put_text(title, w - 2, false);
		attroff(COLOR_PAIR(PAIR_BAR) | A_BOLD);
		for (size_t i = first; i < n && (int)(i - first) < h - 2; i++) {
			int a = i == sel ? (COLOR_PAIR(PAIR_SEL) | A_BOLD) : COLOR_PAIR(PAIR_BAR);

			attron(a);
			mvprintw(y0 + 1 + (int)(i - first), x0 + 1, " ");
			put_fit(items[i], w - 3, false);
			attroff(a);
		}
		refresh();
		ch = getch();
		if (ch == 27 || ch == 'q')
			return -1;
		if (ch == '\n' || ch == KEY_ENTER || ch == '\r')
			return (int)sel;
		if ((ch == KEY_DOWN || ch == 'j') && sel + 1 < n)
			sel++;
		if ((ch == KEY_UP || ch == 'k' || ch == 'K') && sel > 0)
			sel--;
	}
}

bool screen_confirm(struct cgtop *t, const char *question)
{
	int ch;

	(void)t;
	move(LINES - 1, 0);
	clrtoeol();
	attron(A_BOLD | COLOR_PAIR(PAIR_OOM));
	put_text(question, COLS - 8, false);
	printw(" [y/N] ");
	attroff(A_BOLD | COLOR_PAIR(PAIR_OOM));
	refresh();
	timeout(-1);
	ch = getch();
	return ch == 'y' || ch == 'Y';
}

bool screen_usable(char *why, size_t len)
{
	const char *term = getenv("TERM");
	char *cup;
	int err = 0;

	/* initscr() exits the program on a terminal type it does not know */
	if (!term || !*term) {
		snprintf(why, len, "TERM is not set");
		return false;
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		snprintf(why, len, "TERM=%.40s is not a terminal type this system knows", term);
		return false;
	}
	cup = tigetstr("cup");
	del_curterm(cur_term);
	if (!cup || (intptr_t)cup == -1) {   /* -1: not a string capability */
		snprintf(why, len, "TERM=%.40s cannot move the cursor", term);
		return false;
	}
	return true;
}

int screen_start(void)
{
	if (!initscr())
		return -1;
	screen_utf8 = stats_locale_utf8();
	set_escdelay(25);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_SEL, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_OOM, COLOR_RED, -1);
		init_pair(PAIR_BAR, COLOR_BLACK, COLOR_WHITE);
		init_pair(PAIR_KEY, COLOR_CYAN, -1);
	}
	return 0;
}

void screen_stop(void)
{
	endwin();
}

int screen_key(int timeout_ms)
{
	int ch;

	timeout(timeout_ms);
	ch = getch();
	return ch == ERR ? SCREEN_NO_KEY : ch == KEY_RESIZE ? SCREEN_RESIZE : ch;
}
