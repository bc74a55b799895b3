/* Operations on a group's processes (see cgops.h). */
#include "cgops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "mapping.h"
#include "sys.h"

/* Rounds of "read, fix what is missing" before a move gives up: each round
 * catches the threads and children born during the one before. */
#define MOVE_ROUNDS 64
#define KILL_ROUNDS 5

const char *cg_proc_root = "/proc";

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- pid sets ---- */

void cg_ids_free(struct cg_ids *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool cg_ids_has(const struct cg_ids *s, pid_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

static int ids_add(struct cg_ids *s, pid_t id)
{
	if (cg_ids_has(s, id))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		pid_t *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return 0;
}

/* ---- processes, from /proc ---- */

static int read_tids(pid_t pid, struct cg_ids *out);

/* The text of /proc/PID/<file>; -1 with ESRCH when the process is gone. */
static ssize_t proc_read(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/%s", cg_proc_root, (int)pid, file);
	n = sys_read_file(path, buf, len);
	if (n < 0 && errno == ENOENT)
		errno = ESRCH;
	return n;
}

/* Field 22 of /proc/PID/stat (counted after the command, which may hold
 * spaces and parentheses); the parent's pid when ppid is not NULL. */
static int proc_stat(pid_t pid, unsigned long long *start, pid_t *ppid)
{
	char buf[1024];
	const char *s;
	int field = 2, pp = 0;

	if (proc_read(pid, "stat", buf, sizeof(buf)) < 0)
		return -1;
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 1, " %*c %d", &pp) != 1) {
		errno = ESRCH;
		return -1;
	}
	while (*s && field < 22) {
		s += strcspn(s, " ");
		s += strspn(s, " ");
		field++;
	}
	if (!*s) {
		errno = ESRCH;
		return -1;
	}
	*start = strtoull(s, NULL, 10);
	if (ppid)
		*ppid = pp;
	return 0;
}

int cg_proc_get(pid_t pid, struct cg_proc *out, cg_err *e)
{
	out->pid = pid;
	if (proc_stat(pid, &out->start, NULL) < 0)
		return cg_err_sys(e, "process %d", (int)pid);
	return 0;
}

bool cg_proc_alive(const struct cg_proc *p)
{
	unsigned long long start;

	if (p->pid <= 0 || proc_stat(p->pid, &start, NULL) < 0)
		return false;
	return !p->start || start == p->start;
}

void cg_proc_comm(pid_t pid, char *out, size_t len)
{
	if (proc_read(pid, "comm", out, len) < 0)
		snprintf(out, len, "?");
	out[strcspn(out, "\n")] = '\0';
}

int cg_proc_threads(pid_t pid, struct cg_ids *out, cg_err *e)
{
	if (read_tids(pid, out) == 0)
		return 0;
	if (errno == ENOMEM)
		return cg_err_set(e, ENOMEM, "out of memory");
	return cg_err_sys(e, "threads of process %d", (int)pid);
}

static int read_tids(pid_t pid, struct cg_ids *out)
{
	char path[PATH_MAX];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/%d/task", cg_proc_root, (int)pid);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && ids_add(out, (pid_t)atoi(de->d_name)) < 0)
			return -1;
	return 0;
}

int cg_proc_descendants(pid_t pid, struct cg_ids *out, cg_err *e)
{
	_cleanup_closedir_ DIR *d = opendir(cg_proc_root);
	_cleanup_free_ pid_t *pids = NULL, *ppids = NULL;
	size_t np = 0, cap = 0, first = out->n;
	struct dirent *de;

	if (!d)
		return cg_err_sys(e, "%s", cg_proc_root);
	while ((de = readdir(d))) {
		unsigned long long start;
		pid_t p = (pid_t)atoi(de->d_name), pp;

		if (p <= 0 || proc_stat(p, &start, &pp) < 0)
			continue;
		if (np == cap) {
			size_t nc = cap ? cap * 2 : 256;
			pid_t *a = realloc(pids, nc * sizeof(pid_t)), *b;

			if (!a)
				return cg_err_set(e, ENOMEM, "out of memory");
			pids = a;
			b = realloc(ppids, nc * sizeof(pid_t));
			if (!b)
				return cg_err_set(e, ENOMEM, "out of memory");
			ppids = b;
			cap = nc;
		}
		pids[np] = p;
		ppids[np++] = pp;
	}
	/* breadth first: each found child's own children are looked for in turn */
	if (ids_add(out, pid) < 0)
		return cg_err_set(e, ENOMEM, "out of memory");
	for (size_t k = first; k < out->n; k++)
		for (size_t i = 0; i < np; i++)
			if (ppids[i] == out->v[k] && pids[i] != pid && ids_add(out, pids[i]) < 0)
				return cg_err_set(e, ENOMEM, "out of memory");
	/* the list holds the descendants only */
	if (out->v && out->n > first + 1)
		memmove(out->v + first, out->v + first + 1, (out->n - first - 1) * sizeof(pid_t));
	out->n--;
	return 0;
}

/* ---- listing ---- */

/* The ids in dir/file, one a line, added to out; a directory that is gone
 * adds nothing. Plain reads: an empty group costs an open, a read and a
 * close. */
static int read_ids(const char *dir, const char *file, struct cg_ids *out)
{
	char path[PATH_MAX], buf[4096];
	_cleanup_close_ int fd = -1;
	long v = 0;
	bool in = false;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENODEV ? 0 : -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENODEV ? 0 : -1;
		}
		/* a number may go on in the next read */
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				v = v * 10 + (buf[i] - '0');
				in = true;
			} else if (in) {
				if (ids_add(out, (pid_t)v) < 0)
					return -1;
				v = 0;
				in = false;
			}
		}
	}
	if (in && ids_add(out, (pid_t)v) < 0)
		return -1;
	return 0;
}

int cg_has_procs(const char *dir, bool v2, cg_err *e)
{
	char path[PATH_MAX], few[16];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, map_cgfile(MF_PROCS, v2));
	n = sys_read_file(path, few, sizeof(few));
	if (n < 0)
		return errno == ENOENT || errno == ENODEV ? 0 : cg_err_sys(e, "reading %s", path);
	return n > 0;
}

int cg_procs_read(const char *dir, bool v2, unsigned flags, struct cg_ids *out, cg_err *e)
{
	const char *file = map_cgfile(flags & CG_LIST_THREADS ? MF_THREADS : MF_PROCS, v2);
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (read_ids(dir, file, out) < 0)
		return cg_err_sys(e, "%s/%s", dir, file);
	if (!(flags & CG_LIST_RECURSIVE))
		return 0;
	if (cg_children(dir, &names, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char sub[PATH_MAX];

		snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]);
		rc = cg_procs_read(sub, v2, flags, out, e);
	}
	cg_names_free(names);
	return rc;
}

int cg_procs_list(const struct cg_dirs *g, unsigned flags, struct cg_ids *out, cg_err *e)
{
	for (size_t i = 0; i < g->n; i++)
		if (cg_procs_read(g->h[i].dir, g->h[i].v2, flags, out, e) < 0)
			return -1;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cg_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

int cg_children(const char *dir, char ***names, size_t *n, cg_err *e)
{
	_cleanup_closedir_ DIR *d = NULL;
	char **v = calloc(1, sizeof(char *));
	struct dirent *de;
	struct stat st;

	*names = NULL;
	*n = 0;
	if (!v)
		return cg_err_set(e, ENOMEM, "out of memory");
	/* A directory's link count is 2 + its subdirectories on cgroupfs (and
	 * tmpfs): 2 means no child group, and a stat is far cheaper than
	 * reading the dozens of files of a group's directory. */
	if (stat(dir, &st) == 0 && st.st_nlink == 2) {
		*names = v;
		return 0;
	}
	d = opendir(dir);
	if (!d) {
		*names = v;
		if (errno == ENOENT)
			return 0;
		return cg_err_sys(e, "%s", dir);
	}
	while ((de = readdir(d))) {
		char **nv;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		nv = realloc(v, (*n + 2) * sizeof(char *));
		if (!nv || !(nv[*n] = strdup(de->d_name))) {
			cg_names_free(nv ? nv : v);
			return cg_err_set(e, ENOMEM, "out of memory");
		}
		v = nv;
		v[++*n] = NULL;
	}
	qsort(v, *n, sizeof(char *), name_cmp);
	*names = v;
	return 0;
}

/* ---- where a process is ---- */

/* The path of hierarchy h in a /proc/PID/cgroup text ("4:cpu,cpuacct:/a",
 * "0::/a"), relative to its root; NULL when the text has no such line. */
static const char *cgroup_line(const char *text, const struct cg_hdir *h, char *out, size_t len)
{
	for (const char *s = text; *s;) {
		size_t ll = strcspn(s, "\n");
		const char *c1 = memchr(s, ':', ll), *c2;

		c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - s)) : NULL;
		if (c2) {
			size_t cl = (size_t)(c2 - c1 - 1);
			bool match = false;

			if (h->v2)
				match = cl == 0 && !strncmp(s, "0:", 2);
			else if (h->ctrl && cl) {
				size_t want = strlen(h->ctrl);

				for (const char *w = c1 + 1; w < c2;) {
					size_t wl = strcspn(w, ",:");

					match |= wl == want && !strncmp(w, h->ctrl, wl);
					w += wl + 1;
				}
			}
			if (match) {
				snprintf(out, len, "%.*s", (int)(ll - (size_t)(c2 + 1 - s)), c2 + 1);
				return out;
			}
		}
		s += ll;
		s += *s == '\n';
	}
	return NULL;
}

static int where_one(const char *text, const struct cg_hdir *h, char **dir)
{
	char buf[PATH_MAX];
	const char *rel = buf;
	size_t rl = h->root ? strlen(h->root) : 0;

	if (!h->mount || !cgroup_line(text, h, buf, sizeof(buf))) {
		errno = ENOENT;
		return -1;
	}
	/* a mount that shows a subtree ("/x"): paths are below it */
	if (rl > 1 && !strncmp(rel, h->root, rl) && (!rel[rl] || rel[rl] == '/'))
		rel += rl;
	/* "/" is the root: the mount itself */
	if (asprintf(dir, "%s%s", h->mount, strcmp(rel, "/") ? rel : "") < 0) {
		*dir = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int cg_proc_where(pid_t pid, const struct cg_dirs *g, struct cg_where *out, cg_err *e)
{
	char text[8192];

	memset(out, 0, sizeof(*out));
	if (proc_read(pid, "cgroup", text, sizeof(text)) < 0)
		return cg_err_sys(e, "process %d", (int)pid);
	for (size_t i = 0; i < g->n; i++) {
		if (where_one(text, &g->h[i], &out->dir[i]) < 0) {
			cg_where_free(out);
			if (errno == ENOMEM)
				return cg_err_set(e, ENOMEM, "out of memory");
			return cg_err_set(e, ENOENT,
					  "process %d: %s/cgroup has no line for the hierarchy of %s "
					  "(mount %s, controller %s)",
					  (int)pid, cg_proc_root, g->h[i].dir,
					  g->h[i].mount ? g->h[i].mount : "not given",
					  g->h[i].v2 ? "unified" : g->h[i].ctrl ? g->h[i].ctrl : "not given");
		}
	}
	out->n = g->n;
	return 0;
}

void cg_where_free(struct cg_where *w)
{
	for (size_t i = 0; i < CG_MAX_HIER; i++)
		free(w->dir[i]);
	memset(w, 0, sizeof(*w));
}

/* Is the process (still) in dir of hierarchy h, or below it? Unknown
 * (no mount given) counts as yes. */
static bool proc_in(pid_t pid, const struct cg_hdir *h)
{
	char text[8192];
	_cleanup_free_ char *dir = NULL;
	size_t dl = strlen(h->dir);

	if (!h->mount)
		return true;
	if (proc_read(pid, "cgroup", text, sizeof(text)) < 0 || where_one(text, h, &dir) < 0)
		return false;
	return !strncmp(dir, h->dir, dl) && (!dir[dl] || dir[dl] == '/');
}

/* ---- moving ---- */

static int write_id(const char *dir, const char *file, pid_t id)
{
	char path[PATH_MAX], v[16];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(v, sizeof(v), "%d", (int)id);
	return sys_write_file(path, v);
}

/* Moves one process into one hierarchy's dir: the whole thread group
 * through cgroup.procs, then each thread still missing from the group's
 * thread list (v1 threads may be apart; a thread born while the process
 * moved may have stayed) until the list holds them all. 1 moved, 0 gone. */
static int move_into(const struct cg_hdir *h, pid_t pid, cg_err *e)
{
	const char *procs = map_cgfile(MF_PROCS, h->v2), *threads = map_cgfile(MF_THREADS, h->v2);

	if (write_id(h->dir, procs, pid) < 0)
		return errno == ESRCH ? 0 : cg_err_sys(e, "moving pid %d into %s/%s", (int)pid, h->dir, procs);
	for (int round = 0; round < MOVE_ROUNDS; round++) {
		struct cg_ids tids = { 0 }, in = { 0 };
		bool all = true;
		int rc = 0;

		if (read_tids(pid, &tids) < 0)
			return errno == ESRCH ? 0 : cg_err_sys(e, "%s/%d/task", cg_proc_root, (int)pid);
		if (read_ids(h->dir, threads, &in) < 0) {
			cg_ids_free(&tids);
			return cg_err_sys(e, "%s/%s", h->dir, threads);
		}
		for (size_t k = 0; k < tids.n && rc == 0; k++) {
			if (cg_ids_has(&in, tids.v[k]))
				continue;
			all = false;
			/* v2 moves threads only as a whole process */
			if ((h->v2 ? write_id(h->dir, procs, pid) : write_id(h->dir, threads, tids.v[k])) < 0 &&
			    errno != ESRCH)
				rc = cg_err_sys(e, "moving thread %d of pid %d into %s/%s", (int)tids.v[k],
						(int)pid, h->dir, h->v2 ? procs : threads);
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
	if (rc > 0 && ids_add(&done, p->pid) < 0)
		rc = cg_err_set(e, ENOMEM, "out of memory");
	/* children forked while their parent moved may have stayed: look again
	 * until a round finds nobody new */
	for (int round = 0; rc > 0 && (flags & CG_MOVE_DESCENDANTS); round++) {
		struct cg_ids desc = { 0 };
		bool any = false;

		if (round == MOVE_ROUNDS) {
			rc = cg_err_set(e, EAGAIN, "pid %d: new children keep appearing; gave up after %d rounds",
					(int)p->pid, MOVE_ROUNDS);
			break;
		}
		if (cg_proc_descendants(p->pid, &desc, e) < 0) {
			rc = -1;
			break;
		}
		for (size_t i = 0; desc.v && i < desc.n && rc >= 0; i++) {
			if (cg_ids_has(&done, desc.v[i]))
				continue;
			any = true;
			if (ids_add(&done, desc.v[i]) < 0) {
				rc = cg_err_set(e, ENOMEM, "out of memory");
				break;
			}
			int one = move_one(g, desc.v[i], rollback, &m, e);

			if (one < 0)
				rc = -1;
			else
				count += one;
		}
		cg_ids_free(&desc);
		if (!any)
			break;
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
		if (write_id(h.dir, map_cgfile(MF_PROCS, h.v2), pid) == 0)
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

		if (read_ids(from, procs, &ids) < 0) {
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
		sleep_ms(10);
	}
	return cg_err_set(e, EBUSY, "%s: processes keep appearing; could not empty it", from);
}

/* ---- freezing ---- */

/* The hierarchy of g that freezes: the unified one, else v1's freezer. */
static const struct cg_hdir *freezer_of(const struct cg_dirs *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->h[i].v2)
			return &g->h[i];
	for (size_t i = 0; i < g->n; i++)
		if (g->h[i].ctrl && !strcmp(g->h[i].ctrl, MAP_V1_FREEZER))
			return &g->h[i];
	return NULL;
}

static int read_state(const struct cg_hdir *h, char *buf, size_t len, cg_err *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", h->dir, map_cgfile(MF_FREEZE_STATE, h->v2));
	if (sys_read_file(path, buf, len) < 0)
		return cg_err_sys(e, "reading %s", path);
	return 0;
}

int cg_frozen(const struct cg_dirs *g, cg_err *e)
{
	const struct cg_hdir *h = freezer_of(g);
	char buf[512];
	int st;

	if (!h)
		return cg_err_set(e, ENOTSUP, "%s is in no hierarchy that can freeze it",
				  g->n ? g->h[0].dir : "the group");
	if (read_state(h, buf, sizeof(buf), e) < 0)
		return -1;
	st = map_parse_frozen(buf, h->v2);
	if (st < 0)
		return cg_err_set(e, EINVAL, "%s/%s: cannot tell its state from \"%.40s\"", h->dir,
				  map_cgfile(MF_FREEZE_STATE, h->v2), buf);
	return st;
}

/* Waits until the state reads want (1 frozen, 0 thawed), up to timeout_ms.
 * v2 cgroup.events signals a change with POLLPRI; v1 freezer.state is
 * read again after a growing pause. 0, or -1 with the last text in last. */
static int wait_state(const struct cg_hdir *h, int want, int timeout_ms, char *last, size_t len,
		      cg_err *e)
{
	char path[PATH_MAX];
	long end = now_ms() + timeout_ms, step = 1;

	snprintf(path, sizeof(path), "%s/%s", h->dir, map_cgfile(MF_FREEZE_STATE, h->v2));
	for (;;) {
		_cleanup_close_ int fd = -1;
		long left;

		if (h->v2)
			fd = open(path, O_RDONLY | O_CLOEXEC);   /* armed before the read */
		if (read_state(h, last, len, e) < 0)
			return -1;
		if (map_parse_frozen(last, h->v2) == want)
			return 0;
		left = end - now_ms();
		if (left <= 0)
			return cg_err_set(e, ETIMEDOUT, "%s/%s still reads \"%.*s\" after %d ms", h->dir,
					  map_cgfile(MF_FREEZE_STATE, h->v2), (int)strcspn(last, "\n"),
					  last, timeout_ms);
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLPRI };
			char tmp[256];

			(void)!read(fd, tmp, sizeof(tmp));   /* kernfs: poll waits for the next change */
			if (poll(&pfd, 1, (int)(left < 100 ? left : 100)) > 0 && (pfd.revents & POLLPRI))
				continue;
		}
		sleep_ms(step < left ? step : left);
		if (step < 50)
			step *= 2;
	}
}

static int set_frozen(const struct cg_dirs *g, bool freeze, int timeout_ms, cg_err *e)
{
	const struct cg_hdir *h = freezer_of(g);
	const char *file, *value;
	char path[PATH_MAX], last[512] = "";

	if (!h)
		return cg_err_set(e, ENOTSUP, "%s is in no hierarchy that can freeze it",
				  g->n ? g->h[0].dir : "the group");
	file = map_cgfile(MF_FREEZE, h->v2);
	value = map_freeze_value(freeze, h->v2);
	snprintf(path, sizeof(path), "%s/%s", h->dir, file);
	if (sys_write_file(path, value) < 0)
		return cg_err_sys(e, "writing \"%s\" to %s", value, path);
	if (wait_state(h, freeze ? 1 : 0, timeout_ms, last, sizeof(last), e) < 0) {
		/* half frozen helps nobody: thaw, and say what was seen */
		if (freeze)
			(void)sys_write_file(path, map_freeze_value(false, h->v2));
		return -1;
	}
	return 0;
}

int cg_freeze(const struct cg_dirs *g, int timeout_ms, cg_err *e)
{
	return set_frozen(g, true, timeout_ms, e);
}

int cg_thaw(const struct cg_dirs *g, int timeout_ms, cg_err *e)
{
	return set_frozen(g, false, timeout_ms, e);
}

/* ---- signals ---- */

/* Sends sig through a pidfd opened on pid once check(pid) holds on it (the
 * pidfd pins the process; the check on /proc tells it is the right one), or
 * with kill(2) where the kernel has no pidfds. 1 sent, 0 gone, -1 errno. */
static int send_checked(pid_t pid, int sig, bool (*check)(pid_t, const void *), const void *arg)
{
	_cleanup_close_ int fd = sys_pidfd_open(pid, 0);

	if (fd < 0 && errno != ENOSYS)
		return errno == ESRCH ? 0 : -1;
	if (!check(pid, arg))
		return 0;
	if ((fd >= 0 ? sys_pidfd_send_signal(fd, sig) : sys_kill(pid, sig)) == 0)
		return 1;
	return errno == ESRCH ? 0 : -1;
}

static bool same_start(pid_t pid, const void *arg)
{
	const struct cg_proc *p = arg;
	unsigned long long start;

	if (proc_stat(pid, &start, NULL) < 0)
		return false;
	return !p->start || start == p->start;
}

int cg_signal_proc(const struct cg_proc *p, int sig, cg_err *e)
{
	int rc = send_checked(p->pid, sig, same_start, p);

	if (rc < 0)
		return cg_err_sys(e, "sending signal %d to pid %d", sig, (int)p->pid);
	return rc;
}

static bool in_group(pid_t pid, const void *arg)
{
	return proc_in(pid, arg);
}

int cg_signal_all(const struct cg_dirs *g, int sig, unsigned flags, struct cg_signal_count *c,
		  cg_err *e)
{
	struct cg_ids ids = { 0 };

	memset(c, 0, sizeof(*c));
	for (size_t h = 0; h < g->n; h++) {
		size_t before = ids.n;

		if (cg_procs_read(g->h[h].dir, g->h[h].v2, flags & CG_LIST_RECURSIVE, &ids, e) < 0) {
			cg_ids_free(&ids);
			return -1;
		}
		for (size_t i = before; i < ids.n; i++) {
			int rc = send_checked(ids.v[i], sig, in_group, &g->h[h]);

			if (rc > 0)
				c->sent++;
			else if (rc == 0)
				c->gone++;
			else if (errno == EPERM)
				c->denied++;
			else {
				cg_err_sys(e, "sending signal %d to pid %d of %s", sig, (int)ids.v[i], g->h[h].dir);
				cg_ids_free(&ids);
				return -1;
			}
		}
	}
	cg_ids_free(&ids);
	return 0;
}

/* Empty in every hierarchy (and below)? 1 yes, 0 no, -1. */
static int is_empty(const struct cg_dirs *g, struct cg_ids *left, cg_err *e)
{
	cg_ids_free(left);
	if (cg_procs_list(g, CG_LIST_RECURSIVE, left, e) < 0)
		return -1;
	return left->n == 0;
}

static int kill_rounds(const struct cg_dirs *g, struct cg_ids *left, cg_err *e)
{
	struct cg_signal_count c;
	int rc = 0;

	for (int round = 0; round < KILL_ROUNDS && rc == 0; round++) {
		if (cg_signal_all(g, SIGKILL, CG_LIST_RECURSIVE, &c, e) < 0)
			return -1;
		sleep_ms(1);
		rc = is_empty(g, left, e);
	}
	return rc;
}

/* v1, no freezer in g: round after round, every process of g goes into the
 * frozen spare group (a process moved into a frozen v1 group freezes), is
 * killed there and dies at the thaw; then the spare goes. 0 or -1. */
static int kill_in_spare(const struct cg_dirs *g, int timeout_ms, cg_err *e)
{
	struct cg_dirs s = { .n = 1 };
	const char *procs = map_cgfile(MF_PROCS, false);
	int rc = 0;

	s.h[0] = (struct cg_hdir){ .dir = g->spare_freezer, .ctrl = MAP_V1_FREEZER };
	if (sys_mkdir(g->spare_freezer, 0755) < 0 && errno != EEXIST)
		return cg_err_sys(e, "creating %s to freeze %s in", g->spare_freezer, g->h[0].dir);
	for (int round = 0; round < 100 && rc == 0; round++) {
		struct cg_ids ids = { 0 };
		struct cg_signal_count c;

		if (cg_procs_list(g, CG_LIST_RECURSIVE, &ids, e) < 0)
			rc = -1;
		if (rc < 0 || ids.n == 0) {
			cg_ids_free(&ids);
			break;
		}
		if (cg_freeze(&s, timeout_ms, e) < 0)
			rc = -1;
		for (size_t i = 0; i < ids.n && rc == 0; i++)
			(void)write_id(g->spare_freezer, procs, ids.v[i]);
		if (rc == 0 && cg_signal_all(&s, SIGKILL, 0, &c, e) < 0)
			rc = -1;
		if (cg_thaw(&s, timeout_ms, rc < 0 ? NULL : e) < 0)
			rc = -1;
		cg_ids_free(&ids);
		sleep_ms(1);
	}
	if (cg_remove_wait(g->spare_freezer, timeout_ms, rc < 0 ? NULL : e) < 0)
		rc = -1;
	return rc;
}

int cg_kill_all(const struct cg_dirs *g, int timeout_ms, cg_err *e)
{
	struct cg_ids left = { 0 };
	long end = now_ms() + timeout_ms, step = 1;
	bool killed = false;
	int rc;

	/* v2: one write kills the whole subtree, forks included */
	for (size_t i = 0; i < g->n && !killed; i++) {
		char path[PATH_MAX];

		if (!g->h[i].v2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", g->h[i].dir, map_cgfile(MF_KILL, true));
		killed = sys_write_file(path, "1") == 0;
	}
	rc = killed ? is_empty(g, &left, e) : kill_rounds(g, &left, e);
	/* a fork loop outruns kill(2): frozen, it cannot fork; killed, it dies at the thaw */
	if (rc == 0 && !killed && freezer_of(g)) {
		struct cg_signal_count c;
		int sent, thawed;

		if (cg_freeze(g, timeout_ms, e) < 0) {
			rc = -1;
			goto out;
		}
		sent = cg_signal_all(g, SIGKILL, CG_LIST_RECURSIVE, &c, e);
		thawed = cg_thaw(g, timeout_ms, sent < 0 ? NULL : e);
		if (sent < 0 || thawed < 0) {
			rc = -1;
			goto out;
		}
		rc = is_empty(g, &left, e);
	} else if (rc == 0 && !killed && g->spare_freezer) {
		rc = kill_in_spare(g, timeout_ms, e) < 0 ? -1 : is_empty(g, &left, e);
	}
	/* the dying take a moment to leave */
	while (rc == 0 && now_ms() < end) {
		sleep_ms(step);
		if (step < 50)
			step *= 2;
		if (!killed && cg_signal_all(g, SIGKILL, CG_LIST_RECURSIVE, &(struct cg_signal_count){ 0 }, e) < 0) {
			rc = -1;
			break;
		}
		rc = is_empty(g, &left, e);
	}
	if (rc == 0)
		rc = cg_err_set(e, EBUSY, "%s: %zu process%s still there after %d ms (pid %d%s)",
				g->h[0].dir, left.n, left.n == 1 ? "" : "es", timeout_ms, (int)left.v[0],
				left.n > 1 ? ", ..." : "");
out:
	cg_ids_free(&left);
	return rc < 0 ? -1 : 0;
}

/* ---- removing ---- */

/* "3 processes (pid 12, ...), child groups a, b": what keeps dir busy. */
static void whats_inside(const char *dir, char *out, size_t len)
{
	struct cg_ids ids = { 0 };
	char **names = NULL;
	size_t n = 0, used = 0;

	out[0] = '\0';
	if (read_ids(dir, map_cgfile(MF_PROCS, false), &ids) == 0 && ids.n)
		used += (size_t)snprintf(out, len, "%zu process%s (pid %d%s)", ids.n,
					 ids.n == 1 ? "" : "es", (int)ids.v[0], ids.n > 1 ? ", ..." : "");
	cg_ids_free(&ids);
	if (cg_children(dir, &names, &n, NULL) == 0 && names && n && used < len) {
		used += (size_t)snprintf(out + used, len - used, "%schild group%s", used ? ", " : "",
					 n == 1 ? "" : "s");
		for (size_t i = 0; i < n && used < len; i++)
			used += (size_t)snprintf(out + used, len - used, "%s %s", i ? "," : "", names[i]);
	}
	cg_names_free(names);
	if (!out[0])
		snprintf(out, len, "no process and no child group; the kernel has not let it go yet");
}

/* rmdir until the deadline `end` (now_ms); timeout_ms only for the message. */
static int remove_until(const char *dir, long end, int timeout_ms, cg_err *e)
{
	long step = 1;
	char inside[512];

	for (;;) {
		long left;

		if (sys_rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return cg_err_sys(e, "removing %s", dir);
		left = end - now_ms();
		if (left <= 0)
			break;
		sleep_ms(step < left ? step : left);
		if (step < 50)
			step *= 2;
	}
	whats_inside(dir, inside, sizeof(inside));
	return cg_err_set(e, EBUSY, "removing %s: still busy after %d ms: %s", dir, timeout_ms, inside);
}

int cg_remove_wait(const char *dir, int timeout_ms, cg_err *e)
{
	return remove_until(dir, now_ms() + timeout_ms, timeout_ms, e);
}

int cg_remove_group(const struct cg_dirs *g, int timeout_ms, cg_err *e)
{
	long end = now_ms() + timeout_ms;   /* one wait for all: the same processes hold each */
	int rc = 0;

	for (size_t i = 0; i < g->n; i++)
		if (remove_until(g->h[i].dir, end, timeout_ms, rc < 0 ? NULL : e) < 0)
			rc = -1;
	return rc;
}
