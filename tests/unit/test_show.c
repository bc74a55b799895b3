/* Show, one resource at a time: a group's files in a fake tree, as the
 * kernel would hold them, read back through a cg_reader in profile terms.
 * No fake kernel is needed: the files are put there by hand. */
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
#include "mapping.h"
#include "show.h"

struct fixture {
	struct cg_layout l;
	struct profile *p;
	struct map_where w;
};

/* A fake tree with the profile's group made, with a new group's defaults,
 * in every hierarchy it needs. */
static void setup(struct fixture *f, bool v2, const char *yaml)
{
	struct diags d;
	cg_err e = { 0 };

	layout(v2, &f->l);
	f->p = prof(yaml);
	diags_init(&d, "t.yaml");
	assert_int_equal(map_where(f->p, &f->l, NULL, &f->w, &d, &e), 0);
	for (size_t h = 0; h < f->w.n; h++) {
		char dir[4096];

		for (char *s = f->w.h[h].base + strlen(f->w.h[h].mount) + 1; *s; s++)
			if (*s == '/') {
				*s = '\0';
				mkdir(f->w.h[h].base, 0755);
				*s = '/';
			}
		mkdir(f->w.h[h].base, 0755);
		snprintf(dir, sizeof(dir), "%s/%s", f->w.h[h].base, f->p->group.name.s);
		assert_int_equal(mkdir(dir, 0755), 0);
		fake_fill(dir, false);
	}
}

static void teardown(struct fixture *f)
{
	map_where_free(&f->w);
	profile_free(f->p);
	cg_layout_free(&f->l);
	fake_tree_free();
}

/* Puts value into the group's file of controller c. */
static void put(struct fixture *f, enum cg_ctrl c, const char *file, const char *value)
{
	int h = map_where_find(&f->w, &f->l, c);
	char dir[4096];

	assert_true(h >= 0);
	snprintf(dir, sizeof(dir), "%s/%s", f->w.h[h].base, f->p->group.name.s);
	fake_put(dir, file, value);
}

/* What show prints through rd; the caller frees it. */
static char *shown(struct fixture *f, const struct cg_reader *rd)
{
	cg_err e = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(show_groups(f->p, &f->l, &f->w, rd, out, &e), 0);
	fclose(out);
	return buf;
}

static void expect(struct fixture *f, const struct cg_reader *rd, const char *want)
{
	char *got = shown(f, rd);

	if (!strstr(got, want))
		fail_msg("'%s' not in:\n%s", want, got);
	free(got);
}

static void test_show_cpu(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, false, "name: web\ncpu: {max: 40%}\n");
	put(&f, CTRL_CPU, "cpu.cfs_quota_us", "20000\n");
	put(&f, CTRL_CPU, "cpu.cfs_period_us", "50000\n");
	put(&f, CTRL_CPU, "cpu.shares", "2048\n");
	expect(&f, &cg_reader_fs, "name: web\ncpu:\n  max: 40%\n  period: 50ms\n  weight: 200\n");
	teardown(&f);

	setup(&f, true, "name: web\ncpu: {max: 40%}\n");
	expect(&f, &cg_reader_fs, "cpu:\n  max: max\n  period: 100ms\n  weight: 100\n");
	put(&f, CTRL_CPU, "cpu.max", "12345 100000\n");
	put(&f, CTRL_CPU, "cpu.weight", "300\n");
	expect(&f, &cg_reader_fs, "cpu:\n  max: 12.345%\n  period: 100ms\n  weight: 300\n");
	teardown(&f);
}

static void test_show_memory(void **state)
{
	struct fixture f;

	(void)state;
	/* v1: memsw is memory + swap; the huge number is "no limit" */
	setup(&f, false, "name: web\nmemory: {max: 256M}\n");
	put(&f, CTRL_MEMORY, "memory.limit_in_bytes", "268435456\n");
	put(&f, CTRL_MEMORY, "memory.memsw.limit_in_bytes", "335544320\n");
	expect(&f, &cg_reader_fs, "memory:\n  max: 256M\n  high: max\n  swap: 64M\n");
	teardown(&f);

	setup(&f, true, "name: web\nmemory: {max: 256M}\n");
	put(&f, CTRL_MEMORY, "memory.max", "268435456\n");
	put(&f, CTRL_MEMORY, "memory.high", "209715200\n");
	put(&f, CTRL_MEMORY, "memory.swap.max", "0\n");
	expect(&f, &cg_reader_fs, "memory:\n  max: 256M\n  high: 200M\n  swap: 0\n");
	teardown(&f);
}

/* The fake host's one disk, /dev/fakedisk 8:0, for a reader that looks
 * up devices: its sysfs uevent names it, its node has its numbers. */
static ssize_t disk_read(void *ctx, const char *path, char *buf, size_t len)
{
	if (!strcmp(path, "/sys/dev/block/8:0/uevent"))
		return snprintf(buf, len, "MAJOR=8\nMINOR=0\nDEVNAME=fakedisk\nDEVTYPE=disk\n");
	return cg_reader_fs.read(ctx, path, buf, len);
}

static int disk_blkdev(void *ctx, const char *path, unsigned *major, unsigned *minor)
{
	(void)ctx;
	if (strcmp(path, "/dev/fakedisk")) {
		errno = ENOENT;
		return -1;
	}
	*major = 8;
	*minor = 0;
	return 0;
}

static void test_show_io(void **state)
{
	const struct cg_reader rd = { disk_read, cg_reader_fs.exists, disk_blkdev, NULL, NULL };
	const struct cg_reader blind = { disk_read, cg_reader_fs.exists, NULL, NULL, NULL };
	struct fixture f;

	(void)state;
	/* v2: a known disk by its node, another by its numbers */
	setup(&f, true, "name: web\nio: {weight: 300}\n");
	put(&f, CTRL_IO, "io.weight", "default 300\n");
	put(&f, CTRL_IO, "io.max", "8:0 rbps=10485760 wbps=max riops=max wiops=500\n"
				   "8:16 rbps=max wbps=1048576 riops=max wiops=max\n");
	expect(&f, &rd, "io:\n  weight: 300\n  devices:\n    - path: /dev/fakedisk\n"
			"      read_bps: 10M\n      write_iops: 500\n    - path: \"8:16\"\n"
			"      write_bps: 1M\n");
	/* a reader that does not look devices up shows the numbers */
	expect(&f, &blind, "    - path: \"8:0\"\n");
	teardown(&f);

	/* v1 with BFQ: its weight, mapped back, and the file's own figure */
	setup(&f, false, "name: web\nio: {weight: 300}\n");
	put(&f, CTRL_IO, "blkio.bfq.weight", "118\n");
	put(&f, CTRL_IO, "blkio.throttle.read_bps_device", "8:0 1048576\n");
	expect(&f, &rd, "io:\n  weight: 298   # blkio.bfq.weight 118\n  devices:\n"
			"    - path: /dev/fakedisk\n      read_bps: 1M\n");
	teardown(&f);
}

static void test_show_cpuset(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, false, "name: web\ncpuset: {cpus: \"1-2\"}\n");
	put(&f, CTRL_CPUSET, "cpuset.cpus", "1-2\n");
	put(&f, CTRL_CPUSET, "cpuset.mems", "0\n");
	expect(&f, &cg_reader_fs, "cpuset:\n  cpus: \"1-2\"\n  mems: \"0\"\n");
	teardown(&f);
}

static void test_show_pids(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, true, "name: web\npids: {max: 64}\n");
	expect(&f, &cg_reader_fs, "pids:\n  max: max\n");
	put(&f, CTRL_PIDS, "pids.max", "64\n");
	expect(&f, &cg_reader_fs, "pids:\n  max: 64\n");
	teardown(&f);
}

/* A group the reader does not find is an error that says so; a section
 * whose files cannot be read is left out. */
static void test_show_missing(void **state)
{
	struct fixture f;
	cg_err e = { 0 };
	char *got;

	(void)state;
	setup(&f, true, "name: web\ncpu: {max: 10%}\npids: {max: 64}\n");
	assert_int_equal(show_groups(f.p, &f.l, &f.w, &cg_reader_empty, stdout, &e), -1);
	assert_int_equal(e.errnum, ENOENT);
	assert_non_null(strstr(e.msg, "/web does not exist; apply the profile first"));
	put(&f, CTRL_PIDS, "pids.max", "not a number\n");
	got = shown(&f, &cg_reader_fs);
	assert_null(strstr(got, "pids:"));
	assert_non_null(strstr(got, "cpu:\n"));
	free(got);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_show_cpu),    cmocka_unit_test(test_show_memory),
		cmocka_unit_test(test_show_io),     cmocka_unit_test(test_show_cpuset),
		cmocka_unit_test(test_show_pids),   cmocka_unit_test(test_show_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
