/* The key bindings: one table, shown as the help screen; each action
 * changes the state and returns what the loop must redo before it draws. */
#include "keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "screen.h"

#define M_GROUPS (1u << MODE_GROUPS)
#define M_PROCS (1u << MODE_PROCS)
#define M_BOTH (M_GROUPS | M_PROCS)
#define M_DETAIL (1u << MODE_DETAIL)
#define M_ALL (M_BOTH | M_DETAIL)

static size_t rows_shown(const struct cgtop *t)
{
	return t->mode == MODE_PROCS ? t->procs.n : t->n_order;
}

static void select_row(struct cgtop *t, long i)
{
	long n = (long)rows_shown(t);

	if (i >= n)
		i = n - 1;
	if (i < 0)
		i = 0;
	t->sel = (size_t)i;
	t->sel_path[0] = '\0';   /* the group now selected is remembered on drawing */
}

static long page(void)
{
	return LINES > 6 ? LINES - 5 : 1;
}

static unsigned up(struct cgtop *t) { select_row(t, (long)t->sel - 1); return 0; }
static unsigned down(struct cgtop *t) { select_row(t, (long)t->sel + 1); return 0; }
static unsigned page_up(struct cgtop *t) { select_row(t, (long)t->sel - page()); return 0; }
static unsigned page_down(struct cgtop *t) { select_row(t, (long)t->sel + page()); return 0; }
static unsigned home(struct cgtop *t) { select_row(t, 0); return 0; }
static unsigned end(struct cgtop *t) { select_row(t, (long)rows_shown(t) - 1); return 0; }

/* Same key again reverses. */
static unsigned sort_by(struct cgtop *t, int col, int proc_key)
{
	if (t->mode == MODE_PROCS) {
		if (t->proc_sort == proc_key)
			t->proc_reverse = !t->proc_reverse;
		else
			t->proc_reverse = false;
		t->proc_sort = proc_key;
		return 0;   /* the list is sorted before each drawing */
	}
	if (t->view.sort == col)
		t->view.reverse = !t->view.reverse;
	else
		t->view.reverse = false;
	t->view.sort = col;
	return CGTOP_VIEW;
}

static unsigned sort_cpu(struct cgtop *t) { return sort_by(t, COL_CPU, 'c'); }
static unsigned sort_mem(struct cgtop *t) { return sort_by(t, COL_MEM, 'm'); }
static unsigned sort_io(struct cgtop *t) { return sort_by(t, COL_IO_READ, 'c'); }
static unsigned sort_pids(struct cgtop *t) { return sort_by(t, COL_PIDS, 'p'); }
static unsigned sort_thr(struct cgtop *t) { return sort_by(t, COL_THROTTLED, 'c'); }
static unsigned sort_name(struct cgtop *t) { return sort_by(t, COL_NAME, 'n'); }

static unsigned toggle_tree(struct cgtop *t)
{
	t->view.tree = !t->view.tree;
	return CGTOP_VIEW;
}

static unsigned toggle_machine(struct cgtop *t) { t->machine_pct = !t->machine_pct; return 0; }
static unsigned toggle_raw(struct cgtop *t) { t->mem_raw = !t->mem_raw; return 0; }
static unsigned quit(struct cgtop *t) { t->quit = true; return 0; }
static unsigned help(struct cgtop *t) { t->mode = MODE_HELP; return 0; }

static unsigned faster(struct cgtop *t)
{
	t->interval = t->interval > 1.0 ? t->interval - 0.5 : t->interval / 2;
	if (t->interval < 0.1)
		t->interval = 0.1;
	return 0;
}

static unsigned slower(struct cgtop *t)
{
	t->interval = t->interval >= 1.0 ? t->interval + 0.5 : t->interval * 2;
	if (t->interval > 3600)
		t->interval = 3600;
	return 0;
}

static unsigned filter_prompt(struct cgtop *t)
{
	char buf[sizeof(t->filter)];

	snprintf(buf, sizeof(buf), "%s", t->filter);
	if (!screen_prompt(t, "filter (part of the path, empty for none): ", buf, sizeof(buf)))
		return 0;
	snprintf(t->filter, sizeof(t->filter), "%s", buf);
	select_row(t, 0);
	return CGTOP_VIEW;
}

static unsigned enter(struct cgtop *t)
{
	long g = cgtop_selected_group(t);

	if (g < 0)
		return 0;
	snprintf(t->proc_group, sizeof(t->proc_group), "%s", stats_group_at(t->c, (size_t)g)->path);
	t->proc_group_idx = g;
	t->mode = MODE_PROCS;
	t->sel = t->top = 0;
	return CGTOP_PROCS;
}

static unsigned back(struct cgtop *t)
{
	t->mode = MODE_GROUPS;
	t->top = 0;
	return 0;
}

/* ---- replay ---- */

static bool replaying(struct cgtop *t)
{
	if (!t->replay_dir)
		cgtop_say(t, "[ ] @ step through a history: start cgtop with --replay DIR");
	return t->replay_dir != NULL;
}

static unsigned step(struct cgtop *t, int dir)
{
	cg_err e = {0};
	int r;

	if (!replaying(t))
		return 0;
	t->playing = false;
	r = cgtop_replay_step(t, dir, &e);
	if (r < 0)
		cgtop_say(t, "replay: %s", e.msg);
	else if (r == 0)
		cgtop_say(t, "replay: the %s recorded sample", dir < 0 ? "first" : "last");
	return CGTOP_VIEW;
}

static unsigned step_back(struct cgtop *t) { return step(t, -1); }
static unsigned step_forward(struct cgtop *t) { return step(t, 1); }

static unsigned go_to(struct cgtop *t)
{
	char buf[64] = "";
	uint64_t at;
	cg_err e = {0};

	if (!replaying(t))
		return 0;
	t->playing = false;
	if (!screen_prompt(t, "go to (03:10, 2026-12-01 03:10, 10m ago): ", buf, sizeof(buf)) || !buf[0])
		return 0;
	if (stats_time_parse(buf, time(NULL), &at, &e) < 0 || cgtop_replay_goto(t, at, &e) < 0)
		cgtop_say(t, "%s", e.msg);
	return CGTOP_VIEW;
}

static unsigned space(struct cgtop *t)
{
	if (t->replay_dir)
		t->playing = !t->playing;
	else
		t->paused = !t->paused;
	return 0;
}

/* ---- pictures ---- */

static unsigned spark_cycle(struct cgtop *t)
{
	t->spark = t->spark == SPARK_CPU ? SPARK_MEM : t->spark == SPARK_MEM ? SPARK_OFF : SPARK_CPU;
	return 0;
}

static unsigned detail(struct cgtop *t)
{
	long g = cgtop_selected_group(t);

	if (g < 0)
		return 0;
	snprintf(t->detail_path, sizeof(t->detail_path), "%s", stats_group_at(t->c, (size_t)g)->path);
	t->mode = MODE_DETAIL;
	return 0;
}

static unsigned detail_back(struct cgtop *t)
{
	t->mode = MODE_GROUPS;
	return 0;
}

/* The columns shown (the loop has the collector read what they need). */
static unsigned fields(struct cgtop *t)
{
	for (;;) {
		char lines[COL_COUNT][96];
		const char *items[COL_COUNT + 1];
		int k;

		for (size_t c = 0; c < COL_COUNT; c++) {
			snprintf(lines[c], sizeof(lines[c]), "[%c] %-10s %s",
				 t->cols & COL_BIT(c) ? 'x' : ' ', stats_cols[c].name, stats_cols[c].title);
			items[c] = lines[c];
		}
		items[COL_COUNT] = "done";
		k = screen_menu(t, "columns: Enter toggles", items, COL_COUNT + 1);
		if (k < 0 || k == COL_COUNT)
			break;
		if ((t->cols & ~COL_BIT(k)) == 0)
			continue;   /* keep at least one */
		t->cols ^= COL_BIT(k);
	}
	return 0;
}

const struct key_binding key_bindings[] = {
	{KEY_UP, "Up K ^P", "move up", up, M_BOTH},
	{'K', NULL, NULL, up, M_BOTH},
	{16, NULL, NULL, up, M_BOTH},
	{KEY_DOWN, "Down j ^N", "move down", down, M_BOTH},
	{'j', NULL, NULL, down, M_BOTH},
	{14, NULL, NULL, down, M_BOTH},
	{KEY_PPAGE, "PgUp", "page up", page_up, M_BOTH},
	{KEY_NPAGE, "PgDn", "page down", page_down, M_BOTH},
	{KEY_HOME, "Home g", "first row", home, M_BOTH},
	{'g', NULL, NULL, home, M_BOTH},
	{KEY_END, "End G", "last row", end, M_BOTH},
	{'G', NULL, NULL, end, M_BOTH},
	{'c', "c", "sort by CPU% (again: reverse)", sort_cpu, M_BOTH},
	{'m', "m", "sort by memory (processes: RSS)", sort_mem, M_BOTH},
	{'i', "i", "sort by io (read + write per second)", sort_io, M_GROUPS},
	{'p', "p", "sort by pids (processes: by pid)", sort_pids, M_BOTH},
	{'t', "t", "sort by throttled %", sort_thr, M_GROUPS},
	{'n', "n", "sort by name", sort_name, M_BOTH},
	{'T', "T", "tree or flat list", toggle_tree, M_GROUPS},
	{'/', "/", "filter groups by a part of their path", filter_prompt, M_GROUPS},
	{'\n', "Enter", "show the processes of the group (and below)", enter, M_GROUPS},
	{KEY_ENTER, NULL, NULL, enter, M_GROUPS},
	{27, "Esc", "back to the groups", back, M_PROCS},
	{KEY_LEFT, NULL, NULL, back, M_PROCS},
	{'k', "k", "send a signal to every process of the group (or to the process)",
	 action_signal, M_BOTH},
	{'f', "f", "freeze or thaw the group", action_freeze, M_GROUPS},
	{'e', "e", "change the group's cpu, memory or pids limit", action_edit_limit, M_GROUPS},
	{'C', "C", "cap the group or process: move it into a group made from a profile",
	 action_cap, M_BOTH},
	{'F', "F", "choose the columns", fields, M_GROUPS},
	{'%', "%", "CPU% of one cpu or of the whole machine", toggle_machine, M_GROUPS},
	{'M', "M", "memory without inactive page cache, or raw usage", toggle_raw, M_GROUPS},
	{'+', "+", "refresh less often (replay: play slower)", slower, M_ALL},
	{'-', "-", "refresh more often (replay: play faster)", faster, M_ALL},
	{' ', "space", "pause or resume (replay: play or pause)", space, M_ALL},
	{'[', "[ ]", "replay: one sample back, forward", step_back, M_GROUPS | M_DETAIL},
	{']', NULL, NULL, step_forward, M_GROUPS | M_DETAIL},
	{'@', "@", "replay: go to a time", go_to, M_GROUPS | M_DETAIL},
	{'s', "s", "sparkline column: CPU%, memory, none", spark_cycle, M_GROUPS},
	{'d', "d", "graphs of the group: CPU% and cap, memory and limit, throttling",
	 detail, M_GROUPS},
	{27, NULL, NULL, detail_back, M_DETAIL},
	{'d', NULL, NULL, detail_back, M_DETAIL},
	{KEY_LEFT, NULL, NULL, detail_back, M_DETAIL},
	{'h', "h ?", "this help", help, M_BOTH},
	{'?', NULL, NULL, help, M_BOTH},
	{'q', "q", "quit", quit, M_ALL},
};
const size_t n_key_bindings = sizeof(key_bindings) / sizeof(key_bindings[0]);

/* What a replay cannot do: the groups shown are recorded, not there. */
static const char *not_in_replay(unsigned (*run)(struct cgtop *t))
{
	if (run == action_signal || run == action_freeze || run == action_edit_limit ||
	    run == action_cap)
		return "replay: the groups shown are recorded; signals, freezing, limits and caps "
		       "act only on live groups (cgtop without --replay)";
	if (run == enter)
		return "replay: processes are not recorded; the history holds the groups' figures";
	return NULL;
}

unsigned keys_dispatch(struct cgtop *t, int key)
{
	if (key == '\r')
		key = '\n';
	for (size_t i = 0; i < n_key_bindings; i++)
		if (key_bindings[i].key == key && (key_bindings[i].modes & (1u << t->mode))) {
			const char *no = t->replay_dir ? not_in_replay(key_bindings[i].run) : NULL;

			if (no) {
				cgtop_say(t, "%s", no);
				return 0;
			}
			return key_bindings[i].run(t);
		}
	return 0;
}

size_t keys_help(const char *(*out)[2], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < n_key_bindings && n < max; i++)
		if (key_bindings[i].help) {
			out[n][0] = key_bindings[i].keyname;
			out[n][1] = key_bindings[i].help;
			n++;
		}
	return n;
}
