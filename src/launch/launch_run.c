/* `cgrun -p FILE -- CMD`: the launch (--pid is launch_pid.c, --gc
 * launch_gc.c).
 *
 * A launch: load the profile and apply the command-line overrides; apply the
 * profile under the launch lock; clone the child into the namespaces it asks
 * for; create the leaf <group>/run-<PID> in every hierarchy while the child
 * sets up what needs no cgroup, then let it go (the command moves itself
 * into the leaf before it executes, with the tiny init as pid 1 of a pid
 * namespace, outside the leaf); pass signals on (a signalfd + poll loop:
 * signals are data, not handlers); when the command ends (the init says so
 * first), read the OOM counters and statistics of the leaf, empty and remove
 * the leaf, and the group when it is no longer used, then reap the child. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "err.h"
#include "launch_cg.h"
#include "launch_load.h"
#include "launch_child.h"
#include "launch_override.h"
#include "launch_report.h"
#include "launch_user.h"
#include "layout.h"
#include "plan.h"
#include "profile.h"
#include "sys.h"

extern char **environ;

struct launch {
	const struct launch_opts *o;
	struct profile *p;
	struct cg_layout layout;
	struct plan_opts po;
	struct launch_cg cg;
	struct child_spec cs;
	struct profile *base;               /* without the resource overrides, or NULL */
	char ovtext[512];                   /* those overrides, for messages */
	char gname[PROFILE_NAME_MAX * 4];   /* the group, for messages */
	char *tmpdir;                       /* overlay upper/work/root, removed at exit */
	char *workdir_tmp;                  /* work dir beside --keep-upper */
	char **env;
	char *root, *rootfs, **layers;
	pid_t child;
	bool reaped;       /* child waited for; not yet when init said the command ended */
	int done;          /* init's CHILD_DONE: the command's exit code + 1, or 0 */
	int start_w, report_r, sfd;
	bool have_stats_before;
	uint64_t periods0, throttled0;
	struct timespec t0;
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- preparing ---------------------------------------------------------- */

static char *slurp(const char *path)
{
	char *buf = malloc(1 << 20);
	ssize_t n;

	if (!buf)
		return NULL;
	n = sys_read_file(path, buf, 1 << 20);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* passwd and group come from the root the command will see: the top layer
 * that has them, else the rootfs, else the host's. */
static char *root_file(const struct launch *L, const char *rel)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; L->layers && L->layers[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", L->layers[i], rel);
		if (access(path, R_OK) == 0)
			return slurp(path);
	}
	snprintf(path, sizeof(path), "%s/%s", L->rootfs ? L->rootfs : "", rel);
	return slurp(path);
}

static int resolve_user(struct launch *L, cg_err *e)
{
	const char *spec = L->o->user ? L->o->user : L->p->user.s;
	char why[256];
	_cleanup_free_ char *pw = NULL;
	_cleanup_free_ char *gr = NULL;

	if (!spec)
		return 0;
	pw = root_file(L, "etc/passwd");
	gr = root_file(L, "etc/group");
	if (launch_user_resolve(spec, pw, gr, &L->cs.uid, &L->cs.gid, why, sizeof(why)) < 0) {
		if (L->o->user)
			return cg_err_set(e, 0, "--user: %s", why);
		return cg_err_set(e, 0, "%s:%d:%d: error: user: %s", L->p->path ? L->p->path : "",
				  L->p->user.line, L->p->user.col, why);
	}
	L->cs.set_user = true;
	return 0;
}

static int build_env(struct launch *L, cg_err *e)
{
	const struct launch_opts *o = L->o;
	size_t n = 0, i, max;

	while (environ[n])
		n++;
	max = n + L->p->n_env + o->n_env + 1;
	L->env = calloc(max, sizeof(char *));
	if (!L->env)
		return cg_err_set(e, ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		L->env[i] = strdup(environ[i]);
	for (i = 0; i < L->p->n_env + o->n_env; i++) {
		char *kv = NULL;
		size_t k, nlen;

		if (i < L->p->n_env) {
			if (asprintf(&kv, "%s=%s", L->p->env[i].name, L->p->env[i].value) < 0)
				kv = NULL;
		} else {
			kv = strdup(o->env[i - L->p->n_env]);
		}
		if (!kv)
			return cg_err_set(e, ENOMEM, "out of memory");
		nlen = (size_t)(strchr(kv, '=') - kv) + 1;
		for (k = 0; k < n; k++)
			if (L->env[k] && !strncmp(L->env[k], kv, nlen))
				break;
		if (k < n) {
			free(L->env[k]);
			L->env[k] = kv;
		} else {
			L->env[n++] = kv;
		}
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The absolute path of an existing directory. `at` is where the profile
 * names it (NULL for the command line), for the message. */
static int absolute(const struct profile *p, const struct pstr *at, const char *what,
		    const char *in, char **out, cg_err *e)
{
	char where[512] = "";
	struct stat st;

	if (at && at->line)
		snprintf(where, sizeof(where), "%s:%d:%d: error: ", p->path ? p->path : "",
			 at->line, at->col);
	*out = realpath(in, NULL);
	if (!*out || stat(*out, &st) < 0)
		return cg_err_set(e, errno, "%s%s: %s: %s; give an existing directory", where, what,
				  in, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cg_err_set(e, ENOTDIR, "%s%s: %s is not a directory; give a directory", where,
				  what, in);
	if (strpbrk(*out, ":,"))
		return cg_err_set(e, 0, "%s%s: %s: an overlay layer's path cannot hold ':' or ','",
				  where, what, *out);
	return 0;
}

/* The root: the rootfs as it is, or an overlay of the layers (over the
 * rootfs) with a fresh upper and work directory. */
static int prepare_root(struct launch *L, cg_err *e)
{
	const struct profile *p = L->p;
	const char *tmp = getenv("TMPDIR");
	size_t i;

	if (p->rootfs.s && absolute(p, &p->rootfs, "rootfs", p->rootfs.s, &L->rootfs, e) < 0)
		return -1;
	/* pivot_root and chroot into the host's own root cannot work */
	if (L->rootfs && !strcmp(L->rootfs, "/"))
		return cg_err_set(e, 0, "%s:%d:%d: error: rootfs: %s is the host's own root: leave "
				  "rootfs out to run in it, or give another directory (such as "
				  "/srv/rootfs/alpine)", p->path ? p->path : "", p->rootfs.line,
				  p->rootfs.col, p->rootfs.s);
	if (!p->n_layers && L->o->keep_upper)
		return cg_err_set(e, 0, "--keep-upper: the profile has no layers to keep an upper layer of");
	if (!p->n_layers) {
		L->root = L->rootfs ? strdup(L->rootfs) : NULL;
		L->cs.root = L->root;
		L->cs.rootfs = L->rootfs;
		return 0;
	}
	L->layers = calloc(p->n_layers + 1, sizeof(char *));
	if (!L->layers)
		return cg_err_set(e, ENOMEM, "out of memory");
	for (i = 0; i < p->n_layers; i++) {
		char what[32];

		snprintf(what, sizeof(what), "layers[%zu]", i);
		if (absolute(p, &p->layers[i], what, p->layers[i].s, &L->layers[i], e) < 0)
			return -1;
	}
	if (asprintf(&L->tmpdir, "%s/cgrun-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 ||
	    !mkdtemp(L->tmpdir)) {
		int err = errno;

		free(L->tmpdir);
		L->tmpdir = NULL;
		if (tmp && *tmp)
			return cg_err_set(e, err, "creating the overlay's temporary directory in "
					  "TMPDIR=%s: %s; set TMPDIR to a writable directory "
					  "(or unset it for /tmp)", tmp, strerror(err));
		return cg_err_set(e, err, "creating the overlay's temporary directory in /tmp: %s; "
				  "set TMPDIR to a writable directory", strerror(err));
	}
	if (asprintf(&L->root, "%s/root", L->tmpdir) < 0 || mkdir(L->root, 0755) < 0)
		return cg_err_sys(e, "creating %s/root", L->tmpdir);
	if (L->o->keep_upper) {
		/* the work directory must be on the upper's file system: beside it */
		const char *ku = L->o->keep_upper;

		if (mkdir(ku, 0755) < 0 && errno != EEXIST)
			return cg_err_sys(e, "--keep-upper %s", ku);
		if (absolute(p, NULL, "--keep-upper", ku, (char **)&L->cs.upper, e) < 0)
			return -1;
		if (asprintf(&L->workdir_tmp, "%s.work-XXXXXX", L->cs.upper) < 0 ||
		    !mkdtemp(L->workdir_tmp)) {
			free(L->workdir_tmp);
			L->workdir_tmp = NULL;
			return cg_err_sys(e, "creating a work directory beside %s", ku);
		}
		L->cs.work = L->workdir_tmp;
	} else {
		char *u = NULL, *w = NULL;

		if (asprintf(&u, "%s/upper", L->tmpdir) < 0 || asprintf(&w, "%s/work", L->tmpdir) < 0 ||
		    mkdir(u, 0755) < 0 || mkdir(w, 0755) < 0) {
			free(u);
			free(w);
			return cg_err_sys(e, "creating the overlay's upper and work directories");
		}
		L->cs.upper = u;
		L->cs.work = w;
	}
	L->cs.root = L->root;
	L->cs.rootfs = L->rootfs;
	L->cs.layers = (const char *const *)L->layers;
	L->cs.n_layers = p->n_layers;
	return 0;
}

/* As a user that is not root, cgrun runs with the caller's rights alone:
 * what would need more is refused before anything is made, with what would
 * work. */
static int unpriv_refused(const struct launch *L, cg_err *e)
{
	const struct profile *p = L->p;
	const struct pstr *at = p->rootfs.s ? &p->rootfs : p->n_layers ? &p->layers[0] : NULL;

	if (geteuid() == 0)
		return 0;
	if (at)
		return cg_err_set(e, EPERM,
				  "%s:%d:%d: error: %s: as a user (uid %u), cgrun mounts no root file "
				  "system (its device nodes and set-user-id files would be yours to "
				  "use): run it as root, or leave rootfs and layers out",
				  p->path ? p->path : "", at->line, at->col,
				  p->rootfs.s ? "rootfs" : "layers", (unsigned)geteuid());
	if (L->o->keep_upper)
		return cg_err_set(e, EPERM, "--keep-upper: as a user (uid %u), cgrun mounts no overlay",
				  (unsigned)geteuid());
	if (p->namespaces && !(p->namespaces & NS_USER))
		return cg_err_set(e, EPERM,
				  "%s: error: namespaces: as a user (uid %u), cgrun makes namespaces "
				  "only inside a user namespace: add user to namespaces, or run it as "
				  "root",
				  p->path ? p->path : "", (unsigned)geteuid());
	return 0;
}

/* --user (or the profile's user) for a caller that is not root: only the
 * caller itself, with a group it has. */
static int user_refused(const struct launch *L, cg_err *e)
{
	gid_t groups[256];
	int n;

	if (!L->cs.set_user || geteuid() == 0)
		return 0;
	if (L->cs.uid == geteuid()) {
		if (L->cs.gid == getegid())
			return 0;
		n = getgroups(256, groups);
		for (int i = 0; i < n; i++)
			if (groups[i] == L->cs.gid)
				return 0;
	}
	return cg_err_set(e, EPERM,
			  "%s %s: as a user (uid %u), cgrun runs the command as you, with your "
			  "groups: it gains no rights; leave it out, or run cgrun as root",
			  L->o->user ? "--user" : "user:", L->o->user ? L->o->user : L->p->user.s,
			  (unsigned)geteuid());
}

static int prepare(struct launch *L, const struct launch_opts *o, cg_err *e)
{
	L->o = o;
	L->p = launch_load(o, true, e);
	if (!L->p)
		return -1;
	L->base = launch_load_base(o, L->ovtext, sizeof(L->ovtext), e);
	if (!L->base && *L->ovtext)
		return -1;
	if (o->ov.child)
		snprintf(L->gname, sizeof(L->gname), "%s/%s", L->p->group.name.s, o->ov.child);
	else
		snprintf(L->gname, sizeof(L->gname), "%s", L->p->group.name.s);
	L->po.parent = o->ov.parent;
	if (cg_layout_detect(&L->layout, e) < 0)
		return -1;
	/* for a user, what needs rights is refused first; rootfs and layers
	 * are, so prepare_root makes nothing then */
	if (unpriv_refused(L, e) < 0 || prepare_root(L, e) < 0 || resolve_user(L, e) < 0 ||
	    user_refused(L, e) < 0 || launch_unpriv_check(L->p, &L->layout, o->ov.parent, e) < 0 ||
	    build_env(L, e) < 0)
		return -1;
	L->cs.ns = L->p->namespaces;
	L->cs.hostname = L->p->hostname.s;
	L->cs.workdir = o->workdir ? o->workdir : L->p->workdir.s;
	L->cs.env = L->env;
	L->cs.argv = o->argv;
	L->cs.no_init = o->no_init;
	L->cs.tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	return 0;
}

/* ---- starting ----------------------------------------------------------- */

static void signal_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < launch_n_forwarded_signals; i++)
		sigaddset(set, launch_forwarded_signals[i]);
	sigaddset(set, SIGCHLD);
}

static unsigned long clone_flags(unsigned ns)
{
	unsigned long f = 0;

	if (ns & NS_USER)
		f |= CLONE_NEWUSER;
	if (ns & NS_PID)
		f |= CLONE_NEWPID;
	if (ns & NS_MOUNT)
		f |= CLONE_NEWNS;
	if (ns & NS_UTS)
		f |= CLONE_NEWUTS;
	if (ns & NS_IPC)
		f |= CLONE_NEWIPC;
	if (ns & NS_NET)
		f |= CLONE_NEWNET;
	/* cgroup: unshared by the child once it is in its leaf, so that the
	 * leaf becomes its root */
	return f;
}

static int write_proc(pid_t pid, const char *file, const char *v, cg_err *e)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (sys_write_file(path, v) < 0)
		return cg_err_sys(e, "user namespace: writing '%s' to %s", v, path);
	return 0;
}

static int map_user(pid_t pid, cg_err *e)
{
	char m[64];

	snprintf(m, sizeof(m), "0 %u 1", (unsigned)getuid());
	if (write_proc(pid, "uid_map", m, e) < 0 || write_proc(pid, "setgroups", "deny", e) < 0)
		return -1;
	snprintf(m, sizeof(m), "0 %u 1", (unsigned)getgid());
	return write_proc(pid, "gid_map", m, e);
}

static void read_throttle(struct launch *L, uint64_t *periods, uint64_t *thr, bool *ok)
{
	*ok = launch_cg_counter(&L->cg, MC_CPU_PERIODS, true, periods) == 0 &&
	      launch_cg_counter(&L->cg, MC_CPU_THROTTLED, true, thr) == 0;
}

static int start(struct launch *L, cg_err *e)
{
	int start_p[2] = { -1, -1 }, report_p[2] = { -1, -1 };
	struct diags d;
	sigset_t set;
	pid_t pid;
	int rc;

	/* an ignored signal is dropped before signalfd sees it: take them all,
	 * and let the child ignore again what cgrun was started ignoring */
	for (size_t i = 0; i < launch_n_forwarded_signals; i++) {
		struct sigaction old;

		if (sigaction(launch_forwarded_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN) {
			L->cs.ignored |= 1u << i;
			signal(launch_forwarded_signals[i], SIG_DFL);
		}
	}
	/* a reader that goes away (cgrun ... | head) must not kill cgrun before
	 * it has cleaned up: cgrun ignores SIGPIPE, the command gets it back */
	{
		struct sigaction old;

		L->cs.pipe_ignored = sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_IGN;
		signal(SIGPIPE, SIG_IGN);
	}
	signal_set(&set);
	sigaddset(&set, SIGTTOU);
	sigaddset(&set, SIGTTIN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return cg_err_sys(e, "blocking signals");
	signal_set(&set);
	L->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (L->sfd < 0)
		return cg_err_sys(e, "signalfd");
	if (pipe2(start_p, O_CLOEXEC) < 0 || pipe2(report_p, O_CLOEXEC) < 0)
		return cg_err_sys(e, "pipe");
	L->start_w = start_p[1];
	L->report_r = report_p[0];
	L->cs.start_fd = start_p[0];
	L->cs.report_fd = report_p[1];
	/* the group, with the lock held until the child has joined its leaf */
	L->cg.base = L->base;
	L->cg.overrides = L->ovtext;
	diags_init(&d, L->p->path ? L->p->path : "");
	rc = launch_cg_prepare(&L->cg, L->p, &L->layout, &L->po, L->o->ov.child, &d, e);
	diags_print(&d, stderr);
	if (rc < 0) {
		close(start_p[0]);
		close(report_p[1]);
		return -1;
	}
	L->cg.flat = L->p->group.n_children == 0;
	L->cs.cg = &L->cg;
	L->cs.lock_fd = L->cg.lock_fd;
	if (L->o->stats)
		read_throttle(L, &L->periods0, &L->throttled0, &L->have_stats_before);
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &L->t0);
	pid = (pid_t)syscall(SYS_clone, clone_flags(L->cs.ns) | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		close(start_p[0]);
		close(report_p[1]);
		return cg_err_sys(e, "starting the command in its namespaces (clone)");
	}
	if (pid == 0) {
		close(start_p[1]);
		close(report_p[0]);
		close(L->sfd);
		child_main(&L->cs);
	}
	L->child = pid;
	close(start_p[0]);
	close(report_p[1]);
	fcntl(L->report_r, F_SETFL, O_NONBLOCK);
	/* the leaves, while the child sets up what needs no cgroup (see
	 * launch_cg.h); it joins them itself once told to go */
	if (launch_cg_set_pid(&L->cg, pid, e) < 0 || launch_cg_make_leaves(&L->cg, e) < 0)
		return -1;
	if ((L->cs.ns & NS_USER) && map_user(pid, e) < 0)
		return -1;
	if (write(L->start_w, "g", 1) != 1)
		return cg_err_sys(e, "starting the command");
	/* the child holds the lock now, until it has joined */
	launch_unlock(L->cg.lock_fd);
	L->cg.lock_fd = -1;
	return 0;
}

/* ---- while it runs ------------------------------------------------------ */

static void read_report(struct launch *L, struct child_report *r)
{
	struct child_report tmp;

	while (L->report_r >= 0) {
		ssize_t n = read(L->report_r, &tmp, sizeof(tmp));

		if (n == (ssize_t)sizeof(tmp)) {
			if (tmp.stage == CHILD_DONE)
				L->done = tmp.errnum + 1;
			else if (r->stage == CHILD_OK)
				*r = tmp;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(L->report_r);
		L->report_r = -1;
	}
}

/* The workload stopped (Ctrl-Z) while cgrun is its direct parent: stop
 * cgrun too, as a shell's job, and give the terminal back when continued. */
static void job_stopped(struct launch *L)
{
	(void)tcsetpgrp(STDIN_FILENO, getpgrp());
	kill(getpid(), SIGSTOP);
	(void)tcsetpgrp(STDIN_FILENO, L->child);
	kill(-L->child, SIGCONT);
}

static int supervise(struct launch *L, struct child_report *r)
{
	const bool pid1 = (L->cs.ns & NS_PID) && L->o->no_init;
	const bool direct = !(L->cs.ns & NS_PID);
	struct timespec deadline = { 0 };
	bool armed = false;
	int st = 0;

	for (;;) {
		struct pollfd pf[2] = { { L->sfd, POLLIN, 0 }, { L->report_r, POLLIN, 0 } };
		struct signalfd_siginfo si;
		int timeout = -1;

		if (armed) {
			struct timespec now;
			double left;

			clock_gettime(CLOCK_MONOTONIC, &now);
			left = (double)(deadline.tv_sec - now.tv_sec) +
			       (double)(deadline.tv_nsec - now.tv_nsec) / 1e9;
			if (left <= 0) {
				kill(L->child, SIGKILL);
				armed = false;
			} else {
				timeout = (int)(left * 1000) + 1;
			}
		}
		if (poll(pf, L->report_r >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
			break;
		if (L->report_r >= 0 && pf[1].revents)
			read_report(L, r);
		/* the tiny init reports the command's end before it goes itself:
		 * the leaves can be emptied and removed while it does */
		if (L->done && r->stage == CHILD_OK)
			return (L->done - 1) << 8;
		while (read(L->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			int sig = (int)si.ssi_signo;

			if (sig != SIGCHLD) {
				kill(L->child, sig);
				/* pid 1 with no handler ignores TERM and INT: make
				 * them stop it after --stop-timeout */
				if (pid1 && (sig == SIGTERM || sig == SIGINT) && !armed) {
					double t = L->o->stop_timeout;

					clock_gettime(CLOCK_MONOTONIC, &deadline);
					deadline.tv_sec += (time_t)t;
					deadline.tv_nsec += (long)((t - (double)(time_t)t) * 1e9);
					if (deadline.tv_nsec >= 1000000000L) {
						deadline.tv_sec++;
						deadline.tv_nsec -= 1000000000L;
					}
					armed = true;
				}
				continue;
			}
			for (;;) {
				pid_t w = waitpid(L->child, &st, WNOHANG | (direct && L->cs.tty ? WUNTRACED : 0));

				if (w == L->child && WIFSTOPPED(st)) {
					job_stopped(L);
					continue;
				}
				if (w == L->child) {
					L->reaped = true;
					read_report(L, r);
					return st;
				}
				break;
			}
		}
	}
	waitpid(L->child, &st, 0);
	L->reaped = true;
	return st;
}

/* ---- after -------------------------------------------------------------- */

static uint64_t memory_limit(const struct launch *L)
{
	const struct group_spec *g = &L->p->group;

	if (L->o->ov.child) {
		const struct group_spec *c = group_find_child(g, L->o->ov.child);

		if (c && c->memory.max.set)
			g = c;
	}
	return g->memory.max.set ? g->memory.max.v : 0;
}

/* CPU time from what the children used, where no group counter said. */
static void collect_rusage(struct launch_stats *s, const struct rusage *ru)
{
	if (s->has_cpu)
		return;
	s->has_cpu = true;
	s->cpu_s = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
		   (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static void collect(struct launch *L, struct launch_stats *s)
{
	uint64_t v, max, p1, t1;
	bool ok;

	s->wall_s = since(&L->t0);
	/* the OOM counter always; the rest only for --stats */
	if (launch_cg_counter(&L->cg, MC_OOM_KILLS, false, &v) == 0) {
		s->has_oom = true;
		s->oom_kills = v;
	}
	if (!L->o->stats)
		return;
	if (launch_cg_counter(&L->cg, MC_CPU_USAGE, false, &v) == 0) {
		s->has_cpu = true;
		s->cpu_s = (double)v / 1e9;
	}
	read_throttle(L, &p1, &t1, &ok);
	if (ok && L->have_stats_before) {
		s->has_throttle = true;
		s->periods = p1 - L->periods0;
		s->throttled = t1 - L->throttled0;
	}
	if (launch_cg_counter(&L->cg, MC_MEM_PEAK, false, &v) == 0) {
		s->has_mem_peak = true;
		s->mem_peak = v;
		/* a charge refused by the group's limit is counted in the leaf's
		 * watermark for a moment, as with pids below */
		if (launch_cg_limit(&L->cg, MK_MEM_MAX, &max) == 0 && max < v)
			s->mem_peak = max;
	}
	if (launch_cg_counter(&L->cg, MC_PIDS_PEAK, false, &v) == 0) {
		s->has_pids_peak = true;
		s->pids_peak = v;
		/* a fork refused by the group's limit was charged to the leaf for
		 * a moment: the leaf's peak can read one over the limit */
		if (launch_cg_limit(&L->cg, MK_PIDS_MAX, &max) == 0 && max < v)
			s->pids_peak = max;
	}
}

static void launch_free(struct launch *L)
{
	size_t i;

	if (L->sfd > 0)
		close(L->sfd);
	if (L->start_w >= 0)
		close(L->start_w);
	if (L->report_r >= 0)
		close(L->report_r);
	launch_cg_free(&L->cg);
	cg_layout_free(&L->layout);
	if (L->p)
		profile_free(L->p);
	if (L->base)
		profile_free(L->base);
	/* the upper is in tmpdir unless --keep-upper put it elsewhere */
	rm_tree(L->tmpdir);
	rm_tree(L->workdir_tmp);
	free(L->tmpdir);
	free(L->workdir_tmp);
	if (L->o && L->o->keep_upper)
		free((char *)L->cs.upper);
	else if (L->layers) {
		free((char *)L->cs.upper);
		free((char *)L->cs.work);
	}
	for (i = 0; L->env && L->env[i]; i++)
		free(L->env[i]);
	free(L->env);
	for (i = 0; L->layers && L->layers[i]; i++)
		free(L->layers[i]);
	free(L->layers);
	free(L->root);
	free(L->rootfs);
}

static void restore_terminal(const struct launch *L)
{
	if (L->cs.tty)
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
}

int launch_run(const struct launch_opts *o)
{
	struct launch L = { .start_w = -1, .report_r = -1, .sfd = -1, .child = -1 };
	struct child_report r = { .stage = CHILD_OK };
	struct launch_stats s = { 0 };
	struct rusage ru;
	cg_err e = { 0 };
	int st, code;

	launch_cg_init(&L.cg);
	if (prepare(&L, o, &e) < 0 || start(&L, &e) < 0) {
		fprintf(stderr, "cgrun: %s\n", e.msg);
		if (L.child > 0) {
			kill(L.child, SIGKILL);
			waitpid(L.child, NULL, 0);
		}
		if (L.cg.n)
			launch_cg_leave(&L.cg, &e);
		launch_free(&L);
		return CGRUN_EXIT_FAIL;
	}
	st = supervise(&L, &r);
	restore_terminal(&L);
	collect(&L, &s);
	code = launch_exit_code(st);
	if (r.stage == CHILD_SETUP) {
		fprintf(stderr, "cgrun: %s\n", r.msg);
		code = CGRUN_EXIT_FAIL;
	} else if (r.stage == CHILD_EXEC) {
		fprintf(stderr, "cgrun: %s\n", r.msg);
	}
	if (s.has_oom && s.oom_kills > 0) {
		char msg[512];

		launch_oom_message(msg, sizeof(msg), L.gname, memory_limit(&L));
		fprintf(stderr, "%s\n", msg);
	}
	cg_err_clear(&e);
	if (launch_cg_leave(&L.cg, &e) < 0)
		fprintf(stderr, "cgrun: warning: %s\n", e.msg);
	if (!L.reaped)
		waitpid(L.child, NULL, 0);
	if (o->stats) {
		getrusage(RUSAGE_CHILDREN, &ru);
		collect_rusage(&s, &ru);
		launch_stats_print(&s, stderr);
	}
	launch_free(&L);
	return code;
}

