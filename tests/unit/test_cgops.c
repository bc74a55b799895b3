/* The cgroup-operations layer (cgops.h) against a fake tree and a fake
 * /proc: a move reaches every thread (one left behind, one born during the
 * move), the descendants, skips a reused pid and a process that exits; a
 * failure injected at every write of a move puts back what had moved;
 * freeze waits for the state (and thaws again when it never comes); signals
 * go through pidfds to the processes still in the group; kill-all and
 * remove-and-wait. */
/* WRAP: sys_write_file sys_mkdir sys_rmdir sys_kill sys_pidfd_open sys_pidfd_send_signal */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* the fake kernel's writes, extended below with threads, freezing, kill */
#include "fakecg.h"

#include "cgops.h"

static char proc_dir[4200];
static int lag_tid;          /* a thread that cgroup.procs does not take along */
static int born_tid;         /* a thread that appears at the first procs write */
static int born_pid, born_ppid;   /* a child that appears at the first procs write */
static int gone_pid;         /* writes of this pid fail ESRCH */
static bool freeze_stuck;    /* v1 freezer.state stays FREEZING */
static int sent[16][2], nsent;
static int eperm_pid;

static void fake_proc(int pid, int ppid, unsigned long long start, const char *cgroup, int ntids, ...)
{
	char d[4400], f[4500];
	va_list ap;

	snprintf(d, sizeof(d), "%s/%d", proc_dir, pid);
	mkdir(d, 0755);
	snprintf(f, sizeof(f), "%s/task", d);
	mkdir(f, 0755);
	snprintf(f, sizeof(f), "%d (py thon) S %d 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 1000 10", pid,
		 ppid, start);
	fake_put(d, "stat", f);
	fake_put(d, "cgroup", cgroup);
	va_start(ap, ntids);
	for (int i = 0; i < ntids; i++) {
		snprintf(f, sizeof(f), "%s/task/%d", d, va_arg(ap, int));
		mkdir(f, 0755);
	}
	va_end(ap);
}

static void add_tid(int pid, int tid)
{
	char f[4500];

	snprintf(f, sizeof(f), "%s/%d/task/%d", proc_dir, pid, tid);
	mkdir(f, 0755);
}

static const char *threads_file(void)
{
	return fake_v2 ? "cgroup.threads" : "tasks";
}

/* Drops id from file in every group below dir. */
static void drop_id(const char *dir, const char *file, const char *id)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096], out[65536] = "", *cur;

	if (!d)
		return;
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	cur = fake_get(p);
	if (cur) {
		for (char *s = cur; *s;) {
			size_t len = strcspn(s, "\n");

			if (len && (len != strlen(id) || strncmp(s, id, len)))
				snprintf(out + strlen(out), sizeof(out) - strlen(out), "%.*s\n", (int)len, s);
			s += len;
			s += *s == '\n';
		}
		fake_put(dir, file, out);
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			drop_id(p, file, id);
		}
	closedir(d);
}

static void put_thread(const char *dir, const char *tid)
{
	char top[4096], h[64], p[4200];
	char *cur;

	if (fake_v2)
		snprintf(top, sizeof(top), "%s", fake_root);
	else
		snprintf(top, sizeof(top), "%s/%s", fake_root, fake_hier(dir, h, sizeof(h)));
	drop_id(top, threads_file(), tid);
	snprintf(p, sizeof(p), "%s/%s", dir, threads_file());
	cur = fake_get(p);
	snprintf(p, sizeof(p), "%s%s\n", cur ? cur : "", tid);
	fake_put(dir, threads_file(), p);
}

int __wrap_sys_write_file(const char *path, const char *value);
int __wrap_sys_write_file(const char *path, const char *value)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	if (atoi(value) == gone_pid && gone_pid) {
		errno = ESRCH;
		return -1;
	}
	if (fake_is(path, "tasks") || fake_is(path, "cgroup.threads")) {
		if (fake_step_fails(path))
			return -1;
		put_thread(dir, value);
		return 0;
	}
	if (fake_is(path, "freezer.state") || fake_is(path, "cgroup.freeze")) {
		bool v2 = fake_is(path, "cgroup.freeze"), on = !strcmp(value, v2 ? "1" : "FROZEN");

		if (fake_step_fails(path))
			return -1;
		if (v2)
			fake_put(dir, "cgroup.events", on ? "populated 1\nfrozen 1\n" : "populated 1\nfrozen 0\n");
		fake_put(dir, v2 ? "cgroup.freeze" : "freezer.state",
			 v2 ? value : on ? (freeze_stuck ? "FREEZING\n" : "FROZEN\n") : "THAWED\n");
		return 0;
	}
	if (fake_is(path, "cgroup.kill")) {
		fake_put(dir, "cgroup.procs", "");
		return 0;
	}
	if (fake_write_file(path, value) < 0)
		return -1;
	if (fake_is(path, "cgroup.procs")) {
		/* the whole thread group moves, but for the one left behind */
		char task[4400];
		DIR *d;
		struct dirent *de;

		snprintf(task, sizeof(task), "%s/%s/task", proc_dir, value);
		d = opendir(task);
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.' && atoi(de->d_name) != lag_tid)
				put_thread(dir, de->d_name);
		if (d)
			closedir(d);
		if (born_tid) {
			add_tid(atoi(value), born_tid);
			born_tid = 0;
		}
		if (born_pid) {
			fake_proc(born_pid, born_ppid, 7, "", 1, born_pid);
			born_pid = 0;
		}
	}
	return 0;
}

int __wrap_sys_kill(pid_t pid, int sig);
int __wrap_sys_kill(pid_t pid, int sig)
{
	char v[16];

	if (pid == eperm_pid) {
		errno = EPERM;
		return -1;
	}
	sent[nsent][0] = pid;
	sent[nsent++][1] = sig;
	if (sig == SIGKILL) {   /* it dies: out of every group */
		snprintf(v, sizeof(v), "%d", (int)pid);
		fake_drop_pid(fake_root, v);
	}
	return 0;
}

static int pidfd_pid[64];
int __wrap_sys_pidfd_open(pid_t pid, unsigned flags);
int __wrap_sys_pidfd_open(pid_t pid, unsigned flags)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)flags;
	assert_true(fd >= 0 && fd < 64);
	pidfd_pid[fd] = pid;
	return fd;
}

int __wrap_sys_pidfd_send_signal(int fd, int sig);
int __wrap_sys_pidfd_send_signal(int fd, int sig)
{
	return __wrap_sys_kill(pidfd_pid[fd], sig);
}

/* ---- set-up: a v1 tree with cpu, memory, freezer, or a v2 one ---- */

static const char *const hiers[] = { "cpu", "memory", "freezer" };
static char mounts[4][4200];

static void group_dirs(struct cg_dirs *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < (fake_v2 ? 1 : 3); i++) {
		if (fake_v2)
			snprintf(mounts[i], sizeof(mounts[i]), "%s", fake_root);
		else
			snprintf(mounts[i], sizeof(mounts[i]), "%s/%s", fake_root, hiers[i]);
		g->h[i].mount = mounts[i];
		g->h[i].ctrl = fake_v2 ? NULL : hiers[i];
		g->h[i].v2 = fake_v2;
		g->h[g->n++].dir = strdup(name[0] ? strcat(strcat(strcpy((char[4200]){ 0 }, mounts[i]), "/"), name)
						  : mounts[i]);
	}
}

static void group_free(struct cg_dirs *g)
{
	for (size_t i = 0; i < g->n; i++)
		free((char *)g->h[i].dir);
}

static void make(const struct cg_dirs *g)
{
	for (size_t i = 0; i < g->n; i++) {
		assert_int_equal(__wrap_sys_mkdir(g->h[i].dir, 0755), 0);
		fake_put(g->h[i].dir, threads_file(), "");
		if (!fake_v2 && !strcmp(hiers[i], "freezer"))
			fake_put(g->h[i].dir, "freezer.state", "THAWED\n");
		if (fake_v2)
			fake_put(g->h[i].dir, "cgroup.events", "populated 0\nfrozen 0\n");
	}
}

static int setup(bool v2)
{
	fake_tree(v2);
	snprintf(proc_dir, sizeof(proc_dir), "%s/proc", fake_root);
	mkdir(proc_dir, 0755);
	cg_proc_root = proc_dir;
	lag_tid = born_tid = born_pid = gone_pid = eperm_pid = nsent = 0;
	freeze_stuck = false;
	return 0;
}

static int setup_v1(void **state)
{
	(void)state;
	return setup(false);
}

static int setup_v2(void **state)
{
	(void)state;
	return setup(true);
}

static int teardown(void **state)
{
	(void)state;
	fake_tree_free();
	return 0;
}

static bool has_line(const char *dir, const char *file, const char *line)
{
	char p[4400], want[64];
	const char *text;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	text = fake_get(p);
	snprintf(want, sizeof(want), "%s\n", line);
	return text && (!strncmp(text, want, strlen(want)) || strstr(text, want - 1 + 1) != NULL);
}

#define V1_CG "7:freezer:/\n4:memory:/\n3:cpu,cpuacct:/\n0::/\n"

/* ---- moving ---- */

static void move_takes_every_thread(void **state)
{
	struct cg_dirs g;
	struct cg_proc p = { 100, 555 };
	cg_err e = { 0 };

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	fake_proc(100, 1, 555, V1_CG, 3, 100, 101, 102);
	lag_tid = 102;       /* apart before the move (v1) */
	born_tid = 103;      /* born while the process moves */
	assert_int_equal(cg_move_process(&g, &p, 0, &e), 1);
	for (size_t i = 0; i < g.n; i++) {
		assert_true(has_line(g.h[i].dir, "cgroup.procs", "100"));
		for (int t = 100; t <= 103; t++) {
			char tid[16];

			snprintf(tid, sizeof(tid), "%d", t);
			assert_true(has_line(g.h[i].dir, "tasks", tid));
		}
	}
	group_free(&g);
}

static void move_takes_descendants_and_skips_reused_or_gone(void **state)
{
	struct cg_dirs g;
	struct cg_proc p = { 100, 555 }, stale = { 100, 554 };
	cg_err e = { 0 };
	int steps;

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	fake_proc(100, 1, 555, V1_CG, 1, 100);
	fake_proc(200, 100, 600, V1_CG, 1, 200);
	steps = fake_steps;
	assert_int_equal(cg_move_process(&g, &stale, CG_MOVE_DESCENDANTS, &e), 0);
	assert_int_equal(fake_steps, steps);   /* a reused pid: nothing written */
	born_pid = 300;                        /* a grandchild forked meanwhile */
	born_ppid = 200;
	assert_int_equal(cg_move_process(&g, &p, CG_MOVE_DESCENDANTS, &e), 3);
	for (size_t i = 0; i < g.n; i++) {
		assert_true(has_line(g.h[i].dir, "cgroup.procs", "200"));
		assert_true(has_line(g.h[i].dir, "cgroup.procs", "300"));
	}
	gone_pid = 100;   /* it exits as it moves: not an error */
	assert_int_equal(cg_move_process(&g, &p, 0, &e), 0);
	group_free(&g);
}

/* Who is where: each group's cgroup.procs and tasks, sorted (the order of
 * a list is the kernel's business, not the test's). */
static int int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static char *membership(const struct cg_dirs *a, const struct cg_dirs *b)
{
	char *out = calloc(1, 65536);
	const struct cg_dirs *gs[2] = { a, b };

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < gs[k]->n; i++)
			for (int f = 0; f < 2; f++) {
				char p[4400];
				const char *text;
				int ids[64], n = 0;

				snprintf(p, sizeof(p), "%s/%s", gs[k]->h[i].dir, f ? "tasks" : "cgroup.procs");
				text = fake_get(p);
				for (const char *s = text ? text : ""; *s && n < 64; s += strcspn(s, "\n"), s += *s == '\n')
					ids[n++] = atoi(s);
				qsort(ids, (size_t)n, sizeof(int), int_cmp);
				snprintf(out + strlen(out), 65536 - strlen(out), "%s:", p + strlen(fake_root));
				for (int j = 0; j < n; j++)
					snprintf(out + strlen(out), 65536 - strlen(out), " %d", ids[j]);
				strcat(out, "\n");
			}
	return out;
}

/* Fails the k-th write of a move from a to b for every k: each failure
 * leaves every process and thread where it was. */
static void move_rolls_back_at_every_write(void **state)
{
	int k;

	(void)state;
	for (k = 1;; k++) {
		struct cg_dirs a, b;
		struct cg_proc p = { 100, 555 };
		cg_err e = { 0 };
		char *before, *after;
		int rc;

		teardown(NULL);
		setup(false);
		group_dirs(&a, "a");
		group_dirs(&b, "b");
		make(&a);
		make(&b);
		fake_proc(100, 1, 555, "7:freezer:/a\n4:memory:/a\n3:cpu,cpuacct:/a\n", 2, 100, 101);
		fake_proc(200, 100, 600, "7:freezer:/a\n4:memory:/a\n3:cpu,cpuacct:/a\n", 1, 200);
		for (size_t i = 0; i < a.n; i++) {
			assert_int_equal(__wrap_sys_write_file(strcat(strcpy((char[4400]){ 0 }, a.h[i].dir), "/cgroup.procs"), "100"), 0);
			assert_int_equal(__wrap_sys_write_file(strcat(strcpy((char[4400]){ 0 }, a.h[i].dir), "/cgroup.procs"), "200"), 0);
		}
		before = membership(&a, &b);
		fake_steps = 0;
		fake_fail_at = k;
		rc = cg_move_process(&b, &p, CG_MOVE_DESCENDANTS | CG_MOVE_ROLLBACK, &e);
		fake_fail_at = 0;
		after = membership(&a, &b);
		assert_non_null(strstr(before, "/cpu/a/tasks: 100 101 200\n"));
		if (rc < 0) {
			assert_string_equal(before, after);
			assert_non_null(strstr(e.msg, "moving"));
		}
		free(before);
		free(after);
		group_free(&a);
		group_free(&b);
		if (rc >= 0) {
			assert_int_equal(rc, 2);
			break;
		}
	}
	assert_true(k > 6);   /* 2 processes x 3 hierarchies, and their threads */
}

/* ---- freezing ---- */

static void freeze_v2_waits_for_events(void **state)
{
	struct cg_dirs g;
	cg_err e = { 0 };

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	assert_int_equal(cg_frozen(&g, &e), 0);
	assert_int_equal(cg_freeze(&g, 100, &e), 0);
	assert_string_equal(fake_read("g/cgroup.freeze"), "1");
	assert_int_equal(cg_frozen(&g, &e), 1);
	assert_int_equal(cg_thaw(&g, 100, &e), 0);
	assert_int_equal(cg_frozen(&g, &e), 0);
	group_free(&g);
}

static void freeze_v1_gives_up_and_thaws(void **state)
{
	struct cg_dirs g;
	cg_err e = { 0 };

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	assert_int_equal(cg_freeze(&g, 100, &e), 0);
	assert_string_equal(fake_read("freezer/g/freezer.state"), "FROZEN");
	assert_int_equal(cg_thaw(&g, 100, &e), 0);
	freeze_stuck = true;
	assert_int_equal(cg_freeze(&g, 30, &e), -1);
	assert_int_equal(e.errnum, ETIMEDOUT);
	assert_non_null(strstr(e.msg, "FREEZING"));
	assert_string_equal(fake_read("freezer/g/freezer.state"), "THAWED");
	g.n = 1;   /* cpu only: no freezer */
	assert_int_equal(cg_freeze(&g, 30, &e), -1);
	assert_int_equal(e.errnum, ENOTSUP);
	g.n = 3;
	group_free(&g);
}

/* ---- signals, kill, remove ---- */

static void signal_all_reaches_the_group_only(void **state)
{
	struct cg_dirs g;
	struct cg_signal_count c;
	cg_err e = { 0 };
	char path[4400];

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	fake_proc(100, 1, 5, "3:cpu:/g\n", 1, 100);
	fake_proc(200, 1, 6, "3:cpu:/g\n", 1, 200);
	fake_proc(300, 1, 7, "3:cpu:/elsewhere\n", 1, 300);   /* the pid was reused */
	fake_proc(400, 1, 8, "3:cpu:/g\n", 1, 400);
	eperm_pid = 400;
	snprintf(path, sizeof(path), "%s/cgroup.procs", g.h[0].dir);
	fake_put(g.h[0].dir, "cgroup.procs", "100\n200\n300\n400\n");
	g.n = 1;
	assert_int_equal(cg_signal_all(&g, SIGTERM, 0, &c, &e), 0);
	assert_int_equal(c.sent, 2);
	assert_int_equal(c.gone, 1);
	assert_int_equal(c.denied, 1);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0][0], 100);
	assert_int_equal(sent[1][0], 200);
	assert_int_equal(sent[1][1], SIGTERM);
	g.n = 3;
	group_free(&g);
}

static void kill_all_and_remove_wait(void **state)
{
	struct cg_dirs g;
	cg_err e = { 0 };

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	fake_proc(100, 1, 5, "7:freezer:/g\n4:memory:/g\n3:cpu:/g\n", 1, 100);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(__wrap_sys_write_file(strcat(strcpy((char[4400]){ 0 }, g.h[i].dir), "/cgroup.procs"), "100"), 0);
	assert_int_equal(cg_remove_group(&g, 20, &e), -1);
	assert_int_equal(e.errnum, EBUSY);
	assert_non_null(strstr(e.msg, "1 process (pid 100)"));
	assert_int_equal(cg_kill_all(&g, 200, &e), 0);
	assert_int_equal(sent[0][1], SIGKILL);
	assert_int_equal(cg_remove_group(&g, 20, &e), 0);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(access(g.h[i].dir, F_OK), -1);
	assert_int_equal(cg_remove_wait(g.h[0].dir, 20, &e), 0);   /* gone already: fine */
	group_free(&g);
}

static void kill_all_v2_uses_cgroup_kill(void **state)
{
	struct cg_dirs g;
	cg_err e = { 0 };

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	fake_put(g.h[0].dir, "cgroup.procs", "100\n200\n");
	assert_int_equal(cg_kill_all(&g, 200, &e), 0);
	assert_int_equal(nsent, 0);   /* no kill(2): one write did it */
	group_free(&g);
}

/* ---- listing and finding ---- */

static void list_children_and_where(void **state)
{
	struct cg_dirs g;
	struct cg_ids ids = { 0 };
	struct cg_where w;
	char **names;
	size_t n;
	cg_err e = { 0 };

	(void)state;
	group_dirs(&g, "g");
	make(&g);
	assert_int_equal(__wrap_sys_mkdir(strcat(strcpy((char[4400]){ 0 }, g.h[0].dir), "/z"), 0755), 0);
	assert_int_equal(__wrap_sys_mkdir(strcat(strcpy((char[4400]){ 0 }, g.h[0].dir), "/b"), 0755), 0);
	fake_put(g.h[0].dir, "cgroup.procs", "100\n");
	fake_put(strcat(strcpy((char[4400]){ 0 }, g.h[0].dir), "/z"), "cgroup.procs", "300\n");
	fake_put(g.h[1].dir, "cgroup.procs", "100\n200\n");
	assert_int_equal(cg_procs_list(&g, 0, &ids, &e), 0);
	assert_int_equal(ids.n, 2);
	assert_int_equal(cg_procs_list(&g, CG_LIST_RECURSIVE, &ids, &e), 0);
	assert_int_equal(ids.n, 3);
	assert_true(cg_ids_has(&ids, 300));
	cg_ids_free(&ids);
	assert_int_equal(cg_children(g.h[0].dir, &names, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "b");
	assert_string_equal(names[1], "z");
	cg_names_free(names);
	fake_proc(100, 1, 5, "7:freezer:/x\n4:memory:/\n3:cpu,cpuacct:/g/z\n", 1, 100);
	assert_int_equal(cg_proc_where(100, &g, &w, &e), 0);
	assert_string_equal(w.dir[0] + strlen(fake_root), "/cpu/g/z");
	assert_string_equal(w.dir[1] + strlen(fake_root), "/memory");
	assert_string_equal(w.dir[2] + strlen(fake_root), "/freezer/x");
	cg_where_free(&w);
	group_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(move_takes_every_thread, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(move_takes_descendants_and_skips_reused_or_gone, setup_v1,
						teardown),
		cmocka_unit_test_setup_teardown(move_rolls_back_at_every_write, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(freeze_v2_waits_for_events, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(freeze_v1_gives_up_and_thaws, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(signal_all_reaches_the_group_only, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(kill_all_and_remove_wait, setup_v1, teardown),
		cmocka_unit_test_setup_teardown(kill_all_v2_uses_cgroup_kill, setup_v2, teardown),
		cmocka_unit_test_setup_teardown(list_children_and_where, setup_v1, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
