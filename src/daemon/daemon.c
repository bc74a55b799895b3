/* cgkitd's loop (see daemon.h); the client commands are client.c's. */
#include "daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "act.h"
#include "actlog.h"
#include "daemon_int.h"
#include "facts.h"
#include "json.h"
#include "judge.h"
#include "layout.h"
#include "match.h"
#include "measure.h"
#include "history_rec.h"
#include "metrics.h"
#include "proc.h"
#include "procev.h"
#include "rules.h"
#include "state.h"
#include "units.h"

/* for errors nobody reads: the library fills its cg_err unconditionally */
static cg_err scratch_err;

uint64_t daemon_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- rules into the judge ---- */

struct jrules {
	struct judge_rule *v;
	struct judge_penalty **pen;
	size_t n;
};

static void jrules_free(struct jrules *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->pen[i]);
	free(j->pen);
	free(j->v);
	memset(j, 0, sizeof(*j));
}

static int jrules_make(const struct rules *r, struct jrules *out)
{
	memset(out, 0, sizeof(*out));
	out->v = calloc(r->n_rules ? r->n_rules : 1, sizeof(*out->v));
	/* an array of pointers, one a rule, to its penalties */
	out->pen = calloc(r->n_rules ? r->n_rules : 1, sizeof(struct judge_penalty *)); // NOLINT(bugprone-sizeof-expression)
	if (!out->v || !out->pen)
		return -1;
	out->n = r->n_rules;
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct rule *ru = &r->rules[i];
		const struct rule_when *w = &ru->when;
		struct judge_rule *jr = &out->v[i];
		struct judge_penalty *p = calloc(ru->n_penalties ? ru->n_penalties : 1, sizeof(*p));

		if (!p)
			return -1;
		out->pen[i] = p;
		jr->name = ru->name.s;
		jr->scope = ru->scope == RULE_SCOPE_USER ? JUDGE_USER : JUDGE_PROCESS;
		if (w->cpu.set) {
			jr->when |= JM_BIT(JM_CPU);
			jr->over[JM_CPU] = (double)w->cpu.v / 1e6;
		}
		if (w->memory.set) {
			jr->when |= JM_BIT(JM_MEMORY);
			jr->over[JM_MEMORY] = (double)w->memory.v;
		}
		if (w->tasks.set) {
			jr->when |= JM_BIT(JM_TASKS);
			jr->over[JM_TASKS] = (double)w->tasks.v;
		}
		if (w->io.set) {
			jr->when |= JM_BIT(JM_IO);
			jr->over[JM_IO] = (double)w->io.v;
		}
		{
			const struct pval *ps = w->pressure_memory.set ? &w->pressure_memory
						: w->pressure_cpu.set	 ? &w->pressure_cpu
									 : &w->pressure_io;

			if (ps->set) {
				jr->when |= JM_BIT(JM_PRESSURE);
				jr->over[JM_PRESSURE] = (double)ps->v / (double)RULES_PPM;
			}
		}
		if (ru->at_exec) {
			/* judged at exec: one sample of tasks 1 over -1 is the offence */
			jr->when = JM_BIT(JM_TASKS);
			jr->over[JM_TASKS] = -1;
		}
		jr->for_us = w->for_us.set ? w->for_us.v : 0;
		for (size_t k = 0; k < ru->n_penalties; k++) {
			const struct rule_penalty *rp = &ru->penalties[k];

			p[k].for_us = rp->for_us.set ? rp->for_us.v : 0;
			p[k].kind = (rp->n_limits ? JUDGE_CAP : 0) |
				    (rp->freeze.set && rp->freeze.v ? JUDGE_FREEZE : 0) |
				    (rp->kill_signal ? JUDGE_KILL : 0);
			p[k].actor = (int)k;
		}
		jr->penalties = p;
		jr->n_penalties = ru->n_penalties;
		jr->forgive_us = ru->forgive.set ? ru->forgive.v : RULES_DEFAULT_FORGIVE_US;
	}
	return 0;
}

uint64_t daemon_interval(const struct rules *r)
{
	return r->interval.set && r->interval.v ? r->interval.v : RULES_DEFAULT_INTERVAL_US;
}

const char *daemon_state_dir(const struct rules *r)
{
	return r->state.s ? r->state.s : RULES_DEFAULT_STATE;
}

/* ---- the daemon ---- */

struct tproc {
	pid_t pid;
	unsigned long long start;
	uid_t uid;
	unsigned rules; /* bits: the process-scope rules with `when` that select it */
	bool in_group;	/* in its user's group since it was classified (a bound) */
};

struct tuser {
	uid_t uid;
	char name[64];
	char rel[PATH_MAX];
	char **dirs;   /* the group's directory in each hierarchy */
	size_t n_dirs;
	bool have_group;
	bool have_m;	    /* m read this interval */
	struct measures m;  /* the group's counters this interval */
};

struct daemon {
	const char *conf;
	bool dry_run;
	struct rules *r;
	struct jrules jr;
	struct cg_layout l;
	struct judge *j;
	struct actor act;
	struct actlog log;
	struct procev_src *ev;
	bool scanning;
	char state_path[PATH_MAX], forgive_dir[PATH_MAX];
	struct tproc *procs;
	size_t n_procs, cap_procs;
	uint64_t *tracked; /* a bit per pid in procs: most events are of others */
	size_t n_tracked;  /* words */
	struct tuser *users;
	size_t n_users, cap_users;
	unsigned long classified, moved;
	struct metrics_tally tally; /* counted here, published to the HTTP side */
	struct metrics *metrics;    /* NULL: off */
	struct hist_rec *hist;      /* NULL: off */
};

/* ---- tracking ---- */

static struct tuser *user_get(struct daemon *D, uid_t uid)
{
	for (size_t i = 0; i < D->n_users; i++)
		if (D->users[i].uid == uid)
			return &D->users[i];
	if (D->n_users == D->cap_users) {
		size_t cap = D->cap_users ? 2 * D->cap_users : 16;
		struct tuser *v = realloc(D->users, cap * sizeof(*v));

		if (!v)
			return NULL;
		D->users = v;
		D->cap_users = cap;
	}
	memset(&D->users[D->n_users], 0, sizeof(D->users[0]));
	D->users[D->n_users].uid = uid;
	act_user_name(uid, D->users[D->n_users].name, sizeof(D->users[0].name));
	return &D->users[D->n_users++];
}

static bool pid_tracked(const struct daemon *D, pid_t pid)
{
	size_t w = (size_t)pid / 64;

	return pid > 0 && w < D->n_tracked && (D->tracked[w] >> (pid % 64) & 1);
}

/* -1: no memory (then the process is not tracked). */
static int pid_mark(struct daemon *D, pid_t pid, bool on)
{
	size_t w = (size_t)pid / 64;

	if (pid <= 0)
		return -1;
	if (w >= D->n_tracked) {
		size_t n = D->n_tracked ? D->n_tracked : 1024;
		uint64_t *v;

		if (!on)
			return 0;
		while (n <= w)
			n *= 2;
		v = realloc(D->tracked, n * sizeof(*v));
		if (!v)
			return -1;
		memset(v + D->n_tracked, 0, (n - D->n_tracked) * sizeof(*v));
		D->tracked = v;
		D->n_tracked = n;
	}
	if (on)
		D->tracked[w] |= 1ull << (pid % 64);
	else
		D->tracked[w] &= ~(1ull << (pid % 64));
	return 0;
}

/* Drops procs[i] (the last one takes its place). */
static void proc_remove_at(struct daemon *D, size_t i)
{
	(void)pid_mark(D, D->procs[i].pid, false);
	D->procs[i] = D->procs[--D->n_procs];
}

static struct tproc *proc_find(struct daemon *D, pid_t pid)
{
	if (!pid_tracked(D, pid))
		return NULL;
	for (size_t i = 0; i < D->n_procs; i++)
		if (D->procs[i].pid == pid)
			return &D->procs[i];
	return NULL;
}

static void proc_drop(struct daemon *D, pid_t pid)
{
	struct tproc *t = proc_find(D, pid);

	if (t)
		proc_remove_at(D, (size_t)(t - D->procs));
}

static void proc_track(struct daemon *D, const struct facts *f, unsigned rules, bool in_group)
{
	struct tproc *t = proc_find(D, f->pid);

	if (!rules) {
		if (t)
			proc_drop(D, f->pid);
		return;
	}
	if (!t) {
		if (D->n_procs == D->cap_procs) {
			size_t cap = D->cap_procs ? 2 * D->cap_procs : 64;
			struct tproc *v = realloc(D->procs, cap * sizeof(*v));

			if (!v)
				return;
			D->procs = v;
			D->cap_procs = cap;
		}
		if (pid_mark(D, f->pid, true) < 0)
			return;
		t = &D->procs[D->n_procs++];
	}
	t->pid = f->pid;
	t->start = f->start;
	t->uid = f->uid;
	t->rules = rules;
	t->in_group = in_group;
}

/* ---- the judge's decisions ---- */

struct cbctx {
	struct daemon *D;
	uint64_t now;
};

static void limits_json(const struct rule_penalty *p, struct json *j)
{
	const struct group_spec *g = &p->limits;
	char buf[64];

	json_obj_begin(j);
	if (g->cpu.present) {
		json_key(j, "cpu");
		json_obj_begin(j);
		if (g->cpu.max.set) {
			json_key(j, "max");
			if (g->cpu.max.is_max)
				json_str(j, "max");
			else {
				snprintf(buf, sizeof(buf), "%g%%", (double)g->cpu.max.v / 1e4);
				json_str(j, buf);
			}
		}
		if (g->cpu.weight.set) {
			json_key(j, "weight");
			json_uint(j, g->cpu.weight.v);
		}
		json_obj_end(j);
	}
	if (g->memory.present) {
		const struct pval *v[] = { &g->memory.max, &g->memory.high, &g->memory.swap };
		const char *k[] = { "max", "high", "swap" };

		json_key(j, "memory");
		json_obj_begin(j);
		for (int i = 0; i < 3; i++)
			if (v[i]->set) {
				json_key(j, k[i]);
				if (v[i]->is_max) {
					json_str(j, "max");
				} else {
					unit_format_size(v[i]->v, buf, sizeof(buf));
					json_str(j, buf);
				}
			}
		json_obj_end(j);
	}
	if (g->pids.present && g->pids.max.set) {
		json_key(j, "pids");
		json_obj_begin(j);
		json_key(j, "max");
		if (g->pids.max.is_max)
			json_str(j, "max");
		else
			json_uint(j, g->pids.max.v);
		json_obj_end(j);
	}
	if (g->cpuset.present) {
		json_key(j, "cpuset");
		json_obj_begin(j);
		if (g->cpuset.cpus.s) {
			json_key(j, "cpus");
			json_str(j, g->cpuset.cpus.s);
		}
		if (g->cpuset.mems.s) {
			json_key(j, "mems");
			json_str(j, g->cpuset.mems.s);
		}
		json_obj_end(j);
	}
	if (g->io.present && g->io.weight.set) {
		json_key(j, "io");
		json_obj_begin(j);
		json_key(j, "weight");
		json_uint(j, g->io.weight.v);
		json_obj_end(j);
	}
	if (p->freeze.set && p->freeze.v) {
		json_key(j, "freeze");
		json_bool(j, true);
	}
	if (p->kill_signal) {
		json_key(j, "kill");
		json_str(j, p->kill.s ? p->kill.s : "KILL");
	}
	json_obj_end(j);
}

static const char *notify_of(const struct daemon *D, const struct rule *ru)
{
	return ru && ru->notify.s ? ru->notify.s : D->r->notify.s;
}

/* Every action goes to the log through here, is counted for /metrics and
 * recorded in the history (the log's own line). */
static void log_action(struct daemon *D, const struct actlog_entry *en, const char *notify,
		       bool offence)
{
	(void)metrics_tally_action(&D->tally, en->rule, en->action, offence);
	actlog_write(&D->log, en, notify);
	if (D->hist) {
		char *line = actlog_format(&D->log, en);

		hist_rec_event(D->hist, en->time, line);
		free(line);
	}
}

static int on_decision(const struct judge_decision *d, void *data)
{
	struct cbctx *c = data;
	struct daemon *D = c->D;
	const struct rule *ru = rules_find(D->r, d->rule);
	struct actlog_entry en;
	char user[64], groups[4096] = "", comm[16] = "", exe[PATH_MAX] = "";
	struct json lj;
	cg_err e = { 0 };
	int rc = 0;

	memset(&en, 0, sizeof(en));
	for (int m = 0; m < JM_N; m++)
		en.measures[m] = NAN;
	act_user_name(d->key.uid, user, sizeof(user));
	en.time = daemon_now_us();
	en.rule = d->rule;
	en.scope = d->scope == JUDGE_USER ? "user" : "process";
	en.user = user;
	en.uid = d->key.uid;
	en.pid = d->key.pid;
	en.offence = d->offence;
	en.until = d->until;
	if (d->key.pid > 0) {
		cg_proc_comm(d->key.pid, comm, sizeof(comm));
		en.comm = comm;
		if (proc_exe(d->key.pid, exe, sizeof(exe), &scratch_err) == 0)
			en.exe = exe;
	}
	json_init(&lj);
	if (d->what == JUDGE_OFFENCE) {
		const struct rule_penalty *p = ru ? rule_penalty_for(ru, d->offence) : NULL;
		struct cg_proc pr = { d->key.pid, d->key.start };
		char *adata = NULL;

		if (!p)
			return -1;
		if (!ru->at_exec)
			memcpy(en.measures, d->measures, sizeof(en.measures));
		limits_json(p, &lj);
		en.limits = json_text(&lj, NULL);
		en.action = (d->kind & JUDGE_KILL) ? "kill" : (d->kind & JUDGE_FREEZE) ? "freeze" : "cap";
		/* the log comes first, with the groups the action will touch: the
		 * actor says which without touching anything (as in a dry run) */
		{
			char *none = NULL;

			D->act.dry_run = true;
			(void)act_penalty(&D->act, ru, p, d->key.uid, user, d->key.pid ? &pr : NULL,
					  c->now, &none, groups, sizeof(groups), &scratch_err);
			D->act.dry_run = D->dry_run;
			free(none);
			en.groups = groups;
		}
		log_action(D, &en, notify_of(D, ru), true);
		rc = act_penalty(&D->act, ru, p, d->key.uid, user, d->key.pid ? &pr : NULL, c->now,
				 &adata, groups, sizeof(groups), &e);
		if (rc < 0 && e.errnum != ESRCH) {
			/* (a process that ended meanwhile is no failure to report) */
			fprintf(stderr, "cgkitd: %s of rule %s on %s%s%d failed: %s\n", en.action,
				d->rule, user, d->key.pid ? " pid " : "", (int)d->key.pid, e.msg);
		} else {
			if (adata)
				(void)judge_set_actor_data(D->j, d->rule, &d->key, adata);
			if (d->key.pid && !D->dry_run) {
				/* moved out of its user's group (or killed): no bound any more */
				struct tproc *t = proc_find(D, d->key.pid);

				if (t)
					t->in_group = false;
			}
		}
		free(adata);
	} else if (d->what == JUDGE_RELEASE) {
		en.action = "release";
		en.why = judge_why_name(d->why);
		log_action(D, &en, notify_of(D, ru), false);
		if (act_release(&D->act, d->key.uid, user, d->actor_data, &e) < 0)
			fprintf(stderr, "cgkitd: release of rule %s on %s: %s\n", d->rule, user, e.msg);
	} else {
		en.action = "forgive";
		en.why = judge_why_name(d->why);
		en.offence = 0;
		log_action(D, &en, notify_of(D, ru), false);
	}
	json_free(&lj);
	return rc;
}

/* ---- classification ---- */

/* A process seen (start, exec, uid change): exempt? its user's group?
 * rules at exec? which process rules select it? */
/* The action log's line for a process put into its user's group. */
static void log_classify(struct daemon *D, const struct facts *f, const char *user,
			 char *const *dirs, size_t n, const char *group)
{
	struct actlog_entry en;
	char comm[16] = "", groups[4096] = "";
	size_t o = 0;

	/* the group's directory in each hierarchy, as a penalty's line names them */
	for (size_t i = 0; i < n && o < sizeof(groups); i++)
		o += (size_t)snprintf(groups + o, sizeof(groups) - o, "%s%s", i ? "," : "", dirs[i]);

	memset(&en, 0, sizeof(en));
	for (int m = 0; m < JM_N; m++)
		en.measures[m] = NAN;
	cg_proc_comm(f->pid, comm, sizeof(comm));
	en.time = daemon_now_us();
	en.action = "classify";
	en.scope = "user";
	en.user = user;
	en.uid = f->uid;
	en.pid = f->pid;
	en.comm = comm;
	en.exe = f->exe;
	en.groups = n ? groups : group;
	log_action(D, &en, NULL, false);
}

struct classify_log {
	struct daemon *D;
	const struct facts *f;
	const char *name;
	const struct tuser *u;
};

static void log_classify_cb(const char *group, void *ctx)
{
	const struct classify_log *c = ctx;

	log_classify(c->D, c->f, c->name, c->u && c->u->dirs ? c->u->dirs : NULL,
		     c->u && c->u->dirs ? c->u->n_dirs : 0, group);
}

static void classify(struct daemon *D, pid_t pid, bool exec, uint64_t now)
{
	struct facts f;
	char name[64];
	unsigned sel = 0;
	bool judged = false, in_group = false;

	/* most processes on a host are exempt by their uid: their stat, exe
	 * and cgroup are not read */
	if (facts_read_ids(pid, &f) < 0)
		return;
	act_user_name(f.uid, name, sizeof(name));
	if (!facts_exempt_uid(D->r, &f, name) && facts_read_rest(&f) < 0)
		return;
	if (facts_exempt(D->r, &f, name)) {
		proc_track(D, &f, 0, false);
		facts_free(&f);
		return;
	}
	if (facts_in_users(D->r, f.uid, name)) {
		struct tuser *u = user_get(D, f.uid);
		struct cg_proc p = { f.pid, f.start };
		cg_err e = { 0 };
		char group[PATH_MAX] = "";
		int rc = 0;

		if (u && !u->have_group) {
			char **dirs = NULL;
			size_t n = 0;

			/* made with the base limits; an adopted group is never
			 * made, but its base limits are written (once a start) */
			if (act_user_group(&D->act, f.uid, name, true, &dirs, &n, u->rel,
					   sizeof(u->rel), &e) == 0) {
				u->have_group = true;
				u->dirs = dirs;   /* kept for measuring */
				u->n_dirs = n;
			} else {
				act_dirs_free(dirs, n);
			}
			cg_err_clear(&e);
		}
		if (!D->r->users.adopt) {
			/* logged before it is done: the actor calls back before the move */
			struct classify_log cl = { D, &f, name, u };

			rc = act_classify(&D->act, &p, f.uid, name, f.cgroup, group, sizeof(group),
					  log_classify_cb, &cl, &in_group, &e);
		}
		D->classified++;
		if (rc < 0)
			fprintf(stderr, "cgkitd: classifying pid %d of %s: %s\n", (int)pid, name,
				e.msg);
		else if (rc > 0)
			D->moved++;

	}
	for (size_t i = 0; i < D->r->n_rules && i < 32; i++) {
		const struct rule *ru = &D->r->rules[i];

		if (ru->scope != RULE_SCOPE_PROCESS || !facts_rule_selects(ru, &f, name))
			continue;
		if (ru->at_exec) {
			if (!exec)
				continue;
			{
				struct judge_key k = { f.uid, f.pid, f.start };
				struct judge_sample s = { .has = JM_BIT(JM_TASKS), .tasks = 1 };

				(void)judge_sample(D->j, i, &k, now, &s);
				judged = true;
			}
		} else {
			sel |= 1u << i;
		}
	}
	proc_track(D, &f, sel, in_group);
	facts_free(&f);
	if (judged) {
		struct cbctx c = { D, now };

		(void)judge_step(D->j, now, on_decision, &c);
	}
}

static void scan_all(struct daemon *D, uint64_t now)
{
	struct procscan s = { 0 };
	cg_err e = { 0 };

	if (procev_scan(&s, 0, &e) < 0) {
		fprintf(stderr, "cgkitd: scanning /proc: %s\n", e.msg);
		return;
	}
	D->tally.rescans++;
	/* processes that ended since */
	for (size_t i = 0; i < D->n_procs;) {
		bool alive = false;

		for (size_t k = 0; k < s.n && !alive; k++)
			alive = s.v[k].pid == D->procs[i].pid && s.v[k].start == D->procs[i].start;
		if (!alive) {
			struct judge_key key = { D->procs[i].uid, D->procs[i].pid, D->procs[i].start };

			judge_gone(D->j, &key, now);
			proc_remove_at(D, i);
		} else {
			i++;
		}
	}
	for (size_t i = 0; i < s.n; i++) {
		struct tproc *t = proc_find(D, s.v[i].pid);

		if (t && t->start == s.v[i].start && D->scanning)
			continue;
		classify(D, s.v[i].pid, true, now);
	}
	procscan_free(&s);
}

/* ---- each interval ---- */

/* A user's group's counters as a bound of its processes' (judge.h,
 * "Bounds"): cpu, tasks, and the memory charged to it (io is not: on
 * cgroup v1 writes through the page cache are charged elsewhere). */
static void group_bound(const struct tuser *u, struct judge_sample *s)
{
	if (!u || !u->have_m)
		return;
	if (u->m.have & MEAS_CPU) {
		s->bound_has |= JM_BIT(JM_CPU);
		s->bound[JM_CPU] = u->m.cpu_ns;
	}
	if (u->m.have & MEAS_MEM) {
		s->bound_has |= JM_BIT(JM_MEMORY);
		s->bound[JM_MEMORY] = u->m.mem_usage;
	}
	if (u->m.have & MEAS_TASKS) {
		s->bound_has |= JM_BIT(JM_TASKS);
		s->bound[JM_TASKS] = u->m.tasks;
	}
}

static struct tuser *user_find(struct daemon *D, uid_t uid)
{
	for (size_t i = 0; i < D->n_users; i++)
		if (D->users[i].uid == uid)
			return &D->users[i];
	return NULL;
}

/* A process's samples: its rules' measures known under from its group's
 * counters (all of every rule's `when`), or read from /proc. -1: it is gone. */
static int sample_proc(struct daemon *D, struct tproc *t, uint64_t now)
{
	struct judge_key key = { t->uid, t->pid, t->start };
	struct judge_sample bound = { 0 };
	struct proc_info pi;
	unsigned under[32] = { 0 };
	bool want_io = false, read = false;

	if (t->in_group)
		group_bound(user_find(D, t->uid), &bound);
	for (size_t i = 0; i < D->r->n_rules && i < 32; i++) {
		unsigned when;

		if (!(t->rules & (1u << i)))
			continue;
		when = judge_rule_at(D->j, i)->when;
		if (D->r->rules[i].when.io.set)
			want_io = true;
		if (bound.bound_has)
			under[i] = judge_under(D->j, i, &key, now, &bound) & when;
		if (under[i] != when)
			read = true;
	}
	if (!read) {
		for (size_t i = 0; i < D->r->n_rules && i < 32; i++) {
			struct judge_sample s = bound;

			if (!(t->rules & (1u << i)))
				continue;
			s.under = under[i];
			(void)judge_sample(D->j, i, &key, now, &s);
		}
		return 0;
	}
	if (proc_info_read(t->pid, PROC_STAT | (want_io ? PROC_IO : 0), &pi, &scratch_err) < 0 ||
	    pi.start != t->start) {
		if (pi.pid == t->pid)
			proc_info_free(&pi);
		judge_gone(D->j, &key, now);
		return -1;
	}
	for (size_t i = 0; i < D->r->n_rules && i < 32; i++) {
		struct judge_sample s = bound;

		if (!(t->rules & (1u << i)))
			continue;
		s.has = JM_BIT(JM_CPU) | JM_BIT(JM_MEMORY) | JM_BIT(JM_TASKS);
		s.cpu_ns = pi.cpu_ns;
		s.memory = pi.rss_bytes;
		s.tasks = pi.threads;
		if (pi.have_io) {
			s.has |= JM_BIT(JM_IO);
			s.io_bytes = pi.io_bytes;
		}
		(void)judge_sample(D->j, i, &key, now, &s);
	}
	proc_info_free(&pi);
	return 0;
}

static void sample_all(struct daemon *D, uint64_t now)
{
	unsigned want = 0;

	/* each user's group once: for the user rules, and as a bound of its
	 * processes for the process rules */
	for (size_t i = 0; i < D->r->n_rules; i++)
		if (!D->r->rules[i].at_exec)
			want |= D->r->rules[i].scope == RULE_SCOPE_USER ? MEAS_ALL
									: MEAS_CPU | MEAS_MEM | MEAS_TASKS;
	for (size_t k = 0; k < D->n_users; k++) {
		struct tuser *u = &D->users[k];

		u->have_m = want && u->have_group &&
			    measure_group_dirs(&D->l, u->dirs, u->n_dirs, want, &u->m, &scratch_err) == 0;
	}
	for (size_t i = 0; i < D->r->n_rules; i++) {
		const struct rule *ru = &D->r->rules[i];

		if (ru->scope != RULE_SCOPE_USER || ru->at_exec)
			continue;
		for (size_t k = 0; k < D->n_users; k++) {
			struct tuser *u = &D->users[k];
			const struct measures *m = &u->m;
			struct judge_sample s = { 0 };
			struct judge_key key = { u->uid, 0, 0 };
			struct facts f = { .uid = u->uid };

			if (!u->have_group)
				continue;
			if (ru->match.users.set && !facts_rule_selects(ru, &f, u->name))
				continue;
			if (!u->have_m) {
				judge_gone(D->j, &key, now);
				continue;
			}
			if (m->have & MEAS_CPU) {
				s.has |= JM_BIT(JM_CPU);
				s.cpu_ns = m->cpu_ns;
			}
			if (m->have & MEAS_MEM) {
				s.has |= JM_BIT(JM_MEMORY);
				s.memory = m->mem_bytes;
			}
			if (m->have & MEAS_TASKS) {
				s.has |= JM_BIT(JM_TASKS);
				s.tasks = m->tasks;
			}
			if (m->have & MEAS_IO) {
				s.has |= JM_BIT(JM_IO);
				s.io_bytes = m->io_bytes;
			}
			{
				int r = ru->when.pressure_cpu.set ? MEASURE_PSI_CPU
					: ru->when.pressure_io.set ? MEASURE_PSI_IO
								   : MEASURE_PSI_MEM;

				if (m->have & MEAS_PSI_BIT(r)) {
					s.has |= JM_BIT(JM_PRESSURE);
					s.pressure_us = m->psi_total_us[r];
				}
			}
			(void)judge_sample(D->j, i, &key, now, &s);
		}
	}
	for (size_t k = 0; k < D->n_procs;) {
		if (sample_proc(D, &D->procs[k], now) < 0)
			proc_remove_at(D, k);
		else
			k++;
	}
}

/* ---- forgive requests: files in STATE/forgive.d ---- */

static void forgive_requests(struct daemon *D, uint64_t now)
{
	DIR *dir = opendir(D->forgive_dir);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[PATH_MAX + 256], buf[512], user[256] = "", rule[128] = "", done[PATH_MAX + 300];
		long pid = 0;
		FILE *f;
		struct judge_key key = { 0 };
		struct cbctx c = { D, now };
		int n;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".done"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", D->forgive_dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = '\0';
			if (!strncmp(buf, "user ", 5))
				snprintf(user, sizeof(user), "%.250s", buf + 5);
			else if (!strncmp(buf, "pid ", 4))
				pid = strtol(buf + 4, NULL, 10);
			else if (!strncmp(buf, "rule ", 5))
				snprintf(rule, sizeof(rule), "%.120s", buf + 5);
		}
		fclose(f);
		if (pid > 0) {
			key.pid = (pid_t)pid;
		} else if (*user) {
			struct uid_item it;
			const char *why;

			if (match_uid_parse(user, &it, &why) == 0 && !it.name) {
				key.uid = it.lo;
			} else {
				struct passwd *pw = getpwnam(user);

				key.uid = pw ? pw->pw_uid : (uid_t)-1;
			}
			free(it.name);
		}
		n = judge_forgive(D->j, *rule ? rule : NULL, &key, now, on_decision, &c);
		snprintf(done, sizeof(done), "%s.done", path);
		f = fopen(done, "we");
		if (f) {
			fprintf(f, "%d\n", n);
			fclose(f);
		}
		unlink(path);
	}
	closedir(dir);
}

/* ---- state ---- */

static void save_state(struct daemon *D, uint64_t now)
{
	cg_err e = { 0 };

	if (!judge_dirty(D->j))
		return;
	if (state_save_judge(D->state_path, D->j, now, &e) < 0)
		fprintf(stderr, "cgkitd: saving the state %s: %s\n", D->state_path, e.msg);
}

struct restore_ctx {
	struct daemon *D;
	uint64_t now;
};

static void check_restored(const struct judge_entry *en, void *data)
{
	struct restore_ctx *c = data;
	struct cg_proc p = { en->key.pid, en->key.start };

	if (en->scope == JUDGE_PROCESS && en->key.pid && !cg_proc_alive(&p))
		judge_gone(c->D->j, &en->key, c->now);
	/* a user's cap in force: another of the user's penalties keeps it */
	if (en->scope == JUDGE_USER && en->penalised && (en->kind & JUDGE_CAP))
		act_note_user_penalty(&c->D->act, en->key.uid, en->rule, en->penalty);
}

/* ---- loading the rules ---- */

struct rules *daemon_load_rules(const char *conf, bool print_warnings)
{
	struct diags d;
	struct rules *r;

	diags_init(&d, conf);
	r = rules_load(conf, NULL, &d);
	if (!r || print_warnings)
		diags_print(&d, stderr);
	if (r && metrics_check(r, stderr) < 0) {
		rules_free(r);
		return NULL;
	}
	return r;
}

int daemon_check(const char *conf)
{
	struct rules *r = daemon_load_rules(conf, true);

	if (!r)
		return CGKITD_EXIT_BAD;
	printf("%s: %zu rule%s, interval %llu ms: ok\n", conf, r->n_rules, r->n_rules == 1 ? "" : "s",
	       (unsigned long long)(daemon_interval(r) / 1000));
	rules_free(r);
	return 0;
}

/* The HTTP side, as r's metrics section says. At start a failure is fatal
 * (-1); at a reload metrics stay off until the next one. */
static int start_metrics(struct daemon *D, const struct rules *r, bool at_start)
{
	cg_err e = { 0 };

	D->metrics = metrics_start(&r->metrics, &D->l, &e);
	if (!D->metrics) {
		fprintf(stderr, "%s:%d:%d: error: metrics.listen: %s%s\n", r->path,
			r->metrics.listen.s ? r->metrics.listen.line : r->metrics.line,
			r->metrics.listen.s ? r->metrics.listen.col : r->metrics.col, e.msg,
			at_start ? "" : "; metrics are off until the next reload");
		return -1;
	}
	fprintf(stderr, "cgkitd: metrics at http://%s/metrics\n", metrics_address(D->metrics));
	return 0;
}

/* The history recorder, as r's history section says. At start a failure
 * is fatal (-1); at a reload history stays off until the next one. */
static int start_history(struct daemon *D, const struct rules *r, bool at_start)
{
	const struct rules_history *h = &r->history;
	cg_err e = { 0 };

	/* a dry run beside the daemon in force must not take its history's
	 * lock, nor mix would- lines into what happened */
	if (D->dry_run) {
		fprintf(stderr, "cgkitd: dry run: the history is not recorded\n");
		return 0;
	}
	D->hist = hist_rec_start(r, &D->l, &e);
	if (!D->hist) {
		fprintf(stderr, "%s:%d:%d: error: history.dir: %s%s\n", r->path,
			h->dir.s ? h->dir.line : h->line, h->dir.s ? h->dir.col : h->col, e.msg,
			at_start ? "" : "; history is off until the next reload");
		return -1;
	}
	fprintf(stderr, "cgkitd: history in %s every %llu ms\n", hist_rec_dir(h),
		(unsigned long long)(hist_rec_interval(h) / 1000));
	return 0;
}

static void count_penalty(const struct judge_entry *en, void *data)
{
	struct metrics_tally *t = data;

	if (en->penalised)
		(void)metrics_tally_penalty(t, en->rule);
}

/* The loop's figures to the HTTP side: every rule (so that its series are
 * there before its first offence) and the penalties in force. */
static void publish_metrics(struct daemon *D)
{
	if (!D->metrics)
		return;
	metrics_tally_clear_penalties(&D->tally);
	for (size_t i = 0; i < D->r->n_rules; i++)
		(void)metrics_tally_action(&D->tally, D->r->rules[i].name.s, NULL, false);
	judge_status(D->j, count_penalty, &D->tally);
	metrics_publish(D->metrics, &D->tally);
}

static int reload(struct daemon *D)
{
	struct rules *r = daemon_load_rules(D->conf, true);
	struct jrules jr;

	if (!r) {
		fprintf(stderr, "cgkitd: reload: %s has errors: the rules in force stay\n", D->conf);
		return -1;
	}
	if (jrules_make(r, &jr) < 0 || judge_set_rules(D->j, jr.v, jr.n, daemon_interval(r)) < 0) {
		jrules_free(&jr);
		rules_free(r);
		fprintf(stderr, "cgkitd: reload: out of memory: the rules in force stay\n");
		return -1;
	}
	jrules_free(&D->jr);
	D->jr = jr;
	if (metrics_config_differs(&D->r->metrics, &r->metrics)) {
		metrics_stop(D->metrics);
		D->metrics = NULL;
		if (r->metrics.present)
			start_metrics(D, r, false);
	}
	if (hist_rec_config_differs(D->r, r)) {
		hist_rec_stop(D->hist); /* the lock let go before it is taken again */
		D->hist = NULL;
		if (r->history.present)
			start_history(D, r, false);
	}
	rules_free(D->r);
	D->r = r;
	D->act.r = r;
	D->n_procs = 0; /* which rules select what: found again */
	if (D->tracked)
		memset(D->tracked, 0, D->n_tracked * sizeof(*D->tracked));
	for (size_t i = 0; i < D->n_users; i++) {   /* and where users' groups are */
		act_dirs_free(D->users[i].dirs, D->users[i].n_dirs);
		D->users[i].dirs = NULL;
		D->users[i].n_dirs = 0;
		D->users[i].have_group = false;
	}
	fprintf(stderr, "cgkitd: reloaded %s: %zu rules\n", D->conf, r->n_rules);
	return 0;
}

static int make_timer(uint64_t interval)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	struct itimerspec its = { 0 };

	if (fd < 0)
		return -1;
	its.it_interval.tv_sec = (time_t)(interval / 1000000);
	its.it_interval.tv_nsec = (long)(interval % 1000000) * 1000;
	its.it_value = its.it_interval;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

static void handle_events(struct daemon *D, uint64_t now)
{
	struct procev ev[64];
	bool lost = false;
	cg_err e = { 0 };
	ssize_t n;

	while ((n = procev_read(D->ev, ev, 64, &lost, &e)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			const struct procev *p = &ev[i];

			if (p->thread)
				continue;
			switch (p->type) {
			case PROCEV_EXEC:
				classify(D, p->tgid, true, now);
				break;
			case PROCEV_UID:
				classify(D, p->tgid, false, now);
				break;
			case PROCEV_FORK:
				/* the child inherits its parent's group; only a
				 * process rule that selects it needs it known */
				if (proc_find(D, p->ptgid))
					classify(D, p->tgid, false, now);
				break;
			case PROCEV_EXIT: {
				struct tproc *t = proc_find(D, p->tgid);
				/* every offender of the process, tracked or not (one
				 * penalised at exec need not be): start 0 is any start,
				 * and no other process has the pid while it is reaped */
				struct judge_key k = { t ? t->uid : 0, p->tgid, t ? t->start : 0 };

				judge_gone(D->j, &k, now);
				if (t)
					proc_drop(D, p->tgid);
				break;
			}
			default:
				break;
			}
		}
	}
	if (n < 0) {
		fprintf(stderr, "cgkitd: process events: %s; scanning /proc each interval instead\n",
			e.msg);
		procev_close(D->ev);
		D->ev = NULL;
		D->scanning = true;
	} else if (lost) {
		static bool said;

		D->tally.events_lost++;
		if (!said)
			fprintf(stderr, "cgkitd: process events were lost (ENOBUFS): /proc is scanned again\n");
		said = true;
		scan_all(D, now);
	}
}

int daemon_run(const char *conf, bool dry_run)
{
	struct daemon D = { 0 };
	struct state st;
	cg_err e = { 0 };
	sigset_t mask;
	int sfd = -1, tfd = -1, rc = CGKITD_EXIT_RUNTIME;
	uint64_t now = daemon_now_us();
	struct cbctx c;
	struct restore_ctx rcx;
	bool quit = false;

	D.conf = conf;
	D.dry_run = dry_run;
	D.r = daemon_load_rules(conf, true);
	if (!D.r)
		return CGKITD_EXIT_BAD;
	if (cg_layout_detect(&D.l, &e) < 0) {
		fprintf(stderr, "cgkitd: %s\n", e.msg);
		goto out;
	}
	if (D.r->metrics.present && start_metrics(&D, D.r, true) < 0) {
		rc = CGKITD_EXIT_BAD;
		goto out;
	}
	if (D.r->history.present && start_history(&D, D.r, true) < 0) {
		rc = CGKITD_EXIT_BAD;
		goto out;
	}
	if (jrules_make(D.r, &D.jr) < 0 ||
	    !(D.j = judge_new(D.jr.v, D.jr.n, daemon_interval(D.r)))) {
		fprintf(stderr, "cgkitd: out of memory\n");
		goto out;
	}
	act_init(&D.act, &D.l, D.r, dry_run);
	if (actlog_open(&D.log, D.r->log.s ? D.r->log.s : RULES_DEFAULT_LOG, dry_run, &e) < 0) {
		fprintf(stderr, "cgkitd: %s\n", e.msg);
		goto out;
	}
	snprintf(D.state_path, sizeof(D.state_path), "%s/state.json", daemon_state_dir(D.r));
	snprintf(D.forgive_dir, sizeof(D.forgive_dir), "%s/%s", daemon_state_dir(D.r), CGKITD_FORGIVE_DIR);
	if (!dry_run) {
		mkdir(daemon_state_dir(D.r), 0755);
		mkdir(D.forgive_dir, 0733);
	}
	/* the state: penalties taken up where they were */
	state_init(&st);
	{
		int lr = state_load(D.state_path, &st, !dry_run, &e);

		if (lr == 1)
			fprintf(stderr, "cgkitd: the state %s was damaged (%s): set aside, starting clean\n",
				D.state_path, e.msg);
		else if (lr < 0)
			fprintf(stderr, "cgkitd: reading the state %s: %s\n", D.state_path, e.msg);
		if (lr == 0 && state_to_judge(&st, D.j, &e) < 0)
			fprintf(stderr, "cgkitd: taking the state up: %s\n", e.msg);
		if (lr == 0 && st.n)
			fprintf(stderr, "cgkitd: state: %zu offender%s taken up\n", st.n,
				st.n == 1 ? "" : "s");
	}
	state_free(&st);
	rcx.D = &D;
	rcx.now = now;
	judge_status(D.j, check_restored, &rcx);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	tfd = make_timer(daemon_interval(D.r));
	if (sfd < 0 || tfd < 0) {
		fprintf(stderr, "cgkitd: signalfd/timerfd: %s\n", strerror(errno));
		goto out;
	}
	if (procev_open(&D.ev, 0, &e) < 0) {
		fprintf(stderr, "cgkitd: no process events (%s): scanning /proc each interval\n",
			e.msg);
		D.scanning = true;
	}
	fprintf(stderr,
		"cgkitd: %s%s: layout %s, %s, %zu rule%s, interval %llu ms, users' groups %s%s%s, "
		"state %s, log %s\n",
		conf, dry_run ? " (dry run: nothing is changed)" : "", cg_mode_name(D.l.mode),
		D.scanning ? "scanning /proc" : "process-event connector", D.r->n_rules,
		D.r->n_rules == 1 ? "" : "s", (unsigned long long)(daemon_interval(D.r) / 1000),
		!D.r->users.present ? "off"
		: D.r->users.adopt  ? "adopted "
				    : "below ",
		!D.r->users.present ? "" : D.r->users.adopt ? "" : (D.r->parent_self ? "self" : (D.r->parent.s ? D.r->parent.s : RULES_DEFAULT_PARENT)),
		D.r->users.present && D.r->users.adopt ? D.r->users.group.s : "",
		D.state_path, D.log.path);
	now = daemon_now_us();
	scan_all(&D, now);
	fprintf(stderr, "cgkitd: start: %lu processes classified, %lu moved\n", D.classified,
		D.moved);
	c.D = &D;
	c.now = now;
	(void)judge_step(D.j, now, on_decision, &c);
	save_state(&D, now);
	publish_metrics(&D);

	while (!quit) {
		struct pollfd pf[3 + ACTLOG_CHILDREN_MAX];
		int kfds[ACTLOG_CHILDREN_MAX];
		size_t nk = actlog_fds(&D.log, kfds, ACTLOG_CHILDREN_MAX), np = 0;
		int timeout = -1;

		pf[np++] = (struct pollfd){ sfd, POLLIN, 0 };
		pf[np++] = (struct pollfd){ tfd, POLLIN, 0 };
		if (D.ev)
			pf[np++] = (struct pollfd){ procev_fd(D.ev), POLLIN, 0 };
		for (size_t i = 0; i < nk; i++)
			pf[np++] = (struct pollfd){ kfds[i], POLLIN, 0 };
		if (nk)
			timeout = 500;
		if (poll(pf, np, timeout) < 0 && errno != EINTR) {
			fprintf(stderr, "cgkitd: poll: %s\n", strerror(errno));
			break;
		}
		now = daemon_now_us();
		if (pf[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					(void)reload(&D);
				else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					quit = true;
			}
		}
		if (D.ev && (pf[2].revents & (POLLIN | POLLERR)))
			handle_events(&D, now);
		(void)actlog_reap(&D.log, now);
		if (pf[1].revents & POLLIN) {
			uint64_t ticks;

			if (read(tfd, &ticks, sizeof(ticks)) < 0) {
				/* nothing: the timer's count is not needed */
			}
			if (D.scanning)
				scan_all(&D, now);
			act_tick(&D.act, now);
			forgive_requests(&D, now);
			sample_all(&D, now);
			c.now = now;
			(void)judge_step(D.j, now, on_decision, &c);
		}
		save_state(&D, now);
		publish_metrics(&D);
	}
	fprintf(stderr, "cgkitd: ending; penalties stay in force and in %s\n", D.state_path);
	save_state(&D, daemon_now_us());
	rc = 0;
out:
	hist_rec_stop(D.hist);
	metrics_stop(D.metrics);
	metrics_tally_free(&D.tally);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	if (D.ev)
		procev_close(D.ev);
	actlog_close(&D.log);
	act_free(&D.act);
	judge_free(D.j);
	jrules_free(&D.jr);
	rules_free(D.r);
	cg_layout_free(&D.l);
	free(D.procs);
	free(D.tracked);
	for (size_t i = 0; i < D.n_users; i++)
		act_dirs_free(D.users[i].dirs, D.users[i].n_dirs);
	free(D.users);
	return rc;
}

