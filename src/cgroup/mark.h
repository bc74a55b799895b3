/* cgkit's marks on the group directories it made: the extended attribute
 * user.cgkit on the directory, in each hierarchy. "launch" on a group a
 * launch (or --pid) made: the end of the launch and `cgrun --gc` may remove
 * it. "ancestor" on a parent directory a launch or `cgrun --apply` had to
 * make: it goes, with a plain rmdir, when its last child goes. A group made
 * with --apply has no mark (it is the user's), and a directory cgkit did not
 * make never gets one. Launch leaves, <group>/run-<pid>, are known by their
 * name. The one owner of these names and values. */
#ifndef CGKIT_MARK_H
#define CGKIT_MARK_H

#include <stdbool.h>

#define MARK_XATTR "user.cgkit"
#define MARK_LAUNCH "launch"
#define MARK_ANCESTOR "ancestor"
/* A group cgkitd made (a user's group, a penalty group and their parents):
 * cgkitd writes only these and the groups it adopts (users.group absolute). */
#define MARK_DAEMON "cgkitd"

/* Does dir carry the mark `value` (MARK_LAUNCH, MARK_ANCESTOR)? */
bool mark_has(const char *dir, const char *value);
/* Marks dir; -1 with errno where the file system has no user xattrs. */
int mark_set(const char *dir, const char *value);
/* Takes dir's mark away, whatever it is. */
void mark_clear(const char *dir);
/* Removes the empty parents of dir that carry MARK_ANCESTOR, nearest first;
 * stops at the first that is not marked or not empty. */
void mark_remove_ancestors(const char *dir);
/* Is name a launch's leaf: "run-" and a pid (digits only)? */
bool mark_is_launch_leaf(const char *name);

#endif
