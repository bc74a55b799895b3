/* cgkitd's counts for /metrics (see metrics.h): pure, kept by the loop. */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

const char *const metrics_action_names[MA_N] = {
	[MA_CLASSIFY] = "classify", [MA_CAP] = "cap",	      [MA_FREEZE] = "freeze",
	[MA_KILL] = "kill",	    [MA_RELEASE] = "release", [MA_FORGIVE] = "forgive",
};

/* ---- the loop's figures (pure) ---- */

int metrics_action_index(const char *action)
{
	for (int i = 0; action && i < MA_N; i++)
		if (!strcmp(action, metrics_action_names[i]))
			return i;
	return -1;
}

static struct metrics_rule_tally *tally_rule(struct metrics_tally *t, const char *rule)
{
	struct metrics_rule_tally *r;

	if (!rule)
		rule = "";
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].rule, rule))
			return &t->v[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct metrics_rule_tally *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	r = &t->v[t->n];
	memset(r, 0, sizeof(*r));
	r->rule = strdup(rule);
	if (!r->rule)
		return NULL;
	t->n++;
	return r;
}

int metrics_tally_action(struct metrics_tally *t, const char *rule, const char *action,
			 bool offence)
{
	struct metrics_rule_tally *r = tally_rule(t, rule);
	int a = metrics_action_index(action);

	if (!r)
		return -1;
	if (a >= 0)
		r->actions[a]++;
	if (offence)
		r->offences++;
	return 0;
}

void metrics_tally_clear_penalties(struct metrics_tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->v[i].penalties = 0;
}

int metrics_tally_penalty(struct metrics_tally *t, const char *rule)
{
	struct metrics_rule_tally *r = tally_rule(t, rule);

	if (!r)
		return -1;
	r->penalties++;
	return 0;
}

void metrics_tally_free(struct metrics_tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].rule);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int metrics_tally_copy(struct metrics_tally *dst, const struct metrics_tally *src)
{
	struct metrics_tally c = {0};

	c.v = calloc(src->n ? src->n : 1, sizeof(*c.v));
	if (!c.v)
		return -1;
	c.cap = src->n ? src->n : 1;
	for (size_t i = 0; i < src->n; i++) {
		c.v[i] = src->v[i];
		c.v[i].rule = strdup(src->v[i].rule);
		if (!c.v[i].rule) {
			metrics_tally_free(&c);
			return -1;
		}
		c.n++;
	}
	c.events_lost = src->events_lost;
	c.rescans = src->rescans;
	metrics_tally_free(dst);
	*dst = c;
	return 0;
}
