/* A long history for bench-history.sh's replay figure, written with the
 * history store's writer (src/history):
 *   bench_replay_gen DIR START_SECONDS SAMPLES INTERVAL_SECONDS GROUPS
 * GROUPS groups "bench/gNNNN" under the root, each with a cpu counter that
 * moves by a share that varies from group to group and sample to sample,
 * memory that wanders, io counters and a pids count: a busy host's shape,
 * not an idle one's (more bytes a sample). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

int main(int argc, char **argv)
{
	struct hist_writer *w;
	struct hist_opts o = {0};
	unsigned long long start, n, iv, ng;
	struct hist_group *g;
	char (*names)[32];
	uint64_t *cpu, *io;
	cg_err e = {0};

	if (argc != 6) {
		fprintf(stderr, "usage: %s DIR START_SECONDS SAMPLES INTERVAL_SECONDS GROUPS\n", argv[0]);
		return 2;
	}
	start = strtoull(argv[2], NULL, 10);
	n = strtoull(argv[3], NULL, 10);
	iv = strtoull(argv[4], NULL, 10);
	ng = strtoull(argv[5], NULL, 10);
	g = calloc(ng, sizeof(*g));
	names = calloc(ng, sizeof(*names));
	cpu = calloc(ng, sizeof(*cpu));
	io = calloc(ng, sizeof(*io));
	if (!g || !names || !cpu || !io)
		return 1;
	o.dir = argv[1];
	o.interval_us = iv * 1000000u;
	if (hist_writer_open(&w, &o, &e) < 0) {
		fprintf(stderr, "gen: %s\n", e.msg);
		return 1;
	}
	srand(42);
	for (unsigned long long j = 0; j < ng; j++)
		snprintf(names[j], sizeof(names[j]), j ? "bench/g%04llu" : "", j);
	for (unsigned long long i = 0; i < n; i++) {
		uint64_t t = (start + i * iv) * 1000000u;

		for (unsigned long long j = 0; j < ng; j++) {
			struct stats_sample *s = &g[j].s;

			g[j].path = names[j];
			s->have = SV_BIT(SV_CPU_NS) | SV_BIT(SV_PERIODS) | SV_BIT(SV_THROTTLED) |
				  SV_BIT(SV_QUOTA_US) | SV_BIT(SV_PERIOD_US) | SV_BIT(SV_MEM) |
				  SV_BIT(SV_MEM_INACTIVE_FILE) | SV_BIT(SV_MEM_LIMIT) |
				  SV_BIT(SV_IO_RBYTES) | SV_BIT(SV_IO_WBYTES) | SV_BIT(SV_PIDS) |
				  SV_BIT(SV_PIDS_MAX);
			cpu[j] += (uint64_t)(rand() % 1000) * iv * 1000000u;   /* 0-100% */
			io[j] += (uint64_t)(rand() % 64) << 12;
			s->v[SV_CPU_NS] = cpu[j];
			s->v[SV_PERIODS] = i * iv * 10;
			s->v[SV_THROTTLED] = i * iv;
			s->v[SV_QUOTA_US] = 50000;
			s->v[SV_PERIOD_US] = 100000;
			s->v[SV_MEM] = (100ull << 20) + ((uint64_t)(rand() % 4096) << 12);
			s->v[SV_MEM_INACTIVE_FILE] = 10ull << 20;
			s->v[SV_MEM_LIMIT] = 1ull << 30;
			s->v[SV_IO_RBYTES] = io[j];
			s->v[SV_IO_WBYTES] = io[j] / 2;
			s->v[SV_PIDS] = 5 + (uint64_t)(rand() % 3);
			s->v[SV_PIDS_MAX] = 500;
		}
		if (hist_write_sample(w, t, g, ng, &e) < 0)
			break;
	}
	hist_writer_close(w);
	if (e.msg[0]) {
		fprintf(stderr, "gen: %s\n", e.msg);
		return 1;
	}
	return 0;
}
