/* The daemon's judge, on a synthetic clock: windows over `for`, offences,
 * tiers, release, forgiving, processes that end, counter resets, reloads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "judge.h"

#define MS 1000ull
#define S (1000 * MS)
#define IV (200 * MS) /* the sampling interval */
#define GiB (1024.0 * 1024 * 1024)

struct log {
	struct judge_decision d[64];
	size_t n;
	int refuse;	/* OFFENCE: return -1 this many times */
	char actor[64]; /* the last actor data seen (valid only during the call) */
};

static int record(const struct judge_decision *d, void *data)
{
	struct log *l = data;

	if (l->n < 64)
		l->d[l->n++] = *d;
	if (d->actor_data)
		snprintf(l->actor, sizeof(l->actor), "%s", d->actor_data);
	if (d->what == JUDGE_OFFENCE && l->refuse > 0) {
		l->refuse--;
		return -1;
	}
	return 0;
}

static const struct judge_penalty tiers[] = {
	{30 * S, JUDGE_CAP, 10},
	{60 * S, JUDGE_CAP, 11},
	{10 * S, JUDGE_FREEZE, 12},
};

static struct judge_rule cpu_rule(enum judge_scope scope)
{
	struct judge_rule r = {0};

	r.name = "cpu-hog";
	r.scope = scope;
	r.when = JM_BIT(JM_CPU);
	r.over[JM_CPU] = 1.5;
	r.for_us = 2 * S;
	r.penalties = tiers;
	r.n_penalties = 3;
	r.forgive_us = 3600 * S;
	return r;
}

static const struct judge_key proc = {1000, 4242, 777};
static const struct judge_key user = {1000, 0, 0};

/* Samples a process using `cores` cpus since the last sample. */
struct hog {
	uint64_t cpu_ns, t;
};

static void feed(struct judge *j, size_t rule, const struct judge_key *k, struct hog *h,
		 uint64_t now, double cores)
{
	struct judge_sample s = {0};

	if (h->t)
		h->cpu_ns += (uint64_t)(cores * (double)(now - h->t) * 1000.0);
	h->t = now;
	s.has = JM_BIT(JM_CPU);
	s.cpu_ns = h->cpu_ns;
	assert_int_equal(judge_sample(j, rule, k, now, &s), 0);
}

/* Runs from `from` to `to` (inclusive) every interval at `cores`; returns
 * the time of the first decision, or 0. */
static uint64_t run(struct judge *j, const struct judge_key *k, struct hog *h, uint64_t from,
		    uint64_t to, double cores, struct log *l)
{
	uint64_t t, first = 0;

	for (t = from; t <= to; t += IV) {
		size_t before = l->n;

		feed(j, 0, k, h, t, cores);
		judge_step(j, t, record, l);
		if (l->n > before && !first)
			first = t;
	}
	return first;
}

static void test_hog_caught_when_for_has_elapsed(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_PROCESS);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	const uint64_t t0 = 1700000000 * S;

	(void)state;
	/* seen first when it starts hogging two cpus: not before `for` */
	assert_int_equal(run(j, &proc, &h, t0, t0 + 2 * S - IV, 2.0, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(run(j, &proc, &h, t0 + 2 * S, t0 + 2 * S, 2.0, &l), t0 + 2 * S);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].what, JUDGE_OFFENCE);
	assert_string_equal(l.d[0].rule, "cpu-hog");
	assert_int_equal(l.d[0].key.pid, 4242);
	assert_int_equal(l.d[0].key.start, 777);
	assert_int_equal(l.d[0].offence, 1);
	assert_int_equal(l.d[0].penalty, 0);
	assert_int_equal(l.d[0].actor, 10);
	assert_int_equal(l.d[0].kind, JUDGE_CAP);
	assert_int_equal(l.d[0].since, t0 + 2 * S);
	assert_int_equal(l.d[0].until, t0 + 32 * S);
	assert_true(fabs(l.d[0].measures[JM_CPU] - 2.0) < 1e-9);
	assert_true(isnan(l.d[0].measures[JM_MEMORY]));
	judge_free(j);
}

static void test_burst_shorter_than_for_is_not(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_PROCESS);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	uint64_t t;

	(void)state;
	for (t = 1 * S; t <= 60 * S; t += IV) {
		/* one second of two cpus every 5 s: 1.0 over any 2 s */
		double cores = (t / S) % 5 == 0 ? 2.0 : 0.0;

		feed(j, 0, &proc, &h, t, cores);
		judge_step(j, t, record, &l);
	}
	assert_int_equal(l.n, 0);
	judge_free(j);
}

static void test_level_that_dips_once_is_not(void **state)
{
	struct judge_rule r = {0};
	struct judge_penalty p = {0, JUDGE_KILL, 0};
	struct judge *j;
	struct log l = {0};
	uint64_t t, caught = 0;

	(void)state;
	r.name = "mem";
	r.scope = JUDGE_PROCESS;
	r.when = JM_BIT(JM_MEMORY) | JM_BIT(JM_TASKS);
	r.over[JM_MEMORY] = 1 * GiB;
	r.over[JM_TASKS] = 10;
	r.for_us = 2 * S;
	r.penalties = &p;
	r.n_penalties = 1;
	j = judge_new(&r, 1, IV);
	for (t = 1 * S; t <= 10 * S; t += IV) {
		struct judge_sample s = {0};

		s.has = JM_BIT(JM_MEMORY) | JM_BIT(JM_TASKS);
		s.memory = (uint64_t)(2 * GiB);
		s.tasks = 50;
		if (t == 2 * S)
			s.memory = (uint64_t)(0.5 * GiB); /* one dip */
		if (t == 4 * S)
			s.tasks = 3; /* the other measure dips: AND */
		assert_int_equal(judge_sample(j, 0, &proc, t, &s), 0);
		judge_step(j, t, record, &l);
		if (l.n && !caught)
			caught = t;
	}
	/* 2 s of every sample over both, after the last dip at 4 s */
	assert_int_equal(caught, 6 * S);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].until, 0);
	assert_true(fabs(l.d[0].measures[JM_MEMORY] - 2 * GiB) < 1);
	assert_true(fabs(l.d[0].measures[JM_TASKS] - 50) < 1e-9);
	judge_free(j);
}

static void test_for_zero_first_sample_over(void **state)
{
	struct judge_rule r = {0};
	struct judge_penalty p = {0, JUDGE_KILL, 0};
	struct judge *j;
	struct log l = {0};
	struct judge_sample s = {0};

	(void)state;
	r.name = "tasks";
	r.scope = JUDGE_USER;
	r.when = JM_BIT(JM_TASKS);
	r.over[JM_TASKS] = 100;
	r.penalties = &p;
	r.n_penalties = 1;
	j = judge_new(&r, 1, IV);
	s.has = JM_BIT(JM_TASKS);
	s.tasks = 100; /* not over: strictly greater */
	judge_sample(j, 0, &user, 1 * S, &s);
	judge_step(j, 1 * S, record, &l);
	assert_int_equal(l.n, 0);
	s.tasks = 101;
	judge_sample(j, 0, &user, 1 * S + IV, &s);
	judge_step(j, 1 * S + IV, record, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].scope, JUDGE_USER);
	assert_int_equal(l.d[0].key.uid, 1000);
	/* a measure the rule needs that is not read: not judged */
	judge_free(j);
}

/* Tiers 1, 2, 3, then the last again; each released exactly at its until,
 * and no new offence while under a penalty. */
static void test_tiers_release_and_no_offence_while_penalised(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	static const unsigned want_penalty[] = {0, 1, 2, 2};
	uint64_t t = 100 * S;
	int k;

	(void)state;
	for (k = 0; k < 4; k++) {
		uint64_t caught, until, released;

		l.n = 0;
		caught = run(j, &user, &h, t, t + 10 * S, 3.0, &l);
		/* a new window after each release: `for` of behaviour again */
		assert_int_equal(caught, t + 2 * S);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.d[0].offence, k + 1);
		assert_int_equal(l.d[0].penalty, want_penalty[k]);
		until = l.d[0].until;
		assert_int_equal(until, caught + tiers[want_penalty[k]].for_us);
		/* still hogging under the penalty: nothing until it runs out */
		l.n = 0;
		released = run(j, &user, &h, caught + 10 * S, until, 3.0, &l);
		assert_int_equal(released, until);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.d[0].what, JUDGE_RELEASE);
		assert_int_equal(l.d[0].why, JUDGE_WHY_TIME);
		assert_int_equal(l.d[0].offence, k + 1);
		assert_int_equal(l.d[0].penalty, want_penalty[k]);
		t = until + IV;
	}
	judge_free(j);
}

struct one {
	struct judge_entry e;
	size_t n;
};

static void take(const struct judge_entry *e, void *data)
{
	struct one *o = data;

	o->e = *e;
	o->n++;
}

static void test_forgive_each_period(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge_penalty short_p = {1 * S, JUDGE_CAP, 0};
	struct judge *j;
	struct hog h = {0, 0};
	struct log l = {0};
	struct one o = {0};
	uint64_t t, second;

	(void)state;
	r.penalties = &short_p;
	r.n_penalties = 1;
	r.forgive_us = 100 * S;
	j = judge_new(&r, 1, IV);
	run(j, &user, &h, 10 * S, 15 * S, 2.0, &l); /* offence at 12 s, released at 13 s */
	second = run(j, &user, &h, 15 * S + IV, 15 * S + IV, 2.0, &l);
	assert_int_equal(second, 15 * S + IV); /* 13.2 s + 2 s = 15.2 s */
	judge_status(j, take, &o);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.e.count, 2);
	/* idle from now on: one offence forgiven each 100 s after the last */
	run(j, &user, &h, second + IV, second + 1 * S, 0.0, &l); /* released */
	assert_int_equal(l.d[l.n - 1].what, JUDGE_RELEASE);
	l.n = 0;
	for (t = second + 1 * S + IV; t < second + 100 * S; t += IV) {
		feed(j, 0, &user, &h, t, 0.0);
		judge_step(j, t, record, &l);
	}
	assert_int_equal(l.n, 0);
	judge_step(j, second + 100 * S, record, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].what, JUDGE_FORGIVE);
	assert_int_equal(l.d[0].why, JUDGE_WHY_PERIOD);
	assert_int_equal(l.d[0].offence, 1);
	judge_step(j, second + 200 * S - 1, record, &l);
	assert_int_equal(l.n, 1);
	judge_step(j, second + 200 * S, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.d[1].offence, 0);
	o.n = 0;
	judge_status(j, take, &o);
	assert_int_equal(o.n, 0);
	judge_free(j);
}

static void test_forgive_several_periods_at_once(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge *j = judge_new(&r, 1, IV);
	struct judge_entry e = {0};
	struct log l = {0};

	(void)state;
	/* taken up from the state after a long stop: three periods passed */
	e.rule = "cpu-hog";
	e.scope = JUDGE_USER;
	e.key = user;
	e.count = 3;
	e.last_offence = e.forgive_from = 1000 * S;
	assert_int_equal(judge_restore(j, &e), 0);
	judge_step(j, 1000 * S + 3 * 3600 * S, record, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.d[2].offence, 0);
	judge_free(j);
}

static void test_process_exit_ends_open_ended_penalty(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_PROCESS);
	struct judge_penalty forever = {0, JUDGE_CAP, 3};
	struct judge *j;
	struct hog h = {0, 0};
	struct log l = {0};
	struct one o = {0};
	struct judge_key other = proc;

	(void)state;
	r.penalties = &forever;
	r.n_penalties = 1;
	j = judge_new(&r, 1, IV);
	assert_int_equal(run(j, &proc, &h, 1 * S, 3 * S, 2.0, &l), 3 * S);
	assert_int_equal(l.d[0].until, 0);
	assert_int_equal(judge_set_actor_data(j, "cpu-hog", &proc, "{\"moved\":[4242]}"), 0);
	/* another process with the same pid but another start: not it */
	other.start = 778;
	judge_gone(j, &other, 4 * S);
	judge_step(j, 4 * S, record, &l);
	assert_int_equal(l.n, 1);
	/* still under the penalty an hour later while it runs */
	judge_step(j, 3600 * S, record, &l);
	assert_int_equal(l.n, 1);
	judge_gone(j, &proc, 3601 * S);
	judge_step(j, 3601 * S, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.d[1].what, JUDGE_RELEASE);
	assert_int_equal(l.d[1].why, JUDGE_WHY_EXITED);
	assert_string_equal(l.actor, "{\"moved\":[4242]}");
	/* a process's offender goes with it */
	judge_status(j, take, &o);
	assert_int_equal(o.n, 0);
	judge_free(j);
}

static void test_timed_process_penalty_outlives_process(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_PROCESS);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	struct one o = {0};

	(void)state;
	run(j, &proc, &h, 1 * S, 3 * S, 2.0, &l);
	assert_int_equal(l.n, 1);
	judge_gone(j, &proc, 4 * S);
	judge_step(j, 4 * S, record, &l);
	assert_int_equal(l.n, 1); /* its descendants may still be in the group */
	judge_status(j, take, &o);
	assert_true(o.e.gone);
	judge_step(j, 33 * S, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.d[1].why, JUDGE_WHY_TIME);
	o.n = 0;
	judge_status(j, take, &o);
	assert_int_equal(o.n, 0);
	judge_free(j);
}

static void test_user_counts_survive_gone(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	struct one o = {0};

	(void)state;
	run(j, &user, &h, 1 * S, 3 * S, 2.0, &l);
	judge_step(j, 33 * S, record, &l); /* released */
	judge_gone(j, &user, 34 * S);
	judge_step(j, 34 * S, record, &l);
	judge_status(j, take, &o);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.e.count, 1);
	assert_false(o.e.penalised);
	judge_free(j);
}

static void test_counter_reset(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	struct judge_window w;
	uint64_t caught;

	(void)state;
	run(j, &user, &h, 1 * S, 1 * S + 10 * IV, 1.0, &l);
	/* the user's group was made again: its counter starts from 0 */
	h.cpu_ns = 0;
	caught = run(j, &user, &h, 1 * S + 11 * IV, 10 * S, 2.0, &l);
	/* judged `for` after the reset, never on a negative delta */
	assert_int_equal(caught, 1 * S + 11 * IV + 2 * S);
	assert_true(fabs(l.d[0].measures[JM_CPU] - 2.0) < 1e-9);
	assert_int_equal(judge_explain(j, 0, &user, &w), 0);
	judge_free(j);
}

static void test_refused_offence_is_undone(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	struct one o = {0};

	(void)state;
	l.refuse = 1;
	run(j, &user, &h, 1 * S, 3 * S + IV, 2.0, &l);
	/* refused at 3 s, tried again at the next sample, as the first offence */
	assert_int_equal(l.n, 2);
	assert_int_equal(l.d[1].offence, 1);
	assert_int_equal(l.d[1].since, 3 * S + IV);
	judge_status(j, take, &o);
	assert_int_equal(o.e.count, 1);
	judge_free(j);
}

static void test_forgive_command(void **state)
{
	struct judge_rule rules[2] = {cpu_rule(JUDGE_USER), cpu_rule(JUDGE_PROCESS)};
	struct judge *j;
	struct hog h1 = {0, 0}, h2 = {0, 0};
	struct log l = {0};
	struct one o = {0};
	uint64_t t;

	(void)state;
	rules[1].name = "proc-hog";
	j = judge_new(rules, 2, IV);
	for (t = 1 * S; t <= 3 * S; t += IV) {
		feed(j, 0, &user, &h1, t, 2.0);
		feed(j, 1, &proc, &h2, t, 2.0);
		judge_step(j, t, record, &l);
	}
	assert_int_equal(l.n, 2);
	assert_true(judge_dirty(j));
	judge_clean(j);
	/* forgive USER: both scopes of uid 1000 */
	l.n = 0;
	assert_int_equal(judge_forgive(j, NULL, &user, 4 * S, record, &l), 2);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.d[0].what, JUDGE_RELEASE);
	assert_int_equal(l.d[0].why, JUDGE_WHY_FORGIVEN);
	assert_int_equal(l.d[1].what, JUDGE_FORGIVE);
	assert_int_equal(l.d[1].offence, 0);
	assert_true(judge_dirty(j));
	judge_status(j, take, &o);
	assert_int_equal(o.n, 0);
	/* nothing to forgive any more */
	assert_int_equal(judge_forgive(j, "cpu-hog", &user, 5 * S, record, &l), 0);
	judge_free(j);
}

static void test_reload_drops_rule(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge_rule other = cpu_rule(JUDGE_USER);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};

	(void)state;
	run(j, &user, &h, 1 * S, 3 * S, 2.0, &l);
	assert_int_equal(l.n, 1);
	other.name = "other";
	assert_int_equal(judge_set_rules(j, &other, 1, IV), 0);
	judge_step(j, 4 * S, record, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.d[1].what, JUDGE_RELEASE);
	assert_int_equal(l.d[1].why, JUDGE_WHY_RULE_GONE);
	assert_null(l.d[1].r);
	assert_int_equal(judge_rule_find(j, "cpu-hog"), -1);
	assert_int_equal(judge_rule_find(j, "other"), 0);
	judge_free(j);
}

/* A long window keeps at most JUDGE_RING_MAX slots; the offence comes at
 * most one slot after `for`. */
static void test_long_window_is_bounded(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge *j;
	struct hog h = {0, 0};
	struct log l = {0};
	struct judge_window w;
	const uint64_t iv = 1 * S, f = 600 * S, t0 = 5000 * S;
	uint64_t t, caught = 0;

	(void)state;
	r.for_us = f;
	j = judge_new(&r, 1, iv);
	for (t = t0; t <= t0 + f + 60 * S && !caught; t += iv) {
		feed(j, 0, &user, &h, t, 2.0);
		judge_step(j, t, record, &l);
		assert_int_equal(judge_explain(j, 0, &user, &w), 0);
		assert_true(w.slots <= JUDGE_RING_MAX);
		if (l.n)
			caught = t;
	}
	assert_true(caught >= t0 + f);
	assert_true(caught <= t0 + f + f / (JUDGE_RING_MAX - 3) + iv);
	assert_true(fabs(l.d[0].measures[JM_CPU] - 2.0) < 1e-6);
	judge_free(j);
}

/* Samples faster than the interval never lose the window's start. */
static void test_fast_samples_keep_window(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_USER);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	struct judge_window w;
	uint64_t t, caught = 0;

	(void)state;
	for (t = 1 * S; t <= 5 * S && !caught; t += IV / 2 + 1) {
		feed(j, 0, &user, &h, t, 2.0);
		judge_step(j, t, record, &l);
		assert_int_equal(judge_explain(j, 0, &user, &w), 0);
		assert_true(w.slots <= 2 * S / IV + 3);
		if (l.n)
			caught = t;
	}
	if (!(caught >= 3 * S && caught < 3 * S + IV))
		fail_msg("caught at %llu us", (unsigned long long)caught);
	judge_free(j);
}

static void test_explain(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_PROCESS);
	struct judge *j = judge_new(&r, 1, IV);
	struct hog h = {0, 0};
	struct log l = {0};
	struct judge_window w;

	(void)state;
	assert_int_equal(judge_explain(j, 0, &proc, &w), -1);
	run(j, &proc, &h, 1 * S, 1 * S + 5 * IV, 1.0, &l);
	assert_int_equal(judge_explain(j, 0, &proc, &w), 0);
	assert_false(w.judged);
	assert_int_equal(w.span_us, 5 * IV);
	assert_true(fabs(w.value[JM_CPU] - 1.0) < 1e-9);
	assert_int_equal(w.over, 0);
	run(j, &proc, &h, 1 * S + 6 * IV, 4 * S, 1.0, &l);
	assert_int_equal(judge_explain(j, 0, &proc, &w), 0);
	assert_true(w.judged);
	assert_int_equal(w.span_us, 2 * S);
	assert_true(isnan(w.value[JM_MEMORY]));
	assert_string_equal(judge_measure_name(JM_PRESSURE), "pressure");
	judge_free(j);
}

/* judge_gone() at every process exit finds the pid's offenders through an
 * index: 40,000 tracked processes ending one by one take well under a
 * second (a scan of every offender at each exit took several), and it
 * still finds every start of the pid (start 0) and nothing else. */
static void test_gone_index(void **state)
{
	enum { N = 40000 };
	struct judge_rule r = cpu_rule(JUDGE_PROCESS);
	struct judge *j = judge_new(&r, 1, IV);
	struct judge_sample s = {0};
	struct judge_window w;
	struct judge_key k = {1000, 0, 0}, twin = {1000, 7, 999}, keep = {1000, N + 5, 1};
	clock_t c0;
	double secs;
	pid_t p;

	(void)state;
	s.has = JM_BIT(JM_CPU);
	for (p = 1; p <= N; p++) {
		k.pid = p;
		k.start = 100 + (uint64_t)p;
		assert_int_equal(judge_sample(j, 0, &k, 1 * S, &s), 0);
	}
	assert_int_equal(judge_sample(j, 0, &twin, 1 * S, &s), 0); /* pid 7 again, another start */
	assert_int_equal(judge_sample(j, 0, &keep, 1 * S, &s), 0);
	c0 = clock();
	for (p = 1; p <= N; p++) {
		k.pid = p;
		k.start = 0; /* as at an exit event: any start */
		judge_gone(j, &k, 2 * S);
	}
	secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	judge_step(j, 2 * S, NULL, NULL);
	k.pid = 7;
	k.start = 107;
	assert_int_equal(judge_explain(j, 0, &k, &w), -1);
	assert_int_equal(judge_explain(j, 0, &twin, &w), -1);
	assert_int_equal(judge_explain(j, 0, &keep, &w), 0);
	k.pid = N;
	k.start = 100 + N;
	assert_int_equal(judge_explain(j, 0, &k, &w), -1);
	/* a user's offender is found by its uid's chain as well */
	{
		struct judge_rule ur = cpu_rule(JUDGE_USER);
		struct judge *uj = judge_new(&ur, 1, IV);
		struct judge_key u = {0, 0, 0};

		for (u.uid = 1000; u.uid < 1200; u.uid++)
			assert_int_equal(judge_sample(uj, 0, &u, 1 * S, &s), 0);
		u.uid = 1100;
		judge_gone(uj, &u, 2 * S);
		judge_step(uj, 2 * S, NULL, NULL);
		assert_int_equal(judge_explain(uj, 0, &u, &w), -1);
		u.uid = 1101;
		assert_int_equal(judge_explain(uj, 0, &u, &w), 0);
		judge_free(uj);
	}
	judge_free(j);
	assert_true(secs < 1.0);
}

/* ---- bounds: a process's measures known under from its group's ---- */

static struct judge_sample bound_of(uint64_t cpu_ns, uint64_t mem, uint64_t tasks)
{
	struct judge_sample b = {0};

	b.bound_has = JM_BIT(JM_CPU) | JM_BIT(JM_MEMORY) | JM_BIT(JM_TASKS);
	b.bound[JM_CPU] = cpu_ns;
	b.bound[JM_MEMORY] = mem;
	b.bound[JM_TASKS] = tasks;
	return b;
}

/* Levels: a group at or under a process rule's threshold holds no process
 * over it; over, it says nothing. A recorded "under" keeps the level's
 * window from being over for `for`, as a reading under would. */
static void test_under_levels(void **state)
{
	struct judge_rule r = {0};
	struct judge *j;
	struct judge_sample b, s = {0};
	struct log l = {0};
	uint64_t t;

	(void)state;
	r.name = "threads";
	r.scope = JUDGE_PROCESS;
	r.when = JM_BIT(JM_TASKS);
	r.over[JM_TASKS] = 100;
	r.for_us = 1 * S;
	r.penalties = tiers;
	r.n_penalties = 1;
	j = judge_new(&r, 1, IV);
	b = bound_of(0, 0, 100);
	assert_int_equal(judge_under(j, 0, &proc, 1 * S, &b), JM_BIT(JM_TASKS));
	b.bound[JM_TASKS] = 101;
	assert_int_equal(judge_under(j, 0, &proc, 1 * S, &b), 0);
	b.bound_has = 0; /* no bound: nothing known */
	assert_int_equal(judge_under(j, 0, &proc, 1 * S, &b), 0);
	/* 150 threads read at every sample but one, known under: no offence
	 * until `for` has passed since that one */
	s.has = JM_BIT(JM_TASKS);
	s.tasks = 150;
	s.bound_has = JM_BIT(JM_TASKS);
	s.bound[JM_TASKS] = 150;
	for (t = 1 * S; t < 2 * S; t += IV)
		assert_int_equal(judge_sample(j, 0, &proc, t, &s), 0);
	{
		struct judge_sample u = bound_of(0, 0, 90);

		u.under = JM_BIT(JM_TASKS);
		assert_int_equal(judge_sample(j, 0, &proc, 2 * S, &u), 0);
	}
	judge_step(j, 2 * S, record, &l);
	for (t = 2 * S + IV; t < 3 * S; t += IV) {
		assert_int_equal(judge_sample(j, 0, &proc, t, &s), 0);
		judge_step(j, t, record, &l);
		assert_int_equal(l.n, 0);
	}
	/* the window (2 s, 3 s] is over at every sample */
	assert_int_equal(judge_sample(j, 0, &proc, 3 * S, &s), 0);
	judge_step(j, 3 * S, record, &l);
	assert_int_equal(l.n, 1);
	judge_free(j);
}

/* Rates: the first sample is read; then a group that grows by less than
 * the threshold over the window that a sample would be judged on, and by
 * less than the judge's precision since the process was last read, needs
 * no reading. */
static void test_under_rates(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_PROCESS); /* 1.5 cpus over 2 s */
	struct judge *j = judge_new(&r, 1, IV);
	struct judge_sample s = bound_of(0, 0, 0), b;
	const uint64_t slack = (uint64_t)(1.5 * 2e9 / (JUDGE_RING_MAX - 3)); /* ns */
	uint64_t t;

	(void)state;
	b = bound_of(0, 0, 0);
	assert_int_equal(judge_under(j, 0, &proc, 1 * S, &b), 0); /* never read */
	s.has = JM_BIT(JM_CPU);
	assert_int_equal(judge_sample(j, 0, &proc, 1 * S, &s), 0);
	/* an idle group: known under, and recorded so, for minutes */
	for (t = 1 * S + IV; t <= 300 * S; t += IV) {
		struct judge_sample u = bound_of(slack / 2, 0, 0);

		assert_int_equal(judge_under(j, 0, &proc, t, &u), JM_BIT(JM_CPU));
		u.under = JM_BIT(JM_CPU);
		assert_int_equal(judge_sample(j, 0, &proc, t, &u), 0);
	}
	/* grown by more than the precision since the reading: read again */
	b = bound_of(slack + 1, 0, 0);
	assert_int_equal(judge_under(j, 0, &proc, 300 * S + IV, &b), 0);
	/* a busy group: over the threshold over the window: read */
	s = bound_of(0, 0, 0);
	s.has = JM_BIT(JM_CPU);
	s.cpu_ns = 0;
	s.bound[JM_CPU] = 10 * slack;
	assert_int_equal(judge_sample(j, 0, &proc, 300 * S + IV, &s), 0);
	b = bound_of(10 * slack + (uint64_t)(2.0 * 1e9), 0, 0); /* two cpus for a second */
	assert_int_equal(judge_under(j, 0, &proc, 301 * S + IV, &b), 0);
	/* one cpu for a second within a 2 s window: under 1.5 on average
	 * (but over the precision since the reading: read all the same) */
	b = bound_of(10 * slack + (uint64_t)1e9, 0, 0);
	assert_int_equal(judge_under(j, 0, &proc, 301 * S + IV, &b), 0);
	judge_free(j);
}

/* What the judge decides when the daemon skips every reading it may (the
 * group is the process plus another using 0.3 cpu; 1.5 cpus over 30 s) is
 * what it decides reading each sample: a hog that starts after a quiet
 * minute is caught at the same sample, and the window's value is within
 * the precision. */
struct twin {
	struct judge *j;
	struct log l;
	uint64_t first;
	size_t reads;
};

static void test_under_same_decisions(void **state)
{
	struct judge_rule r = cpu_rule(JUDGE_PROCESS);
	struct twin a = {0}, b = {0};
	uint64_t t, pcpu = 0, gcpu = 0;
	const uint64_t t0 = 1 * S, hog = 60 * S, end = 120 * S;

	(void)state;
	r.for_us = 30 * S;
	a.j = judge_new(&r, 1, IV);
	b.j = judge_new(&r, 1, IV);
	for (t = t0; t <= end; t += IV) {
		double p = t > hog ? 2.0 : 0.01;
		struct judge_sample s = bound_of(0, 0, 0);

		pcpu += (uint64_t)(p * (double)IV * 1000.0);
		gcpu += (uint64_t)((p + 0.3) * (double)IV * 1000.0);
		s.bound[JM_CPU] = gcpu;
		s.has = JM_BIT(JM_CPU);
		s.cpu_ns = pcpu;
		assert_int_equal(judge_sample(a.j, 0, &proc, t, &s), 0);
		a.reads++;
		if (judge_under(b.j, 0, &proc, t, &s) == JM_BIT(JM_CPU)) {
			s.has = 0;
			s.cpu_ns = 0;
			s.under = JM_BIT(JM_CPU);
		} else {
			b.reads++;
		}
		assert_int_equal(judge_sample(b.j, 0, &proc, t, &s), 0);
		judge_step(a.j, t, record, &a.l);
		judge_step(b.j, t, record, &b.l);
		if (a.l.n && !a.first)
			a.first = t;
		if (b.l.n && !b.first)
			b.first = t;
	}
	assert_true(a.first > hog);
	assert_int_equal(b.first, a.first);
	assert_true(fabs(b.l.d[0].measures[JM_CPU] - a.l.d[0].measures[JM_CPU]) <=
		    1.5 / (JUDGE_RING_MAX - 3) + 1e-9);
	/* the quiet minute needed a reading now and then, not each sample */
	assert_true(b.reads * 2 < a.reads);
	judge_free(a.j);
	judge_free(b.j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hog_caught_when_for_has_elapsed),
		cmocka_unit_test(test_burst_shorter_than_for_is_not),
		cmocka_unit_test(test_level_that_dips_once_is_not),
		cmocka_unit_test(test_for_zero_first_sample_over),
		cmocka_unit_test(test_tiers_release_and_no_offence_while_penalised),
		cmocka_unit_test(test_forgive_each_period),
		cmocka_unit_test(test_forgive_several_periods_at_once),
		cmocka_unit_test(test_process_exit_ends_open_ended_penalty),
		cmocka_unit_test(test_timed_process_penalty_outlives_process),
		cmocka_unit_test(test_user_counts_survive_gone),
		cmocka_unit_test(test_counter_reset),
		cmocka_unit_test(test_refused_offence_is_undone),
		cmocka_unit_test(test_forgive_command),
		cmocka_unit_test(test_reload_drops_rule),
		cmocka_unit_test(test_long_window_is_bounded),
		cmocka_unit_test(test_fast_samples_keep_window),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_gone_index),
		cmocka_unit_test(test_under_levels),
		cmocka_unit_test(test_under_rates),
		cmocka_unit_test(test_under_same_decisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
