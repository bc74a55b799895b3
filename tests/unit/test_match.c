/* cgkitd's pure matching (src/daemon/match.c): users by name, uid or range;
 * commands by base name, comm or a glob on the executable's path; cgroups
 * by whole path components; the per-user group's name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "match.h"

static void test_uid_parse(void **state)
{
	struct uid_item it;
	const char *why;

	(void)state;
	assert_int_equal(match_uid_parse("1000", &it, &why), 0);
	assert_null(it.name);
	assert_int_equal(it.lo, 1000);
	assert_int_equal(it.hi, 1000);
	assert_int_equal(match_uid_parse("1000-60000", &it, &why), 0);
	assert_int_equal(it.lo, 1000);
	assert_int_equal(it.hi, 60000);
	assert_int_equal(match_uid_parse("1000-", &it, &why), 0);
	assert_int_equal(it.hi, MATCH_UID_MAX);
	assert_int_equal(match_uid_parse("5-5", &it, &why), 0);
	assert_int_equal(match_uid_parse("alice", &it, &why), 0);
	assert_string_equal(it.name, "alice");
	free(it.name);
	assert_int_equal(match_uid_parse("build-bot", &it, &why), 0);
	free(it.name);
	assert_int_equal(match_uid_parse("60000-1000", &it, &why), -1);
	assert_non_null(strstr(why, "A <= B"));
	assert_int_equal(match_uid_parse("4294967295", &it, &why), -1);
	assert_int_equal(match_uid_parse("1-x", &it, &why), -1);
	assert_int_equal(match_uid_parse("-5", &it, &why), -1);
	assert_int_equal(match_uid_parse("a b", &it, &why), -1);
	assert_int_equal(match_uid_parse("", &it, &why), -1);
}

static void test_uid_match(void **state)
{
	struct uid_item v[] = {
		{.name = "root"}, {.lo = 1000, .hi = 1999}, {.lo = 5000, .hi = 5000}};
	struct uid_list l = {.set = true, .v = v, .n = 3};
	struct uid_list none = {0};

	(void)state;
	assert_true(match_uid(&l, 0, "root"));
	assert_false(match_uid(&l, 0, NULL)); /* a name matches only by name */
	assert_false(match_uid(&l, 1, "daemon"));
	assert_true(match_uid(&l, 1000, NULL));
	assert_true(match_uid(&l, 1999, "x"));
	assert_false(match_uid(&l, 2000, "x"));
	assert_false(match_uid(&l, 999, "x"));
	assert_true(match_uid(&l, 5000, NULL));
	assert_false(match_uid(&l, 5001, NULL));
	assert_false(match_uid(&none, 0, "root"));
}

static void test_command(void **state)
{
	(void)state;
	/* a base name: the exe's base name or comm */
	assert_true(match_command("python3", "/usr/bin/python3", "python3"));
	assert_true(match_command("python3", "/usr/bin/python3", NULL));
	assert_true(match_command("python3", NULL, "python3"));
	assert_false(match_command("python3", "/usr/bin/python3.11", "python3.11"));
	assert_true(match_command("python3*", "/usr/bin/python3.11", NULL));
	assert_false(match_command("python", "/usr/bin/python3", "python3"));
	assert_false(match_command("sh", "/usr/bin/bash", "bash"));
	/* a long name that the kernel cut in comm */
	assert_true(match_command("very-long-program-name", NULL, "very-long-progr"));
	assert_false(match_command("very-long-program-name", NULL, "very-long-prog"));
	/* a glob on the path; '*' crosses '/' */
	assert_true(match_command("*/miner*", "/tmp/x/miner", "miner"));
	assert_true(match_command("*/miner*", "/home/a/.cache/miner-2", "kworker"));
	assert_false(match_command("*/miner*", "/tmp/x/xminer", "xminer"));
	assert_false(match_command("*/miner*", NULL, "miner")); /* a path glob needs the exe */
	assert_true(match_command("/usr/lib/openssh/*", "/usr/lib/openssh/sftp-server", NULL));
	assert_false(match_command("/usr/lib/openssh/*", "/usr/lib/openssh2/x", NULL));
	/* a deleted executable still matches */
	assert_true(match_command("/tmp/x/miner", "/tmp/x/miner (deleted)", NULL));
	assert_true(match_command("miner", "/tmp/x/miner (deleted)", "renamed"));
}

static void test_command_list_and_invalid(void **state)
{
	struct pstr v[] = {{.s = "sshd"}, {.s = "*/xmrig*"}};
	struct pat_list l = {.set = true, .v = v, .n = 2};

	(void)state;
	assert_true(match_commands(&l, "/usr/sbin/sshd", "sshd"));
	assert_true(match_commands(&l, "/tmp/xmrig-6.1/xmrig", "xmrig"));
	assert_false(match_commands(&l, "/usr/bin/bash", "bash"));
	assert_null(match_command_invalid("python3"));
	assert_null(match_command_invalid("*/miner*"));
	assert_null(match_command_invalid("/opt/[ab]in/x"));
	assert_null(match_command_invalid("/opt/\\[x"));
	assert_non_null(match_command_invalid(""));
	assert_non_null(match_command_invalid("bin/x"));
	assert_non_null(match_command_invalid("/opt/tools/"));
	assert_non_null(match_command_invalid("/opt/[ab"));
	assert_non_null(match_command_invalid("x\\"));
}

static void test_cgroup(void **state)
{
	struct pstr v[] = {{.s = "/system.slice"}, {.s = "/init.scope"}};
	struct pat_list l = {.set = true, .v = v, .n = 2};

	(void)state;
	assert_true(match_cgroup("/system.slice", "/system.slice"));
	assert_true(match_cgroup("/system.slice", "/system.slice/ssh.service"));
	assert_false(match_cgroup("/system.slice", "/system.slicex"));
	assert_false(match_cgroup("/system.slice", "/system"));
	assert_false(match_cgroup("/system.slice", "/user.slice/system.slice"));
	assert_true(match_cgroup("/", "/anything/at/all"));
	assert_true(match_cgroup("/", "/"));
	assert_true(match_cgroups(&l, "/init.scope"));
	assert_false(match_cgroups(&l, "/user.slice/user-1000.slice"));
	assert_null(match_cgroup_invalid("/"));
	assert_null(match_cgroup_invalid("/a/b.c"));
	assert_non_null(match_cgroup_invalid("a"));
	assert_non_null(match_cgroup_invalid("/a/"));
	assert_non_null(match_cgroup_invalid("/a//b"));
	assert_non_null(match_cgroup_invalid("/a/../b"));
	assert_non_null(match_cgroup_invalid("/./b"));
}

static void test_group(void **state)
{
	char out[64];
	const char *why;

	(void)state;
	assert_int_equal(match_expand_group("users/%u", "alice", 1000, out, sizeof(out), &why), 0);
	assert_string_equal(out, "users/alice");
	assert_int_equal(match_expand_group("/user.slice/user-%U.slice", "alice", 1000, out,
					    sizeof(out), &why),
			 0);
	assert_string_equal(out, "/user.slice/user-1000.slice");
	assert_int_equal(match_expand_group("u/%u-%U", "bob", 4242, out, sizeof(out), &why), 0);
	assert_string_equal(out, "u/bob-4242");
	/* a name that cannot be a group's: ask for %U */
	assert_int_equal(match_expand_group("users/%u", ".x", 1, out, sizeof(out), &why), -1);
	assert_non_null(strstr(why, "%U"));
	assert_int_equal(match_expand_group("users/%u", NULL, 1, out, sizeof(out), &why), -1);
	/* too long for out */
	assert_int_equal(match_expand_group("users/%u", "alice", 1, out, 8, &why), -1);
	assert_null(match_group_invalid("users/%u"));
	assert_null(match_group_invalid("/user.slice/user-%U.slice"));
	assert_non_null(match_group_invalid("users"));
	assert_non_null(match_group_invalid("/user.slice"));
	assert_non_null(match_group_invalid("users/%x"));
	assert_non_null(match_group_invalid("../%u"));
	assert_non_null(match_group_invalid("a//%u"));
	assert_non_null(match_group_invalid("/a/../%u"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid_parse), cmocka_unit_test(test_uid_match),
		cmocka_unit_test(test_command),	  cmocka_unit_test(test_command_list_and_invalid),
		cmocka_unit_test(test_cgroup),	  cmocka_unit_test(test_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
