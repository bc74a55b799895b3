/* cgroup v2 delegation: what a caller that is not root may do with its own
 * rights. The kernel lets a user make and fill groups below a directory whose
 * cgroup.procs, cgroup.subtree_control and cgroup.threads it may write (what
 * systemd's Delegate=yes grants on user@UID.service), with the controllers
 * that the directory's cgroup.controllers lists; cgroup v1 has no such thing.
 * cgkit runs with the caller's rights alone (no setuid, no capabilities): these
 * checks only turn the kernel's EACCES/EBUSY into a message that says what
 * would work, before anything is made. */
#ifndef CGKIT_DELEG_H
#define CGKIT_DELEG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "layout.h"
#include "mapping.h"

/* May the caller make groups in dir and move processes in and out of it:
 * the directory, its cgroup.procs, cgroup.subtree_control and cgroup.threads
 * writable (access(2), the caller's real ids). */
bool cg_deleg_writable(const char *dir);

/* Checks, for a caller that is not root, every hierarchy of w (map_where of
 * the profile; parent_self: its parent is `self`):
 * - a hierarchy on a cgroup v1 mount: refused (v1 has no delegation);
 * - the parent directory (or its nearest existing ancestor) not delegated:
 *   refused;
 * - a controller the profile needs missing from the parent's
 *   cgroup.controllers: refused, naming it and the Delegate= to ask for;
 * - the parent holds processes and does not enable the controllers below it
 *   (cgroup v2's no-internal-processes rule; the caller's own group holds at
 *   least cgrun itself): with parent self and a delegated grandparent, the
 *   group goes beside the caller's group instead, as systemd does (*sibling
 *   is then set to the grandparent, relative to the mount, to be freed);
 *   refused otherwise, with the leaf to start from.
 * name: the profile's group name (a sibling may not be the caller's own
 * group). Returns 0, or -1 with e (nothing written). */
int cg_deleg_check(const struct cg_layout *l, const struct map_where *w, bool parent_self,
		   const char *name, unsigned uid, char **sibling, cg_err *e);

#endif
