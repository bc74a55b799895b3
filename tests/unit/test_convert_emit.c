/* The profile emitter: parse -> emit -> parse gives an equal profile (the
 * same emitted text, and the values checked one by one on a few), over every
 * shipped profile, every good sample in tests/profiles/ and the edge cases
 * below; sizes and cpu amounts are written exactly, never rounded. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile.h"
#include "profile_emit.h"
#include "units.h"

#define GiB (1024ULL * 1024 * 1024)

static const struct profile_opts OPTS = {.host_ram = 8 * GiB};

static void top_path(char *out, size_t len, const char *rel)
{
	const char *me = __FILE__;
	const char *tail = strstr(me, "tests/unit/");
	int n = tail ? (int)(tail - me) : 0;

	snprintf(out, len, "%.*s%s", n, me, rel);
}

static struct profile *parse_text(const char *text, const char *what)
{
	struct diags d;
	struct profile *p;

	diags_init(&d, what);
	p = profile_parse(text, strlen(text), what, &OPTS, &d);
	if (!p || d.errors) {
		diags_print(&d, stderr);
		fprintf(stderr, "--- the text was:\n%s", text);
	}
	assert_non_null(p);
	return p;
}

/* parse(emit(p)) emits the same text as p: returns the first emission */
static char *round_trip(struct profile *p, const char *what)
{
	char *a = profile_emit_str(p, NULL), *b;
	struct profile *q;

	assert_non_null(a);
	q = parse_text(a, what);
	b = profile_emit_str(q, "a comment\non two lines");
	assert_non_null(b);
	if (strcmp(a, strchr(strchr(b, '\n') + 1, '\n') + 1))
		fprintf(stderr, "%s: first:\n%s\nsecond:\n%s\n", what, a, b);
	assert_string_equal(a, strchr(strchr(b, '\n') + 1, '\n') + 1);
	assert_memory_equal(b, "# a comment\n# on two lines\n", 27);
	profile_free(q);
	free(b);
	return a;
}

static int trip_dir(const char *rel)
{
	char dir[4096], path[8192];
	struct dirent *e;
	DIR *dp;
	int n = 0;

	top_path(dir, sizeof(dir), rel);
	dp = opendir(dir);
	assert_non_null(dp);
	while ((e = readdir(dp))) {
		struct diags d;
		struct profile *p;
		size_t l = strlen(e->d_name);

		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") || !strncmp(e->d_name, "bad-", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		diags_init(&d, path);
		p = profile_load(path, &OPTS, &d);
		if (!p)
			diags_print(&d, stderr);
		assert_non_null(p);
		free(round_trip(p, path));
		profile_free(p);
		n++;
	}
	closedir(dp);
	return n;
}

static void test_every_file(void **state)
{
	(void)state;
	assert_true(trip_dir("profiles") >= 4);
	assert_true(trip_dir("tests/profiles") >= 4);
}

/* the values come back one by one, exactly */
static void test_full_values(void **state)
{
	char path[4096];
	struct diags d;
	struct profile *p, *q;
	char *text;

	(void)state;
	top_path(path, sizeof(path), "tests/profiles/full.yaml");
	diags_init(&d, path);
	p = profile_load(path, &OPTS, &d);
	assert_non_null(p);
	text = round_trip(p, path);
	q = parse_text(text, "emitted");
	assert_string_equal(q->group.name.s, "web");
	assert_string_equal(q->parent.s, "cgkit/tenants");
	assert_int_equal(q->group.cpu.max.v, 1500000);
	assert_int_equal(q->group.cpu.period.v, 50000);
	assert_true(q->group.cpu.period.set);
	assert_int_equal(q->group.memory.max.v, 1536ULL << 20);
	assert_int_equal(q->group.memory.swap.v, 256ULL << 20);
	assert_int_equal(q->group.io.n_devices, 2);
	assert_true(q->group.io.devices[0].write_iops.is_max);
	assert_true(q->group.io.devices[1].has_majmin);
	assert_int_equal(q->group.io.devices[1].minor, 16);
	assert_string_equal(q->group.cpuset.cpus.s, "0-3,6");
	assert_int_equal(q->namespaces, p->namespaces);
	assert_int_equal(q->n_env, 3);
	assert_string_equal(q->env[1].value, "");
	assert_int_equal(q->n_layers, 2);
	assert_int_equal(q->group.n_children, 2);
	assert_true(q->group.children[0].children[0].pids.max.is_max);
	/* 25% of 8 GiB, in bytes: the host's RAM is not needed to read it back */
	assert_int_equal(q->group.children[1].memory.max.v, 2 * GiB);
	assert_non_null(strstr(text, "max: 2G\n"));
	profile_free(q);
	profile_free(p);
	free(text);
}

/* the odd corners: empty sections stay present, quota, strange strings,
 * amounts that are not whole percents or bytes */
static void test_edges(void **state)
{
	static const char *const texts[] = {
		"name: a\ncpu: {}\nmemory: {}\nio: {}\ncpuset: {}\npids: {}\n",
		"name: a\ncpu: {quota: 1500us, period: 3ms}\nmemory: {max: 8193, high: 4.5K, swap: max}\n",
		"name: a\ncpu: {max: 0.010001}\n",
		"name: a\ncpu: {max: 12.5%, weight: 1}\nio: {weight: 10000, devices: "
		"[{path: \"253:0\", read_bps: 1, write_iops: 7}]}\n",
		"name: a\ndescription: \"quote \\\" back\\\\slash \\t tab \\n nl \\x01 é ✓\"\n"
		"parent: self\nnamespaces: [user, pid]\nuser: \"0\"\nenv: {A: \"x: y # z\", B: '-'}\n",
		"name: a\nnamespaces: []\nenv: {}\n",
		"name: a\nchildren:\n  - name: b\n    children:\n      - name: c\n        cpu: {max: max}\n"
		"        memory: {max: max, high: max}\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct profile *p = parse_text(texts[i], "edge");

		free(round_trip(p, texts[i]));
		profile_free(p);
	}
}

static void test_formats(void **state)
{
	char b[64];

	(void)state;
	unit_format_exact(1536ULL << 20, b, sizeof(b));
	assert_string_equal(b, "1536M");
	unit_format_exact(1000, b, sizeof(b));
	assert_string_equal(b, "1000");
	unit_format_exact(0, b, sizeof(b));
	assert_string_equal(b, "0");
	unit_format_exact(5ULL << 50, b, sizeof(b));
	assert_string_equal(b, "5120T");
	profile_fmt_cpu(1500000, b, sizeof(b));
	assert_string_equal(b, "150%");
	profile_fmt_cpu(250000 + 500, b, sizeof(b));
	assert_string_equal(b, "0.250500");
	profile_fmt_cpu(1001000, b, sizeof(b));
	assert_string_equal(b, "1001m");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_file),
		cmocka_unit_test(test_full_values),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
