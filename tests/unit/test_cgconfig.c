/* cgconfig.conf and cgrules.conf read into profiles and a rules file: the
 * tokenizer's errors at their place, the kernel files mapped onto profile
 * keys, what cannot be carried a warning at its place, and the output
 * parsed back by the profile and rules parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgconfig.h"
#include "convert.h"
#include "mapping.h"
#include "profile.h"
#include "rules.h"

struct run {
	struct diags d;
	struct convert_sink sink;
	int rc;
};

static void conv(struct run *r, const char *text)
{
	cg_err e = {0};

	memset(r, 0, sizeof(*r));
	diags_init(&r->d, "c.conf");
	r->rc = cgconfig_convert(text, strlen(text), "c.conf", &r->d, &r->sink, &e);
	assert_string_equal(e.msg, "");
}

static void run_free(struct run *r)
{
	convert_sink_free(&r->sink);
}

/* The one diagnostic at line:col, with `part` in its message. */
static void has_diag(const struct diags *d, bool warning, int line, int col, const char *part)
{
	for (int i = 0; i < d->n; i++)
		if (d->items[i].warning == warning && d->items[i].line == line &&
		    d->items[i].col == col && strstr(d->items[i].msg, part))
			return;
	diags_print(d, stderr);
	fail_msg("no %s at %d:%d with \"%s\"", warning ? "warning" : "error", line, col, part);
}

static void syntax_error(const char *text, int line, int col, const char *part)
{
	struct run r;

	conv(&r, text);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.d.errors, 1);
	assert_int_equal(r.sink.n_docs, 0);
	has_diag(&r.d, false, line, col, part);
	run_free(&r);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	syntax_error("group a {\n  cpu {\n    cpu.shares = 512;\n  }\n", 1, 9, "not closed");
	syntax_error("group a {\n  cpu { cpu.shares = \"512; }\n}\n", 2, 22, "not closed");
	syntax_error("group a { cpu { cpu.shares = 512 cpu.weight = 1; } }", 1, 34,
		     "expected ';' after the value, found a word");
	syntax_error("group a { cpu { cpu.shares = ; } }", 1, 30, "a value after '='");
	syntax_error("group a { cpu { cpu.shares } }", 1, 28, "expected '=' or '{'");
	syntax_error("}", 1, 1, "expected a section");
	syntax_error("# only a comment\n  = 3;", 2, 3, "expected a section");
	syntax_error("group a { cpu { cpu.shares = 512; } }\nx = 1;", 2, 1,
		     "a setting outside any section");
	syntax_error("groups a { }", 1, 1, "unknown section");
	syntax_error("group a { cpu.shares = 512; }", 1, 11, "directly in a group");
	/* columns count characters: "é" is one */
	syntax_error("group a { # é\n  cpu { \"é\" = } }", 2, 15, "a value after '='");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "group a\0 { }";
	struct run r;
	cg_err e = {0};

	(void)state;
	memset(&r, 0, sizeof(r));
	diags_init(&r.d, "c.conf");
	assert_int_equal(cgconfig_convert(text, sizeof(text) - 1, "c.conf", &r.d, &r.sink, &e), -1);
	has_diag(&r.d, false, 1, 8, "NUL");
	run_free(&r);
}

static void test_depth_cap(void **state)
{
	char text[512] = "group a ";
	struct run r;

	(void)state;
	for (int i = 0; i < CGC_MAX_DEPTH; i++)
		strcat(text, "{ x ");
	strcat(text, "{");
	conv(&r, text);
	assert_int_equal(r.rc, -1);
	has_diag(&r.d, false, 1, 9 + 4 * CGC_MAX_DEPTH, "nested deeper than 8");
	run_free(&r);
}

static const char *doc(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->sink.n_docs; i++)
		if (r->sink.docs[i].name && !strcmp(r->sink.docs[i].name, name))
			return r->sink.docs[i].text;
	fail_msg("no document %s", name);
	return NULL;
}

static struct profile *reparse(const char *text)
{
	struct profile_opts o = {0};
	struct diags d;
	struct profile *p;

	diags_init(&d, "out");
	p = profile_parse(text, strlen(text), "out", &o, &d);
	if (!p)
		diags_print(&d, stderr);
	assert_non_null(p);
	return p;
}

static void test_v1_group(void **state)
{
	const char *text = "mount { cpu = /sys/fs/cgroup/cpu; }\n"
			   "group daemons/www {\n"
			   "  perm { task { uid = root; gid = www; fperm = 770 } }\n"
			   "  cpu { cpu.shares = 512; cpu.cfs_quota_us = 20000;\n"
			   "        cpu.cfs_period_us = \"50000\"; cpu.rt_runtime_us = 0; }\n"
			   "  memory { memory.limit_in_bytes = 512M; memory.soft_limit_in_bytes = "
			   "268435456;\n"
			   "           memory.memsw.limit_in_bytes = 1G; }\n"
			   "  blkio { blkio.weight = 250; blkio.throttle.read_bps_device = \"8:0 "
			   "1048576\"; }\n"
			   "  cpuset { cpuset.cpus = 0; cpuset.mems = 0; }\n"
			   "  pids { pids.max = 100; }\n"
			   "  freezer { }\n"
			   "}\n";
	struct run r;
	struct profile *p;
	const struct group_spec *g;

	(void)state;
	conv(&r, text);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.d.errors, 0);
	has_diag(&r.d, true, 1, 1, "mounts nothing");
	has_diag(&r.d, true, 3, 3, "owners and modes");
	has_diag(&r.d, true, 5, 38, "not carried"); /* cpu.rt_runtime_us */
	has_diag(&r.d, true, 11, 3, "controller freezer");
	assert_int_equal(r.d.warnings, 4); /* 512 shares is weight 50 exactly */
	assert_int_equal(r.sink.n_docs, 1);
	p = reparse(doc(&r, "daemons-www.yaml"));
	g = &p->group;
	assert_string_equal(g->name.s, "www");
	assert_string_equal(p->parent.s, "daemons");
	assert_int_equal(profile_cpu_quota_us(&g->cpu), 20000);
	assert_int_equal(profile_cpu_period_us(&g->cpu), 50000);
	assert_int_equal(g->cpu.weight.v, 50);
	assert_int_equal(g->memory.max.v, 512 << 20);
	assert_int_equal(g->memory.high.v, 256 << 20);
	assert_int_equal(g->memory.swap.v, 512 << 20); /* memsw 1G - limit 512M */
	assert_int_equal(g->io.weight.v, map_io_weight_from(MK_IO_WEIGHT, false, 250));
	assert_int_equal(g->io.n_devices, 1);
	assert_int_equal(g->io.devices[0].major, 8);
	assert_int_equal(g->io.devices[0].read_bps.v, 1048576);
	assert_string_equal(g->cpuset.cpus.s, "0");
	assert_int_equal(g->pids.max.v, 100);
	profile_free(p);
	run_free(&r);
}

static void test_v2_names(void **state)
{
	const char *text =
		"group top/web {\n"
		"  cpu { cpu.max = \"max 100000\"; cpu.weight = 300; }\n"
		"  memory { memory.max = 1G; memory.high = max; memory.swap.max = 0; }\n"
		"  io { io.weight = \"default 200\"; io.max = \"8:16 wiops=50 rbps=max\"; }\n"
		"  pids { pids.max = max; }\n"
		"}\n";
	struct run r;
	struct profile *p;
	const struct group_spec *g;

	(void)state;
	conv(&r, text);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.d.warnings, 0);
	p = reparse(doc(&r, "top-web.yaml"));
	g = &p->group;
	assert_true(g->cpu.max.is_max);
	assert_int_equal(g->cpu.weight.v, 300);
	assert_int_equal(g->memory.max.v, 1 << 30);
	assert_true(g->memory.high.is_max);
	assert_true(g->memory.swap.set);
	assert_int_equal(g->memory.swap.v, 0);
	assert_int_equal(g->io.weight.v, 200);
	assert_int_equal(g->io.devices[0].minor, 16);
	assert_int_equal(g->io.devices[0].write_iops.v, 50);
	assert_true(g->io.devices[0].read_bps.is_max);
	assert_true(g->pids.max.is_max);
	profile_free(p);
	run_free(&r);
}

static void test_not_carried(void **state)
{
	const char *text = "default { perm { task { uid = root; } } }\n"
			   "template users/%u { cpu { cpu.shares = 512; } }\n"
			   "group . { perm { admin { uid = root; } } }\n"
			   "group top { cpu { cpu.shares = 1000; memory.limit_in_bytes = 1G; } }\n"
			   "group x/y { memory { memory.memsw.limit_in_bytes = 1G; } }\n";
	struct run r;

	(void)state;
	conv(&r, text);
	assert_int_equal(r.rc, 0);
	has_diag(&r.d, true, 1, 1, "default owners");
	has_diag(&r.d, true, 2, 1, "template is made for cgrulesengd");
	has_diag(&r.d, true, 3, 7, "root group");
	has_diag(&r.d, true, 4, 7, "root of the hierarchy");
	has_diag(&r.d, true, 4, 32, "cpu.shares 1003");
	has_diag(&r.d, true, 4, 38, "not a file of controller cpu");
	has_diag(&r.d, true, 5, 52, "needs a memory.limit_in_bytes");
	assert_int_equal(r.sink.n_docs, 2);
	run_free(&r);
}

static void test_value_errors(void **state)
{
	struct run r;

	(void)state;
	/* the profile's own checks, at the cgconfig.conf value */
	conv(&r, "group a/b {\n cpu { cpu.cfs_quota_us = 500; }\n}\n");
	assert_int_equal(r.rc, -1);
	has_diag(&r.d, false, 2, 27, "as a profile:");
	assert_int_equal(r.sink.n_docs, 0);
	run_free(&r);
	conv(&r, "group a/b { memory { memory.limit_in_bytes = lots; } }");
	assert_int_equal(r.rc, -1);
	has_diag(&r.d, false, 1, 46, "is not a size");
	run_free(&r);
	conv(&r, "group a/b { cpuset { cpuset.cpus = \"0-x\"; } }");
	assert_int_equal(r.rc, -1);
	has_diag(&r.d, false, 1, 36, "as a profile:");
	run_free(&r);
	/* two groups, one file: nothing is given out */
	conv(&r, "group a-b { pids { } }\ngroup a/b { pids { } }\n");
	assert_int_equal(r.rc, -1);
	has_diag(&r.d, false, 2, 7, "a-b.yaml");
	run_free(&r);
	conv(&r, "group a/../b { pids { } }");
	assert_int_equal(r.rc, -1);
	has_diag(&r.d, false, 1, 7, "cannot be a profile's place");
	run_free(&r);
}

/* cgrules */
static char *rules(const char *text, struct diags *d, int rc_want)
{
	char *yaml = NULL;

	diags_init(d, "r.conf");
	assert_int_equal(cgrules_convert(text, strlen(text), "r.conf", d, &yaml), rc_want);
	return yaml;
}

static struct rules *rules_back(const char *yaml)
{
	struct diags d;
	struct rules *r;

	diags_init(&d, "out");
	r = rules_parse(yaml, strlen(yaml), "out", NULL, &d);
	if (!r)
		diags_print(&d, stderr);
	assert_non_null(r);
	return r;
}

static void test_cgrules_users(void **state)
{
	struct diags d;
	char *y;
	struct rules *r;

	(void)state;
	y = rules("# students\n"
		  "alice\tcpu,memory  /students/%U/\n"
		  "%       blkio       students/%U\n"
		  "bob     *           students/%U   # trailing comment\n"
		  "carol:cp *          students/%U\n"
		  "@staff  *           students/%U\n"
		  "dave    *           fixed/\n"
		  "erin    *           other/%u\n"
		  "frank   *           students/%g\n",
		  &d, 0);
	assert_non_null(y);
	has_diag(&d, true, 2, 7, "controllers (cpu,memory)");
	has_diag(&d, true, 5, 7, "classifying a command (cp)");
	has_diag(&d, true, 6, 1, "user group @staff");
	has_diag(&d, true, 7, 21, "a fixed group");
	has_diag(&d, true, 8, 21, "second destination template");
	has_diag(&d, true, 9, 30, "%g");
	assert_int_equal(d.warnings, 6);
	/* cgrules' %U (name) is cgkitd's %u */
	assert_non_null(strstr(y, "parent: \"students\"\n"));
	assert_non_null(strstr(y, "  uids: [\"alice\", \"bob\"]\n"));
	assert_non_null(strstr(y, "  group: \"%u\"\n"));
	r = rules_back(y);
	rules_free(r);
	free(y);

	y = rules("*  *  users/uid-%u\n", &d, 0);
	has_diag(&d, true, 1, 1, "every user cgkitd does not exempt");
	assert_null(strstr(y, "uids"));
	assert_non_null(strstr(y, "group: \"uid-%U\""));
	rules_free(rules_back(y));
	free(y);

	y = rules("alice * fixed\n", &d, 0);
	has_diag(&d, true, 0, 0, "no line was carried");
	rules_free(rules_back(y));
	free(y);
}

static void test_cgrules_errors(void **state)
{
	struct diags d;

	(void)state;
	assert_null(rules("alice cpu\n", &d, -1));
	has_diag(&d, false, 1, 7, "too few fields");
	assert_null(rules("\nalice cpu a/%U extra\n", &d, -1));
	has_diag(&d, false, 2, 16, "a fourth field");
	assert_null(rules("%  cpu  a/%U\n", &d, -1));
	has_diag(&d, false, 1, 1, "there is none");
	/* what cgkitd refuses, at the template's line */
	assert_null(rules("# x\nalice * a/../%U\n", &d, -1));
	has_diag(&d, false, 2, 1, "as a cgkitd rules file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors),  cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_depth_cap),      cmocka_unit_test(test_v1_group),
		cmocka_unit_test(test_v2_names),       cmocka_unit_test(test_not_carried),
		cmocka_unit_test(test_value_errors),   cmocka_unit_test(test_cgrules_users),
		cmocka_unit_test(test_cgrules_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
