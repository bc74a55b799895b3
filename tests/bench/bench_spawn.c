/* Start-to-exit time of commands, measured round-robin: each round runs
 * every command once, in turn, so that load that comes and goes on a shared
 * host falls on all of them alike. Prints one line per command:
 *   NAME median_ms mean_ms min_ms p90_ms failures
 * Usage: bench_spawn ROUNDS NAME -- CMD ARGS... ';' NAME -- CMD ... */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct bench {
	const char *name;
	char **argv;
	double *ms;
	int fails;
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct bench b[16];
	int nb = 0, rounds, i, r;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_spawn ROUNDS NAME -- CMD... ';' NAME -- CMD...\n");
		return 2;
	}
	rounds = atoi(argv[1]);
	for (i = 2; i < argc && nb < 16;) {
		b[nb].name = argv[i];
		if (i + 2 >= argc || strcmp(argv[i + 1], "--")) {
			fprintf(stderr, "bench_spawn: expected NAME -- CMD at '%s'\n", argv[i]);
			return 2;
		}
		b[nb].argv = &argv[i + 2];
		for (i += 2; i < argc && strcmp(argv[i], ";"); i++)
			;
		if (i < argc)
			argv[i++] = NULL;
		b[nb].ms = calloc((size_t)rounds, sizeof(double));
		b[nb].fails = 0;
		nb++;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nb; i++) {
			posix_spawn_file_actions_t fa;
			double t0;
			pid_t pid;
			int st;

			posix_spawn_file_actions_init(&fa);
			/* the tools' output is not what is measured; failures are counted */
			posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
			posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
			t0 = now_ms();
			if (posix_spawnp(&pid, b[i].argv[0], &fa, NULL, b[i].argv, environ) != 0) {
				b[i].fails++;
				b[i].ms[r] = 0;
				continue;
			}
			waitpid(pid, &st, 0);
			b[i].ms[r] = now_ms() - t0;
			posix_spawn_file_actions_destroy(&fa);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				b[i].fails++;
		}
	}
	for (i = 0; i < nb; i++) {
		double sum = 0;

		for (r = 0; r < rounds; r++)
			sum += b[i].ms[r];
		qsort(b[i].ms, (size_t)rounds, sizeof(double), cmp);
		printf("%s %.3f %.3f %.3f %.3f %d\n", b[i].name, b[i].ms[rounds / 2], sum / rounds,
		       b[i].ms[0], b[i].ms[rounds * 9 / 10], b[i].fails);
	}
	return 0;
}
