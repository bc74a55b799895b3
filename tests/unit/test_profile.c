/* Every error rule of the spec (../shared/spec/profile.md, "Errors"): each
 * test asserts the exact LINE:COLUMN, the dotted KEY, and that the message
 * says what would be right. Also: all errors in one run, the cap of 20, and
 * the speed of the refusals that the spec names (depth, aliases, size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "profile.h"
#include "units.h"

/* Timings are printed, never asserted: the machines are shared and noisy;
 * make bench shows the parser's speed on these inputs. */
static struct diags D;
static const struct profile_opts OPTS = {.host_ram = 8ULL << 30};

static struct profile *parse_n(const char *yaml, size_t len)
{
	diags_init(&D, "t.yaml");
	return profile_parse(yaml, len, "t.yaml", &OPTS, &D);
}

static struct profile *parse_s(const char *yaml)
{
	return parse_n(yaml, strlen(yaml));
}

static void dump_diags(void)
{
	for (int i = 0; i < D.n; i++)
		print_error("  got %d:%d %s%s: %s\n", D.items[i].line, D.items[i].col,
			    D.items[i].warning ? "(warning) " : "", D.items[i].key, D.items[i].msg);
}

static bool has_all(const char *msg, const char *const *needles)
{
	for (; *needles; needles++)
		if (!strstr(msg, *needles))
			return false;
	return true;
}

/* The profile is refused with an error at LINE:COL for KEY, whose message
 * holds every needle. */
#define expect_error(yaml, line, col, key, ...)                                                    \
	expect_diag_(yaml, strlen(yaml), false, line, col, key,                                    \
		     (const char *const[]){__VA_ARGS__, NULL}, __FILE__, __LINE__)
#define expect_error_n(yaml, len, line, col, key, ...)                                             \
	expect_diag_(yaml, len, false, line, col, key, (const char *const[]){__VA_ARGS__, NULL},   \
		     __FILE__, __LINE__)
#define expect_warning(yaml, line, col, key, ...)                                                  \
	expect_diag_(yaml, strlen(yaml), true, line, col, key,                                     \
		     (const char *const[]){__VA_ARGS__, NULL}, __FILE__, __LINE__)

static void expect_diag_(const char *yaml, size_t len, bool warning, int line, int col,
			 const char *key, const char *const *needles, const char *file, int at)
{
	struct profile *p = parse_n(yaml, len);

	if (!warning && p) {
		profile_free(p);
		print_error("%s:%d: the profile was accepted\n", file, at);
		dump_diags();
		_fail(file, at);
	}
	if (warning && !p) {
		print_error("%s:%d: the profile was refused\n", file, at);
		dump_diags();
		_fail(file, at);
	}
	profile_free(p);
	for (int i = 0; i < D.n; i++) {
		const struct diag *it = &D.items[i];

		if (it->warning == warning && it->line == line && it->col == col &&
		    !strcmp(it->key, key) && has_all(it->msg, needles))
			return;
	}
	print_error("%s:%d: no %s at %d:%d for \"%s\" saying %s...\n", file, at,
		    warning ? "warning" : "error", line, col, key, needles[0]);
	dump_diags();
	_fail(file, at);
}

static double seconds_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- not YAML, not UTF-8, tabs, documents, empty, size ---- */

static void test_not_yaml(void **state)
{
	(void)state;
	/* an unclosed flow list: libyaml's place, with what to check */
	expect_error("name: x\nlayers: [/a, /b\nuser: 1\n", 3, 5, "layers[2]", "not valid YAML",
		     "did not find expected ',' or ']'", "check the indentation, the quoting");
	/* a key indented under a scalar */
	expect_error("name: x\ncpu: 1\n  max: 2\n", 3, 6, "", "not valid YAML",
		     "mapping values are not allowed");
	/* an unclosed quote: the key where the parser stood */
	expect_error("name: x\ncpu:\n  max: \"20%\n", 4, 1, "cpu.max", "not valid YAML",
		     "unexpected end of stream");
}

static void test_not_utf8(void **state)
{
	(void)state;
	/* the bad byte 0xFF is the 10th character of line 2, after two 2-byte é */
	expect_error("name: x\ndesc: \"\xc3\xa9\xc3\xa9\xff\"\n", 2, 10, "", "not UTF-8", "0xFF",
		     "save the file as UTF-8");
	/* a truncated sequence at the very end */
	expect_error("name: x\xc3", 1, 8, "", "not UTF-8");
	/* an overlong encoding of '/' */
	expect_error("name: a\xc0\xaf", 1, 8, "", "not UTF-8");
	/* a UTF-16 surrogate */
	expect_error("name: \xed\xa0\x80", 1, 7, "", "not UTF-8");
	/* a control character is valid UTF-8 but not YAML */
	expect_error("name: x\ndescription: a\x01z\n", 2, 15, "", "control character U+0001",
		     "remove it");
}

static void test_tabs(void **state)
{
	(void)state;
	expect_error("name: x\ncpu:\n\tmax: 20%\n", 3, 1, "", "tabs used for indentation",
		     "spaces");
	/* after spaces, the tab is still indentation */
	expect_error("name: x\ncpu:\n  \tmax: 20%\n", 3, 3, "", "tabs used for indentation");
	/* every such line is reported */
	parse_s("name: x\ncpu:\n\tmax: 20%\n\tweight: 5\n");
	assert_int_equal(D.errors, 2);
	/* a tab-indented comment too (libyaml refuses it less clearly) */
	expect_error("name: x\n\t# note\n", 2, 1, "", "tabs used for indentation");
	expect_error("name: x\n \t\n", 2, 2, "", "tabs used for indentation");
	/* a tab after the key is not indentation */
	struct profile *p = parse_s("name:\tx\ncpu: {max:\t1}\n");
	assert_non_null(p);
	profile_free(p);
}

static void test_more_than_one_document(void **state)
{
	(void)state;
	expect_error("name: a\n---\nname: b\n", 2, 1, "", "more than one document",
		     "remove the second");
	expect_error("---\nname: a\n...\n---\nname: b\n", 4, 1, "", "more than one document");
}

static void test_empty(void **state)
{
	(void)state;
	expect_error_n("", 0, 1, 1, "", "empty", "name: NAME");
	expect_error("\n\n  \n", 1, 1, "", "empty", "name: NAME");
	expect_error("# only a comment\n", 1, 1, "", "empty", "name: NAME");
	expect_error("---\n", 1, 1, "", "empty", "name: NAME");
	expect_error("~\n", 1, 1, "", "empty", "name: NAME");
}

static void test_over_1mib(void **state)
{
	size_t len = PROFILE_MAX_BYTES + 1;
	char *big = malloc(len);
	char path[] = "/tmp/cgkit-test-big-XXXXXX";
	struct profile *p;
	int fd;

	(void)state;
	assert_non_null(big);
	memset(big, '#', len);
	big[0] = 'n';
	p = parse_n(big, len);
	assert_null(p);
	assert_int_equal(D.errors, 1);
	assert_non_null(strstr(D.items[0].msg, "over 1 MiB"));

	/* profile_load refuses it too, from the file */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, len), (ssize_t)len);
	close(fd);
	diags_init(&D, path);
	p = profile_load(path, &OPTS, &D);
	unlink(path);
	assert_null(p);
	assert_int_equal(D.errors, 1);
	assert_non_null(strstr(D.items[0].msg, "over 1 MiB"));
	assert_non_null(strstr(D.items[0].msg, "right file"));

	/* exactly 1 MiB is read (and is then judged as YAML) */
	big[len - 2] = '\n';
	p = parse_n(big, len - 1);
	assert_null(p);
	assert_null(strstr(D.items[0].msg, "over 1 MiB"));
	free(big);
}

static void test_load_unreadable(void **state)
{
	struct profile *p;

	(void)state;
	diags_init(&D, "/nonexistent/x.yaml");
	p = profile_load("/nonexistent/x.yaml", &OPTS, &D);
	assert_null(p);
	assert_int_equal(D.errors, 1);
	assert_non_null(strstr(D.items[0].msg, "No such file"));

	diags_init(&D, "/tmp");
	assert_null(profile_load("/tmp", &OPTS, &D));
	assert_int_equal(D.errors, 1);
	assert_non_null(strstr(D.items[0].msg, "give a profile file"));

	/* an endless device is cut at 1 MiB, not read to the end */
	diags_init(&D, "/dev/zero");
	assert_null(profile_load("/dev/zero", &OPTS, &D));
	assert_int_equal(D.errors, 1);
	assert_non_null(strstr(D.items[0].msg, "over 1 MiB"));
}

/* ---- nesting and aliases ---- */

static void test_nesting_deeper_than_64(void **state)
{
	size_t n = 100000;
	char *deep = malloc(n);
	struct timespec t0;
	double took;
	struct profile *p;

	(void)state;
	assert_non_null(deep);
	memset(deep, '[', n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = parse_n(deep, n);
	took = seconds_since(&t0);
	assert_null(p);
	assert_int_equal(D.errors, 1);
	/* the 65th '[' is refused */
	assert_int_equal(D.items[0].line, 1);
	assert_int_equal(D.items[0].col, 65);
	assert_non_null(strstr(D.items[0].msg, "nesting deeper than 64"));
	assert_non_null(strstr(D.items[0].msg, "close the brackets or reduce the indentation"));
	/* libyaml 0.2.5 alone takes 18 s (here) to a minute on this input */
	print_message("100,000 nested [ took %.3f s\n", took);
	free(deep);

	/* the same in block style: 65 indented mappings */
	{
		char buf[8192];
		size_t pos = 0;

		for (int i = 0; i < 70; i++)
			pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%*sk%d:\n", i, "",
						i);
		assert_null(parse_s(buf));
		assert_int_equal(D.errors, 1);
		assert_int_equal(D.items[0].line, 65);
		assert_int_equal(D.items[0].col, 65);
		assert_non_null(strstr(D.items[0].msg, "nesting deeper than 64"));
		/* the key names where the walk stood (cut to fit) */
		assert_memory_equal(D.items[0].key, "k0.k1.k2.k3.", 12);
	}
}

static void test_nesting_of_64_is_not_refused_for_depth(void **state)
{
	char buf[256];

	(void)state;
	/* the top mapping is level 1; 63 more brackets make 64 */
	snprintf(buf, sizeof(buf), "name: x\nz: %.*s%.*s\n", 63,
		 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 63,
		 "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	expect_error(buf, 2, 1, "z", "unknown key \"z\"");
	assert_int_equal(D.errors, 1);
}

static void test_alias_expansion_over_10000(void **state)
{
	/* billion laughs: each level is nine of the one before */
	static const char laughs[] = "name: x\n"
				     "a0: &a0 [lol]\n"
				     "a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n"
				     "a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\n"
				     "a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\n"
				     "a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\n"
				     "a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]\n"
				     "a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]\n"
				     "a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]\n"
				     "a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]\n"
				     "a9: &a9 [*a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8]\n";
	struct timespec t0;
	double took;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* a1..a3 stand for 9*2 + 9*19 + 9*172 = 1737 nodes; a4's 6th alias passes
	 * 10,000 (1737 + 6*1549 = 11031), at line 6, column 35 */
	expect_error(laughs, 6, 35, "a4[5]", "alias expansion over 10000 nodes",
		     "use fewer aliases");
	took = seconds_since(&t0);
	print_message("billion laughs took %.3f s\n", took);
}

static void test_aliases_within_limit_work(void **state)
{
	static const char y[] = "name: x\n"
				"cpu: &small {max: 20%, weight: 50}\n"
				"children:\n"
				"  - {name: a, cpu: *small}\n"
				"  - {name: b, cpu: *small}\n";
	struct profile *p;

	(void)state;
	p = parse_s(y);
	assert_non_null(p);
	assert_int_equal(p->group.n_children, 2);
	assert_int_equal(p->group.children[1].cpu.max.v, 200000);
	assert_int_equal(p->group.children[1].cpu.weight.v, 50);
	profile_free(p);
}

static void test_alias_unknown_and_recursive(void **state)
{
	(void)state;
	expect_error("name: x\ncpu: *nope\n", 2, 6, "cpu", "unknown alias *nope",
		     "define the anchor");
	expect_error("name: x\nz: &r [1, *r]\n", 2, 11, "z[1]", "recursive alias");
}

static void test_alias_depth_counts(void **state)
{
	char buf[512];
	int pos;

	(void)state;
	/* 40 levels behind an anchor, used 40 levels deep: 81 in all */
	pos = snprintf(buf, sizeof(buf), "name: x\na: &d ");
	for (int i = 0; i < 40; i++)
		buf[pos++] = '[';
	for (int i = 0; i < 40; i++)
		buf[pos++] = ']';
	pos += snprintf(buf + pos, sizeof(buf) - (size_t)pos, "\nb: ");
	for (int i = 0; i < 40; i++)
		buf[pos++] = '[';
	pos += snprintf(buf + pos, sizeof(buf) - (size_t)pos, "*d");
	for (int i = 0; i < 40; i++)
		buf[pos++] = ']';
	buf[pos++] = '\n';
	buf[pos] = '\0';
	expect_error(buf, 3, 44,
		     "b[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
		     "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
		     "nesting deeper than 64 levels through alias *d");
}

/* ---- keys ---- */

static void test_unknown_key_nearest(void **state)
{
	(void)state;
	expect_error("name: x\ncpu:\n  mx: 20%\n", 3, 3, "cpu.mx", "unknown key \"mx\"",
		     "did you mean \"max\"?");
	expect_error("name: x\nmemroy:\n  max: 1G\n", 2, 1, "memroy", "did you mean \"memory\"?");
	expect_error("name: x\ncpu: {wieght: 5}\n", 2, 7, "cpu.wieght", "did you mean \"weight\"?");
	expect_error("name: x\nio:\n  devices:\n    - path: /dev/vda\n      read_bsp: 1M\n", 5, 7,
		     "io.devices[0].read_bsp", "did you mean \"read_bps\"?");
	expect_error("Name: x\n", 1, 1, "Name", "did you mean \"name\"?");
	/* an abbreviation of exactly one key */
	expect_error("name: x\nio: {devices: [{path: /dev/vda, rbps: 1M}]}\n", 2, 33,
		     "io.devices[0].rbps", "did you mean \"read_bps\"?");
	expect_error("name: x\nnmspcs: [pid]\n", 2, 1, "nmspcs", "did you mean \"namespaces\"?");
	expect_error("name: x\nbase: &b {max: 1}\ncpu:\n  <<: *b\n", 4, 3, "cpu.<<",
		     "merge keys (<<) are not supported", "alias a whole section");
}

static void test_unknown_key_lists_valid(void **state)
{
	(void)state;
	expect_error("name: x\ncpu:\n  shares: 512\n", 3, 3, "cpu.shares", "unknown key \"shares\"",
		     "the keys here are: max, quota, period, weight");
	expect_error("name: x\npids: {limit: 5}\n", 2, 8, "pids.limit", "the keys here are: max");
	/* a child lists the child's keys */
	expect_error(
		"name: x\nchildren:\n  - name: a\n    zzzzzz: 1\n", 4, 5, "children[0].zzzzzz",
		"the keys here are: name, description, cpu, memory, io, cpuset, pids, children");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_error("name: a\ncpu:\n  max: 20%\nname: b\n", 4, 1, "name", "duplicate key",
		     "already set at line 1, column 1", "keep only one");
	expect_error("name: a\ncpu:\n  max: 20%\n  weight: 5\n  max: 30%\n", 5, 3, "cpu.max",
		     "duplicate key", "line 3, column 3");
	expect_error("name: a\nchildren:\n  - {name: b, cpu: {max: 1, max: 2}}\n", 3, 29,
		     "children[0].cpu.max", "duplicate key", "line 3, column 21");
	expect_error("name: a\nenv: {A: 1, A: 2}\n", 2, 13, "env.A", "duplicate key");
	/* the first value is kept and the rest of the file still checked */
	parse_s("name: a\nname: b\ncpu: {max: 12Q}\n");
	assert_int_equal(D.errors, 2);
}

static void test_key_not_a_word(void **state)
{
	(void)state;
	expect_error("name: x\n[a]: 1\n", 2, 1, "", "a key must be a plain word");
}

static void test_wrong_type(void **state)
{
	(void)state;
	/* a list where a mapping belongs */
	expect_error("name: x\ncpu: [20%]\n", 2, 6, "cpu", "expected a mapping of cpu settings",
		     "found a list");
	/* a scalar where a mapping belongs */
	expect_error("name: x\nmemory: 512M\n", 2, 9, "memory", "expected a mapping",
		     "found the value \"512M\"");
	/* a mapping where a scalar belongs */
	expect_error("name: {a: 1}\n", 1, 7, "name", "expected a name", "found a mapping");
	/* a scalar where a list belongs */
	expect_error("name: x\nnamespaces: pid\n", 2, 13, "namespaces",
		     "expected a list of namespaces such as [pid, mount, uts]");
	expect_error("name: x\nchildren: {name: a}\n", 2, 11, "children",
		     "expected a list of groups");
	expect_error("name: x\nchildren:\n  - web\n", 3, 5, "children[0]",
		     "expected a group: a mapping");
	expect_error("name: x\nio: {devices: {path: /dev/vda}}\n", 2, 15, "io.devices",
		     "expected a list of devices");
	expect_error("name: x\nenv: [A=1]\n", 2, 6, "env", "expected a mapping of NAME: value");
	expect_error("name: x\nenv: {A: [1]}\n", 2, 10, "env.A", "expected a value",
		     "found a list");
	/* the document itself must be a mapping */
	expect_error("- name: x\n", 1, 1, "", "expected a profile: a mapping");
	/* a value that is missing */
	expect_error("name: x\ncpu:\n  max:\n", 3, 7, "cpu.max", "the value is missing", "20%");
}

static void test_misplaced_key(void **state)
{
	(void)state;
	expect_error("name: x\nchildren:\n  - name: a\n    hostname: h\n", 4, 5,
		     "children[0].hostname", "misplaced key", "belong at the top of the profile");
	expect_error("name: x\nchildren:\n  - name: a\n    children:\n      - name: b\n"
		     "        namespaces: [pid]\n",
		     6, 9, "children[0].children[0].namespaces", "misplaced key");
	expect_error("name: x\nchildren:\n  - {name: a, parent: self}\n", 3, 15,
		     "children[0].parent", "misplaced key", "parent belongs at the top");
	expect_error("name: x\nchildren:\n  - {name: a, env: {A: 1}}\n", 3, 15, "children[0].env",
		     "misplaced key");
}

/* ---- values ---- */

static void test_out_of_range(void **state)
{
	(void)state;
	expect_error("name: x\ncpu: {weight: 0}\n", 2, 15, "cpu.weight", "out of range",
		     "from 1 to 10000");
	expect_error("name: x\ncpu: {weight: 10001}\n", 2, 15, "cpu.weight", "out of range",
		     "from 1 to 10000");
	expect_error("name: x\nio: {weight: 20000}\n", 2, 14, "io.weight", "out of range",
		     "from 1 to 10000");
	expect_error("name: x\npids: {max: 0}\n", 2, 13, "pids.max", "out of range",
		     "from 1 to 4194304, or max");
	expect_error("name: x\npids: {max: 5000000}\n", 2, 13, "pids.max", "out of range");
	expect_error("name: x\nio:\n  devices:\n    - {path: /dev/vda, read_iops: 0}\n", 4, 35,
		     "io.devices[0].read_iops", "out of range", "1000, or max");
	expect_error("name: x\ncpuset: {cpus: \"0-9000\"}\n", 2, 16, "cpuset.cpus",
		     "is not a list of cpus", "0 to 8191");
	expect_error("name: x\nio:\n  devices:\n    - {path: \"9999:0\", read_bps: 1M}\n", 4, 14,
		     "io.devices[0].path", "not a device number", "0 .. 4095");
}

static void test_wrong_unit_for_key(void **state)
{
	(void)state;
	expect_error("name: x\ncpu: {period: 20%}\n", 2, 15, "cpu.period",
		     "\"20%\" is not a duration", "us, ms or s");
	expect_error("name: x\nmemory: {max: 20m}\n", 2, 15, "memory.max", "\"20m\" is not a size",
		     "upper case", "512M");
	expect_error("name: x\nio:\n  devices:\n    - {path: /dev/vda, read_bps: 10%}\n", 4, 34,
		     "io.devices[0].read_bps", "\"10%\" is not a size", "only for memory");
	expect_error("name: x\ncpu: {max: 12Q}\n", 2, 12, "cpu.max", "\"12Q\" is not a cpu amount",
		     "200m (millicores) or max");
	expect_error("name: x\ncpu: {weight: 1.5}\n", 2, 15, "cpu.weight", "not a whole number",
		     "from 1 to 10000");
	expect_error("name: x\ncpu: {weight: max}\n", 2, 15, "cpu.weight",
		     "\"max\" is not a whole number: give a weight from 1 to 10000");
	expect_error("name: x\npids: {max: -1}\n", 2, 13, "pids.max",
		     "(negative values are not allowed): give a number of processes");
	expect_error("name: x\ncpu: {max: -1}\n", 2, 12, "cpu.max", "negative");
	expect_error("name: x\nmemory: {max: 1e9}\n", 2, 15, "memory.max", "exponents");
	expect_error("name: x\nmemory: {max: \" 5M\"}\n", 2, 15, "memory.max", "spaces");
	expect_error("name: x\nmemory: {max: \"\"}\n", 2, 15, "memory.max", "empty", "512M");
	expect_error("name: x\ncpu: {period: max}\n", 2, 15, "cpu.period", "not a duration");
	expect_error("name: x\ncpuset: {mems: \"0,,1\"}\n", 2, 16, "cpuset.mems",
		     "not a list of memory nodes", "0-3,6");
	/* no host RAM known: a percentage is refused with the reason */
	diags_init(&D, "t.yaml");
	assert_null(profile_parse("name: x\nmemory: {max: 25%}\n", 27, "t.yaml", NULL, &D));
	assert_non_null(strstr(D.items[0].msg, "RAM"));
}

static void test_cpu_max_with_quota(void **state)
{
	(void)state;
	expect_error("name: x\ncpu:\n  max: 20%\n  period: 50ms\n  quota: 20ms\n", 5, 3,
		     "cpu.quota", "cpu.max and cpu.quota both set the cap", "line 3, column 3",
		     "keep one");
	expect_error("name: x\ncpu: {quota: 20ms, max: 1}\n", 2, 20, "cpu.max", "both set the cap",
		     "keep one");
}

static void test_memory_high_above_max(void **state)
{
	(void)state;
	expect_error("name: x\nmemory:\n  max: 512M\n  high: 600M\n", 4, 9, "memory.high",
		     "memory.high (600M) is above memory.max (512M)", "at most 512M");
	/* the order in the file does not matter */
	expect_error("name: x\nmemory: {high: 2G, max: 1G}\n", 2, 16, "memory.high",
		     "above memory.max");
}

static void test_memory_swap_without_max(void **state)
{
	(void)state;
	expect_error("name: x\nmemory:\n  high: 1G\n  swap: 1G\n", 4, 3, "memory.swap",
		     "memory.swap needs memory.max", "add memory.max");
}

static void test_quota_under_1ms(void **state)
{
	(void)state;
	expect_error("name: x\ncpu: {quota: 500us}\n", 2, 14, "cpu.quota", "quota under 1ms",
		     "at least 1ms");
	expect_error("name: x\ncpu: {quota: 999}\n", 2, 14, "cpu.quota", "quota under 1ms");
	/* cpu.max becomes a quota too: 0.5% of 100ms is 500us */
	expect_error("name: x\ncpu: {max: 0.5%}\n", 2, 12, "cpu.max", "quota of 500us per 100ms",
		     "at least 1% of a cpu");
	/* with a 10ms period, 5% is 500us: at least 10% would do */
	expect_error("name: x\ncpu: {max: 5%, period: 10ms}\n", 2, 12, "cpu.max",
		     "at least 10% of a cpu");
}

static void test_period_outside_1ms_1s(void **state)
{
	(void)state;
	expect_error("name: x\ncpu: {period: 500us}\n", 2, 15, "cpu.period",
		     "a period of 500us is out of range", "1ms .. 1s");
	expect_error("name: x\ncpu: {period: 2s}\n", 2, 15, "cpu.period", "out of range",
		     "1ms .. 1s");
	expect_error("name: x\ncpu: {period: 1000001}\n", 2, 15, "cpu.period", "out of range");
}

static void test_rounds_to_zero(void **state)
{
	(void)state;
	expect_error("name: x\nmemory: {max: 0.0001K}\n", 2, 15, "memory.max", "rounds down to 0",
		     "512M");
	expect_error("name: x\nmemory: {max: 0}\n", 2, 15, "memory.max", "0 is not allowed");
	expect_error("name: x\nmemory: {max: 1G, high: 0.0000000001%}\n", 2, 25, "memory.high",
		     "not allowed");
	expect_error("name: x\ncpu: {max: 0.0000001}\n", 2, 12, "cpu.max", "rounds down to 0",
		     "20% (of one cpu)");
	expect_error("name: x\nio:\n  devices:\n    - {path: /dev/vda, write_bps: 0}\n", 4, 35,
		     "io.devices[0].write_bps", "0 is not allowed", "10M");
}

/* Under one page the kernel keeps a limit of 0 (a launch then fails with
 * ENOMEM): refused, with the page size. Swap 0 still means no swap. */
static void test_below_one_page(void **state)
{
	char page[32], yaml[128];

	(void)state;
	expect_error("name: x\nmemory: {max: 1K}\n", 2, 15, "memory.max",
		     "1K is below one page (4096 bytes)", "round it to 0", "at least 4K");
	expect_error("name: x\nmemory: {max: 4095}\n", 2, 15, "memory.max", "below one page");
	expect_error("name: x\nmemory: {max: 0.00001%}\n", 2, 15, "memory.max",
		     "0.00001% (858 bytes) is below one page");
	expect_error("name: x\nmemory: {max: 1G, high: 1}\n", 2, 25, "memory.high",
		     "below one page");
	expect_error("name: x\nmemory: {max: 1G, swap: 1}\n", 2, 25, "memory.swap",
		     "below one page");
	/* one page is the least */
	snprintf(page, sizeof(page), "%llu", (unsigned long long)unit_page_size());
	snprintf(yaml, sizeof(yaml), "name: x\nmemory: {max: %s, high: %s, swap: 0}\n", page, page);
	profile_free(parse_s(yaml));
	assert_int_equal(D.errors, 0);
}

static void test_zero_where_allowed(void **state)
{
	struct profile *p;

	(void)state;
	/* swap 0 means no swap: allowed */
	p = parse_s("name: x\nmemory: {max: 1G, swap: 0}\n");
	assert_non_null(p);
	assert_true(p->group.memory.swap.set);
	assert_int_equal(p->group.memory.swap.v, 0);
	profile_free(p);
}

static void test_name_rules(void **state)
{
	(void)state;
	expect_error("name: we/b\n", 1, 7, "name", "may not contain '/'");
	expect_error("name: \"..\"\n", 1, 7, "name", "may not start with '.'", "1 to 64 of");
	expect_error("name: .hidden\n", 1, 7, "name", "may not start with '.'");
	expect_error("name: \"\"\n", 1, 7, "name", "empty", "1 to 64 of A-Z a-z 0-9 _ . -");
	expect_error("name: a b\n", 1, 7, "name", "only hold A-Z a-z 0-9 _ . -");
	expect_error("name: "
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		     1, 7, "name", "longer than 64");
	expect_error("cpu: {max: 20%}\n", 1, 1, "name", "the name is missing", "name: NAME");
	expect_error("name: x\nchildren:\n  - cpu: {max: 1}\n", 3, 5, "children[0].name",
		     "the name is missing", "each child group");
	expect_error("name: x\nchildren:\n  - name: a/b\n", 3, 11, "children[0].name",
		     "may not contain '/'");
	expect_error("name: x\nchildren:\n  - name: a\n  - name: a\n", 4, 11, "children[1].name",
		     "already the name of another child (line 3)", "its own name");
	/* 64 characters, dots and dashes inside are fine */
	struct profile *p =
		parse_s("name: a234567890123456789012345678901234567890123456789012345678.-_4\n");
	assert_non_null(p);
	profile_free(p);
	assert_null(profile_name_invalid("web-1.a_b"));
	assert_non_null(profile_name_invalid("a\xc3\xa9"));
}

static void test_parent_rules(void **state)
{
	(void)state;
	expect_error("name: x\nparent: /sys/fs/cgroup\n", 2, 9, "parent", "absolute path",
		     "cgkit/tenants, or self");
	expect_error("name: x\nparent: cgkit/../etc\n", 2, 9, "parent", "may not contain '..'");
	expect_error("name: x\nparent: \"..\"\n", 2, 9, "parent", "may not contain '..'");
	expect_error("name: x\nparent: a//b\n", 2, 9, "parent", "empty component");
	expect_error("name: x\nparent: cgkit/\n", 2, 9, "parent", "ends with '/'");
	expect_error("name: x\nparent: \"\"\n", 2, 9, "parent", "empty", "or self");
	expect_error("name: x\nparent: self/x\n", 2, 9, "parent", "self stands alone");
	expect_error("name: x\nparent: a/.b\n", 2, 9, "parent", "starts with '.'");
	expect_error("name: x\nparent: a/b c\n", 2, 9, "parent", "such as cgkit/tenants");
	assert_null(profile_parent_invalid("self"));
	assert_null(profile_parent_invalid("cgkit"));
	assert_null(profile_parent_invalid("cgkit/tenants/a-1"));
}

static void test_hostname_without_uts(void **state)
{
	(void)state;
	expect_error("name: x\nnamespaces: [pid]\nhostname: web\n", 3, 1, "hostname",
		     "hostname needs the uts namespace", "add uts to namespaces");
	expect_error("name: x\nhostname: -web\nnamespaces: [uts]\n", 2, 11, "hostname",
		     "not a host name", "web-1");
}

static void test_rootfs_layers_without_mount(void **state)
{
	(void)state;
	expect_error("name: x\nrootfs: /srv/root\n", 2, 1, "rootfs",
		     "rootfs needs the mount namespace", "add mount to namespaces");
	expect_error("name: x\nnamespaces: [pid]\nlayers: [/srv/a]\n", 3, 1, "layers",
		     "layers need the mount namespace", "add mount");
	expect_error("name: x\nnamespaces: [mount]\nrootfs: srv/root\n", 3, 9, "rootfs",
		     "not an absolute path", "/srv/rootfs/alpine");
	expect_error("name: x\nnamespaces: [mount]\nlayers: [/a, /b:c]\n", 3, 14, "layers[1]",
		     "overlayfs cannot take", "':' or ','");
}

static void test_unknown_namespace(void **state)
{
	(void)state;
	expect_error("name: x\nnamespaces: [pid, mnt]\n", 2, 19, "namespaces[1]",
		     "unknown namespace \"mnt\"", "did you mean \"mount\"?");
	expect_error("name: x\nnamespaces: [pid, network]\n", 2, 19, "namespaces[1]",
		     "unknown namespace \"network\"",
		     "the namespaces are: pid, mount, uts, ipc, net, cgroup, user");
	expect_warning("name: x\nnamespaces: [pid, pid]\n", 2, 19, "namespaces[1]", "listed twice");
}

static void test_user_workdir_env(void **state)
{
	struct profile *p;

	(void)state;
	expect_error("name: x\nuser: \"1000:\"\n", 2, 7, "user", "not a user", "1000:1000");
	expect_error("name: x\nuser: \"a b\"\n", 2, 7, "user", "not a user");
	expect_error("name: x\nuser: 4294967295\n", 2, 7, "user", "not a user");
	expect_error("name: x\nworkdir: tmp\n", 2, 10, "workdir", "not an absolute path",
		     "/srv/app");
	expect_error("name: x\nenv: {1A: x}\n", 2, 7, "env.1A", "not a variable name", "LANG");
	expect_error("name: x\nenv: {A-B: x}\n", 2, 7, "env.A-B", "not a variable name");
	expect_error("name: x\nenv:\n  A:\n", 3, 5, "env.A", "the value is missing", "\"\"");
	p = parse_s("name: x\nuser: www-data\n");
	assert_non_null(p);
	profile_free(p);
	p = parse_s("name: x\nuser: 0\n");
	assert_non_null(p);
	profile_free(p);
	p = parse_s("name: x\nuser: \"app:staff\"\n");
	assert_non_null(p);
	profile_free(p);
}

static void test_io_devices(void **state)
{
	(void)state;
	expect_error("name: x\nio:\n  devices:\n    - read_bps: 1M\n", 4, 7, "io.devices[0].path",
		     "the device has no path", "/dev/vda");
	expect_error("name: x\nio:\n  devices:\n    - {path: vda, read_bps: 1M}\n", 4, 14,
		     "io.devices[0].path", "not a device", "/dev/vda", "253:0");
	expect_error("name: x\nio:\n  devices:\n    - {path: /dev/vda, read_bps: 1M}\n"
		     "    - {path: /dev/vda, write_bps: 1M}\n",
		     5, 14, "io.devices[1].path", "already limited at line 4");
	expect_warning("name: x\nio:\n  devices:\n    - path: /dev/vda\n", 4, 7, "io.devices[0]",
		       "sets no limit");
	/* a limit that is wrong is an error, not "no limit" */
	assert_null(parse_s("name: x\nio:\n  devices:\n    - {path: /dev/vda, read_bps: 1x}\n"));
	assert_int_equal(D.errors, 1);
	assert_int_equal(D.warnings, 0);
}

/* ---- all errors in one run ---- */

static void test_all_errors_in_one_run(void **state)
{
	static const char y[] = "name: x\n"
				"cpu:\n"
				"  mx: 20%\n"	/* unknown key */
				"  weight: 0\n" /* out of range */
				"memory:\n"
				"  max: 1G\n"
				"  high: 2G\n" /* above max */
				"namespaces: [pid]\n"
				"hostname: h\n"; /* needs uts */
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_null(parse_s(y));
	assert_int_equal(D.errors, 4);
	assert_int_equal(D.n, 4);
	/* in the order of the file */
	assert_int_equal(D.items[0].line, 3);
	assert_int_equal(D.items[1].line, 4);
	assert_int_equal(D.items[2].line, 7);
	assert_int_equal(D.items[3].line, 9);

	f = open_memstream(&out, &len);
	diags_print(&D, f);
	fclose(f);
	assert_string_equal(
		out,
		"t.yaml:3:3: error: cpu.mx: unknown key \"mx\"; did you mean \"max\"?\n"
		"t.yaml:4:11: error: cpu.weight: 0 is out of range: give a weight from 1 to 10000 "
		"(default 100)\n"
		"t.yaml:7:9: error: memory.high: memory.high (2G) is above memory.max (1G): give "
		"at "
		"most 1G, or drop memory.high\n"
		"t.yaml:9:1: error: hostname: hostname needs the uts namespace: add uts to "
		"namespaces\n");
	free(out);
}

static void test_errors_capped_at_20(void **state)
{
	char y[4096];
	size_t pos = 0;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	pos += (size_t)snprintf(y, sizeof(y), "name: x\ncpu:\n");
	for (int i = 0; i < 25; i++)
		pos += (size_t)snprintf(y + pos, sizeof(y) - pos, "  bad%d: 1\n", i);
	assert_null(parse_s(y));
	assert_int_equal(D.errors, 25);
	assert_int_equal(D.n, DIAG_MAX);
	/* the first 20 of the file are the ones shown */
	assert_int_equal(D.items[0].line, 3);
	assert_int_equal(D.items[19].line, 22);

	f = open_memstream(&out, &len);
	diags_print(&D, f);
	fclose(f);
	assert_non_null(strstr(out, "t.yaml: 5 more errors not shown\n"));
	free(out);
}

static void test_diags_more_line(void **state)
{
	struct diags d;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	diags_init(&d, "p.yaml");
	for (int i = 0; i < 22; i++)
		diags_error(&d, i + 1, 1, "k", "bad %d", i);
	diags_warn(&d, 30, 1, "", "careful");
	assert_int_equal(d.n, DIAG_MAX);
	assert_int_equal(d.errors, 22);
	assert_int_equal(d.warnings, 1);
	f = open_memstream(&out, &len);
	diags_print(&d, f);
	fclose(f);
	assert_non_null(strstr(out, "p.yaml:1:1: error: k: bad 0\n"));
	assert_non_null(strstr(out, "p.yaml: 2 more errors and 1 more warning not shown\n"));
	free(out);

	/* no place, no key */
	diags_init(&d, "p.yaml");
	diags_error(&d, 0, 0, "", "cannot read");
	f = open_memstream(&out, &len);
	diags_print(&d, f);
	fclose(f);
	assert_string_equal(out, "p.yaml: error: cannot read\n");
	free(out);
}

static void test_warnings_do_not_fail(void **state)
{
	struct profile *p;

	(void)state;
	p = parse_s("name: x\nnamespaces: [uts, uts]\n");
	assert_non_null(p);
	assert_int_equal(D.errors, 0);
	assert_int_equal(D.warnings, 1);
	assert_true(p->namespaces == NS_UTS);
	profile_free(p);
}

/* ---- speed ---- */

static void test_junk_refused_fast(void **state)
{
	size_t n = PROFILE_MAX_BYTES;
	char *junk = malloc(n);
	struct timespec t0;
	double took;

	(void)state;
	assert_non_null(junk);
	/* printable junk, then many keys, then a long flow list: all refused */
	for (size_t i = 0; i < n; i++)
		junk[i] = (char)(32 + (i * 7919) % 95);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_null(parse_n(junk, n));
	for (size_t i = 0; i + 5 <= n; i += 5)
		memcpy(junk + i, "a: 1\n", 5);
	junk[n - 1] = '\n';
	assert_null(parse_n(junk, n));
	assert_true(D.errors > 200000);
	junk[0] = '[';
	for (size_t i = 1; i + 2 < n; i += 2)
		memcpy(junk + i, "a,", 2);
	junk[n - 1] = ']';
	assert_null(parse_n(junk, n));
	took = seconds_since(&t0);
	/* about 0.2 s here; sanitizers make it slower */
	print_message("three 1 MiB inputs took %.3f s\n", took);
	free(junk);
}

/* Checks that compare siblings sort them: 1 MiB of children or devices
 * with one repeat each must not cost n^2 (80,000 children took 8 s so). */
static void test_many_siblings_fast(void **state)
{
	size_t cap = PROFILE_MAX_BYTES, pos;
	char *y = malloc(cap + 1);
	struct timespec t0;
	double took;
	int i;

	(void)state;
	assert_non_null(y);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pos = (size_t)snprintf(y, cap, "name: x\nchildren:\n");
	for (i = 0; pos + 40 < cap; i++)
		pos += (size_t)snprintf(y + pos, cap - pos, "  - name: c%d\n", i);
	pos += (size_t)snprintf(y + pos, cap - pos, "  - name: c7\n");
	assert_null(parse_n(y, pos));
	assert_int_equal(D.errors, 1);
	assert_non_null(strstr(D.items[0].msg, "already the name of another child (line 10)"));
	assert_int_equal(D.items[0].col, 11);

	pos = (size_t)snprintf(y, cap, "name: x\nio:\n  devices:\n");
	for (i = 0; pos + 60 < cap; i++)
		pos += (size_t)snprintf(y + pos, cap - pos,
					"    - {path: \"%d:0\", read_bps: 1M}\n", i % 4096);
	assert_null(parse_n(y, pos));
	assert_true(D.errors > 1000);
	assert_non_null(strstr(D.items[0].msg, "already limited at line 4"));
	took = seconds_since(&t0);
	print_message("1 MiB of siblings took %.3f s\n", took);
	free(y);
}

/* A long value in a message is cut after 40 characters, and the cut shows:
 * "…" at a character boundary (issue 9: names cut at 40 without a word). */
static void test_long_value_cut_with_ellipsis(void **state)
{
	char buf[16];

	(void)state;
	expect_error("name: x\ncpu:\n  max: aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeee\n", 3, 8,
		     "cpu.max", "\"aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\xe2\x80\xa6\" is not a cpu amount");
	expect_error("name: x\ncpu:\n  max: aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\n", 3, 8, "cpu.max",
		     "\"aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\" is not a cpu amount");
	/* characters, not bytes; never half a character, even where room ends */
	assert_string_equal(diag_cut("\xc3\xa9\xc3\xa9\xc3\xa9", 2, buf, sizeof(buf)),
			    "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	assert_string_equal(diag_cut("\xc3\xa9\xc3\xa9", 2, buf, sizeof(buf)), "\xc3\xa9\xc3\xa9");
	assert_string_equal(diag_cut("abcdefghijklmnop", 40, buf, 8), "abcd\xe2\x80\xa6");
	assert_string_equal(diag_cut("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x", 40, buf, 8), "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_yaml),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_tabs),
		cmocka_unit_test(test_more_than_one_document),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_over_1mib),
		cmocka_unit_test(test_load_unreadable),
		cmocka_unit_test(test_nesting_deeper_than_64),
		cmocka_unit_test(test_nesting_of_64_is_not_refused_for_depth),
		cmocka_unit_test(test_alias_expansion_over_10000),
		cmocka_unit_test(test_aliases_within_limit_work),
		cmocka_unit_test(test_alias_unknown_and_recursive),
		cmocka_unit_test(test_alias_depth_counts),
		cmocka_unit_test(test_unknown_key_nearest),
		cmocka_unit_test(test_unknown_key_lists_valid),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_key_not_a_word),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_misplaced_key),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_wrong_unit_for_key),
		cmocka_unit_test(test_cpu_max_with_quota),
		cmocka_unit_test(test_memory_high_above_max),
		cmocka_unit_test(test_memory_swap_without_max),
		cmocka_unit_test(test_quota_under_1ms),
		cmocka_unit_test(test_period_outside_1ms_1s),
		cmocka_unit_test(test_rounds_to_zero),
		cmocka_unit_test(test_below_one_page),
		cmocka_unit_test(test_zero_where_allowed),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_parent_rules),
		cmocka_unit_test(test_hostname_without_uts),
		cmocka_unit_test(test_rootfs_layers_without_mount),
		cmocka_unit_test(test_unknown_namespace),
		cmocka_unit_test(test_user_workdir_env),
		cmocka_unit_test(test_io_devices),
		cmocka_unit_test(test_all_errors_in_one_run),
		cmocka_unit_test(test_errors_capped_at_20),
		cmocka_unit_test(test_diags_more_line),
		cmocka_unit_test(test_warnings_do_not_fail),
		cmocka_unit_test(test_long_value_cut_with_ellipsis),
		cmocka_unit_test(test_junk_refused_fast),
		cmocka_unit_test(test_many_siblings_fast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
