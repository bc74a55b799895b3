/* cgkitd's rules file: checks the YAML tree (profile_tree.c, with all of the
 * profile's guards) against the rules format (docs/cgrules.5) and fills struct rules.
 *
 * The conventions are the profile's: every error is collected, each names
 * the dotted key ("rules[1].when.cpu"), points at the key (unknown,
 * misplaced) or the value (bad value), and says what would be right. Limits
 * (users.limits, a penalty's cpu/memory/io/cpuset/pids) go through the
 * profile's own walk (profile_walk_limits), so that they are read and
 * refused with the very messages of a profile. The choices the spec leaves
 * open are documented in docs/cgrules.5. */
#include "rules.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "profile_tree.h"
#include "units.h"
#include "walk.h"

#define TASKS_MAX 4294967295ULL
/* A row of a table of keys (walk.h) whose parse gets the mapping's whole object. */
// clang-format off
#define KEY(name, parse) {(name), (parse), 0, false}
// clang-format on

static const struct ptree_words rules_words = {
	"rules file",
	"a rules file",
	"a rules file needs at least \"rules:\" (a list of rules)",
	"a rules file is a few kilobytes",
};

static const struct walk_lang rules_lang = {
	.words = &rules_words,
	.file = "a rules file",
	.empty = "the file is empty: a rules file needs at least \"rules:\" (a list of rules)",
	.key_example = "name",
};

/* A duration with its unit (unit_parse_span); zero_ok: 0 is a value. */
static bool val_span(struct walker *w, const struct node *k, const struct node *v, struct pval *pv,
		     bool zero_ok, const char *right)
{
	const char *s = walk_want_scalar(w, v, right);

	if (!s || !walk_parsed(w, k, v, s, pv, unit_parse_span, "a duration"))
		return false;
	if (!pv->v && !zero_ok) {
		walk_err(w, v, "0 is not allowed here: give %s", right);
		return false;
	}
	return true;
}

/* ---- lists: users, commands, cgroups ---- */

/* A list of scalars, or one scalar standing for a list of one. Calls `item`
 * on each, with the key path at "[i]". Returns the count, -1 when not a list. */
static long walk_scalars(struct walker *w, const struct node *v, const char *expect,
			 void (*item)(struct walker *w, const struct node *it, const char *s,
				      size_t i, void *obj),
			 void *obj)
{
	if (v->kind == NODE_SCALAR && !node_is_null(v)) {
		item(w, v, v->s, 0, obj);
		return 1;
	}
	if (node_is_null(v))
		return 0;
	if (v->kind != NODE_SEQ) {
		char what[64];

		walk_err(w, v, "expected %s, found %s", expect, node_what(v, what, sizeof(what)));
		return -1;
	}
	for (size_t i = 0; i < v->n; i++) {
		size_t old = walk_push(w, "[%zu]", i);
		const char *s = walk_want_scalar(w, v->items[i], expect);

		if (s)
			item(w, v->items[i], s, i, obj);
		walk_pop(w, old);
	}
	return (long)v->n;
}

static void uid_item(struct walker *w, const struct node *it, const char *s, size_t i, void *obj)
{
	struct uid_item *u = &((struct uid_list *)obj)->v[i];
	const char *why;

	if (match_uid_parse(s, u, &why) < 0) {
		walk_err(w, it, "\"%s\" %s", DIAG_CUT(s, 40), why);
		return;
	}
	u->line = it->line;
	u->col = it->col;
}

static void walk_uids(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	struct uid_list *l = f;
	size_t n = v->kind == NODE_SEQ ? v->n : 1;

	(void)k;
	if (l->v) /* a duplicate key, reported by the tree */
		return;
	l->set = true;
	l->line = v->line;
	l->col = v->col;
	l->v = walk_calloc(w, n, sizeof(*l->v));
	if (!l->v)
		return;
	walk_scalars(w, v, "a list of users: names, uids or ranges, such as [alice, \"1000-\"]",
		     uid_item, l);
	l->n = v->kind == NODE_SEQ ? v->n : (node_is_null(v) ? 0 : 1);
}

struct pat_ctx {
	struct pat_list *l;
	const char *(*invalid)(const char *s);
	const char *right;
};

static void pat_item(struct walker *w, const struct node *it, const char *s, size_t i, void *obj)
{
	struct pat_ctx *c = obj;
	struct pstr *p = &c->l->v[i];
	const char *why = c->invalid(s);

	if (why) {
		walk_err(w, it, "\"%s\" %s", DIAG_CUT(s, 60), why);
		return;
	}
	p->s = walk_strdup(w, s);
	p->line = p->kline = it->line;
	p->col = p->kcol = it->col;
}

static void walk_pats(struct walker *w, const struct node *v, struct pat_list *l,
		      const char *(*invalid)(const char *s), const char *right)
{
	struct pat_ctx c = {l, invalid, right};

	if (l->v)
		return;
	l->set = true;
	l->line = v->line;
	l->col = v->col;
	l->v = walk_calloc(w, v->kind == NODE_SEQ ? v->n : 1, sizeof(*l->v));
	if (!l->v)
		return;
	if (walk_scalars(w, v, right, pat_item, &c) > 0)
		l->n = v->kind == NODE_SEQ ? v->n : 1;
}

static void walk_commands(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	(void)k;
	walk_pats(w, v, f, match_command_invalid,
		  "a list of programs: base names (python3) or globs on the executable's path "
		  "(\"*/miner*\")");
}

static void walk_cgroups(struct walker *w, const struct node *k, const struct node *v, void *f)
{
	(void)k;
	walk_pats(w, v, f, match_cgroup_invalid,
		  "a list of cgroup paths as /proc/PID/cgroup shows them, such as [/system.slice]");
}

/* ---- exempt ---- */

static void exempt_users(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_uids(w, k, v, &((struct rules_exempt *)obj)->users);
}

static void exempt_commands(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_commands(w, k, v, &((struct rules_exempt *)obj)->commands);
}

static void exempt_cgroups(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct pat_list *l = &((struct rules_exempt *)obj)->cgroups;

	walk_cgroups(w, k, v, l);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].s && !strcmp(l->v[i].s, "/"))
			walk_warn_pos(
				w, l->v[i].line, l->v[i].col,
				"\"/\" exempts every process: cgkitd will never act; give the "
				"groups to leave alone, such as /system.slice");
}

static const struct walk_key exempt_keys[] = {
	KEY("users", exempt_users),
	KEY("commands", exempt_commands),
	KEY("cgroups", exempt_cgroups),
};

static void top_exempt(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules *r = obj;
	struct walk_map at;

	(void)k;
	if (node_is_null(v) ||
	    !walk_want_map(w, v, "a mapping of exemptions (users, commands, cgroups)"))
		return;
	walk_pairs(w, v, exempt_keys, N_OF(exempt_keys), &r->exempt, NULL, &at);
}

/* ---- users ---- */

static void users_uids(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_uids(w, k, v, &((struct rules_users *)obj)->uids);
}

static void users_group(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules_users *u = obj;
	const char *why;

	if (!walk_str(w, k, v, &u->group, "a group path with %u or %U, such as users/%u"))
		return;
	if ((why = match_group_invalid(u->group.s)))
		walk_err(w, v, "\"%s\" %s", DIAG_CUT(u->group.s, 60), why);
	u->adopt = u->group.s[0] == '/';
}

static void users_limits(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules_users *u = obj;

	(void)k;
	if (node_is_null(v) ||
	    !walk_want_map(w, v,
			   "a mapping of limits in profile terms (cpu, memory, io, cpuset, pids)"))
		return;
	u->n_limits = profile_walk_limits(v, &u->limits, w->key, NULL, 0, w->opts, w->e);
}

static const struct walk_key users_keys[] = {
	KEY("uids", users_uids),
	KEY("group", users_group),
	KEY("limits", users_limits),
};

static void top_users(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules *r = obj;
	struct walk_map at;

	(void)k;
	r->users.present = true;
	r->users.line = k->line;
	r->users.col = k->col;
	if (node_is_null(v) || !walk_want_map(w, v, "a mapping (uids, group, limits)"))
		return;
	walk_pairs(w, v, users_keys, N_OF(users_keys), &r->users, NULL, &at);
}

/* ---- a rule ---- */

static void rule_name(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rule *rule = obj;
	const char *why;

	if (walk_str(w, k, v, &rule->name, "a name: 1 to 64 of A-Z a-z 0-9 _ . -") &&
	    (why = profile_name_invalid(rule->name.s)))
		walk_err(w, v, "\"%s\": %s", DIAG_CUT(rule->name.s, 40), why);
}

static void rule_scope(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	static const char *const scopes[] = {"process", "user"};
	struct rule *rule = obj;
	const char *near;

	if (!walk_str(w, k, v, &rule->scope_s, "process or user"))
		return;
	if (!strcmp(rule->scope_s.s, "user")) {
		rule->scope = RULE_SCOPE_USER;
		return;
	}
	if (!strcmp(rule->scope_s.s, "process"))
		return;
	near = walk_nearest(rule->scope_s.s, scopes, N_OF(scopes));
	if (near)
		walk_err(w, v, "unknown scope \"%s\"; did you mean \"%s\"?",
			 DIAG_CUT(rule->scope_s.s, 40), near);
	else
		walk_err(w, v,
			 "unknown scope \"%s\": give process (each process judged alone) or user "
			 "(the user's group as a whole)",
			 DIAG_CUT(rule->scope_s.s, 40));
}

static void match_users(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_uids(w, k, v, &((struct rule_match *)obj)->users);
}

static void match_commands_key(struct walker *w, const struct node *k, const struct node *v,
			       void *obj)
{
	walk_commands(w, k, v, &((struct rule_match *)obj)->commands);
}

static void match_cgroups_key(struct walker *w, const struct node *k, const struct node *v,
			      void *obj)
{
	walk_cgroups(w, k, v, &((struct rule_match *)obj)->cgroups);
}

static const struct walk_key match_keys[] = {
	KEY("users", match_users),
	KEY("commands", match_commands_key),
	KEY("cgroups", match_cgroups_key),
};

static void rule_match(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rule *rule = obj;
	struct walk_map at;

	(void)k;
	if (node_is_null(v) || !walk_want_map(w, v, "a mapping (users, commands, cgroups)"))
		return;
	walk_pairs(w, v, match_keys, N_OF(match_keys), &rule->match, NULL, &at);
}

/* when's measures */

static void when_cpu(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	const char *right = "a share of one cpu such as 150% or 1.5 (cpus)";
	struct pval *pv = &((struct rule_when *)obj)->cpu;
	const char *s = walk_want_scalar(w, v, right), *why;

	if (!s)
		return;
	if (!strcmp(s, "max") || unit_parse_cpu(s, &pv->v, &why) < 0) {
		walk_err(w, v, "\"%s\" is not a cpu threshold: give %s", DIAG_CUT(s, 40), right);
		return;
	}
	walk_set_pos(pv, k, v);
	if (!pv->v)
		walk_err(w, v, "0 is not a threshold (every process is over it): give %s", right);
}

static void when_size(struct walker *w, const struct node *k, const struct node *v, struct pval *pv,
		      uint64_t host, const char *right)
{
	const char *s = walk_want_scalar(w, v, right), *why;

	if (!s)
		return;
	if (unit_parse_size(s, host, false, &pv->v, &why) < 0) {
		if (!host && strchr(s, '%'))
			why = "a percentage of RAM needs the host's RAM size, which is not known "
			      "here: give a size such as 2G";
		walk_err(w, v, "\"%s\" is not a size: %s", DIAG_CUT(s, 40), why);
		return;
	}
	walk_set_pos(pv, k, v);
	if (!pv->v)
		walk_err(w, v, "0 is not a threshold (everything is over it): give %s", right);
}

static void when_memory(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	when_size(w, k, v, &((struct rule_when *)obj)->memory, w->opts->host_ram,
		  "a size such as 2G, 512M or 25% (of RAM)");
}

static void when_io(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	when_size(w, k, v, &((struct rule_when *)obj)->io, 0,
		  "a rate in bytes per second such as 50M");
}

static void when_tasks(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	const char *right = "a number of processes and threads such as 500";
	struct pval *pv = &((struct rule_when *)obj)->tasks;
	const char *s = walk_want_scalar(w, v, right), *why;

	if (!s)
		return;
	if (unit_parse_uint(s, &pv->v, &why) < 0) {
		walk_err(w, v, "\"%s\" is not a whole number: give %s", DIAG_CUT(s, 40), right);
		return;
	}
	walk_set_pos(pv, k, v);
	if (!pv->v || pv->v > TASKS_MAX)
		walk_err(w, v, "%llu is out of range: give %s (1 to 4294967295)",
			 (unsigned long long)pv->v, right);
}

/* "20%", "12.5%" or a share "0.2" -> parts per million, 0 < x <= 1. */
static void val_share(struct walker *w, const struct node *k, const struct node *v, struct pval *pv)
{
	const char *right = "a share of time stalled such as 20% (or 0.2)";
	const char *s = walk_want_scalar(w, v, right);
	unsigned long long ip = 0, frac = 0, scale = 1;
	const char *p;
	bool pct;

	if (!s)
		return;
	for (p = s; *p >= '0' && *p <= '9' && ip < 1000000; p++)
		ip = ip * 10 + (unsigned)(*p - '0');
	if (*p == '.' && p != s)
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale < 1000000) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
	pct = *p == '%';
	if (p == s || !(s[0] >= '0' && s[0] <= '9') || (pct ? p[1] != '\0' : *p != '\0')) {
		walk_err(w, v, "\"%s\" is not a share: give %s", DIAG_CUT(s, 40), right);
		return;
	}
	/* ppm = (ip + frac/scale) * (pct ? 10000 : 1000000) */
	pv->v = (ip * scale + frac) * (pct ? 10000ULL : RULES_PPM) / scale;
	walk_set_pos(pv, k, v);
	if (!pv->v || pv->v > RULES_PPM)
		walk_err(w, v, "\"%s\" is out of range: give a share above 0%% and at most 100%%",
			 DIAG_CUT(s, 40));
}

static void pressure_memory(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	val_share(w, k, v, &((struct rule_when *)obj)->pressure_memory);
}

static void pressure_cpu(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	val_share(w, k, v, &((struct rule_when *)obj)->pressure_cpu);
}

static void pressure_io(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	val_share(w, k, v, &((struct rule_when *)obj)->pressure_io);
}

static const struct walk_key pressure_keys[] = {
	KEY("memory", pressure_memory),
	KEY("cpu", pressure_cpu),
	KEY("io", pressure_io),
};

static void when_pressure(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct walk_map at;

	(void)k;
	if (!walk_want_map(w, v,
			   "a mapping of stall shares (memory, cpu, io), such as {memory: 20%}"))
		return;
	walk_pairs(w, v, pressure_keys, N_OF(pressure_keys), obj, NULL, &at);
}

static void when_for(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	val_span(w, k, v, &((struct rule_when *)obj)->for_us, true,
		 "a duration such as 30s or 5m (0: the first sample over it)");
}

static const struct walk_key when_keys[] = {
	KEY("cpu", when_cpu), KEY("memory", when_memory),     KEY("tasks", when_tasks),
	KEY("io", when_io),   KEY("pressure", when_pressure), KEY("for", when_for),
};

static void rule_when(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rule_when *wh = &((struct rule *)obj)->when;
	struct walk_map at;

	wh->present = true;
	wh->line = k->line;
	wh->col = k->col;
	if (node_is_null(v) ||
	    !walk_want_map(w, v, "a mapping of thresholds (cpu, memory, tasks, io, pressure, for)"))
		return;
	walk_pairs(w, v, when_keys, N_OF(when_keys), wh, NULL, &at);
	wh->n_measures = !!wh->cpu.set + !!wh->memory.set + !!wh->tasks.set + !!wh->io.set +
			 !!wh->pressure_memory.set + !!wh->pressure_cpu.set + !!wh->pressure_io.set;
}

/* a penalty */

static void penalty_freeze(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct pval *pv = &((struct rule_penalty *)obj)->freeze;
	const char *s = walk_want_scalar(w, v, "true or false");

	if (!s)
		return;
	if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
		walk_err(w, v, "\"%s\" is not true or false: give freeze: true", DIAG_CUT(s, 40));
		return;
	}
	walk_set_pos(pv, k, v);
	pv->v = !strcmp(s, "true");
}

static void penalty_kill(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	static const char *const sigs[] = {"TERM", "KILL"};
	struct rule_penalty *p = obj;
	const char *s, *near;

	if (!walk_str(w, k, v, &p->kill, "a signal: TERM or KILL"))
		return;
	s = p->kill.s;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	if (!strcmp(s, "TERM")) {
		p->kill_signal = SIGTERM;
	} else if (!strcmp(s, "KILL")) {
		p->kill_signal = SIGKILL;
	} else if ((near = walk_nearest(s, sigs, N_OF(sigs)))) {
		walk_err(w, v, "\"%s\" is not a signal cgkitd sends; did you mean \"%s\"?",
			 DIAG_CUT(p->kill.s, 40), near);
	} else {
		walk_err(w, v,
			 "\"%s\" is not a signal cgkitd sends: give TERM (then KILL 10 s later if "
			 "anything is left) or KILL",
			 DIAG_CUT(p->kill.s, 40));
	}
}

static void penalty_for(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct pval *pv = &((struct rule_penalty *)obj)->for_us;

	if (!val_span(w, k, v, pv, true, "a duration such as 30m or 1h"))
		return;
	if (!pv->v)
		walk_err(w, v,
			 "0 is not a length: give a duration such as 30m, or leave for out for a "
			 "penalty that lasts as long as the offender runs");
}

static const struct walk_key penalty_keys[] = {
	KEY("freeze", penalty_freeze),
	KEY("kill", penalty_kill),
	KEY("for", penalty_for),
};

/* Between a penalty's keys: it does something, and a kill stands alone. */
static void check_penalty(struct walker *w, const struct node *m, const struct rule_penalty *p,
			  const struct walk_map *at)
{
	const struct node *kill = walk_seen(at, "kill");
	const struct node *fr = walk_seen(at, "for");
	bool freeze = p->freeze.set && p->freeze.v;
	size_t old;

	if (!p->n_limits && !freeze && !kill) {
		walk_err(w, m,
			 "this penalty does nothing: give limits (cpu: {max: 50%%}), freeze: true "
			 "or "
			 "kill: TERM");
		return;
	}
	if (kill && (p->n_limits || freeze)) {
		old = walk_enter(w, "kill");
		walk_err(w, kill,
			 "kill stands alone: a killed offender needs no %s; make the %s an entry "
			 "of its own before this one",
			 p->n_limits ? "limits" : "freezing", p->n_limits ? "cap" : "freeze");
		walk_pop(w, old);
	}
	if (kill && fr) {
		old = walk_enter(w, "for");
		walk_err(w, fr,
			 "a kill does not last: remove for (for is how long a cap or a freeze "
			 "holds)");
		walk_pop(w, old);
	}
}

static void walk_penalty(struct walker *w, const struct node *m, void *item)
{
	struct rule_penalty *p = item;
	static const char *const own[] = {"freeze", "kill", "for"};
	struct walk_map at;

	p->line = m->line;
	p->col = m->col;
	if (!walk_want_map(
		    w, m,
		    "a penalty: a mapping such as {cpu: {max: 50%}, for: 1h}, {freeze: true, for: "
		    "10m} or {kill: TERM}"))
		return;
	p->n_limits = profile_walk_limits(m, &p->limits, w->key, own, N_OF(own), w->opts, w->e);
	walk_pairs_known(w, m, penalty_keys, N_OF(penalty_keys), p, &at);
	check_penalty(w, m, p, &at);
}

static void rule_penalties(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rule *rule = obj;

	if (rule->penalties)
		return;
	if (node_is_null(v) || (v->kind == NODE_SEQ && !v->n)) {
		walk_err(w, node_is_null(v) ? v : k,
			 "no penalty: give at least one, such as [{cpu: {max: 50%%}, for: 1h}]");
		rule->n_penalties = 0;
		return;
	}
	if (v->kind != NODE_SEQ) {
		char what[64];

		walk_err(w, v,
			 "expected a list of penalties (- {cpu: {max: 50%%}, for: 1h}), found %s",
			 node_what(v, what, sizeof(what)));
		return;
	}
	rule->penalties =
		walk_items(w, v, sizeof(*rule->penalties), &rule->n_penalties, walk_penalty);
}

static void rule_forgive(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	val_span(w, k, v, &((struct rule *)obj)->forgive, false, "a duration such as 3h or 1d");
}

static void rule_notify(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_abs_path(w, k, v, &((struct rule *)obj)->notify,
		      "the absolute path of a program, such as /usr/local/sbin/cgkit-notify");
}

static const struct walk_key rule_keys[] = {
	KEY("name", rule_name),	    KEY("scope", rule_scope),	      KEY("match", rule_match),
	KEY("when", rule_when),	    KEY("penalties", rule_penalties), KEY("forgive", rule_forgive),
	KEY("notify", rule_notify),
};

static void walk_rule(struct walker *w, const struct node *m, void *item)
{
	struct rule *rule = item;
	struct walk_map at;
	size_t old;

	if (!walk_want_map(w, m,
			   "a rule: a mapping with name, when and penalties (- name: cpu-hog)"))
		return;
	rule->line = m->line;
	rule->col = m->col;
	walk_pairs(w, m, rule_keys, N_OF(rule_keys), rule, NULL, &at);
	if (!walk_seen(&at, "name")) {
		old = walk_enter(w, "name");
		walk_err(w, m,
			 "the rule has no name: add name: NAME (1 to 64 of A-Z a-z 0-9 _ . -)");
		walk_pop(w, old);
	}
	if (!walk_seen(&at, "penalties")) {
		old = walk_enter(w, "penalties");
		walk_err(w, m,
			 "the rule has no penalties: add penalties: [{cpu: {max: 50%%}, for: 1h}] "
			 "(the "
			 "first offence gets the first entry)");
		walk_pop(w, old);
	}
	rule->at_exec = !rule->when.present && rule->match.commands.n > 0;
}

/* Between a rule's keys and the rest of the file (users may come after). */
static void check_rule(struct walker *w, const struct rules *r, const struct rule *rule,
		       const struct rules_opts *opts)
{
	const struct rule_when *wh = &rule->when;
	bool user = rule->scope == RULE_SCOPE_USER;
	size_t old;

	if (user && !r->users.present) {
		old = walk_enter(w, "scope");
		walk_err_pos(
			w, rule->scope_s.line, rule->scope_s.col,
			"scope user judges each user's group, and there is none: add a top-level "
			"users section (users: {uids: \"1000-\"}), or use scope: process");
		walk_pop(w, old);
	}
	if (user && rule->match.commands.n) {
		old = walk_enter(w, "match.commands");
		walk_err_pos(w, rule->match.commands.line, rule->match.commands.col,
			     "a user rule measures the user's whole group, so it cannot match "
			     "commands: use scope: process to judge the matching processes");
		walk_pop(w, old);
	}
	if (user && rule->match.cgroups.n) {
		old = walk_enter(w, "match.cgroups");
		walk_err_pos(w, rule->match.cgroups.line, rule->match.cgroups.col,
			     "a user rule measures the user's whole group, so it cannot match "
			     "cgroups: use scope: process to judge the processes in them");
		walk_pop(w, old);
	}
	if (!wh->present && !rule->match.commands.n) {
		old = walk_enter(w, "when");
		walk_err_pos(
			w, rule->line, rule->col,
			"the rule has no when: add the thresholds that make an offence (when: "
			"{cpu: 150%%, for: 5m}); only a rule with match.commands may leave it out, "
			"to "
			"act at exec");
		walk_pop(w, old);
	} else if (wh->present && !wh->n_measures) {
		old = walk_enter(w, "when");
		walk_err_pos(w, wh->line, wh->col,
			     "when gives no threshold: add cpu, memory, tasks, io or pressure (for "
			     "alone "
			     "is not a condition)%s",
			     rule->match.commands.n ? ", or leave when out to act at exec" : "");
		walk_pop(w, old);
	}
	if (rule->at_exec && user) {
		old = walk_enter(w, "scope");
		walk_err_pos(
			w, rule->scope_s.line, rule->scope_s.col,
			"a rule that acts at exec judges the process that executes: use scope: "
			"process");
		walk_pop(w, old);
	}
	if (wh->pressure_memory.set || wh->pressure_cpu.set || wh->pressure_io.set) {
		const struct pval *pv = wh->pressure_memory.set ? &wh->pressure_memory
					: wh->pressure_cpu.set	? &wh->pressure_cpu
								: &wh->pressure_io;

		old = walk_enter(w, "when.pressure");
		if (!user)
			walk_err_pos(
				w, pv->kline, pv->kcol,
				"pressure is measured per group, not per process: use scope: user, "
				"or cpu, memory, tasks or io");
		else if (opts->no_pressure)
			walk_warn_pos(
				w, pv->kline, pv->kcol,
				"this host has no pressure files (cgroup v2 only): this threshold "
				"never holds here, so the rule never fires");
		walk_pop(w, old);
	}
	if (wh->for_us.set && wh->for_us.v && wh->for_us.v < r->interval.v) {
		char f[32], i[32];

		unit_format_duration(wh->for_us.v, f, sizeof(f));
		unit_format_duration(r->interval.v, i, sizeof(i));
		old = walk_enter(w, "when.for");
		walk_warn_pos(w, wh->for_us.line, wh->for_us.col,
			      "for (%s) is shorter than interval (%s): the first sample over the "
			      "threshold decides, as with for: 0",
			      f, i);
		walk_pop(w, old);
	}
}

static void check_rules(struct walker *w, struct rules *r, const struct rules_opts *opts)
{
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct rule *rule = &r->rules[i];
		size_t old = walk_push(w, "rules[%zu]", i);

		if (rule->line)
			check_rule(w, r, rule, opts);
		for (size_t j = 0; j < i && rule->name.s; j++) {
			const struct rule *o = &r->rules[j];

			if (o->name.s && !strcmp(o->name.s, rule->name.s)) {
				size_t k = walk_enter(w, "name");

				walk_err_pos(
					w, rule->name.line, rule->name.col,
					"\"%s\" is already the name of the rule at line %d: give "
					"each rule its own name",
					DIAG_CUT(rule->name.s, 64), o->name.line);
				walk_pop(w, k);
				break;
			}
		}
		walk_pop(w, old);
	}
}

static void top_rules(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules *r = obj;
	char what[64];

	(void)k;
	if (r->rules || node_is_null(v))
		return;
	if (v->kind != NODE_SEQ) {
		walk_err(w, v, "expected a list of rules (- name: cpu-hog), found %s",
			 node_what(v, what, sizeof(what)));
		return;
	}
	r->rules = walk_items(w, v, sizeof(*r->rules), &r->n_rules, walk_rule);
}

/* ---- metrics, history ---- */

static void metrics_listen(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct pstr *ps = &((struct rules_metrics *)obj)->listen;
	const char *colon;
	unsigned long port;
	char *end;

	if (!walk_str(w, k, v, ps, "an address and port such as 127.0.0.1:9269"))
		return;
	colon = strrchr(ps->s, ':');
	port = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (!colon || colon == ps->s || !colon[1] || *end || port < 1 || port > 65535)
		walk_err(w, v,
			 "\"%s\" is not an address and port: give 127.0.0.1:9269 or [::1]:9269",
			 DIAG_CUT(ps->s, 40));
}

static void metrics_groups(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_cgroups(w, k, v, &((struct rules_metrics *)obj)->groups);
}

static void metrics_depth(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct pval *pv = &((struct rules_metrics *)obj)->depth;
	const char *s = walk_want_scalar(w, v, "a depth from 1 to 64"), *why;

	if (!s)
		return;
	if (unit_parse_uint(s, &pv->v, &why) < 0 || pv->v < 1 || pv->v > 64) {
		walk_err(w, v, "\"%s\" is not a depth: give 1 to 64", DIAG_CUT(s, 40));
		return;
	}
	walk_set_pos(pv, k, v);
}

static const struct walk_key metrics_keys[] = {
	KEY("listen", metrics_listen),
	KEY("groups", metrics_groups),
	KEY("depth", metrics_depth),
};

static void history_dir(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_abs_path(w, k, v, &((struct rules_history *)obj)->dir,
		      "a directory such as /var/lib/cgkit/history");
}

static void history_interval(struct walker *w, const struct node *k, const struct node *v,
			     void *obj)
{
	val_span(w, k, v, &((struct rules_history *)obj)->interval, false, "a duration such as 5s");
}

static void history_keep(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	val_span(w, k, v, &((struct rules_history *)obj)->keep, false, "a duration such as 7d");
}

static void history_max(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct pval *pv = &((struct rules_history *)obj)->max;

	when_size(w, k, v, pv, 0, "a size such as 1G");
}

static const struct walk_key history_keys[] = {
	KEY("dir", history_dir),
	KEY("interval", history_interval),
	KEY("keep", history_keep),
	KEY("max", history_max),
};

static void section(struct walker *w, const struct node *v, const struct walk_key *keys, size_t n,
		    void *obj, const char *expect)
{
	struct walk_map at;

	if (node_is_null(v) || !walk_want_map(w, v, expect))
		return;
	walk_pairs(w, v, keys, n, obj, NULL, &at);
}

static void top_metrics(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules_metrics *m = &((struct rules *)obj)->metrics;

	m->present = true;
	m->line = k->line;
	m->col = k->col;
	section(w, v, metrics_keys, N_OF(metrics_keys), m, "a mapping (listen, groups, depth)");
}

static void top_history(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules_history *h = &((struct rules *)obj)->history;

	h->present = true;
	h->line = k->line;
	h->col = k->col;
	section(w, v, history_keys, N_OF(history_keys), h, "a mapping (dir, interval, keep, max)");
}

/* ---- the top ---- */

static void top_interval(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct pval *pv = &((struct rules *)obj)->interval;

	if (!val_span(w, k, v, pv, true, "a duration from 100ms to 1m, such as 1s"))
		return;
	if (pv->v < RULES_INTERVAL_MIN_US || pv->v > RULES_INTERVAL_MAX_US)
		walk_err(w, v, "\"%s\" is out of range: give 100ms .. 1m (default 1s)",
			 DIAG_CUT(v->s, 40));
}

static void top_parent(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	struct rules *r = obj;
	const char *why;

	if (!walk_str(w, k, v, &r->parent, "a relative path such as cgkit, or self"))
		return;
	if ((why = profile_parent_invalid(r->parent.s)))
		walk_err(w, v, "\"%s\": %s", DIAG_CUT(r->parent.s, 40), why);
	r->parent_self = !strcmp(r->parent.s, "self");
}

static void top_state(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_abs_path(w, k, v, &((struct rules *)obj)->state, "a directory such as /var/lib/cgkit");
}

static void top_log(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_abs_path(w, k, v, &((struct rules *)obj)->log,
		      "a file such as /var/log/cgkit/actions.jsonl");
}

static void top_notify(struct walker *w, const struct node *k, const struct node *v, void *obj)
{
	walk_abs_path(w, k, v, &((struct rules *)obj)->notify,
		      "the absolute path of a program, such as /usr/local/sbin/cgkit-notify");
}

static const struct walk_key top_keys[] = {
	KEY("interval", top_interval), KEY("parent", top_parent), KEY("state", top_state),
	KEY("log", top_log),	       KEY("notify", top_notify), KEY("exempt", top_exempt),
	KEY("users", top_users),       KEY("rules", top_rules),	  KEY("metrics", top_metrics),
	KEY("history", top_history),
};

static bool set_default(struct walker *w, struct pstr *ps, const char *s)
{
	if (ps->s || ps->line)
		return true;
	ps->s = walk_strdup(w, s);
	return ps->s != NULL;
}

static void defaults(struct walker *w, struct rules *r)
{
	if (!r->interval.set)
		r->interval.v = RULES_DEFAULT_INTERVAL_US;
	set_default(w, &r->parent, RULES_DEFAULT_PARENT);
	set_default(w, &r->state, RULES_DEFAULT_STATE);
	set_default(w, &r->log, RULES_DEFAULT_LOG);
	if (!r->exempt.users.set) {
		r->exempt.users.v = walk_calloc(w, 1, sizeof(*r->exempt.users.v));
		if (r->exempt.users.v) {
			r->exempt.users.v[0] = (struct uid_item){.lo = 0, .hi = 999};
			r->exempt.users.n = 1;
		}
	}
	if (r->users.present && set_default(w, &r->users.group, RULES_DEFAULT_GROUP))
		r->users.adopt = r->users.group.s[0] == '/';
	for (size_t i = 0; i < r->n_rules; i++)
		if (!r->rules[i].forgive.set)
			r->rules[i].forgive.v = RULES_DEFAULT_FORGIVE_US;
}

static void walk_top(struct walker *w, const struct node *m, struct rules *r,
		     const struct rules_opts *opts)
{
	struct walk_map at;

	if (m->kind != NODE_MAP) {
		char what[64];

		walk_err(w, m,
			 "expected a rules file: a mapping of keys (interval: 1s, rules: [...]), "
			 "found %s",
			 node_what(m, what, sizeof(what)));
		return;
	}
	walk_pairs(w, m, top_keys, N_OF(top_keys), r, NULL, &at);
	if (!walk_seen(&at, "rules")) {
		size_t old = walk_enter(w, "rules");

		walk_err_pos(
			w, 1, 1,
			"the file has no rules: add rules: with a list of rules (rules: [] when "
			"cgkitd should only put users into their groups)");
		walk_pop(w, old);
	}
	defaults(w, r);
	check_rules(w, r, opts);
}

/* ---- the API ---- */

static void uid_list_free(struct uid_list *l)
{
	for (size_t i = 0; l->v && i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
}

static void pat_list_free(struct pat_list *l)
{
	for (size_t i = 0; l->v && i < l->n; i++)
		free(l->v[i].s);
	free(l->v);
}

static void rule_free(struct rule *rule)
{
	free(rule->name.s);
	free(rule->scope_s.s);
	uid_list_free(&rule->match.users);
	pat_list_free(&rule->match.commands);
	pat_list_free(&rule->match.cgroups);
	for (size_t i = 0; i < rule->n_penalties; i++) {
		profile_group_free(&rule->penalties[i].limits);
		free(rule->penalties[i].kill.s);
	}
	free(rule->penalties);
	free(rule->notify.s);
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->parent.s);
	free(r->state.s);
	free(r->log.s);
	free(r->notify.s);
	uid_list_free(&r->exempt.users);
	pat_list_free(&r->exempt.commands);
	pat_list_free(&r->exempt.cgroups);
	uid_list_free(&r->users.uids);
	free(r->users.group.s);
	profile_group_free(&r->users.limits);
	for (size_t i = 0; i < r->n_rules; i++)
		rule_free(&r->rules[i]);
	free(r->rules);
	free(r->metrics.listen.s);
	pat_list_free(&r->metrics.groups);
	free(r->history.dir.s);
	free(r);
}

struct rules *rules_parse(const char *buf, size_t len, const char *path,
			  const struct rules_opts *opts, struct diags *d)
{
	static const struct rules_opts no_opts;
	struct perrs e = {0};
	struct profile_opts popts = {0}; /* for the limits: host RAM */
	struct walker w = {.e = &e, .lang = &rules_lang, .opts = &popts};
	struct rules *r = NULL;
	const struct node *root;
	struct ptree t;

	if (!opts)
		opts = &no_opts;
	popts.host_ram = opts->host_ram;
	root = walk_doc_root(&t, buf, len, &rules_lang, &e);
	if (root) {
		r = walk_calloc(&w, 1, sizeof(*r));
		if (r) {
			walk_top(&w, root, r, opts);
			r->path = path ? walk_strdup(&w, path) : NULL;
		}
	}
	if (walk_doc_end(&t, &e, d) > 0 || !r) {
		rules_free(r);
		r = NULL;
	}
	return r;
}

struct rules *rules_load(const char *path, const struct rules_opts *opts, struct diags *d)
{
	struct rules_opts host = {0};
	size_t len;
	_cleanup_free_ char *buf = walk_read_file(path, &rules_lang, &len, d);

	if (!buf)
		return NULL;
	if (!opts) {
		long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

		if (pages > 0 && page > 0)
			host.host_ram = (uint64_t)pages * (uint64_t)page;
		opts = &host;
	}
	return rules_parse(buf, len, path, opts, d);
}

const struct rule *rules_find(const struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->n_rules; i++)
		if (r->rules[i].name.s && !strcmp(r->rules[i].name.s, name))
			return &r->rules[i];
	return NULL;
}

const struct rule_penalty *rule_penalty_for(const struct rule *rule, unsigned offence)
{
	if (!rule->n_penalties)
		return NULL;
	if (!offence)
		offence = 1;
	if (offence > rule->n_penalties)
		offence = (unsigned)rule->n_penalties;
	return &rule->penalties[offence - 1];
}
