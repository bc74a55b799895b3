/* Freezing, signalling and killing everything in a group (see cgops.h). */
#include "cgops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgops_impl.h"
#include "cleanup.h"
#include "mapping.h"
#include "sys.h"

#define KILL_ROUNDS 5

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
	long end = cgops_now_ms() + timeout_ms, step = 1;

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
		left = end - cgops_now_ms();
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
		cgops_sleep_ms(step < left ? step : left);
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

/* pid is p->pid: still the process p names? */
static bool same_start(pid_t pid, const void *arg)
{
	(void)pid;
	return cg_proc_alive(arg);
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
	return cgops_proc_in(pid, arg);
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
		cgops_sleep_ms(1);
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
			(void)cgops_write_id(g->spare_freezer, procs, ids.v[i]);
		if (rc == 0 && cg_signal_all(&s, SIGKILL, 0, &c, e) < 0)
			rc = -1;
		if (cg_thaw(&s, timeout_ms, rc < 0 ? NULL : e) < 0)
			rc = -1;
		cg_ids_free(&ids);
		cgops_sleep_ms(1);
	}
	if (cg_remove_wait(g->spare_freezer, timeout_ms, rc < 0 ? NULL : e) < 0)
		rc = -1;
	return rc;
}

/* v2: one write to cgroup.kill kills the whole subtree, forks included.
 * Whether a hierarchy of g took it. */
static bool kill_v2(const struct cg_dirs *g)
{
	for (size_t i = 0; i < g->n; i++) {
		char path[PATH_MAX];

		if (!g->h[i].v2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", g->h[i].dir, map_cgfile(MF_KILL, true));
		if (sys_write_file(path, "1") == 0)
			return true;
	}
	return false;
}

/* A fork loop outruns kill(2): frozen, it cannot fork; killed, it dies at
 * the thaw. Then: empty? 1 yes, 0 no, -1. */
static int kill_frozen(const struct cg_dirs *g, int timeout_ms, struct cg_ids *left, cg_err *e)
{
	struct cg_signal_count c;
	int sent, thawed;

	if (cg_freeze(g, timeout_ms, e) < 0)
		return -1;
	sent = cg_signal_all(g, SIGKILL, CG_LIST_RECURSIVE, &c, e);
	thawed = cg_thaw(g, timeout_ms, sent < 0 ? NULL : e);
	if (sent < 0 || thawed < 0)
		return -1;
	return is_empty(g, left, e);
}

/* The dying take a moment to leave: look again (and, without cgroup.kill,
 * signal again) until empty or the deadline `end`. 1 empty, 0 not, -1. */
static int wait_gone(const struct cg_dirs *g, bool killed, long end, struct cg_ids *left, cg_err *e)
{
	long step = 1;
	int rc = 0;

	while (rc == 0 && cgops_now_ms() < end) {
		cgops_sleep_ms(step);
		if (step < 50)
			step *= 2;
		if (!killed && cg_signal_all(g, SIGKILL, CG_LIST_RECURSIVE, &(struct cg_signal_count){ 0 }, e) < 0)
			return -1;
		rc = is_empty(g, left, e);
	}
	return rc;
}

int cg_kill_all(const struct cg_dirs *g, int timeout_ms, cg_err *e)
{
	struct cg_ids left = { 0 };
	long end = cgops_now_ms() + timeout_ms;
	bool killed = kill_v2(g);
	int rc;

	rc = killed ? is_empty(g, &left, e) : kill_rounds(g, &left, e);
	if (rc == 0 && !killed && freezer_of(g))
		rc = kill_frozen(g, timeout_ms, &left, e);
	else if (rc == 0 && !killed && g->spare_freezer)
		rc = kill_in_spare(g, timeout_ms, e) < 0 ? -1 : is_empty(g, &left, e);
	if (rc == 0)
		rc = wait_gone(g, killed, end, &left, e);
	if (rc == 0)
		rc = cg_err_set(e, EBUSY, "%s: %zu process%s still there after %d ms (pid %d%s)",
				g->h[0].dir, left.n, left.n == 1 ? "" : "es", timeout_ms, (int)left.v[0],
				left.n > 1 ? ", ..." : "");
	cg_ids_free(&left);
	return rc < 0 ? -1 : 0;
}
