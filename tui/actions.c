/* What cgtop's keys do to a group: signal its processes and freeze or thaw
 * it (through cgops), change a limit through the policy engine (a profile
 * made in code), cap it with a profile as `cgrun --pid` does (the same
 * library call, in this process). Each one asks first, says what it did,
 * and changes nothing when the user lacks the rights. */
#include "actions.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgops.h"
#include "cleanup.h"
#include "diag.h"
#include "launch_cg.h"
#include "mapping.h"
#include "plan.h"
#include "policy.h"
#include "profile.h"
#include "screen.h"
#include "sys.h"
#include "units.h"
#include "version.h"

#define say cgtop_say

/* Pids of the selected process, or of the selected group and below (never
 * cgtop's own). */
static long target_pids(struct cgtop *t, int **pids, char *what, size_t len)
{
	char bufs[CG_MAX_HIER][4096];
	struct cg_dirs d;
	struct cg_ids ids = {0};
	long g = cgtop_selected_group(t);
	cg_err e = {0};
	long n = 0;

	if (t->mode == MODE_PROCS) {
		if (t->sel >= t->procs.n || !t->proc_order)
			return -1;
		*pids = malloc(sizeof(int));
		if (!*pids)
			return -1;
		(*pids)[0] = t->procs.p[t->proc_order[t->sel]].pid;
		snprintf(what, len, "process %d", (*pids)[0]);
		return 1;
	}
	if (g < 0)
		return -1;
	stats_group_cgdirs(t->c, (size_t)g, &d, bufs);
	if (cg_procs_list(&d, CG_LIST_RECURSIVE, &ids, &e) < 0) {
		say(t, "%s", e.msg);
		return -1;
	}
	*pids = malloc((ids.n ? ids.n : 1) * sizeof(int));
	if (!*pids) {
		cg_ids_free(&ids);
		return -1;
	}
	for (size_t i = 0; i < ids.n; i++)
		if (ids.v[i] != getpid())
			(*pids)[n++] = ids.v[i];
	cg_ids_free(&ids);
	snprintf(what, len, "/%s (and the groups below)", stats_group_at(t->c, (size_t)g)->path);
	return n;
}

unsigned action_signal(struct cgtop *t)
{
	static const char *const names[] = {"SIGTERM (15) ask to stop", "SIGKILL (9) kill",
					    "SIGINT (2) interrupt",     "SIGHUP (1) hang up",
					    "SIGSTOP (19) stop",        "SIGCONT (18) continue",
					    "SIGUSR1 (10)",             "SIGUSR2 (12)"};
	static const int sigs[] = {SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGSTOP, SIGCONT, SIGUSR1, SIGUSR2};
	static const char *const short_names[] = {"SIGTERM", "SIGKILL", "SIGINT",  "SIGHUP",
						  "SIGSTOP", "SIGCONT", "SIGUSR1", "SIGUSR2"};
	_cleanup_free_ int *pids = NULL;
	_cleanup_free_ struct cg_proc *procs = NULL;
	struct cg_signal_count cnt = {0};
	char what[4200], q[4400];
	long n = target_pids(t, &pids, what, sizeof(what)), g = cgtop_selected_group(t);
	bool self_inside = false;
	cg_err e = {0};
	int k;

	if (n < 0)
		return 0;
	if (n == 0) {
		say(t, "no processes in %s", what);
		return 0;
	}
	/* each process as it is now: a pid reused before the answer is not hit */
	procs = calloc((size_t)n, sizeof(*procs));
	if (!procs)
		return 0;
	for (long i = 0; i < n; i++)
		if (cg_proc_get(pids[i], &procs[i], &e) < 0)
			procs[i] = (struct cg_proc){.pid = pids[i]};
	k = screen_menu(t, "send which signal?", names, sizeof(names) / sizeof(names[0]));
	if (k < 0)
		return 0;
	snprintf(q, sizeof(q), "send %s to %ld process%s of %s?", short_names[k], n, n == 1 ? "" : "es", what);
	if (!screen_confirm(t, q)) {
		say(t, "nothing sent");
		return 0;
	}
	if (t->mode == MODE_GROUPS) {
		char bufs[CG_MAX_HIER][4096];
		struct cg_dirs d;
		struct cg_ids ids = {0};

		/* the whole group through cgops, unless cgtop is in it: then each
		 * process listed but cgtop */
		stats_group_cgdirs(t->c, (size_t)g, &d, bufs);
		if (cg_procs_list(&d, CG_LIST_RECURSIVE, &ids, &e) == 0)
			self_inside = cg_ids_has(&ids, getpid());
		cg_ids_free(&ids);
		if (!self_inside && cg_signal_all(&d, sigs[k], CG_LIST_RECURSIVE, &cnt, &e) < 0) {
			say(t, "%s", e.msg);
			return 0;
		}
	}
	for (long i = 0; (t->mode != MODE_GROUPS || self_inside) && i < n; i++) {
		int rc = cg_signal_proc(&procs[i], sigs[k], &e);

		if (rc > 0)
			cnt.sent++;
		else if (rc < 0 && e.errnum == EPERM)
			cnt.denied++;
		else
			cnt.gone++;   /* exited (or another error: nothing to send to) */
	}
	if (cnt.denied)
		say(t, "sent %s to %zu; %zu need rights you lack (run as root or as their owner)%s",
		    short_names[k], cnt.sent, cnt.denied, cnt.gone ? "; some had exited" : "");
	else
		say(t, "sent %s to %zu process%s%s", short_names[k], cnt.sent, cnt.sent == 1 ? "" : "es",
		    cnt.gone ? " (others had exited)" : "");
	return 0;
}

/* cgtop's pid, then its parent's, up to pid 1 (its shell, the terminal
 * or tmux server...): freezing any of them freezes cgtop, which then hangs
 * in D state, and the keys typed meanwhile act again after a thaw. */
static size_t own_lineage(int *out, size_t max)
{
	int pid = getpid();
	size_t n = 0;

	while (pid > 0 && n < max) {
		char path[64], buf[1024];
		const char *paren;
		int ppid;

		out[n++] = pid;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (sys_read_file(path, buf, sizeof(buf)) < 0 || !(paren = strrchr(buf, ')')) ||
		    sscanf(paren + 1, " %*c %d", &ppid) != 1)
			break;
		pid = ppid;
	}
	return n;
}

/* Refuses (says why, returns true) when the group (in the hierarchy that
 * freezes it), or one below it, holds cgtop or a process cgtop runs under. */
static bool holds_cgtop(struct cgtop *t, const struct cg_dirs *fz, const char *group)
{
	char path[64], comm[64] = "?";
	struct cg_ids ids = {0};
	int lineage[64];
	size_t nl = own_lineage(lineage, sizeof(lineage) / sizeof(lineage[0]));
	cg_err e = {0};

	if (cg_procs_list(fz, CG_LIST_RECURSIVE, &ids, &e) < 0) {
		say(t, "%s; nothing frozen", e.msg);
		return true;
	}
	for (size_t j = 0; j < nl; j++) {
		if (!cg_ids_has(&ids, lineage[j]))
			continue;
		cg_ids_free(&ids);
		if (j == 0) {
			say(t, "/%s holds cgtop itself (pid %d): freezing it would freeze cgtop; "
			       "nothing changed", group, lineage[j]);
			return true;
		}
		snprintf(path, sizeof(path), "/proc/%d/comm", lineage[j]);
		if (sys_read_file(path, comm, sizeof(comm)) > 0)
			comm[strcspn(comm, "\n")] = '\0';
		say(t, "/%s holds pid %d (%s), which cgtop runs under: freezing it would freeze "
		       "cgtop; nothing changed", group, lineage[j], comm);
		return true;
	}
	cg_ids_free(&ids);
	return false;
}

/* How long f waits for the kernel to say the group is frozen (or thawed). */
#define FREEZE_WAIT_MS 3000

unsigned action_freeze(struct cgtop *t)
{
	long g = cgtop_selected_group(t);
	char bufs[CG_MAX_HIER][4096];
	struct cg_dirs all, fz = {0};
	/* v1's freezer where it is mounted, else the unified tree */
	bool v1 = t->layout.mode != CG_MODE_V2 && t->layout.v1_mount[CTRL_FREEZER];
	const char *path;
	cg_err e = {0};
	int st;

	if (g < 0)
		return 0;
	path = stats_group_at(t->c, (size_t)g)->path;
	if (g == 0 && !*path) {
		say(t, "the root group cannot be frozen");
		return 0;
	}
	stats_group_cgdirs(t->c, (size_t)g, &all, bufs);
	for (size_t i = 0; i < all.n && !fz.n; i++)
		if (v1 ? all.h[i].ctrl && !strcmp(all.h[i].ctrl, MAP_V1_FREEZER) : all.h[i].v2)
			fz.h[fz.n++] = all.h[i];
	if (!fz.n) {
		say(t, "/%s is not in the %s; nothing to freeze", path,
		    v1 ? "freezer hierarchy" : "cgroup2 tree");
		return 0;
	}
	st = cg_frozen(&fz, &e);
	if (st < 0) {
		say(t, "/%s: %s", path, e.msg);
		return 0;
	}
	/* in between (v1 FREEZING) counts as frozen: f thaws it */
	if (!st && holds_cgtop(t, &fz, path))
		return 0;
	if ((st ? cg_thaw : cg_freeze)(&fz, FREEZE_WAIT_MS, &e) < 0) {
		say(t, "%s /%s%s: %s", st ? "thawing" : "freezing", path,
		    e.errnum == EACCES || e.errnum == EPERM ? " needs write access (run as root)" : "",
		    e.msg);
		return 0;
	}
	say(t, "%s /%s", st ? "thawed" : "froze", path);
	return 0;
}

/* Current value of a knob, in profile terms, or "" when unknown. */
static void current_limit(struct cgtop *t, const struct stats_group *g, int which, char *buf, size_t len)
{
	char v[32];
	enum stats_col col = which == 0 ? COL_CPU_LIMIT : which == 1 ? COL_MEM_LIMIT : COL_PIDS_LIMIT;
	double x = g->row.f[col];

	(void)t;
	buf[0] = '\0';
	if (x != x)
		return;
	if (x > 1e300) {
		snprintf(buf, len, "max");
		return;
	}
	if (which == 0)
		snprintf(buf, len, "%g%%", x);
	else if (which == 1)
		unit_format_exact((uint64_t)x, buf, len);
	else {
		snprintf(v, sizeof(v), "%.0f", x);
		snprintf(buf, len, "%s", v);
	}
}

/* Knob k of the group as read (a number, MAP_UNLIMITED for none); false
 * when the group has no such file or it does not read as one. */
static bool group_knob(struct cgtop *t, size_t gi, enum map_knob k, uint64_t *v, uint64_t *period)
{
	bool v2 = cg_layout_is_v2(&t->layout, map_ctrl(k));
	const char *file = map_file(k, v2);
	char dir[4096], path[4200], buf[64];

	if (!file || stats_group_dir(t->c, gi, map_ctrl(k), dir, sizeof(dir)) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (sys_read_file(path, buf, sizeof(buf)) <= 0)
		return false;
	return k == MK_CPU_MAX ? map_parse_cpu_max(buf, v, period) == 0 : map_parse_limit(buf, v) == 0;
}

/* A knob's value in a new group, as a number. */
static uint64_t knob_default(enum map_knob k, bool v2)
{
	uint64_t v = 0, period = 0;

	if (k == MK_CPU_MAX)
		return map_parse_cpu_max(map_default(k, v2), &v, &period) == 0 ? period : 0;
	return map_parse_limit(map_default(k, v2), &v) == 0 ? v : 0;
}

/* A section sets every knob it holds and resets the others to the kernel's
 * defaults: the knobs of section `which` that are set now go into p with
 * the new limit (the cpu weight and period with cpu.max; memory.high and
 * the swap allowed with memory.max). */
static int keep_knobs(struct cgtop *t, size_t gi, int which, struct profile *p, cg_err *e)
{
	/* per controller: a hybrid host may have one on its cgroup2 mount */
	bool v2 = cg_layout_is_v2(&t->layout, which == 0 ? CTRL_CPU : CTRL_MEMORY);
	char text[32];
	uint64_t v, q;

	if (which == 0) {
		enum map_knob wk = v2 ? MK_CPU_WEIGHT : MK_CPU_SHARES;

		if (group_knob(t, gi, wk, &v, NULL) && v != MAP_UNLIMITED && v != knob_default(wk, v2)) {
			snprintf(text, sizeof(text), "%" PRIu64, v2 ? v : map_weight_from_shares(v));
			if (profile_set(p, "cpu.weight", text, e) < 0)
				return -1;
		}
		if (v2 ? group_knob(t, gi, MK_CPU_MAX, &q, &v) : group_knob(t, gi, MK_CPU_PERIOD, &v, NULL))
			if (v != MAP_UNLIMITED && v && v != knob_default(MK_CPU_PERIOD, false)) {
				snprintf(text, sizeof(text), "%" PRIu64 "us", v);
				if (profile_set(p, "cpu.period", text, e) < 0)
					return -1;
			}
	} else if (which == 1) {
		if (group_knob(t, gi, MK_MEM_HIGH, &v, NULL) && v != MAP_UNLIMITED && v > 0) {
			snprintf(text, sizeof(text), "%" PRIu64, v);
			if (profile_set(p, "memory.high", text, e) < 0)
				return -1;
		}
		if (!group_knob(t, gi, MK_MEM_SWAP, &v, NULL))
			v = MAP_UNLIMITED;
		/* v1 swap is memsw above the limit */
		if (!v2)
			v = group_knob(t, gi, MK_MEM_MAX, &q, NULL) ? map_v1_swap_from_memsw(v, q) : MAP_UNLIMITED;
		if (v != MAP_UNLIMITED) {
			snprintf(text, sizeof(text), "%" PRIu64, v);
			if (profile_set(p, "memory.swap", text, e) < 0)
				return -1;
		}
	}
	return 0;
}

/* e changes a limit; it makes no group. Every hierarchy that section k maps
 * to (the engine's own mapping: cpu brings cpuacct on v1) must hold row gi's
 * group; on a host where a controller's own groups sit elsewhere (memory
 * below a service's group, say) that controller's group is another row.
 * Says so and returns false when one does not. */
static bool row_holds(struct cgtop *t, size_t gi, int k)
{
	static const char *const probe[] = { "cpu.max", "memory.max", "pids.max" };
	const struct stats_group *g = stats_group_at(t->c, gi);
	struct profile_opts po = { .host_ram = t->host.mem_total };
	struct map_where w;
	struct diags d;
	struct profile *p;
	cg_err e = { 0 };
	char dir[4096];
	bool ok = true;

	diags_init(&d, "(cgtop e)");
	p = profile_new("x", NULL, &po, &e);
	if (!p || profile_set(p, probe[k], "max", &e) < 0) {
		profile_free(p);
		return true;   /* cannot tell: the apply will say */
	}
	if (map_where(p, &t->layout, "self", &w, &d, &e) == 0) {
		for (int c = 0; c < CTRL_COUNT && ok; c++) {
			if (!(w.ctrls & (1u << c)) ||
			    stats_group_dir(t->c, gi, (enum cg_ctrl)c, dir, sizeof(dir)) == 0)
				continue;
			const char *name = cg_ctrl_name((enum cg_ctrl)c,
							cg_layout_is_v2(&t->layout, (enum cg_ctrl)c));

			say(t, "/%s has no %s group here (pick the row of its %s group); nothing changed",
			    g->path, name, name);
			ok = false;
		}
		map_where_free(&w);
	}
	profile_free(p);
	return ok;
}

unsigned action_edit_limit(struct cgtop *t)
{
	/* the profile's keys (section.max), each with values it takes */
	static const char *const section[] = {"cpu", "memory", "pids"};
	static const char *const examples[] = {"e.g. 20%, 1.5, 250m, max", "e.g. 512M, 2G, max",
					       "e.g. 100, max"};
	char items[3][64];
	const char *which_items[3];
	long gi = cgtop_selected_group(t);
	const struct stats_group *g;
	char value[64], q[128], key[16], parent[4096], name[4096];
	struct diags d;
	struct profile *p;
	struct profile_opts po = {.host_ram = t->host.mem_total};
	struct plan_opts plo = {0};
	struct cg_layout here;
	cg_err e = {0};
	int k;

	if (gi < 0)
		return 0;
	g = stats_group_at(t->c, (size_t)gi);
	if (!*g->path) {
		say(t, "the root group has no limits to change");
		return 0;
	}
	/* The engine takes a profile, and a profile's group has a profile's
	 * name: 1 to 64 of A-Z a-z 0-9 _ . - (a systemd unit's '@' or '\x2d'
	 * is none). */
	if (profile_name_invalid(g->name)) {
		say(t, "/%s: e changes only groups named with A-Z a-z 0-9 _ . - (at most 64); "
		       "this name cannot go into a profile; nothing changed", g->path);
		return 0;
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(items[i], sizeof(items[i]), "%s.max (%s)", section[i], examples[i]);
		which_items[i] = items[i];
	}
	k = screen_menu(t, "change which limit?", which_items, 3);
	if (k < 0 || !row_holds(t, (size_t)gi, k))
		return 0;
	current_limit(t, g, k, value, sizeof(value));
	snprintf(q, sizeof(q), "new %s.max for /%.60s: ", section[k], g->path);
	if (!screen_prompt(t, q, value, sizeof(value)) || !value[0]) {
		say(t, "limit unchanged");
		return 0;
	}
	/* The engine takes a profile: one for this group, with this one knob. */
	snprintf(parent, sizeof(parent), "%s", g->path);
	{
		char *slash = strrchr(parent, '/');

		snprintf(name, sizeof(name), "%s", slash ? slash + 1 : parent);
		if (slash)
			*slash = '\0';
		else
			parent[0] = '\0';
	}
	/* a profile made in code: the value goes through the parser's own
	 * checks for that key, never into a profile's text */
	snprintf(key, sizeof(key), "%s.max", section[k]);
	p = profile_new(name, "self", &po, &e);
	if (!p || profile_set(p, key, value, &e) < 0 || keep_knobs(t, (size_t)gi, k, p, &e) < 0 ||
	    profile_check(p, &e) < 0) {
		say(t, "%s - nothing changed", e.msg);
		profile_free(p);
		return 0;
	}
	/* "self" with every hierarchy's self set to the group's parent: the
	 * engine then places the group where it is, the top level included
	 * (an empty parent is not a valid profile parent). */
	here = t->layout;
	for (size_t c = 0; c < CTRL_COUNT; c++)
		here.self_v1[c] = parent;
	here.self_unified = parent;
	plo.parent = "self";
	if (geteuid() != 0) {
		char dir[4096], file[4200];
		enum cg_ctrl ctrl = k == 0 ? CTRL_CPU : k == 1 ? CTRL_MEMORY : CTRL_PIDS;

		if (stats_group_dir(t->c, (size_t)gi, ctrl, dir, sizeof(dir)) == 0) {
			bool v2 = cg_layout_is_v2(&t->layout, ctrl);
			enum map_knob knob = k == 0 ? (v2 ? MK_CPU_MAX : MK_CPU_QUOTA)
					     : k == 1 ? MK_MEM_MAX
						      : MK_PIDS_MAX;

			snprintf(file, sizeof(file), "%s/%s", dir, map_file(knob, v2));
			if (access(file, W_OK) < 0) {
				say(t, "changing %s needs rights you lack (%s); nothing changed", file,
				    strerror(errno));
				profile_free(p);
				return 0;
			}
		}
	}
	diags_init(&d, "(cgtop e)");
	if (policy_apply(p, &here, &plo, &d, &e) < 0) {
		if (d.n)
			say(t, "%s: %s - nothing changed", d.items[0].key, d.items[0].msg);
		else
			say(t, "%s - nothing changed", e.msg);
	} else {
		say(t, "/%s: %s.max = %s", g->path, section[k], value);
		stats_touch(t->c, (size_t)gi);   /* show the new limit at once */
	}
	profile_free(p);
	return 0;
}

/* A directory whose profiles C may offer: not writable by group or others,
 * owned by root or by the user running cgtop (anyone else could put a
 * profile there that root then applies). */
static bool dir_trusted(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & (S_IWGRP | S_IWOTH)) &&
	       (st.st_uid == 0 || st.st_uid == geteuid());
}

/* Where the profiles C offers are: the directory given (--profiles, else
 * $CGKIT_PROFILES), else the installed one, else the source tree's next
 * to the binary when it is trusted. Never ./profiles: the current
 * directory may be anyone's. */
static int profiles_dir(const struct cgtop *t, char *buf, size_t len)
{
	const char *given = t->profiles && *t->profiles ? t->profiles : getenv("CGKIT_PROFILES");
	char exe[PATH_MAX];
	ssize_t n;
	struct stat st;

	if (given && *given) {
		snprintf(buf, len, "%s", given);
		return 0;
	}
	snprintf(buf, len, "%s", cgkit_profiles_dir);
	if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(buf, len, "%s/../profiles", dirname(exe));
		if (dir_trusted(buf))
			return 0;
	}
	return -1;
}

/* Moves one process into the profile's group, as `cgrun --pid` does (the
 * same library call: same refusals, same undo). "" in why, or the reason. */
static int cap_pid(const struct cgtop *t, const struct profile *p, pid_t pid, char *why,
		   size_t len)
{
	struct plan_opts po = { 0 };
	struct launch_cg c;
	struct cg_ids moved = { 0 };
	struct diags d;
	cg_err e = { 0 };
	int rc;

	launch_cg_init(&c);
	diags_init(&d, p->path ? p->path : "");
	rc = launch_pid_move(&c, p, &t->layout, &po, NULL, pid, false, &moved, &d, &e);
	if (rc < 0 && d.n)
		snprintf(why, len, "%.100s: %.400s", d.items[0].key, d.items[0].msg);
	else if (rc < 0)
		snprintf(why, len, "%.500s", e.msg);
	cg_ids_free(&moved);
	launch_cg_free(&c);
	return rc;
}

unsigned action_cap(struct cgtop *t)
{
	char dir[4096], q[4600], what[4200], out[512] = "";
	struct profile_opts po = { .host_ram = t->host.mem_total };
	struct profile *p;
	struct diags diags;
	char names[64][256];
	const char *items[64];
	size_t n = 0;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ int *pids = NULL;
	struct dirent *de;
	long np;
	int k, moved = 0, failed = 0;

	if (profiles_dir(t, dir, sizeof(dir)) < 0 || !(d = opendir(dir))) {
		say(t, "no profiles to offer: give a directory with --profiles DIR (or "
		       "CGKIT_PROFILES), or install them in %s (make install)", cgkit_profiles_dir);
		return 0;
	}
	while ((de = readdir(d)) && n < 64) {
		size_t l = strlen(de->d_name);

		if (l > 5 && l < sizeof(names[0]) && strcmp(de->d_name + l - 5, ".yaml") == 0) {
			snprintf(names[n], sizeof(names[n]), "%s", de->d_name);
			items[n] = names[n];
			n++;
		}
	}
	if (n == 0) {
		say(t, "no *.yaml profile in %s", dir);
		return 0;
	}
	k = screen_menu(t, "cap with which profile?", items, n);
	if (k < 0)
		return 0;
	np = target_pids(t, &pids, what, sizeof(what));
	if (np <= 0) {
		if (np == 0)
			say(t, "no processes in %s", what);
		return 0;
	}
	snprintf(q, sizeof(q), "move %ld process%s of %.200s into a group made from %s?", np,
		 np == 1 ? "" : "es", what, names[k]);
	if (!screen_confirm(t, q)) {
		say(t, "nothing moved");
		return 0;
	}
	snprintf(q, sizeof(q), "%s/%s", dir, names[k]);
	diags_init(&diags, q);
	p = profile_load(q, &po, &diags);
	if (!p) {
		say(t, "%s: %s%s%s - nothing moved", names[k], diags.n ? diags.items[0].key : "",
		    diags.n ? ": " : "", diags.n ? diags.items[0].msg : "cannot be read");
		return 0;
	}
	for (long i = 0; i < np; i++) {
		if (cap_pid(t, p, (pid_t)pids[i], out, sizeof(out)) == 0)
			moved++;
		else
			failed++;
	}
	profile_free(p);
	if (failed)
		say(t, "moved %d, %d failed: %s", moved, failed, out);
	else
		say(t, "moved %d process%s into a group made from %s", moved, moved == 1 ? "" : "es",
		    names[k]);
	return 0;
}
