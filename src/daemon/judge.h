/* The judge: pure logic of cgkitd (docs/cgkitd.8; the rules spec's "Meaning").
 *
 * It keeps, per offender, a window of samples; decides when a rule's `when`
 * holds over `for` (an offence), which penalty tier the offence gets, when a
 * penalty runs out (release) and when an offence is forgiven. No I/O, no
 * clock: every call takes `now`, microseconds of the wall clock (the times
 * are kept across restarts, so they must mean the same after one).
 *
 * Offenders are keyed by (rule, uid) for scope user and (rule, pid, start
 * time) for scope process. The caller (the daemon's glue) samples each
 * offender every interval, calls judge_step() and carries out the decisions
 * it gets through the callback (a decision's strings live only during the
 * call; the callback may call judge_set_actor_data() and nothing else of
 * the judge); a callback that returns -1 for an OFFENCE
 * (the penalty could not be applied) undoes it: no count, no penalty, and
 * the offender is judged again at its next sample.
 *
 * Measures. Rates (cpu, io, pressure) come as cumulative counters and are
 * averaged over `for`: (newest - base) / (time between them), the base being
 * the newest sample at least `for` old (for 0: the sample before the
 * newest). Levels (memory, tasks) must be over the threshold at every sample
 * of `for` (for 0: the newest). Every measure the rule gives must be over
 * (strictly greater) at once. An offender seen for less than `for` is not
 * judged; a counter that goes down (a group made again, a pid reused) or a
 * clock that goes back starts its window again. After a release the window
 * starts again too: the next offence needs `for` of behaviour after it.
 *
 * Memory. A window keeps at most JUDGE_RING_MAX slots. When for/interval + 3
 * fits, one slot is one sample (a sample closer than half an interval to the
 * previous one, or one that finds the ring full because samples came faster
 * than the interval, is merged into the newest slot); for longer windows a slot covers
 * for/(JUDGE_RING_MAX - 3) of time: it keeps the counters at its newest
 * sample and the lowest level of its samples, so a rate's window is at most
 * one slot longer than `for` (under 2%) and a level's start is rounded back
 * to a slot (a dip just before the window may delay an offence by one slot,
 * never cause one). */
#ifndef CGKIT_JUDGE_H
#define CGKIT_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JUDGE_RING_MAX 64

enum judge_scope { JUDGE_USER, JUDGE_PROCESS };

/* The measures of `when`, in the order of the spec. */
enum judge_measure { JM_CPU, JM_MEMORY, JM_TASKS, JM_IO, JM_PRESSURE, JM_N };
#define JM_BIT(m) (1u << (m))
#define JM_RATES (JM_BIT(JM_CPU) | JM_BIT(JM_IO) | JM_BIT(JM_PRESSURE))
const char *judge_measure_name(enum judge_measure m); /* "cpu", "memory", ... */

/* Penalty kinds, as bits: limits (a cap), freeze, kill. */
#define JUDGE_CAP 1u
#define JUDGE_FREEZE 2u
#define JUDGE_KILL 4u

struct judge_penalty {
	uint64_t for_us; /* 0: as long as the offender runs */
	unsigned kind;	 /* JUDGE_CAP | JUDGE_FREEZE | JUDGE_KILL */
	int actor;	 /* opaque to the judge: the actor's index of this penalty */
};

/* What the glue fills from a rule of the rules file. */
struct judge_rule {
	const char *name;
	enum judge_scope scope;
	unsigned when;	   /* JM_BIT()s of the measures given */
	double over[JM_N]; /* thresholds in base units: cpu share of one cpu (1.5),
			      memory bytes, tasks, io bytes per second, pressure share (0.2) */
	uint64_t for_us;
	const struct judge_penalty *penalties;
	size_t n_penalties;  /* at least 1 */
	uint64_t forgive_us; /* 0: never forgiven */
};

/* Scope user: uid (pid and start 0). Scope process: pid and start time
 * (field 22 of /proc/PID/stat) name it, uid is its user, for status. */
struct judge_key {
	uid_t uid;
	pid_t pid;
	uint64_t start;
};

/* One sample; `has` says which measures were read (the others are absent).
 *
 * Bounds (scope process). A process that stays in a group cannot use more
 * than the group: its rates grow by at most the group's counters' growth,
 * its levels are at most the group's. bound[] gives such a group's
 * counters (the user's group), at the same time as the sample (of the
 * rates, cpu only: a window keeps one more counter per slot for it); with it,
 * judge_under() says which measures are known to be at or under the
 * threshold without reading the process, and a sample with those in
 * `under` (and nothing read) is recorded as such: a level as the bound (at
 * or under the threshold, so the window is not over), a rate as the last
 * reading carried on, with no value at this sample (so no offence on it).
 * A reading carried on is one the window may use as its base: judge_under()
 * refuses once the group grew by more than the judge's precision since the
 * process was last read (1/61 of the threshold over `for`, or over one
 * interval for `for` 0), so a rate over a window based on it is at most that
 * much higher than the rate read at every sample, never lower. */
struct judge_sample {
	unsigned has;	      /* JM_BIT()s */
	uint64_t cpu_ns;      /* cumulative cpu time, ns */
	uint64_t memory;      /* bytes in use */
	uint64_t tasks;	      /* processes + threads */
	uint64_t io_bytes;    /* cumulative bytes read + written */
	uint64_t pressure_us; /* cumulative "some" stall time, us (PSI total=) */
	unsigned under;	      /* JM_BIT()s known at or under (judge_under()), not read */
	unsigned bound_has;   /* JM_BIT()s of bound[] given */
	uint64_t bound[JM_N]; /* the group's counters, by enum judge_measure */
};

enum judge_what { JUDGE_OFFENCE, JUDGE_RELEASE, JUDGE_FORGIVE };
enum judge_why {
	JUDGE_WHY_NONE,
	JUDGE_WHY_TIME,	     /* RELEASE: its `for` ran out */
	JUDGE_WHY_EXITED,    /* RELEASE: the process of an open-ended penalty ended */
	JUDGE_WHY_FORGIVEN,  /* RELEASE, FORGIVE: judge_forgive() */
	JUDGE_WHY_RULE_GONE, /* RELEASE: a reload dropped the rule */
	JUDGE_WHY_PERIOD,    /* FORGIVE: `forgive` passed without an offence */
};
const char *judge_why_name(enum judge_why w); /* "time", "exited", ... */

struct judge_decision {
	enum judge_what what;
	enum judge_why why;
	const char *rule;	    /* the rule's name */
	const struct judge_rule *r; /* NULL when the rule is gone */
	enum judge_scope scope;
	struct judge_key key;
	unsigned offence;	/* OFFENCE, RELEASE: which offence (1 = first);
				   FORGIVE: the count left */
	unsigned penalty;	/* OFFENCE, RELEASE: index into the rule's penalties */
	unsigned kind;		/* OFFENCE, RELEASE: the penalty's kind */
	int actor;		/* OFFENCE: the penalty's actor index */
	uint64_t since, until;	/* OFFENCE, RELEASE: until 0 = none */
	double measures[JM_N];	/* OFFENCE: the window's measures of `when`, NAN others */
	const char *actor_data; /* RELEASE: what judge_set_actor_data() kept, or NULL */
};
typedef int (*judge_cb)(const struct judge_decision *d, void *data);

struct judge;

/* The rules are copied; interval_us is the sampling interval. NULL: no memory. */
struct judge *judge_new(const struct judge_rule *rules, size_t n, uint64_t interval_us);
void judge_free(struct judge *j);
/* A reload: rules are matched by name (and scope); counts and penalties of
 * those that stay are kept, windows too unless `for` or the interval
 * changed. Penalties of a rule that is gone are released at the next step
 * (JUDGE_WHY_RULE_GONE), its counts dropped. -1: no memory, nothing changed. */
int judge_set_rules(struct judge *j, const struct judge_rule *rules, size_t n,
		    uint64_t interval_us);
size_t judge_rule_count(const struct judge *j);
const struct judge_rule *judge_rule_at(const struct judge *j, size_t i);
/* The index of a rule by name, or -1. */
int judge_rule_find(const struct judge *j, const char *name);

/* Records a sample of offender (rule, key). -1: no memory (the sample is lost). */
int judge_sample(struct judge *j, size_t rule, const struct judge_key *key, uint64_t now,
		 const struct judge_sample *s);
/* Which measures of the rule's `when` are known to be at or under its
 * threshold at `now` from bound (bound_has, bound[]; see "Bounds" above),
 * for a sample of (rule, key) taken now: levels whose bound is at or under,
 * rates whose bound over the window that a sample now would be judged on is
 * at or under. A rate needs an earlier reading of the process (its first
 * sample is always read). Pure: nothing is recorded. */
unsigned judge_under(const struct judge *j, size_t rule, const struct judge_key *key, uint64_t now,
		     const struct judge_sample *bound);
/* The offender is gone: the process ended (key.pid != 0: its offenders of
 * every rule) or the user has no group any more (key.pid == 0: samples
 * dropped, counts and penalties kept). A process's open-ended penalty is
 * released at the next step (JUDGE_WHY_EXITED); a timed one runs its time
 * (descendants may still be in its group), then the offender is dropped. */
void judge_gone(struct judge *j, const struct judge_key *key, uint64_t now);
/* Releases, forgives, then judges every offender with a new sample. Returns
 * the number of decisions emitted. */
int judge_step(struct judge *j, uint64_t now, judge_cb cb, void *data);
/* `cgkitd forgive`: ends the penalties now and clears the counts of the
 * offenders matching key (pid == 0: every offender of the uid, both scopes;
 * else the process's, start 0 = any start) for the rule named (NULL: all).
 * Emits RELEASE then FORGIVE (JUDGE_WHY_FORGIVEN). Returns how many
 * offenders it touched. */
int judge_forgive(struct judge *j, const char *rule, const struct judge_key *key, uint64_t now,
		  judge_cb cb, void *data);

/* What the actor recorded about a running penalty (the groups, the processes
 * moved and where from, the base limits), kept with it and in the state.
 * -1: no such penalty, or no memory. */
int judge_set_actor_data(struct judge *j, const char *rule, const struct judge_key *key,
			 const char *blob);

/* Something saved in the state changed since judge_clean() (counts,
 * penalties, actor data). */
bool judge_dirty(const struct judge *j);
void judge_clean(struct judge *j);

/* ---- Status and the state file ---- */

/* An offender with a count not yet forgiven or a running penalty. */
struct judge_entry {
	const char *rule;
	enum judge_scope scope;
	struct judge_key key;
	unsigned count;	       /* offences not yet forgiven */
	uint64_t last_offence; /* 0: none */
	uint64_t forgive_from; /* the count drops by one at forgive_from + forgive */
	bool penalised;
	unsigned offence, penalty, kind; /* the running penalty's */
	uint64_t since, until;		 /* until 0: none */
	bool restored;			 /* taken up from the state: already applied */
	bool gone;			 /* the process ended (a timed penalty running out) */
	const char *actor_data;		 /* or NULL */
};
typedef void (*judge_entry_cb)(const struct judge_entry *e, void *data);
/* Every such offender, in no particular order. */
void judge_status(const struct judge *j, judge_entry_cb cb, void *data);
/* Takes an entry up again (from the state): the penalty is marked restored
 * and never applied again. An entry of a rule not in the rules is kept as
 * gone: its penalty is released at the next step. -1: no memory. */
int judge_restore(struct judge *j, const struct judge_entry *e);

/* `cgkitd explain`: the current window of (rule, key). */
struct judge_window {
	bool judged;	    /* seen for at least `for` */
	uint64_t span_us;   /* time between the window's base and newest sample */
	size_t slots;	    /* slots kept */
	unsigned has;	    /* JM_BIT()s of the measures known over the window */
	double value[JM_N]; /* rates averaged, levels' lowest over the window */
	unsigned over;	    /* JM_BIT()s over the rule's threshold */
};
/* -1: no such offender. */
int judge_explain(const struct judge *j, size_t rule, const struct judge_key *key,
		  struct judge_window *w);

#endif
