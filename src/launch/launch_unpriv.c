/* cgrun as a user that is not root (see launch_cg.h, launch_unpriv_check):
 * it runs with the caller's own rights, so the kernel refuses whatever the
 * caller could not do by hand; these checks say so before anything is made,
 * and say what would work. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deleg.h"
#include "diag.h"
#include "launch_cg.h"
#include "mapping.h"

int launch_unpriv_check(const struct profile *p, struct cg_layout *l, const char *parent_override,
			cg_err *e)
{
	struct map_where w;
	struct diags d;
	char *sibling = NULL;
	int rc;

	if (geteuid() == 0)
		return 0;
	diags_init(&d, p->path ? p->path : "");
	if (map_where(p, l, parent_override, &w, &d, e) < 0) {
		/* a profile the mapping refuses: the plan says why */
		map_where_free(&w);
		cg_err_clear(e);
		return 0;
	}
	rc = cg_deleg_check(l, &w, !strcmp(w.parent, "self"),
			    p->group.name.s ? p->group.name.s : "", (unsigned)getuid(), &sibling,
			    e);
	map_where_free(&w);
	if (rc == 0 && sibling) {
		/* `self` now stands for the caller's group's parent: the group
		 * goes beside the caller's (which holds processes) */
		free(l->self_unified);
		l->self_unified = sibling;
	}
	return rc;
}
