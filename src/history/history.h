/* The history store (issue 14): what every group used, sample by sample, and
 * cgkitd's actions, in hourly segment files that one writer appends to and
 * any number of readers read (docs/history-format.md is the format). It uses
 * only base/ and stats_calc.h's struct stats_sample: the raw values, in
 * kernel units, with their `have` bits. */
#ifndef CGKIT_HISTORY_H
#define CGKIT_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "stats_calc.h"

struct hist_opts {
	const char *dir;        /* the history directory (made 0750 if absent) */
	uint64_t interval_us;   /* the recording interval (written in each header) */
	uint64_t keep_us;       /* 0: keep all; else whole segments older are removed */
	uint64_t max_bytes;     /* 0: no cap; else oldest whole segments removed to stay under */
};
struct hist_group { const char *path; struct stats_sample s; };  /* path "" root, "a/b" */
struct hist_writer;
/* Takes the directory's lock (flock on DIR/lock, LOCK_EX|LOCK_NB: a second writer gets
 * -1 EWOULDBLOCK "DIR is being written by pid N"), opens or creates the current hourly
 * segment (cutting a torn tail off first). */
int hist_writer_open(struct hist_writer **w, const struct hist_opts *o, cg_err *e);
/* One sample of every group, one record, one write(). */
int hist_write_sample(struct hist_writer *w, uint64_t time_us, const struct hist_group *g,
		      size_t n, cg_err *e);
/* One action-log line (cgkitd's JSON), one record. */
int hist_write_event(struct hist_writer *w, uint64_t time_us, const char *json, cg_err *e);
void hist_writer_close(struct hist_writer *w);
/* Bytes written so far by this writer (for the bench: bytes per group per sample). */
uint64_t hist_writer_bytes(const struct hist_writer *w);

struct hist_frame {
	uint64_t time_us;
	size_t n;                /* groups in this sample */
	struct hist_group *g;    /* owned by the reader; valid until the next call */
	size_t n_events;         /* action lines recorded since the previous sample */
	const char *const *events;
	uint64_t interval_us;    /* from the segment's header */
};
struct hist_reader;
/* Opens every segment of dir (read only, no lock): a torn last record is cut off in
 * memory (never an error), a record with a bad CRC ends its segment there. */
int hist_reader_open(struct hist_reader **r, const char *dir, cg_err *e);
/* Positions at the first sample at or after t (0: the first). */
int hist_seek(struct hist_reader *r, uint64_t time_us, cg_err *e);
/* The sample at the position, then moves forward: 1, 0 at the end, -1 error. */
int hist_next(struct hist_reader *r, struct hist_frame *f, cg_err *e);
/* Moves back one sample and returns it: 1, 0 at the start, -1. */
int hist_prev(struct hist_reader *r, struct hist_frame *f, cg_err *e);
/* Time of the first and last samples (0, 0 when empty). */
void hist_range(const struct hist_reader *r, uint64_t *first_us, uint64_t *last_us);
void hist_reader_close(struct hist_reader *r);

#endif
