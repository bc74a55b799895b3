/* What cgtop's keys do to a group: signal its processes, freeze or thaw it,
 * change a limit through the policy engine, cap it with a profile through
 * cgrun --pid. Each one asks first, says what it did, and changes nothing
 * when the user lacks the rights. */
#include "cgtop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "diag.h"
#include "mapping.h"
#include "plan.h"
#include "policy.h"
#include "profile.h"
#include "sys.h"

#define say cgtop_say

/* The profiles an installed cgkit offers to C. */
#define CGTOP_PROFILES_DIR "/usr/share/cgkit/profiles"

/* Pids of the selected process, or of the selected group and below. */
static long target_pids(struct cgtop *t, int **pids, char *what, size_t len)
{
	char dirs[8][4096];
	size_t nd;
	long g = cgtop_selected_group(t);
	cg_err e = {0};
	long n;

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
	nd = stats_group_dirs(t->c, (size_t)g, dirs, 8);
	n = stats_group_pids(dirs, nd, true, pids, &e);
	if (n < 0) {
		say(t, "%s", e.msg);
		return -1;
	}
	/* never ourselves */
	for (long i = 0; i < n; i++)
		if ((*pids)[i] == getpid())
			(*pids)[i--] = (*pids)[--n];
	snprintf(what, len, "/%s (and the groups below)", stats_group_at(t->c, (size_t)g)->path);
	return n;
}

void action_signal(struct cgtop *t)
{
	static const char *const names[] = {"SIGTERM (15) ask to stop", "SIGKILL (9) kill",
					    "SIGINT (2) interrupt",     "SIGHUP (1) hang up",
					    "SIGSTOP (19) stop",        "SIGCONT (18) continue",
					    "SIGUSR1 (10)",             "SIGUSR2 (12)"};
	static const int sigs[] = {SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGSTOP, SIGCONT, SIGUSR1, SIGUSR2};
	static const char *const short_names[] = {"SIGTERM", "SIGKILL", "SIGINT",  "SIGHUP",
						  "SIGSTOP", "SIGCONT", "SIGUSR1", "SIGUSR2"};
	_cleanup_free_ int *pids = NULL;
	char what[4200], q[4400];
	long n = target_pids(t, &pids, what, sizeof(what));
	int k, sent = 0, denied = 0, gone = 0;

	if (n < 0)
		return;
	if (n == 0) {
		say(t, "no processes in %s", what);
		return;
	}
	k = screen_menu(t, "send which signal?", names, sizeof(names) / sizeof(names[0]));
	if (k < 0)
		return;
	snprintf(q, sizeof(q), "send %s to %ld process%s of %s?", short_names[k], n, n == 1 ? "" : "es", what);
	if (!screen_confirm(t, q)) {
		say(t, "nothing sent");
		return;
	}
	for (long i = 0; i < n; i++) {
		if (kill(pids[i], sigs[k]) == 0)
			sent++;
		else if (errno == EPERM)
			denied++;
		else
			gone++;
	}
	if (denied)
		say(t, "sent %s to %d; %d need rights you lack (run as root or as their owner)%s",
		    short_names[k], sent, denied, gone ? "; some had exited" : "");
	else
		say(t, "sent %s to %d process%s%s", short_names[k], sent, sent == 1 ? "" : "es",
		    gone ? " (others had exited)" : "");
}

static int write_checked(struct cgtop *t, const char *path, const char *value, const char *what)
{
	if (access(path, W_OK) < 0) {
		say(t, "%s needs write access to %s: %s%s", what, path, strerror(errno),
		    errno == EACCES || errno == EPERM ? " (run as root)" : "");
		return -1;
	}
	if (sys_write_file(path, value) < 0) {
		say(t, "%s: writing \"%s\" to %s: %s", what, value, path, strerror(errno));
		return -1;
	}
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

/* Refuses (says why, returns true) when the group in dir, or one below it,
 * holds cgtop or a process cgtop runs under. */
static bool holds_cgtop(struct cgtop *t, const char *dir, const char *group)
{
	char dirs[1][4096], path[64], comm[64] = "?";
	_cleanup_free_ int *pids = NULL;
	int lineage[64];
	size_t nl = own_lineage(lineage, sizeof(lineage) / sizeof(lineage[0]));
	cg_err e = {0};
	long np;

	snprintf(dirs[0], sizeof(dirs[0]), "%s", dir);
	np = stats_group_pids(dirs, 1, true, &pids, &e);
	if (np < 0) {
		say(t, "%s; nothing frozen", e.msg);
		return true;
	}
	for (long i = 0; i < np; i++)
		for (size_t j = 0; j < nl; j++) {
			if (pids[i] != lineage[j])
				continue;
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
	return false;
}

void action_freeze(struct cgtop *t)
{
	long g = cgtop_selected_group(t);
	char dir[4096], path[4200], state[64] = "";
	bool v1 = t->layout.mode != CG_MODE_V2 && t->layout.v1_mount[CTRL_FREEZER];

	if (g < 0)
		return;
	if (g == 0 && !*stats_group_at(t->c, 0)->path) {
		say(t, "the root group cannot be frozen");
		return;
	}
	if (v1) {
		if (stats_group_dir(t->c, (size_t)g, CTRL_FREEZER, dir, sizeof(dir)) < 0) {
			say(t, "/%s is not in the freezer hierarchy; nothing to freeze",
			    stats_group_at(t->c, (size_t)g)->path);
			return;
		}
		snprintf(path, sizeof(path), "%s/freezer.state", dir);
	} else {
		if (stats_group_dir(t->c, (size_t)g, CTRL_CPU, dir, sizeof(dir)) < 0 &&
		    stats_group_dir(t->c, (size_t)g, CTRL_MEMORY, dir, sizeof(dir)) < 0) {
			say(t, "no directory for /%s", stats_group_at(t->c, (size_t)g)->path);
			return;
		}
		snprintf(path, sizeof(path), "%s/cgroup.freeze", dir);
	}
	if (sys_read_file(path, state, sizeof(state)) < 0) {
		say(t, "reading %s: %s", path, strerror(errno));
		return;
	}
	bool frozen = v1 ? strncmp(state, "THAWED", 6) != 0 : state[0] == '1';
	const char *value = v1 ? (frozen ? "THAWED" : "FROZEN") : (frozen ? "0" : "1");

	if (!frozen && holds_cgtop(t, dir, stats_group_at(t->c, (size_t)g)->path))
		return;
	if (write_checked(t, path, value, frozen ? "thawing" : "freezing") == 0)
		say(t, "%s /%s (%s = %s)", frozen ? "thawed" : "froze", stats_group_at(t->c, (size_t)g)->path,
		    path, value);
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
		stats_size_exact((uint64_t)x, buf, len);
	else {
		snprintf(v, sizeof(v), "%.0f", x);
		snprintf(buf, len, "%s", v);
	}
}

/* One number from a file of the group, or -1. */
static long long group_number(struct cgtop *t, size_t gi, enum cg_ctrl ctrl, const char *file)
{
	char dir[4096], path[4200], buf[64];
	char *end;
	long long v;

	if (stats_group_dir(t->c, gi, ctrl, dir, sizeof(dir)) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (sys_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	v = strtoll(buf, &end, 10);
	return end == buf ? -1 : v;
}

/* v2 cpu.max's period ("QUOTA PERIOD"), or -1. */
static long long v2_period(struct cgtop *t, size_t gi)
{
	char dir[4096], path[4200], buf[64];
	long long period;

	if (stats_group_dir(t->c, gi, CTRL_CPU, dir, sizeof(dir)) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/cpu.max", dir);
	if (sys_read_file(path, buf, sizeof(buf)) <= 0 || sscanf(buf, "%*s %lld", &period) != 1)
		return -1;
	return period;
}

/* A profile section sets every knob it holds (the others to the kernel's
 * defaults): the knobs of the section that are set now go in too, so that
 * changing cpu.max keeps the weight and the period, and memory.max keeps
 * memory.high and the swap allowed on top of it. */
static const char *kept_knobs(struct cgtop *t, size_t gi, int which)
{
	static char out[256];
	/* per controller: a hybrid host may have one on its cgroup2 mount */
	bool v2 = cg_layout_is_v2(&t->layout, which == 0 ? CTRL_CPU : CTRL_MEMORY);
	size_t o = 0;
	long long v;

	out[0] = '\0';
	if (which == 0) {
		v = group_number(t, gi, CTRL_CPU, v2 ? "cpu.weight" : "cpu.shares");
		if (v > 0 && v != (v2 ? 100 : 1024)) {
			long long w = v2 ? v : (v * 100 + 512) / 1024;

			if (w < 1)
				w = 1;
			if (w > 10000)
				w = 10000;
			o += (size_t)snprintf(out + o, sizeof(out) - o, "  weight: %lld\n", w);
		}
		v = v2 ? v2_period(t, gi) : group_number(t, gi, CTRL_CPU, "cpu.cfs_period_us");
		if (v > 0 && v != 100000)
			snprintf(out + o, sizeof(out) - o, "  period: %lldus\n", v);
	} else if (which == 1) {
		v = group_number(t, gi, CTRL_MEMORY, v2 ? "memory.high" : "memory.soft_limit_in_bytes");
		/* "max" reads as -1 here; v1's no-limit is a huge number */
		if (v > 0 && v < (1LL << 62))
			o += (size_t)snprintf(out + o, sizeof(out) - o, "  high: %lld\n", v);
		if (v2) {
			v = group_number(t, gi, CTRL_MEMORY, "memory.swap.max");
		} else {
			long long memsw = group_number(t, gi, CTRL_MEMORY, "memory.memsw.limit_in_bytes");
			long long limit = group_number(t, gi, CTRL_MEMORY, "memory.limit_in_bytes");

			/* v1 swap is memsw above the limit; both unlimited: none */
			v = memsw > 0 && memsw < (1LL << 62) && limit >= 0 && memsw >= limit ? memsw - limit : -1;
		}
		if (v >= 0 && v < (1LL << 62))
			snprintf(out + o, sizeof(out) - o, "  swap: %lld\n", v);
	}
	return out;
}

/* e changes a limit; it makes no group. Every hierarchy that section k maps
 * to (the engine's own mapping: cpu brings cpuacct on v1) must hold row gi's
 * group; on a host where a controller's own groups sit elsewhere (memory
 * below a service's group, say) that controller's group is another row.
 * Says so and returns false when one does not. */
static bool row_holds(struct cgtop *t, size_t gi, int k)
{
	static const char *const probe[] = { "name: x\ncpu: {max: max}\n", "name: x\nmemory: {max: max}\n",
					     "name: x\npids: {max: max}\n" };
	const struct stats_group *g = stats_group_at(t->c, gi);
	struct profile_opts po = { .host_ram = t->host.mem_total };
	struct map_where w;
	struct diags d;
	struct profile *p;
	cg_err e = { 0 };
	char dir[4096];
	bool ok = true;

	diags_init(&d, "(cgtop e)");
	p = profile_parse(probe[k], strlen(probe[k]), "(cgtop e)", &po, &d);
	if (!p)
		return true;   /* cannot tell: the apply will say */
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

void action_edit_limit(struct cgtop *t)
{
	static const char *const which_items[] = {"cpu.max (e.g. 20%, 1.5, 250m, max)",
						  "memory.max (e.g. 512M, 2G, max)",
						  "pids.max (e.g. 100, max)"};
	static const char *const section[] = {"cpu", "memory", "pids"};
	long gi = cgtop_selected_group(t);
	const struct stats_group *g;
	char value[64], q[128], yaml[9000], parent[4096], name[4096];
	struct diags d;
	struct profile *p;
	struct profile_opts po = {.host_ram = t->host.mem_total};
	struct plan_opts plo = {0};
	struct cg_layout here;
	cg_err e = {0};
	int k;

	if (gi < 0)
		return;
	g = stats_group_at(t->c, (size_t)gi);
	if (!*g->path) {
		say(t, "the root group has no limits to change");
		return;
	}
	/* The engine takes the group's name in a profile's text: a name that
	 * is not a profile name (a quote and a '#' in it, say) could name
	 * another group there. Refused until the engine takes the name apart
	 * from the text. */
	if (profile_name_invalid(g->name)) {
		say(t, "/%s: e changes only groups named with A-Z a-z 0-9 _ . - (at most 64); "
		       "this name cannot go into a profile; nothing changed", g->path);
		return;
	}
	k = screen_menu(t, "change which limit?", which_items, 3);
	if (k < 0 || !row_holds(t, (size_t)gi, k))
		return;
	current_limit(t, g, k, value, sizeof(value));
	snprintf(q, sizeof(q), "new %s for /%.60s: ", k == 0 ? "cpu.max" : k == 1 ? "memory.max" : "pids.max",
		 g->path);
	if (!screen_prompt(t, q, value, sizeof(value)) || !value[0]) {
		say(t, "limit unchanged");
		return;
	}
	if (strpbrk(value, "\"\\#")) {
		say(t, "\"%s\" is not a limit: give e.g. 20%%, 512M, 100 or max; nothing changed", value);
		return;
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
	snprintf(yaml, sizeof(yaml), "name: \"%s\"\nparent: self\n%s:\n  max: \"%s\"\n%s", name,
		 section[k], value, kept_knobs(t, (size_t)gi, k));
	diags_init(&d, "(cgtop e)");
	p = profile_parse(yaml, strlen(yaml), "(cgtop e)", &po, &d);
	if (!p) {
		say(t, "%s: %s%s%s", d.n ? d.items[0].key : "limit", d.n ? d.items[0].msg : "not valid",
		    " - nothing changed", "");
		return;
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
			snprintf(file, sizeof(file), "%s/%s", dir,
				 k == 0 ? (cg_layout_is_v2(&t->layout, CTRL_CPU) ? "cpu.max" : "cpu.cfs_quota_us")
				 : k == 1 ? (cg_layout_is_v2(&t->layout, CTRL_MEMORY) ? "memory.max"
									       : "memory.limit_in_bytes")
					  : "pids.max");
			if (access(file, W_OK) < 0) {
				say(t, "changing %s needs rights you lack (%s); nothing changed", file,
				    strerror(errno));
				profile_free(p);
				return;
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
	snprintf(buf, len, "%s", CGTOP_PROFILES_DIR);
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

static void cgrun_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		snprintf(buf, len, "%s/cgrun", dirname(exe));
		if (access(buf, X_OK) == 0)
			return;
	}
	snprintf(buf, len, "cgrun");
}

/* Runs cgrun --pid PID -p PROFILE; its first line of output into out. */
static int run_cgrun(const char *cgrun, int pid, const char *profile, char *out, size_t len)
{
	int pfd[2], status;
	char pidbuf[16];
	pid_t child;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	child = fork();
	if (child < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (child == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execlp(cgrun, cgrun, "--pid", pidbuf, "-p", profile, (char *)NULL);
		dprintf(STDERR_FILENO, "cannot run %s: %s", cgrun, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	n = read(pfd[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(pfd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void action_cap(struct cgtop *t)
{
	char dir[4096], cgrun[PATH_MAX], q[4600], what[4200], out[512] = "";
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
		       "CGKIT_PROFILES), or install them in " CGTOP_PROFILES_DIR);
		return;
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
		return;
	}
	k = screen_menu(t, "cap with which profile?", items, n);
	if (k < 0)
		return;
	np = target_pids(t, &pids, what, sizeof(what));
	if (np <= 0) {
		if (np == 0)
			say(t, "no processes in %s", what);
		return;
	}
	snprintf(q, sizeof(q), "move %ld process%s of %.200s into a group made from %s?", np,
		 np == 1 ? "" : "es", what, names[k]);
	if (!screen_confirm(t, q)) {
		say(t, "nothing moved");
		return;
	}
	cgrun_path(cgrun, sizeof(cgrun));
	snprintf(q, sizeof(q), "%s/%s", dir, names[k]);
	for (long i = 0; i < np; i++) {
		if (run_cgrun(cgrun, pids[i], q, out, sizeof(out)) == 0)
			moved++;
		else
			failed++;
	}
	if (failed)
		say(t, "moved %d, %d failed: %s", moved, failed, out);
	else
		say(t, "moved %d process%s with %s --pid into %s", moved, moved == 1 ? "" : "es", cgrun,
		    names[k]);
}
