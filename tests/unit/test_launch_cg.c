/* The cgroup side of a launch against a fake v1 tree: the group a launch
 * creates is marked and goes with its last leaf; a group that was there
 * before, or was applied, stays; --gc removes only empty leaves of gone
 * processes, marked unused groups and the parents a launch had to make. */
/* WRAP: sys_write_file sys_mkdir sys_rmdir */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/xattr.h>
#include <cmocka.h>

#include "fakecg.h"
#include "launch_cg.h"
#include "mark.h"
#include "plan.h"
#include "policy.h"
#include "profile.h"

static struct cg_layout l;
static char lockdir[4096];

static struct profile *parse(const char *yaml)
{
	struct profile_opts po = { .host_ram = 1ULL << 30 };
	struct diags d;
	struct profile *p;

	diags_init(&d, "t.yaml");
	p = profile_parse(yaml, strlen(yaml), "t.yaml", &po, &d);
	if (!p)
		diags_print(&d, stderr);
	assert_non_null(p);
	return p;
}

static int setup(void **state)
{
	cg_err e = { 0 };

	(void)state;
	fake_tree(false);
	if (cg_layout_standard(CG_MODE_V1, fake_root, &l, &e) < 0)
		fail_msg("layout: %s", e.msg);
	snprintf(lockdir, sizeof(lockdir), "%s/lock", fake_root);
	launch_lock_dir = lockdir;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cg_layout_free(&l);
	fake_tree_free();
	return 0;
}

static bool exists(const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", fake_root, rel);
	return access(p, F_OK) == 0;
}

static void mkdir_rel(const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", fake_root, rel);
	__wrap_sys_mkdir(p, 0755);
}

static bool xattrs_work(void)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/pids", fake_root);
	if (setxattr(p, "user.cgkit-probe", "1", 1, 0) < 0)
		return false;
	removexattr(p, "user.cgkit-probe");
	return true;
}

/* A launch as launch.c does it, with the child's part (make the leaf, join)
 * done here: the fake tree has no `tasks` file until the leaf is made. */
static void launch(struct launch_cg *c, const struct profile *p, const struct plan_opts *po,
		   pid_t pid)
{
	struct diags d;
	cg_err e = { 0 };
	char why[512];
	size_t i;

	launch_cg_init(c);
	diags_init(&d, "t.yaml");
	if (launch_cg_prepare(c, p, &l, po, NULL, &d, &e) < 0)
		fail_msg("prepare: %s", e.msg);
	assert_true(c->lock_fd >= 0);
	for (i = 0; i < c->n; i++) {
		char leaf[4096];

		snprintf(leaf, sizeof(leaf), "%s/run-%d", c->group[i], (int)pid);
		__wrap_sys_mkdir(leaf, 0755);
		fake_put(leaf, "tasks", "");
	}
	{
		int fds[LAUNCH_MAX_HIER];

		if (launch_cg_open_leaves(c, pid, fds, why, sizeof(why)) < 0 ||
		    launch_cg_join_fds(c, fds, why, sizeof(why)) < 0)
			fail_msg("join: %s", why);
	}
	launch_unlock(c->lock_fd);
	c->lock_fd = -1;
	assert_int_equal(launch_cg_set_pid(c, pid, &e), 0);
}

static void leave(struct launch_cg *c)
{
	cg_err e = { 0 };

	if (launch_cg_leave(c, &e) < 0)
		fail_msg("leave: %s", e.msg);
	launch_cg_free(c);
}

static const char *prof = "name: web\nparent: self\ncpu: {max: 50%}\npids: {max: 10}\n";

static void test_launch_creates_marks_and_removes(void **state)
{
	struct profile *p = parse(prof);
	struct plan_opts po = { 0 };
	struct launch_cg c;
	char v[16] = "";

	(void)state;
	if (!xattrs_work())
		skip();
	launch(&c, p, &po, 4242);
	assert_true(exists("cpu/web/run-4242"));
	assert_true(exists("cpuacct/web/run-4242"));
	assert_true(exists("pids/web/run-4242"));
	assert_true(getxattr(c.top[0], MARK_XATTR, v, sizeof(v) - 1) > 0);
	assert_string_equal(v, MARK_LAUNCH);
	assert_non_null(strstr(launch_cg_leaf(&c, CTRL_PIDS), "/pids/web/run-4242"));
	assert_non_null(strstr(launch_cg_group(&c, CTRL_CPUACCT), "/cpuacct/web"));
	assert_null(launch_cg_leaf(&c, CTRL_MEMORY));
	leave(&c);
	assert_false(exists("cpu/web"));
	assert_false(exists("pids/web"));
	profile_free(p);
}

static void test_group_kept_while_another_launch_uses_it(void **state)
{
	struct profile *p = parse(prof);
	struct plan_opts po = { 0 };
	struct launch_cg a, b;

	(void)state;
	if (!xattrs_work())
		skip();
	launch(&a, p, &po, 100);
	launch(&b, p, &po, 200);
	/* as launch.c says for a group with no children: a plain rmdir */
	a.flat = b.flat = true;
	assert_true(a.created);
	assert_false(b.created);
	leave(&a);
	assert_false(exists("pids/web/run-100"));
	assert_true(exists("pids/web/run-200"));
	assert_true(exists("pids/web"));
	leave(&b);
	assert_false(exists("pids/web"));
	assert_false(exists("cpu/web"));
	profile_free(p);
}

static void test_group_that_was_there_stays(void **state)
{
	struct profile *p = parse(prof);
	struct plan_opts po = { 0 };
	struct launch_cg c;
	char dir[4096];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/pids/web", fake_root);
	__wrap_sys_mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/cpu/web", fake_root);
	__wrap_sys_mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/cpuacct/web", fake_root);
	__wrap_sys_mkdir(dir, 0755);
	launch(&c, p, &po, 300);
	assert_false(c.created);
	leave(&c);
	assert_false(exists("pids/web/run-300"));
	assert_true(exists("pids/web"));
	assert_true(exists("cpu/web"));
	profile_free(p);
}

static void test_apply_takes_a_launch_group_over(void **state)
{
	struct profile *p = parse(prof);
	struct plan_opts po = { 0 };
	struct launch_cg c;

	(void)state;
	if (!xattrs_work())
		skip();
	launch(&c, p, &po, 400);
	assert_int_equal(policy_adopt(p, &l, &po, &(cg_err){ 0 }), 0);
	leave(&c);
	assert_false(exists("pids/web/run-400"));
	assert_true(exists("pids/web"));
	profile_free(p);
}

static void test_parents_made_by_a_launch_go_with_it(void **state)
{
	struct profile *p = parse("name: web\nparent: cgkit/tenants\npids: {max: 10}\n");
	struct plan_opts po = { 0 };
	struct launch_cg c;
	char dir[4096];

	(void)state;
	if (!xattrs_work())
		skip();
	/* a parent that was there before stays */
	snprintf(dir, sizeof(dir), "%s/pids/cgkit", fake_root);
	__wrap_sys_mkdir(dir, 0755);
	launch(&c, p, &po, 500);
	assert_true(exists("pids/cgkit/tenants/web/run-500"));
	leave(&c);
	assert_false(exists("pids/cgkit/tenants"));
	assert_true(exists("pids/cgkit"));
	profile_free(p);
}

static void test_gc(void **state)
{
	struct profile *p = parse(prof);
	struct plan_opts po = { 0 };
	struct launch_cg dead, live;
	cg_err e = { 0 };
	char dir[4096];
	pid_t me = getpid();
	int n;

	(void)state;
	if (!xattrs_work())
		skip();
	/* a killed launch: its leaf is empty and its process (pid 4194301,
	 * above any real pid here) gone */
	launch(&dead, p, &po, 4194301);
	launch_cg_free(&dead);
	/* groups cgkit did not mark: an unmarked group with an empty leaf of a
	 * gone process and one of a live process, the service manager's empty
	 * transient units, an applied group's child named run-x */
	mkdir_rel("pids/mine");
	mkdir_rel("pids/mine/run-4194302");
	snprintf(dir, sizeof(dir), "pids/mine/run-%d", (int)me);
	mkdir_rel(dir);
	mkdir_rel("pids/run-u42.service");
	mkdir_rel("pids/run-r7.scope");
	mkdir_rel("pids/system.slice");
	mkdir_rel("pids/system.slice/run-r9.scope");
	mkdir_rel("pids/system.slice/run-4194302");
	mkdir_rel("pids/app");
	mkdir_rel("pids/app/run-x");
	n = launch_cg_gc(&l, "self", NULL, &e);
	assert_true(n >= 0);
	assert_false(exists("pids/web"));
	assert_false(exists("cpu/web"));
	assert_true(exists("pids/mine/run-4194302"));
	assert_true(exists("pids/mine"));
	assert_true(exists(dir));
	assert_true(exists("pids/run-u42.service"));
	assert_true(exists("pids/run-r7.scope"));
	assert_true(exists("pids/system.slice/run-r9.scope"));
	assert_true(exists("pids/system.slice/run-4194302"));
	assert_true(exists("pids/app/run-x"));
	/* a live launch's group is not touched */
	launch(&live, p, &po, me);
	launch_cg_gc(&l, "self", NULL, &e);
	assert_true(exists("pids/web"));
	leave(&live);
	assert_false(exists("pids/web"));
	profile_free(p);
}

/* A profile's child named run-x is not a launch's leaf: it does not keep
 * the launch's group alive. */
static void test_child_named_run_is_no_leaf(void **state)
{
	struct profile *p = parse("name: web\nparent: self\npids: {max: 10}\n"
				  "children:\n  - name: run-x\n    pids: {max: 5}\n");
	struct plan_opts po = { 0 };
	struct launch_cg c;

	(void)state;
	if (!xattrs_work())
		skip();
	launch(&c, p, &po, getpid());
	c.flat = false;
	assert_true(exists("pids/web/run-x"));
	leave(&c);
	assert_false(exists("pids/web"));
	assert_true(mark_is_launch_leaf("run-42"));
	assert_false(mark_is_launch_leaf("run-"));
	assert_false(mark_is_launch_leaf("run-u42.service"));
	assert_false(mark_is_launch_leaf("run-x"));
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_launch_creates_marks_and_removes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_kept_while_another_launch_uses_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_that_was_there_stays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_takes_a_launch_group_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parents_made_by_a_launch_go_with_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_named_run_is_no_leaf, setup, teardown),
	};

	return cmocka_run_group_tests_name("launch_cg", tests, NULL, NULL);
}
