/* cgkitd's client commands: status, forgive, explain (daemon.h). They read
 * the rules file and the state the daemon keeps; forgive asks the running
 * daemon through its forgive directory. */
#include "daemon.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act.h"
#include "daemon_int.h"
#include "facts.h"
#include "json.h"
#include "judge.h"
#include "match.h"
#include "proc.h"
#include "rules.h"
#include "state.h"
#include "units.h"

/* for errors nobody reads: the library fills its cg_err unconditionally */
static cg_err scratch_err;

/* ---- status ---- */

static void fmt_left(uint64_t until, uint64_t now, char *buf, size_t len)
{
	if (!until)
		snprintf(buf, len, "while it runs");
	else if (until <= now)
		snprintf(buf, len, "0s");
	else {
		/* for a reader: whole seconds, rounded up; minutes and hours past them */
		unsigned long long s = (until - now + 999999) / 1000000;

		if (s >= 3600)
			snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
		else if (s >= 60)
			snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
		else
			snprintf(buf, len, "%llus", s);
	}
}

/* Who an entry of the state is, in status --json: user, uid, pid (null
 * for scope user). */
static void json_who(struct json *j, const struct judge_entry *en, const char *user)
{
	json_key(j, "user");
	json_str(j, user);
	json_key(j, "uid");
	json_uint(j, en->key.uid);
	json_key(j, "pid");
	if (en->key.pid)
		json_int(j, en->key.pid);
	else
		json_null(j);
}

/* A user that is not root sees only its own processes and penalties. */
static bool mine(uid_t uid)
{
	return geteuid() == 0 || uid == geteuid();
}

int daemon_status(const char *conf, bool json)
{
	struct rules *r = daemon_load_rules(conf, false);
	struct state st;
	cg_err e = {0};
	char path[PATH_MAX];
	uint64_t now = daemon_now_us();
	struct json j;

	if (!r)
		return CGKITD_EXIT_BAD;
	snprintf(path, sizeof(path), "%s/state.json", daemon_state_dir(r));
	rules_free(r);
	state_init(&st);
	if (state_load(path, &st, false, &e) != 0) {
		fprintf(stderr, "cgkitd: reading %s: %s\n", path, e.msg);
		state_free(&st);
		return CGKITD_EXIT_RUNTIME;
	}
	json_init(&j);
	if (json) {
		json_obj_begin(&j);
		json_key(&j, "penalties");
		json_arr_begin(&j);
	} else {
		printf("%-16s %-12s %-8s %-7s %-16s %s\n", "RULE", "USER", "PID", "OFFENCE",
		       "PENALTY", "LEFT");
	}
	for (size_t i = 0; i < st.n; i++) {
		const struct judge_entry *en = &st.v[i];
		char user[64], left[64], pen[64];

		if (!en->penalised || !mine(en->key.uid))
			continue;
		act_user_name(en->key.uid, user, sizeof(user));
		fmt_left(en->until, now, left, sizeof(left));
		snprintf(pen, sizeof(pen), "%s%s%s", (en->kind & JUDGE_CAP) ? "cap " : "",
			 (en->kind & JUDGE_FREEZE) ? "freeze " : "",
			 (en->kind & JUDGE_KILL) ? "kill" : "");
		if (json) {
			json_obj_begin(&j);
			json_key(&j, "rule");
			json_str(&j, en->rule);
			json_key(&j, "scope");
			json_str(&j, en->scope == JUDGE_USER ? "user" : "process");
			json_who(&j, en, user);
			json_key(&j, "offence");
			json_uint(&j, en->offence);
			json_key(&j, "penalty");
			json_uint(&j, en->penalty + 1);
			json_key(&j, "kind");
			json_str(&j, pen);
			json_key(&j, "since");
			json_time(&j, en->since);
			json_key(&j, "until");
			if (en->until)
				json_time(&j, en->until);
			else
				json_null(&j);
			json_key(&j, "left_s");
			if (en->until)
				json_double(&j,
					    en->until > now ? (double)(en->until - now) / 1e6 : 0);
			else
				json_null(&j);
			json_obj_end(&j);
		} else {
			char pidb[16] = "-";

			if (en->key.pid)
				snprintf(pidb, sizeof(pidb), "%d", (int)en->key.pid);
			printf("%-16s %-12s %-8s %-7u %-16s %s\n", en->rule, user, pidb,
			       en->offence, pen, left);
		}
	}
	if (json) {
		json_arr_end(&j);
		json_key(&j, "offences");
		json_arr_begin(&j);
	} else {
		printf("\n%-16s %-12s %-8s %s\n", "RULE", "USER", "PID", "OFFENCES");
	}
	for (size_t i = 0; i < st.n; i++) {
		const struct judge_entry *en = &st.v[i];
		char user[64];

		if (!en->count || !mine(en->key.uid))
			continue;
		act_user_name(en->key.uid, user, sizeof(user));
		if (json) {
			json_obj_begin(&j);
			json_key(&j, "rule");
			json_str(&j, en->rule);
			json_who(&j, en, user);
			json_key(&j, "count");
			json_uint(&j, en->count);
			json_obj_end(&j);
		} else {
			char pidb[16] = "-";

			if (en->key.pid)
				snprintf(pidb, sizeof(pidb), "%d", (int)en->key.pid);
			printf("%-16s %-12s %-8s %u\n", en->rule, user, pidb, en->count);
		}
	}
	if (json) {
		const char *t;

		json_arr_end(&j);
		json_obj_end(&j);
		t = json_text(&j, NULL);
		printf("%s\n", t ? t : "{}");
	}
	json_free(&j);
	state_free(&st);
	return 0;
}

/* ---- forgive ---- */

int daemon_forgive(const char *conf, const char *user, pid_t pid, const char *rule)
{
	struct rules *r = daemon_load_rules(conf, false);
	char dir[PATH_MAX], path[PATH_MAX + 64], tmp[PATH_MAX + 80], done[PATH_MAX + 80];
	uint64_t interval, deadline;
	FILE *f;

	if (!r)
		return CGKITD_EXIT_BAD;
	interval = daemon_interval(r);
	snprintf(dir, sizeof(dir), "%s/%s", daemon_state_dir(r), CGKITD_FORGIVE_DIR);
	rules_free(r);
	snprintf(path, sizeof(path), "%s/%llu-%d", dir, (unsigned long long)daemon_now_us(),
		 (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s/.%llu-%d", dir, (unsigned long long)daemon_now_us(),
		 (int)getpid());
	snprintf(done, sizeof(done), "%s.done", path);
	f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "cgkitd forgive: %s: %s (is cgkitd set up with this file?)\n", dir,
			strerror(errno));
		return CGKITD_EXIT_RUNTIME;
	}
	if (user)
		fprintf(f, "user %s\n", user);
	else
		fprintf(f, "pid %d\n", (int)pid);
	if (rule)
		fprintf(f, "rule %s\n", rule);
	fclose(f);
	if (rename(tmp, path) < 0) {
		fprintf(stderr, "cgkitd forgive: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return CGKITD_EXIT_RUNTIME;
	}
	deadline = daemon_now_us() + 3 * interval + 200000;
	while (daemon_now_us() < deadline) {
		FILE *d = fopen(done, "re");

		if (d) {
			int n = 0;

			if (fscanf(d, "%d", &n) != 1)
				n = 0;
			fclose(d);
			unlink(done);
			printf("forgiven: %d offender%s\n", n, n == 1 ? "" : "s");
			return 0;
		}
		usleep(20000);
	}
	unlink(path);
	fprintf(stderr,
		"cgkitd forgive: the request was not taken within 3 intervals: is cgkitd "
		"running with %s?\n",
		conf);
	return CGKITD_EXIT_RUNTIME;
}

/* ---- explain ---- */

int daemon_explain(const char *conf, pid_t pid)
{
	struct rules *r = daemon_load_rules(conf, false);
	struct facts f;
	struct proc_info pi;
	char name[64];
	const char *why;

	if (!r)
		return CGKITD_EXIT_BAD;
	if (facts_read(pid, &f) < 0) {
		fprintf(stderr, "cgkitd explain: no process %d\n", (int)pid);
		rules_free(r);
		return CGKITD_EXIT_RUNTIME;
	}
	if (!mine(f.uid)) {
		fprintf(stderr,
			"cgkitd explain: pid %d is not yours (uid %u): a user may explain only "
			"their own processes; run it as root for others\n",
			(int)pid, (unsigned)f.uid);
		facts_free(&f);
		rules_free(r);
		return CGKITD_EXIT_RUNTIME;
	}
	act_user_name(f.uid, name, sizeof(name));
	printf("pid %d (%s), user %s (%u), exe %s\n", (int)pid, f.comm, name, (unsigned)f.uid,
	       f.exe ? f.exe : "?");
	printf("cgroups:\n");
	{
		const char *cur = f.cgroup ? f.cgroup : "";
		struct proc_cgline line;
		char scratch[4096];

		while (proc_cgroup_next(&cur, &line, scratch, sizeof(scratch)) == 1)
			printf("  %s: %s\n", *line.ctrls ? line.ctrls : "(unified)", line.path);
	}
	why = facts_exempt(r, &f, name);
	if (why)
		printf("exempt: %s\n", why);
	else
		printf("exempt: no\n");
	if (!why && facts_in_users(r, f.uid, name))
		printf("users' group: yes (users.group %s)\n",
		       r->users.group.s ? r->users.group.s : RULES_DEFAULT_GROUP);
	else
		printf("users' group: no\n");
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct rule *ru = &r->rules[i];
		bool sel = ru->scope == RULE_SCOPE_USER
				   ? facts_in_users(r, f.uid, name) &&
					     (!ru->match.users.set ||
					      match_uid(&ru->match.users, f.uid, name))
				   : facts_rule_selects(ru, &f, name);

		printf("rule %s (scope %s%s): %s\n", ru->name.s,
		       ru->scope == RULE_SCOPE_USER ? "user" : "process",
		       ru->at_exec ? ", at exec" : "",
		       why   ? "not applied (exempt)"
		       : sel ? "matches"
			     : "does not match");
	}
	if (proc_info_read(pid, PROC_STAT | PROC_IO, &pi, &scratch_err) == 0) {
		char rss[32];

		unit_format_size(pi.rss_bytes, rss, sizeof(rss));
		printf("measures: cpu time %.2f s, memory (rss) %s, tasks %u",
		       (double)pi.cpu_ns / 1e9, rss, pi.threads);
		if (pi.have_io)
			printf(", io %llu bytes", (unsigned long long)pi.io_bytes);
		printf("\n");
		proc_info_free(&pi);
	}
	facts_free(&f);
	rules_free(r);
	return 0;
}
