/* Benchmark: apply + remove of a five-controller profile, three ways, in one
 * run and interleaved so that noise hits all alike:
 *   cgkit   policy_apply() + policy_remove() (what cgrun --apply/--remove do)
 *   floor   the same mkdir/write/rmdir as bare system calls, nothing else
 *   cgtools libcgroup's cgcreate + cgset + cgdelete processes
 * and, to compare processes with processes, cgrun --apply + cgrun --remove.
 * Usage: bench_apply PROFILE ITERATIONS CGRUN */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "layout.h"
#include "plan.h"
#include "policy.h"
#include "profile.h"

extern char **environ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int run(char **argv)
{
	pid_t pid;
	int st;
	posix_spawn_file_actions_t fa;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		perror(argv[0]);
		exit(1);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench: %s failed\n", argv[0]);
		exit(1);
	}
	return 0;
}

static void floor_cycle(const struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_op *op = &pl->ops[i];

		if (op->kind == PLAN_MKDIR) {
			if (mkdir(op->path, 0755) < 0 && errno != EEXIST) {
				perror(op->path);
				exit(1);
			}
		} else {
			int fd = open(op->path, O_WRONLY | O_CLOEXEC);

			if (fd < 0 || write(fd, op->value, strlen(op->value)) < 0) {
				perror(op->path);
				exit(1);
			}
			close(fd);
		}
	}
	for (size_t i = pl->n; i-- > 0;)
		if (pl->ops[i].kind == PLAN_MKDIR && rmdir(pl->ops[i].path) < 0) {
			perror(pl->ops[i].path);
			exit(1);
		}
}

/* "ctrl:relpath" of a group directory, from the layout's mount points. */
static void ctrl_path(const struct cg_layout *l, const char *dir, char *out, size_t len)
{
	for (int c = 0; c < CTRL_COUNT; c++) {
		const char *m = cg_layout_mount(l, c);
		size_t ml = m ? strlen(m) : 0;

		if (m && !strncmp(dir, m, ml) && dir[ml] == '/') {
			snprintf(out, len, "%s:%s", cg_ctrl_name(c, cg_layout_is_v2(l, c)), dir + ml);
			return;
		}
	}
	fprintf(stderr, "bench: no mount for %s\n", dir);
	exit(1);
}

/* cgcreate -g ... ; cgset -r f=v ... per directory ; cgdelete -g ... */
static void cgtools_cycle(const struct cg_layout *l, const struct plan *pl)
{
	char *create[64] = { "/usr/bin/cgcreate" }, *del[4] = { "/usr/bin/cgdelete" };
	char bufs[64][512];
	int nc = 1, nb = 0;

	for (size_t i = 0; i < pl->n; i++) {
		if (pl->ops[i].kind != PLAN_MKDIR)
			continue;
		ctrl_path(l, pl->ops[i].path, bufs[nb], sizeof(bufs[nb]));
		create[nc++] = "-g";
		create[nc++] = bufs[nb];
		nb++;
	}
	create[nc] = NULL;
	run(create);
	for (size_t i = 0; i < pl->n; i++) {
		char *set[64] = { "/usr/bin/cgset" };
		char vals[32][256];
		char dir[512];
		int ns = 1, nv = 0;

		if (pl->ops[i].kind != PLAN_MKDIR)
			continue;
		for (size_t j = 0; j < pl->n && nv < 30; j++) {
			const char *p = pl->ops[j].path, *slash = strrchr(p, '/');

			if (pl->ops[j].kind != PLAN_WRITE || (size_t)(slash - p) != strlen(pl->ops[i].path) ||
			    strncmp(p, pl->ops[i].path, slash - p))
				continue;
			/* cgset refuses cgroup.* files ("parameter does not exist") */
			if (!strncmp(slash + 1, "cgroup.", 7))
				continue;
			snprintf(vals[nv], sizeof(vals[0]), "%s=%s", slash + 1, pl->ops[j].value);
			set[ns++] = "-r";
			set[ns++] = vals[nv++];
		}
		if (ns == 1)
			continue;
		ctrl_path(l, pl->ops[i].path, dir, sizeof(dir));
		set[ns++] = strchr(dir, ':') + 1;
		set[ns] = NULL;
		run(set);
	}
	/* One cgdelete per group: libcgroup 2.0.2's cgdelete, given several
	 * -g (or "a,b:/path"), removes only the first and still exits 0. */
	for (size_t i = pl->n; i-- > 0;) {
		if (pl->ops[i].kind != PLAN_MKDIR)
			continue;
		del[1] = "-g";
		del[2] = bufs[--nb];
		del[3] = NULL;
		run(del);
	}
}

/* Every cycle must end where it started, or the next one measures mkdir on
 * a directory that is already there. */
static void assert_gone(const struct plan *pl, const char *who)
{
	struct stat st;

	for (size_t i = 0; i < pl->n; i++)
		if (pl->ops[i].kind == PLAN_MKDIR && stat(pl->ops[i].path, &st) == 0) {
			fprintf(stderr, "bench: %s left %s behind\n", who, pl->ops[i].path);
			exit(1);
		}
}

int main(int argc, char **argv)
{
	struct profile_opts po = { .host_ram = 1ULL << 34 };
	struct plan_opts opts = { 0 };
	struct cg_layout l = { 0 };
	struct plan pl = { 0 };
	struct diags d;
	cg_err e = { 0 };
	struct profile *p;
	int n;
	double *t[4];
	static const char *const way[4] = { "cgkit library", "floor", "cgrun", "libcgroup tools" };

	if (argc != 4) {
		fprintf(stderr, "usage: bench_apply PROFILE ITERATIONS CGRUN\n");
		return 2;
	}
	n = atoi(argv[2]);
	diags_init(&d, argv[1]);
	p = profile_load(argv[1], &po, &d);
	if (!p || cg_layout_detect(&l, &e) < 0 ||
	    plan_build(p, &l, &opts, &cg_reader_fs, &pl, &d, &e) < 0) {
		diags_print(&d, stderr);
		fprintf(stderr, "bench: %s\n", e.msg);
		return 1;
	}
	for (int k = 0; k < 4; k++)
		t[k] = calloc(n, sizeof(double));
	/* The four ways run in a new random order each round: whichever runs
	 * right after the libcgroup processes meets the kernel still tearing
	 * their groups down, and that must not always be the same one. */
	srand(1);
	for (int i = 0; i < n; i++) {
		int order[4] = { 0, 1, 2, 3 };

		for (int j = 3; j > 0; j--) {
			int r = rand() % (j + 1), x = order[j];

			order[j] = order[r];
			order[r] = x;
		}
		for (int j = 0; j < 4; j++) {
			int k = order[j];
			char *ap[] = { argv[3], "--apply", "-p", argv[1], NULL };
			char *rm[] = { argv[3], "--remove", "-p", argv[1], NULL };
			double a = now_us();

			if (k == 0 && (policy_apply(p, &l, &opts, &d, &e) < 0 ||
				       policy_remove(p, &l, &opts, false, &e) < 0)) {
				fprintf(stderr, "bench: %s\n", e.msg);
				return 1;
			} else if (k == 1) {
				floor_cycle(&pl);
			} else if (k == 2) {
				run(ap);
				run(rm);
			} else if (k == 3) {
				cgtools_cycle(&l, &pl);
			}
			t[k][i] = now_us() - a;
			assert_gone(&pl, way[k]);
		}
	}
	double m[4];

	for (int k = 0; k < 4; k++)
		m[k] = median(t[k], n);
	printf("apply+remove of a five-controller profile (%zu ops, %d runs, medians)\n", pl.n, n);
	printf("  %-38s %9.1f us  %5.2fx floor\n", "cgkit library (policy_apply+remove)", m[0], m[0] / m[1]);
	printf("  %-38s %9.1f us  %5.2fx floor\n", "bare mkdir/write/rmdir in C (floor)", m[1], 1.0);
	printf("  %-38s %9.1f us  %5.2fx floor\n", "cgrun --apply + cgrun --remove", m[2], m[2] / m[1]);
	printf("  %-38s %9.1f us  %5.2fx floor\n", "libcgroup cgcreate+cgset+cgdelete", m[3], m[3] / m[1]);
	printf("  cgkit library vs floor: %.2fx (target <= 1.3x); libcgroup tools vs cgrun: %.1fx, vs library: %.1fx (target >= 3x)\n",
	       m[0] / m[1], m[3] / m[2], m[3] / m[0]);
	plan_free(&pl);
	cg_layout_free(&l);
	profile_free(p);
	for (int k = 0; k < 4; k++)
		free(t[k]);
	return 0;
}
