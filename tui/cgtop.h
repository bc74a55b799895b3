/* cgtop's state, shared by the main loop (cgtop.c), the screen (screen.c),
 * the key bindings (keys.c) and the actions on groups (actions.c). The
 * numbers come from the library's collector (src/stats.h); this directory
 * only draws them and acts on keys. */
#ifndef CGTOP_H
#define CGTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "stats.h"

enum cgtop_mode { MODE_GROUPS, MODE_PROCS, MODE_HELP };

struct cgtop {
	/* options */
	double interval;          /* seconds */
	long iterations;          /* -n; 0: until q */
	int depth;                /* --depth; -1: all */
	const char *start;        /* group path to start from / -p */
	const char *profiles;     /* --profiles: the directory C offers, or NULL */
	bool batch, json;
	bool no_skip;             /* --no-skip: every file at every refresh */
	uint32_t cols;
	uint32_t read_cols;       /* columns the collector reads (those that fit) */

	/* data */
	struct cg_layout layout;
	struct stats_collector *c;
	struct stats_host host;
	double refresh_ms;
	uint32_t *order, *scratch;
	size_t order_cap, n_order;
	struct stats_view_opts view;
	char filter[256];
	bool machine_pct, mem_raw, paused;

	/* screen */
	enum cgtop_mode mode;
	size_t sel, top;          /* selected row and first row shown */
	char sel_path[4096];      /* selection follows the group when rows move */
	struct stats_procs procs;
	uint32_t *proc_order;
	int proc_sort;            /* 'c' cpu, 'm' rss, 'p' pid, 'n' command */
	bool proc_reverse;
	char proc_group[4096];    /* path of the group whose processes are shown */
	long proc_group_idx;
	char msg[512];            /* one line for the user, shown until the next key */
	bool quit;
};

/* cgtop.c */
/* Sets the one-line message shown in the bottom bar. */
void cgtop_say(struct cgtop *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cgtop_refresh(struct cgtop *t);
void cgtop_build_view(struct cgtop *t);
struct stats_frame cgtop_frame(const struct cgtop *t);

/* screen.c */
/* Whether TERM names a terminal the screen can be drawn on (known, with
 * cursor addressing); when not, why in why. */
bool screen_usable(char *why, size_t len);
int screen_run(struct cgtop *t);
/* Asks for a line of text at the bottom; returns false on Escape. */
bool screen_prompt(struct cgtop *t, const char *question, char *buf, size_t len);
/* A list to choose from; returns the index or -1 on Escape. */
int screen_menu(struct cgtop *t, const char *title, const char *const *items, size_t n);
bool screen_confirm(struct cgtop *t, const char *question);
void screen_draw(struct cgtop *t);

/* keys.c */
struct key_binding {
	int key;
	const char *keyname;
	const char *help;
	void (*run)(struct cgtop *t);
	unsigned modes;           /* 1 << enum cgtop_mode where it works */
};
extern const struct key_binding key_bindings[];
extern const size_t n_key_bindings;
/* Runs the binding for key in the current mode; false when none. */
bool keys_dispatch(struct cgtop *t, int key);

/* actions.c: each says what it did (or why not) in t->msg */
void action_signal(struct cgtop *t);
void action_freeze(struct cgtop *t);
void action_edit_limit(struct cgtop *t);
void action_cap(struct cgtop *t);
/* The selected group's index, or -1. */
long cgtop_selected_group(const struct cgtop *t);

#endif
