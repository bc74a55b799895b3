/* What the daemon's loop (daemon.c) and its client commands (client.c)
 * share; internal to src/daemon. */
#ifndef CGKIT_DAEMON_INT_H
#define CGKIT_DAEMON_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

/* Wall-clock time in microseconds (the state's and the log's times). */
uint64_t daemon_now_us(void);
/* The rules' interval, the default when unset (microseconds). */
uint64_t daemon_interval(const struct rules *r);
/* The state directory, the default when unset. */
const char *daemon_state_dir(const struct rules *r);
/* Loads and checks conf (metrics address included); prints the errors, and
 * the warnings when print_warnings. NULL when it is bad. */
struct rules *daemon_load_rules(const char *conf, bool print_warnings);

#endif
