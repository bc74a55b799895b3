/* `cgrun --gc`: removes what launches that were killed left behind, below
 * a parent or of one profile's group (launch_cg_gc, launch_cg_gc_group).
 * The cgrun command's verb: it prints each removed directory the library
 * names and the count. */
#include "launch.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "launch_cg.h"
#include "launch_load.h"
#include "layout.h"
#include "mapping.h"
#include "plan.h"
#include "profile.h"

static void say_removed(void *ctx, const char *dir)
{
	(void)ctx;
	printf("removed %s\n", dir);
}

int launch_gc(const struct launch_opts *o)
{
	struct launch_gc_out out = { .removed = say_removed };
	struct cg_layout l = { 0 };
	struct profile *p = NULL;
	const char *parent = o->ov.parent;
	cg_err e = { 0 };
	int n = -1;

	if (o->profile_path || o->ov.name) {
		/* one group: the profile's (or --name's) */
		struct plan_opts po = { .parent = o->ov.parent };
		struct plan pl = { 0 };
		struct diags d;

		p = launch_load(o, true, &e);
		if (!p || cg_layout_detect(&l, &e) < 0 ||
		    launch_unpriv_check(p, &l, po.parent, &e) < 0)
			goto out;
		diags_init(&d, p->path ? p->path : "");
		if (plan_build(p, &l, &po, &cg_reader_fs, &pl, &d, &e) < 0) {
			diags_print(&d, stderr);
			plan_free(&pl);
			goto out;
		}
		n = launch_cg_gc_group(pl.group_dirs, pl.n_group_dirs, &out);
		plan_free(&pl);
		printf("cgrun: --gc: removed %d group%s of %s\n", n, n == 1 ? "" : "s", p->group.name.s);
		goto out;
	}
	if (!parent)
		parent = PROFILE_DEFAULT_PARENT;
	if (strcmp(parent, "self") != 0 && profile_parent_invalid(parent)) {
		cg_err_set(&e, 0, "--parent: '%s': %s", parent, profile_parent_invalid(parent));
		goto out;
	}
	if (cg_layout_detect(&l, &e) < 0)
		goto out;
	n = launch_cg_gc(&l, parent, &out, &e);
	if (n >= 0)
		printf("cgrun: --gc: removed %d group%s below %s\n", n, n == 1 ? "" : "s", parent);
out:
	if (n < 0 && e.msg[0])
		fprintf(stderr, "cgrun: --gc: %s\n", e.msg);
	cg_layout_free(&l);
	if (p)
		profile_free(p);
	return n < 0 ? CGRUN_EXIT_FAIL : 0;
}
