/* The launcher: `cgrun [-p FILE] [overrides] -- CMD...`, `cgrun --pid`,
 * `cgrun --gc`. cgrun.c parses the command line into launch_opts; the
 * launcher does the rest and returns cgrun's exit status. */
#ifndef CGKIT_LAUNCH_H
#define CGKIT_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Exit statuses of cgrun, as documented in docs/cgrun.1. */
#define CGRUN_EXIT_FAIL 125        /* cgrun itself failed */
#define CGRUN_EXIT_NOEXEC 126      /* the command cannot be executed */
#define CGRUN_EXIT_NOTFOUND 127    /* the command was not found */

/* Resource overrides from the command line; NULL when not given. They apply on
 * top of the profile, or make one when there is no profile. */
struct launch_overrides {
	const char *name, *parent, *child;
	const char *cpu, *memory, *pids, *cpus, *io_weight;
};

struct launch_opts {
	const char *profile_path;      /* -p, or NULL */
	struct launch_overrides ov;
	const char **env;              /* --env NAME=VALUE, in order */
	size_t n_env;
	const char *user, *workdir;    /* --user, --workdir */
	bool no_init;                  /* --no-init */
	double stop_timeout;           /* --stop-timeout seconds (default 10) */
	const char *keep_upper;        /* --keep-upper DIR */
	bool stats;                    /* --stats */
	char **argv;                   /* the command, NULL-terminated */
	/* --pid */
	pid_t pid;
	bool tree;
	/* --gc */
	bool force;
};

/* Launches argv; returns the command's exit status, 128+N for a signal, or
 * one of CGRUN_EXIT_*. */
int launch_run(const struct launch_opts *o);
/* Moves a running process (all threads; with tree, its descendants) into the
 * group. Returns 0 or CGRUN_EXIT_FAIL. */
int launch_move_pid(const struct launch_opts *o);
/* Removes empty groups that cgkit created and a killed cgrun left behind. */
int launch_gc(const struct launch_opts *o);

#endif
