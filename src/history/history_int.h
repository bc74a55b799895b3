/* What the tests and the fuzzer use of the history reader besides history.h:
 * a reader over segments in memory. Included by no library file but
 * history_read.c. */
#ifndef CGKIT_HISTORY_INT_H
#define CGKIT_HISTORY_INT_H

#include "history.h"

/* A reader over n segments given as buffers (oldest first), which must stay
 * valid until hist_reader_close; otherwise as hist_reader_open. */
int hist_reader_open_mem(struct hist_reader **r, const uint8_t *const *bufs, const size_t *lens,
			 size_t n, cg_err *e);

#endif
