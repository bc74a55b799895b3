/* A profile made in code (profile_new, profile_set, profile_add_child,
 * profile_check) is the struct that parsing the same profile as YAML gives,
 * and a bad value is refused with the file's own message, naming the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "profile.h"

#define GiB (1024ULL * 1024 * 1024)

static const struct profile_opts OPTS = {.host_ram = 8 * GiB};

/* ---- equality of values (not of lines and columns) ---- */

static void pval_equal(const char *what, const struct pval *a, const struct pval *b)
{
	if (a->set != b->set || a->is_max != b->is_max || a->v != b->v)
		fail_msg("%s: set %d/%d, max %d/%d, value %llu/%llu", what, a->set, b->set,
			 a->is_max, b->is_max, (unsigned long long)a->v, (unsigned long long)b->v);
}

static void pstr_equal(const char *what, const struct pstr *a, const struct pstr *b)
{
	if (!a->s != !b->s || (a->s && strcmp(a->s, b->s) != 0))
		fail_msg("%s: \"%s\" / \"%s\"", what, a->s ? a->s : "(none)",
			 b->s ? b->s : "(none)");
}

static void group_equal(const struct group_spec *a, const struct group_spec *b)
{
	pstr_equal("name", &a->name, &b->name);
	pstr_equal("description", &a->description, &b->description);
	assert_int_equal(a->cpu.present, b->cpu.present);
	pval_equal("cpu.max", &a->cpu.max, &b->cpu.max);
	pval_equal("cpu.quota", &a->cpu.quota, &b->cpu.quota);
	pval_equal("cpu.period", &a->cpu.period, &b->cpu.period);
	pval_equal("cpu.weight", &a->cpu.weight, &b->cpu.weight);
	assert_int_equal(a->memory.present, b->memory.present);
	pval_equal("memory.max", &a->memory.max, &b->memory.max);
	pval_equal("memory.high", &a->memory.high, &b->memory.high);
	pval_equal("memory.swap", &a->memory.swap, &b->memory.swap);
	assert_int_equal(a->io.present, b->io.present);
	pval_equal("io.weight", &a->io.weight, &b->io.weight);
	assert_int_equal(a->io.n_devices, b->io.n_devices);
	assert_int_equal(a->cpuset.present, b->cpuset.present);
	pstr_equal("cpuset.cpus", &a->cpuset.cpus, &b->cpuset.cpus);
	pstr_equal("cpuset.mems", &a->cpuset.mems, &b->cpuset.mems);
	assert_int_equal(a->pids.present, b->pids.present);
	pval_equal("pids.max", &a->pids.max, &b->pids.max);
	assert_int_equal(a->n_children, b->n_children);
	for (size_t i = 0; i < a->n_children; i++)
		group_equal(&a->children[i], &b->children[i]);
}

static void profile_equal(const struct profile *a, const struct profile *b)
{
	group_equal(&a->group, &b->group);
	pstr_equal("parent", &a->parent, &b->parent);
	assert_int_equal(a->parent_self, b->parent_self);
	assert_int_equal(a->namespaces, b->namespaces);
	pstr_equal("hostname", &a->hostname, &b->hostname);
	pstr_equal("rootfs", &a->rootfs, &b->rootfs);
	pstr_equal("user", &a->user, &b->user);
	pstr_equal("workdir", &a->workdir, &b->workdir);
	assert_int_equal(a->n_layers, b->n_layers);
	assert_int_equal(a->n_env, b->n_env);
}

static struct profile *parse_s(const char *y, struct diags *d)
{
	diags_init(d, "t.yaml");
	return profile_parse(y, strlen(y), "t.yaml", &OPTS, d);
}

static struct profile *parse_ok(const char *y)
{
	struct diags d;
	struct profile *p = parse_s(y, &d);

	if (!p) {
		diags_print(&d, stderr);
		fail_msg("refused: %s", y);
	}
	return p;
}

/* Sets "group|key=value" items (group empty for the top; a key "+" adds
 * the child named by the value), then checks. */
static struct profile *build(const char *name, const char *parent, const char *const *sets)
{
	cg_err err = {0};
	struct profile *p = profile_new(name, parent, &OPTS, &err);

	if (!p)
		fail_msg("profile_new: %s", err.msg);
	for (; *sets; sets++) {
		char group[64], key[64];
		const char *bar = strchr(*sets, '|'), *eq = strchr(*sets, '=');

		snprintf(group, sizeof(group), "%.*s", (int)(bar - *sets), *sets);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - bar - 1), bar + 1);
		if (!strcmp(key, "+") ? profile_add_child(p, group, eq + 1, &err) < 0
				      : profile_set_in(p, group, key, eq + 1, &err) < 0)
			fail_msg("%s: %s", *sets, err.msg);
	}
	if (profile_check(p, &err) < 0)
		fail_msg("profile_check: %s", err.msg);
	return p;
}

static void same(const char *yaml, const char *name, const char *parent, const char *const *sets)
{
	struct profile *a = parse_ok(yaml), *b = build(name, parent, sets);

	profile_equal(a, b);
	profile_free(a);
	profile_free(b);
}

static void test_built_equals_parsed(void **state)
{
	(void)state;
	same("name: web\nparent: self\ncpu: {max: 20%, weight: 200}\n"
	     "memory: {max: 512M, high: 256M, swap: 1G}\npids: {max: 100}\n",
	     "web", "self",
	     (const char *const[]){"|cpu.max=20%", "|cpu.weight=200", "|memory.swap=1G",
				   "|memory.high=256M", "|memory.max=512M", "|pids.max=100", NULL});
	/* the default parent, quota and period, io weight, a normalised cpuset */
	same("name: batch\ndescription: nightly jobs\ncpu: {quota: 20ms, period: 50ms}\n"
	     "io: {weight: 500}\ncpuset: {cpus: \"3,0-1\", mems: \"0\"}\n",
	     "batch", NULL,
	     (const char *const[]){"|description=nightly jobs", "|cpu.quota=20ms",
				   "|cpu.period=50ms", "|io.weight=500", "|cpuset.cpus=3,0-1",
				   "|cpuset.mems=0", NULL});
	/* max everywhere, a percentage of RAM, nested children, empty sections */
	same("name: tenants\nparent: cgkit/t\nmemory: {max: 25%, high: max}\ncpu: {max: max}\n"
	     "children:\n  - name: workers\n    pids: {max: max}\n    children:\n"
	     "      - name: low\n        cpu: {max: 0.5, weight: 10}\n"
	     "  - name: idle\n    io: {}\n    cpu:\n",
	     "tenants", "cgkit/t",
	     (const char *const[]){"|memory.max=25%", "|memory.high=max", "|cpu.max=max",
				   "|+=workers", "workers|pids.max=max", "workers|+=low",
				   "workers/low|cpu.max=0.5", "workers/low|cpu.weight=10",
				   "|+=idle", "idle|io=", "idle|cpu=~", NULL});
	/* launch settings that are single values */
	same("name: app\nuser: 1000:1000\nworkdir: /srv/app\n", "app", NULL,
	     (const char *const[]){"|user=1000:1000", "|workdir=/srv/app", NULL});
}

/* A value set twice keeps the last; a refused one changes nothing. */
static void test_set_replaces_and_refusal_keeps(void **state)
{
	cg_err err = {0};
	struct profile *p = profile_new("web", "self", &OPTS, &err), *y;

	(void)state;
	assert_non_null(p);
	assert_int_equal(profile_set(p, "memory.max", "1G", &err), 0);
	assert_int_equal(profile_set(p, "memory.max", "2G", &err), 0);
	assert_int_equal(profile_set(p, "description", "a", &err), 0);
	assert_int_equal(profile_set(p, "description", "b", &err), 0);
	assert_int_equal(profile_set(p, "memory.max", "1x", &err), -1);
	assert_int_equal(profile_set(p, "name", "a/b", &err), -1);
	y = parse_ok("name: web\nparent: self\nmemory: {max: 2G}\ndescription: b\n");
	profile_equal(y, p);
	profile_free(y);
	profile_free(p);
}

/* Each bad value: the error starts with the key and carries the message the
 * same value gets in a file. */
static void test_bad_value_names_the_key(void **state)
{
	static const char *const bad[][2] = {
		{"cpu.max", "abc"},	 {"cpu.max", "0"},	  {"cpu.quota", "999us"},
		{"cpu.period", "2s"},	 {"cpu.weight", "10001"}, {"memory.max", "100"},
		{"memory.high", "x"},	 {"memory.swap", "-1"},	  {"memory.max", "0.00001%"},
		{"io.weight", "0"},	 {"pids.max", "4194305"}, {"cpuset.cpus", "a"},
		{"cpuset.mems", "2000"}, {"parent", "/abs"},	  {"user", "-x"},
		{"cpux.max", "1"},	 {"cpu.mx", "1"},	  {"cpu.max", ""},
		{"workdir", "rel"},	 {"cpu", "20%"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *key = bad[i][0], *val = bad[i][1], *dot = strchr(key, '.');
		cg_err err = {0};
		struct profile *p = profile_new("web", NULL, &OPTS, &err);
		char yaml[256], want[1200];
		struct diags d;

		assert_non_null(p);
		if (dot)
			snprintf(yaml, sizeof(yaml), "name: web\n%.*s:\n  %s: \"%s\"\n",
				 (int)(dot - key), key, dot + 1, val);
		else
			snprintf(yaml, sizeof(yaml), "name: web\n%s: \"%s\"\n", key, val);
		if (!*val) /* an empty value: unquoted, as nothing */
			snprintf(yaml, sizeof(yaml), "name: web\ncpu:\n  max:\n");
		if (!strcmp(key, "cpu")) /* the section itself given a value */
			snprintf(yaml, sizeof(yaml), "name: web\ncpu: 20%%\n");
		if (parse_s(yaml, &d))
			fail_msg("the file takes %s", yaml);
		assert_int_equal(profile_set(p, key, val, &err), -1);
		if (strncmp(err.msg, key, strcspn(key, ".")) != 0)
			fail_msg("%s=%s: the error does not name the key: %s", key, val, err.msg);
		/* one of the file's errors (swap: also "needs memory.max") */
		for (int j = 0; j < d.n; j++) {
			snprintf(want, sizeof(want), "%s: %s", d.items[j].key, d.items[j].msg);
			if (!strcmp(err.msg, want))
				break;
		}
		assert_string_equal(err.msg, want);
		profile_free(p);
	}
}

/* A launch key in a child, an unknown group, a bad or repeated child name. */
static void test_children_refusals(void **state)
{
	cg_err err = {0};
	struct profile *p = profile_new("web", NULL, &OPTS, &err);

	(void)state;
	assert_int_equal(profile_add_child(p, "", "workers", &err), 0);
	assert_int_equal(profile_set_in(p, "workers", "parent", "self", &err), -1);
	assert_non_null(strstr(err.msg, "group workers: parent: misplaced key"));
	assert_int_equal(profile_set_in(p, "nope", "cpu.max", "1", &err), -1);
	assert_non_null(strstr(err.msg, "no group \"nope\""));
	assert_int_equal(profile_add_child(p, "", "workers", &err), -1);
	assert_non_null(strstr(err.msg, "already the name of another child"));
	assert_int_equal(profile_add_child(p, "", "a/b", &err), -1);
	assert_non_null(strstr(err.msg, "name: \"a/b\""));
	assert_int_equal(profile_set_in(p, "workers", "cpu.max", "abc", &err), -1);
	assert_non_null(strstr(err.msg, "group workers: cpu.max: \"abc\" is not a cpu amount"));
	profile_free(p);
}

/* The checks between keys: what a file refuses, profile_check refuses, in
 * whatever order the keys were set. */
static void test_checks_between_keys(void **state)
{
	static const struct {
		const char *sets[3][2], *yaml, *key;
	} cases[] = {
		{{{"memory.high", "2G"}, {"memory.max", "1G"}},
		 "memory: {high: 2G, max: 1G}",
		 "memory.high: "},
		{{{"memory.swap", "1G"}}, "memory: {swap: 1G}", "memory.swap: "},
		{{{"cpu.max", "0.5%"}}, "cpu: {max: 0.5%}", "cpu.max: "},
		{{{"cpu.max", "20%"}, {"cpu.quota", "20ms"}},
		 "cpu: {max: 20%, quota: 20ms}",
		 "cpu.quota: "},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cg_err err = {0};
		struct profile *p = profile_new("web", NULL, &OPTS, &err);
		char yaml[256];
		struct diags d;

		snprintf(yaml, sizeof(yaml), "name: web\n%s\n", cases[i].yaml);
		assert_null(parse_s(yaml, &d));
		for (size_t j = 0; j < 3 && cases[i].sets[j][0]; j++)
			assert_int_equal(
				profile_set(p, cases[i].sets[j][0], cases[i].sets[j][1], &err), 0);
		assert_int_equal(profile_check(p, &err), -1);
		assert_non_null(strstr(err.msg, cases[i].key));
		if (strcmp(d.items[0].key, "cpu.quota") !=
		    0) /* the file's says where the other is */
			assert_non_null(strstr(err.msg, d.items[0].msg));
		profile_free(p);
	}
}

/* Keys in any order: the cap is checked against the period set after it,
 * swap against the max set after it. */
static void test_order_does_not_matter(void **state)
{
	(void)state;
	same("name: web\ncpu: {max: 0.5%, period: 1s}\nmemory: {swap: 1G, max: 1G}\n", "web", NULL,
	     (const char *const[]){"|cpu.max=0.5%", "|memory.swap=1G", "|cpu.period=1s",
				   "|memory.max=1G", NULL});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_built_equals_parsed),
		cmocka_unit_test(test_set_replaces_and_refusal_keeps),
		cmocka_unit_test(test_bad_value_names_the_key),
		cmocka_unit_test(test_children_refusals),
		cmocka_unit_test(test_checks_between_keys),
		cmocka_unit_test(test_order_does_not_matter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
