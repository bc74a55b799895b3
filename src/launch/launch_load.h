/* The profile a launch, --pid or --gc works on: the file (-p) or one made
 * for the command, with the command line's overrides applied. Shared by the
 * three verbs (launch_run.c, launch_pid.c, launch_gc.c). */
#ifndef CGKIT_LAUNCH_LOAD_H
#define CGKIT_LAUNCH_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "launch.h"
#include "profile.h"

/* Loads o's profile and applies the overrides. The profile's diagnostics
 * are printed (to stderr) when say, or when it is refused: this is the
 * cgrun command's loader. NULL with e set on failure. */
struct profile *launch_load(const struct launch_opts *o, bool say, cg_err *e);
/* The profile with --name, --parent and -g only: what the group is without
 * the resource overrides, given as text ("--cpu 90% --pids max") in text
 * for messages. NULL with nothing in text when there are none; NULL with
 * text and e set when it cannot be loaded. */
struct profile *launch_load_base(const struct launch_opts *o, char *text, size_t len, cg_err *e);

#endif
