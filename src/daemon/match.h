/* What cgkitd's rules select (docs/cgrules.5): users by name, uid or uid
 * range, commands by base name or a glob on the executable's path, cgroups
 * by path prefix, and the per-user group's name. Pure: no /proc, no NSS;
 * the caller gives what it read (the user's name, /proc/PID/exe, comm). */
#ifndef CGKIT_MATCH_H
#define CGKIT_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

#define MATCH_UID_MAX 4294967294U /* (uid_t)-1 is no user */

/* One entry of a user list: a name (name != NULL), or the uids lo..hi
 * (a uid is lo == hi; "A-" is A..MATCH_UID_MAX). */
struct uid_item {
	char *name;
	uint32_t lo, hi;
	int line, col;
};

struct uid_list {
	bool set; /* the key was given (an empty list is given) */
	struct uid_item *v;
	size_t n;
	int line, col;
};

/* Commands (base names or globs) or cgroup path prefixes, as written. */
struct pat_list {
	bool set;
	struct pstr *v;
	size_t n;
	int line, col;
};

/* Parses "alice", "1000", "1000-2000" or "1000-" into *it (name strdup'ed).
 * Returns 0, or -1 with a reason ("... : give ...") in *why. */
int match_uid_parse(const char *s, struct uid_item *it, const char **why);
/* Whether user `uid`, whose name is `name` (NULL: unknown), is in the list. */
bool match_uid(const struct uid_list *l, uint32_t uid, const char *name);

/* NULL when `pat` is a valid command pattern, else a reason. A pattern
 * without '/' is a base name (glob characters allowed: python3*); one with
 * '/' is a glob on the whole executable path and starts with '/' or '*'. */
const char *match_command_invalid(const char *pat);
/* Whether a process with executable `exe` (the resolved /proc/PID/exe,
 * NULL if unknown; a trailing " (deleted)" is ignored) and `comm` (NULL if
 * unknown) matches `pat`. A base name matches the exe's base name or comm
 * (comm is cut at 15 bytes by the kernel: a longer name matches its first
 * 15 bytes there); a path glob matches the exe with fnmatch, '*' crossing
 * '/' (so "*\/miner*" matches /tmp/x/miner). */
bool match_command(const char *pat, const char *exe, const char *comm);
bool match_commands(const struct pat_list *l, const char *exe, const char *comm);

/* NULL when `prefix` is a valid cgroup path prefix ("/", "/system.slice"),
 * else a reason. */
const char *match_cgroup_invalid(const char *prefix);
/* Whether cgroup `path` is `prefix` or below it, on whole components:
 * /system.slice matches /system.slice/x, not /system.slicex. */
bool match_cgroup(const char *prefix, const char *path);
bool match_cgroups(const struct pat_list *l, const char *path);

/* NULL when `tmpl` is a valid users.group ("users/%u", "/user.slice/
 * user-%U.slice"), else a reason. */
const char *match_group_invalid(const char *tmpl);
/* Expands %u (user name) and %U (uid) of `tmpl` into out. Returns 0, or -1
 * when it does not fit or the name cannot be a group's name (then *why). */
int match_expand_group(const char *tmpl, const char *name, uint32_t uid, char *out, size_t len,
		       const char **why);

#endif
