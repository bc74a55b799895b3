/* The launcher's pure logic: exit statuses, counters read from cgroup files,
 * the OOM message, user resolution, the group name made from a command, and
 * command-line overrides applied to a profile (or to none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "launch.h"
#include "launch_override.h"
#include "launch_report.h"
#include "launch_user.h"
#include "profile.h"

#define MiB (1024ULL * 1024ULL)

/* wait(2) statuses as the kernel encodes them */
#define EXITED(c) (((c) & 0xff) << 8)
#define SIGNALED(s) ((s) & 0x7f)

static void test_exit_code_of_command(void **state)
{
	(void)state;
	assert_true(WIFEXITED(EXITED(0)));
	assert_int_equal(launch_exit_code(EXITED(0)), 0);
	assert_int_equal(launch_exit_code(EXITED(3)), 3);
	assert_int_equal(launch_exit_code(EXITED(255)), 255);
	/* the command's own 126/127 pass through as they are */
	assert_int_equal(launch_exit_code(EXITED(127)), 127);
}

static void test_exit_code_of_signal(void **state)
{
	(void)state;
	assert_true(WIFSIGNALED(SIGNALED(9)));
	assert_int_equal(launch_exit_code(SIGNALED(9)), 137);
	assert_int_equal(launch_exit_code(SIGNALED(15)), 143);
	assert_int_equal(launch_exit_code(SIGNALED(2)), 130);
	/* core dumped: still 128+N */
	assert_int_equal(launch_exit_code(SIGNALED(11) | 0x80), 139);
}


static void test_oom_message(void **state)
{
	char m[256];

	(void)state;
	launch_oom_message(m, sizeof(m), "web", 64 * MiB);
	assert_string_equal(m, "cgrun: web: killed by the OOM killer: memory.max 64M reached");
	launch_oom_message(m, sizeof(m), "web/workers", 0);
	assert_string_equal(m, "cgrun: web/workers: killed by the OOM killer");
}

static void test_stats_print(void **state)
{
	struct launch_stats s = { .wall_s = 5.0, .has_cpu = true, .cpu_s = 1.0,
				  .has_throttle = true, .periods = 50, .throttled = 49,
				  .has_mem_peak = true, .mem_peak = 64 * MiB, .has_oom = true,
				  .oom_kills = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	launch_stats_print(&s, f);
	fclose(f);
	assert_non_null(strstr(buf, "wall time:       5.000 s"));
	assert_non_null(strstr(buf, "cpu time:        1.000 s (20.0% of one cpu)"));
	assert_non_null(strstr(buf, "throttled:       98.0% of 50 periods"));
	assert_non_null(strstr(buf, "memory peak:     64.0 MiB"));
	assert_non_null(strstr(buf, "oom kills:       1"));
	assert_non_null(strstr(buf, "pids peak:       unknown"));
	free(buf);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
static const char group[] = "root:x:0:\nwww-data:x:33:\nstaff:x:50:alice\nnogroup:x:65534:\n";

static void test_user_numbers(void **state)
{
	char why[256];
	uid_t u = 7;
	gid_t g = 7;

	(void)state;
	assert_int_equal(launch_user_resolve("1000", NULL, NULL, &u, &g, why, sizeof(why)), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 1000);
	assert_int_equal(launch_user_resolve("1000:50", NULL, NULL, &u, &g, why, sizeof(why)), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 50);
	assert_int_equal(launch_user_resolve("0", NULL, NULL, &u, &g, why, sizeof(why)), 0);
	assert_int_equal(u, 0);
}

static void test_user_names(void **state)
{
	char why[256];
	uid_t u = 7;
	gid_t g = 7;

	(void)state;
	assert_int_equal(launch_user_resolve("www-data", passwd, group, &u, &g, why, sizeof(why)), 0);
	assert_int_equal(u, 33);
	assert_int_equal(g, 33);
	/* the last line has no newline */
	assert_int_equal(launch_user_resolve("nobody", passwd, group, &u, &g, why, sizeof(why)), 0);
	assert_int_equal(u, 65534);
	assert_int_equal(launch_user_resolve("daemon:staff", passwd, group, &u, &g, why, sizeof(why)), 0);
	assert_int_equal(u, 1);
	assert_int_equal(g, 50);
	assert_int_equal(launch_user_resolve("www-data:0", passwd, group, &u, &g, why, sizeof(why)), 0);
	assert_int_equal(g, 0);
	/* a prefix of a name is not the name */
	assert_int_equal(launch_user_resolve("www", passwd, group, &u, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no user 'www'"));
}

static void test_user_refused(void **state)
{
	char why[256];
	uid_t u;
	gid_t g;

	(void)state;
	assert_int_equal(launch_user_resolve("alice", passwd, group, &u, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no user 'alice' in the passwd file"));
	assert_int_equal(launch_user_resolve("root:wheel", passwd, group, &u, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no group 'wheel'"));
	assert_int_equal(launch_user_resolve(":0", passwd, group, &u, &g, why, sizeof(why)), -1);
	assert_int_equal(launch_user_resolve("root:", passwd, group, &u, &g, why, sizeof(why)), -1);
	assert_int_equal(launch_user_resolve("alice", NULL, NULL, &u, &g, why, sizeof(why)), -1);
	assert_int_equal(launch_user_resolve("99999999999", NULL, NULL, &u, &g, why, sizeof(why)), -1);
	/* a number out of range is said to be one, not looked up as a name */
	assert_int_equal(launch_user_resolve("4294967295", passwd, group, &u, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "uid 4294967295 is out of range: give a uid from 0 to 4294967294"));
	assert_int_equal(launch_user_resolve("0:4294967295", passwd, group, &u, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "gid 4294967295 is out of range"));
}

static void test_name_from_command(void **state)
{
	char n[PROFILE_NAME_MAX + 1];
	char long_cmd[200];

	(void)state;
	launch_name_from_command("/usr/bin/python3.11", n, sizeof(n));
	assert_string_equal(n, "python3.11");
	launch_name_from_command("sh", n, sizeof(n));
	assert_string_equal(n, "sh");
	launch_name_from_command("./my prog+x", n, sizeof(n));
	assert_string_equal(n, "my_prog_x");
	/* a group name cannot start with '.' */
	launch_name_from_command("/opt/.hidden", n, sizeof(n));
	assert_string_equal(n, "hidden");
	launch_name_from_command("/", n, sizeof(n));
	assert_string_equal(n, "cmd");
	memset(long_cmd, 'a', sizeof(long_cmd) - 1);
	long_cmd[sizeof(long_cmd) - 1] = '\0';
	launch_name_from_command(long_cmd, n, sizeof(n));
	assert_int_equal(strlen(n), PROFILE_NAME_MAX);
	assert_null(profile_name_invalid(n));
}

static const struct override_host host = { .ram = 1024 * MiB, .max_cpu = 1 };

static struct profile *parse(const char *yaml)
{
	struct profile_opts po = { .host_ram = host.ram };
	struct diags d;
	struct profile *p;

	diags_init(&d, "t.yaml");
	p = profile_parse(yaml, strlen(yaml), "t.yaml", &po, &d);
	if (!p)
		diags_print(&d, stderr);
	assert_non_null(p);
	return p;
}

static void test_no_profile_named_after_command(void **state)
{
	struct launch_overrides ov = { .cpu = "20%" };
	cg_err e = { 0 };
	struct profile *p = launch_profile_for_command("/usr/bin/stress-ng", &e);

	(void)state;
	assert_non_null(p);
	assert_string_equal(p->group.name.s, "stress-ng");
	assert_string_equal(p->parent.s, "cgkit");
	assert_int_equal(launch_apply_overrides(p, &ov, &host, &e), 0);
	assert_true(p->group.cpu.present);
	assert_int_equal(profile_cpu_quota_us(&p->group.cpu), 20000);
	assert_int_equal(profile_cpu_period_us(&p->group.cpu), 100000);
	assert_false(p->group.memory.present);
	profile_free(p);
}

static void test_overrides_replace_profile_values(void **state)
{
	struct profile *p = parse("name: web\n"
				  "cpu: {quota: 50ms, period: 100ms}\n"
				  "memory: {max: 512M, high: 400M}\n"
				  "pids: {max: 100}\n");
	struct launch_overrides ov = { .name = "web2", .cpu = "1.5", .memory = "256M",
				       .pids = "20", .cpus = "1", .io_weight = "300" };
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(launch_apply_overrides(p, &ov, &host, &e), 0);
	assert_string_equal(p->group.name.s, "web2");
	/* the cap replaces the profile's quota: 150% of 100ms */
	assert_false(p->group.cpu.quota.set);
	assert_int_equal(profile_cpu_quota_us(&p->group.cpu), 150000);
	assert_int_equal(p->group.memory.max.v, 256 * MiB);
	/* high above the new max would be refused by the kernel's rule */
	assert_int_equal(p->group.memory.high.v, 256 * MiB);
	assert_int_equal(p->group.pids.max.v, 20);
	assert_true(p->group.cpuset.present);
	assert_string_equal(p->group.cpuset.cpus.s, "1");
	assert_true(p->group.io.present);
	assert_int_equal(p->group.io.weight.v, 300);
	profile_free(p);
}

static void test_overrides_max_and_percent(void **state)
{
	struct profile *p = parse("name: web\nmemory: {max: 512M}\npids: {max: 100}\n");
	struct launch_overrides ov = { .memory = "25%", .pids = "max", .cpu = "max" };
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(launch_apply_overrides(p, &ov, &host, &e), 0);
	assert_int_equal(p->group.memory.max.v, 256 * MiB);
	assert_true(p->group.pids.max.is_max);
	assert_int_equal(profile_cpu_quota_us(&p->group.cpu), UINT64_MAX);
	profile_free(p);
}

static void expect_refused(const char *yaml, struct launch_overrides ov, const char *needle)
{
	struct profile *p = parse(yaml);
	cg_err e = { 0 };

	assert_int_equal(launch_apply_overrides(p, &ov, &host, &e), -1);
	if (!strstr(e.msg, needle))
		fail_msg("'%s' not in '%s'", needle, e.msg);
	profile_free(p);
}

static void test_overrides_refused(void **state)
{
	const char *y = "name: web\nchildren:\n  - name: workers\n    cpu: {max: 50%}\n";

	(void)state;
	expect_refused(y, (struct launch_overrides){ .cpu = "20x" }, "--cpu: '20x'");
	expect_refused(y, (struct launch_overrides){ .cpu = "0" }, "--cpu: '0'");
	expect_refused(y, (struct launch_overrides){ .memory = "lots" }, "--memory: 'lots'");
	expect_refused(y, (struct launch_overrides){ .pids = "0" }, "--pids: '0' is not a number from 1");
	expect_refused(y, (struct launch_overrides){ .pids = "-5" }, "--pids: '-5'");
	expect_refused(y, (struct launch_overrides){ .io_weight = "10001" }, "--io-weight: '10001'");
	expect_refused(y, (struct launch_overrides){ .io_weight = "max" }, "--io-weight: 'max'");
	expect_refused(y, (struct launch_overrides){ .cpus = "0-7" }, "--cpus: '0-7'");
	expect_refused(y, (struct launch_overrides){ .name = "a/b" }, "--name: 'a/b'");
	expect_refused(y, (struct launch_overrides){ .name = ".x" }, "--name: '.x'");
	expect_refused(y, (struct launch_overrides){ .parent = "/abs" }, "--parent: '/abs'");
	expect_refused(y, (struct launch_overrides){ .parent = "a/../b" }, "--parent: 'a/../b'");
	expect_refused(y, (struct launch_overrides){ .child = "builders" },
		       "has no child group 'builders'");
	expect_refused("name: web\n", (struct launch_overrides){ .child = "x" }, "(it has no children)");
}

static void test_overrides_child_and_self(void **state)
{
	struct profile *p = parse("name: web\nchildren:\n  - name: workers\n    children:\n"
				  "      - name: fast\n");
	struct launch_overrides ov = { .child = "workers/fast", .parent = "self" };
	cg_err e = { 0 };

	(void)state;
	assert_int_equal(launch_apply_overrides(p, &ov, &host, &e), 0);
	assert_non_null(group_find_child(&p->group, "workers"));
	assert_string_equal(group_find_child(&p->group, "workers/fast")->name.s, "fast");
	assert_null(group_find_child(&p->group, "workers/slow"));
	assert_null(group_find_child(&p->group, "work"));
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_code_of_command),
		cmocka_unit_test(test_exit_code_of_signal),
		cmocka_unit_test(test_oom_message),
		cmocka_unit_test(test_stats_print),
		cmocka_unit_test(test_user_numbers),
		cmocka_unit_test(test_user_names),
		cmocka_unit_test(test_user_refused),
		cmocka_unit_test(test_name_from_command),
		cmocka_unit_test(test_no_profile_named_after_command),
		cmocka_unit_test(test_overrides_replace_profile_values),
		cmocka_unit_test(test_overrides_max_and_percent),
		cmocka_unit_test(test_overrides_refused),
		cmocka_unit_test(test_overrides_child_and_self),
	};

	return cmocka_run_group_tests_name("launch", tests, NULL, NULL);
}
