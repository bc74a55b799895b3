/* cgroup v2 delegation for a caller that is not root (deleg.h) against a
 * fake v2 tree, and the user's launch lock directory: a group with
 * processes (the caller's leaf) sends the group beside it when the parent is
 * delegated; a missing controller, a v1 hierarchy, a leaf right below the
 * root are refused with what would work; the lock directory is the user's,
 * 0700, never a symlink. (The kernel's ownership check cannot be faked for
 * root: the integration tests 70-72 run it as a test user.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deleg.h"
#include "fakecg.h"
#include "launch_cg.h"
#include "mapping.h"
#include "profile.h"

static struct profile *parse(const char *yaml)
{
	struct profile_opts po = {.host_ram = 1ULL << 30};
	struct diags d;
	struct profile *p;

	diags_init(&d, "t.yaml");
	p = profile_parse(yaml, strlen(yaml), "t.yaml", &po, &d);
	if (!p)
		diags_print(&d, stderr);
	assert_non_null(p);
	return p;
}

/* A group rel below the fake root with the controllers it may use and
 * processes in it. */
static void group(const char *rel, const char *ctrls, const char *procs)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s", fake_root, rel);
	assert_int_equal(mkdir(dir, 0755), 0);
	fake_fill(dir, false);
	fake_put(dir, "cgroup.controllers", ctrls);
	fake_put(dir, "cgroup.subtree_control", "");
	fake_put(dir, "cgroup.procs", procs);
	fake_put(dir, "cgroup.threads", procs);
}

/* cg_deleg_check of the profile with the caller in self. */
static int check(const char *yaml, const char *self, char **sibling, cg_err *e)
{
	struct profile *p = parse(yaml);
	struct cg_layout l;
	struct map_where w;
	struct diags d;
	int rc;

	assert_int_equal(cg_layout_standard(CG_MODE_V2, fake_root, &l, e), 0);
	free(l.self_unified);
	l.self_unified = strdup(self);
	diags_init(&d, "t.yaml");
	assert_int_equal(map_where(p, &l, NULL, &w, &d, e), 0);
	rc = cg_deleg_check(&l, &w, true, p->group.name.s, 1000, sibling, e);
	map_where_free(&w);
	cg_layout_free(&l);
	profile_free(p);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	fake_tree(true);
	group("u", "cpu memory pids", "");
	fake_put(fake_root, "u/cgroup.subtree_control", "cpu memory pids");
	group("u/sh", "cpu memory pids", "123\n");
	group("lone", "cpu memory pids", "124\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_tree_free();
	return 0;
}

static void sibling_when_parent_delegated(void **state)
{
	char *sib = NULL;
	cg_err e = {0};

	(void)state;
	assert_int_equal(check("name: job\nparent: self\ncpu: {max: 20%}\n", "u/sh", &sib, &e), 0);
	assert_non_null(sib);
	assert_string_equal(sib, "u");
	free(sib);
}

static void sibling_may_not_be_the_callers_group(void **state)
{
	char *sib = NULL;
	cg_err e = {0};

	(void)state;
	assert_int_equal(check("name: sh\nparent: self\npids: {max: 5}\n", "u/sh", &sib, &e), -1);
	assert_null(sib);
	assert_non_null(strstr(e.msg, "give another --name"));
}

static void missing_controller_names_delegate(void **state)
{
	char *sib = NULL;
	cg_err e = {0};
	char dir[4096];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/u/sh", fake_root);
	fake_put(dir, "cgroup.controllers", "pids\n");
	assert_int_equal(check("name: job\nparent: self\ncpu: {max: 20%}\npids: {max: 9}\n", "u/sh",
			       &sib, &e),
			 -1);
	assert_null(sib);
	assert_non_null(strstr(e.msg, "cpu is not enabled for your subtree"));
	assert_non_null(
		strstr(e.msg, "ask your administrator for Delegate=cpu pids, see cgrun(1)"));
}

static void leaf_below_root_names_the_leaf_to_start_from(void **state)
{
	char *sib = NULL;
	cg_err e = {0};
	char want[4096];

	(void)state;
	assert_int_equal(check("name: job\nparent: self\npids: {max: 9}\n", "lone", &sib, &e), -1);
	assert_null(sib);
	snprintf(want, sizeof(want), "your group %s/lone holds processes", fake_root);
	assert_non_null(strstr(e.msg, want));
	snprintf(want, sizeof(want), "mkdir %s/lone/shell", fake_root);
	assert_non_null(strstr(e.msg, want));
}

static void empty_group_needs_no_sibling(void **state)
{
	char *sib = NULL;
	cg_err e = {0};

	(void)state;
	assert_int_equal(check("name: job\nparent: self\npids: {max: 9}\n", "u", &sib, &e), 0);
	assert_null(sib);
}

static void v1_has_no_delegation(void **state)
{
	struct profile *p = parse("name: job\nparent: self\ncpu: {max: 20%}\n");
	struct cg_layout l;
	struct map_where w;
	struct diags d;
	char *sib = NULL;
	cg_err e = {0};

	(void)state;
	assert_int_equal(cg_layout_standard(CG_MODE_V1, "/sys/fs/cgroup", &l, &e), 0);
	diags_init(&d, "t.yaml");
	assert_int_equal(map_where(p, &l, NULL, &w, &d, &e), 0);
	assert_int_equal(cg_deleg_check(&l, &w, true, "job", 1000, &sib, &e), -1);
	assert_non_null(strstr(e.msg, "cgroup v1 has no delegation: run as root, or on a cgroup v2 "
				      "host ask for Delegate=yes"));
	map_where_free(&w);
	cg_layout_free(&l);
	profile_free(p);
}

static void lock_dir_is_private(void **state)
{
	char out[4096], path[4096];
	cg_err e = {0};
	struct stat st;
	unsigned me = (unsigned)geteuid();

	(void)state;
	/* no XDG_RUNTIME_DIR: TMP/cgkit-UID, made 0700 */
	assert_int_equal(launch_lock_user_dir(me, NULL, fake_root, out, sizeof(out), &e), 0);
	snprintf(path, sizeof(path), "%s/cgkit-%u", fake_root, me);
	assert_string_equal(out, path);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* a private XDG_RUNTIME_DIR: XDG/cgkit */
	snprintf(path, sizeof(path), "%s/xdg", fake_root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(launch_lock_user_dir(me, path, fake_root, out, sizeof(out), &e), 0);
	assert_non_null(strstr(out, "/xdg/cgkit"));
	/* one open to others, or not the user's: TMP/cgkit-UID instead */
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(launch_lock_user_dir(me, path, fake_root, out, sizeof(out), &e), 0);
	assert_null(strstr(out, "/xdg/"));
	/* someone else's symlink, or a directory open to others: refused */
	snprintf(path, sizeof(path), "%s/cgkit-%u", fake_root, me + 1);
	assert_int_equal(symlink(fake_root, path), 0);
	assert_int_equal(launch_lock_user_dir(me + 1, NULL, fake_root, out, sizeof(out), &e), -1);
	assert_non_null(strstr(e.msg, "is not a directory of yours"));
	snprintf(path, sizeof(path), "%s/cgkit-%u", fake_root, me + 2);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	assert_int_equal(chown(path, me + 2, 0), 0);
	assert_int_equal(launch_lock_user_dir(me + 2, NULL, fake_root, out, sizeof(out), &e), -1);
	assert_non_null(strstr(e.msg, "with mode 0700"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sibling_when_parent_delegated, setup, teardown),
		cmocka_unit_test_setup_teardown(sibling_may_not_be_the_callers_group, setup,
						teardown),
		cmocka_unit_test_setup_teardown(missing_controller_names_delegate, setup, teardown),
		cmocka_unit_test_setup_teardown(leaf_below_root_names_the_leaf_to_start_from, setup,
						teardown),
		cmocka_unit_test_setup_teardown(empty_group_needs_no_sibling, setup, teardown),
		cmocka_unit_test_setup_teardown(v1_has_no_delegation, setup, teardown),
		cmocka_unit_test_setup_teardown(lock_dir_is_private, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
