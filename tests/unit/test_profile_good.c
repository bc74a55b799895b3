/* Good profiles parse to the right values; every shipped profile and every
 * sample in tests/profiles/ gives what it should (a bad-*.yaml sample names
 * the error it must give on its first line: "# expect: LINE:COL KEY: text"). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "profile.h"
#include "units.h"

/* Timings are printed, never asserted: the machines are shared and noisy;
 * make bench shows the parser's speed on these inputs. */
#define GiB (1024ULL * 1024 * 1024)

static const struct profile_opts OPTS = {.host_ram = 8 * GiB};
static struct diags D;

/* The checkout's top directory, from where this file was compiled. */
static void top_path(char *out, size_t len, const char *rel)
{
	const char *me = __FILE__;
	const char *tail = strstr(me, "tests/unit/");
	int n = tail ? (int)(tail - me) : 0;

	snprintf(out, len, "%.*s%s", n, me, rel);
}

static struct profile *load(const char *rel)
{
	char path[4096];
	struct profile *p;

	top_path(path, sizeof(path), rel);
	diags_init(&D, path);
	p = profile_load(path, &OPTS, &D);
	if (!p) {
		diags_print(&D, stderr);
		fail_msg("%s refused", path);
	}
	return p;
}

static struct profile *parse_s(const char *y)
{
	diags_init(&D, "t.yaml");
	return profile_parse(y, strlen(y), "t.yaml", &OPTS, &D);
}

static void test_full_profile_values(void **state)
{
	struct profile *p = load("tests/profiles/full.yaml");
	const struct group_spec *g = &p->group, *c;
	const struct io_device *dev;

	(void)state;
	assert_string_equal(g->name.s, "web");
	assert_string_equal(g->description.s, "nginx and its workers");
	assert_string_equal(p->parent.s, "cgkit/tenants");
	assert_false(p->parent_self);
	assert_non_null(strstr(p->path, "tests/profiles/full.yaml"));

	assert_true(g->cpu.present);
	assert_true(g->cpu.max.set);
	assert_false(g->cpu.max.is_max);
	assert_int_equal(g->cpu.max.v, 1500000);
	assert_int_equal(g->cpu.max.line, 7);
	assert_int_equal(g->cpu.max.col, 8);
	assert_int_equal(g->cpu.max.kline, 7);
	assert_int_equal(g->cpu.max.kcol, 3);
	assert_false(g->cpu.quota.set);
	assert_int_equal(g->cpu.period.v, 50000);
	assert_int_equal(g->cpu.weight.v, 250);
	assert_int_equal(profile_cpu_period_us(&g->cpu), 50000);
	assert_int_equal(profile_cpu_quota_us(&g->cpu), 75000);

	assert_true(g->memory.present);
	assert_int_equal(g->memory.max.v, GiB + GiB / 2);
	assert_int_equal(g->memory.high.v, GiB);
	assert_int_equal(g->memory.swap.v, 256ULL << 20);

	assert_true(g->io.present);
	assert_int_equal(g->io.weight.v, 300);
	assert_int_equal(g->io.n_devices, 2);
	dev = &g->io.devices[0];
	assert_string_equal(dev->path.s, "/dev/vda");
	assert_false(dev->has_majmin);
	assert_int_equal(dev->read_bps.v, 10ULL << 20);
	assert_int_equal(dev->write_bps.v, 5ULL << 20);
	assert_int_equal(dev->read_iops.v, 1000);
	assert_true(dev->write_iops.is_max);
	assert_int_equal(dev->line, 17);
	assert_int_equal(dev->col, 7);
	dev = &g->io.devices[1];
	assert_true(dev->has_majmin);
	assert_int_equal(dev->major, 8);
	assert_int_equal(dev->minor, 16);
	assert_false(dev->read_bps.set);
	assert_int_equal(dev->write_bps.v, 1ULL << 20);

	assert_true(g->cpuset.present);
	assert_string_equal(g->cpuset.cpus.s, "0-3,6"); /* normalised */
	assert_string_equal(g->cpuset.mems.s, "0");
	assert_int_equal(g->pids.max.v, 128);

	assert_int_equal(p->namespaces,
			 NS_PID | NS_MOUNT | NS_UTS | NS_IPC | NS_NET | NS_CGROUP | NS_USER);
	assert_int_equal(p->ns_line, 30);
	assert_string_equal(p->hostname.s, "web-1");
	assert_string_equal(p->rootfs.s, "/srv/rootfs/alpine");
	assert_int_equal(p->n_layers, 2);
	assert_string_equal(p->layers[0].s, "/srv/layers/app");
	assert_string_equal(p->layers[1].s, "/srv/layers/base");
	assert_string_equal(p->user.s, "1000:1000");
	assert_string_equal(p->workdir.s, "/srv");
	assert_int_equal(p->n_env, 3);
	assert_string_equal(p->env[0].name, "LANG");
	assert_string_equal(p->env[0].value, "C.UTF-8");
	assert_string_equal(p->env[1].name, "EMPTY");
	assert_string_equal(p->env[1].value, "");
	assert_string_equal(p->env[2].value, "8080");
	assert_int_equal(p->env[2].line, 36);

	assert_int_equal(g->n_children, 2);
	c = &g->children[0];
	assert_string_equal(c->name.s, "workers");
	assert_int_equal(c->cpu.max.v, 500000);
	assert_false(c->memory.present);
	assert_int_equal(c->n_children, 1);
	assert_string_equal(c->children[0].name.s, "low");
	assert_int_equal(c->children[0].cpu.weight.v, 10);
	assert_true(c->children[0].pids.max.is_max);
	c = &g->children[1];
	assert_string_equal(c->name.s, "cache");
	assert_int_equal(c->memory.max.v, 2 * GiB); /* 25% of 8G */
	assert_string_equal(c->cpuset.cpus.s, "1");
	assert_int_equal(c->line, 45);
	assert_int_equal(c->col, 5);
	profile_free(p);
}

static void test_minimal_profile_defaults(void **state)
{
	struct profile *p = load("tests/profiles/minimal.yaml");

	(void)state;
	assert_string_equal(p->group.name.s, "minimal");
	assert_null(p->group.description.s);
	assert_string_equal(p->parent.s, "cgkit"); /* the default */
	assert_int_equal(p->parent.line, 0);
	assert_false(p->parent_self);
	assert_false(p->group.cpu.present);
	assert_false(p->group.memory.present);
	assert_false(p->group.io.present);
	assert_false(p->group.cpuset.present);
	assert_false(p->group.pids.present);
	assert_int_equal(p->namespaces, 0);
	assert_int_equal(p->n_env, 0);
	assert_int_equal(p->group.n_children, 0);
	assert_int_equal(profile_cpu_period_us(&p->group.cpu), PROFILE_DEFAULT_PERIOD_US);
	assert_true(profile_cpu_quota_us(&p->group.cpu) == UINT64_MAX);
	profile_free(p);
}

static void test_quota_form(void **state)
{
	struct profile *p = load("tests/profiles/quota.yaml");

	(void)state;
	assert_true(p->group.cpu.quota.set);
	assert_int_equal(p->group.cpu.quota.v, 20000);
	assert_int_equal(profile_cpu_quota_us(&p->group.cpu), 20000);
	assert_int_equal(profile_cpu_period_us(&p->group.cpu), 100000);
	assert_true(p->group.memory.max.is_max);
	assert_true(p->group.memory.swap.is_max);
	profile_free(p);
}

static void test_cpu_quota_helpers(void **state)
{
	struct profile *p;

	(void)state;
	p = parse_s("name: x\ncpu: {max: max}\n");
	assert_non_null(p);
	assert_true(profile_cpu_quota_us(&p->group.cpu) == UINT64_MAX);
	profile_free(p);
	p = parse_s("name: x\ncpu: {quota: max, period: 10ms}\n");
	assert_non_null(p);
	assert_true(profile_cpu_quota_us(&p->group.cpu) == UINT64_MAX);
	assert_int_equal(profile_cpu_period_us(&p->group.cpu), 10000);
	profile_free(p);
	/* 250m of a 100ms period is 25ms; 1% of a 1ms period... is refused */
	p = parse_s("name: x\ncpu: {max: 250m}\n");
	assert_non_null(p);
	assert_int_equal(profile_cpu_quota_us(&p->group.cpu), 25000);
	profile_free(p);
	/* 1 cpu over a 1s period: a quota of 1s */
	p = parse_s("name: x\ncpu: {max: 1, period: 1s}\n");
	assert_non_null(p);
	assert_int_equal(profile_cpu_quota_us(&p->group.cpu), 1000000);
	profile_free(p);
}

static void test_demo_profile(void **state)
{
	struct profile *p = load("profiles/demo.yaml");

	(void)state;
	assert_string_equal(p->group.name.s, "demo");
	assert_true(p->parent_self);
	assert_int_equal(p->group.cpu.max.v, 200000);
	assert_int_equal(profile_cpu_quota_us(&p->group.cpu), 20000);
	assert_int_equal(p->group.memory.max.v, 256ULL << 20);
	assert_int_equal(p->group.pids.max.v, 64);
	assert_int_equal(p->namespaces, NS_PID | NS_MOUNT | NS_UTS);
	assert_string_equal(p->hostname.s, "demo");
	profile_free(p);
}

static void test_find_child(void **state)
{
	struct profile *p = load("tests/profiles/full.yaml");
	const struct group_spec *g = NULL;

	(void)state;
	assert_int_equal(profile_find_child(p, "workers", &g), 0);
	assert_string_equal(g->name.s, "workers");
	assert_int_equal(profile_find_child(p, "workers/low", &g), 0);
	assert_string_equal(g->name.s, "low");
	assert_int_equal(profile_find_child(p, "cache", &g), 0);
	assert_string_equal(g->name.s, "cache");
	assert_int_equal(profile_find_child(p, "", &g), 0);
	assert_ptr_equal(g, &p->group);
	g = NULL;
	assert_int_equal(profile_find_child(p, "nope", &g), -1);
	assert_int_equal(profile_find_child(p, "workers/nope", &g), -1);
	assert_int_equal(profile_find_child(p, "work", &g), -1);
	assert_int_equal(profile_find_child(p, "low", &g), -1);
	assert_null(g);
	profile_free(p);
}

static void test_columns_count_characters(void **state)
{
	struct profile *p;

	(void)state;
	/* three 2-byte é before the list: byte 23, character 20 */
	p = parse_s("name: x\nenv: {A: \"\xc3\xa9\xc3\xa9\xc3\xa9\", B: [1]}\n");
	assert_null(p);
	assert_int_equal(D.n, 1);
	assert_string_equal(D.items[0].key, "env.B");
	assert_int_equal(D.items[0].line, 2);
	assert_int_equal(D.items[0].col, 20);
	/* a 4-byte character counts one too */
	p = parse_s("description: \"\xf0\x9f\x98\x80\"\nname: x\ncpu: {max: 1}\nz: "
		    "[\"\xf0\x9f\x98\x80\", q]\n");
	assert_null(p);
	assert_int_equal(D.items[0].line, 4);
	assert_int_equal(D.items[0].col, 1);
	p = load("tests/profiles/unicode.yaml");
	assert_string_equal(p->env[0].value, "h\xc3\xa9llo w\xc3\xb6rld");
	profile_free(p);
}

static void test_crlf_and_bom(void **state)
{
	struct profile *p;

	(void)state;
	p = parse_s("\xef\xbb\xbfname: x\r\ncpu:\r\n  max: 20%\r\n");
	assert_non_null(p);
	assert_int_equal(p->group.cpu.max.line, 3);
	assert_int_equal(p->group.cpu.max.col, 8);
	profile_free(p);
	p = parse_s("\xef\xbb\xbfname: x\r\ncpu:\r\n  mx: 20%\r\n");
	assert_null(p);
	assert_int_equal(D.items[0].line, 3);
	assert_int_equal(D.items[0].col, 3);
}

static void test_empty_sections_are_present(void **state)
{
	struct profile *p;

	(void)state;
	/* a section with nothing in it still says "manage this controller" */
	p = parse_s("name: x\ncpu:\nmemory: {}\nnamespaces:\n");
	assert_non_null(p);
	assert_true(p->group.cpu.present);
	assert_false(p->group.cpu.max.set);
	assert_true(p->group.memory.present);
	assert_false(p->group.io.present);
	assert_int_equal(p->namespaces, 0);
	profile_free(p);
}

/* Runs one sample: good ones parse, bad-*.yaml give the error they name. */
static int check_sample(const char *dir, const char *file)
{
	char path[8192], expect[512] = "", key[200] = "", text[300] = "";
	int line = 0, col = 0, ok = 0;
	struct profile *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	assert_non_null(f);
	if (!fgets(expect, sizeof(expect), f))
		expect[0] = '\0';
	fclose(f);
	diags_init(&D, path);
	p = profile_load(path, &OPTS, &D);
	if (strncmp(file, "bad-", 4)) {
		if (!p) {
			diags_print(&D, stderr);
			print_error("%s: refused\n", path);
			return 1;
		}
		profile_free(p);
		return 0;
	}
	if (p) {
		profile_free(p);
		print_error("%s: accepted\n", path);
		return 1;
	}
	if (sscanf(expect, "# expect: %d:%d %199[^:]: %299[^\n]", &line, &col, key, text) != 4 &&
	    sscanf(expect, "# expect: %d:%d : %299[^\n]", &line, &col, text) != 3) {
		print_error("%s: no \"# expect: LINE:COL KEY: text\" line\n", path);
		return 1;
	}
	for (int i = 0; i < D.n; i++)
		if (D.items[i].line == line && D.items[i].col == col &&
		    !strcmp(D.items[i].key, key) && strstr(D.items[i].msg, text))
			ok = 1;
	if (!ok) {
		diags_print(&D, stderr);
		print_error("%s: expected %d:%d %s: %s\n", path, line, col, key, text);
	}
	return !ok;
}

static int check_dir(const char *rel, int *count)
{
	char dir[4096];
	struct dirent *de;
	int failed = 0;
	DIR *d;

	top_path(dir, sizeof(dir), rel);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".yaml"))
			continue;
		failed += check_sample(dir, de->d_name);
		(*count)++;
	}
	closedir(d);
	return failed;
}

static void test_every_shipped_profile_parses(void **state)
{
	int count = 0;

	(void)state;
	assert_int_equal(check_dir("profiles", &count), 0);
	/* demo, web, cap, batch at least */
	assert_true(count >= 4);
}

static void test_every_sample(void **state)
{
	int count = 0;

	(void)state;
	assert_int_equal(check_dir("tests/profiles", &count), 0);
	assert_true(count >= 10);
}

/* The shipped web.yaml, parsed 1,000 times: every parse gives the same
 * profile with no diagnostic (state must not leak from one parse into the
 * next; valgrind checks that nothing does in memory). The time is printed
 * for make bench, never asserted. */
static void test_typical_profile_parses_repeatedly(void **state)
{
	char path[4096];
	char buf[8192];
	struct timespec a, b;
	size_t len;
	FILE *f;
	double us;

	(void)state;
	top_path(path, sizeof(path), "profiles/web.yaml");
	f = fopen(path, "r");
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(len > 0 && len < sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++) {
		struct profile *p;

		diags_init(&D, "web.yaml");
		p = profile_parse(buf, len, "web.yaml", &OPTS, &D);
		assert_non_null(p);
		assert_int_equal(D.errors, 0);
		assert_string_equal(p->group.name.s, "web");
		profile_free(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / 1000;
	print_message("web.yaml parses in %.1f us\n", us);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_profile_values),
		cmocka_unit_test(test_minimal_profile_defaults),
		cmocka_unit_test(test_quota_form),
		cmocka_unit_test(test_cpu_quota_helpers),
		cmocka_unit_test(test_demo_profile),
		cmocka_unit_test(test_find_child),
		cmocka_unit_test(test_columns_count_characters),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_empty_sections_are_present),
		cmocka_unit_test(test_every_shipped_profile_parses),
		cmocka_unit_test(test_every_sample),
		cmocka_unit_test(test_typical_profile_parses_repeatedly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
