/* `cgrun --pid PID [--tree]`: moves a running process, with all its
 * threads (and with --tree its descendants), into the profile's group. The
 * cgrun command's verb: it says what it moved; the group is made and left
 * as a launch's (launch_cg.h), the processes move through cgops.h, which
 * puts back every one already moved when a move fails half-way. */
#include "launch.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgops.h"
#include "cleanup.h"
#include "err.h"
#include "launch_cg.h"
#include "launch_load.h"
#include "layout.h"
#include "mapping.h"
#include "plan.h"
#include "profile.h"
#include "sys.h"

/* From /proc/PID/stat: state, parent, flags. Returns -1 when pid is gone. */
static int proc_stat(pid_t pid, char *state, pid_t *ppid, unsigned long *flags)
{
	char path[64], buf[1024], *rp;
	int pp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (sys_read_file(path, buf, sizeof(buf)) < 0 || !(rp = strrchr(buf, ')')) ||
	    sscanf(rp + 1, " %c %d %*d %*d %*d %*d %lu", state, &pp, flags) != 3)
		return -1;
	*ppid = pp;
	return 0;
}

#define PF_KTHREAD_FLAG 0x00200000UL   /* include/linux/sched.h */

/* What --pid does not move, said before anything is touched: pid 1, a
 * kernel thread, a zombie, cgrun itself and its ancestors. */
static int pid_refused(pid_t pid, cg_err *e)
{
	char comm[64], st, path[64], exe[16];
	unsigned long flags;
	pid_t ppid, a;
	int hops;

	if (proc_stat(pid, &st, &ppid, &flags) < 0)
		return cg_err_set(e, ESRCH, "--pid %d: no such process", (int)pid);
	cg_proc_comm(pid, comm, sizeof(comm));
	if (pid == 1)
		return cg_err_set(e, 0, "--pid 1: pid 1 (%s) is the init of the system or of its pid "
				  "namespace; cgrun does not move it", comm);
	if (st == 'Z' || st == 'X')
		return cg_err_set(e, 0, "--pid %d: pid %d (%s) is a zombie: it has ended and waits for "
				  "its parent (pid %d) to reap it; there is nothing to move",
				  (int)pid, (int)pid, comm, (int)ppid);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((flags & PF_KTHREAD_FLAG) || (readlink(path, exe, sizeof(exe)) < 0 && errno == ENOENT))
		return cg_err_set(e, 0, "--pid %d: pid %d (%s) is a kernel thread; kernel threads are "
				  "not moved into groups: give the pid of a user process",
				  (int)pid, (int)pid, comm);
	if (pid == getpid())
		return cg_err_set(e, 0, "--pid %d: that is this cgrun itself", (int)pid);
	for (a = getppid(), hops = 0; a > 1 && hops < 4096; hops++) {
		if (a == pid)
			return cg_err_set(e, 0, "--pid %d: pid %d (%s) is an ancestor of this cgrun (it "
					  "started it); cgrun does not move its own processes: run "
					  "cgrun --pid %d from another session",
					  (int)pid, (int)pid, comm, (int)pid);
		if (proc_stat(a, &st, &ppid, &flags) < 0)
			break;
		a = ppid;
	}
	return 0;
}

/* The cause, when the kernel refused to move one of pids in: a v1 cpu
 * group without real-time runtime refuses a SCHED_FIFO/RR task. Returns
 * whether e now says so. */
static bool move_refused(const struct cg_ids *pids, const struct launch_cg *c, cg_err *e)
{
	const char *cpu = launch_cg_group(c, CTRL_CPU);
	char comm[64], path[PATH_MAX], rt[32] = "";
	cg_err why = *e;
	pid_t pid = 0;
	int policy = -1;

	if (!cpu || cg_layout_is_v2(c->layout, CTRL_CPU))
		return false;
	for (size_t i = 0; i < pids->n && !pid; i++) {
		policy = sched_getscheduler(pids->v[i]);
		if (policy == SCHED_FIFO || policy == SCHED_RR)
			pid = pids->v[i];
	}
	if (!pid)
		return false;
	cg_proc_comm(pid, comm, sizeof(comm));
	snprintf(path, sizeof(path), "%s/%s", cpu, map_counter_file(MC_CPU_RT_RUNTIME, false));
	if (sys_read_file(path, rt, sizeof(rt)) < 0)
		snprintf(rt, sizeof(rt), "?");
	rt[strcspn(rt, "\n")] = '\0';
	cg_err_set(e, why.errnum,
		   "--pid: pid %d (%s) runs under %s; cgroup v1 cpu groups with %s 0 "
		   "refuse real-time tasks (%s is %s): give the process a normal policy "
		   "(chrt -o -p 0 %d) or the group real-time runtime; the kernel said: %s",
		   (int)pid, comm, policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_RR",
		   map_counter_file(MC_CPU_RT_RUNTIME, false), path, rt, (int)pid, why.msg);
	return true;
}

/* pid, and with tree its descendants: who is there to report on. */
static int tree_of(pid_t pid, bool tree, struct cg_ids *out, cg_err *e)
{
	struct cg_ids d = { 0 };

	memset(out, 0, sizeof(*out));
	out->v = malloc(sizeof(pid_t));
	if (!out->v)
		return cg_err_set(e, ENOMEM, "out of memory");
	out->v[0] = pid;
	out->n = out->cap = 1;
	if (!tree)
		return 0;
	if (cg_proc_descendants(pid, &d, e) < 0)
		return -1;
	for (size_t i = 0; i < d.n; i++) {
		if (out->n == out->cap) {
			pid_t *v = realloc(out->v, out->cap * 2 * sizeof(pid_t));

			if (!v) {
				cg_ids_free(&d);
				return cg_err_set(e, ENOMEM, "out of memory");
			}
			out->v = v;
			out->cap *= 2;
		}
		out->v[out->n++] = d.v[i];
	}
	cg_ids_free(&d);
	return 0;
}

/* Says what moved: each process with its threads, then the leaves. */
static void report(const struct cg_ids *moved, const struct launch_cg *c, const char *group,
		   const char *child)
{
	size_t n = 0;
	int threads = 0;

	for (size_t i = 0; i < moved->n; i++) {
		struct cg_ids t = { 0 };
		char comm[64];
		int nt;

		if (cg_proc_threads(moved->v[i], &t, NULL) < 0)
			continue;   /* ended since */
		nt = (int)t.n;
		cg_ids_free(&t);
		cg_proc_comm(moved->v[i], comm, sizeof(comm));
		printf("cgrun: moved pid %d (%s, %d thread%s)\n", (int)moved->v[i], comm, nt,
		       nt == 1 ? "" : "s");
		n++;
		threads += nt;
	}
	printf("cgrun: %zu process%s, %d thread%s now in group %s%s%s:\n", n, n == 1 ? "" : "es",
	       threads, threads == 1 ? "" : "s", group, child ? "/" : "", child ? child : "");
	for (size_t i = 0; i < c->n; i++)
		printf("  %s\n", c->leaf[i]);
}

int launch_pid_move(struct launch_cg *c, const struct profile *p, const struct cg_layout *l,
		    const struct plan_opts *po, const char *child, pid_t pid, bool tree,
		    struct cg_ids *moved, struct diags *d, cg_err *e)
{
	struct cg_proc proc;
	struct cg_dirs g;
	bool entered = false;
	int n, rc = -1;

	memset(moved, 0, sizeof(*moved));
	if (pid_refused(pid, e) < 0)
		return -1;
	/* the start time: a pid reused meanwhile is not moved */
	if (cg_proc_get(pid, &proc, e) < 0) {
		cg_err_prefix(e, "--pid %d", (int)pid);
		return -1;
	}
	if (launch_cg_prepare(c, p, l, po, child, d, e) < 0)
		return -1;
	entered = true;
	if (c->n == 0) {
		cg_err_set(e, 0, "--pid: the profile sets no limit: give a resource section or --cpu, --memory, --pids");
		goto out;
	}
	if (launch_cg_set_pid(c, pid, e) < 0 || launch_cg_make_leaves(c, e) < 0)
		goto out;
	/* the leaf is there with the pid alive: no other launch or --gc takes it */
	launch_unlock(c->lock_fd);
	c->lock_fd = -1;
	launch_cg_dirs(c, c->leaf, &g);
	/* a failure puts back every process already moved */
	n = cg_move_process(&g, &proc, CG_MOVE_ROLLBACK | (tree ? CG_MOVE_DESCENDANTS : 0), e);
	/* who is there (the tree, for the cause of a refusal or the report) */
	(void)tree_of(pid, tree, moved, NULL);
	if (n < 0) {
		if (!move_refused(moved, c, e))
			cg_err_prefix(e, "--pid %d: moving it%s into group %s (every process moved "
				      "is back where it was)", (int)pid, tree ? " and its descendants" : "",
				      p->group.name.s);
		goto out;
	}
	if (n == 0) {
		cg_err_set(e, ESRCH, "--pid %d: the process ended before it could be moved", (int)pid);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && entered && c->n) {
		/* what this call made goes; a leaf that holds a process stays */
		cg_err abandon = { 0 };

		if (launch_cg_abandon(c, &abandon) < 0) {
			size_t len = strlen(e->msg);

			snprintf(e->msg + len, sizeof(e->msg) - len, "; and undoing: %s", abandon.msg);
		}
	}
	if (rc < 0)
		cg_ids_free(moved);
	return rc;
}

/* A user that is not root moves only processes of its own (the kernel would
 * refuse the others half-way, or move one it may not signal). */
static int own_process(pid_t pid, cg_err *e)
{
	char path[64];
	struct stat st;

	if (geteuid() == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0)
		return cg_err_sys(e, "--pid %d", (int)pid);
	if (st.st_uid != geteuid())
		return cg_err_set(e, EPERM,
				  "--pid %d: the process is not yours (uid %u, you are %u): as a user, "
				  "cgrun moves only your own processes; run it as root to move others",
				  (int)pid, (unsigned)st.st_uid, (unsigned)geteuid());
	return 0;
}

int launch_move_pid(const struct launch_opts *o)
{
	struct launch_opts oo = *o;
	struct launch_cg c;
	struct cg_layout l = { 0 };
	struct plan_opts po = { .parent = o->ov.parent };
	struct profile *p = NULL, *base = NULL;
	struct cg_ids moved = { 0 };
	struct diags d;
	cg_err e = { 0 };
	char ovtext[512];
	char comm[64], *argv0[2] = { comm, NULL };
	int rc = CGRUN_EXIT_FAIL;

	launch_cg_init(&c);
	if (pid_refused(o->pid, &e) < 0) {
		fprintf(stderr, "cgrun: %s\n", e.msg);
		return CGRUN_EXIT_FAIL;
	}
	cg_proc_comm(o->pid, comm, sizeof(comm));
	oo.argv = argv0;
	p = launch_load(&oo, true, &e);
	if (!p || cg_layout_detect(&l, &e) < 0)
		goto out;
	base = launch_load_base(&oo, ovtext, sizeof(ovtext), &e);
	if (!base && *ovtext)
		goto out;
	if (own_process(o->pid, &e) < 0 || launch_unpriv_check(p, &l, po.parent, &e) < 0)
		goto out;
	c.base = base;
	c.overrides = ovtext;
	diags_init(&d, p->path ? p->path : "");
	if (launch_pid_move(&c, p, &l, &po, o->ov.child, o->pid, o->tree, &moved, &d, &e) < 0) {
		diags_print(&d, stderr);
		goto out;
	}
	report(&moved, &c, p->group.name.s, o->ov.child);
	rc = 0;
out:
	if (rc && e.msg[0])
		fprintf(stderr, "cgrun: %s\n", e.msg);
	cg_ids_free(&moved);
	launch_cg_free(&c);
	cg_layout_free(&l);
	if (p)
		profile_free(p);
	if (base)
		profile_free(base);
	return rc;
}
