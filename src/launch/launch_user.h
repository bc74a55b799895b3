/* `user: "1000:1000"`, `--user www-data`: uid[:gid] or name[:group],
 * resolved against the passwd and group files of the root the command will
 * run in. Pure: the files come in as texts. */
#ifndef CGKIT_LAUNCH_USER_H
#define CGKIT_LAUNCH_USER_H

#include <stddef.h>
#include <sys/types.h>

/* Resolves spec. A name needs passwd (may be NULL: then only numbers work);
 * a user's gid defaults to its passwd entry's, a bare uid's to the uid.
 * Returns 0, or -1 with a reason in why (what was wrong, what is right). */
int launch_user_resolve(const char *spec, const char *passwd, const char *group, uid_t *uid,
			gid_t *gid, char *why, size_t whylen);

#endif
