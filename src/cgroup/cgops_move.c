/* Moving processes into a group (see cgops.h): a process with all of its
 * threads, optionally its descendants, rolled back on failure; and a whole
 * group's processes up into another. */
#include "cgops.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgops_impl.h"
#include "mapping.h"
#include "sys.h"

/* Rounds of "read, fix what is missing" before a move gives up: each round
 * catches the threads and children born during the one before. */
#define MOVE_ROUNDS 64

int cgops_write_id(const char *dir, const char *file, pid_t id)
{
	char path[PATH_MAX], v[16];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(v, sizeof(v), "%d", (int)id);
	return sys_write_file(path, v);
}

/* A thread on its way out: /proc lists it until it is reaped, but the
 * kernel moves no exiting task (PF_EXITING) and takes the write all the same. */
#define PF_EXITING_FLAG 0x00000004UL
static bool thread_exiting(pid_t tid)
{
	struct cg_proc_stat st;

	return cg_proc_stat(tid, &st, NULL) < 0 || (st.flags & PF_EXITING_FLAG) ||
	       st.state == 'Z' || st.state == 'X';
}

/* Moves one process into one hierarchy's dir: the whole thread group
 * through cgroup.procs, then each thread still missing from the group's
 * thread list (v1 threads may be apart; a thread born while the process
 * moved may have stayed) until the list holds them all. 1 moved, 0 gone. */
static int move_into(const struct cg_hdir *h, pid_t pid, cg_err *e)
{
	const char *procs = map_cgfile(MF_PROCS, h->v2), *threads = map_cgfile(MF_THREADS, h->v2);

	if (cgops_write_id(h->dir, procs, pid) < 0)
		return errno == ESRCH ? 0 : cg_err_sys(e, "moving pid %d into %s/%s", (int)pid, h->dir, procs);
	for (int round = 0; round < MOVE_ROUNDS; round++) {
		struct cg_ids tids = { 0 }, in = { 0 };
		bool all = true;
		int rc = 0;

		if (cgops_read_tids(pid, &tids) < 0)
			return errno == ESRCH ? 0 : cg_err_sys(e, "%s/%d/task", cg_proc_root, (int)pid);
		/* A process of one thread moved with the write (the kernel
		 * moves a whole thread group under the lock that fork takes,
		 * so no thread can be born outside meanwhile). Only a process
		 * with more threads has the group's thread list read: that
		 * list is the whole group's, and reading it for every process
		 * of an exec storm into a user's group of hundreds made each
		 * move cost as much as the group was large. */
		if (round == 0 && tids.n == 1 && tids.v[0] == pid) {
			cg_ids_free(&tids);
			return 1;
		}
		if (cgops_read_ids(h->dir, threads, &in) < 0) {
			cg_ids_free(&tids);
			return cg_err_sys(e, "%s/%s", h->dir, threads);
		}
		for (size_t k = 0; k < tids.n && rc == 0; k++) {
			if (cg_ids_has(&in, tids.v[k]) || (round > 0 && thread_exiting(tids.v[k])))
				continue;
			/* v2 moves threads only as a whole process */
			if ((h->v2 ? cgops_write_id(h->dir, procs, pid) : cgops_write_id(h->dir, threads, tids.v[k])) == 0)
				all = false;   /* moved: look again for threads born meanwhile */
			else if (errno != ESRCH)
				rc = cg_err_sys(e, "moving thread %d of pid %d into %s/%s", (int)tids.v[k],
						(int)pid, h->dir, h->v2 ? procs : threads);
			/* ESRCH: an exiting thread /proc still lists but no group holds */
		}
		cg_ids_free(&tids);
		cg_ids_free(&in);
		if (rc < 0)
			return -1;
		if (all)
			return 1;
	}
	return cg_err_set(e, EAGAIN, "pid %d: threads keep appearing outside %s; gave up after %d rounds",
			  (int)pid, h->dir, MOVE_ROUNDS);
}

/* What a move did, for putting it back. */
struct moved {
	pid_t pid;
	struct cg_where was;
	size_t done;   /* hierarchies moved */
};
struct moves {
	struct moved *v;
	size_t n;
};

static void moves_free(struct moves *m)
{
	for (size_t i = 0; i < m->n; i++)
		cg_where_free(&m->v[i].was);
	free(m->v);
}

static void roll_back(const struct cg_dirs *g, struct moves *m)
{
	for (size_t i = m->n; i-- > 0;) {
		struct moved *mv = &m->v[i];

		for (size_t h = mv->done; h-- > 0;) {
			struct cg_hdir back = g->h[h];

			back.dir = mv->was.dir[h];
			(void)move_into(&back, mv->pid, NULL);
		}
	}
}

/* Moves one pid into every hierarchy; recorded in m (where it was, when
 * rolling back). 1 moved, 0 gone, -1. */
static int move_one(const struct cg_dirs *g, pid_t pid, bool rollback, struct moves *m, cg_err *e)
{
	struct moved *mv, *nv = realloc(m->v, (m->n + 1) * sizeof(*nv));
	int rc = 1;

	if (!nv)
		return cg_err_set(e, ENOMEM, "out of memory");
	m->v = nv;
	mv = &m->v[m->n];
	memset(mv, 0, sizeof(*mv));
	mv->pid = pid;
	if (rollback && cg_proc_where(pid, g, &mv->was, e) < 0)
		return e->errnum == ESRCH ? 0 : -1;
	m->n++;
	for (size_t h = 0; h < g->n && rc == 1; h++) {
		rc = move_into(&g->h[h], pid, e);
		if (rc == 1)
			mv->done = h + 1;
	}
	return rc;
}

/* Moves the descendants of pid not in done yet, round after round: children
 * forked while their parent moved may have stayed, so look again until a
 * round finds nobody new. The count moved, or -1. */
static int move_descendants(const struct cg_dirs *g, pid_t pid, bool rollback, struct cg_ids *done,
			    struct moves *m, cg_err *e)
{
	int count = 0;

	for (int round = 0; round < MOVE_ROUNDS; round++) {
		struct cg_ids desc = { 0 };
		bool any = false;
		int rc = 0;

		if (cg_proc_descendants(pid, &desc, e) < 0)
			return -1;
		for (size_t i = 0; desc.v && i < desc.n && rc >= 0; i++) {
			int one;

			if (cg_ids_has(done, desc.v[i]))
				continue;
			any = true;
			if (cgops_ids_add(done, desc.v[i]) < 0) {
				rc = cg_err_set(e, ENOMEM, "out of memory");
				break;
			}
			one = move_one(g, desc.v[i], rollback, m, e);
			if (one < 0)
				rc = -1;
			else
				count += one;
		}
		cg_ids_free(&desc);
		if (rc < 0)
			return -1;
		if (!any)
			return count;
	}
	return cg_err_set(e, EAGAIN, "pid %d: new children keep appearing; gave up after %d rounds",
			  (int)pid, MOVE_ROUNDS);
}

int cg_move_process(const struct cg_dirs *g, const struct cg_proc *p, unsigned flags, cg_err *e)
{
	struct cg_ids done = { 0 };
	struct moves m = { 0 };
	bool rollback = flags & CG_MOVE_ROLLBACK;
	int rc, count = 0;

	if (!cg_proc_alive(p))
		return 0;   /* gone, or its pid is someone else's now */
	rc = move_one(g, p->pid, rollback, &m, e);
	if (rc > 0)
		count++;
	if (rc > 0 && cgops_ids_add(&done, p->pid) < 0)
		rc = cg_err_set(e, ENOMEM, "out of memory");
	if (rc > 0 && (flags & CG_MOVE_DESCENDANTS)) {
		int more = move_descendants(g, p->pid, rollback, &done, &m, e);

		if (more < 0)
			rc = -1;
		else
			count += more;
	}
	if (rc < 0 && rollback)
		roll_back(g, &m);
	moves_free(&m);
	cg_ids_free(&done);
	return rc < 0 ? -1 : count;
}

/* One process into to->dir, or on v2 EBUSY the nearest ancestor that takes
 * it. 1 moved, 0 gone, -1. */
static int move_up(const struct cg_hdir *to, pid_t pid, cg_err *e)
{
	char dest[PATH_MAX - 64];   /* room for the file name */
	struct cg_hdir h = *to;
	size_t ml = to->mount ? strlen(to->mount) : 0;

	snprintf(dest, sizeof(dest), "%s", to->dir);
	h.dir = dest;
	for (;;) {
		cg_err why = { 0 };
		char *slash;

		/* the whole thread group: a thread left behind keeps its pid in
		 * from's cgroup.procs, and the next round takes it */
		if (cgops_write_id(h.dir, map_cgfile(MF_PROCS, h.v2), pid) == 0)
			return 1;
		if (errno == ESRCH)
			return 0;
		cg_err_sys(&why, "moving pid %d into %s/%s", (int)pid, h.dir, map_cgfile(MF_PROCS, h.v2));
		slash = strrchr(dest, '/');
		if (!to->v2 || why.errnum != EBUSY || !to->mount || strlen(dest) <= ml || !slash) {
			if (e)
				*e = why;
			return -1;
		}
		*slash = '\0';
	}
}

int cg_move_all(const char *from, const struct cg_hdir *to, cg_err *e)
{
	const char *procs = map_cgfile(MF_PROCS, to->v2);

	for (int round = 0; round < MOVE_ROUNDS; round++) {
		struct cg_ids ids = { 0 };
		int rc = 0;

		if (cgops_read_ids(from, procs, &ids) < 0) {
			cg_ids_free(&ids);
			return cg_err_sys(e, "%s/%s", from, procs);
		}
		if (ids.n == 0)
			return 0;
		for (size_t i = 0; i < ids.n && rc >= 0; i++)
			if ((rc = move_up(to, ids.v[i], e)) < 0)
				cg_err_prefix(e, "emptying %s", from);
		cg_ids_free(&ids);
		if (rc < 0)
			return -1;
		cgops_sleep_ms(10);
	}
	return cg_err_set(e, EBUSY, "%s: processes keep appearing; could not empty it", from);
}

