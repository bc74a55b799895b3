/* The processes of a group, for cgtop's process view and its actions:
 * pids from cgroup.procs (of every hierarchy holding the group, and of the
 * groups below when asked), figures from /proc/PID. Not on the hot path:
 * runs for the one group a user opened. */
#include "stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "sys.h"

struct pidset {
	int *v;
	size_t n, cap;
};

static int pidset_add(struct pidset *s, int pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		int *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = pid;
	return 0;
}

static int read_procs(const char *dir, struct pidset *s)
{
	char path[4200];
	_cleanup_fclose_ FILE *f = NULL;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT || errno == ENODEV ? 0 : -1;
	while (fscanf(f, "%d", &pid) == 1)
		if (pidset_add(s, pid) < 0)
			return -1;
	return 0;
}

static int read_tree(char *dir, size_t len, struct pidset *s, bool recursive)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (read_procs(dir, s) < 0)
		return -1;
	if (!recursive)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || len + nl + 2 >= 4096)
			continue;
		dir[len] = '/';
		memcpy(dir + len + 1, de->d_name, nl + 1);
		if (read_tree(dir, len + 1 + nl, s, true) < 0)
			return -1;
		dir[len] = '\0';
	}
	return 0;
}

long stats_group_pids(char (*dirs)[4096], size_t ndirs, bool recursive, int **pids, cg_err *e)
{
	struct pidset s = {0};
	char buf[4096];

	for (size_t i = 0; i < ndirs; i++) {
		snprintf(buf, sizeof(buf), "%s", dirs[i]);
		if (read_tree(buf, strlen(buf), &s, recursive) < 0) {
			free(s.v);
			return cg_err_sys(e, "reading the processes of %s", dirs[i]);
		}
	}
	*pids = s.v;
	return (long)s.n;
}

/* One process from /proc; -1 when it is gone. */
static int read_proc(int pid, struct stats_proc *p)
{
	char path[64], buf[1024];
	const char *close_paren;
	unsigned long utime, stime;
	long rss;
	char state;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (sys_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	/* the command may hold spaces and parentheses: scan from the last ')' */
	close_paren = strrchr(buf, ')');
	if (!close_paren ||
	    sscanf(close_paren + 2,
		   "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d "
		   "%*u %*u %ld",
		   &state, &utime, &stime, &rss) != 4)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->state = state;
	p->ticks = utime + stime;
	p->rss_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
	p->cpu_pct = NAN;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (sys_read_file(path, buf, sizeof(buf)) >= 0) {
		const char *u = strstr(buf, "\nUid:");

		if (u)
			p->uid = (unsigned)strtoul(u + 5, NULL, 10);
	}
	{
		struct passwd *pw = getpwuid(p->uid);

		if (pw)
			snprintf(p->user, sizeof(p->user), "%s", pw->pw_name);
		else
			snprintf(p->user, sizeof(p->user), "%u", p->uid);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = sys_read_file(path, p->cmd, sizeof(p->cmd));
	if (n > 0) {
		for (ssize_t i = 0; i < n - 1; i++)
			if (p->cmd[i] == '\0')
				p->cmd[i] = ' ';
	} else {
		/* kernel thread or zombie: the name from comm, in brackets */
		char comm[64];

		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (sys_read_file(path, comm, sizeof(comm)) > 0) {
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(p->cmd, sizeof(p->cmd), "[%s]", comm);
		}
	}
	return 0;
}

int stats_procs_read(struct stats_procs *ps, char (*dirs)[4096], size_t ndirs, bool recursive,
		     cg_err *e)
{
	int *pids = NULL;
	long np = stats_group_pids(dirs, ndirs, recursive, &pids, e);
	struct stats_proc *out;
	struct timespec ts;
	uint64_t t, dt;
	long hz = sysconf(_SC_CLK_TCK);
	size_t n = 0;

	if (np < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	dt = ps->t_prev_ns && t > ps->t_prev_ns ? t - ps->t_prev_ns : 0;
	out = calloc(np ? (size_t)np : 1, sizeof(*out));
	if (!out) {
		free(pids);
		return cg_err_sys(e, "reading processes");
	}
	for (long i = 0; pids && i < np; i++) {
		struct stats_proc *p = &out[n];

		if (read_proc(pids[i], p) < 0)
			continue;
		for (size_t j = 0; j < ps->n && dt; j++)
			if (ps->p[j].pid == p->pid && p->ticks >= ps->p[j].ticks) {
				p->cpu_pct = 100.0 * (double)(p->ticks - ps->p[j].ticks) /
					     (double)(hz > 0 ? hz : 100) / ((double)dt / 1e9);
				break;
			}
		n++;
	}
	free(pids);
	free(ps->p);
	ps->p = out;
	ps->n = n;
	ps->cap = np ? (size_t)np : 1;
	ps->t_prev_ns = t;
	return 0;
}

void stats_procs_free(struct stats_procs *ps)
{
	free(ps->p);
	ps->p = NULL;
	ps->n = ps->cap = 0;
}
