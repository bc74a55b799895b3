/* What cgtop shows of cgkitd's state: which group paths and processes are
 * under a penalty, and the label ("cpu-hog#2 14m"); the file is read again
 * only when it changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "penalty_view.h"
#include "state.h"

#define S 1000000ull
#define NOW (1000 * S)

static struct judge_entry entry(const char *rule, enum judge_scope scope, uid_t uid, pid_t pid,
				uint64_t start, unsigned tier, uint64_t until)
{
	struct judge_entry e;

	memset(&e, 0, sizeof(e));
	e.rule = rule;
	e.scope = scope;
	e.key.uid = uid;
	e.key.pid = pid;
	e.key.start = start;
	e.count = tier + 1;
	e.penalised = true;
	e.offence = tier + 1;
	e.penalty = tier;
	e.kind = JUDGE_CAP;
	e.since = NOW - 60 * S;
	e.until = until;
	return e;
}

/* A view of: user 1000 ("alice") under cpu-hog's second tier for 14m30s,
 * pid 4242 (start 777) under proc-hog's first tier with no end, user 1001
 * with a count but no running penalty. */
static void view(struct penalty_view *v)
{
	struct state st;
	struct judge_entry e;

	penalty_view_init(v);
	state_init(&st);
	e = entry("cpu-hog", JUDGE_USER, 1000, 0, 0, 1, NOW + 14 * 60 * S + 30 * S);
	assert_int_equal(state_add(&st, &e), 0);
	e = entry("proc-hog", JUDGE_PROCESS, 1000, 4242, 777, 0, 0);
	assert_int_equal(state_add(&st, &e), 0);
	e = entry("cpu-hog", JUDGE_USER, 1001, 0, 0, 0, 0);
	e.penalised = false;
	assert_int_equal(state_add(&st, &e), 0);
	assert_int_equal(penalty_view_set(v, &st), 0);
	assert_int_equal(st.n, 0); /* taken over */
	assert_int_equal(v->penalised, 2);
	/* names as getpwuid() would give them (these uids need not exist here) */
	free(v->users[0]);
	v->users[0] = strdup("alice");
	free(v->users[2]);
	v->users[2] = strdup("bob");
}

static void test_label(void **state)
{
	struct judge_entry e =
		entry("cpu-hog", JUDGE_USER, 1000, 0, 0, 1, NOW + 14 * 60 * S + 30 * S);
	char buf[64];

	(void)state;
	penalty_label(&e, NOW, buf, sizeof(buf));
	assert_string_equal(buf, "cpu-hog#2 14m");
	e.until = NOW + 44 * S + 1;
	penalty_label(&e, NOW, buf, sizeof(buf));
	assert_string_equal(buf, "cpu-hog#2 45s");
	e.until = NOW + 3 * 3600 * S;
	penalty_label(&e, NOW, buf, sizeof(buf));
	assert_string_equal(buf, "cpu-hog#2 3h");
	e.until = NOW + 3 * 86400 * S;
	penalty_label(&e, NOW, buf, sizeof(buf));
	assert_string_equal(buf, "cpu-hog#2 3d");
	e.until = NOW - S; /* ran out, not yet released */
	penalty_label(&e, NOW, buf, sizeof(buf));
	assert_string_equal(buf, "cpu-hog#2 0s");
	e.until = 0; /* as long as the offender runs */
	e.penalty = 0;
	penalty_label(&e, NOW, buf, sizeof(buf));
	assert_string_equal(buf, "cpu-hog#1");
}

static void test_groups(void **state)
{
	struct penalty_view v;
	char buf[128];

	(void)state;
	view(&v);
	/* a user's group, by name below "users" */
	assert_int_equal(penalty_view_group(&v, "cgkit/users/alice", NOW, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "cpu-hog#2 14m");
	assert_int_equal(penalty_view_group(&v, "users/alice/", NOW, buf, sizeof(buf)), 1);
	/* adopted: user-UID.slice */
	assert_int_equal(
		penalty_view_group(&v, "user.slice/user-1000.slice", NOW, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "cpu-hog#2 14m");
	/* a process's penalty group */
	assert_int_equal(
		penalty_view_group(&v, "cgkit/penalty/proc-hog/4242", NOW, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "proc-hog#1");
	assert_int_equal(penalty_view_group(&v, "penalty/proc-hog/4242", NOW, buf, sizeof(buf)), 1);

	/* none of these */
	assert_int_equal(penalty_view_group(&v, "cgkit/users/bob", NOW, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(penalty_view_group(&v, "cgkit/users", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "alice", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "home/alice", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "cgkit/users/alice/x", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "cgkit/users/alicex", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(
		penalty_view_group(&v, "user.slice/user-1001.slice", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(
		penalty_view_group(&v, "user.slice/user-1000.slicex", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "user.slice/user-.slice", NOW, buf, sizeof(buf)),
			 0);
	assert_int_equal(
		penalty_view_group(&v, "cgkit/penalty/proc-hog/4243", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(
		penalty_view_group(&v, "cgkit/penalty/cpu-hog/4242", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "cgkit/other/proc-hog/4242", NOW, buf, sizeof(buf)),
			 0);
	assert_int_equal(
		penalty_view_group(&v, "cgkit/penalty/proc-hog/4242/x", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(
		penalty_view_group(&v, "cgkit/penalty/proc-hog/42x", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "", NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_group(&v, "proc-hog/4242", NOW, buf, sizeof(buf)), 0);
	penalty_view_free(&v);
}

static void test_two_penalties_and_small_buffer(void **state)
{
	struct penalty_view v;
	struct state st;
	struct judge_entry e;
	char buf[128], tiny[6];

	(void)state;
	penalty_view_init(&v);
	state_init(&st);
	e = entry("cpu-hog", JUDGE_USER, 1000, 0, 0, 0, NOW + 90 * S);
	assert_int_equal(state_add(&st, &e), 0);
	e = entry("mem-hog", JUDGE_USER, 1000, 0, 0, 2, 0);
	assert_int_equal(state_add(&st, &e), 0);
	assert_int_equal(penalty_view_set(&v, &st), 0);
	assert_int_equal(penalty_view_group(&v, "x/user-1000.slice", NOW, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "cpu-hog#1 1m, mem-hog#3");
	assert_int_equal(penalty_view_group(&v, "x/user-1000.slice", NOW, tiny, sizeof(tiny)), 2);
	assert_string_equal(tiny, "cpu-h"); /* cut, never overrun */
	penalty_view_free(&v);
}

static void test_procs(void **state)
{
	struct penalty_view v;
	char buf[64];

	(void)state;
	view(&v);
	assert_int_equal(penalty_view_proc(&v, 4242, 777, NOW, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "proc-hog#1");
	assert_int_equal(penalty_view_proc(&v, 4242, 0, NOW, buf, sizeof(buf)),
			 1); /* start unknown */
	/* the pid was reused: another start time */
	assert_int_equal(penalty_view_proc(&v, 4242, 778, NOW, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(penalty_view_proc(&v, 4243, 777, NOW, buf, sizeof(buf)), 0);
	/* a user's penalty is on the group, not on each process by uid */
	assert_int_equal(penalty_view_proc(&v, 1000, 0, NOW, buf, sizeof(buf)), 0);
	penalty_view_free(&v);
}

static void test_empty_view_costs_nothing(void **state)
{
	struct penalty_view v;
	char buf[16] = "junk";

	(void)state;
	penalty_view_init(&v);
	assert_int_equal(penalty_view_group(&v, "users/root", NOW, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(penalty_view_proc(&v, 1, 0, NOW, buf, sizeof(buf)), 0);
	penalty_view_free(&v);
}

/* The file: absent is no error; read again only when it changed; a damaged
 * one is an error once and shows nothing. */
static void test_update(void **state)
{
	char dir[] = "/tmp/cgkit-penview.XXXXXX", path[64], bad[80];
	struct penalty_view v;
	struct state st;
	struct judge_entry e;
	cg_err err;
	FILE *f;
	char buf[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	penalty_view_init(&v);
	assert_int_equal(penalty_view_update(&v, path, &err), 0);
	assert_int_equal(v.penalised, 0);

	state_init(&st);
	e = entry("proc-hog", JUDGE_PROCESS, 0, 4242, 777, 1, 0);
	assert_int_equal(state_add(&st, &e), 0);
	assert_int_equal(state_save(path, &st, NOW, &err), 0);
	assert_int_equal(penalty_view_update(&v, path, &err), 1);
	assert_int_equal(penalty_view_proc(&v, 4242, 777, NOW, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "proc-hog#2");
	assert_int_equal(penalty_view_update(&v, path, &err), 0); /* unchanged: not read */

	/* a new file (the daemon renames one over it) */
	state_free(&st);
	e = entry("other", JUDGE_PROCESS, 0, 4242, 777, 0, 0);
	assert_int_equal(state_add(&st, &e), 0);
	assert_int_equal(state_save(path, &st, NOW, &err), 0);
	assert_int_equal(penalty_view_update(&v, path, &err), 1);
	assert_int_equal(penalty_view_proc(&v, 4242, 777, NOW, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "other#1");
	state_free(&st);

	/* damaged: an error once, nothing shown, never set aside */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\":1,", f);
	fclose(f);
	assert_int_equal(penalty_view_update(&v, path, &err), -1);
	assert_non_null(strstr(err.msg, "damaged"));
	assert_int_equal(penalty_view_proc(&v, 4242, 777, NOW, buf, sizeof(buf)), 0);
	assert_int_equal(penalty_view_update(&v, path, &err), 0);
	snprintf(bad, sizeof(bad), "%s.bad", path);
	assert_int_not_equal(access(bad, F_OK), 0);
	assert_int_equal(access(path, F_OK), 0);

	/* gone */
	unlink(path);
	assert_int_equal(penalty_view_update(&v, path, &err), 1);
	assert_int_equal(penalty_view_update(&v, path, &err), 0);
	penalty_view_free(&v);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_two_penalties_and_small_buffer),
		cmocka_unit_test(test_procs),
		cmocka_unit_test(test_empty_view_costs_nothing),
		cmocka_unit_test(test_update),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
