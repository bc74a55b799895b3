/* The child side of a launch (see launch_child.h). Everything here runs in
 * the cloned child, after cgrun has put it into its leaf: a failure is
 * reported over the error pipe and ends the child with 125, 126 or 127. */
#include "launch_child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "launch.h"
#include "profile.h"

const int launch_forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,
					 SIGUSR2, SIGWINCH, SIGCONT };
const size_t launch_n_forwarded_signals =
	sizeof(launch_forwarded_signals) / sizeof(launch_forwarded_signals[0]);

extern char **environ;

/* Sends the report to cgrun and ends the child with the status that goes
 * with it. */
__attribute__((noreturn, format(printf, 4, 5))) static void
child_fail(const struct child_spec *s, int stage, int errnum, const char *fmt, ...)
{
	struct child_report r = { .stage = stage, .errnum = errnum };
	size_t len;
	va_list ap;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
	va_end(ap);
	len = strlen(r.msg);
	if (errnum && !(stage == CHILD_EXEC && errnum == ENOENT))
		snprintf(r.msg + len, sizeof(r.msg) - len, ": %s", strerror(errnum));
	do
		n = write(s->report_fd, &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	if (stage == CHILD_EXEC)
		_exit(errnum == ENOENT ? CGRUN_EXIT_NOTFOUND : CGRUN_EXIT_NOEXEC);
	_exit(CGRUN_EXIT_FAIL);
}

#define FAIL_SYS(s, ...) child_fail((s), CHILD_SETUP, errno, __VA_ARGS__)

static void loopback_up(const struct child_spec *s)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		FAIL_SYS(s, "net namespace: socket");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		FAIL_SYS(s, "net namespace: reading the flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		FAIL_SYS(s, "net namespace: bringing lo up");
	close(fd);
}

static char *path_in(const char *root, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", root, rel) < 0)
		return NULL;
	return p;
}

static void mkdir_in(const struct child_spec *s, const char *root, const char *rel, mode_t mode)
{
	char *p = path_in(root, rel);

	if (!p || (mkdir(p, mode) < 0 && errno != EEXIST))
		FAIL_SYS(s, "rootfs: creating %s", p ? p : rel);
	free(p);
}

static void mount_in(const struct child_spec *s, const char *src, const char *root,
		     const char *rel, const char *type, unsigned long flags, const char *data)
{
	char *p = path_in(root, rel);

	if (!p || mount(src, p, type, flags, data) < 0)
		FAIL_SYS(s, "rootfs: mounting %s on %s", type ? type : src, p ? p : rel);
	free(p);
}

/* A minimal /dev: the usual character devices bound from the host (mknod is
 * not allowed in a user namespace; a bind is), a private devpts, and shm. */
static void setup_dev(const struct child_spec *s, const char *root)
{
	static const char *const devs[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "pts/ptmx", "ptmx" }, { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
	};
	size_t i;

	mkdir_in(s, root, "dev", 0755);
	mount_in(s, "tmpfs", root, "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k");
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		char src[32], rel[32], *p;
		int fd;

		snprintf(src, sizeof(src), "/dev/%s", devs[i]);
		snprintf(rel, sizeof(rel), "dev/%s", devs[i]);
		p = path_in(root, rel);
		if (!p || (fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0666)) < 0)
			FAIL_SYS(s, "rootfs: creating %s", p ? p : rel);
		close(fd);
		if (mount(src, p, NULL, MS_BIND, NULL) < 0)
			FAIL_SYS(s, "rootfs: binding %s on %s", src, p);
		free(p);
	}
	mkdir_in(s, root, "dev/pts", 0755);
	mount_in(s, "devpts", root, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "newinstance,ptmxmode=0666,mode=0620");
	mkdir_in(s, root, "dev/shm", 01777);
	mount_in(s, "tmpfs", root, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		char *p = path_in(root, "dev");
		char *l;

		if (!p || asprintf(&l, "%s/%s", p, links[i][1]) < 0)
			FAIL_SYS(s, "rootfs: /dev");
		if (symlink(links[i][0], l) < 0 && errno != EEXIST)
			FAIL_SYS(s, "rootfs: linking %s", l);
		free(l);
		free(p);
	}
}

/* /sys read-only: a fresh sysfs (it shows the new net namespace's devices),
 * else the host's bound read-only where a fresh one is not allowed. */
static void setup_sys(const struct child_spec *s, const char *root)
{
	const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char *p = path_in(root, "sys");

	mkdir_in(s, root, "sys", 0555);
	if (!p)
		FAIL_SYS(s, "rootfs: /sys");
	if (mount("sysfs", p, "sysfs", ro, NULL) == 0) {
		free(p);
		return;
	}
	if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | ro, NULL) < 0)
		FAIL_SYS(s, "rootfs: mounting /sys read-only on %s", p);
	free(p);
}

static void mount_overlay(const struct child_spec *s)
{
	size_t len = 64 + strlen(s->upper) + strlen(s->work) + (s->rootfs ? strlen(s->rootfs) : 0);
	char *opts, *o;
	size_t i;

	for (i = 0; i < s->n_layers; i++)
		len += strlen(s->layers[i]) + 1;
	opts = malloc(len);
	if (!opts)
		FAIL_SYS(s, "overlay");
	o = opts + sprintf(opts, "lowerdir=");
	for (i = 0; i < s->n_layers; i++)
		o += sprintf(o, "%s%s", i ? ":" : "", s->layers[i]);
	/* the rootfs, when there is one too, is the bottom layer */
	if (s->rootfs)
		o += sprintf(o, ":%s", s->rootfs);
	sprintf(o, ",upperdir=%s,workdir=%s", s->upper, s->work);
	if (mount("overlay", s->root, "overlay", 0, opts) < 0)
		FAIL_SYS(s, "overlay: mounting %s on %s", opts, s->root);
	free(opts);
}

/* The seed's way into a root: bind it on itself, pivot_root, detach the old
 * root. Where pivot_root is impossible (the host runs from an initramfs),
 * move the new root over / and chroot, and say so. */
static void enter_root(const struct child_spec *s)
{
	const char *root = s->root;

	if (s->n_layers)
		mount_overlay(s);
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		FAIL_SYS(s, "rootfs: binding %s on itself", root);
	mkdir_in(s, root, "proc", 0555);
	mount_in(s, "proc", root, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	setup_dev(s, root);
	setup_sys(s, root);
	if (chdir(root) < 0)
		FAIL_SYS(s, "rootfs: chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		/* the old root is stacked on the new one: detach it */
		if (umount2(".", MNT_DETACH) < 0)
			FAIL_SYS(s, "rootfs: unmounting the old root");
	} else {
		fprintf(stderr, "cgrun: warning: pivot_root into %s is impossible here (%s): "
				"using chroot\n", root, strerror(errno));
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
			FAIL_SYS(s, "rootfs: chroot into %s", root);
	}
	if (chdir("/") < 0)
		FAIL_SYS(s, "rootfs: chdir /");
}

/* What needs neither the leaves nor the host's paths, done while cgrun
 * makes the leaves: the hostname, lo, and / made private. */
static void setup_early(const struct child_spec *s)
{
	if ((s->ns & NS_MOUNT) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		FAIL_SYS(s, "mount namespace: making / private");
	if ((s->ns & NS_UTS) && s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		FAIL_SYS(s, "uts namespace: hostname %s", s->hostname);
	if (s->ns & NS_NET)
		loopback_up(s);
}

/* Into the leaves through fds opened by launch_cg_open_leaves (closed
 * here, and the launch lock with them once this process is in), then the
 * cgroup namespace: the leaf becomes its root. */
static void join(const struct child_spec *s, int *fds)
{
	char why[512];

	if (s->cg && s->cg->n && launch_cg_join_fds(s->cg, fds, why, sizeof(why)) < 0)
		child_fail(s, CHILD_SETUP, 0, "%s", why);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if ((s->ns & NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		FAIL_SYS(s, "cgroup namespace");
}

/* The rest, with the leaves' files open: the root or a fresh /proc. */
static void setup_namespaces(const struct child_spec *s)
{
	if (s->ns & NS_MOUNT) {
		if (s->root)
			enter_root(s);
		else if ((s->ns & NS_PID) &&
			 mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			FAIL_SYS(s, "mount namespace: mounting a fresh /proc");
	}
}

/* Puts the workload into its own process group in the terminal's
 * foreground, as a shell does for a job; SIGTTOU is still blocked here. */
static void take_terminal(void)
{
	if (setpgid(0, 0) == 0)
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
}

static void drop_user(const struct child_spec *s)
{
	pid_t parent = getppid();

	if (setgroups(0, NULL) < 0 && errno != EPERM)
		FAIL_SYS(s, "user: dropping supplementary groups");
	if (setresgid(s->gid, s->gid, s->gid) < 0)
		FAIL_SYS(s, "user: setting gid %u", (unsigned)s->gid);
	if (setresuid(s->uid, s->uid, s->uid) < 0)
		FAIL_SYS(s, "user: setting uid %u", (unsigned)s->uid);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		FAIL_SYS(s, "user: no_new_privs");
	/* a change of credentials clears the parent-death signal: set it again */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(CGRUN_EXIT_FAIL);
}

__attribute__((noreturn)) static void exec_workload(const struct child_spec *s)
{
	sigset_t none;

	if (s->tty)
		take_terminal();
	if (s->set_user)
		drop_user(s);
	if (s->workdir && chdir(s->workdir) < 0)
		FAIL_SYS(s, "workdir %s", s->workdir);
	for (size_t i = 0; i < launch_n_forwarded_signals; i++)
		if (s->ignored & (1u << i))
			signal(launch_forwarded_signals[i], SIG_IGN);
	signal(SIGPIPE, s->pipe_ignored ? SIG_IGN : SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	environ = s->env;
	execvp(s->argv[0], s->argv);
	if (errno == ENOENT)
		child_fail(s, CHILD_EXEC, ENOENT, "%s: command not found", s->argv[0]);
	child_fail(s, CHILD_EXEC, errno, "%s: cannot execute", s->argv[0]);
}

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return CGRUN_EXIT_FAIL;
}

/* pid 1 of the new pid namespace: reaps every process that ends up as its
 * child, passes every signal it gets on to the workload, and exits with the
 * workload's status (128+N for a signal: pid 1 cannot die of one itself). */
__attribute__((noreturn)) static void run_init(const struct child_spec *s, int *fds)
{
	struct signalfd_siginfo si;
	sigset_t all;
	pid_t w;
	int sfd;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		FAIL_SYS(s, "init: signalfd");
	w = fork();
	if (w < 0)
		FAIL_SYS(s, "init: fork");
	if (w == 0) {
		close(sfd);
		join(s, fds);
		exec_workload(s);
	}
	/* init itself stays out of the leaves: when the command ends, cgrun
	 * can empty and remove them while init and its namespaces go away */
	for (size_t i = 0; s->cg && i < s->cg->n; i++)
		close(fds[i]);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	prctl(PR_SET_NAME, "cgrun-init");
	for (;;) {
		ssize_t n = read(sfd, &si, sizeof(si));

		if (n != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD) {
			pid_t p;
			int st;

			while ((p = waitpid(-1, &st, WNOHANG)) > 0)
				if (p == w) {
					struct child_report r = { .stage = CHILD_DONE,
								  .errnum = status_code(st) };

					/* tell cgrun first: it need not wait for
					 * this process and the namespace to end */
					(void)!write(s->report_fd, &r, sizeof(r));
					_exit(r.errnum);
				}
			continue;
		}
		kill(w, (int)si.ssi_signo);
	}
}

/* Waits for cgrun's go: the leaves are made (and a user namespace's maps
 * written). A closed pipe means cgrun gave up or died. */
static void wait_start(const struct child_spec *s)
{
	char go;
	ssize_t n;

	do
		n = read(s->start_fd, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1 || go != 'g')
		_exit(CGRUN_EXIT_FAIL);
	close(s->start_fd);
}

/* The pid the host sees: /proc is still the host's here. */
static pid_t host_pid(const struct child_spec *s)
{
	char buf[32];
	ssize_t n;

	if (!(s->ns & NS_PID))
		return getpid();
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n <= 0)
		FAIL_SYS(s, "reading the host's pid from /proc/self");
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

void child_main(const struct child_spec *s)
{
	int fds[LAUNCH_MAX_HIER];
	pid_t hp;

	/* If cgrun dies from here on, so do we; if it died before this line,
	 * the start pipe reads as closed. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* in a user namespace, nothing before cgrun has written the maps */
	if (!(s->ns & NS_USER))
		setup_early(s);
	hp = host_pid(s);
	wait_start(s);
	if (s->ns & NS_USER)
		setup_early(s);
	/* the leaves' files, while the host's cgroup mounts are in view */
	if (s->cg && s->cg->n) {
		char why[512];

		if (launch_cg_open_leaves(s->cg, hp, fds, why, sizeof(why)) < 0)
			child_fail(s, CHILD_SETUP, 0, "%s", why);
	}
	/* the tiny init: the command joins the leaves once it is forked */
	if ((s->ns & NS_PID) && !s->no_init) {
		setup_namespaces(s);
		run_init(s, fds);
	}
	/* into the leaves before anything of the command (see launch_cg.h) */
	join(s, fds);
	setup_namespaces(s);
	exec_workload(s);
}
