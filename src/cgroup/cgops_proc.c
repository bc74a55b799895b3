/* Processes, from /proc (see cgops.h): pid sets, start times, threads,
 * descendants, and where a process is in each hierarchy. */
#include "cgops.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgops_impl.h"
#include "cleanup.h"
#include "sys.h"

const char *cg_proc_root = "/proc";

void cgops_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

long cgops_now_ms(void)
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

int cgops_ids_add(struct cg_ids *s, pid_t id)
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

ssize_t cg_proc_read(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/%s", cg_proc_root, (int)pid, file);
	n = sys_read_file(path, buf, len);
	if (n < 0 && errno == ENOENT)
		errno = ESRCH;
	return n;
}

int cg_proc_stat_parse(const char *text, struct cg_proc_stat *out)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	unsigned long long f[24] = { 0 };   /* fields 3.. as numbers, f[k] = field k + 3 */
	const char *s;
	size_t cl;
	int k;

	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return -1;
	memset(out, 0, sizeof(*out));
	cl = (size_t)(close - open - 1);
	if (cl >= sizeof(out->comm))
		cl = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, cl);
	out->state = close[2];
	s = close + 3;
	/* fields 4..24; a negative one (-1) reads as its two's complement and
	 * is cast back */
	for (k = 1; k < 22; k++) {
		char *end;

		s += strspn(s, " ");
		f[k] = strtoull(s, &end, 10);
		if (end == s)
			break;
		s = end;
	}
	if (k < 20)   /* up to the start time (22) it must be there */
		return -1;
	out->ppid = (pid_t)f[1];
	out->flags = (unsigned long)f[6];
	out->utime = f[11];
	out->stime = f[12];
	out->threads = (long)f[17];
	out->start = f[19];
	out->rss_pages = (long)f[21];
	return 0;
}

/* Field 22 of /proc/PID/stat; the parent's pid when ppid is not NULL. */
static int proc_stat(pid_t pid, unsigned long long *start, pid_t *ppid)
{
	char buf[1024];
	struct cg_proc_stat st;

	if (cg_proc_read(pid, "stat", buf, sizeof(buf)) < 0)
		return -1;
	if (cg_proc_stat_parse(buf, &st) < 0) {
		errno = ESRCH;
		return -1;
	}
	*start = st.start;
	if (ppid)
		*ppid = st.ppid;
	return 0;
}

int cg_proc_stat(pid_t pid, struct cg_proc_stat *out, cg_err *e)
{
	char buf[1024];

	if (cg_proc_read(pid, "stat", buf, sizeof(buf)) < 0)
		return cg_err_sys(e, "process %d", (int)pid);
	if (cg_proc_stat_parse(buf, out) < 0)
		return cg_err_set(e, EINVAL, "%s/%d/stat: not the kernel's format", cg_proc_root,
				  (int)pid);
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
	if (cg_proc_read(pid, "comm", out, len) < 0)
		snprintf(out, len, "?");
	out[strcspn(out, "\n")] = '\0';
}

int cg_proc_threads(pid_t pid, struct cg_ids *out, cg_err *e)
{
	if (cgops_read_tids(pid, out) == 0)
		return 0;
	if (errno == ENOMEM)
		return cg_err_set(e, ENOMEM, "out of memory");
	return cg_err_sys(e, "threads of process %d", (int)pid);
}

int cgops_read_tids(pid_t pid, struct cg_ids *out)
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
		if (de->d_name[0] != '.' && cgops_ids_add(out, (pid_t)atoi(de->d_name)) < 0)
			return -1;
	return 0;
}

/* Every process's pid and parent, from one walk of /proc. */
struct parents {
	pid_t *pid, *ppid;
	size_t n, cap;
};

static void parents_free(struct parents *t)
{
	free(t->pid);
	free(t->ppid);
}

static int parents_add(struct parents *t, pid_t p, pid_t pp)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		pid_t *a = realloc(t->pid, nc * sizeof(pid_t)), *b;

		if (!a)
			return -1;
		t->pid = a;
		b = realloc(t->ppid, nc * sizeof(pid_t));
		if (!b)
			return -1;
		t->ppid = b;
		t->cap = nc;
	}
	t->pid[t->n] = p;
	t->ppid[t->n++] = pp;
	return 0;
}

static int parents_read(struct parents *t, cg_err *e)
{
	_cleanup_closedir_ DIR *d = opendir(cg_proc_root);
	struct dirent *de;

	if (!d)
		return cg_err_sys(e, "%s", cg_proc_root);
	while ((de = readdir(d))) {
		unsigned long long start;
		pid_t p = (pid_t)atoi(de->d_name), pp;

		if (p <= 0 || proc_stat(p, &start, &pp) < 0)
			continue;
		if (parents_add(t, p, pp) < 0)
			return cg_err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

int cg_proc_descendants(pid_t pid, struct cg_ids *out, cg_err *e)
{
	struct parents t = { 0 };
	size_t first = out->n;
	int rc = 0;

	if (parents_read(&t, e) < 0) {
		parents_free(&t);
		return -1;
	}
	/* breadth first: each found child's own children are looked for in turn */
	if (cgops_ids_add(out, pid) < 0)
		rc = cg_err_set(e, ENOMEM, "out of memory");
	for (size_t k = first; rc == 0 && k < out->n; k++)
		for (size_t i = 0; rc == 0 && i < t.n; i++)
			if (t.ppid[i] == out->v[k] && t.pid[i] != pid && cgops_ids_add(out, t.pid[i]) < 0)
				rc = cg_err_set(e, ENOMEM, "out of memory");
	parents_free(&t);
	if (rc < 0)
		return -1;
	/* the list holds the descendants only */
	if (out->v && out->n > first + 1)
		memmove(out->v + first, out->v + first + 1, (out->n - first - 1) * sizeof(pid_t));
	out->n--;
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
	if (cg_proc_read(pid, "cgroup", text, sizeof(text)) < 0)
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
bool cgops_proc_in(pid_t pid, const struct cg_hdir *h)
{
	char text[8192];
	_cleanup_free_ char *dir = NULL;
	size_t dl = strlen(h->dir);

	if (!h->mount)
		return true;
	if (cg_proc_read(pid, "cgroup", text, sizeof(text)) < 0 || where_one(text, h, &dir) < 0)
		return false;
	return !strncmp(dir, h->dir, dl) && (!dir[dl] || dir[dl] == '/');
}

