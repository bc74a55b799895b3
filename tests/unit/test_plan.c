/* Planning against fake trees: the v1/v2 mapping of every knob (file names,
 * values, order), convergence, edits, v2 subtree_control, v1 cpuset copies,
 * `self`, names checked before any path, host checks. */
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

#include <cmocka.h>

#include "fakecg.h"
#include "fake_profile.h"
#include "plan.h"
#include "policy.h"
#include "profile.h"

/* The plan as text, paths relative to the fake root. */
static char *plan_text(const struct plan *pl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_op *op = &pl->ops[i];
		const char *path = op->path + strlen(fake_root);

		if (op->kind == PLAN_MKDIR)
			fprintf(f, "mkdir %s\n", path);
		else
			fprintf(f, "write %s %s\n", path, op->value);
	}
	fclose(f);
	return buf;
}

static char *plan_for(struct profile *p, struct cg_layout *l, const struct cg_reader *rd,
		      struct diags *d, int want_rc)
{
	struct plan_opts o = opts();
	struct plan pl;
	cg_err e = { 0 };
	char *t;

	diags_init(d, "t.yaml");
	assert_int_equal(plan_build(p, l, &o, rd, &pl, d, &e), want_rc);
	t = plan_text(&pl);
	plan_free(&pl);
	return t;
}

static void apply(struct profile *p, struct cg_layout *l)
{
	struct plan_opts o = opts();
	struct diags d;
	cg_err e = { 0 };

	diags_init(&d, "t.yaml");
	if (policy_apply(p, l, &o, &d, &e) < 0) {
		diags_print(&d, stderr);
		fail_msg("apply: %s", e.msg);
	}
}

#define FULL                                                                                       \
	"name: web\n"                                                                              \
	"cpu:\n  max: 20%\n  period: 50ms\n  weight: 200\n"                                        \
	"memory:\n  max: 256M\n  high: 200M\n  swap: 64M\n"                                        \
	"io:\n  weight: 300\n  devices:\n    - path: \"8:0\"\n      read_bps: 10M\n"               \
	"      write_iops: 500\n"                                                                  \
	"cpuset:\n  cpus: \"1-2\"\n  mems: \"0\"\n"                                                \
	"pids:\n  max: 64\n"

static void test_v1_mapping_new_group(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof(FULL);
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	/* cgkit (the default parent) is new too: made first, its cpuset filled
	 * from the root's before web's */
	assert_string_equal(t,
		"mkdir /cpu/cgkit\n"
		"mkdir /cpu/cgkit/web\n"
		"mkdir /cpuacct/cgkit\n"
		"mkdir /cpuacct/cgkit/web\n"
		"mkdir /memory/cgkit\n"
		"mkdir /memory/cgkit/web\n"
		"mkdir /blkio/cgkit\n"
		"mkdir /blkio/cgkit/web\n"
		"mkdir /cpuset/cgkit\n"
		"mkdir /cpuset/cgkit/web\n"
		"mkdir /pids/cgkit\n"
		"mkdir /pids/cgkit/web\n"
		"write /cpuset/cgkit/cpuset.cpus 0-3\n"
		"write /cpuset/cgkit/cpuset.mems 0\n"
		"write /cpuset/cgkit/web/cpuset.cpus 1-2\n"
		"write /cpuset/cgkit/web/cpuset.mems 0\n"
		"write /cpuset/cgkit/web/cgroup.clone_children 1\n"
		"write /cpu/cgkit/web/cpu.cfs_period_us 50000\n"
		"write /cpu/cgkit/web/cpu.cfs_quota_us 10000\n"
		"write /cpu/cgkit/web/cpu.shares 2048\n"
		"write /memory/cgkit/web/memory.limit_in_bytes 268435456\n"
		"write /memory/cgkit/web/memory.memsw.limit_in_bytes 335544320\n"
		"write /memory/cgkit/web/memory.soft_limit_in_bytes 209715200\n"
		"write /blkio/cgkit/web/blkio.bfq.weight 118\n"
		"write /blkio/cgkit/web/blkio.throttle.read_bps_device 8:0 10485760\n"
		"write /blkio/cgkit/web/blkio.throttle.write_iops_device 8:0 500\n"
		"write /pids/cgkit/web/pids.max 64\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_v2_mapping_new_group(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(true, &l);
	p = prof(FULL);
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	/* controllers enabled from the root down, before each level is made */
	assert_string_equal(t,
		"write /cgroup.subtree_control +cpu +memory +io +cpuset +pids\n"
		"mkdir /cgkit\n"
		"write /cgkit/cgroup.subtree_control +cpu +memory +io +cpuset +pids\n"
		"mkdir /cgkit/web\n"
		"write /cgkit/web/cpu.max 10000 50000\n"
		"write /cgkit/web/cpu.weight 200\n"
		"write /cgkit/web/memory.max 268435456\n"
		"write /cgkit/web/memory.high 209715200\n"
		"write /cgkit/web/memory.swap.max 67108864\n"
		"write /cgkit/web/io.weight default 300\n"
		"write /cgkit/web/io.max 8:0 rbps=10485760 wbps=max riops=max wiops=500\n"
		"write /cgkit/web/cpuset.cpus 1-2\n"
		"write /cgkit/web/cpuset.mems 0\n"
		"write /cgkit/web/pids.max 64\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* Applying twice writes nothing the second time; on both layouts. */
static void converge(bool v2)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	layout(v2, &l);
	p = prof(FULL "children:\n  - name: a\n    cpu: {max: 10%}\n    memory: {max: 1G}\n");
	apply(p, &l);
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t, "");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_converge_v1(void **state)
{
	(void)state;
	converge(false);
}

static void test_converge_v2(void **state)
{
	(void)state;
	converge(true);
}

/* Every knob written, the kernel's default where the profile sets none:
 * an existing group with limits loses those the profile drops. */
static void test_defaults_written(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof(FULL);
	apply(p, &l);
	profile_free(p);
	p = prof("name: web\ncpu: {}\nmemory: {}\nio: {}\npids: {}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"write /cpu/cgkit/web/cpu.cfs_quota_us -1\n"
		"write /cpu/cgkit/web/cpu.cfs_period_us 100000\n"
		"write /cpu/cgkit/web/cpu.shares 1024\n"
		"write /memory/cgkit/web/memory.memsw.limit_in_bytes -1\n"
		"write /memory/cgkit/web/memory.limit_in_bytes -1\n"
		"write /memory/cgkit/web/memory.soft_limit_in_bytes -1\n"
		"write /blkio/cgkit/web/blkio.bfq.weight 100\n"
		"write /blkio/cgkit/web/blkio.throttle.read_bps_device 8:0 0\n"
		"write /blkio/cgkit/web/blkio.throttle.write_iops_device 8:0 0\n"
		"write /pids/cgkit/web/pids.max max\n");
	apply(p, &l);   /* in an order the kernel takes */
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* An edited profile changes only what changed, in the order the kernel
 * takes: memsw before a limit that rises above it; a quota relaxed to -1
 * while the period changes. */
static void test_edit_v1(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof(FULL);
	apply(p, &l);
	profile_free(p);
	p = prof("name: web\n"
		 "cpu:\n  max: 50%\n  period: 100ms\n  weight: 200\n"
		 "memory:\n  max: 1G\n  high: 200M\n  swap: 64M\n"
		 "io:\n  weight: 300\n  devices:\n    - path: \"8:0\"\n      read_bps: 20M\n"
		 "      write_iops: 500\n"
		 "cpuset:\n  cpus: \"1-2\"\n  mems: \"0\"\n"
		 "pids:\n  max: 64\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"write /cpu/cgkit/web/cpu.cfs_quota_us -1\n"
		"write /cpu/cgkit/web/cpu.cfs_period_us 100000\n"
		"write /cpu/cgkit/web/cpu.cfs_quota_us 50000\n"
		"write /memory/cgkit/web/memory.memsw.limit_in_bytes 1140850688\n"
		"write /memory/cgkit/web/memory.limit_in_bytes 1073741824\n"
		"write /blkio/cgkit/web/blkio.throttle.read_bps_device 8:0 20971520\n");
	apply(p, &l);
	profile_free(p);
	/* lower again: the limit goes first, then memsw; only the quota moves */
	p = prof("name: web\ncpu:\n  max: 40%\n  weight: 200\nmemory:\n  max: 128M\n  high: 100M\n  swap: 0\n");
	free(t);
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"write /cpu/cgkit/web/cpu.cfs_quota_us 40000\n"
		"write /memory/cgkit/web/memory.limit_in_bytes 134217728\n"
		"write /memory/cgkit/web/memory.memsw.limit_in_bytes 134217728\n"
		"write /memory/cgkit/web/memory.soft_limit_in_bytes 104857600\n");
	apply(p, &l);
	assert_string_equal(fake_read("memory/cgkit/web/memory.memsw.limit_in_bytes"), "134217728");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* v1: a limit with swap lifted to no limit. The kernel keeps memsw at or
 * above the limit, so memsw (to -1) goes first, as for any rise above it. */
static void test_v1_memory_lift_to_max(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof("name: web\nmemory: {max: 1G, swap: 1G}\n");
	apply(p, &l);
	profile_free(p);
	p = prof("name: web\nmemory: {max: max}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"write /memory/cgkit/web/memory.memsw.limit_in_bytes -1\n"
		"write /memory/cgkit/web/memory.limit_in_bytes -1\n");
	apply(p, &l);
	assert_string_equal(fake_read("memory/cgkit/web/memory.limit_in_bytes"), "9223372036854771712");
	free(t);
	profile_free(p);
	/* and with swap still set (memsw then has no limit either) */
	p = prof("name: web\nmemory: {max: 1G, swap: 1G}\n");
	apply(p, &l);
	profile_free(p);
	p = prof("name: web\nmemory: {max: max, swap: 1G}\n");
	apply(p, &l);
	assert_string_equal(fake_read("memory/cgkit/web/memory.memsw.limit_in_bytes"), "9223372036854771712");
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_edit_v2_io_devices(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(true, &l);
	p = prof("name: web\nio:\n  devices:\n    - {path: \"8:0\", read_bps: 1M}\n"
		 "    - {path: \"8:16\", write_iops: 10}\n");
	apply(p, &l);
	assert_string_equal(fake_read("cgkit/web/io.max"),
			    "8:0 rbps=1048576 wbps=max riops=max wiops=max\n"
			    "8:16 rbps=max wbps=max riops=max wiops=10");
	profile_free(p);
	/* 8:16 dropped from the profile: its line is lifted */
	p = prof("name: web\nio:\n  devices:\n    - {path: \"8:0\", read_bps: 1M}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t, "write /cgkit/web/io.max 8:16 rbps=max wbps=max riops=max wiops=max\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* BFQ's default weight is 100, io.weight's is 100: a new group (whose
 * blkio.bfq.weight is 100) with io.weight 100, or none, needs no write. */
static void test_io_weight_bfq_default(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof("name: web\npids: {max: 5}\n");
	apply(p, &l);
	profile_free(p);
	p = prof("name: web\nio: {weight: 100}\npids: {max: 5}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t, "mkdir /blkio/cgkit\nmkdir /blkio/cgkit/web\n");
	apply(p, &l);
	free(t);
	profile_free(p);
	p = prof("name: web\nio: {weight: 50}\npids: {max: 5}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t, "write /blkio/cgkit/web/blkio.bfq.weight 50\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* v2: only the controllers needed, only where not yet enabled; children's
 * controllers in the group's own subtree_control. */
static void test_v2_subtree_control(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(true, &l);
	fake_put(fake_root, "cgroup.subtree_control", "memory\n");
	p = prof("name: web\nmemory: {max: 1G}\nchildren:\n  - name: a\n    pids: {max: 5}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"write /cgroup.subtree_control +pids\n"
		"mkdir /cgkit\n"
		"write /cgkit/cgroup.subtree_control +memory +pids\n"
		"mkdir /cgkit/web\n"
		"write /cgkit/web/cgroup.subtree_control +pids\n"
		"mkdir /cgkit/web/a\n"
		"write /cgkit/web/memory.max 1073741824\n"
		"write /cgkit/web/a/pids.max 5\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* v1: a new cpuset group (and a new ancestor) gets cpus and mems from its
 * parent before anything can join; a child without a section too. */
static void test_v1_cpuset_copy(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof("name: web\nparent: a/b\ncpuset:\n  mems: \"0\"\nchildren:\n  - name: c\n    pids: {max: 3}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"mkdir /cpuset/a\n"
		"mkdir /cpuset/a/b\n"
		"mkdir /cpuset/a/b/web\n"
		"mkdir /cpuset/a/b/web/c\n"
		"mkdir /pids/a\n"
		"mkdir /pids/a/b\n"
		"mkdir /pids/a/b/web\n"
		"mkdir /pids/a/b/web/c\n"
		"write /cpuset/a/cpuset.cpus 0-3\n"
		"write /cpuset/a/cpuset.mems 0\n"
		"write /cpuset/a/b/cpuset.cpus 0-3\n"
		"write /cpuset/a/b/cpuset.mems 0\n"
		"write /cpuset/a/b/web/cpuset.cpus 0-3\n"
		"write /cpuset/a/b/web/cpuset.mems 0\n"
		"write /cpuset/a/b/web/cgroup.clone_children 1\n"
		"write /cpuset/a/b/web/c/cpuset.cpus 0-3\n"
		"write /cpuset/a/b/web/c/cpuset.mems 0\n"
		"write /cpuset/a/b/web/c/cgroup.clone_children 1\n"
		"write /pids/a/b/web/c/pids.max 3\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* v1 cpuset moved from 1-2 to 3 with a child: grown top-down, shrunk
 * bottom-up, so that a child is always within its parent. */
static void test_v1_cpuset_move(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof("name: web\ncpuset: {cpus: \"1-2\"}\nchildren:\n  - name: c\n    cpuset: {cpus: \"2\"}\n");
	apply(p, &l);
	profile_free(p);
	p = prof("name: web\ncpuset: {cpus: \"3\"}\nchildren:\n  - name: c\n    cpuset: {cpus: \"3\"}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"write /cpuset/cgkit/web/cpuset.cpus 1-3\n"
		"write /cpuset/cgkit/web/c/cpuset.cpus 2-3\n"
		"write /cpuset/cgkit/web/c/cpuset.cpus 3\n"
		"write /cpuset/cgkit/web/cpuset.cpus 3\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* A launch's leaf below a group (not in the profile) follows the group's
 * shrink, keeping what it can, before the group shrinks. */
static void test_v1_cpuset_shrink_leaf(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t, dir[4200];

	(void)state;
	layout(false, &l);
	p = prof("name: web\ncpuset: {cpus: \"0-2\"}\n");
	apply(p, &l);
	snprintf(dir, sizeof(dir), "%s/cpuset/cgkit/web/run-77", fake_root);
	assert_int_equal(__wrap_sys_mkdir(dir, 0755), 0);
	fake_put(dir, "cpuset.cpus", "1-2\n");
	fake_put(dir, "cpuset.mems", "0\n");
	strcat(dir, "/inner");
	assert_int_equal(__wrap_sys_mkdir(dir, 0755), 0);
	fake_put(dir, "cpuset.cpus", "2\n");
	fake_put(dir, "cpuset.mems", "0\n");
	profile_free(p);
	p = prof("name: web\ncpuset: {cpus: \"0-1\"}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"write /cpuset/cgkit/web/run-77/inner/cpuset.cpus 1\n"
		"write /cpuset/cgkit/web/run-77/cpuset.cpus 1\n"
		"write /cpuset/cgkit/web/cpuset.cpus 0-1\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* parent: self, and --parent self: the caller's own group per hierarchy. */
static void test_self(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	struct plan_opts o;
	struct plan pl;
	cg_err e = { 0 };
	char *t, dir[4200];

	(void)state;
	layout(false, &l);
	free(l.self_v1[CTRL_MEMORY]);
	l.self_v1[CTRL_MEMORY] = strdup("process_api/x");
	snprintf(dir, sizeof(dir), "%s/memory/process_api", fake_root);
	mkdir(dir, 0755);
	strcat(dir, "/x");
	mkdir(dir, 0755);
	p = prof("name: web\nparent: self\nmemory: {max: 1G}\npids: {max: 2}\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_string_equal(t,
		"mkdir /memory/process_api/x/web\n"
		"mkdir /pids/web\n"
		"write /memory/process_api/x/web/memory.limit_in_bytes 1073741824\n"
		"write /pids/web/pids.max 2\n");
	free(t);
	profile_free(p);
	/* --parent self overrides the profile's parent */
	p = prof("name: web\nparent: far/away\nmemory: {max: 1G}\n");
	o = opts();
	o.parent = "self";
	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(p, &l, &o, &cg_reader_fs, &pl, &d, &e), 0);
	assert_int_equal(pl.n_group_dirs, 1);
	assert_string_equal(pl.group_dirs[0] + strlen(fake_root), "/memory/process_api/x/web");
	plan_free(&pl);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* A reader that fails the test if anything is looked at. */
static ssize_t no_read(void *ctx, const char *path, char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	fail_msg("read %s before the names were checked", path);
	return -1;
}

static bool no_exists(void *ctx, const char *path)
{
	(void)ctx;
	fail_msg("looked at %s before the names were checked", path);
	return false;
}

static void test_names_checked_first(void **state)
{
	static const struct cg_reader strict = { no_read, no_exists, NULL, NULL, NULL };
	const char *bad[] = { "../x", "a/b", ".hidden", "", "x..y/..", NULL };
	struct cg_layout l;
	struct profile *p;
	struct plan_opts o;
	struct plan pl;
	struct diags d;
	cg_err e = { 0 };

	(void)state;
	layout(false, &l);
	for (int i = 0; bad[i]; i++) {
		p = prof("name: web\npids: {max: 2}\nchildren:\n  - name: ok\n");
		free(p->group.children[0].name.s);
		p->group.children[0].name.s = strdup(bad[i]);
		o = opts();
		diags_init(&d, "t.yaml");
		assert_int_equal(plan_build(p, &l, &o, &strict, &pl, &d, &e), -1);
		assert_int_equal(d.errors, 1);
		assert_string_equal(d.items[0].key, "children[0].name");
		assert_int_equal(pl.n, 0);
		profile_free(p);
	}
	/* a bad --parent */
	p = prof("name: web\npids: {max: 2}\n");
	o = opts();
	o.parent = "/etc";
	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(p, &l, &o, &strict, &pl, &d, &e), -1);
	assert_string_equal(d.items[0].key, "parent");
	o.parent = "a/../..";
	diags_init(&d, "t.yaml");
	assert_int_equal(plan_build(p, &l, &o, &strict, &pl, &d, &e), -1);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

static void test_host_checks(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	/* a cpu and a memory node that are not online; /dev/null is no disk */
	p = prof("name: web\ncpuset:\n  cpus: \"2-7\"\n  mems: \"1\"\nio:\n  devices:\n"
		 "    - path: /dev/null\n      read_bps: 1M\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, -1);
	assert_string_equal(t, "");
	assert_int_equal(d.errors, 3);
	assert_string_equal(d.items[0].key, "cpuset.cpus");
	assert_int_equal(d.items[0].line, 3);
	assert_int_equal(d.items[0].col, 9);
	assert_non_null(strstr(d.items[0].msg, "cpu 4 is not online"));
	assert_string_equal(d.items[1].key, "cpuset.mems");
	assert_string_equal(d.items[2].key, "io.devices[0].path");
	assert_non_null(strstr(d.items[2].msg, "not a block device"));
	free(t);
	profile_free(p);
	/* a controller the host lacks */
	free(l.v1_mount[CTRL_PIDS]);
	l.v1_mount[CTRL_PIDS] = NULL;
	p = prof("name: web\nmemory: {max: 1G}\npids:\n  max: 5\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, -1);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.items[0].key, "pids");
	assert_int_equal(d.items[0].line, 4);
	assert_non_null(strstr(d.items[0].msg, "no pids controller"));
	free(t);
	profile_free(p);
	/* memory.swap where memsw is missing: a warning, and no memsw write */
	{
		char f[4200];

		snprintf(f, sizeof(f), "%s/memory/memory.memsw.limit_in_bytes", fake_root);
		unlink(f);
	}
	p = prof("name: web\nmemory:\n  max: 1G\n  swap: 1G\n");
	t = plan_for(p, &l, &cg_reader_fs, &d, 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_string_equal(d.items[0].key, "memory.swap");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* The fake host has one disk, 8:0, with a partition 8:1 (/dev/fake1). */
static bool part_exists(void *ctx, const char *path)
{
	if (!strcmp(path, "/sys/dev/block/8:1/partition"))
		return true;
	return cg_reader_fs.exists(ctx, path);
}

static int part_blkdev(void *ctx, const char *path, unsigned *major, unsigned *minor)
{
	(void)ctx;
	if (strcmp(path, "/dev/fake1")) {
		errno = ENOENT;
		return -1;
	}
	*major = 8;
	*minor = 1;
	return 0;
}

static void test_partition_refused(void **state)
{
	const struct cg_reader rd = { cg_reader_fs.read, part_exists, part_blkdev, cg_reader_fs.subdirs,
				      NULL };
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	layout(false, &l);
	p = prof("name: web\nio:\n  devices:\n    - {path: /dev/fake1, read_bps: 1M}\n"
		 "    - {path: \"8:1\", write_bps: 1M}\n    - {path: /dev/nope, write_bps: 1M}\n"
		 "    - {path: \"8:0\", write_bps: 1M}\n");
	t = plan_for(p, &l, &rd, &d, -1);
	assert_int_equal(d.errors, 3);
	assert_string_equal(d.items[0].key, "io.devices[0].path");
	assert_non_null(strstr(d.items[0].msg, "/dev/fake1 (8:1) is a partition"));
	assert_string_equal(d.items[1].key, "io.devices[1].path");
	assert_string_equal(d.items[2].key, "io.devices[2].path");
	assert_non_null(strstr(d.items[2].msg, "/dev/nope: No such file or directory"));
	free(t);
	profile_free(p);
	cg_layout_free(&l);
	fake_tree_free();
}

/* One disk named two ways (its node, a link to it, its numbers): refused at
 * the second name, with the first's place; nothing planned. The fake host's
 * /dev/fake0 and /dev/disk/by-id/fake are 8:0. */
static int link_blkdev(void *ctx, const char *path, unsigned *major, unsigned *minor)
{
	(void)ctx;
	if (strcmp(path, "/dev/fake0") && strcmp(path, "/dev/disk/by-id/fake")) {
		errno = ENOENT;
		return -1;
	}
	*major = 8;
	*minor = 0;
	return 0;
}

static void test_device_named_twice(void **state)
{
	const struct cg_reader rd = { cg_reader_fs.read, cg_reader_fs.exists, link_blkdev,
				      cg_reader_fs.subdirs, NULL };
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	char *t;

	(void)state;
	for (int v2 = 0; v2 < 2; v2++) {
		layout(v2, &l);
		p = prof("name: web\nio:\n  devices:\n    - {path: \"8:0\", read_bps: 1M}\n"
			 "    - {path: /dev/fake0, write_bps: 2M}\n"
			 "    - {path: /dev/sdz9, write_bps: 2M}\n"
			 "    - {path: /dev/disk/by-id/fake, read_iops: 10}\n");
		t = plan_for(p, &l, &rd, &d, -1);
		assert_string_equal(t, "");
		assert_int_equal(d.errors, 3);
		assert_string_equal(d.items[0].key, "io.devices[1].path");
		assert_int_equal(d.items[0].line, 5);
		assert_int_equal(d.items[0].col, 14);
		assert_string_equal(d.items[0].msg,
				    "/dev/fake0 (8:0) is the same device as io.devices[0] (\"8:0\", at "
				    "t.yaml:4:14): give each device one entry");
		assert_string_equal(d.items[1].key, "io.devices[2].path");
		assert_string_equal(d.items[2].key, "io.devices[3].path");
		assert_int_equal(d.items[2].line, 7);
		assert_non_null(strstr(d.items[2].msg, "/dev/disk/by-id/fake (8:0) is the same device "
							"as io.devices[0]"));
		free(t);
		profile_free(p);
		/* in a child group too, with its key */
		p = prof("name: web\nchildren:\n  - name: a\n    io:\n      devices:\n"
			 "        - {path: /dev/fake0, read_bps: 1M}\n"
			 "        - {path: \"8:0\", read_bps: 2M}\n");
		t = plan_for(p, &l, &rd, &d, -1);
		assert_int_equal(d.errors, 1);
		assert_string_equal(d.items[0].key, "children[0].io.devices[1].path");
		assert_non_null(strstr(d.items[0].msg, "as children[0].io.devices[0] (\"/dev/fake0\", at t.yaml:6:18)"));
		free(t);
		profile_free(p);
		cg_layout_free(&l);
		fake_tree_free();
	}
}

/* --layout: nothing read; placeholders where a value would be read. */
static void test_reader_empty(void **state)
{
	struct cg_layout l;
	struct profile *p;
	struct diags d;
	cg_err e = { 0 };
	char *t;

	(void)state;
	assert_int_equal(cg_layout_standard(CG_MODE_V1, "/nowhere", &l, &e), 0);
	p = prof("name: web\nparent: self\ncpuset: {mems: \"0\"}\nio:\n  devices:\n"
		 "    - {path: /dev/vda, read_bps: 1M}\n");
	fake_root[0] = '\0';
	t = plan_for(p, &l, &cg_reader_empty, &d, 0);
	assert_string_equal(t,
		"mkdir /nowhere/blkio/web\n"
		"mkdir /nowhere/cpuset/web\n"
		"write /nowhere/cpuset/web/cpuset.cpus </nowhere/cpuset/cpuset.cpus>\n"
		"write /nowhere/cpuset/web/cpuset.mems 0\n"
		"write /nowhere/cpuset/web/cgroup.clone_children 1\n"
		"write /nowhere/blkio/web/blkio.throttle.read_bps_device <MAJ:MIN of /dev/vda> 1048576\n");
	free(t);
	profile_free(p);
	cg_layout_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_mapping_new_group),
		cmocka_unit_test(test_v2_mapping_new_group),
		cmocka_unit_test(test_converge_v1),
		cmocka_unit_test(test_converge_v2),
		cmocka_unit_test(test_defaults_written),
		cmocka_unit_test(test_edit_v1),
		cmocka_unit_test(test_v1_memory_lift_to_max),
		cmocka_unit_test(test_edit_v2_io_devices),
		cmocka_unit_test(test_io_weight_bfq_default),
		cmocka_unit_test(test_v2_subtree_control),
		cmocka_unit_test(test_v1_cpuset_copy),
		cmocka_unit_test(test_v1_cpuset_move),
		cmocka_unit_test(test_v1_cpuset_shrink_leaf),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_names_checked_first),
		cmocka_unit_test(test_host_checks),
		cmocka_unit_test(test_partition_refused),
		cmocka_unit_test(test_device_named_twice),
		cmocka_unit_test(test_reader_empty),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
