/* The launcher: `cgrun -p FILE -- CMD`, `cgrun --pid`, `cgrun --gc`.
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

static ssize_t read_small(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return sys_read_file(path, buf, len);
}

static int read_counter(const char *dir, const char *file, const char *key, uint64_t *out)
{
	char buf[4096];

	if (read_small(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	if (!key) {
		char *end;

		*out = strtoull(buf, &end, 10);
		return end == buf ? -1 : 0;
	}
	return launch_kv_get(buf, key, out);
}

/* ---- preparing ---------------------------------------------------------- */

static struct profile *load_profile(const struct launch_opts *o, bool say, cg_err *e)
{
	struct profile_opts po = { .host_ram = (uint64_t)sysconf(_SC_PHYS_PAGES) *
					       (uint64_t)sysconf(_SC_PAGESIZE) };
	struct override_host h = { .ram = po.host_ram };
	struct profile *p;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	h.max_cpu = ncpu > 0 ? (unsigned)ncpu - 1 : 0;
	if (o->profile_path) {
		struct diags d;

		diags_init(&d, o->profile_path);
		p = profile_load(o->profile_path, &po, &d);
		if (say || !p)
			diags_print(&d, stderr);
		if (!p) {
			cg_err_set(e, 0, "%s: not a valid profile (see above)", o->profile_path);
			return NULL;
		}
	} else {
		p = launch_profile_for_command(o->argv && o->argv[0] ? o->argv[0] : "cmd", e);
		if (!p)
			return NULL;
	}
	if (launch_apply_overrides(p, &o->ov, &h, e) < 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}

static struct profile *load(const struct launch_opts *o, cg_err *e)
{
	return load_profile(o, true, e);
}

/* The command line's resource overrides as given, for messages; "" when
 * there are none. */
static void overrides_text(const struct launch_overrides *ov, char *out, size_t len)
{
	const struct {
		const char *opt, *v;
	} all[] = { { "--cpu", ov->cpu },     { "--memory", ov->memory }, { "--pids", ov->pids },
		    { "--cpus", ov->cpus },   { "--io-weight", ov->io_weight } };
	size_t i, o = 0;

	*out = '\0';
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!all[i].v || o >= len)
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s%s %s", o ? " " : "", all[i].opt, all[i].v);
	}
}

/* The profile with --name, --parent and -g only: what the group is without
 * the resource overrides. NULL with nothing to say when there are none. */
static struct profile *load_base(const struct launch_opts *o, char *text, size_t len, cg_err *e)
{
	struct launch_opts b = *o;

	overrides_text(&o->ov, text, len);
	if (!*text)
		return NULL;
	b.ov = (struct launch_overrides){ .name = o->ov.name, .parent = o->ov.parent,
					  .child = o->ov.child };
	return load_profile(&b, false, e);   /* its warnings were said */
}

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

static int prepare(struct launch *L, const struct launch_opts *o, cg_err *e)
{
	L->o = o;
	L->p = load(o, e);
	if (!L->p)
		return -1;
	L->base = load_base(o, L->ovtext, sizeof(L->ovtext), e);
	if (!L->base && *L->ovtext)
		return -1;
	if (o->ov.child)
		snprintf(L->gname, sizeof(L->gname), "%s/%s", L->p->group.name.s, o->ov.child);
	else
		snprintf(L->gname, sizeof(L->gname), "%s", L->p->group.name.s);
	L->po.parent = o->ov.parent;
	if (cg_layout_detect(&L->layout, e) < 0)
		return -1;
	if (prepare_root(L, e) < 0 || resolve_user(L, e) < 0 || build_env(L, e) < 0)
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
	const char *g = launch_cg_group(&L->cg, CTRL_CPU);

	*ok = read_counter(g, "cpu.stat", "nr_periods", periods) == 0 &&
	      read_counter(g, "cpu.stat", "nr_throttled", thr) == 0;
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
		const struct group_spec *c = launch_find_child(g, L->o->ov.child);

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
	const char *mem = launch_cg_leaf(&L->cg, CTRL_MEMORY);
	const char *acct = launch_cg_leaf(&L->cg, CTRL_CPUACCT);
	const char *cpu = launch_cg_leaf(&L->cg, CTRL_CPU);
	bool mem_v2 = cg_layout_is_v2(&L->layout, CTRL_MEMORY);
	uint64_t v, p1, t1;
	bool ok;

	s->wall_s = since(&L->t0);
	/* the OOM counter always; the rest only for --stats */
	if (read_counter(mem, mem_v2 ? "memory.events" : "memory.oom_control", "oom_kill", &v) == 0) {
		s->has_oom = true;
		s->oom_kills = v;
	}
	if (!L->o->stats)
		return;
	if (!cg_layout_is_v2(&L->layout, CTRL_CPUACCT) && read_counter(acct, "cpuacct.usage", NULL, &v) == 0) {
		s->has_cpu = true;
		s->cpu_s = (double)v / 1e9;
	} else if (cg_layout_is_v2(&L->layout, CTRL_CPU) &&
		   read_counter(cpu, "cpu.stat", "usage_usec", &v) == 0) {
		s->has_cpu = true;
		s->cpu_s = (double)v / 1e6;
	}
	read_throttle(L, &p1, &t1, &ok);
	if (ok && L->have_stats_before) {
		s->has_throttle = true;
		s->periods = p1 - L->periods0;
		s->throttled = t1 - L->throttled0;
	}
	if (read_counter(mem, mem_v2 ? "memory.peak" : "memory.max_usage_in_bytes", NULL, &v) == 0) {
		uint64_t max;

		s->has_mem_peak = true;
		s->mem_peak = v;
		/* a charge refused by the group's limit is counted in the leaf's
		 * watermark for a moment, as with pids below */
		if (read_counter(launch_cg_group(&L->cg, CTRL_MEMORY),
				 mem_v2 ? "memory.max" : "memory.limit_in_bytes", NULL, &max) == 0 &&
		    max < v)
			s->mem_peak = max;
	}
	if (read_counter(launch_cg_leaf(&L->cg, CTRL_PIDS), "pids.peak", NULL, &v) == 0) {
		uint64_t max;

		s->has_pids_peak = true;
		s->pids_peak = v;
		/* a fork refused by the group's limit was charged to the leaf for
		 * a moment: the leaf's peak can read one over the limit */
		if (read_counter(launch_cg_group(&L->cg, CTRL_PIDS), "pids.max", NULL, &max) == 0 &&
		    max < v)
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

/* ---- --pid -------------------------------------------------------------- */

static int descendants(pid_t root, pid_t **out, size_t *n)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t *pids = NULL, *ppids = NULL;
	size_t np = 0, cap = 0, i, k;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[64], buf[512], *rp;
		int pid = atoi(de->d_name), ppid;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (sys_read_file(path, buf, sizeof(buf)) < 0 || !(rp = strrchr(buf, ')')) ||
		    sscanf(rp + 1, " %*c %d", &ppid) != 1)
			continue;
		if (np == cap) {
			pid_t *np1, *np2;

			cap = cap ? cap * 2 : 256;
			np1 = realloc(pids, cap * sizeof(pid_t));
			if (np1)
				pids = np1;
			np2 = realloc(ppids, cap * sizeof(pid_t));
			if (np2)
				ppids = np2;
			if (!np1 || !np2) {
				free(pids);
				free(ppids);
				return -1;
			}
		}
		pids[np] = pid;
		ppids[np++] = ppid;
	}
	/* breadth first from root */
	*out = malloc((np + 1) * sizeof(pid_t));
	if (!*out) {
		free(pids);
		free(ppids);
		return -1;
	}
	*n = 0;
	(*out)[(*n)++] = root;
	for (k = 0; k < *n; k++)
		for (i = 0; i < np; i++)
			if (ppids[i] == (*out)[k] && pids[i] != root)
				(*out)[(*n)++] = pids[i];
	free(pids);
	free(ppids);
	return 0;
}

static void comm_of(pid_t pid, char *out, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (sys_read_file(path, out, len) < 0)
		snprintf(out, len, "?");
	out[strcspn(out, "\n")] = '\0';
}

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
	comm_of(pid, comm, sizeof(comm));
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

/* The cause, when the kernel refused to move pid in. */
static void move_refused(pid_t pid, const struct launch_cg *c, cg_err *e)
{
	const char *cpu = launch_cg_group(c, CTRL_CPU);
	int policy = sched_getscheduler(pid);
	char comm[64], path[PATH_MAX], rt[32] = "";
	cg_err why = *e;

	if (!(policy == SCHED_FIFO || policy == SCHED_RR) || !cpu ||
	    cg_layout_is_v2(c->layout, CTRL_CPU))
		return;
	comm_of(pid, comm, sizeof(comm));
	snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", cpu);
	if (sys_read_file(path, rt, sizeof(rt)) < 0)
		snprintf(rt, sizeof(rt), "?");
	rt[strcspn(rt, "\n")] = '\0';
	cg_err_set(e, why.errnum,
		   "--pid: pid %d (%s) runs under %s; cgroup v1 cpu groups with cpu.rt_runtime_us 0 "
		   "refuse real-time tasks (%s is %s): give the process a normal policy "
		   "(chrt -o -p 0 %d) or the group real-time runtime; the kernel said: %s",
		   (int)pid, comm, policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_RR", path, rt,
		   (int)pid, why.msg);
}

int launch_move_pid(const struct launch_opts *o)
{
	struct launch_opts oo = *o;
	struct launch_cg c;
	struct launch_origin from = { 0 };
	struct cg_layout l = { 0 };
	struct plan_opts po = { .parent = o->ov.parent };
	struct profile *p = NULL, *base = NULL;
	struct diags d;
	cg_err e = { 0 };
	char ovtext[512], why[512] = "";
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ int *moved = NULL;
	char comm[64], *argv0[2] = { comm, NULL };
	size_t n = 1, i;
	int rc = CGRUN_EXIT_FAIL, threads = 0, left;
	bool entered = false;

	launch_cg_init(&c);
	if (pid_refused(o->pid, &e) < 0) {
		fprintf(stderr, "cgrun: %s\n", e.msg);
		return CGRUN_EXIT_FAIL;
	}
	comm_of(o->pid, comm, sizeof(comm));
	oo.argv = argv0;
	p = load(&oo, &e);
	if (!p || cg_layout_detect(&l, &e) < 0)
		goto out;
	base = load_base(&oo, ovtext, sizeof(ovtext), &e);
	if (!base && *ovtext)
		goto out;
	c.base = base;
	c.overrides = ovtext;
	if (o->tree) {
		if (descendants(o->pid, &pids, &n) < 0) {
			cg_err_sys(&e, "reading /proc");
			goto out;
		}
	} else {
		pids = malloc(sizeof(pid_t));
		if (!pids)
			goto out;
		pids[0] = o->pid;
	}
	/* where every thread is now: a move that fails half-way is undone */
	moved = calloc(n, sizeof(int));
	if (!moved || launch_origin_save(&from, pids, n, &e) < 0)
		goto out;
	diags_init(&d, p->path ? p->path : "");
	entered = true;
	if (launch_cg_enter(&c, p, &l, &po, o->ov.child, o->pid, &d, &e) < 0) {
		diags_print(&d, stderr);
		move_refused(o->pid, &c, &e);
		goto out;
	}
	if (c.n == 0) {
		cg_err_set(&e, 0, "--pid: the profile sets no limit: give a resource section or --cpu, --memory, --pids");
		goto out;
	}
	for (i = 0; i < n; i++) {
		char st;
		unsigned long fl;
		pid_t pp;
		int t = launch_cg_move(&c, pids[i], &e);

		if (t < 0) {
			/* a descendant that ended meanwhile */
			if (i > 0 && (proc_stat(pids[i], &st, &pp, &fl) < 0 || st == 'Z')) {
				cg_err_clear(&e);
				continue;
			}
			move_refused(pids[i], &c, &e);
			goto out;
		}
		moved[i] = t;
		threads += t;
	}
	/* said once all went: a failure moves every process back */
	for (i = 0; i < n; i++) {
		if (!moved[i])
			continue;
		comm_of(pids[i], comm, sizeof(comm));
		printf("cgrun: moved pid %d (%s, %d thread%s)\n", (int)pids[i], comm, moved[i],
		       moved[i] == 1 ? "" : "s");
	}
	printf("cgrun: %zu process%s, %d thread%s now in group %s%s%s:\n", n, n == 1 ? "" : "es",
	       threads, threads == 1 ? "" : "s", p->group.name.s, o->ov.child ? "/" : "",
	       o->ov.child ? o->ov.child : "");
	for (i = 0; i < c.n; i++)
		printf("  %s\n", c.leaf[i]);
	rc = 0;
out:
	if (rc && e.msg[0])
		fprintf(stderr, "cgrun: %s\n", e.msg);
	if (rc && entered && c.n) {
		/* back where they were, then what this call made goes */
		left = launch_origin_restore(&from, &c, why, sizeof(why));
		if (left)
			fprintf(stderr, "cgrun: %d thread%s could not be moved back: %s\n", left,
				left == 1 ? "" : "s", why);
		cg_err_clear(&e);
		if (launch_cg_abandon(&c, &e) < 0)
			fprintf(stderr, "cgrun: warning: %s\n", e.msg);
	}
	launch_origin_free(&from);
	launch_cg_free(&c);
	cg_layout_free(&l);
	if (p)
		profile_free(p);
	if (base)
		profile_free(base);
	return rc;
}

/* ---- --gc --------------------------------------------------------------- */

int launch_gc(const struct launch_opts *o)
{
	struct cg_layout l = { 0 };
	struct profile *p = NULL;
	const char *parent = o->ov.parent;
	cg_err e = { 0 };
	int n = -1;

	if (o->profile_path || o->ov.name) {
		/* one group: the profile's (or --name's) */
		struct plan_opts po = { .parent = o->ov.parent };
		struct plan pl = { 0 };
		struct diags d;

		p = load(o, &e);
		if (!p || cg_layout_detect(&l, &e) < 0)
			goto out;
		diags_init(&d, p->path ? p->path : "");
		if (plan_build(p, &l, &po, &cg_reader_fs, &pl, &d, &e) < 0) {
			diags_print(&d, stderr);
			plan_free(&pl);
			goto out;
		}
		n = launch_cg_gc_group(pl.group_dirs, pl.n_group_dirs, true);
		plan_free(&pl);
		printf("cgrun: --gc: removed %d group%s of %s\n", n, n == 1 ? "" : "s", p->group.name.s);
		goto out;
	}
	if (!parent)
		parent = "cgkit";
	if (strcmp(parent, "self") != 0 && profile_parent_invalid(parent)) {
		cg_err_set(&e, 0, "--parent: '%s': %s", parent, profile_parent_invalid(parent));
		goto out;
	}
	if (cg_layout_detect(&l, &e) < 0)
		goto out;
	n = launch_cg_gc(&l, parent, true, &e);
	if (n >= 0)
		printf("cgrun: --gc: removed %d group%s below %s\n", n, n == 1 ? "" : "s", parent);
out:
	if (n < 0 && e.msg[0])
		fprintf(stderr, "cgrun: --gc: %s\n", e.msg);
	cg_layout_free(&l);
	if (p)
		profile_free(p);
	return n < 0 ? CGRUN_EXIT_FAIL : 0;
}
