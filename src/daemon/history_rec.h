/* cgkitd's history recording (docs/cgkitd.8, HISTORY): with `history:` in the
 * rules file, every history interval each exported group's raw sample and
 * every action-log line go to the history store (src/history).
 *
 * The recorder is a thread of its own with its own stats collector and its
 * own timer, like the HTTP side of /metrics: reading every group's files
 * takes tens of milliseconds at thousands of groups, and a slow disk may
 * hold a write() or an fdatasync() longer still; neither must ever delay
 * the rules. The loop hands it the action-log lines through a small bounded
 * queue (a mutex held for a pointer copy); a line that finds the queue full
 * is dropped and counted, never waited for. */
#ifndef CGKIT_HISTORY_REC_H
#define CGKIT_HISTORY_REC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "layout.h"
#include "rules.h"

#define HIST_REC_DEFAULT_DIR "/var/lib/cgkit/history"
#define HIST_REC_DEFAULT_INTERVAL_US (5ULL * 1000000)
#define HIST_REC_DEFAULT_KEEP_US (7ULL * 86400 * 1000000)
#define HIST_REC_QUEUE 256 /* action lines waiting for the recorder */

/* The section as recorded (defaults filled in). */
const char *hist_rec_dir(const struct rules_history *h);
uint64_t hist_rec_interval(const struct rules_history *h);
uint64_t hist_rec_keep(const struct rules_history *h);

/* Whether a reload must reopen the recorder: the history section differs,
 * or the metrics' group selection it records. */
bool hist_rec_config_differs(const struct rules *a, const struct rules *b);

struct hist_rec;

/* Opens the store (taking its lock: another writer is an error that names
 * its pid) and starts the thread. The groups recorded are those /metrics
 * exports: r->metrics.groups and depth, every group without a metrics
 * section. The layout is borrowed and must outlive the recorder. NULL with
 * the reason in e. */
struct hist_rec *hist_rec_start(const struct rules *r, const struct cg_layout *l, cg_err *e);
/* One action-log line (JSON, its '\n' optional): queued, never waits. */
void hist_rec_event(struct hist_rec *s, uint64_t time_us, const char *line);
/* Stops the thread (the queued lines written first), closes the store. */
void hist_rec_stop(struct hist_rec *s);

#endif
