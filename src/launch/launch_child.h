/* The child side of a launch: what runs between clone() and execve(). It
 * sets up the hostname and lo while cgrun makes its leaves, waits on the
 * start pipe for them, opens them, sets up the root filesystem the profile
 * asks for, and executes the command once it has moved into its leaf in
 * every hierarchy; in a new pid namespace a tiny init (outside the leaf) does
 * this and forks the command, which moves itself in. Failures travel back to cgrun over the error pipe as
 * one struct child_report (smaller than PIPE_BUF, so written atomically). */
#ifndef CGKIT_LAUNCH_CHILD_H
#define CGKIT_LAUNCH_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "launch_cg.h"

enum child_stage {
	CHILD_OK,
	CHILD_SETUP,     /* a namespace, mount or user step failed: cgrun exits 125 */
	CHILD_EXEC,      /* execve failed: 126 or 127 from errnum */
	CHILD_DONE,      /* the tiny init: the command ended, errnum is cgrun's exit
			  * code for it; init and its namespace end right after */
};

struct child_report {
	int stage;       /* enum child_stage */
	int errnum;
	char msg[480];
};

/* Everything the child needs, prepared by cgrun before clone(). */
struct child_spec {
	unsigned ns;                 /* enum ns_kind bits */
	const char *hostname;
	const char *root;            /* new root (rootfs or the overlay mount point), or NULL */
	const char *rootfs;          /* profile rootfs, or NULL */
	const char *const *layers;   /* overlay lower layers, top first */
	size_t n_layers;
	const char *upper, *work;    /* overlay upper and work directories */
	bool set_user;
	uid_t uid;
	gid_t gid;
	const char *workdir;
	char **env;                  /* the command's whole environment */
	char **argv;
	bool no_init;
	bool tty;                    /* stdin is the terminal and cgrun had its foreground */
	unsigned ignored;            /* 1 << i: launch_forwarded_signals[i] was ignored
				      * when cgrun started (nohup): ignored again for
				      * the command */
	bool pipe_ignored;           /* SIGPIPE was ignored when cgrun started */
	const struct launch_cg *cg;  /* the group(s) whose leaf to join */
	int lock_fd;                 /* shared with cgrun: closed once joined */
	int start_fd;                /* read end of the start pipe: cgrun writes "g"
				      * once the leaves are made (and a user
				      * namespace's maps written); closed means
				      * cgrun gave up or is gone */
	int report_fd;               /* write end of the error pipe (O_CLOEXEC) */
};

/* Runs in the freshly cloned child; never returns. */
__attribute__((noreturn)) void child_main(const struct child_spec *s);

/* Signals cgrun (and the init) pass on to the workload. */
extern const int launch_forwarded_signals[];
extern const size_t launch_n_forwarded_signals;

#endif
