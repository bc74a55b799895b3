/* The judge's state file: a round trip keeps every penalty with its time
 * left and marks it restored; damaged files are set aside, never half
 * taken, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "judge.h"
#include "state.h"

#define S 1000000ull
#define IV (200 * 1000ull)

static const struct judge_penalty tiers[] = {
	{30 * S, JUDGE_CAP, 0},
	{0, JUDGE_FREEZE, 1},
};

static void rules(struct judge_rule r[2])
{
	memset(r, 0, 2 * sizeof(*r));
	r[0].name = "cpu-hog";
	r[0].scope = JUDGE_USER;
	r[0].when = JM_BIT(JM_CPU);
	r[0].over[JM_CPU] = 1.5;
	r[0].for_us = 2 * S;
	r[0].penalties = tiers;
	r[0].n_penalties = 2;
	r[0].forgive_us = 3600 * S;
	r[1] = r[0];
	r[1].name = "proc-hog";
	r[1].scope = JUDGE_PROCESS;
	r[1].penalties = &tiers[1];
	r[1].n_penalties = 1;
}

struct tmp {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/cgkit-state.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/state.json", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	DIR *d = opendir(t->dir);
	struct dirent *de;
	char p[400];

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", t->dir, de->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(t->dir);
	free(t);
	return 0;
}

static int quiet(const struct judge_decision *d, void *data)
{
	(void)d;
	(void)data;
	return 0;
}

struct last {
	struct judge_decision d;
	char rule[64]; /* d.rule lives only during the call */
	int n;
};

static int keep(const struct judge_decision *d, void *data)
{
	struct last *l = data;

	l->d = *d;
	snprintf(l->rule, sizeof(l->rule), "%s", d->rule);
	l->n++;
	return 0;
}

/* A judge with a user under its first tier (actor data with characters to
 * escape), a process under an open-ended freeze, and a count of 2. */
static struct judge *busy_judge(uint64_t *until)
{
	struct judge_rule r[2];
	struct judge *j;
	struct judge_key u = {1000, 0, 0}, p = {1001, 4242, 98765};
	struct judge_sample s = {0};
	struct last l = {0};
	uint64_t t;

	rules(r);
	j = judge_new(r, 2, IV);
	s.has = JM_BIT(JM_CPU);
	for (t = 10 * S; t <= 12 * S; t += IV) {
		s.cpu_ns += 2 * IV * 1000; /* two cpus */
		judge_sample(j, 0, &u, t, &s);
		judge_sample(j, 1, &p, t, &s);
		judge_step(j, t, keep, &l);
	}
	assert_int_equal(l.n, 2);
	assert_int_equal(judge_set_actor_data(j, "cpu-hog", &u,
					      "{\"groups\":[\"/cgkit/users/"
					      "al\\\"ice\"],\"base\":\"cpu.max: 400%\n\"}\x01\xff"),
			 0);
	assert_int_equal(judge_set_actor_data(j, "proc-hog", &p, "moved 4242 from /a/b"), 0);
	*until = 12 * S + 30 * S;
	return j;
}

struct seen {
	struct judge_entry e[8];
	char actor[8][256];
	char rule[8][64];
	size_t n;
};

static void collect(const struct judge_entry *e, void *data)
{
	struct seen *s = data;

	if (s->n >= 8)
		return;
	s->e[s->n] = *e;
	snprintf(s->rule[s->n], 64, "%s", e->rule);
	snprintf(s->actor[s->n], 256, "%s", e->actor_data ? e->actor_data : "(null)");
	s->n++;
}

static const struct judge_entry *by_rule(struct seen *s, const char *rule, size_t *i)
{
	for (*i = 0; *i < s->n; (*i)++)
		if (strcmp(s->rule[*i], rule) == 0)
			return &s->e[*i];
	fail_msg("no entry for %s", rule);
	return NULL;
}

static void test_round_trip_keeps_time_left(void **state)
{
	struct tmp *t = *state;
	struct judge_rule r[2];
	struct judge *j, *j2;
	struct state st;
	struct seen a = {0}, b = {0};
	struct last l = {0};
	cg_err err;
	uint64_t until;
	size_t i, k;
	DIR *d;
	struct dirent *de;
	int files = 0;

	j = busy_judge(&until);
	assert_true(judge_dirty(j));
	assert_int_equal(state_save_judge(t->path, j, 13 * S, &err), 0);
	assert_false(judge_dirty(j));
	/* nothing but the file: no temporary left behind */
	d = opendir(t->dir);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			files++;
	closedir(d);
	assert_int_equal(files, 1);

	/* "SIGKILL": a new judge from the file only */
	state_init(&st);
	assert_int_equal(state_load(t->path, &st, true, &err), 0);
	assert_int_equal(st.saved_us, 13 * S);
	assert_int_equal(st.n, 2);
	rules(r);
	j2 = judge_new(r, 2, IV);
	assert_int_equal(state_to_judge(&st, j2, &err), 0);
	state_free(&st);
	judge_status(j, collect, &a);
	judge_status(j2, collect, &b);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		const struct judge_entry *x = &a.e[i], *y = by_rule(&b, a.rule[i], &k);

		assert_int_equal(x->scope, y->scope);
		assert_int_equal(x->key.uid, y->key.uid);
		assert_int_equal(x->key.pid, y->key.pid);
		assert_int_equal(x->key.start, y->key.start);
		assert_int_equal(x->count, y->count);
		assert_int_equal(x->last_offence, y->last_offence);
		assert_int_equal(x->forgive_from, y->forgive_from);
		assert_int_equal(x->penalised, y->penalised);
		assert_int_equal(x->offence, y->offence);
		assert_int_equal(x->penalty, y->penalty);
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->since, y->since);
		assert_int_equal(x->until, y->until);
		assert_false(x->restored);
		assert_true(y->restored); /* already applied: never again */
		if (strcmp(a.rule[i], "cpu-hog") == 0)
			/* invalid UTF-8 came back as U+FFFD, the rest as it was */
			assert_string_equal(b.actor[k],
					    "{\"groups\":[\"/cgkit/users/al\\\"ice\"],"
					    "\"base\":\"cpu.max: 400%\n\"}\x01\xef\xbf\xbd");
		else
			assert_string_equal(b.actor[k], a.actor[i]);
	}
	/* the time left goes on from when it began: released at until, not before */
	judge_step(j2, until - 1, keep, &l);
	assert_int_equal(l.n, 0);
	judge_step(j2, until, keep, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d.what, JUDGE_RELEASE);
	assert_string_equal(l.rule, "cpu-hog");
	assert_true(judge_dirty(j2));
	judge_free(j);
	judge_free(j2);
}

static void test_missing_file_is_empty(void **state)
{
	struct tmp *t = *state;
	struct state st;
	cg_err err;

	state_init(&st);
	assert_int_equal(state_load(t->path, &st, true, &err), 0);
	assert_int_equal(st.n, 0);
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void expect_damaged(const char *path, const char *text, size_t len)
{
	char bad[256];
	struct state st;
	cg_err err;
	struct stat sb;

	write_text(path, text, len);
	state_init(&st);
	if (state_load(path, &st, true, &err) != 1)
		fail_msg("accepted (%zu bytes): %.*s", len, (int)len, text);
	assert_int_equal(st.n, 0);
	assert_non_null(strstr(err.msg, "damaged state file"));
	snprintf(bad, sizeof(bad), "%s.bad", path);
	assert_int_equal(stat(bad, &sb), 0);
	assert_int_equal(stat(path, &sb), -1); /* set aside: the next start is clean */
	unlink(bad);
}

static void test_truncated_file_set_aside(void **state)
{
	struct tmp *t = *state;
	struct judge *j;
	struct state st;
	struct json js;
	const char *text;
	size_t len = 0, cut;
	uint64_t until;
	cg_err err;

	j = busy_judge(&until);
	state_init(&st);
	assert_int_equal(state_from_judge(&st, j), 0);
	json_init(&js);
	assert_int_equal(state_format(&st, 13 * S, &js), 0);
	text = json_text(&js, &len);
	/* every cut of the file, as a crash of a non-atomic writer would leave */
	for (cut = 0; cut < len; cut++)
		expect_damaged(t->path, text, cut);
	write_text(t->path, text, len);
	assert_int_equal(state_load(t->path, &st, true, &err), 0);
	assert_int_equal(st.n, 2);
	json_free(&js);
	state_free(&st);
	judge_free(j);
}

static void test_corrupt_files_set_aside(void **state)
{
	static const char *const bad[] = {
		"garbage",
		"[]",
		"{}",
		"null",
		"{\"version\":2,\"saved_us\":1,\"offenders\":[]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":{}}",
		"{\"version\":1,\"saved_us\":\"1\",\"offenders\":[]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[1]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[{\"rule\":\"r\"}]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[{\"rule\":\"r\",\"scope\":\"group\","
		"\"uid\":1,"
		"\"pid\":0,\"start\":0,\"count\":1,\"last_offence\":1,\"forgive_from\":1,"
		"\"penalty\":null}]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[{\"rule\":\"r\",\"scope\":\"user\","
		"\"uid\":-1,"
		"\"pid\":0,\"start\":0,\"count\":1,\"last_offence\":1,\"forgive_from\":1,"
		"\"penalty\":null}]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[{\"rule\":\"r\",\"scope\":"
		"\"process\",\"uid\":1,"
		"\"pid\":0,\"start\":0,\"count\":1,\"last_offence\":1,\"forgive_from\":1,"
		"\"penalty\":null}]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[{\"rule\":\"r\",\"scope\":\"user\","
		"\"uid\":1,"
		"\"pid\":0,\"start\":0,\"count\":1,\"last_offence\":1,\"forgive_from\":1,"
		"\"penalty\":{}}]}",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[{\"rule\":\"r\",\"scope\":\"user\","
		"\"uid\":1,"
		"\"pid\":0,\"start\":0,\"count\":1,\"last_offence\":1,\"forgive_from\":1,"
		"\"penalty\":null}]}x",
		"{\"version\":1,\"saved_us\":1,\"offenders\":[]}\n{\"version\":1}",
		"\t{\"version\":1,\"saved_us\":1,\"offenders\":[],\"a\":&x}",
	};
	struct tmp *t = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_damaged(t->path, bad[i], strlen(bad[i]));
	/* a NUL inside */
	expect_damaged(t->path, "{\"version\":1,\0\"saved_us\":1,\"offenders\":[]}", 42);
}

static void test_reader_does_not_set_aside(void **state)
{
	struct tmp *t = *state;
	struct state st;
	struct stat sb;
	cg_err err;

	write_text(t->path, "{", 1);
	state_init(&st);
	assert_int_equal(state_load(t->path, &st, false, &err), 1);
	assert_int_equal(stat(t->path, &sb), 0);
}

static void test_unknown_rule_after_reload(void **state)
{
	struct tmp *t = *state;
	struct judge_rule r[2];
	struct judge *j, *j2;
	struct state st;
	struct last l = {0};
	cg_err err;
	uint64_t until;

	/* the rules file lost "proc-hog" while the daemon was down: its
	 * penalty is released at the first step, not kept forever */
	j = busy_judge(&until);
	assert_int_equal(state_save_judge(t->path, j, 13 * S, &err), 0);
	state_init(&st);
	assert_int_equal(state_load(t->path, &st, true, &err), 0);
	rules(r);
	j2 = judge_new(r, 1, IV);
	assert_int_equal(state_to_judge(&st, j2, &err), 0);
	judge_step(j2, 14 * S, keep, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.rule, "proc-hog");
	assert_int_equal(l.d.why, JUDGE_WHY_RULE_GONE);
	judge_step(j2, 15 * S, quiet, NULL);
	state_free(&st);
	judge_free(j);
	judge_free(j2);
}

static void test_save_error_is_reported(void **state)
{
	struct state st;
	cg_err err;

	(void)state;
	state_init(&st);
	assert_int_equal(state_save("/nonexistent-dir-cgkit/state.json", &st, 1, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent-dir-cgkit/state.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_keeps_time_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_file_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_files_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_does_not_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_rule_after_reload, setup, teardown),
		cmocka_unit_test(test_save_error_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
