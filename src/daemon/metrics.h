/* cgkitd's /metrics (docs/cgkitd.8, METRICS): a small HTTP server
 * (libmicrohttpd, its own thread) that answers Prometheus's scrapes.
 *
 * The daemon's loop and the HTTP side share one thing: the figures the loop
 * publishes after each tick (struct metrics_tally, copied under a mutex).
 * Everything else a scrape needs (the groups' statistics) the HTTP side
 * reads itself, with a collector it owns, so that a scrape never waits for
 * the loop and the loop never waits for a scrape. */
#ifndef CGKIT_METRICS_H
#define CGKIT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "err.h"
#include "layout.h"
#include "rules.h"

#define METRICS_DEFAULT_LISTEN "127.0.0.1:9269"

/* The action log's action names, in the order the families list them. */
enum metrics_action { MA_CLASSIFY, MA_CAP, MA_FREEZE, MA_KILL, MA_RELEASE, MA_FORGIVE, MA_N };

struct metrics_rule_tally {
	char *rule; /* "" for the actions of no rule (classify) */
	uint64_t offences;
	uint64_t actions[MA_N];
	unsigned penalties; /* running now */
};

/* What the loop counts (pure; kept by the daemon, copied when published).
 * Counters are kept by rule name and never drop a rule, so that a reload
 * does not reset them. */
struct metrics_tally {
	struct metrics_rule_tally *v;
	size_t n, cap;
	uint64_t events_lost; /* times the process-event connector lost events */
	uint64_t rescans;     /* full scans of /proc */
};

extern const char *const metrics_action_names[MA_N];

/* The action's index, or -1 for a name the log does not use. */
int metrics_action_index(const char *action);
/* One action of the log (its rule may be NULL); an offence counts as one
 * too when `offence`. -1: no memory (nothing counted). */
int metrics_tally_action(struct metrics_tally *t, const char *rule, const char *action,
			 bool offence);
/* Sets every rule's running penalties to 0, before metrics_tally_penalty()
 * counts them again. */
void metrics_tally_clear_penalties(struct metrics_tally *t);
int metrics_tally_penalty(struct metrics_tally *t, const char *rule);
/* dst gets a deep copy of src (dst's old contents freed). -1: no memory. */
int metrics_tally_copy(struct metrics_tally *dst, const struct metrics_tally *src);
void metrics_tally_free(struct metrics_tally *t);

/* "127.0.0.1:9269", "[::1]:9269", "0.0.0.0:9269", "[::]:9269": numeric
 * addresses only (no name lookup at start). -1 with the reason in e. */
int metrics_parse_listen(const char *s, struct sockaddr_storage *out, socklen_t *len, cg_err *e);
/* The address to listen on: the file's, or the default. */
const char *metrics_listen_of(const struct rules_metrics *m);
/* The rules file's metrics section as the daemon will use it: every error
 * printed as PATH:LINE:COL: error: ... -1 when there is one. */
int metrics_check(const struct rules *r, FILE *err);
/* Whether two files' metrics sections differ (a reload restarts the
 * listener only then). */
bool metrics_config_differs(const struct rules_metrics *a, const struct rules_metrics *b);

/* Which groups the metrics (and the history) export: metrics.groups as the
 * file gives them, the depth (-1: all), and the collector's subtree when
 * the file names one prefix only (start, relative; NULL: the whole tree). */
struct metrics_sel {
	char *start;
	char **groups;
	size_t ngroups;
	int depth;
};
/* From the file's section (absent or without groups: every group). -1: no
 * memory (what was made is freed by metrics_sel_free). */
int metrics_sel_make(struct metrics_sel *sel, const struct rules_metrics *m);
void metrics_sel_free(struct metrics_sel *sel);

struct metrics;

/* Starts listening as the section says (it must have passed
 * metrics_check()). The layout is borrowed and must outlive the server.
 * NULL with the reason in e (the address in use, ...). */
struct metrics *metrics_start(const struct rules_metrics *m, const struct cg_layout *l, cg_err *e);
/* The loop's figures, copied (the caller keeps t). Never waits for a
 * scrape: the mutex is held only for the copy. */
void metrics_publish(struct metrics *s, const struct metrics_tally *t);
/* The address it listens on, for the start message. */
const char *metrics_address(const struct metrics *s);
/* Stops the server (waits for a scrape being answered) and frees it. */
void metrics_stop(struct metrics *s);

/* One scrape rendered into out, as the HTTP side answers it (for tests and
 * the server itself). */
void metrics_render(struct metrics *s, FILE *out, bool openmetrics);

#endif
