/* What cgkitd knows of a process when it decides on it, and the decisions
 * that need nothing else: exempt or not, in the users' groups or not, which
 * rule's match selects it. Read from /proc (proc.h); matched with match.h.
 * Used by the loop (daemon.c) and by `cgkitd explain` (client.c). */
#ifndef CGKIT_FACTS_H
#define CGKIT_FACTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "rules.h"

struct facts {
	pid_t pid;
	unsigned long long start;
	uid_t uid;
	char comm[16];
	char *exe;
	char *cgroup;
	bool kthread;
	pid_t ppid;
};

/* Reads pid's facts; -1 when it is gone or unreadable. */
int facts_read(pid_t pid, struct facts *f);
/* In two steps, for the many processes that are exempt by their uid (root,
 * system accounts): the uid (status), then the rest (stat, exe, cgroup).
 * -1 when it is gone or unreadable (nothing held). */
int facts_read_ids(pid_t pid, struct facts *f);
int facts_read_rest(struct facts *f);
/* Why the process is exempt from its pid and uid alone (pid 1,
 * exempt.users), or NULL: facts_exempt() then looks at the rest. */
const char *facts_exempt_uid(const struct rules *r, const struct facts *f, const char *name);
void facts_free(struct facts *f);
/* Why the process is exempt (pid 1, a kernel thread, cgkitd or a command
 * it runs, exempt.users/commands/cgroups), or NULL. name: the user's. */
const char *facts_exempt(const struct rules *r, const struct facts *f, const char *name);
/* Whether the rule's match selects the process. */
bool facts_rule_selects(const struct rule *ru, const struct facts *f, const char *name);
/* Whether the user gets a users' group (users present, uids match). */
bool facts_in_users(const struct rules *r, uid_t uid, const char *name);

#endif
