/* Helpers shared by the planner's and the engine's unit tests: a profile
 * from YAML text, plan options pointing at the fake tree's online files, and
 * a standard layout over a fresh fake tree. Include after cmocka.h and
 * fakecg.h. */
#ifndef CGKIT_TEST_FAKE_PROFILE_H
#define CGKIT_TEST_FAKE_PROFILE_H

#include "plan.h"
#include "profile.h"

static struct profile *prof(const char *yaml)
{
	struct profile_opts o = { .host_ram = 8ULL << 30 };
	struct diags d;
	struct profile *p;

	diags_init(&d, "t.yaml");
	p = profile_parse(yaml, strlen(yaml), "t.yaml", &o, &d);
	if (!p)
		diags_print(&d, stderr);
	assert_non_null(p);
	return p;
}

static struct plan_opts opts(void)
{
	static char c[4200], m[4200];

	snprintf(c, sizeof(c), "%s/online/cpus", fake_root);
	snprintf(m, sizeof(m), "%s/online/mems", fake_root);
	return (struct plan_opts){ .cpus_online = c, .mems_online = m };
}

static void layout(bool v2, struct cg_layout *l)
{
	cg_err e = { 0 };

	fake_tree(v2);
	assert_int_equal(cg_layout_standard(v2 ? CG_MODE_V2 : CG_MODE_V1, fake_root, l, &e), 0);
}

#endif
