/* The engine against fake trees: all-or-nothing apply (a failure injected at
 * every mkdir and write of a multi-controller apply leaves the tree exactly
 * as it was), concurrent mkdir, remove (refusal, --force, what it may take,
 * every hierarchy, the parents an apply made), show, group dirs. */
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
#include "fake_profile.h"
#include "mark.h"
#include "plan.h"
#include "policy.h"
#include "profile.h"

static int apply(struct profile *p, struct cg_layout *l, cg_err *e)
{
	struct plan_opts o = opts();
	struct diags d;

	diags_init(&d, "t.yaml");
	cg_err_clear(e);
	return policy_apply(p, l, &o, &d, e);
}

static size_t plan_size(struct profile *p, struct cg_layout *l)
{
	struct plan_opts o = opts();
	struct diags d;
	struct plan pl;
	cg_err e = { 0 };
	size_t n;

	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(p, l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	n = pl.n;
	plan_free(&pl);
	return n;
}

#define BEFORE                                                                                     \
	"name: web\n"                                                                              \
	"cpu:\n  max: 20%\n  period: 50ms\n  weight: 200\n"                                        \
	"memory:\n  max: 256M\n  high: 200M\n  swap: 64M\n"                                        \
	"io:\n  weight: 300\n  devices:\n    - {path: \"8:0\", read_bps: 10M, write_iops: 500}\n"  \
	"    - {path: \"8:16\", write_bps: 1M}\n"                                                  \
	"cpuset:\n  cpus: \"1-2\"\n  mems: \"0\"\n"                                                \
	"pids:\n  max: 64\n"                                                                       \
	"children:\n  - name: a\n    cpu: {max: 10%}\n    pids: {max: 8}\n"

/* Every knob changed, a device dropped, a child added. */
#define AFTER                                                                                      \
	"name: web\n"                                                                              \
	"cpu:\n  max: 50%\n  period: 100ms\n  weight: 300\n"                                       \
	"memory:\n  max: 1G\n  high: 500M\n  swap: 128M\n"                                         \
	"io:\n  weight: 900\n  devices:\n    - {path: \"8:0\", read_bps: 20M}\n"                   \
	"cpuset:\n  cpus: \"3\"\n  mems: \"0\"\n"                                                  \
	"pids:\n  max: 128\n"                                                                      \
	"children:\n  - name: a\n    cpu: {max: 5%}\n    pids: {max: 4}\n"                         \
	"  - name: b\n    memory: {max: 64M}\n    cpuset: {cpus: \"3\"}\n"

/* Fails step k (a mkdir or write) for every k of the apply of `yaml` onto
 * the tree as it is; each time the tree must end exactly as it began.
 * Returns how many failure points were tried. */
static int fail_everywhere(struct profile *p, struct cg_layout *l)
{
	size_t n = plan_size(p, l);
	char *before = fake_snapshot();
	int tried = 0;

	assert_true(n > 10);
	print_message("  failing each of %zu steps\n", n);
	for (size_t k = 1; k <= n; k++) {
		cg_err e;
		char *after;

		fake_steps = 0;
		fake_fail_at = (int)k;
		fake_failed_path[0] = '\0';
		assert_int_equal(apply(p, l, &e), -1);
		/* the error names the file and the kernel's reason */
		assert_non_null(strstr(e.msg, fake_failed_path));
		assert_non_null(strstr(e.msg, "Invalid argument"));
		assert_non_null(strstr(e.msg, "nothing was changed"));
		after = fake_snapshot();
		if (strcmp(before, after)) {
			FILE *f = fopen("/tmp/cgkit-rollback.before", "w");

			fputs(before, f);
			fclose(f);
			f = fopen("/tmp/cgkit-rollback.after", "w");
			fputs(after, f);
			fclose(f);
			fail_msg("failure at step %zu of %zu (%s) left the tree changed: see diff "
				 "/tmp/cgkit-rollback.before /tmp/cgkit-rollback.after",
				 k, n, fake_failed_path);
		}
		free(after);
		tried++;
	}
	fake_fail_at = 0;
	free(before);
	return tried;
}

static int rollback_points;

static void rollback(bool v2)
{
	struct cg_layout l;
	struct profile *a = prof(BEFORE), *b = prof(AFTER);
	cg_err e;

	layout(v2, &l);
	/* creating from nothing */
	rollback_points += fail_everywhere(a, &l);
	/* converging an existing group: the values are written back */
	assert_int_equal(apply(a, &l, &e), 0);
	rollback_points += fail_everywhere(b, &l);
	/* and with no failure, it converges */
	assert_int_equal(apply(b, &l, &e), 0);
	assert_int_equal(plan_size(b, &l), 0);
	profile_free(a);
	profile_free(b);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_rollback_v1(void **state)
{
	(void)state;
	rollback(false);
}

static void test_rollback_v2(void **state)
{
	(void)state;
	rollback(true);
	print_message("rollback: %d failure points, each left the tree as it was\n", rollback_points);
}

/* The kernel's refusal (here: fake v1 memsw below the limit) is reported
 * with the file, the reason, the value and the profile key and line. */
static void test_error_names_key(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\nmemory:\n  max: 1G\n  swap: 0\n");
	struct plan_opts o = opts();
	struct plan pl;
	struct diags d;
	cg_err e = { 0 };
	char *before, *after;

	(void)state;
	layout(false, &l);
	diags_init(&d, "t.yaml");
	o = opts();
	assert_int_equal(plan_build(p, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	/* make memsw write come before the limit: the fake kernel refuses */
	for (size_t i = 0; i + 1 < pl.n; i++)
		if (strstr(pl.ops[i].path, "limit_in_bytes") && strstr(pl.ops[i + 1].path, "memsw")) {
			struct plan_op t = pl.ops[i];

			pl.ops[i] = pl.ops[i + 1];
			pl.ops[i + 1] = t;
			break;
		}
	before = fake_snapshot();
	assert_int_equal(policy_execute(&pl, &e), -1);
	assert_non_null(strstr(e.msg, "/memory/cgkit/web/memory.memsw.limit_in_bytes: Invalid argument"));
	assert_non_null(strstr(e.msg, "memory.swap at line 4:9"));
	after = fake_snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	plan_free(&pl);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* A directory another cgrun made meanwhile is no error, and a rollback
 * leaves it. */
static void test_mkdir_eexist(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\npids: {max: 5}\n");
	struct plan_opts o;
	struct plan pl;
	struct diags d;
	cg_err e = { 0 };
	char dir[4200];

	(void)state;
	layout(false, &l);
	o = opts();
	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(p, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	assert_int_equal(pl.ops[1].kind, PLAN_MKDIR);
	/* the other cgrun makes cgkit/web between plan and execute */
	snprintf(dir, sizeof(dir), "%s/pids/cgkit", fake_root);
	__wrap_sys_mkdir(dir, 0755);
	strcat(dir, "/web");
	__wrap_sys_mkdir(dir, 0755);
	fake_steps = 0;
	fake_fail_at = 3;   /* the pids.max write */
	assert_int_equal(policy_execute(&pl, &e), -1);
	assert_non_null(strstr(e.msg, "pids.max: Invalid argument"));
	assert_true(access(dir, F_OK) == 0);
	fake_fail_at = 0;
	assert_int_equal(policy_execute(&pl, &e), 0);
	assert_string_equal(fake_read("pids/cgkit/web/pids.max"), "5");
	plan_free(&pl);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_remove(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\ncpu: {max: 10%}\npids: {max: 5}\n"
				 "children:\n  - name: a\n    pids: {max: 2}\n");
	struct plan_opts o;
	cg_err e = { 0 };
	char dir[4200];

	(void)state;
	layout(false, &l);
	assert_int_equal(apply(p, &l, &e), 0);
	/* a launch's leaf below the child, with a process in it */
	snprintf(dir, sizeof(dir), "%s/pids/cgkit/web/a/run-77", fake_root);
	assert_int_equal(__wrap_sys_mkdir(dir, 0755), 0);
	fake_put(dir, "cgroup.procs", "77\n");
	o = opts();
	assert_int_equal(policy_remove(p, &l, &o, false, &e), -1);
	assert_non_null(strstr(e.msg, "pids/cgkit/web/a/run-77 has 1 process in it (pid 77)"));
	assert_non_null(strstr(e.msg, "--force"));
	assert_true(access(dir, F_OK) == 0);
	/* nothing was removed by the refusal, in any hierarchy */
	snprintf(dir, sizeof(dir), "%s/cpu/cgkit/web", fake_root);
	assert_true(access(dir, F_OK) == 0);
	assert_int_equal(policy_remove(p, &l, &o, true, &e), 0);
	assert_string_equal(fake_read("pids/cgkit/cgroup.procs"), "77");
	assert_true(access(dir, F_OK) != 0);
	snprintf(dir, sizeof(dir), "%s/pids/cgkit/web", fake_root);
	assert_true(access(dir, F_OK) != 0);
	snprintf(dir, sizeof(dir), "%s/cpuacct/cgkit/web", fake_root);
	assert_true(access(dir, F_OK) != 0);
	/* again: not there is not an error */
	assert_int_equal(policy_remove(p, &l, &o, false, &e), 0);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* A process moved by hand into one hierarchy's group only: the first
 * hierarchies' rmdirs succeed before the kernel refuses the last. Those
 * groups come back with the profile's values, and the error says so. */
static void test_remove_refused_late(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\ncpu: {max: 10%}\nmemory: {max: 64M}\npids: {max: 5}\n");
	struct plan_opts o;
	cg_err e = { 0 };
	char dir[4200], *before, *after;

	(void)state;
	layout(false, &l);
	assert_int_equal(apply(p, &l, &e), 0);
	snprintf(dir, sizeof(dir), "%s/pids/cgkit/web", fake_root);
	fake_put(dir, "cgroup.procs", "77\n");
	before = fake_snapshot();
	o = opts();
	assert_int_equal(policy_remove(p, &l, &o, false, &e), -1);
	assert_non_null(strstr(e.msg, "pids/cgkit/web has 1 process in it (pid 77)"));
	assert_non_null(strstr(e.msg, "removed in 3 other hierarchies and was made again"));
	after = fake_snapshot();
	assert_string_equal(before, after);
	assert_string_equal(fake_read("cpu/cgkit/web/cpu.cfs_quota_us"), "10000");
	free(before);
	free(after);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* policy_apply plans a new group on one stat (plan_opts.guess_missing):
 * missing in the first hierarchy, so missing in the others. When another
 * hierarchy has it after all, the guessed mkdir meets EEXIST, nothing is
 * left changed, and the apply plans again and converges that group. */
static void test_guess_missing_wrong(void **state)
{
	struct cg_layout l;
	struct profile *a = prof("name: web\npids: {max: 3}\n");
	struct profile *b = prof("name: web\ncpu: {max: 10%}\npids: {max: 5}\n");
	struct plan_opts o;
	struct plan pl;
	struct diags d;
	cg_err e = { 0 };
	bool guessed = false;
	char *before, *after;

	(void)state;
	layout(false, &l);
	assert_int_equal(apply(a, &l, &e), 0);   /* pids/cgkit/web only */
	o = opts();
	o.guess_missing = true;
	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(b, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	for (size_t i = 0; i < pl.n; i++)
		if (pl.ops[i].guessed) {
			/* cpuacct/cgkit is missing too: its web is known, not guessed */
			assert_non_null(strstr(pl.ops[i].path, "/pids/cgkit/web"));
			guessed = true;
		}
	assert_true(guessed);
	before = fake_snapshot();
	assert_int_equal(policy_execute(&pl, &e), -1);
	assert_true(policy_guess_failed(&pl, &e));
	after = fake_snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	plan_free(&pl);
	/* the apply itself gets it right */
	assert_int_equal(apply(b, &l, &e), 0);
	assert_string_equal(fake_read("pids/cgkit/web/pids.max"), "5");
	assert_string_equal(fake_read("cpu/cgkit/web/cpu.cfs_quota_us"), "10000");
	assert_int_equal(plan_size(b, &l), 0);
	/* and with the group everywhere there is nothing to guess */
	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(b, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	assert_int_equal(pl.n, 0);
	plan_free(&pl);
	profile_free(a);
	profile_free(b);
	cg_layout_free(&l);
	fake_tree_free();
}

/* v2 refuses processes in a group that enables controllers for its
 * children: --force then moves them to the nearest ancestor that takes them. */
static void test_remove_force_v2(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\npids: {max: 5}\n");
	struct plan_opts o;
	cg_err e = { 0 };

	(void)state;
	layout(true, &l);
	assert_int_equal(apply(p, &l, &e), 0);
	assert_string_equal(fake_read("cgkit/cgroup.subtree_control"), "pids");
	assert_int_equal(__wrap_sys_write_file(strcat(strcpy((char[4200]){ 0 }, fake_root), "/cgkit/web/cgroup.procs"), "42"), 0);
	o = opts();
	assert_int_equal(policy_remove(p, &l, &o, true, &e), 0);
	assert_string_equal(fake_read("cgroup.procs"), "42");
	assert_string_equal(fake_read("cgkit/cgroup.procs"), "");
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void show(bool v2, const char *const *want)
{
	struct cg_layout l;
	struct profile *p = prof(BEFORE);
	struct plan_opts o;
	cg_err e = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	layout(v2, &l);
	o = opts();
	f = open_memstream(&buf, &len);
	assert_int_equal(policy_show(p, &l, &o, f, &e), -1);
	assert_non_null(strstr(e.msg, "does not exist"));
	assert_int_equal(apply(p, &l, &e), 0);
	assert_int_equal(policy_show(p, &l, &o, f, &e), 0);
	fclose(f);
	for (int i = 0; want[i]; i++)
		if (!strstr(buf, want[i]))
			fail_msg("'%s' not in:\n%s", want[i], buf);
	free(buf);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* A live group read back into a profile: the values applied come back,
 * and applying what was read plans nothing (it is the group as it is). */
static void read_back(bool v2)
{
	struct cg_layout l;
	struct profile *p = prof(BEFORE), *live;
	struct plan_opts o;
	struct plan pl = { 0 };
	struct diags d;
	cg_err e = { 0 };

	layout(v2, &l);
	o = opts();
	assert_null(policy_read(p, &l, &o, &e));
	assert_int_equal(apply(p, &l, &e), 0);
	live = policy_read(p, &l, &o, &e);
	if (!live)
		fail_msg("policy_read: %s", e.msg);
	assert_string_equal(live->group.name.s, "web");
	assert_int_equal(live->group.cpu.max.v, 200000);          /* 20% */
	assert_int_equal(live->group.cpu.period.v, 50000);
	assert_int_equal(live->group.memory.max.v, 256ULL << 20);
	assert_int_equal(live->group.pids.max.v, 64);
	diags_init(&d, "t");
	assert_int_equal(plan_build(live, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	/* (the fake v2 tree gives a new group every controller's files, where
	 * the kernel gives those its parent enables: the read-back child then
	 * has sections whose enabling the plan adds; no knob changes) */
	for (size_t i = 0; i < pl.n; i++)
		if (pl.ops[i].kind == PLAN_WRITE && !strstr(pl.ops[i].path, "cgroup.subtree_control"))
			fail_msg("applying what was read back would write %s = %s", pl.ops[i].path,
				 pl.ops[i].value);
	plan_free(&pl);
	profile_free(live);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_read_back_v1(void **state)
{
	(void)state;
	read_back(false);
}

static void test_read_back_v2(void **state)
{
	(void)state;
	read_back(true);
}

static void test_show_v1(void **state)
{
	static const char *const want[] = {
		"name: web\ncpu:\n  max: 20%\n  period: 50ms\n  weight: 200\n",
		"memory:\n  max: 256M\n  high: 200M\n  swap: 64M\n",
		"io:\n  weight: 298   # blkio.bfq.weight 118\n  devices:\n    - path: \"8:0\"\n      read_bps: 10M\n      write_iops: 500\n",
		"cpuset:\n  cpus: \"1-2\"\n  mems: \"0\"\npids:\n  max: 64\n",
		"children:\n  - name: a\n    cpu:\n      max: 10%\n",
		NULL,
	};

	(void)state;
	show(false, want);
}

static void test_show_v2(void **state)
{
	static const char *const want[] = {
		"cpu:\n  max: 20%\n  period: 50ms\n  weight: 200\n",
		"memory:\n  max: 256M\n  high: 200M\n  swap: 64M\n",
		"io:\n  weight: 300\n",
		"      write_bps: 1M\n",
		"pids:\n  max: 64\n",
		NULL,
	};

	(void)state;
	show(true, want);
}

/* v2 where only BFQ weighs io: a new group's io.weight falls back to
 * io.bfq.weight (1..1000) when the kernel says there is no io.weight. */
static void test_v2_bfq_fallback(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\nio: {weight: 300}\n");
	struct plan_opts o;
	struct plan pl;
	struct diags d;
	cg_err e = { 0 };

	(void)state;
	fake_v2_bfq = true;
	layout(true, &l);
	o = opts();
	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(p, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	assert_int_equal(pl.n, 5);
	assert_string_equal(pl.ops[4].path + strlen(fake_root), "/cgkit/web/io.weight");
	assert_string_equal(pl.ops[4].alt_path + strlen(fake_root), "/cgkit/web/io.bfq.weight");
	assert_int_equal(policy_execute(&pl, &e), 0);
	assert_string_equal(fake_read("cgkit/web/io.bfq.weight"), "default 118");
	plan_free(&pl);
	/* and then it converges on the file that is there */
	assert_int_equal(plan_build(p, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	assert_int_equal(pl.n, 0);
	plan_free(&pl);
	fake_v2_bfq = false;
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_group_dirs(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\nparent: x/y\nmemory: {max: 1G}\n"
				 "children:\n  - name: a\n    children:\n      - name: b\n");
	struct plan_opts o = { 0 };
	char **dirs;
	size_t n;
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(cg_layout_standard(CG_MODE_V1, "/cg", &l, &e), 0);
	assert_int_equal(policy_group_dirs(p, &l, &o, NULL, &dirs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(dirs[0], "/cg/memory/x/y/web");
	free(dirs[0]);
	free(dirs);
	assert_int_equal(policy_group_dirs(p, &l, &o, "a/b", &dirs, &n, &e), 0);
	assert_string_equal(dirs[0], "/cg/memory/x/y/web/a/b");
	free(dirs[0]);
	free(dirs);
	assert_int_equal(policy_group_dirs(p, &l, &o, "a/zz", &dirs, &n, &e), -1);
	assert_non_null(strstr(e.msg, "no child group 'a/zz'"));
	assert_int_equal(policy_group_dirs(p, &l, &o, "../a", &dirs, &n, &e), -1);
	cg_layout_free(&l);
	/* v2: the one tree, even with no sections */
	assert_int_equal(cg_layout_standard(CG_MODE_V2, "/cg", &l, &e), 0);
	profile_free(p);
	p = prof("name: bare\nparent: self\n");
	assert_int_equal(policy_group_dirs(p, &l, &o, NULL, &dirs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(dirs[0], "/cg/bare");
	free(dirs[0]);
	free(dirs);
	profile_free(p);
	cg_layout_free(&l);
}

/* ---- what --remove takes (issue 9) ---- */

static bool xattrs_work(void)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/pids", fake_root);
	if (setxattr(p, "user.cgkit-probe", "1", 1, 0) < 0)
		return false;
	removexattr(p, "user.cgkit-probe");
	return true;
}

/* Makes rel below the fake root as the kernel would (a group with files). */
static void group(const char *rel)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", fake_root, rel);
	assert_int_equal(__wrap_sys_mkdir(dir, 0755), 0);
}

static void mark(const char *rel, const char *value)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", fake_root, rel);
	assert_int_equal(mark_set(dir, value), 0);
}

static bool there(const char *rel)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", fake_root, rel);
	return access(dir, F_OK) == 0;
}

static int remove_(struct profile *p, struct cg_layout *l, bool force, cg_err *e)
{
	struct plan_opts o = opts();

	cg_err_clear(e);
	return policy_remove(p, l, &o, force, e);
}

/* A sub-group the profile does not describe and cgkit did not make (here a
 * configured tree x/y) makes --remove refuse, name it, and change nothing;
 * also when another hierarchy's group had gone already (made again).
 * --force takes it. */
static void test_remove_refuses_unknown(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\ncpu: {max: 10%}\npids: {max: 5}\n");
	cg_err e = { 0 };
	char *before, *after;

	(void)state;
	layout(false, &l);
	assert_int_equal(apply(p, &l, &e), 0);
	group("pids/cgkit/web/x");
	group("pids/cgkit/web/x/y");
	assert_int_equal(__wrap_sys_write_file(strcat(strcpy((char[4200]){ 0 }, fake_root),
						      "/pids/cgkit/web/x/y/pids.max"), "7"), 0);
	before = fake_snapshot();
	assert_int_equal(remove_(p, &l, false, &e), -1);
	if (!strstr(e.msg, "/pids/cgkit/web/x is not in the profile and cgkit did not make it") ||
	    !strstr(e.msg, "--force") || !strstr(e.msg, "made again"))
		fail_msg("%s", e.msg);
	after = fake_snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(remove_(p, &l, true, &e), 0);
	assert_false(there("pids/cgkit/web"));
	assert_false(there("cpu/cgkit/web"));
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* What --remove takes without a word: the children the profile describes,
 * launch leaves run-<pid> in them, a group a launch marked (whole), a parent
 * a launch made and what is marked in it. A run-x is no launch's leaf. */
static void test_remove_takes_marked(void **state)
{
	struct cg_layout l;
	struct profile *p = prof("name: web\npids: {max: 5}\nchildren:\n  - name: a\n");
	cg_err e = { 0 };

	(void)state;
	layout(false, &l);
	if (!xattrs_work()) {
		fake_tree_free();
		cg_layout_free(&l);
		profile_free(p);
		skip();
	}
	assert_int_equal(apply(p, &l, &e), 0);
	group("pids/cgkit/web/run-12");
	group("pids/cgkit/web/a/run-13");
	group("pids/cgkit/web/a/run-13/nested");   /* a launch's own group: marked */
	mark("pids/cgkit/web/a/run-13/nested", MARK_LAUNCH);
	group("pids/cgkit/web/a/run-13/nested/kid");   /* a launch's profile's child */
	group("pids/cgkit/web/anc");
	mark("pids/cgkit/web/anc", MARK_ANCESTOR);
	group("pids/cgkit/web/anc/q");
	mark("pids/cgkit/web/anc/q", MARK_LAUNCH);
	group("pids/cgkit/web/anc/q/run-5");
	group("pids/cgkit/web/run-x");
	assert_int_equal(remove_(p, &l, false, &e), -1);
	assert_non_null(strstr(e.msg, "/pids/cgkit/web/run-x is not in the profile"));
	assert_true(there("pids/cgkit/web/anc/q/run-5"));
	assert_int_equal(__wrap_sys_rmdir(strcat(strcpy((char[4200]){ 0 }, fake_root),
						 "/pids/cgkit/web/run-x")), 0);
	/* an unmarked group below a launch's leaf is not cgkit's either */
	group("pids/cgkit/web/run-12/mine");
	assert_int_equal(remove_(p, &l, false, &e), -1);
	assert_non_null(strstr(e.msg, "/pids/cgkit/web/run-12/mine is not in the profile"));
	assert_int_equal(__wrap_sys_rmdir(strcat(strcpy((char[4200]){ 0 }, fake_root),
						 "/pids/cgkit/web/run-12/mine")), 0);
	assert_int_equal(remove_(p, &l, false, &e), 0);
	assert_false(there("pids/cgkit/web"));
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* A section dropped from the profile and applied again: the group stays in
 * the dropped controller's hierarchy, and --remove takes it there too. */
static void test_remove_every_hierarchy(void **state)
{
	struct cg_layout l;
	struct profile *a = prof("name: web\ncpu: {max: 10%}\npids: {max: 5}\nmemory: {max: 64M}\n");
	struct profile *b = prof("name: web\ncpu: {max: 10%}\n");
	cg_err e = { 0 };

	(void)state;
	layout(false, &l);
	assert_int_equal(apply(a, &l, &e), 0);
	assert_int_equal(apply(b, &l, &e), 0);
	assert_int_equal(remove_(b, &l, false, &e), 0);
	assert_false(there("cpu/cgkit/web"));
	assert_false(there("pids/cgkit/web"));
	assert_false(there("memory/cgkit/web"));
	/* and refuses as everywhere when a process is left there */
	assert_int_equal(apply(a, &l, &e), 0);
	fake_put(strcat(strcpy((char[4200]){ 0 }, fake_root), "/memory/cgkit/web"), "cgroup.procs", "9\n");
	assert_int_equal(remove_(b, &l, false, &e), -1);
	assert_non_null(strstr(e.msg, "memory/cgkit/web has 1 process in it (pid 9)"));
	assert_true(there("cpu/cgkit/web"));
	assert_true(there("pids/cgkit/web"));
	profile_free(a);
	profile_free(b);
	cg_layout_free(&l);
	fake_tree_free();
}

static bool marked(const char *rel, const char *value)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", fake_root, rel);
	return mark_has(dir, value);
}

/* Parents --apply had to make are marked and go with their last child;
 * parents that were there are neither marked nor removed. */
static void test_apply_marks_made_parents(void **state)
{
	struct cg_layout l;
	struct profile *a = prof("name: one\nparent: cgkit/tenants\npids: {max: 5}\n");
	struct profile *b = prof("name: two\nparent: cgkit/tenants\npids: {max: 5}\n");
	struct profile *c = prof("name: three\nparent: keep/sub\npids: {max: 5}\n");
	cg_err e = { 0 };

	(void)state;
	layout(false, &l);
	if (!xattrs_work()) {
		fake_tree_free();
		cg_layout_free(&l);
		profile_free(a);
		profile_free(b);
		profile_free(c);
		skip();
	}
	group("pids/keep");
	assert_int_equal(apply(a, &l, &e), 0);
	assert_int_equal(apply(b, &l, &e), 0);
	assert_int_equal(apply(c, &l, &e), 0);
	assert_true(marked("pids/cgkit", MARK_ANCESTOR));
	assert_true(marked("pids/cgkit/tenants", MARK_ANCESTOR));
	assert_true(marked("pids/keep/sub", MARK_ANCESTOR));
	assert_false(marked("pids/keep", MARK_ANCESTOR));
	assert_false(marked("pids/cgkit/tenants/one", MARK_ANCESTOR));
	assert_int_equal(remove_(a, &l, false, &e), 0);
	assert_false(there("pids/cgkit/tenants/one"));
	assert_true(there("pids/cgkit/tenants/two"));
	assert_int_equal(remove_(b, &l, false, &e), 0);
	assert_false(there("pids/cgkit"));
	assert_int_equal(remove_(c, &l, false, &e), 0);
	assert_false(there("pids/keep/sub"));
	assert_true(there("pids/keep"));
	profile_free(a);
	profile_free(b);
	profile_free(c);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_launch_leaf_names(void **state)
{
	(void)state;
	assert_true(mark_is_launch_leaf("run-1"));
	assert_true(mark_is_launch_leaf("run-4194304"));
	assert_false(mark_is_launch_leaf("run-"));
	assert_false(mark_is_launch_leaf("run-x"));
	assert_false(mark_is_launch_leaf("run-12a"));
	assert_false(mark_is_launch_leaf("run-u42.service"));
	assert_false(mark_is_launch_leaf("xrun-1"));
	assert_false(mark_is_launch_leaf("run--1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollback_v1),  cmocka_unit_test(test_rollback_v2),
		cmocka_unit_test(test_error_names_key), cmocka_unit_test(test_mkdir_eexist),
		cmocka_unit_test(test_remove),       cmocka_unit_test(test_remove_force_v2),       cmocka_unit_test(test_show_v1),
		cmocka_unit_test(test_read_back_v1),
		cmocka_unit_test(test_read_back_v2),
		cmocka_unit_test(test_show_v2),      cmocka_unit_test(test_v2_bfq_fallback),
		cmocka_unit_test(test_group_dirs),
		cmocka_unit_test(test_remove_refused_late),
		cmocka_unit_test(test_guess_missing_wrong),
		cmocka_unit_test(test_remove_refuses_unknown),
		cmocka_unit_test(test_remove_takes_marked),
		cmocka_unit_test(test_remove_every_hierarchy),
		cmocka_unit_test(test_apply_marks_made_parents),
		cmocka_unit_test(test_launch_leaf_names),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
