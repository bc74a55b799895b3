/* Layout detection from sample /proc/self/mountinfo and /proc/self/cgroup
 * files (tests/unit/data/): v1 with controllers apart (this host), v1 with
 * cpu,cpuacct together, hybrid (this host), pure v2, and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <cmocka.h>

#include "layout.h"

static char *slurp(const char *name)
{
	char path[4096];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;
	char *buf = calloc(1, 65536);

	snprintf(path, sizeof(path), "%.*s/data/%s", (int)(slash - __FILE__), __FILE__, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(buf);
	fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void parse(const char *mi, const char *pc, const char *ctrls, struct cg_layout *l)
{
	char *m = slurp(mi), *p = slurp(pc);
	cg_err e = { 0 };

	assert_int_equal(cg_layout_parse(m, p, l, &e), 0);
	if (ctrls) {
		char *c = slurp(ctrls);

		assert_int_equal(cg_layout_set_unified_ctrls(l, c, &e), 0);
		free(c);
	}
	free(m);
	free(p);
}

static void test_v1_separate(void **state)
{
	struct cg_layout l;

	(void)state;
	parse("mountinfo-v1-separate", "cgroup-v1-separate", NULL, &l);
	assert_int_equal(l.mode, CG_MODE_V1);
	assert_null(l.unified);
	assert_string_equal(cg_layout_mount(&l, CTRL_CPU), "/sys/fs/cgroup/cpu");
	assert_string_equal(cg_layout_mount(&l, CTRL_CPUACCT), "/sys/fs/cgroup/cpuacct");
	assert_string_equal(cg_layout_mount(&l, CTRL_IO), "/sys/fs/cgroup/blkio");
	assert_string_equal(cg_layout_mount(&l, CTRL_PIDS), "/sys/fs/cgroup/pids");
	assert_string_equal(cg_layout_mount(&l, CTRL_FREEZER), "/sys/fs/cgroup/freezer");
	assert_false(cg_layout_is_v2(&l, CTRL_CPU));
	/* the caller: memory below process_api, the rest at the root */
	assert_string_equal(cg_layout_self(&l, CTRL_MEMORY),
			    "process_api/b6ea15479dc3ab01af09476ca6629732");
	assert_string_equal(cg_layout_self(&l, CTRL_CPU), "");
	assert_string_equal(cg_ctrl_name(CTRL_IO, false), "blkio");
	assert_string_equal(cg_mode_name(l.mode), "v1");
	cg_layout_free(&l);
}

static void test_v1_comounted(void **state)
{
	struct cg_layout l;

	(void)state;
	parse("mountinfo-v1-comounted", "cgroup-v1-comounted", NULL, &l);
	assert_int_equal(l.mode, CG_MODE_V1);
	assert_string_equal(cg_layout_mount(&l, CTRL_CPU), "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(cg_layout_mount(&l, CTRL_CPUACCT), "/sys/fs/cgroup/cpu,cpuacct");
	/* \040 in mountinfo is a space */
	assert_string_equal(cg_layout_mount(&l, CTRL_MEMORY), "/sys/fs/cgroup/my memory");
	/* name=systemd is not a controller */
	assert_string_equal(cg_layout_self(&l, CTRL_CPU), "user.slice");
	assert_string_equal(cg_layout_self(&l, CTRL_CPUACCT), "user.slice");
	assert_string_equal(cg_layout_self(&l, CTRL_MEMORY), "user.slice/user-1000.slice/session-2.scope");
	assert_string_equal(cg_layout_self(&l, CTRL_CPUSET), "");
	cg_layout_free(&l);
}

static void test_hybrid(void **state)
{
	struct cg_layout l;

	(void)state;
	parse("mountinfo-hybrid", "cgroup-hybrid", "controllers-hybrid", &l);
	assert_int_equal(l.mode, CG_MODE_HYBRID);
	assert_string_equal(l.unified, "/sys/fs/cgroup/unified");
	/* only hugetlb is there, which cgkit does not use */
	assert_int_equal(l.unified_ctrls, 0);
	assert_string_equal(cg_layout_mount(&l, CTRL_CPU), "/sys/fs/cgroup/cpu");
	assert_false(cg_layout_is_v2(&l, CTRL_CPU));
	assert_string_equal(l.self_unified, "");
	cg_layout_free(&l);
}

static void test_hybrid_v1_wins(void **state)
{
	struct cg_layout l;
	cg_err e = { 0 };

	(void)state;
	parse("mountinfo-hybrid", "cgroup-hybrid", NULL, &l);
	/* pids on both: the v1 mount holds it; io only on cgroup2 */
	assert_int_equal(cg_layout_set_unified_ctrls(&l, "pids io\n", &e), 0);
	assert_false(cg_layout_is_v2(&l, CTRL_PIDS));
	assert_string_equal(cg_layout_mount(&l, CTRL_PIDS), "/sys/fs/cgroup/pids");
	cg_layout_free(&l);
	/* a hybrid whose cgroup2 holds io, where v1 has no blkio */
	{
		char *m = slurp("mountinfo-hybrid");
		char *p = slurp("cgroup-hybrid");
		char *blk = strstr(m, "/sys/fs/cgroup/blkio");

		assert_non_null(blk);
		memcpy(strstr(blk, "rw,blkio"), "rw,xxxxx", 8);
		assert_int_equal(cg_layout_parse(m, p, &l, &e), 0);
		assert_int_equal(cg_layout_set_unified_ctrls(&l, "io hugetlb", &e), 0);
		assert_true(cg_layout_is_v2(&l, CTRL_IO));
		assert_string_equal(cg_layout_mount(&l, CTRL_IO), "/sys/fs/cgroup/unified");
		assert_string_equal(cg_ctrl_name(CTRL_IO, true), "io");
		free(m);
		free(p);
		cg_layout_free(&l);
	}
}

static void test_v2(void **state)
{
	struct cg_layout l;

	(void)state;
	parse("mountinfo-v2", "cgroup-v2", "controllers-v2", &l);
	assert_int_equal(l.mode, CG_MODE_V2);
	assert_string_equal(l.unified, "/sys/fs/cgroup");
	for (int c = 0; c < CTRL_COUNT; c++)
		assert_string_equal(cg_layout_mount(&l, c), "/sys/fs/cgroup");
	assert_true(cg_layout_is_v2(&l, CTRL_CPU));
	assert_true(cg_layout_is_v2(&l, CTRL_IO));
	assert_string_equal(cg_layout_self(&l, CTRL_MEMORY), "user.slice/user-1000.slice/session-3.scope");
	cg_layout_free(&l);
}

static void test_v2_missing_controller(void **state)
{
	struct cg_layout l;
	cg_err e = { 0 };

	(void)state;
	parse("mountinfo-v2", "cgroup-v2", NULL, &l);
	assert_int_equal(cg_layout_set_unified_ctrls(&l, "memory pids", &e), 0);
	assert_null(cg_layout_mount(&l, CTRL_CPU));
	assert_non_null(cg_layout_mount(&l, CTRL_MEMORY));
	cg_layout_free(&l);
}

static void test_garbage(void **state)
{
	struct cg_layout l;
	char *m = slurp("mountinfo-garbage");
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(cg_layout_parse(m, "garbage\n:::\n", &l, &e), -1);
	assert_non_null(strstr(e.msg, "no cgroup file system is mounted"));
	assert_int_equal(cg_layout_parse("", "", &l, &e), -1);
	free(m);
}

static void test_standard(void **state)
{
	struct cg_layout l;
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(cg_layout_standard(CG_MODE_V1, "/x", &l, &e), 0);
	assert_string_equal(cg_layout_mount(&l, CTRL_IO), "/x/blkio");
	assert_string_equal(cg_layout_self(&l, CTRL_IO), "");
	cg_layout_free(&l);
	assert_int_equal(cg_layout_standard(CG_MODE_V2, "/y", &l, &e), 0);
	assert_string_equal(cg_layout_mount(&l, CTRL_CPUSET), "/y");
	assert_true(cg_layout_is_v2(&l, CTRL_PIDS));
	cg_layout_free(&l);
	assert_int_equal(cg_layout_standard(CG_MODE_HYBRID, "/y", &l, &e), -1);
}

/* A mount that shows a subtree (a container's bind mount): the caller's
 * path in /proc/self/cgroup is taken relative to the mount's root; a whole
 * mount of the same controller wins over the subtree. */
static void test_bind_mount_root(void **state)
{
	const char *mi =
		"30 25 0:26 /docker/abc /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		"31 25 0:27 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
		"32 25 0:27 / /mnt/allpids rw - cgroup cgroup rw,pids\n";
	const char *pc = "3:cpu:/docker/abc/sub\n2:pids:/docker/abc\n";
	struct cg_layout l;
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(cg_layout_parse(mi, pc, &l, &e), 0);
	assert_string_equal(cg_layout_mount(&l, CTRL_CPU), "/sys/fs/cgroup/cpu");
	assert_string_equal(cg_layout_self(&l, CTRL_CPU), "sub");
	assert_string_equal(cg_layout_mount(&l, CTRL_PIDS), "/mnt/allpids");
	assert_string_equal(cg_layout_self(&l, CTRL_PIDS), "docker/abc");
	cg_layout_free(&l);
}

/* This host, read for real: the unit tests run where cgkit runs, on a
 * host with cgroups, so a detection that fails is a failure, not a skip. */
static void test_detect(void **state)
{
	struct cg_layout l;
	cg_err e = { 0 };
	int rc;

	(void)state;
	rc = cg_layout_detect(&l, &e);
	if (rc < 0)
		print_error("cg_layout_detect: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_int_not_equal(l.mode, CG_MODE_NONE);
	/* every controller found is a directory, and so is our own group in it */
	for (int c = 0; c < CTRL_COUNT; c++) {
		const char *m = cg_layout_mount(&l, (enum cg_ctrl)c);
		char own[4096];
		struct stat st;

		if (!m)
			continue;
		snprintf(own, sizeof(own), "%s/%s", m, cg_layout_self(&l, (enum cg_ctrl)c));
		assert_int_equal(stat(own, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	assert_non_null(cg_layout_mount(&l, CTRL_CPU));
	cg_layout_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_separate),   cmocka_unit_test(test_v1_comounted),
		cmocka_unit_test(test_hybrid),        cmocka_unit_test(test_hybrid_v1_wins),
		cmocka_unit_test(test_v2),            cmocka_unit_test(test_v2_missing_controller),
		cmocka_unit_test(test_garbage),       cmocka_unit_test(test_standard),
		cmocka_unit_test(test_bind_mount_root), cmocka_unit_test(test_detect),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
