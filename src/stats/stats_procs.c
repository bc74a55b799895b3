/* The processes of a group, for cgtop's process view: pids from cgops (of
 * every hierarchy holding the group, and of the groups below when asked),
 * figures from /proc/PID. Not on the hot path:
 * runs for the one group a user opened. */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "sys.h"

/* One process from /proc; -1 when it is gone. */
static int read_proc(int pid, struct stats_proc *p)
{
	char path[64], buf[1024];
	const char *close_paren;
	unsigned long utime, stime;
	unsigned long long start;
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
		   "%llu %*u %ld",
		   &state, &utime, &stime, &start, &rss) != 5)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->state = state;
	p->ticks = utime + stime;
	p->start = start;
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

int stats_procs_read(struct stats_procs *ps, const struct cg_dirs *g, bool recursive, cg_err *e)
{
	struct cg_ids ids = {0};
	const pid_t *pids;
	long np;
	struct stats_proc *out;
	struct timespec ts;
	uint64_t t, dt;
	long hz = sysconf(_SC_CLK_TCK);
	size_t n = 0;

	if (cg_procs_list(g, recursive ? CG_LIST_RECURSIVE : 0, &ids, e) < 0)
		return -1;
	pids = ids.v;
	np = (long)ids.n;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	dt = ps->t_prev_ns && t > ps->t_prev_ns ? t - ps->t_prev_ns : 0;
	out = calloc(np ? (size_t)np : 1, sizeof(*out));
	if (!out) {
		cg_ids_free(&ids);
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
	cg_ids_free(&ids);
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
