/* The judge (judge.h): windows of samples, offences, tiers, release,
 * forgiving. Pure: no I/O, no clock. */
#include "judge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One slot of a window: one sample, or in long windows several merged. */
struct slot {
	uint64_t t_first, t_last; /* times of its first and newest sample */
	unsigned has;		  /* rates: read at t_last; levels: read at every sample */
	uint64_t v[JM_N];	  /* rates: the counter at t_last; levels: the lowest */
	uint8_t stale;		  /* rates: v carried on from an earlier reading (under) */
	uint8_t ghas;		  /* JM_BIT(JM_CPU): gv known */
	uint64_t gv;		  /* the bound's cpu counter when v[JM_CPU] was read (the
				     only rate bounded: a slot per process and sample) */
};

struct offender {
	struct offender *next; /* hash chain */
	char *rule_name;
	int rule; /* index in j->rules, -1 when a reload dropped it */
	enum judge_scope scope;
	struct judge_key key;

	struct slot *ring; /* window: n slots from head, oldest first */
	size_t cap, head, n;
	bool fresh; /* a sample came since it was last judged */

	unsigned count;
	uint64_t last_offence, forgive_from;

	bool penalised, restored;
	unsigned offence, penalty, kind;
	uint64_t since, until;
	char *actor;
	bool gone; /* scope process: the process ended */
};

struct judge {
	struct judge_rule *rules;
	size_t n_rules;
	uint64_t interval_us;
	struct offender **buckets;
	size_t n_buckets, n_offenders;
	bool dirty;
};

static const char *const measure_names[JM_N] = {"cpu", "memory", "tasks", "io", "pressure"};

const char *judge_measure_name(enum judge_measure m)
{
	return (unsigned)m < JM_N ? measure_names[m] : "?";
}

const char *judge_why_name(enum judge_why w)
{
	switch (w) {
	case JUDGE_WHY_TIME:
		return "time";
	case JUDGE_WHY_EXITED:
		return "exited";
	case JUDGE_WHY_FORGIVEN:
		return "forgiven";
	case JUDGE_WHY_RULE_GONE:
		return "rule-gone";
	case JUDGE_WHY_PERIOD:
		return "period";
	case JUDGE_WHY_NONE:
		break;
	}
	return "";
}

/* ---- Rules ---- */

static void rules_free(struct judge_rule *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)v[i].name);
		free((struct judge_penalty *)v[i].penalties);
	}
	free(v);
}

static struct judge_rule *rules_copy(const struct judge_rule *rules, size_t n)
{
	struct judge_rule *v = calloc(n ? n : 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		struct judge_penalty *p =
			calloc(rules[i].n_penalties ? rules[i].n_penalties : 1, sizeof(*p));

		v[i] = rules[i];
		v[i].name = strdup(rules[i].name ? rules[i].name : "");
		v[i].penalties = p;
		if (!p || !v[i].name) {
			rules_free(v, i + 1);
			return NULL;
		}
		if (rules[i].n_penalties)
			memcpy(p, rules[i].penalties, rules[i].n_penalties * sizeof(*p));
	}
	return v;
}

static int rule_find(const struct judge *j, const char *name, enum judge_scope scope)
{
	size_t i;

	for (i = 0; i < j->n_rules; i++)
		if (strcmp(j->rules[i].name, name) == 0 && j->rules[i].scope == scope)
			return (int)i;
	return -1;
}

int judge_rule_find(const struct judge *j, const char *name)
{
	size_t i;

	for (i = 0; i < j->n_rules; i++)
		if (strcmp(j->rules[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t judge_rule_count(const struct judge *j)
{
	return j->n_rules;
}

const struct judge_rule *judge_rule_at(const struct judge *j, size_t i)
{
	return i < j->n_rules ? &j->rules[i] : NULL;
}

static const struct judge_rule *rule_of(const struct judge *j, const struct offender *o)
{
	return o->rule >= 0 ? &j->rules[o->rule] : NULL;
}

/* ---- Offenders ---- */

/* Users by uid, processes by pid alone (not the start time): judge_gone()
 * finds every offender of a pid, whatever its start, in one chain. */
static size_t key_hash(const struct judge *j, enum judge_scope scope, const struct judge_key *k)
{
	uint64_t h =
		scope == JUDGE_USER ? (uint64_t)k->uid : (uint64_t)k->pid * 0x9e3779b97f4a7c15ull;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (size_t)(h & (j->n_buckets - 1));
}

static bool key_same(enum judge_scope scope, const struct judge_key *a, const struct judge_key *b)
{
	if (scope == JUDGE_USER)
		return a->uid == b->uid;
	return a->pid == b->pid && a->start == b->start;
}

static struct offender *find(const struct judge *j, const char *rule, enum judge_scope scope,
			     const struct judge_key *k)
{
	struct offender *o;

	for (o = j->buckets[key_hash(j, scope, k)]; o; o = o->next)
		if (o->scope == scope && key_same(scope, &o->key, k) &&
		    strcmp(o->rule_name, rule) == 0)
			return o;
	return NULL;
}

static int grow(struct judge *j)
{
	size_t nb = j->n_buckets * 2, i;
	struct offender **b = calloc(nb, sizeof(struct offender *));
	struct offender **old = j->buckets;
	size_t old_n = j->n_buckets;

	if (!b)
		return -1;
	j->buckets = b;
	j->n_buckets = nb;
	for (i = 0; i < old_n; i++) {
		struct offender *o = old[i], *next;

		for (; o; o = next) {
			size_t h = key_hash(j, o->scope, &o->key);

			next = o->next;
			o->next = b[h];
			b[h] = o;
		}
	}
	free(old);
	return 0;
}

static struct offender *add(struct judge *j, const char *rule, int idx, enum judge_scope scope,
			    const struct judge_key *k)
{
	struct offender *o;
	size_t h;

	if (j->n_offenders >= j->n_buckets && grow(j) < 0)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->rule_name = strdup(rule);
	if (!o->rule_name) {
		free(o);
		return NULL;
	}
	o->rule = idx;
	o->scope = scope;
	o->key = *k;
	if (scope == JUDGE_USER) {
		o->key.pid = 0;
		o->key.start = 0;
	}
	h = key_hash(j, scope, &o->key);
	o->next = j->buckets[h];
	j->buckets[h] = o;
	j->n_offenders++;
	return o;
}

static void window_drop(struct offender *o)
{
	free(o->ring);
	o->ring = NULL;
	o->cap = o->head = o->n = 0;
	o->fresh = false;
}

static void offender_free(struct offender *o)
{
	window_drop(o);
	free(o->actor);
	free(o->rule_name);
	free(o);
}

struct judge *judge_new(const struct judge_rule *rules, size_t n, uint64_t interval_us)
{
	struct judge *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->n_buckets = 64;
	j->buckets = calloc(j->n_buckets, sizeof(struct offender *));
	j->rules = rules_copy(rules, n);
	if (!j->buckets || !j->rules) {
		free(j->buckets);
		free(j->rules);
		free(j);
		return NULL;
	}
	j->n_rules = n;
	j->interval_us = interval_us ? interval_us : 1;
	return j;
}

void judge_free(struct judge *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n_buckets; i++) {
		struct offender *o = j->buckets[i], *next;

		for (; o; o = next) {
			next = o->next;
			offender_free(o);
		}
	}
	free(j->buckets);
	rules_free(j->rules, j->n_rules);
	free(j);
}

int judge_set_rules(struct judge *j, const struct judge_rule *rules, size_t n, uint64_t interval_us)
{
	struct judge_rule *nr = rules_copy(rules, n);
	struct judge_rule *old = j->rules;
	size_t old_n = j->n_rules, i;
	uint64_t old_interval = j->interval_us;

	if (!nr)
		return -1;
	j->rules = nr;
	j->n_rules = n;
	j->interval_us = interval_us ? interval_us : 1;
	for (i = 0; i < j->n_buckets; i++) {
		struct offender *o;

		for (o = j->buckets[i]; o; o = o->next) {
			int idx = rule_find(j, o->rule_name, o->scope);

			if (idx < 0) {
				/* its penalty is released at the next step */
				if (o->count)
					j->dirty = true;
				o->count = 0;
				window_drop(o);
			} else if (o->rule < 0 || old[o->rule].for_us != nr[idx].for_us ||
				   old_interval != j->interval_us) {
				window_drop(o);
			}
			o->rule = idx;
		}
	}
	rules_free(old, old_n);
	return 0;
}

/* ---- Windows ---- */

static struct slot *slot_at(const struct offender *o, size_t i)
{
	return &o->ring[(o->head + i) % o->cap];
}

/* How many slots a window of `for` keeps, and how close a sample must be to
 * the newest slot's first to be merged into it (judge.h, "Memory"). */
static void geometry(uint64_t for_us, uint64_t interval_us, size_t *cap, uint64_t *merge_us)
{
	uint64_t need = for_us / interval_us + 3;

	if (need <= JUDGE_RING_MAX) {
		*cap = (size_t)need;
		*merge_us = interval_us / 2;
	} else {
		*cap = JUDGE_RING_MAX;
		*merge_us = (for_us + JUDGE_RING_MAX - 4) / (JUDGE_RING_MAX - 3);
	}
}

static void sample_values(const struct judge_sample *s, uint64_t v[JM_N])
{
	v[JM_CPU] = s->cpu_ns;
	v[JM_MEMORY] = s->memory;
	v[JM_TASKS] = s->tasks;
	v[JM_IO] = s->io_bytes;
	v[JM_PRESSURE] = s->pressure_us;
}

/* A counter that went down, or time that went back: the window starts again. */
static bool is_reset(const struct offender *o, uint64_t now, const uint64_t v[JM_N], unsigned has)
{
	const struct slot *last;
	unsigned m;

	if (o->n == 0)
		return false;
	last = slot_at(o, o->n - 1);
	if (now < last->t_last)
		return true;
	for (m = 0; m < JM_N; m++)
		if ((JM_BIT(m) & JM_RATES) && (has & last->has & JM_BIT(m)) && v[m] < last->v[m])
			return true;
	return false;
}

/* b (the newer) folded into a: a's first time, b's newest. */
static void slot_merge(struct slot *a, const struct slot *b)
{
	unsigned m, has = 0;

	for (m = 0; m < JM_N; m++) {
		unsigned bit = JM_BIT(m);

		if (bit & JM_RATES) {
			a->v[m] = b->v[m];
			has |= b->has & bit;
		} else {
			if (b->v[m] < a->v[m])
				a->v[m] = b->v[m];
			has |= a->has & b->has & bit;
		}
	}
	a->has = has;
	a->stale = b->stale;
	a->ghas = b->ghas;
	a->gv = b->gv;
	a->t_last = b->t_last;
}

/* A sample's bounds and measures known under into its slot (judge.h,
 * "Bounds"): levels as their bound, rates as the newest slot's reading
 * carried on (none before the first reading, or when time went back). */
static void sample_under(const struct offender *o, uint64_t now, const struct judge_sample *s,
			 struct slot *ns)
{
	const struct slot *last = o->n ? slot_at(o, o->n - 1) : NULL;

	for (unsigned m = 0; m < JM_N; m++) {
		unsigned bit = JM_BIT(m);

		if (!(s->under & bit)) {
			if (m == JM_CPU && (ns->has & s->bound_has & bit)) {
				ns->gv = s->bound[m];
				ns->ghas |= (uint8_t)bit;
			}
			continue;
		}
		if (!(bit & JM_RATES)) {
			if (s->bound_has & bit) {
				ns->v[m] = s->bound[m];
				ns->has |= bit;
			}
		} else if (last && now >= last->t_last && (last->has & bit)) {
			ns->v[m] = last->v[m];
			if (m == JM_CPU)
				ns->gv = last->gv;
			ns->has |= bit;
			ns->ghas |= (uint8_t)(last->ghas & bit);
			ns->stale |= (uint8_t)bit;
		}
	}
}

int judge_sample(struct judge *j, size_t rule, const struct judge_key *key, uint64_t now,
		 const struct judge_sample *s)
{
	const struct judge_rule *r;
	struct offender *o;
	struct slot ns;
	size_t cap;
	uint64_t merge_us;

	if (rule >= j->n_rules)
		return -1;
	r = &j->rules[rule];
	o = find(j, r->name, r->scope, key);
	if (!o) {
		o = add(j, r->name, (int)rule, r->scope, key);
		if (!o)
			return -1;
	}
	if (o->gone)
		return 0;
	geometry(r->for_us, j->interval_us, &cap, &merge_us);
	if (!o->ring) {
		o->ring = calloc(cap, sizeof(*o->ring));
		if (!o->ring)
			return -1;
		o->cap = cap;
	}
	memset(&ns, 0, sizeof(ns));
	ns.t_first = ns.t_last = now;
	ns.has = s->has & ~s->under & ((1u << JM_N) - 1);
	sample_values(s, ns.v);
	sample_under(o, now, s, &ns);
	if (is_reset(o, now, ns.v, ns.has))
		o->head = o->n = 0;
	o->fresh = true;
	/* a full ring (samples came faster than the interval) merges into
	 * its newest slot too: the oldest, the window's base, is kept */
	if (o->n > 0 && (o->n == o->cap || now - slot_at(o, o->n - 1)->t_first < merge_us)) {
		slot_merge(slot_at(o, o->n - 1), &ns);
	} else {
		*slot_at(o, o->n) = ns;
		o->n++;
	}
	/* the oldest slot goes once the next one can be the window's base */
	while (o->n >= 3 && slot_at(o, 1)->t_last + r->for_us <= now) {
		o->head = (o->head + 1) % o->cap;
		o->n--;
	}
	return 0;
}

/* A rate in the rule's units: growth d of measure m's counter over dt us. */
static double rate_of(unsigned m, double d, double dt)
{
	if (m == JM_CPU)
		return d / (dt * 1000.0); /* ns per us of wall time */
	if (m == JM_IO)
		return d / (dt / 1e6);
	return d / dt;
}

/* Whether rate m of the process cannot be over at `now` given the bound's
 * counter g now (judge.h, "Bounds"). */
static bool rate_under(const struct judge *j, const struct judge_rule *r, const struct offender *o,
		       uint64_t now, unsigned m, uint64_t g)
{
	unsigned bit = JM_BIT(m);
	const struct slot *newest, *base = NULL;
	size_t cap;
	uint64_t merge_us, span = r->for_us > j->interval_us ? r->for_us : j->interval_us;
	long i, top;
	bool merged;

	if (m != JM_CPU || !o || o->n == 0 || o->gone)
		return false; /* the first sample is read; cpu is the rate bounded */
	newest = slot_at(o, o->n - 1);
	if (now < newest->t_last || !(newest->has & newest->ghas & bit) || g < newest->gv)
		return false;
	/* carried on, the reading must stay within the judge's precision */
	if (rate_of(m, (double)(g - newest->gv), (double)span) >
	    r->over[m] / (double)(JUDGE_RING_MAX - 3))
		return false;
	/* the base that a sample now would be judged against */
	geometry(r->for_us, j->interval_us, &cap, &merge_us);
	merged = o->n == o->cap || now - newest->t_first < merge_us;
	top = merged ? (long)o->n - 2 : (long)o->n - 1;
	for (i = top; i >= 0; i--)
		if (r->for_us == 0 || slot_at(o, (size_t)i)->t_last + r->for_us <= now) {
			base = slot_at(o, (size_t)i);
			break;
		}
	if (!base)
		return true; /* not judged at this sample */
	if (!(base->has & base->ghas & bit) || g < base->gv || now <= base->t_last)
		return false;
	return rate_of(m, (double)(g - base->gv), (double)(now - base->t_last)) <= r->over[m];
}

unsigned judge_under(const struct judge *j, size_t rule, const struct judge_key *key, uint64_t now,
		     const struct judge_sample *bound)
{
	const struct judge_rule *r;
	const struct offender *o;
	unsigned under = 0;

	if (rule >= j->n_rules)
		return 0;
	r = &j->rules[rule];
	o = find(j, r->name, r->scope, key);
	for (unsigned m = 0; m < JM_N; m++) {
		unsigned bit = JM_BIT(m);

		if (!(r->when & bit) || !(bound->bound_has & bit))
			continue;
		if (!(bit & JM_RATES) ? (double)bound->bound[m] <= r->over[m]
				      : rate_under(j, r, o, now, m, bound->bound[m]))
			under |= bit;
	}
	return under;
}

static void window_eval(const struct offender *o, const struct judge_rule *r,
			struct judge_window *w)
{
	const struct slot *newest;
	long b = -1;
	size_t i, from;
	unsigned m;

	memset(w, 0, sizeof(*w));
	for (m = 0; m < JM_N; m++)
		w->value[m] = NAN;
	w->slots = o->n;
	if (o->n == 0)
		return;
	newest = slot_at(o, o->n - 1);
	if (r->for_us == 0) {
		b = (long)o->n - 2;
		w->judged = true;
	} else {
		for (i = o->n; i-- > 0;)
			if (slot_at(o, i)->t_last + r->for_us <= newest->t_last) {
				b = (long)i;
				break;
			}
		w->judged = b >= 0;
	}
	/* levels: every slot after the base (for 0: the newest) */
	from = r->for_us == 0 ? o->n - 1 : (size_t)(b + 1);
	w->has = (1u << JM_N) - 1;
	for (m = 0; m < JM_N; m++)
		if (!(JM_BIT(m) & JM_RATES))
			w->value[m] = INFINITY;
	for (i = from; i < o->n; i++) {
		const struct slot *sl = slot_at(o, i);

		for (m = 0; m < JM_N; m++)
			if (!(JM_BIT(m) & JM_RATES) && sl->v[m] < w->value[m])
				w->value[m] = (double)sl->v[m];
		w->has &= sl->has | JM_RATES;
	}
	/* rates: from the base (not judged yet: from the oldest) to the newest */
	if (b < 0 && r->for_us > 0 && o->n >= 2)
		b = 0;
	w->has &= ~JM_RATES;
	if (b >= 0) {
		const struct slot *base = slot_at(o, (size_t)b);
		double dt = (double)(newest->t_last - base->t_last);

		w->span_us = newest->t_last - base->t_last;
		for (m = 0; m < JM_N && dt > 0; m++) {
			unsigned bit = JM_BIT(m);
			double d;

			/* a newest reading carried on: known under, no value */
			if (!(bit & JM_RATES) || !(base->has & newest->has & bit) ||
			    (newest->stale & bit))
				continue;
			d = (double)(newest->v[m] - base->v[m]);
			w->value[m] = rate_of(m, d, dt);
			w->has |= bit;
		}
	}
	for (m = 0; m < JM_N; m++) {
		if (!(w->has & JM_BIT(m)))
			w->value[m] = NAN;
		else if (w->value[m] > r->over[m])
			w->over |= JM_BIT(m);
	}
}

int judge_explain(const struct judge *j, size_t rule, const struct judge_key *key,
		  struct judge_window *w)
{
	const struct offender *o;

	if (rule >= j->n_rules)
		return -1;
	o = find(j, j->rules[rule].name, j->rules[rule].scope, key);
	if (!o)
		return -1;
	window_eval(o, &j->rules[rule], w);
	return 0;
}

/* ---- Decisions ---- */

static void decision_init(struct judge_decision *d, const struct judge *j, const struct offender *o,
			  enum judge_what what, enum judge_why why)
{
	unsigned m;

	memset(d, 0, sizeof(*d));
	d->what = what;
	d->why = why;
	d->rule = o->rule_name;
	d->r = rule_of(j, o);
	d->scope = o->scope;
	d->key = o->key;
	d->offence = o->offence;
	d->penalty = o->penalty;
	d->kind = o->kind;
	d->since = o->since;
	d->until = o->until;
	d->actor = -1;
	d->actor_data = o->actor;
	for (m = 0; m < JM_N; m++)
		d->measures[m] = NAN;
}

static int emit(judge_cb cb, void *data, const struct judge_decision *d)
{
	return cb ? cb(d, data) : 0;
}

static void release(struct judge *j, struct offender *o, enum judge_why why, judge_cb cb,
		    void *data)
{
	struct judge_decision d;

	decision_init(&d, j, o, JUDGE_RELEASE, why);
	emit(cb, data, &d);
	o->penalised = o->restored = false;
	o->offence = o->penalty = o->kind = 0;
	o->since = o->until = 0;
	free(o->actor);
	o->actor = NULL;
	/* the next offence needs `for` of behaviour after the penalty */
	o->head = o->n = 0;
	o->fresh = false;
	j->dirty = true;
}

static int forgive_periods(struct judge *j, struct offender *o, uint64_t now, judge_cb cb,
			   void *data)
{
	const struct judge_rule *r = rule_of(j, o);
	struct judge_decision d;
	int n = 0;

	if (!r || r->forgive_us == 0)
		return 0;
	while (o->count > 0 && now >= o->forgive_from + r->forgive_us) {
		o->count--;
		o->forgive_from += r->forgive_us;
		j->dirty = true;
		decision_init(&d, j, o, JUDGE_FORGIVE, JUDGE_WHY_PERIOD);
		d.offence = o->count;
		emit(cb, data, &d);
		n++;
	}
	return n;
}

static int judge_one(struct judge *j, struct offender *o, uint64_t now, judge_cb cb, void *data)
{
	const struct judge_rule *r = rule_of(j, o);
	struct judge_window w;
	struct judge_decision d;
	struct offender saved;
	const struct judge_penalty *p;
	unsigned m;

	if (!r || o->penalised || o->gone || !o->fresh)
		return 0;
	o->fresh = false;
	if (r->when == 0 || r->n_penalties == 0)
		return 0;
	/* a rate known under at the newest sample has no value: no offence
	 * (what window_eval() would find, without its walk over the slots) */
	if (o->n && (slot_at(o, o->n - 1)->stale & r->when))
		return 0;
	window_eval(o, r, &w);
	if (!w.judged || (w.has & r->when) != r->when || (w.over & r->when) != r->when)
		return 0;

	saved = *o;
	p = &r->penalties[o->count < r->n_penalties ? o->count : r->n_penalties - 1];
	o->penalty = (unsigned)(p - r->penalties);
	o->count++;
	o->offence = o->count;
	o->last_offence = o->forgive_from = now;
	o->penalised = true;
	o->restored = false;
	o->kind = p->kind;
	o->since = now;
	o->until = p->for_us ? now + p->for_us : 0;
	decision_init(&d, j, o, JUDGE_OFFENCE, JUDGE_WHY_NONE);
	d.actor = p->actor;
	for (m = 0; m < JM_N; m++)
		if (r->when & JM_BIT(m))
			d.measures[m] = w.value[m];
	if (emit(cb, data, &d) < 0) {
		/* not applied: as if it had not been judged (actor data it set goes) */
		if (o->actor != saved.actor)
			free(o->actor);
		o->count = saved.count;
		o->offence = saved.offence;
		o->last_offence = saved.last_offence;
		o->forgive_from = saved.forgive_from;
		o->penalised = false;
		o->penalty = o->kind = 0;
		o->since = o->until = 0;
		o->actor = NULL;
		return 1;
	}
	j->dirty = true;
	return 1;
}

/* An offender that holds nothing worth keeping. */
static bool droppable(const struct offender *o)
{
	if (o->penalised)
		return false;
	if (o->rule < 0 || o->gone)
		return true;
	return o->count == 0 && o->n == 0;
}

int judge_step(struct judge *j, uint64_t now, judge_cb cb, void *data)
{
	int n = 0;
	size_t i;

	for (i = 0; i < j->n_buckets; i++) {
		struct offender **pp = &j->buckets[i];

		while (*pp) {
			struct offender *o = *pp;

			if (o->penalised) {
				if (o->rule < 0)
					release(j, o, JUDGE_WHY_RULE_GONE, cb, data), n++;
				else if (o->until && now >= o->until)
					release(j, o, JUDGE_WHY_TIME, cb, data), n++;
				else if (!o->until && o->gone)
					release(j, o, JUDGE_WHY_EXITED, cb, data), n++;
			}
			n += forgive_periods(j, o, now, cb, data);
			n += judge_one(j, o, now, cb, data);
			if (droppable(o)) {
				*pp = o->next;
				offender_free(o);
				j->n_offenders--;
			} else {
				pp = &o->next;
			}
		}
	}
	return n;
}

static bool matches(const struct offender *o, const char *rule, const struct judge_key *k)
{
	if (rule && strcmp(o->rule_name, rule) != 0)
		return false;
	if (k->pid == 0)
		return o->key.uid == k->uid;
	return o->scope == JUDGE_PROCESS && o->key.pid == k->pid &&
	       (k->start == 0 || o->key.start == k->start);
}

int judge_forgive(struct judge *j, const char *rule, const struct judge_key *key, uint64_t now,
		  judge_cb cb, void *data)
{
	struct judge_decision d;
	int n = 0;
	size_t i;

	(void)now;
	for (i = 0; i < j->n_buckets; i++) {
		struct offender *o;

		for (o = j->buckets[i]; o; o = o->next) {
			if (!matches(o, rule, key) || (!o->penalised && o->count == 0))
				continue;
			if (o->penalised)
				release(j, o, JUDGE_WHY_FORGIVEN, cb, data);
			if (o->count) {
				o->count = 0;
				decision_init(&d, j, o, JUDGE_FORGIVE, JUDGE_WHY_FORGIVEN);
				d.offence = 0;
				emit(cb, data, &d);
			}
			o->head = o->n = 0;
			o->fresh = false;
			j->dirty = true;
			n++;
		}
	}
	return n;
}

void judge_gone(struct judge *j, const struct judge_key *key, uint64_t now)
{
	struct offender *o;

	(void)now;
	/* the key's chain holds them all (key_hash: the uid, or the pid alone) */
	o = j->buckets[key_hash(j, key->pid == 0 ? JUDGE_USER : JUDGE_PROCESS, key)];
	for (; o; o = o->next) {
		if (key->pid == 0) {
			if (o->scope == JUDGE_USER && o->key.uid == key->uid)
				window_drop(o);
		} else if (matches(o, NULL, key)) {
			o->gone = true;
			window_drop(o);
		}
	}
}

int judge_set_actor_data(struct judge *j, const char *rule, const struct judge_key *key,
			 const char *blob)
{
	int idx = judge_rule_find(j, rule);
	struct offender *o;
	char *copy = NULL;

	if (idx < 0)
		return -1;
	o = find(j, rule, j->rules[idx].scope, key);
	if (!o || !o->penalised)
		return -1;
	if (blob && !(copy = strdup(blob)))
		return -1;
	free(o->actor);
	o->actor = copy;
	j->dirty = true;
	return 0;
}

bool judge_dirty(const struct judge *j)
{
	return j->dirty;
}

void judge_clean(struct judge *j)
{
	j->dirty = false;
}

/* ---- Status and the state ---- */

void judge_status(const struct judge *j, judge_entry_cb cb, void *data)
{
	size_t i;

	for (i = 0; i < j->n_buckets; i++) {
		const struct offender *o;

		for (o = j->buckets[i]; o; o = o->next) {
			struct judge_entry e;

			if (!o->penalised && o->count == 0)
				continue;
			memset(&e, 0, sizeof(e));
			e.rule = o->rule_name;
			e.scope = o->scope;
			e.key = o->key;
			e.count = o->count;
			e.last_offence = o->last_offence;
			e.forgive_from = o->forgive_from;
			e.penalised = o->penalised;
			e.offence = o->offence;
			e.penalty = o->penalty;
			e.kind = o->kind;
			e.since = o->since;
			e.until = o->until;
			e.restored = o->restored;
			e.gone = o->gone;
			e.actor_data = o->actor;
			cb(&e, data);
		}
	}
}

int judge_restore(struct judge *j, const struct judge_entry *e)
{
	int idx = rule_find(j, e->rule, e->scope);
	struct offender *o;
	char *actor = NULL;

	if (idx < 0 && !e->penalised)
		return 0; /* counts of a rule that is gone: nothing to take up */
	if (e->actor_data && !(actor = strdup(e->actor_data)))
		return -1;
	o = find(j, e->rule, e->scope, &e->key);
	if (!o)
		o = add(j, e->rule, idx, e->scope, &e->key);
	if (!o) {
		free(actor);
		return -1;
	}
	o->key.uid = e->key.uid;
	o->count = idx < 0 ? 0 : e->count;
	o->last_offence = e->last_offence;
	o->forgive_from = e->forgive_from;
	o->penalised = e->penalised;
	o->restored = e->penalised;
	o->offence = e->offence;
	o->penalty = e->penalty;
	o->kind = e->kind;
	o->since = e->since;
	o->until = e->until;
	o->gone = e->gone && e->scope == JUDGE_PROCESS;
	free(o->actor);
	o->actor = actor;
	return 0;
}
