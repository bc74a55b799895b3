/* cgkitd's main loop and its client commands (docs/cgkitd.8): the glue
 * between the rules, the judge, the actor, the log and the process events.
 * The command (src/cgkitd.c) parses the command line and calls one of
 * these; they print, and return the exit status. */
#ifndef CGKIT_DAEMON_H
#define CGKIT_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#define CGKITD_DEFAULT_CONF "/etc/cgkit/rules.yaml"
#define CGKITD_EXIT_RUNTIME 1
#define CGKITD_EXIT_USAGE 2
#define CGKITD_EXIT_BAD 125
#define CGKITD_FORGIVE_DIR "forgive.d"

/* --check: 0 or 125 with every error. */
int daemon_check(const char *conf);
/* The daemon in the foreground until SIGTERM/SIGINT. */
int daemon_run(const char *conf, bool dry_run);
int daemon_status(const char *conf, bool json);
/* user NULL: by pid. */
int daemon_forgive(const char *conf, const char *user, pid_t pid, const char *rule);
int daemon_explain(const char *conf, pid_t pid);

#endif
