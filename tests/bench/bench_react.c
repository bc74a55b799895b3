/* Reaction of a classifying daemon (cgkitd, cgrulesengd) to exec, measured
 * from the exec itself. Three modes:
 *
 *   bench_react react N UID PROG ARG PROCS
 *	N times: fork; the child drops to UID (group 100, no supplementary
 *	groups), takes CLOCK_MONOTONIC into shared memory right before
 *	execv(PROG, [PROG, ARG]) and execs. PROCS is the cgroup.procs file of
 *	the group the program should land in ("%d" in it is the child's pid);
 *	the parent reads it every 100 us until the pid is in it: the latency is
 *	that moment minus the exec timestamp. Not seen within 1 s: missed.
 *	The child is killed and reaped after each round.
 *	PROCS "-": the program is banned: the parent waits for its death (the
 *	latency is the moment it is reaped minus the exec timestamp); one that
 *	ends on its own (exit status, not SIGKILL) ran to its end: missed.
 *	Prints "median_ms worst_ms missed over5 over50" (over5, over50: how
 *	many took longer than 5 and 50 ms).
 *
 *   bench_react storm N UID PROBE WANT CONC
 *	N processes as fast as the host makes them (at most CONC alive): each
 *	child drops to UID and execs PROBE (a copy of this program) as
 *	"PROBE probe WANT T", T the exec timestamp (CLOCK_MONOTONIC, ns, taken
 *	right before the exec). The probe sleeps until its exec is 50 ms old,
 *	then looks in /proc/self/cgroup for a line that ends in WANT (e.g.
 *	":/SELF/users/NAME"): there, on time (exit 0); if not, it looks again
 *	every 10 ms: there within 1 s of its exec, late (1), else missed (3).
 *	Prints "n late missed failed seconds".
 *
 *   bench_react probe WANT T	(what a storm child runs) */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void drop(uid_t uid)
{
	if (setgroups(0, NULL) < 0 || setgid(100) < 0 || setuid(uid) < 0)
		_exit(126);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Is pid in the cgroup.procs file? -1: the file is not there (yet). */
static int in_procs(const char *fmt, pid_t pid)
{
	char path[4096], buf[65536];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), fmt, (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (atoi(buf) == (int)pid) {
			found = 1;
			break;
		}
	fclose(f);
	return found;
}

static int react(int n, uid_t uid, const char *prog, const char *arg, const char *procs)
{
	volatile long long *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double *lat = calloc((size_t)n, sizeof(*lat));
	int nl = 0, missed = 0, over5 = 0, over50 = 0;
	int ban = strcmp(procs, "-") == 0;

	if (t == MAP_FAILED || !lat)
		return 1;
	for (int i = 0; i < n; i++) {
		long long seen = 0;
		int st;
		pid_t pid;

		*t = 0;
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			drop(uid);
			*t = now_ns();
			execl(prog, prog, arg, (char *)NULL);
			_exit(127);
		}
		while (!*t)
			nap_us(20);
		if (ban) {
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			seen = now_ns();
			if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
				seen = 0;
		} else {
			while (now_ns() - *t < 1000000000LL) {
				if (in_procs(procs, pid) == 1) {
					seen = now_ns();
					break;
				}
				nap_us(100);
			}
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		if (!seen) {
			missed++;
		} else {
			double ms = (double)(seen - *t) / 1e6;

			lat[nl++] = ms;
			over5 += ms > 5;
			over50 += ms > 50;
		}
		nap_us(5000);
	}
	qsort(lat, (size_t)nl, sizeof(*lat), cmp);
	if (nl)
		printf("%.2f %.2f %d %d %d\n", lat[nl / 2], lat[nl - 1], missed, over5, over50);
	else
		printf("- - %d 0 0\n", missed);
	return 0;
}

static int storm(int n, uid_t uid, const char *probe, const char *want, int conc)
{
	int alive = 0, late = 0, missed = 0, failed = 0, done = 0, started = 0;
	long long t0 = now_ns();

	while (done < n) {
		int st;
		pid_t pid;

		if (started < n && alive < conc) {
			pid = fork();
			if (pid < 0) {
				nap_us(1000);
			} else if (pid == 0) {
				char ts[32];

				drop(uid);
				snprintf(ts, sizeof(ts), "%lld", now_ns());
				execl(probe, probe, "probe", want, ts, (char *)NULL);
				_exit(127);
			} else {
				started++;
				alive++;
			}
			continue;
		}
		pid = wait(&st);
		if (pid < 0)
			break;
		alive--;
		done++;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
			late++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
			missed++;
		else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	printf("%d %d %d %d %.2f\n", done, late, missed, failed, (double)(now_ns() - t0) / 1e9);
	return 0;
}

/* Is this process in its group (a line of /proc/self/cgroup ends in WANT)? */
static int in_group(const char *want)
{
	char buf[8192], line[4200];
	size_t len;
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (!f)
		return -1;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	snprintf(line, sizeof(line), "%s\n", want);
	return strstr(buf, line) != NULL;
}

/* 0: in its group when its exec was 50 ms old; 1: later (looked at every
 * 10 ms), 3: not within 1 s; 2: cannot tell. */
static int probe(const char *want, long long t)
{
	long long left = t + 50000000LL - now_ns();
	int in;

	if (left > 0)
		nap_us((long)(left / 1000));
	in = in_group(want);
	if (in != 0)
		return in < 0 ? 2 : 0;
	while (now_ns() - t < 1000000000LL) {
		nap_us(10000);
		if (in_group(want) == 1)
			return 1;
	}
	return 3;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "react"))
		return react(atoi(argv[2]), (uid_t)atoi(argv[3]), argv[4], argv[5], argv[6]);
	if (argc == 7 && !strcmp(argv[1], "storm"))
		return storm(atoi(argv[2]), (uid_t)atoi(argv[3]), argv[4], argv[5], atoi(argv[6]));
	if (argc == 4 && !strcmp(argv[1], "probe"))
		return probe(argv[2], atoll(argv[3]));
	fprintf(stderr, "usage: bench_react react N UID PROG ARG PROCS | storm N UID PROBE WANT CONC\n");
	return 2;
}
