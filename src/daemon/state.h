/* The judge's persistent part (judge.h): offence counts with their times and
 * the running penalties with since/until and what the actor recorded about
 * them (an opaque string: groups touched, processes moved and where from,
 * base limits to write back). Saved atomically on every change, loaded at
 * start: after a restart, even after SIGKILL, penalties go on with the time
 * they have left, counted from when they began, and are marked restored so
 * that nothing is applied twice. The glue checks, after loading, that each
 * restored process (pid and start time) still runs and calls judge_gone()
 * for those that do not.
 *
 * The file is one JSON object (json.h's writer), read back with libyaml:
 *   {"version":1,"saved":"2024-05-01T12:00:00.000Z","saved_us":N,
 *    "offenders":[{"rule":"cpu-hog","scope":"user","uid":1000,"pid":0,"start":0,
 *      "count":2,"last_offence":US,"forgive_from":US,
 *      "penalty":{"offence":2,"index":1,"kind":1,"since":US,"until":US|null,
 *                 "gone":false,"actor":"..."|null} | null}]}
 * Times are microseconds since the epoch (exact), with RFC 3339 copies
 * ("since_time", ...) for people; unknown members are ignored. A damaged
 * file (truncated, not JSON, a member missing or of the wrong type) is never
 * half taken: it is refused whole, set aside as FILE.bad, and the daemon
 * starts clean. */
#ifndef CGKIT_STATE_H
#define CGKIT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "judge.h"
#include "json.h"

#define STATE_VERSION 1
#define STATE_SIZE_MAX (16u << 20)

struct state {
	struct judge_entry *v; /* strings owned by the state */
	size_t n, cap;
	uint64_t saved_us; /* when it was written (loaded files) */
};

void state_init(struct state *s);
void state_free(struct state *s);
/* Appends a copy of e. -1: no memory. */
int state_add(struct state *s, const struct judge_entry *e);
/* The judge's entries (judge_status), copied. -1: no memory. */
int state_from_judge(struct state *s, const struct judge *j);
/* Takes every entry up into the judge (judge_restore). -1: no memory. */
int state_to_judge(const struct state *s, struct judge *j, cg_err *e);

/* The text of the file. -1: no memory. */
int state_format(const struct state *s, uint64_t now, struct json *out);
/* Reads the text; -1 with what is wrong (and where) in why. */
int state_parse(const char *buf, size_t len, struct state *s, char *why, size_t whylen);

/* Writes atomically: a temporary file in the same directory, fsync, rename
 * over path, fsync of the directory. */
int state_save(const char *path, const struct state *s, uint64_t now, cg_err *e);
/* state_from_judge + state_save, then judge_clean() when it worked. */
int state_save_judge(const char *path, struct judge *j, uint64_t now, cg_err *e);
/* Reads path into s (emptied first). 0: loaded, or no such file (empty).
 * 1: the file is damaged; e says how; with set_aside it was renamed
 * path.bad (the daemon reports it and starts clean; a reader such as
 * cgtop passes false). -1: it could not be read, or renamed (e). */
int state_load(const char *path, struct state *s, bool set_aside, cg_err *e);

#endif
